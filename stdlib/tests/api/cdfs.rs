//! Log cdfs and ccdfs (`_lcdf`, `_lccdf`) and the incomplete gamma
//! functions: values against mpmath, the two tails summing to one, and
//! ∂y lcdf = density / cdf (the cdf's derivative is the density).
#![allow(clippy::excessive_precision)] // reference values keep their mpmath digits
use crate::common;
use common::*;
use hbmc_stdlib::dist::*;
use hbmc_stdlib::special::{gamma_p, gamma_q, log_phi, log_phi_d1};

/// The continuous cdfs by name, on (y, params...).
fn continuous(name: &str, a: &[f64]) -> f64 {
    match (name, a) {
        ("normal_lcdf", [y, m, s]) => normal_lcdf(*y, *m, *s),
        ("normal_lccdf", [y, m, s]) => normal_lccdf(*y, *m, *s),
        ("cauchy_lcdf", [y, m, s]) => cauchy_lcdf(*y, *m, *s),
        ("cauchy_lccdf", [y, m, s]) => cauchy_lccdf(*y, *m, *s),
        ("logistic_lcdf", [y, m, s]) => logistic_lcdf(*y, *m, *s),
        ("logistic_lccdf", [y, m, s]) => logistic_lccdf(*y, *m, *s),
        ("double_exponential_lcdf", [y, m, s]) => double_exponential_lcdf(*y, *m, *s),
        ("double_exponential_lccdf", [y, m, s]) => double_exponential_lccdf(*y, *m, *s),
        ("lognormal_lcdf", [y, m, s]) => lognormal_lcdf(*y, *m, *s),
        ("lognormal_lccdf", [y, m, s]) => lognormal_lccdf(*y, *m, *s),
        ("exponential_lcdf", [y, b]) => exponential_lcdf(*y, *b),
        ("exponential_lccdf", [y, b]) => exponential_lccdf(*y, *b),
        ("weibull_lcdf", [y, a, s]) => weibull_lcdf(*y, *a, *s),
        ("weibull_lccdf", [y, a, s]) => weibull_lccdf(*y, *a, *s),
        ("uniform_lcdf", [y, a, b]) => uniform_lcdf(*y, *a, *b),
        ("uniform_lccdf", [y, a, b]) => uniform_lccdf(*y, *a, *b),
        ("gamma_lcdf", [y, a, b]) => gamma_lcdf(*y, *a, *b),
        ("gamma_lccdf", [y, a, b]) => gamma_lccdf(*y, *a, *b),
        ("inv_gamma_lcdf", [y, a, b]) => inv_gamma_lcdf(*y, *a, *b),
        ("inv_gamma_lccdf", [y, a, b]) => inv_gamma_lccdf(*y, *a, *b),
        _ => panic!("no cdf {name} of {} arguments", a.len()),
    }
}

/// Reference values: `python3 stdlib/tests/reference/cdf_ref.py` (mpmath 1.3.0 at 50
/// digits: `log(ncdf(z))`, `atan`, closed forms, `gammainc(..., regularized=True)`
/// and the Poisson sum), the script's output pasted.
#[test]
fn values_match_mpmath() {
    let cases: &[(&str, &[f64], f64)] = &[
        ("normal_lcdf", &[1.3, -0.4, 2.1], -0.23459253728852617319),
        ("normal_lcdf", &[-40.0, 0.0, 1.0], -804.60844201375378817),
        ("normal_lcdf", &[-25.0, 0.0, 1.0], -316.63940800802025894),
        ("normal_lcdf", &[-31.5, 0.5, 1.0], -516.38564862572537417),
        ("normal_lcdf", &[8.0, 0.0, 1.0], -6.2209605742717860585e-16),
        ("normal_lccdf", &[1.3, -0.4, 2.1], -1.5649094038864906351),
        ("normal_lccdf", &[35.0, 0.0, 1.0], -616.97510126192251347),
        ("normal_lccdf", &[-8.0, 0.0, 1.0], -6.2209605742717860585e-16),
        ("cauchy_lcdf", &[1.3, -0.4, 2.1], -0.33321426258961130393),
        ("cauchy_lccdf", &[1.3, -0.4, 2.1], -1.2609546463537511456),
        ("cauchy_lcdf", &[-1000000.0, 0.0, 1.0], -14.960240443814007612),
        ("cauchy_lccdf", &[-1000000.0, 0.0, 1.0], -3.1830993684428713989e-7),
        ("logistic_lcdf", &[1.3, -0.4, 2.1], -0.36815773135647198806),
        ("logistic_lccdf", &[1.3, -0.4, 2.1], -1.1776815408802815094),
        ("logistic_lcdf", &[-50.0, 0.0, 1.0], -50.0),
        ("logistic_lccdf", &[-50.0, 0.0, 1.0], -1.928749847963917783e-22),
        ("double_exponential_lcdf", &[1.3, -0.4, 2.1], -0.25171662233472543465),
        ("double_exponential_lccdf", &[1.3, -0.4, 2.1], -1.5026709900837548307),
        ("double_exponential_lcdf", &[-2.0, 0.5, 1.5], -2.3598138472266119761),
        ("double_exponential_lccdf", &[-2.0, 0.5, 1.5], -0.099199314253794358221),
        ("lognormal_lcdf", &[1.3, -0.4, 2.1], -0.47196490730853107896),
        ("lognormal_lccdf", &[1.3, -0.4, 2.1], -0.9775689801256313507),
        ("lognormal_lcdf", &[0.01, 0.5, 0.3], -148.54971472306670796),
        ("lognormal_lccdf", &[0.01, 0.5, 0.3], 0.0),
        ("exponential_lcdf", &[1.3, 2.5], -0.039545942179498937314),
        ("exponential_lccdf", &[1.3, 2.5], -3.250000000000000111),
        ("exponential_lcdf", &[1e-05, 0.7], -11.869603908906919114),
        ("exponential_lccdf", &[1e-05, 0.7], -7.0000000000000001285e-6),
        ("weibull_lcdf", &[1.3, 1.7, 2.1], -1.0283872320892081555),
        ("weibull_lccdf", &[1.3, 1.7, 2.1], -0.44251795616866973858),
        ("weibull_lcdf", &[0.2, 3.0, 0.5], -2.780701534780841874),
        ("weibull_lccdf", &[0.2, 3.0, 0.5], -0.064000000000000010658),
        ("uniform_lcdf", &[0.3, -1.0, 2.0], -0.8362480242006186479),
        ("uniform_lccdf", &[0.3, -1.0, 2.0], -0.56798403760593928863),
        ("gamma_lcdf", &[1.3, 2.5, 1.7], -0.67463554049814594911),
        ("gamma_lccdf", &[1.3, 2.5, 1.7], -0.71200797501863667822),
        ("gamma_lcdf", &[0.05, 3.0, 2.0], -8.7743262060417624555),
        ("gamma_lccdf", &[0.05, 3.0, 2.0], -0.00015466503028386117531),
        ("gamma_lcdf", &[12.0, 2.0, 1.5], -2.8936965701693510295e-7),
        ("gamma_lccdf", &[12.0, 2.0, 1.5], -15.05556102083355954),
        ("gamma_lcdf", &[40.0, 30.0, 1.0], -0.044190873400369427876),
        ("gamma_lccdf", &[40.0, 30.0, 1.0], -3.141251065344277528),
        ("inv_gamma_lcdf", &[1.3, 2.5, 1.7], -0.2757187208577231),
        ("inv_gamma_lccdf", &[1.3, 2.5, 1.7], -1.4230678910442119021),
        ("inv_gamma_lcdf", &[0.05, 3.0, 2.0], -33.265408340027049833),
        ("inv_gamma_lccdf", &[0.05, 3.0, 2.0], -3.5728659287002402744e-15),
        ("inv_gamma_lcdf", &[12.0, 2.0, 1.5], -0.0072169643436165454612),
        ("inv_gamma_lccdf", &[12.0, 2.0, 1.5], -4.9349271774965088448),
    ];
    for (name, args, want) in cases {
        assert_close(continuous(name, args), *want, 1e-13, &format!("{name}{args:?}"));
    }
    let counts: &[(&str, (i64, f64), f64)] = &[
        ("poisson_lcdf", (3, 2.5), -0.27763124086275529098),
        ("poisson_lccdf", (3, 2.5), -1.4170675689617413788),
        ("poisson_lcdf", (0, 100.0), -100.0),
        ("poisson_lccdf", (0, 100.0), -3.720075935215333609e-44),
        ("poisson_lcdf", (150, 5.0), 0.0),
        ("poisson_lccdf", (150, 5.0), -371.97882052941358416),
        ("poisson_lcdf", (40, 40.0), -0.61264025136920898323),
        ("poisson_lccdf", (40, 40.0), -0.78070746096048237753),
    ];
    for (name, (n, l), want) in counts {
        let got = if *name == "poisson_lcdf" { poisson_lcdf(*n, *l) } else { poisson_lccdf(*n, *l) };
        assert_close(got, *want, 1e-12, &format!("{name}({n}, {l})"));
    }
    let gammas: &[(&str, (f64, f64), f64)] = &[
        ("gamma_p", (0.5, 0.3), 0.56142197391900013648),
        ("gamma_q", (0.5, 0.3), 0.43857802608099986352),
        ("gamma_p", (3.0, 7.5), 0.97974328494333559502),
        ("gamma_q", (3.0, 7.5), 0.020256715056664404981),
        ("gamma_p", (20.0, 19.0), 0.43939261060849158509),
        ("gamma_q", (20.0, 19.0), 0.56060738939150841491),
        ("gamma_p", (1000.0, 1100.0), 0.99894067674607002265),
        ("gamma_q", (1000.0, 1100.0), 0.0010593232539299773489),
        ("gamma_p", (2.5, 0.001), 9.5085345986079498136e-9),
        ("gamma_q", (2.5, 0.001), 0.99999999049146540139),
    ];
    for (name, (a, x), want) in gammas {
        let got = if *name == "gamma_p" { gamma_p(*a, *x) } else { gamma_q(*a, *x) };
        assert_close(got, *want, 1e-12, &format!("{name}({a}, {x})"));
    }
}

/// ln Φ is continuous where it switches to the asymptotic series (z = -30)
/// and its derivative is the ratio density / cdf on both sides.
#[test]
fn log_phi_joins_its_tail_series() {
    // Across the switch the difference quotient is the derivative: no jump.
    let h = 1e-6;
    let slope = (log_phi(-30.0 + h) - log_phi(-30.0 - h)) / (2.0 * h);
    assert_close(slope, log_phi_d1(-30.0), 1e-7, "ln Φ across -30");
    for z in [-45.0, -30.5, -29.5, -3.0, 0.0, 4.0] {
        let ratio = (-0.5 * z * z - hbmc_stdlib::special::HALF_LN_2PI - log_phi(z)).exp();
        assert_close(log_phi_d1(z), ratio, 1e-12, &format!("d ln Φ at {z}"));
    }
}

/// exp(lcdf) + exp(lccdf) = 1, and ∂y lcdf = e^{lpdf - lcdf}, at random points.
#[test]
fn tails_sum_to_one_and_the_cdf_derivative_is_the_density() {
    let mut rng = test_rng(11);
    for _ in 0..200 {
        let y = unif(&mut rng, 0.05, 6.0);
        let (m, s) = (unif(&mut rng, -2.0, 2.0), unif(&mut rng, 0.3, 3.0));
        let families: [(&str, Vec<f64>, f64); 10] = [
            ("normal", vec![y - 3.0, m, s], normal_lpdf(y - 3.0, m, s)),
            ("cauchy", vec![y - 3.0, m, s], cauchy_lpdf(y - 3.0, m, s)),
            ("logistic", vec![y - 3.0, m, s], logistic_lpdf(y - 3.0, m, s)),
            ("double_exponential", vec![y - 3.0, m, s], double_exponential_lpdf(y - 3.0, m, s)),
            ("lognormal", vec![y, m, s], lognormal_lpdf(y, m, s)),
            ("exponential", vec![y, s], exponential_lpdf(y, s)),
            ("weibull", vec![y, s, m + 2.5], weibull_lpdf(y, s, m + 2.5)),
            ("uniform", vec![y, -0.5, 6.5], uniform_lpdf(y, -0.5, 6.5)),
            ("gamma", vec![y, s + 0.5, m + 2.5], gamma_lpdf(y, s + 0.5, m + 2.5)),
            ("inv_gamma", vec![y, s + 0.5, m + 2.5], inv_gamma_lpdf(y, s + 0.5, m + 2.5)),
        ];
        for (name, args, lpdf) in families {
            let lcdf = continuous(&format!("{name}_lcdf"), &args);
            let lccdf = continuous(&format!("{name}_lccdf"), &args);
            assert_close(lcdf.exp() + lccdf.exp(), 1.0, 1e-13, &format!("{name} tails at {args:?}"));
            let dy = match name {
                "normal" => normal_lcdf_grad(args[0], args[1], args[2]).1[0],
                "cauchy" => cauchy_lcdf_grad(args[0], args[1], args[2]).1[0],
                "logistic" => logistic_lcdf_grad(args[0], args[1], args[2]).1[0],
                "double_exponential" => double_exponential_lcdf_grad(args[0], args[1], args[2]).1[0],
                "lognormal" => lognormal_lcdf_grad(args[0], args[1], args[2]).1[0],
                "exponential" => exponential_lcdf_grad(args[0], args[1]).1[0],
                "weibull" => weibull_lcdf_grad(args[0], args[1], args[2]).1[0],
                "gamma" => gamma_lcdf_grad(args[0], args[1], args[2]).1[0],
                "inv_gamma" => inv_gamma_lcdf_grad(args[0], args[1], args[2]).1[0],
                _ => uniform_lcdf_grad(args[0], args[1], args[2]).1[0],
            };
            assert_close(dy, (lpdf - lcdf).exp(), 1e-12, &format!("{name} density at {args:?}"));
        }
        let (n, lambda) = ((y * 5.0) as i64, s * 4.0);
        assert_close(poisson_lcdf(n, lambda).exp() + poisson_lccdf(n, lambda).exp(), 1.0, 1e-13, "poisson tails");
        let mass: f64 = (0..=n).map(|k| poisson_lpmf(k, lambda).exp()).sum();
        assert_close(poisson_lcdf(n, lambda).exp(), mass, 1e-13, "poisson cdf = sum of the mass");
    }
}

/// Beyond the support: lcdf -inf below and 0 above, the lccdf the reverse,
/// with zero partials; invalid parameters reject.
#[test]
fn outside_the_support_and_invalid_parameters() {
    assert_eq!(exponential_lcdf_grad(-1.0, 2.0), (f64::NEG_INFINITY, [0.0; 2]));
    assert_eq!(exponential_lccdf_grad(-1.0, 2.0), (0.0, [0.0; 2]));
    assert_eq!(uniform_lcdf_grad(3.0, 0.0, 1.0), (0.0, [0.0; 3]));
    assert_eq!(uniform_lccdf_grad(3.0, 0.0, 1.0), (f64::NEG_INFINITY, [0.0; 3]));
    assert_eq!(lognormal_lccdf_grad(0.0, 0.0, 1.0), (0.0, [0.0; 3]));
    assert_eq!(poisson_lcdf_grad(-1, 3.0), (f64::NEG_INFINITY, [0.0]));
    assert_eq!(poisson_lccdf_grad(-1, 3.0), (0.0, [0.0]));
    assert_eq!(normal_lcdf(f64::INFINITY, 0.0, 1.0), 0.0);
    assert_eq!(normal_lccdf(f64::INFINITY, 0.0, 1.0), f64::NEG_INFINITY);
    assert_eq!(normal_lcdf_grad(0.5, 0.0, -1.0), (f64::NEG_INFINITY, [0.0; 3]));
    assert_eq!(weibull_lcdf(1.0, 0.0, 1.0), f64::NEG_INFINITY);
    assert_eq!(gamma_lcdf_grad(0.0, 2.0, 1.0), (f64::NEG_INFINITY, [0.0; 3]));
    assert_eq!(gamma_lccdf_grad(-1.0, 2.0, 1.0), (0.0, [0.0; 3]));
    assert_eq!(inv_gamma_lcdf_grad(0.0, 2.0, 1.0), (f64::NEG_INFINITY, [0.0; 3]));
    assert_eq!(inv_gamma_lccdf(f64::INFINITY, 2.0, 1.0), f64::NEG_INFINITY);
    assert_eq!(gamma_lcdf(1.0, -1.0, 1.0), f64::NEG_INFINITY);
}

/// The shape partial of a gamma tail far out (ln Q < -5, where the
/// quadrature replaces the series for ∂P/∂a) against mpmath's numerical
/// derivative `diff(lambda a: log(gammainc(a, x, inf, regularized=True)), a)`.
#[test]
fn far_gamma_tail_shape_partial_matches_mpmath() {
    // gamma_lccdf(12 | 2, 1.5): x = 18, ln Q(2, 18) = -15.06.
    assert_close(gamma_lccdf_grad(12.0, 2.0, 1.5).1[1], 2.5229961040820462406, 1e-10, "∂α gamma_lccdf far tail");
    // gamma_lcdf there: ∂α ln P(2, 18).
    assert_close(gamma_lcdf_grad(12.0, 2.0, 1.5).1[1], -7.300786229245804804e-7, 1e-8, "∂α gamma_lcdf near 1");
    // inv_gamma_lcdf(0.05 | 3, 2) is ln Q(3, 40) = -33.27.
    assert_close(inv_gamma_lcdf_grad(0.05, 3.0, 2.0).1[1], 2.7916889407932095066, 1e-10, "∂α inv_gamma_lcdf far tail");
}
