//! The Wiener first passage time density: RWiener's values (the five
//! reference cases of Stan's own test), the density integrating to the
//! closed-form probability of an upper-boundary response, the small- and
//! large-time series agreeing where both converge, and the partials
//! against finite differences.
use crate::common;
use common::*;
use hbmc_stdlib::dist::{wiener_lpdf, wiener_lpdf_grad};

#[test]
fn log_density_matches_rwiener() {
    // (y, alpha, tau, beta, delta) and RWiener::dwiener(y, alpha, tau,
    // beta, delta, give_log = TRUE), from Stan's test/prob/wiener.
    let cases = [
        ([1.1, 2.1, 0.3, 0.55, 0.4], -0.892976431870503),
        ([2.1, 4.1, 0.6, 0.05, 0.1], -5.28933922584833),
        ([1.2, 10.1, 0.35, 0.95, 0.5], -1.36212169454714),
        ([50.1, 4.3, 1.05, 0.65, 0.15], -15.3049368722015),
        ([1.51, 1.1, 0.9, 0.2, 10.5], -26.4531852275477),
    ];
    for ([y, a, t, b, d], want) in cases {
        let got = wiener_lpdf(y, a, t, b, d);
        assert!((got - want).abs() < 1e-9 * want.abs().max(1.0), "wiener({y} | {a}, {t}, {b}, {d}) = {got}, RWiener {want}");
    }
}

#[test]
fn density_integrates_to_the_probability_of_the_upper_boundary() {
    // P(upper) = (1 - e^{2 δ α β}) / (e^{-2 δ α (1 - β)} - e^{2 δ α β})
    // (the gambler's ruin of a drifting Brownian motion; β for δ = 0).
    for (a, b, d) in [(1.5, 0.5, 0.0), (2.0, 0.3, 0.8), (1.2, 0.7, -1.1), (0.8, 0.45, 2.5)] {
        let p_upper: f64 = if d == 0.0 { b } else { (1.0 - (2.0 * d * a * b).exp()) / ((-2.0 * d * a * (1.0 - b)).exp() - (2.0 * d * a * b).exp()) };
        // Substituting y = t / (1 - t) maps (0, ∞) onto (0, 1).
        let mass = integrate(|t| {
            if t <= 0.0 || t >= 1.0 {
                return 0.0;
            }
            let y = t / (1.0 - t);
            wiener_lpdf(y, a, 0.0, b, d).exp() / ((1.0 - t) * (1.0 - t))
        }, 0.0, 1.0);
        assert!((mass - p_upper).abs() < 1e-7, "α {a}, β {b}, δ {d}: mass {mass}, P(upper) {p_upper}");
    }
}

#[test]
fn both_series_agree_around_their_switch() {
    // At normalised times near 1 both series converge; the value just
    // below the switch (small-time series) and just above (large-time)
    // must be continuous to rounding.
    let (a, b, d) = (1.0, 0.35, 0.6);
    let below = wiener_lpdf(1.0 - 1e-12, a, 0.0, b, d);
    let above = wiener_lpdf(1.0 + 1e-12, a, 0.0, b, d);
    assert!((below - above).abs() < 1e-10, "{below} against {above}");
}

#[test]
fn partials_match_finite_differences() {
    for p in [[1.1, 2.1, 0.3, 0.55, 0.4], [0.45, 0.9, 0.2, 0.3, -1.2], [3.0, 1.4, 0.1, 0.8, 0.7], [0.42, 1.0, 0.3, 0.5, 0.0]] {
        let f = |x: &[f64]| wiener_lpdf(x[0], x[1], x[2], x[3], x[4]);
        let (_, g) = wiener_lpdf_grad(p[0], p[1], p[2], p[3], p[4]);
        assert_grad(&f, &p, &g, "wiener");
    }
}

#[test]
fn invalid_arguments_reject() {
    for p in [[0.2, 1.0, 0.3, 0.5, 0.1], [1.0, -1.0, 0.3, 0.5, 0.1], [1.0, 1.0, 0.3, 1.0, 0.1], [1.0, 1.0, -0.1, 0.5, 0.1], [1.0, 1.0, 0.3, 0.5, f64::NAN]] {
        assert_eq!(wiener_lpdf(p[0], p[1], p[2], p[3], p[4]), f64::NEG_INFINITY, "{p:?}");
    }
}
