//! Stan's five- and seven-argument Wiener densities against independent
//! computations: at sv = 0 the four-argument density; sv's closed form
//! against a numerical integral of the four-argument density over a
//! normal drift; sw and st0 against numerical averages (tanh–sinh, the
//! test helpers' quadrature, not the library's Gauss–Legendre panels) of
//! the five-argument density over the start point and the non-decision
//! time; the partials against finite differences; invalid arguments.
use crate::common;
use common::*;
use hbmc_stdlib::dist::{
    wiener_full_domain_error, wiener_full_lpdf, wiener_full_lpdf_grad, wiener_lpdf, wiener_lpdf_grad, wiener_sv_lpdf,
    wiener_sv_lpdf_grad,
};

/// (y, a, t0, w, v): short and long responses, both series of the
/// standard density, drifts of either sign.
const POINTS: [[f64; 5]; 5] = [[1.1, 2.1, 0.3, 0.55, 0.4], [0.45, 0.9, 0.2, 0.3, -1.2], [3.0, 1.4, 0.1, 0.8, 0.7], [0.42, 1.0, 0.3, 0.5, 0.0], [0.9, 1.6, 0.25, 0.4, 1.5]];

#[test]
fn five_arguments_at_sv_0_are_the_four_argument_density() {
    for [y, a, t0, w, v] in POINTS {
        let (v4, g4) = wiener_lpdf_grad(y, a, t0, w, v);
        let (v5, g5) = wiener_sv_lpdf_grad(y, a, t0, w, v, 0.0);
        assert_close(v5, v4, 1e-13, "value");
        for k in 0..5 {
            assert_close(g5[k], g4[k], 1e-11, &format!("partial {k} at {:?}", [y, a, t0, w, v]));
        }
        // ∂/∂sv at sv = 0 is 0: the density is even in sv.
        assert_eq!(g5[5], 0.0);
    }
}

#[test]
fn sv_closed_form_is_the_integral_over_a_normal_drift() {
    for [y, a, t0, w, v] in POINTS {
        for sv in [0.3, 1.0, 2.5] {
            let normal = |nu: f64| (-(nu - v) * (nu - v) / (2.0 * sv * sv)).exp() / (sv * (2.0 * std::f64::consts::PI).sqrt());
            // Fine steps: the product is a bump far narrower than the range.
            let mixed = integrate_step(|nu| wiener_lpdf(y, a, t0, w, nu).exp() * normal(nu), v - 14.0 * sv, v + 14.0 * sv, 1.0 / 512.0);
            assert_close(wiener_sv_lpdf(y, a, t0, w, v, sv), mixed.ln(), 1e-9, &format!("sv {sv} at {:?}", [y, a, t0, w, v]));
        }
    }
}

#[test]
fn seven_arguments_at_sw_and_st0_0_are_the_five_argument_density() {
    for [y, a, t0, w, v] in POINTS {
        let (v5, g5) = wiener_sv_lpdf_grad(y, a, t0, w, v, 0.7);
        let (v7, g7) = wiener_full_lpdf_grad(y, a, t0, w, v, 0.7, 0.0, 0.0);
        assert_eq!(v7, v5);
        assert_eq!(&g7[..6], &g5[..]);
        // The one-sided limits: 0 for sw, -½ ∂/∂y for st0.
        assert_eq!(g7[6], 0.0);
        assert_close(g7[7], -0.5 * g5[0], 1e-14, "∂st0 at 0");
    }
}

#[test]
fn sw_averages_the_start_point() {
    for [y, a, t0, w, v] in POINTS {
        for (sv, sw) in [(0.0, 0.2f64), (0.8, 0.5)] {
            let sw = sw.min(1.8 * w.min(1.0 - w));
            let avg = integrate(|om| wiener_sv_lpdf(y, a, t0, om, v, sv).exp(), w - sw / 2.0, w + sw / 2.0) / sw;
            let got = wiener_full_lpdf(y, a, t0, w, v, sv, sw, 0.0);
            assert_close(got, avg.ln(), 1e-9, &format!("sw {sw} at {:?}", [y, a, t0, w, v, sv]));
        }
    }
}

#[test]
fn st0_averages_the_non_decision_time() {
    for [y, a, t0, w, v] in POINTS {
        // A window inside the response time, and one reaching past it,
        // where only the part before the response counts.
        for st0 in [0.1, 0.3, 2.0 * (y - t0)] {
            let avg = integrate(|s| if s < y - t0 { wiener_sv_lpdf(y - s, a, t0, w, v, 0.5).exp() } else { 0.0 }, 0.0, st0.min(y - t0)) / st0;
            let got = wiener_full_lpdf(y, a, t0, w, v, 0.5, 0.0, st0);
            assert_close(got, avg.ln(), 1e-9, &format!("st0 {st0} at {:?}", [y, a, t0, w, v]));
        }
    }
}

#[test]
fn all_three_variabilities_at_once() {
    let [y, a, t0, w, v] = [0.8, 1.3, 0.2, 0.45, 0.9];
    let (sv, sw, st0) = (0.6, 0.3, 0.25);
    let inner = |s: f64| integrate(|om| wiener_sv_lpdf(y - s, a, t0, om, v, sv).exp(), w - sw / 2.0, w + sw / 2.0) / sw;
    let avg = integrate_step(inner, 0.0, st0, 1.0 / 16.0) / st0;
    assert_close(wiener_full_lpdf(y, a, t0, w, v, sv, sw, st0), avg.ln(), 1e-9, "all three");
}

#[test]
fn partials_match_finite_differences() {
    for [y, a, t0, w, v] in POINTS {
        let p5 = [y, a, t0, w, v, 0.8];
        let f5 = |x: &[f64]| wiener_sv_lpdf(x[0], x[1], x[2], x[3], x[4], x[5]);
        assert_grad(&f5, &p5, &wiener_sv_lpdf_grad(y, a, t0, w, v, 0.8).1, "wiener sv");
        let sw = 0.9 * w.min(1.0 - w);
        // st0 inside the response time, and past it.
        for st0 in [0.5 * (y - t0), 1.5 * (y - t0)] {
            let p7 = [y, a, t0, w, v, 0.8, sw, st0];
            let f7 = |x: &[f64]| wiener_full_lpdf(x[0], x[1], x[2], x[3], x[4], x[5], x[6], x[7]);
            let (_, g) = wiener_full_lpdf_grad(y, a, t0, w, v, 0.8, sw, st0);
            assert_grad(&f7, &p7, &g, &format!("wiener full at {p7:?}"));
        }
    }
}

#[test]
fn invalid_arguments_reject_with_stans_conditions() {
    let ok = [1.0, 1.0, 0.3, 0.5, 0.1, 0.2, 0.2, 0.1];
    assert!(wiener_full_domain_error(ok[0], ok[1], ok[2], ok[3], ok[4], ok[5], ok[6], ok[7]).is_none());
    // (argument, bad value, words of the message)
    let bad: [(usize, f64, &str); 9] = [
        (0, -1.0, "Random variable"),
        (1, 0.0, "Boundary separation"),
        (2, -0.1, "Nondecision time"),
        (3, 1.0, "A-priori bias"),
        (4, f64::INFINITY, "Drift rate"),
        (5, -0.1, "Inter-trial variability in drift rate"),
        (6, 1.0, "Inter-trial variability in A-priori bias"),
        (7, -0.5, "Inter-trial variability in Nondecision time"),
        // The start point's window leaves (0, 1): 0.5 ± 0.45 is fine, but
        // w = 0.2 with sw = 0.5 reaches below 0.
        (3, 0.2, "sw must be smaller than 2 w"),
    ];
    for (k, x, words) in bad {
        let mut p = ok;
        p[k] = x;
        if words.starts_with("sw") {
            p[6] = 0.5;
        }
        let msg = wiener_full_domain_error(p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7]).unwrap_or_default();
        assert!(msg.contains(words), "{p:?}: {msg}");
        let (v, g) = wiener_full_lpdf_grad(p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7]);
        assert!(v == f64::NEG_INFINITY && g.iter().all(|d| *d == 0.0), "{p:?}: {v} {g:?}");
        if k <= 5 && !words.starts_with("sw") {
            assert_eq!(wiener_sv_lpdf(p[0], p[1], p[2], p[3], p[4], p[5]), f64::NEG_INFINITY, "{p:?}");
        }
    }
    // A response before the non-decision time has density 0.
    assert_eq!(wiener_full_lpdf(0.2, 1.0, 0.3, 0.5, 0.1, 0.2, 0.2, 0.1), f64::NEG_INFINITY);
    assert_eq!(wiener_sv_lpdf(0.3, 1.0, 0.3, 0.5, 0.1, 0.2), f64::NEG_INFINITY);
}
