//! `_rng` draws: sample mean and variance of 20,000 draws within 5 standard
//! errors of the moments of the *density* (computed by quadrature or
//! summation of our own lpdf/lpmf), which ties each generator to its density's
//! parameterisation. Fixed seeds, so the tests are deterministic.
#![allow(clippy::excessive_precision)] // reference values keep their mpmath digits
use crate::common;
use common::*;
use hbmc_stdlib::dist::*;
use hbmc_stdlib::ChainRng;

const N: usize = 20_000;

/// Asserts the sample mean and variance of `xs` match (mean, var) to 5 SE.
#[track_caller]
fn check_moments(xs: &[f64], mean: f64, var: f64, what: &str) {
    let n = xs.len() as f64;
    let m = xs.iter().sum::<f64>() / n;
    let v = xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0);
    let m4 = xs.iter().map(|x| (x - m).powi(4)).sum::<f64>() / n;
    let se_m = (var / n).sqrt();
    let se_v = ((m4 - v * v).max(0.0) / n).sqrt();
    assert!(
        (m - mean).abs() < 5.0 * se_m,
        "{what}: mean {m} vs {mean} (se {se_m})"
    );
    assert!(
        (v - var).abs() < 5.0 * se_v,
        "{what}: variance {v} vs {var} (se {se_v})"
    );
}

/// Mean and variance of a continuous density by quadrature.
fn density_moments(lp: &dyn Fn(f64) -> f64, a: f64, b: f64) -> (f64, f64) {
    let mean = integrate(|y| y * lp(y).exp(), a, b);
    let var = integrate(|y| (y - mean).powi(2) * lp(y).exp(), a, b);
    (mean, var)
}

#[test]
fn continuous_rngs_match_their_densities() {
    let inf = f64::INFINITY;
    let mut rng = ChainRng::new(42, 0);
    type Draw = Box<dyn Fn(&mut ChainRng) -> f64>;
    type Lp = Box<dyn Fn(f64) -> f64>;
    let cases: Vec<(&str, Draw, Lp, f64, f64)> = vec![
        (
            "normal",
            Box::new(|r| normal_rng(r, 1.0, 2.0).unwrap()),
            Box::new(|y| normal_lpdf(y, 1.0, 2.0)),
            -inf,
            inf,
        ),
        (
            "std_normal",
            Box::new(|r| std_normal_rng(r).unwrap()),
            Box::new(std_normal_lpdf),
            -inf,
            inf,
        ),
        (
            "student_t",
            Box::new(|r| student_t_rng(r, 10.0, 1.0, 2.0).unwrap()),
            Box::new(|y| student_t_lpdf(y, 10.0, 1.0, 2.0)),
            -inf,
            inf,
        ),
        (
            "double_exponential",
            Box::new(|r| double_exponential_rng(r, 1.0, 2.0).unwrap()),
            Box::new(|y| double_exponential_lpdf(y, 1.0, 2.0)),
            -inf,
            inf,
        ),
        (
            "skew_double_exponential",
            Box::new(|r| skew_double_exponential_rng(r, 1.0, 2.0, 0.3).unwrap()),
            Box::new(|y| skew_double_exponential_lpdf(y, 1.0, 2.0, 0.3)),
            -inf,
            inf,
        ),
        (
            "logistic",
            Box::new(|r| logistic_rng(r, -1.0, 0.5).unwrap()),
            Box::new(|y| logistic_lpdf(y, -1.0, 0.5)),
            -inf,
            inf,
        ),
        (
            "lognormal",
            Box::new(|r| lognormal_rng(r, 0.2, 0.5).unwrap()),
            Box::new(|y| lognormal_lpdf(y, 0.2, 0.5)),
            0.0,
            inf,
        ),
        (
            "exponential",
            Box::new(|r| exponential_rng(r, 2.0).unwrap()),
            Box::new(|y| exponential_lpdf(y, 2.0)),
            0.0,
            inf,
        ),
        (
            "gamma",
            Box::new(|r| gamma_rng(r, 2.5, 1.5).unwrap()),
            Box::new(|y| gamma_lpdf(y, 2.5, 1.5)),
            0.0,
            inf,
        ),
        (
            "inv_gamma",
            Box::new(|r| inv_gamma_rng(r, 6.0, 2.0).unwrap()),
            Box::new(|y| inv_gamma_lpdf(y, 6.0, 2.0)),
            0.0,
            inf,
        ),
        (
            "weibull",
            Box::new(|r| weibull_rng(r, 1.7, 2.2).unwrap()),
            Box::new(|y| weibull_lpdf(y, 1.7, 2.2)),
            0.0,
            inf,
        ),
        (
            "gumbel",
            Box::new(|r| gumbel_rng(r, 0.5, 1.3).unwrap()),
            Box::new(|y| gumbel_lpdf(y, 0.5, 1.3)),
            -f64::INFINITY,
            inf,
        ),
        (
            "rayleigh",
            Box::new(|r| rayleigh_rng(r, 1.7).unwrap()),
            Box::new(|y| rayleigh_lpdf(y, 1.7)),
            0.0,
            inf,
        ),
        (
            "beta",
            Box::new(|r| beta_rng(r, 2.5, 0.7).unwrap()),
            Box::new(|y| beta_lpdf(y, 2.5, 0.7)),
            0.0,
            1.0,
        ),
        (
            "uniform",
            Box::new(|r| uniform_rng(r, -1.0, 3.0).unwrap()),
            Box::new(|y| uniform_lpdf(y, -1.0, 3.0)),
            -1.0,
            3.0,
        ),
    ];
    for (name, draw, lp, a, b) in &cases {
        let xs: Vec<f64> = (0..N).map(|_| draw(&mut rng)).collect();
        let (mean, var) = if *name == "double_exponential" || *name == "skew_double_exponential" {
            // split at the kink (μ = 1) for the quadrature
            let m =
                integrate(|y| y * lp(y).exp(), *a, 1.0) + integrate(|y| y * lp(y).exp(), 1.0, *b);
            let v = integrate(|y| (y - m).powi(2) * lp(y).exp(), *a, 1.0)
                + integrate(|y| (y - m).powi(2) * lp(y).exp(), 1.0, *b);
            (m, v)
        } else {
            density_moments(lp.as_ref(), *a, *b)
        };
        check_moments(&xs, mean, var, name);
    }
    // Cauchy has no moments: check the quartile P(X < μ + σ) = 3/4.
    let below = (0..N)
        .filter(|_| cauchy_rng(&mut rng, 0.5, 3.0).unwrap() < 3.5)
        .count() as f64
        / N as f64;
    assert!(
        (below - 0.75).abs() < 5.0 * (0.75 * 0.25 / N as f64).sqrt(),
        "cauchy quartile {below}"
    );
}

#[test]
fn discrete_rngs_match_their_mass_functions() {
    let mut rng = ChainRng::new(43, 0);
    type Draw = Box<dyn Fn(&mut ChainRng) -> i64>;
    type Lp = Box<dyn Fn(i64) -> f64>;
    let cases: Vec<(&str, Draw, Lp, i64)> = vec![
        (
            "bernoulli",
            Box::new(|r| bernoulli_rng(r, 0.3).unwrap()),
            Box::new(|n| bernoulli_lpmf(n, 0.3)),
            1,
        ),
        (
            "bernoulli_logit",
            Box::new(|r| bernoulli_logit_rng(r, -0.7).unwrap()),
            Box::new(|n| bernoulli_logit_lpmf(n, -0.7)),
            1,
        ),
        (
            "binomial",
            Box::new(|r| binomial_rng(r, 20, 0.35).unwrap()),
            Box::new(|n| binomial_lpmf(n, 20, 0.35)),
            20,
        ),
        (
            "binomial_logit",
            Box::new(|r| binomial_logit_rng(r, 20, 0.4).unwrap()),
            Box::new(|n| binomial_logit_lpmf(n, 20, 0.4)),
            20,
        ),
        (
            "poisson",
            Box::new(|r| poisson_rng(r, 4.5).unwrap()),
            Box::new(|n| poisson_lpmf(n, 4.5)),
            200,
        ),
        (
            "poisson_log",
            Box::new(|r| poisson_log_rng(r, 2.0).unwrap()),
            Box::new(|n| poisson_log_lpmf(n, 2.0)),
            200,
        ),
        (
            "neg_binomial_2",
            Box::new(|r| neg_binomial_2_rng(r, 5.0, 2.0).unwrap()),
            Box::new(|n| neg_binomial_2_lpmf(n, 5.0, 2.0)),
            3000,
        ),
        (
            "neg_binomial_2_log",
            Box::new(|r| neg_binomial_2_log_rng(r, 1.2, 3.0).unwrap()),
            Box::new(|n| neg_binomial_2_log_lpmf(n, 1.2, 3.0)),
            3000,
        ),
    ];
    for (name, draw, lp, hi) in &cases {
        let xs: Vec<f64> = (0..N).map(|_| draw(&mut rng) as f64).collect();
        let mean = (0..=*hi).map(|n| n as f64 * lp(n).exp()).sum::<f64>();
        let var = (0..=*hi)
            .map(|n| (n as f64 - mean).powi(2) * lp(n).exp())
            .sum::<f64>();
        check_moments(&xs, mean, var, name);
    }
}

#[test]
fn multivariate_rngs() {
    let mut rng = ChainRng::new(44, 0);
    let mu = [1.0, -2.0];
    let sigma = [2.0, 0.6, 0.6, 1.0];
    let mut l = [0.0; 4];
    hbmc_stdlib::linalg::cholesky_decompose(&sigma, 2, &mut l).unwrap();
    for use_chol in [false, true] {
        let mut draws = vec![];
        for _ in 0..N {
            let mut y = [0.0; 2];
            if use_chol {
                multi_normal_cholesky_rng(&mut rng, &mu, &l, &mut y).unwrap();
            } else {
                multi_normal_rng(&mut rng, &mu, &sigma, &mut y).unwrap();
            }
            draws.push(y);
        }
        for d in 0..2 {
            let xs: Vec<f64> = draws.iter().map(|y| y[d]).collect();
            check_moments(&xs, mu[d], sigma[d * 3], "multi_normal marginal");
        }
        // covariance through the variance of the sum
        let s: Vec<f64> = draws.iter().map(|y| y[0] + y[1]).collect();
        check_moments(&s, mu[0] + mu[1], 2.0 + 1.0 + 2.0 * 0.6, "multi_normal sum");
    }
    // multivariate Student-t: covariance ν / (ν - 2) Σ (ν = 9: a finite
    // fourth moment, so the variance check's standard error is defined)
    let nu = 9.0;
    for use_chol in [false, true] {
        let mut draws = vec![];
        for _ in 0..N {
            let mut y = [0.0; 2];
            if use_chol {
                multi_student_t_cholesky_rng(&mut rng, nu, &mu, &l, &mut y).unwrap();
            } else {
                multi_student_t_rng(&mut rng, nu, &mu, &sigma, &mut y).unwrap();
            }
            draws.push(y);
        }
        let c = nu / (nu - 2.0);
        for d in 0..2 {
            let xs: Vec<f64> = draws.iter().map(|y| y[d]).collect();
            check_moments(&xs, mu[d], c * sigma[d * 3], "multi_student_t marginal");
        }
        let s: Vec<f64> = draws.iter().map(|y| y[0] + y[1]).collect();
        check_moments(&s, mu[0] + mu[1], c * (2.0 + 1.0 + 2.0 * 0.6), "multi_student_t sum");
        // the tails: P(|t_9| > 3) = 0.014956363910414222 (scipy
        // 2 * stats.t.sf(3, 9)); a normal of the same variance gives 0.00815,
        // 8 binomial standard errors (0.00086 at N = 20 000) away.
        let far = draws.iter().filter(|y| ((y[0] - mu[0]) / sigma[0].sqrt()).abs() > 3.0).count() as f64 / N as f64;
        assert!((far - 0.014956363910414222).abs() < 5.0 * 0.00086, "multi_student_t P(|t| > 3): {far}");
    }
    assert!(multi_student_t_rng(&mut rng, 0.0, &mu, &sigma, &mut [0.0; 2]).is_err());
    assert!(multi_student_t_cholesky_rng(&mut rng, f64::INFINITY, &mu, &l, &mut [0.0; 2]).is_err());
    // LKJ: each correlation is 2 Beta(b, b) - 1 with b = η - 1 + K/2, variance 1/(2η + K - 1)
    let (k, eta) = (3, 2.0);
    let mut r12 = vec![];
    let mut r23 = vec![];
    for _ in 0..N {
        let mut lk = [0.0; 9];
        lkj_corr_cholesky_rng(&mut rng, k, eta, &mut lk).unwrap();
        let mut om = [0.0; 9];
        hbmc_stdlib::linalg::multiply_lower_tri_self_transpose(&lk, k, &mut om).unwrap();
        assert!(
            (om[0] - 1.0).abs() < 1e-12
                && (om[4] - 1.0).abs() < 1e-12
                && (om[8] - 1.0).abs() < 1e-12
        );
        r12.push(om[1]);
        r23.push(om[5]);
    }
    let v = 1.0 / (2.0 * eta + k as f64 - 1.0);
    check_moments(&r12, 0.0, v, "lkj r12");
    check_moments(&r23, 0.0, v, "lkj r23");
}

#[test]
fn c_abi_rngs_are_reproducible_and_reject_bad_parameters() {
    let mut a = ChainRng::new(7, 1);
    let mut b = ChainRng::new(7, 1);
    let mut c = ChainRng::new(7, 2);
    let xa: Vec<f64> = (0..5)
        .map(|_| unsafe { hbm_normal_rng(&mut a, 0.0, 1.0) })
        .collect();
    let xb: Vec<f64> = (0..5)
        .map(|_| unsafe { hbm_normal_rng(&mut b, 0.0, 1.0) })
        .collect();
    let xc: Vec<f64> = (0..5)
        .map(|_| unsafe { hbm_normal_rng(&mut c, 0.0, 1.0) })
        .collect();
    assert_eq!(xa, xb);
    assert_ne!(xa, xc);
    assert!(unsafe { hbm_normal_rng(&mut a, 0.0, -1.0) }.is_nan());
    assert!(unsafe { hbm_normal_rng(std::ptr::null_mut(), 0.0, 1.0) }.is_nan());
    assert_eq!(unsafe { hbm_poisson_rng(&mut a, -1.0) }, -1);
    assert_eq!(unsafe { hbm_binomial_rng(&mut a, -3, 0.5) }, -1);
    assert!(unsafe { hbm_poisson_rng(&mut a, 3.0) } >= 0);
    assert!(gamma_rng(&mut a, 0.0, 1.0).is_err());
    assert!(beta_rng(&mut a, 1.0, f64::NAN).is_err());
    assert!(lkj_corr_cholesky_rng(&mut a, 3, 0.0, &mut [0.0; 9]).is_err());
    assert!(multi_normal_rng(&mut a, &[0.0, 0.0], &[1.0, 2.0, 2.0, 1.0], &mut [0.0; 2]).is_err());
}
