//! The HMM functions against enumeration of every state path (K^N paths
//! for K = 2, 3 and N = 4), a log-space forward algorithm written
//! independently, finite differences of the enumerated marginal, and the
//! frequencies of many latent draws.

use super::*;

/// A 3-state model over 4 observations (log_omega, Γ, ρ); Γ's rows and ρ
/// are simplexes, log_omega arbitrary log densities.
fn three_states() -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let lo = vec![-1.2, -0.3, -2.0, -0.5, -1.7, -0.9, -2.4, -0.2, -1.1, -0.8, -0.6, -3.0];
    // Rows (0.7, 0.2, 0.1), (0.25, 0.5, 0.25), (0.1, 0.3, 0.6), column-major.
    let g = vec![0.7, 0.25, 0.1, 0.2, 0.5, 0.3, 0.1, 0.25, 0.6];
    let rho = vec![0.5, 0.3, 0.2];
    (lo, g, rho)
}

/// The probability of every path x (0-based states) with its observations:
/// ρ[x_1] ω[x_1, 1] Π Γ[x_{n-1}, x_n] ω[x_n, n], in plain f64, no scaling.
fn path_weights(lo: &[f64], g: &[f64], rho: &[f64], k: usize, n: usize) -> Vec<(Vec<usize>, f64)> {
    let mut out = Vec::new();
    for code in 0..k.pow(n as u32) {
        let path: Vec<usize> = (0..n).map(|t| code / k.pow(t as u32) % k).collect();
        let mut p = rho[path[0]] * lo[path[0]].exp();
        for t in 1..n {
            p *= g[path[t - 1] + path[t] * k] * lo[t * k + path[t]].exp();
        }
        out.push((path, p));
    }
    out
}

/// ln p(y) by enumeration (no validation, so finite differences may leave
/// the simplexes: the marginal is a polynomial in Γ and ρ).
fn brute_log_p(lo: &[f64], g: &[f64], rho: &[f64], k: usize, n: usize) -> f64 {
    path_weights(lo, g, rho, k, n).iter().map(|(_, p)| p).sum::<f64>().ln()
}

#[test]
fn marginal_equals_the_sum_over_every_state_path() {
    let (lo, g, rho) = three_states();
    let h = Hmm::new(&lo, &g, &rho, 3, 4).expect("valid model");
    let (got, want) = (hmm_marginal(&h), brute_log_p(&lo, &g, &rho, 3, 4));
    assert!((got - want).abs() < 1e-13, "{got} vs {want}");
    // Two states: the first two rows of log_omega's columns.
    let lo2: Vec<f64> = lo.chunks(3).flat_map(|c| [c[0], c[1]]).collect();
    let (g2, rho2) = ([0.9, 0.3, 0.1, 0.7], [0.4, 0.6]);
    let h2 = Hmm::new(&lo2, &g2, &rho2, 2, 4).expect("valid model");
    let (got, want) = (hmm_marginal(&h2), brute_log_p(&lo2, &g2, &rho2, 2, 4));
    assert!((got - want).abs() < 1e-13, "{got} vs {want}");
}

/// A long series whose densities underflow f64 (p(y) near e^-60000) against
/// the forward algorithm in log space: lse over i of (a_{n-1}[i] + ln Γ[i, j]).
#[test]
fn long_series_matches_a_log_space_forward_algorithm() {
    let (k, n) = (3, 2000);
    let lo: Vec<f64> = (0..k * n).map(|i| -30.0 - ((i * 7919) % 13) as f64).collect();
    let (_, g, rho) = three_states();
    let h = Hmm::new(&lo, &g, &rho, k, n).expect("valid model");
    let lse = |v: &[f64]| {
        let m = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        m + v.iter().map(|x| (x - m).exp()).sum::<f64>().ln()
    };
    let mut a: Vec<f64> = (0..k).map(|j| rho[j].ln() + lo[j]).collect();
    for t in 1..n {
        a = (0..k).map(|j| lse(&(0..k).map(|i| a[i] + g[i + j * k].ln()).collect::<Vec<_>>()) + lo[t * k + j]).collect();
    }
    let (got, want) = (hmm_marginal(&h), lse(&a));
    assert!(got < -60000.0 && (got - want).abs() < 1e-9 * want.abs(), "{got} vs {want}");
}

/// Normalising sums of 1e-100 and then 1e-300 (the prior and the
/// transitions put that little mass on the only state whose observation
/// is not e^-1000 less likely): their product 1e-400 is below f64's range,
/// so the second is logged at once. p(y) = 1e-100 · 1e-300 · (e^-0.5 +
/// 1e-300 e^-1), up to the e^-1000 paths.
#[test]
fn tiny_normalising_sums_are_logged_before_they_underflow() {
    let lo = [-1000.0, 0.0, -1000.0, 0.0, -0.5, -1.0];
    let (g, rho) = ([1.0 - 1e-300, 1.0 - 1e-300, 1e-300, 1e-300], [1.0 - 1e-100, 1e-100]);
    let h = Hmm::new(&lo, &g, &rho, 2, 3).expect("valid model");
    let (got, want) = (hmm_marginal(&h), 1e-100f64.ln() + 1e-300f64.ln() - 0.5);
    assert!((got - want).abs() < 1e-12 * want.abs(), "{got} vs {want}");
}

#[test]
fn partials_match_finite_differences_of_the_enumeration() {
    let (lo, g, rho) = three_states();
    let h = Hmm::new(&lo, &g, &rho, 3, 4).expect("valid model");
    let (_, grad) = hmm_marginal_grad(&h);
    let eps = 1e-6;
    let check = |which: usize, got: &[f64]| {
        for i in 0..got.len() {
            let mut args = [lo.clone(), g.clone(), rho.clone()];
            args[which][i] += eps;
            let up = brute_log_p(&args[0], &args[1], &args[2], 3, 4);
            args[which][i] -= 2.0 * eps;
            let down = brute_log_p(&args[0], &args[1], &args[2], 3, 4);
            let fd = (up - down) / (2.0 * eps);
            assert!((fd - got[i]).abs() < 1e-7, "argument {which}, element {i}: {} vs {fd}", got[i]);
        }
    };
    check(0, &grad.log_omega);
    check(1, &grad.gamma);
    check(2, &grad.rho);
}

/// P(x_n = k | y) by enumeration, K × N column-major.
fn brute_marginals(lo: &[f64], g: &[f64], rho: &[f64], k: usize, n: usize) -> Vec<f64> {
    let paths = path_weights(lo, g, rho, k, n);
    let total: f64 = paths.iter().map(|(_, p)| p).sum();
    let mut out = vec![0.0; k * n];
    for (path, p) in &paths {
        for (t, s) in path.iter().enumerate() {
            out[t * k + s] += p / total;
        }
    }
    out
}

#[test]
fn hidden_state_probabilities_are_the_enumerated_posteriors() {
    let (lo, g, rho) = three_states();
    let h = Hmm::new(&lo, &g, &rho, 3, 4).expect("valid model");
    let got = hmm_hidden_state_prob(&h).expect("possible paths");
    let want = brute_marginals(&lo, &g, &rho, 3, 4);
    for (a, b) in got.iter().zip(&want) {
        assert!((a - b).abs() < 1e-14, "{got:?} vs {want:?}");
    }
    for col in got.chunks(3) {
        assert!((col.iter().sum::<f64>() - 1.0).abs() < 1e-14);
    }
    // They are also ∂ ln p / ∂ log_omega.
    let (_, grad) = hmm_marginal_grad(&h);
    assert!(got.iter().zip(&grad.log_omega).all(|(a, b)| (a - b).abs() < 1e-15));
}

/// 40000 latent draws: each state's frequency at each step and each pair
/// (x_1, x_2)'s frequency against the enumerated posterior. A frequency
/// of M draws has standard deviation sqrt(p (1 - p) / M); 5 of them
/// bound it with a false-alarm chance below 6e-7 per cell (normal tail),
/// below 2e-5 over the 21 cells; the seed is fixed, so the test is
/// deterministic anyway. Pairs check the joint draw, which marginals alone
/// would not (independent draws from each marginal would pass those).
#[test]
fn latent_draws_have_the_posterior_frequencies() {
    let (lo, g, rho) = three_states();
    let (k, n, m) = (3, 4, 40_000);
    let h = Hmm::new(&lo, &g, &rho, k, n).expect("valid model");
    let mut rng = ChainRng::new(11, 0);
    let mut single = vec![0usize; k * n];
    let mut pair = vec![0usize; k * k];
    for _ in 0..m {
        let x = hmm_latent_draw(&mut rng, &h).expect("possible paths");
        assert!(x.iter().all(|s| (1..=k as i64).contains(s)));
        for (t, s) in x.iter().enumerate() {
            single[t * k + (*s as usize - 1)] += 1;
        }
        pair[(x[0] as usize - 1) * k + (x[1] as usize - 1)] += 1;
    }
    let paths = path_weights(&lo, &g, &rho, k, n);
    let total: f64 = paths.iter().map(|(_, p)| p).sum();
    let mut pair_p = vec![0.0; k * k];
    for (path, p) in &paths {
        pair_p[path[0] * k + path[1]] += p / total;
    }
    let within = |count: usize, p: f64, what: &str| {
        let freq = count as f64 / m as f64;
        let sd = (p * (1.0 - p) / m as f64).sqrt();
        assert!((freq - p).abs() <= 5.0 * sd, "{what}: frequency {freq} vs probability {p} (sd {sd})");
    };
    for (i, p) in brute_marginals(&lo, &g, &rho, k, n).iter().enumerate() {
        within(single[i], *p, &format!("state {} at step {}", i % k + 1, i / k + 1));
    }
    for (i, p) in pair_p.iter().enumerate() {
        within(pair[i], *p, &format!("pair ({}, {})", i / k + 1, i % k + 1));
    }
}

#[test]
fn invalid_models_are_refused_and_impossible_ones_are_minus_infinity() {
    let (lo, g, rho) = three_states();
    assert!(Hmm::new(&lo, &g, &[0.5, 0.3, 0.3], 3, 4).is_none());
    let mut bad_row = g.clone();
    bad_row[0] = 0.6;
    assert!(Hmm::new(&lo, &bad_row, &rho, 3, 4).is_none());
    assert!(Hmm::new(&[], &g, &rho, 3, 0).is_none());
    let mut nan = lo.clone();
    nan[5] = f64::NAN;
    assert!(Hmm::new(&nan, &g, &rho, 3, 4).is_none());
    // SAFETY: the buffers hold 12, 9 and 3 values.
    assert!(unsafe { hbm_hmm_marginal(lo.as_ptr(), bad_row.as_ptr(), rho.as_ptr(), 3, 4) }.is_nan());
    // An observation no state can produce: p(y) = 0, zero partials, no draw.
    let mut impossible = lo.clone();
    impossible[6..9].fill(f64::NEG_INFINITY);
    let h = Hmm::new(&impossible, &g, &rho, 3, 4).expect("valid arguments");
    let (v, grad) = hmm_marginal_grad(&h);
    assert_eq!(v, f64::NEG_INFINITY);
    assert!(grad.log_omega.iter().chain(&grad.gamma).chain(&grad.rho).all(|d| *d == 0.0));
    assert!(hmm_hidden_state_prob(&h).is_none());
    assert!(hmm_latent_draw(&mut ChainRng::new(1, 0), &h).is_none());
}

/// The C adjoint adds w times the partials into every non-null buffer.
#[test]
fn adjoint_accumulates_weighted_partials() {
    let (lo, g, rho) = three_states();
    let h = Hmm::new(&lo, &g, &rho, 3, 4).expect("valid model");
    let (_, grad) = hmm_marginal_grad(&h);
    let (mut lo_adj, mut rho_adj) = (vec![1.0; 12], vec![0.5; 3]);
    // SAFETY: buffers of 12, 9 and 3 values; Γ's adjoint is null (skipped).
    let status = unsafe {
        hbm_hmm_marginal_adj(
            lo.as_ptr(), g.as_ptr(), rho.as_ptr(), 3, 4, -2.0,
            lo_adj.as_mut_ptr(), std::ptr::null_mut(), rho_adj.as_mut_ptr(),
        )
    };
    assert_eq!(status, 0);
    assert!(lo_adj.iter().zip(&grad.log_omega).all(|(a, d)| (a - (1.0 - 2.0 * d)).abs() < 1e-15));
    assert!(rho_adj.iter().zip(&grad.rho).all(|(a, d)| (a - (0.5 - 2.0 * d)).abs() < 1e-15));
}
