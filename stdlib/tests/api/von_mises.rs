//! The von Mises distribution and the Bessel functions behind it: ln I₀ and
//! I₁/I₀ against mpmath on both sides of the series/asymptotic switch, the
//! density against mpmath and normalised on the circle, and the `_rng`
//! against the density's circular moments. Partials against finite
//! differences are in `derivatives.rs`.
#![allow(clippy::excessive_precision)] // reference values keep their mpmath digits
use crate::common;
use common::*;
use hbmc_stdlib::bessel::{bessel_i1_over_i0, log_bessel_i0};
use hbmc_stdlib::dist::*;
use hbmc_stdlib::ChainRng;
use std::f64::consts::PI;

/// `python3 stdlib/tests/reference/bessel_ref.py` (mpmath 1.3.0, 50 digits), pasted.
#[test]
fn bessel_and_density_match_mpmath() {
    let bessel: &[(f64, f64, f64)] = &[
        (0.0, 0.0, 0.0),
        (0.5, 0.061549719185481303941, 0.24249961258080194535),
        (5.0, 3.3046817758225334338, 0.89338313704408522159),
        (29.9, 27.28638531055509432, 0.98313283326580568512),
        (30.1, 27.483023208951183233, 0.98324589715371097654),
        (100.0, 96.779732689942583717, 0.99498737300516876559),
        (700.0, 695.80569999844344908, 0.99928545881842609327),
    ];
    for (k, log_i0, ratio) in bessel {
        assert_close(log_bessel_i0(*k), *log_i0, 1e-14, &format!("ln I0({k})"));
        assert_close(bessel_i1_over_i0(*k), *ratio, 1e-14, &format!("I1/I0({k})"));
    }
    let densities: &[(f64, f64, f64, f64)] = &[
        (1.3, -0.4, 2.1, -3.0030202870142433066),
        (-2.5, 0.3, 0.05, -1.8856130858136463908),
        (0.2, 0.1, 45.0, 0.75677076679467776555),
    ];
    for (y, m, k, want) in densities {
        assert_close(von_mises_lpdf(*y, *m, *k), *want, 1e-13, &format!("von_mises({y} | {m}, {k})"));
    }
    assert_eq!(von_mises_lpdf(0.3, 0.0, 0.0), -(2.0 * PI).ln());
    assert_eq!(von_mises_lpdf(0.3, 0.0, -1.0), f64::NEG_INFINITY);
    assert!(log_bessel_i0(-1.0).is_nan());
}

/// The density integrates to one over a period, at small and large κ.
#[test]
fn density_integrates_to_one_on_the_circle() {
    for k in [0.01, 1.5, 12.0, 80.0] {
        let total = integrate(|y| von_mises_lpdf(y, 0.7, k).exp(), 0.7 - PI, 0.7 + PI);
        assert_close(total, 1.0, 1e-10, &format!("von_mises mass at κ = {k}"));
    }
}

/// Draws lie within π of μ mod 2π, and E cos(y - μ) = I₁(κ)/I₀(κ),
/// E sin(y - μ) = 0, within 5 standard errors of 20,000 draws.
#[test]
fn rng_matches_the_circular_moments() {
    let mut rng = ChainRng::new(99, 0);
    const N: usize = 20_000;
    for (mu, k) in [(0.5, 0.3), (-2.0, 4.0), (7.5, 60.0)] {
        let center = mu % (2.0 * PI);
        let xs: Vec<f64> = (0..N).map(|_| von_mises_rng(&mut rng, mu, k).unwrap()).collect();
        assert!(xs.iter().all(|x| (x - center).abs() <= PI), "von_mises_rng({mu}, {k}) outside [μ-π, μ+π]");
        let cos: Vec<f64> = xs.iter().map(|x| (x - mu).cos()).collect();
        let sin: Vec<f64> = xs.iter().map(|x| (x - mu).sin()).collect();
        for (vals, want, what) in [(&cos, bessel_i1_over_i0(k), "cos"), (&sin, 0.0, "sin")] {
            let m = vals.iter().sum::<f64>() / N as f64;
            let sd = (vals.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (N as f64 - 1.0)).sqrt();
            assert!((m - want).abs() < 5.0 * sd / (N as f64).sqrt(), "E {what}(y - μ) = {m}, want {want} at ({mu}, {k})");
        }
    }
    assert!(von_mises_rng(&mut rng, 0.0, -1.0).is_err());
}
