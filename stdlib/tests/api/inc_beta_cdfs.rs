//! The regularized incomplete beta function (`inc_beta`) and the cdfs built
//! on it (beta, student_t, binomial, neg_binomial_2): values and the shape
//! partials against mpmath, the two tails summing to one, ∂y lcdf = density
//! / cdf, and the discrete cdfs equal to sums of the mass. Partials against
//! finite differences are in `derivatives.rs`.
#![allow(clippy::excessive_precision)] // reference values keep their mpmath digits
use crate::common;
use common::*;
use hbmc_stdlib::dist::*;
use hbmc_stdlib::inc_beta::{inc_beta, inc_beta_grad};

/// `python3 stdlib/tests/reference/inc_beta_ref.py` (mpmath 1.3.0, 50 digits:
/// `betainc(a, b, 0, x, regularized=True)` and `diff` of it), pasted.
#[test]
fn inc_beta_and_its_partials_match_mpmath() {
    let cases: &[(f64, f64, f64, f64, [f64; 3])] = &[
        (2.0, 3.0, 0.5, 0.6875, [-0.19528868663496240022, 0.15410849392498290919, 1.5]),
        (0.5, 0.7, 0.2, 0.364709208611865573, [-0.6951703217233104856, 0.31313642812953961931, 0.95414058195704822028]),
        (15.0, 4.0, 0.9, 0.90180315857456268218, [-0.016192457405704285692, 0.094374395138148322482, 2.8001193964872255019]),
        (200.0, 300.0, 0.38, 0.18093001184220384977, [-0.014717452632618074102, 0.0094058184610340378782, 12.160431455280083433]),
        (0.3, 40.0, 0.001, 0.41934500073498063442, [-1.2906077429691604635, 0.0030771528428206712868, 122.07623254907825957]),
        (1.5, 0.5, 0.999, 0.95974334188496819702, [-0.015537498904380056708, 0.26254117160755853388, 20.121616481654285191]),
    ];
    for (a, b, x, want, dwant) in cases {
        assert_close(inc_beta(*a, *b, *x), *want, 1e-13, &format!("inc_beta({a}, {b}, {x})"));
        let g = inc_beta_grad(*a, *b, *x);
        for k in 0..3 {
            assert_close(g[k], dwant[k], 1e-10, &format!("inc_beta({a}, {b}, {x}) partial {k}"));
        }
    }
    assert!(inc_beta(-1.0, 2.0, 0.5).is_nan());
    assert!(inc_beta(1.0, 2.0, 1.5).is_nan());
    assert_eq!(inc_beta(2.0, 3.0, 0.0), 0.0);
    assert_eq!(inc_beta(2.0, 3.0, 1.0), 1.0);
}

fn continuous(name: &str, a: &[f64]) -> f64 {
    match (name, a) {
        ("student_t_lcdf", [y, n, m, s]) => student_t_lcdf(*y, *n, *m, *s),
        ("student_t_lccdf", [y, n, m, s]) => student_t_lccdf(*y, *n, *m, *s),
        ("beta_lcdf", [y, a, b]) => beta_lcdf(*y, *a, *b),
        ("beta_lccdf", [y, a, b]) => beta_lccdf(*y, *a, *b),
        _ => panic!("no cdf {name} of {} arguments", a.len()),
    }
}

/// The same script: student_t by quadrature of its density, beta by
/// `betainc`, binomial and neg_binomial_2 by summing the mass.
#[test]
fn cdfs_match_mpmath() {
    let cases: &[(&str, &[f64], f64)] = &[
        ("student_t_lcdf", &[1.3, 3.0, -0.4, 2.1], -0.27276936438373273997),
        ("student_t_lccdf", &[1.3, 3.0, -0.4, 2.1], -1.4324151317955374821),
        ("student_t_lcdf", &[-4.0, 2.5, 0.5, 0.8], -4.7216000147782376583),
        ("student_t_lccdf", &[-4.0, 2.5, 0.5, 0.8], -0.0089407754177227783589),
        ("student_t_lcdf", &[60.0, 1.5, 0.0, 1.0], -0.00081150638896605950948),
        ("student_t_lccdf", &[60.0, 1.5, 0.0, 1.0], -7.1170240237630988261),
        ("student_t_lcdf", &[0.1, 30.0, 0.0, 1.0], -0.61712140237762942517),
        ("student_t_lccdf", &[0.1, 30.0, 0.0, 1.0], -0.77543198708686676884),
        ("student_t_lcdf", &[-0.3, 0.7, 0.2, 1.5], -0.90176370722978696416),
        ("student_t_lccdf", &[-0.3, 0.7, 0.2, 1.5], -0.52062888891727804851),
        ("beta_lcdf", &[0.3, 2.5, 1.7], -2.2360351674704280593),
        ("beta_lccdf", &[0.3, 2.5, 1.7], -0.11303593243539452015),
        ("beta_lcdf", &[0.001, 3.0, 2.0], -19.337721757217224624),
        ("beta_lccdf", &[0.001, 3.0, 2.0], -3.9970000079880047708e-9),
        ("beta_lcdf", &[0.995, 0.5, 4.0], -1.7124130633425583429e-10),
        ("beta_lccdf", &[0.995, 0.5, 4.0], -22.487947406091820488),
        ("beta_lcdf", &[0.4, 150.0, 200.0], -1.9674756451202528078),
        ("beta_lccdf", &[0.4, 150.0, 200.0], -0.15060121607326973312),
    ];
    for (name, args, want) in cases {
        assert_close(continuous(name, args), *want, 1e-12, &format!("{name}{args:?}"));
    }
    let binomials: &[(i64, i64, f64, f64, f64)] = &[
        (3, 10, 0.4, -0.96160038086979543955, -0.48172097253184517451),
        (0, 20, 0.3, -7.133498878774647261, -0.00079824117270619123282),
        (18, 20, 0.2, -8.4934656000036157955e-13, -27.794309094009567685),
        (45, 100, 0.5, -1.6922717982304916932, -0.20346447167834082096),
    ];
    for (n, trials, theta, lo, hi) in binomials {
        assert_close(binomial_lcdf(*n, *trials, *theta), *lo, 1e-12, &format!("binomial_lcdf({n} | {trials}, {theta})"));
        assert_close(binomial_lccdf(*n, *trials, *theta), *hi, 1e-12, &format!("binomial_lccdf({n} | {trials}, {theta})"));
    }
    let nb: &[(i64, f64, f64, f64, f64)] = &[
        (3, 2.5, 1.7, -0.30735373886881681838, -1.3294998175140594165),
        (0, 10.0, 0.5, -1.5222612188617114983, -0.2461792092772735961),
        (40, 5.0, 20.0, -7.297942644534714879e-16, -34.853769008987579617),
        (7, 7.0, 300.0, -0.51296049854401754976, -0.91309694112723554491),
    ];
    for (n, mu, phi, lo, hi) in nb {
        assert_close(neg_binomial_2_lcdf(*n, *mu, *phi), *lo, 1e-12, &format!("neg_binomial_2_lcdf({n} | {mu}, {phi})"));
        assert_close(neg_binomial_2_lccdf(*n, *mu, *phi), *hi, 1e-12, &format!("neg_binomial_2_lccdf({n} | {mu}, {phi})"));
    }
}

/// exp(lcdf) + exp(lccdf) = 1 and ∂y lcdf = e^{lpdf - lcdf} at random
/// points; the discrete cdfs are sums of the mass, and their parameter
/// partials the sums of the mass's partials.
#[test]
fn tails_sum_to_one_and_match_the_density() {
    let mut rng = test_rng(5);
    for _ in 0..200 {
        let (nu, mu, s) = (unif(&mut rng, 0.3, 40.0), unif(&mut rng, -2.0, 2.0), unif(&mut rng, 0.2, 3.0));
        let y = unif(&mut rng, -8.0, 8.0);
        let (l, gl) = student_t_lcdf_grad(y, nu, mu, s);
        let u = student_t_lccdf(y, nu, mu, s);
        assert_close(l.exp() + u.exp(), 1.0, 1e-13, &format!("student_t tails at {y} {nu} {mu} {s}"));
        assert_close(gl[0], (student_t_lpdf(y, nu, mu, s) - l).exp(), 1e-12, "student_t density");
        let (a, b, p) = (unif(&mut rng, 0.2, 20.0), unif(&mut rng, 0.2, 20.0), unif(&mut rng, 0.01, 0.99));
        let (l, gl) = beta_lcdf_grad(p, a, b);
        assert_close(l.exp() + beta_lccdf(p, a, b).exp(), 1.0, 1e-13, &format!("beta tails at {p} {a} {b}"));
        assert_close(gl[0], (beta_lpdf(p, a, b) - l).exp(), 1e-12, "beta density");
        let trials = (unif(&mut rng, 1.0, 60.0)) as i64;
        let n = (unif(&mut rng, 0.0, trials as f64)) as i64;
        let theta = unif(&mut rng, 0.02, 0.98);
        let mass: f64 = (0..=n).map(|k| binomial_lpmf(k, trials, theta).exp()).sum();
        let dmass: f64 = (0..=n).map(|k| binomial_lpmf_grad(k, trials, theta).0.exp() * binomial_lpmf_grad(k, trials, theta).1[0]).sum();
        let (l, g) = binomial_lcdf_grad(n, trials, theta);
        assert_close(l.exp(), mass, 1e-12, &format!("binomial cdf ({n} | {trials}, {theta})"));
        assert_close(g[0], dmass / mass, 1e-9, &format!("binomial ∂θ ({n} | {trials}, {theta})"));
        assert_close(l.exp() + binomial_lccdf(n, trials, theta).exp(), 1.0, 1e-13, "binomial tails");
        let (m, phi) = (unif(&mut rng, 0.1, 30.0), unif(&mut rng, 0.1, 50.0));
        let n = (unif(&mut rng, 0.0, 60.0)) as i64;
        let mass: f64 = (0..=n).map(|k| neg_binomial_2_lpmf(k, m, phi).exp()).sum();
        let (l, g) = neg_binomial_2_lcdf_grad(n, m, phi);
        assert_close(l.exp(), mass, 1e-11, &format!("neg_binomial_2 cdf ({n} | {m}, {phi})"));
        for k in 0..2 {
            let dmass: f64 = (0..=n).map(|j| {
                let (v, d) = neg_binomial_2_lpmf_grad(j, m, phi);
                v.exp() * d[k]
            }).sum();
            assert_close(g[k], dmass / mass, 1e-8, &format!("neg_binomial_2 partial {k} ({n} | {m}, {phi})"));
        }
        assert_close(l.exp() + neg_binomial_2_lccdf(n, m, phi).exp(), 1.0, 1e-13, "neg_binomial_2 tails");
    }
}

/// Beyond the support and at invalid parameters.
#[test]
fn outside_the_support_and_invalid_parameters() {
    assert_eq!(beta_lcdf_grad(0.0, 2.0, 3.0), (f64::NEG_INFINITY, [0.0; 3]));
    assert_eq!(beta_lccdf_grad(1.0, 2.0, 3.0), (f64::NEG_INFINITY, [0.0; 3]));
    assert_eq!(beta_lcdf(0.5, -2.0, 3.0), f64::NEG_INFINITY);
    assert_eq!(student_t_lcdf(f64::INFINITY, 3.0, 0.0, 1.0), 0.0);
    assert_eq!(student_t_lcdf(0.0, 3.0, 0.0, 1.0), -std::f64::consts::LN_2);
    assert_eq!(binomial_lcdf_grad(-1, 5, 0.3), (f64::NEG_INFINITY, [0.0]));
    assert_eq!(binomial_lcdf_grad(5, 5, 0.3), (0.0, [0.0]));
    assert_eq!(binomial_lccdf(5, 5, 0.3), f64::NEG_INFINITY);
    assert_eq!(binomial_lcdf(2, 5, 1.5), f64::NEG_INFINITY);
    assert_eq!(neg_binomial_2_lccdf(-1, 2.0, 3.0), 0.0);
    assert_eq!(neg_binomial_2_lcdf(1, 0.0, 3.0), f64::NEG_INFINITY);
}
