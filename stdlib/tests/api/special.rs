//! Special functions against high-precision reference values (mpmath at 50
//! digits, evaluated at the exact binary value of each f64 argument).
#![allow(clippy::excessive_precision)] // reference values keep their mpmath digits
use crate::common;
use common::assert_close;
use hbmc_stdlib::special::*;

#[test]
fn lgamma_reference_values() {
    let cases: &[(f64, f64)] = &[
        (0.5, 0.5723649429247000871),
        (1.0, 0.0),
        (2.0, 0.0),
        (1.0001, -0.00005771334222047126801),
        (0.9999, 0.00005772979156119386281),
        (1.9999, -0.00004227520877215345801),
        (2.0001, 0.00004228165811291994632),
        (1.5, -0.1207822376352452223),
        (2.5, 0.2846828704729191596),
        (3.0, std::f64::consts::LN_2),
        (7.3, 7.147892523022248692),
        (10.0, 12.80182748008146961),
        (12.5, 18.7343475119364457),
        (100.0, 359.1342053695753988),
        (1e-5, 11.51291969289582563),
        (1e-300, 690.7755278982137052),
        (0.1, 2.252712651734205902),
        (1e5, 1051287.708973656895),
        (1e15, 33538776394910668.91),
        (-0.5, 1.265512123484645396),
        (-1.5, 0.8600470153764810145),
        (-2.3, 0.3695666634550080375),
        (-10.7, -15.41678909641663612),
        (1.4616321449683623, -0.1214862905358496081),
        (4.5, 2.453736570842442221),
        (9.99, 12.77931521435019336),
    ];
    for &(x, r) in cases {
        if r == 0.0 {
            assert_eq!(lgamma(x), 0.0, "lgamma({x})");
        } else {
            assert_close(lgamma(x), r, 1e-14, &format!("lgamma({x})"));
        }
    }
    assert_eq!(lgamma(0.0), f64::INFINITY);
    assert_eq!(lgamma(-3.0), f64::INFINITY);
    assert!(lgamma(f64::NAN).is_nan());
    // ln Γ(x+1) = ln Γ(x) + ln x across every region boundary
    for &x in &[0.3, 0.5, 0.7, 1.2, 1.5, 2.2, 2.5, 3.3, 9.5, 10.0, 15.0] {
        assert_close(lgamma(x + 1.0), lgamma(x) + f64::ln(x), 2e-14, "recurrence");
    }
}

#[test]
fn digamma_trigamma_reference_values() {
    let d: &[(f64, f64)] = &[
        (0.5, -1.963510026021423479),
        (1.0, -0.5772156649015328606),
        (1.5, 0.03648997397857652056),
        (2.0, 0.4227843350984671394),
        (3.7, 1.167153539361511386),
        (10.0, 2.251752589066721108),
        (25.5, 3.218942472883919767),
        (1e-3, -1000.5755719318103),
        (100.0, 4.6001618527380874),
        (-0.5, 0.03648997397857652056),
        (-2.3, 3.317323157561820123),
        (1e6, 13.81551005796419077),
    ];
    for &(x, r) in d {
        // absolute accuracy near the root at 1.4616 is what matters for gradients
        assert!(
            (digamma(x) - r).abs() <= 1e-14 * r.abs().max(1.0),
            "digamma({x}) = {} vs {r}",
            digamma(x)
        );
    }
    let t: &[(f64, f64)] = &[
        (0.5, 4.934802200544679309),
        (1.0, 1.644934066848226436),
        (2.5, 0.490357756100234865),
        (10.0, 0.1051663356816857461),
        (30.0, 0.03389506035773994421),
        (1e-3, 1000001.642533195869),
        (-0.5, 8.934802200544679309),
    ];
    for &(x, r) in t {
        assert_close(trigamma(x), r, 1e-13, &format!("trigamma({x})"));
    }
}

#[test]
fn erf_phi_reference_values() {
    let e: &[(f64, f64)] = &[
        (-3.0, 1.999977909503001415),
        (-1.0, 1.842700792949714869),
        (0.0, 1.0),
        (0.1, 0.8875370839817151016),
        (0.5, 0.4795001221869534623),
        (1.0, 0.1572992070502851307),
        (2.0, 0.004677734981047265838),
        (3.0, 0.00002209049699858544137),
        (5.0, 1.53745979442803485e-12),
        (10.0, 2.088487583762544757e-45),
        (20.0, 5.395865611607900929e-176),
        (26.0, 5.663192408856142846e-296),
    ];
    for &(x, r) in e {
        assert_close(erfc(x), r, 1e-14, &format!("erfc({x})"));
        assert_close(erf(x), 1.0 - r, 1e-14, &format!("erf({x})"));
    }
    let p: &[(f64, f64)] = &[
        (-37.0, 5.725571222524576823e-300),
        (-20.0, 2.753624118606233695e-89),
        (-10.0, 7.619853024160526066e-24),
        (-5.0, 2.866515718791939117e-7),
        (-1.0, 0.1586552539314570514),
        (-0.1, 0.4601721627229710163),
        (0.0, 0.5),
        (0.5, 0.6914624612740131036),
        (1.96, 0.9750021048517795638),
        (5.0, 0.9999997133484281208),
        (8.0, 0.9999999999999993779),
    ];
    for &(x, r) in p {
        // x/√2 rounds; the relative error in the far tail grows like x² ε.
        assert_close(phi(x), r, 1e-13, &format!("Phi({x})"));
    }
    assert_eq!(phi(-40.0), 0.0);
    assert_eq!(phi(40.0), 1.0);
}

#[test]
fn inv_phi_reference_values() {
    let q: &[(f64, f64)] = &[
        (1e-300, -37.04709629936119924),
        (1e-100, -21.2734535609653243),
        (1e-20, -9.26234008979840758),
        (1e-5, -4.26489079392282461),
        (0.02425, -1.972961051311884838),
        (0.1, -1.281551565544600435),
        (0.7, 0.5244005127080406563),
        (0.975, 1.959963984540053856),
        (0.999999, 4.753424308817087766),
    ];
    for &(p, r) in q {
        assert_close(inv_phi(p), r, 1e-12, &format!("inv_Phi({p})"));
    }
    assert_eq!(inv_phi(0.5), 0.0);
    assert_eq!(inv_phi(0.0), f64::NEG_INFINITY);
    assert_eq!(inv_phi(1.0), f64::INFINITY);
    assert!(inv_phi(1.5).is_nan());
}

#[test]
fn lbeta_reference_values() {
    let b: &[(f64, f64, f64)] = &[
        (0.5, 0.5, 1.144729885849400174),
        (2.0, 3.0, -2.48490664978800031),
        (1e-3, 1e3, 6.900271629687954954),
        (15.0, 20.0, -24.04972217225950327),
        (1e5, 1e5, -138633.9270613480624),
        (3.0, 1e6, -40.75338749333037701),
        (1e10, 2e10, -19095425059.23563893),
        (0.1, 50.0, 1.862412745670004624),
    ];
    for &(x, y, r) in b {
        assert_close(lbeta(x, y), r, 1e-13, &format!("lbeta({x}, {y})"));
        assert_close(lbeta(y, x), r, 1e-13, "lbeta symmetric");
    }
    assert_eq!(lbeta(1.0, 1.0), 0.0);
    // lchoose(n, k) = ln C(n, k) exactly for integers
    assert_close(lchoose(10.0, 3.0), 120f64.ln(), 1e-14, "lchoose(10,3)");
    assert_close(
        lchoose(50.0, 25.0),
        126410606437752f64.ln(),
        1e-14,
        "lchoose(50,25)",
    );
}

#[test]
fn log_exp_helpers_at_extremes() {
    assert_eq!(log1p_exp(800.0), 800.0);
    assert_eq!(log1p_exp(-800.0), 0.0); // e^-800 underflows; no NaN, no -inf
    assert_close(log1p_exp(-30.0), (-30f64).exp(), 1e-15, "log1p_exp(-30)");
    assert_close(log1p_exp(0.0), std::f64::consts::LN_2, 1e-16, "softplus(0)");
    assert_close(log1m_exp(-1e-20), (1e-20f64).ln(), 1e-15, "log1m_exp tiny");
    assert_close(log1m_exp(-50.0), -(-50f64).exp(), 1e-15, "log1m_exp large");
    assert!(log1m_exp(1.0).is_nan());
    assert_eq!(log1m_exp(0.0), f64::NEG_INFINITY);
    assert_eq!(log_sum_exp(1000.0, 1000.0), 1000.0 + std::f64::consts::LN_2);
    assert_eq!(log_sum_exp(f64::NEG_INFINITY, 3.0), 3.0);
    assert_eq!(log_sum_exp_slice(&[]), f64::NEG_INFINITY);
    assert_close(
        log_sum_exp_slice(&[1.0, 2.0, 3.0]),
        3.40760596444438030,
        1e-15,
        "lse",
    );
    assert_close(
        log_diff_exp(0.0, -1e-10),
        (1e-10f64).ln(),
        1e-9,
        "log_diff_exp",
    );
    assert!(log_diff_exp(0.0, 1.0).is_nan());
    assert_eq!(inv_logit(800.0), 1.0);
    assert_eq!(inv_logit(-800.0), 0.0);
    assert_close(inv_logit(-40.0), (-40f64).exp(), 1e-14, "inv_logit tail");
    assert_close(logit(0.25), -(3f64).ln(), 1e-15, "logit");
    assert_close(log_inv_logit(-800.0), -800.0, 1e-16, "log_inv_logit");
    assert_close(log1m_inv_logit(800.0), -800.0, 1e-16, "log1m_inv_logit");
    assert_close(
        log_mix(0.3, -1.0, -2.0),
        (0.3 * (-1f64).exp() + 0.7 * (-2f64).exp()).ln(),
        1e-15,
        "log_mix",
    );
    assert_close(
        lmgamma(3, 2.5),
        1.5 * 1.1447298858494002 + lgamma(2.5) + lgamma(2.0) + lgamma(1.5),
        1e-14,
        "lmgamma",
    );
}

/// `log1p_exp_grad` (value and slope from one `exp`) gives the same bits
/// as `log1p_exp` and `inv_logit` taken apart, tails included.
#[test]
fn log1p_exp_grad_is_log1p_exp_and_inv_logit() {
    use hbmc_stdlib::special::{inv_logit, log1p_exp, log1p_exp_grad};
    for &x in &[-800.0, -40.0, -1.5, -1e-300, 0.0, 1e-300, 0.3, 2.0, 36.0, 800.0, f64::INFINITY, f64::NEG_INFINITY] {
        let (v, d) = log1p_exp_grad(x);
        assert_eq!(v.to_bits(), log1p_exp(x).to_bits(), "log1p_exp({x})");
        assert_eq!(d.to_bits(), inv_logit(x).to_bits(), "inv_logit({x})");
    }
    let (v, d) = log1p_exp_grad(f64::NAN);
    assert!(v.is_nan() && d.is_nan());
}

/// `inv_logit_grad` (value and slope from one `exp`) gives the same bits
/// as `inv_logit` and `inv_logit_d1` taken apart, tails included.
#[test]
fn inv_logit_grad_is_inv_logit_and_its_derivative() {
    for &x in &[-800.0, -40.0, -1.5, -1e-300, -0.0, 0.0, 1e-300, 0.3, 2.0, 36.0, 800.0, f64::INFINITY, f64::NEG_INFINITY] {
        let (v, d) = inv_logit_grad(x);
        assert_eq!(v.to_bits(), inv_logit(x).to_bits(), "inv_logit({x})");
        assert_eq!(d.to_bits(), inv_logit_d1(x).to_bits(), "inv_logit_d1({x})");
    }
    let (v, d) = inv_logit_grad(f64::NAN);
    assert!(v.is_nan() && d.is_nan());
}

/// Both real branches of the Lambert W function against mpmath's
/// `lambertw(x)` and `lambertw(x, -1)`. Near the branch point -1/e the
/// value is fixed only to about 1e-8 by a double `x` (e x + 1 keeps no more
/// digits), so it is checked that far.
#[test]
fn lambert_w_matches_mpmath() {
    let w0: &[(f64, f64)] = &[
        (-0.36, -0.80608431597081777829),
        (-0.3, -0.48940222718021496904),
        (-0.1, -0.11183255915896296483),
        (1e-10, 9.9999999990000000001e-11),
        (0.5, 0.35173371124919582602),
        (1.0, 0.567143290409783873),
        (10.0, 1.7455280027406993831),
        (1e6, 11.383358086140052622),
        (1e300, 684.24720862976084924),
    ];
    for &(x, r) in w0 {
        assert_close(lambert_w0(x), r, 1e-14, &format!("lambert_w0({x})"));
    }
    let wm1: &[(f64, f64)] = &[
        (-0.36, -1.2227701339785059531),
        (-0.3, -1.781337023421627612),
        (-0.1, -3.5771520639572972184),
        (-1e-5, -14.163600815810183009),
        (-1e-300, -697.322776295460161),
    ];
    for &(x, r) in wm1 {
        assert_close(lambert_wm1(x), r, 1e-14, &format!("lambert_wm1({x})"));
    }
    let near = -0.3678794411714423;
    assert_close(lambert_w0(near), -0.99999998916462096496, 1e-8, "lambert_w0 near -1/e");
    assert_close(lambert_wm1(near), -1.0000000108353791133, 1e-8, "lambert_wm1 near -1/e");
    assert_eq!(lambert_w0(0.0), 0.0);
    assert_eq!(lambert_wm1(0.0), f64::NEG_INFINITY);
    assert!(lambert_w0(-0.4).is_nan() && lambert_wm1(-0.4).is_nan() && lambert_wm1(0.1).is_nan());
}
