//! The count and proportion distributions added for Stan programs
//! (neg_binomial, beta_neg_binomial, beta_proportion, discrete_range,
//! hypergeometric) and the bernoulli and beta_binomial cdfs: values against
//! mpmath, mass functions summing to one and tails to one, and the `_rng`s
//! against the distributions' moments. Partials against finite differences
//! are in `derivatives.rs` (every registered symbol has a domain there).
#![allow(clippy::excessive_precision)] // reference values keep their mpmath digits
use crate::common;
use common::*;
use hbmc_stdlib::dist::*;
use hbmc_stdlib::ChainRng;

/// The value of one of the functions under test by name (integer
/// arguments passed as whole reals).
fn value(name: &str, a: &[f64]) -> f64 {
    let i = |x: f64| x as i64;
    match (name, a) {
        ("neg_binomial_lpmf", [n, b, c]) => neg_binomial_lpmf(i(*n), *b, *c),
        ("neg_binomial_lcdf", [n, b, c]) => neg_binomial_lcdf(i(*n), *b, *c),
        ("neg_binomial_lccdf", [n, b, c]) => neg_binomial_lccdf(i(*n), *b, *c),
        ("beta_neg_binomial_lpmf", [n, b, c, d]) => beta_neg_binomial_lpmf(i(*n), *b, *c, *d),
        ("beta_neg_binomial_lcdf", [n, b, c, d]) => beta_neg_binomial_lcdf(i(*n), *b, *c, *d),
        ("beta_neg_binomial_lccdf", [n, b, c, d]) => beta_neg_binomial_lccdf(i(*n), *b, *c, *d),
        ("beta_proportion_lpdf", [y, b, c]) => beta_proportion_lpdf(*y, *b, *c),
        ("beta_proportion_lcdf", [y, b, c]) => beta_proportion_lcdf(*y, *b, *c),
        ("beta_proportion_lccdf", [y, b, c]) => beta_proportion_lccdf(*y, *b, *c),
        ("beta_binomial_lpmf", [n, t, c, d]) => beta_binomial_lpmf(i(*n), i(*t), *c, *d),
        ("beta_binomial_lcdf", [n, t, c, d]) => beta_binomial_lcdf(i(*n), i(*t), *c, *d),
        ("beta_binomial_lccdf", [n, t, c, d]) => beta_binomial_lccdf(i(*n), i(*t), *c, *d),
        ("bernoulli_lcdf", [n, b]) => bernoulli_lcdf(i(*n), *b),
        ("bernoulli_lccdf", [n, b]) => bernoulli_lccdf(i(*n), *b),
        ("discrete_range_lpmf", [n, l, u]) => discrete_range_lpmf(i(*n), i(*l), i(*u)),
        ("discrete_range_lcdf", [n, l, u]) => discrete_range_lcdf(i(*n), i(*l), i(*u)),
        ("discrete_range_lccdf", [n, l, u]) => discrete_range_lccdf(i(*n), i(*l), i(*u)),
        ("hypergeometric_lpmf", [n, t, a, b]) => hypergeometric_lpmf(i(*n), i(*t), i(*a), i(*b)),
        _ => panic!("no function {name} of {} arguments", a.len()),
    }
}

/// Reference values from `mpmath` (1.3.0 at 50 digits: each mass function
/// from its definition with binomial coefficients and beta functions, the
/// cdfs as sums of the mass or, for beta_proportion, the regularized
/// incomplete beta), the output pasted.
#[test]
fn values_match_mpmath() {
    let cases: &[(&str, &[f64], f64)] = &[
        ("neg_binomial_lpmf", &[3.0, 2.5, 0.7], -1.9287711127710260081),
        ("neg_binomial_lcdf", &[3.0, 2.5, 0.7], -0.54675254651392400158),
        ("neg_binomial_lccdf", &[3.0, 2.5, 0.7], -0.86471035348129169553),
        ("neg_binomial_lpmf", &[0.0, 0.4, 3.0], -0.11507282898071237736),
        ("neg_binomial_lcdf", &[0.0, 0.4, 3.0], -0.11507282898071237736),
        ("neg_binomial_lccdf", &[0.0, 0.4, 3.0], -2.2191747911102564845),
        ("neg_binomial_lpmf", &[40.0, 12.0, 0.5], -4.815306764477815005),
        ("neg_binomial_lcdf", &[40.0, 12.0, 0.5], -0.040202961010011444257),
        ("neg_binomial_lccdf", &[40.0, 12.0, 0.5], -3.2338487655965451868),
        ("beta_neg_binomial_lpmf", &[3.0, 2.5, 3.5, 1.7], -2.6194678219732589056),
        ("beta_neg_binomial_lcdf", &[3.0, 2.5, 3.5, 1.7], -0.15168884468666850257),
        ("beta_neg_binomial_lccdf", &[3.0, 2.5, 3.5, 1.7], -1.9608098073948977679),
        ("beta_neg_binomial_lpmf", &[0.0, 0.8, 2.2, 4.0], -0.85075271040350035858),
        ("beta_neg_binomial_lcdf", &[0.0, 0.8, 2.2, 4.0], -0.85075271040350035858),
        ("beta_neg_binomial_lccdf", &[0.0, 0.8, 2.2, 4.0], -0.5570324609331522177),
        ("beta_neg_binomial_lpmf", &[12.0, 4.0, 6.0, 0.9], -7.9640268851256464342),
        ("beta_neg_binomial_lcdf", &[12.0, 4.0, 6.0, 0.9], -0.00091785490700886824403),
        ("beta_neg_binomial_lccdf", &[12.0, 4.0, 6.0, 0.9], -6.9939301255538826873),
        ("beta_proportion_lpdf", &[0.3, 0.4, 5.0], 0.56758395758459951594),
        ("beta_proportion_lcdf", &[0.3, 0.4, 5.0], -1.054691101610181723),
        ("beta_proportion_lccdf", &[0.3, 0.4, 5.0], -0.4281709456438022667),
        ("beta_proportion_lpdf", &[0.9, 0.2, 12.0], -14.573948153103467491),
        ("beta_proportion_lcdf", &[0.9, 0.2, 12.0], -4.9510171127302324666e-9),
        ("beta_proportion_lccdf", &[0.9, 0.2, 12.0], -19.123672806629654888),
        ("beta_proportion_lpdf", &[0.05, 0.5, 0.8], 0.38691938376119494349),
        ("beta_proportion_lcdf", &[0.05, 0.5, 0.8], -1.7145586679375072645),
        ("beta_proportion_lccdf", &[0.05, 0.5, 0.8], -0.1985035766968174676),
        ("beta_binomial_lcdf", &[3.0, 10.0, 2.5, 1.5], -1.7903109339011636087),
        ("beta_binomial_lccdf", &[3.0, 10.0, 2.5, 1.5], -0.18261151582019776003),
        ("beta_binomial_lcdf", &[0.0, 7.0, 0.6, 3.0], -0.74981964523461071424),
        ("beta_binomial_lccdf", &[0.0, 7.0, 0.6, 3.0], -0.63951495617030714581),
        ("beta_binomial_lcdf", &[14.0, 20.0, 4.0, 9.0], -0.0079745148837973615556),
        ("beta_binomial_lccdf", &[14.0, 20.0, 4.0, 9.0], -4.8354890695189622555),
        ("bernoulli_lcdf", &[0.0, 0.35], -0.43078291609245425738),
        ("bernoulli_lccdf", &[0.0, 0.35], -1.0498221244986776883),
        ("discrete_range_lpmf", &[4.0, -2.0, 7.0], -2.302585092994045684),
        ("discrete_range_lcdf", &[4.0, -2.0, 7.0], -0.35667494393873237891),
        ("discrete_range_lccdf", &[4.0, -2.0, 7.0], -1.2039728043259359926),
        ("hypergeometric_lpmf", &[3.0, 8.0, 5.0, 9.0], -0.86850006803780659528),
        ("hypergeometric_lpmf", &[0.0, 4.0, 6.0, 2.0], f64::NEG_INFINITY),

    ];
    for (name, args, want) in cases {
        let got = value(name, args);
        if want.is_infinite() {
            assert_eq!(got, *want, "{name}{args:?}");
        } else {
            // 1e-12 relative, or 1e-14 absolute: a cdf summed from n+1
            // masses carries ~nε absolute rounding, which is the whole
            // error of ln F where F rounds near 1.
            let ok = close(got, *want, 1e-12) || (got - want).abs() < 1e-14;
            assert!(ok, "{name}{args:?}: {got} vs mpmath {want}");
        }
    }
}

/// Each mass function sums to one over its support (truncated where the
/// rest is below 1e-15), and lcdf(n) and lccdf(n) sum to one at every n.
#[test]
fn masses_sum_to_one_and_tails_to_one() {
    let families: &[(&str, &[f64], i64)] = &[
        ("neg_binomial", &[2.5, 0.7], 200),
        ("beta_neg_binomial", &[2.5, 6.5, 1.7], 4000),
        ("beta_binomial", &[15.0, 2.5, 1.5], 15),
        ("discrete_range", &[-2.0, 7.0], 7),
    ];
    for (name, params, top) in families {
        let lpmf = format!("{name}_lpmf");
        let lo = if *name == "discrete_range" { -2 } else { 0 };
        let at = |n: i64| std::iter::once(n as f64).chain(params.iter().copied()).collect::<Vec<_>>();
        let total: f64 = (lo..=*top).map(|n| value(&lpmf, &at(n)).exp()).sum();
        assert!((total - 1.0).abs() < 1e-9, "{name}: mass sums to {total}");
        let mut running = 0.0;
        for n in lo..(*top).min(60) {
            running += value(&lpmf, &at(n)).exp();
            let lcdf = value(&format!("{name}_lcdf"), &at(n));
            let lccdf = value(&format!("{name}_lccdf"), &at(n));
            assert!(close(lcdf.exp(), running, 1e-11), "{name} lcdf({n}) = {} vs sum {running}", lcdf.exp());
            assert!((lcdf.exp() + lccdf.exp() - 1.0).abs() < 1e-12, "{name} tails at {n}");
        }
    }
    let total: f64 = (0..=5).map(|n| hypergeometric_lpmf(n, 5, 4, 6).exp()).sum();
    assert!((total - 1.0).abs() < 1e-12, "hypergeometric sums to {total}");
    // Beyond the support: ln 0 below, ln 1 above.
    assert_eq!(beta_binomial_lcdf(-1, 10, 2.0, 3.0), f64::NEG_INFINITY);
    assert_eq!(beta_binomial_lccdf(10, 10, 2.0, 3.0), f64::NEG_INFINITY);
    assert_eq!(bernoulli_lcdf(1, 0.3), 0.0);
    assert_eq!(neg_binomial_lcdf(-1, 2.0, 1.0), f64::NEG_INFINITY);
    assert_eq!(neg_binomial_lpmf(2, -1.0, 1.0), f64::NEG_INFINITY);
    assert_eq!(beta_proportion_lpdf(0.5, 1.0, 3.0), f64::NEG_INFINITY);
    assert_eq!(discrete_range_lpmf(3, 5, 4), f64::NEG_INFINITY);
}

/// Sample mean and variance of 20,000 draws within 5 standard errors of
/// the distribution's moments (closed forms).
#[test]
fn rngs_match_their_moments() {
    let mut rng = ChainRng::new(91, 0);
    type Draw = Box<dyn Fn(&mut ChainRng) -> f64>;
    let (a, b) = (2.5_f64, 0.7_f64);
    let (r, ba, bb) = (3.0_f64, 7.0_f64, 2.0_f64);
    let (m, k) = (0.3_f64, 6.0_f64);
    let (draws, good, bad) = (6.0_f64, 7.0_f64, 5.0_f64);
    let total = good + bad;
    let cases: Vec<(&str, Draw, f64, f64)> = vec![
        ("neg_binomial", Box::new(move |g| neg_binomial_rng(g, a, b).unwrap() as f64), a / b, a / (b * b) * (b + 1.0)),
        (
            "beta_neg_binomial",
            Box::new(move |g| beta_neg_binomial_rng(g, r, ba, bb).unwrap() as f64),
            r * bb / (ba - 1.0),
            r * bb * (r + ba - 1.0) * (bb + ba - 1.0) / ((ba - 2.0) * (ba - 1.0).powi(2)),
        ),
        ("beta_proportion", Box::new(move |g| beta_proportion_rng(g, m, k).unwrap()), m, m * (1.0 - m) / (1.0 + k)),
        ("discrete_range", Box::new(|g| discrete_range_rng(g, -2, 7).unwrap() as f64), 2.5, (100.0 - 1.0) / 12.0),
        (
            "hypergeometric",
            Box::new(|g| hypergeometric_rng(g, 6, 7, 5).unwrap() as f64),
            draws * good / total,
            draws * good * bad * (total - draws) / (total * total * (total - 1.0)),
        ),
    ];
    const N: usize = 20_000;
    for (name, draw, mean, var) in &cases {
        let xs: Vec<f64> = (0..N).map(|_| draw(&mut rng)).collect();
        let n = N as f64;
        let mu = xs.iter().sum::<f64>() / n;
        let v = xs.iter().map(|x| (x - mu).powi(2)).sum::<f64>() / (n - 1.0);
        let m4 = xs.iter().map(|x| (x - mu).powi(4)).sum::<f64>() / n;
        let (se_m, se_v) = ((var / n).sqrt(), ((m4 - v * v).max(0.0) / n).sqrt());
        assert!((mu - mean).abs() < 5.0 * se_m, "{name}: mean {mu} vs {mean} (se {se_m})");
        assert!((v - var).abs() < 5.0 * se_v, "{name}: variance {v} vs {var} (se {se_v})");
    }
    assert!(neg_binomial_rng(&mut rng, 0.0, 1.0).is_err());
    assert!(discrete_range_rng(&mut rng, 3, 2).is_err());
    assert!(hypergeometric_rng(&mut rng, 13, 7, 5).is_err());
    assert!(beta_proportion_rng(&mut rng, 1.2, 3.0).is_err());
}

/// The negative binomial coefficient ln C(n+φ-1, n): its product path
/// (n ≤ 32, 1e-100 ≤ φ ≤ 1e8) against the sum Σ_{k<n} ln((φ+k)/(k+1)),
/// whose terms are each within an ulp, and against the `lbeta` path on
/// both sides of the product path's limits.
#[test]
fn nb_coefficient_product_matches_the_sum_of_logs() {
    let sum_of_logs = |n: i64, phi: f64| (0..n).map(|k| ((phi + k as f64) / (k as f64 + 1.0)).ln()).sum::<f64>();
    let lbeta_form = |n: i64, phi: f64| -(n as f64 + phi).ln() - hbmc_stdlib::special::lbeta(phi, n as f64 + 1.0);
    for &phi in &[1e-100, 1e-30, 1e-6, 0.013, 0.5, 1.0, 2.7, 10.0, 123.4, 5e4, 1e8] {
        for n in [1i64, 2, 3, 5, 8, 13, 21, 31, 32] {
            let got = nb_lchoose(n, phi);
            let want = sum_of_logs(n, phi);
            let tol = 1e-13 * want.abs().max(1.0);
            assert!((got - want).abs() <= tol, "ln C(n+φ-1, n) at n = {n}, φ = {phi}: {got} against Σ ln = {want}");
            if phi >= 1e-6 {
                let other = lbeta_form(n, phi);
                assert!((got - other).abs() <= 1e-12 * other.abs().max(1.0), "n = {n}, φ = {phi}: product {got}, lbeta {other}");
            }
        }
    }
    // Just outside the product path (n = 33, φ = 1e8 * 1.5, φ = 1e-101) the
    // lbeta path agrees with the sum too.
    for (n, phi) in [(33i64, 2.7), (33, 5e4), (4, 1.5e8), (5, 1e-101)] {
        let (got, want) = (nb_lchoose(n, phi), sum_of_logs(n, phi));
        assert!((got - want).abs() <= 1e-12 * want.abs().max(1.0), "n = {n}, φ = {phi}: {got} against {want}");
    }
}

/// `binomial_logit` without its count term takes ln σ(α), ln(1 - σ(α)) and
/// both σ(±α) from one `exp`: the same bits as the functions apart.
#[test]
fn binomial_logit_uncounted_is_the_logistic_functions_apart() {
    use hbmc_stdlib::special::{inv_logit, log1m_inv_logit, log_inv_logit};
    for &alpha in &[-800.0, -35.5, -3.25, -1e-300, -0.0, 0.0, 1e-300, 0.7, 4.0, 36.0, 800.0, f64::INFINITY, f64::NEG_INFINITY] {
        for (n, big_n) in [(0i64, 0i64), (0, 5), (3, 5), (5, 5), (17, 40)] {
            let (nf, mf) = (n as f64, (big_n - n) as f64);
            let a = if nf == 0.0 { 0.0 } else { nf * log_inv_logit(alpha) };
            let b = if mf == 0.0 { 0.0 } else { mf * log1m_inv_logit(alpha) };
            let d = nf * inv_logit(-alpha) - mf * inv_logit(alpha);
            // The library's contract: NaN rejects (-inf), partials only
            // with a finite value.
            let (want, want_d) = match a + b {
                v if v.is_finite() && !d.is_nan() => (v, d),
                v if v.is_nan() => (f64::NEG_INFINITY, 0.0),
                v => (v, 0.0),
            };
            let (v, [g]) = binomial_logit_uncounted_lpmf_grad(n, big_n, alpha);
            assert_eq!(v.to_bits(), want.to_bits(), "value at n = {n}, N = {big_n}, α = {alpha}: {v} against {want}");
            assert_eq!(g.to_bits(), want_d.to_bits(), "∂α at n = {n}, N = {big_n}, α = {alpha}: {g} against {want_d}");
        }
    }
}
