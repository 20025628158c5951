//! `inv_inc_beta(a, b, p)`: values against scipy's `betaincinv` (scipy
//! 1.17.1, printed with `repr`), the round trip through `inc_beta`, the
//! edges, and the partials against finite differences.
use crate::common;
use common::*;
use hbmc_stdlib::inc_beta::{inc_beta, inv_inc_beta, inv_inc_beta_grad};

#[test]
fn matches_scipy_betaincinv() {
    let cases = [
        ((2.0, 3.0, 0.5), 0.3857275681323895),
        ((0.5, 0.5, 0.1), 0.024471741852423214),
        ((5.0, 1.5, 0.9), 0.945754486362118),
        ((0.7, 4.0, 0.001), 1.1715906429881874e-05),
        ((30.0, 40.0, 0.3), 0.39698703679444164),
        ((1.0, 1.0, 0.25), 0.25),
    ];
    for ((a, b, p), want) in cases {
        assert_close(inv_inc_beta(a, b, p), want, 1e-12, &format!("inv_inc_beta({a}, {b}, {p})"));
    }
}

#[test]
fn inverts_inc_beta_and_keeps_the_edges() {
    for (a, b) in [(0.3, 0.3), (2.0, 7.0), (120.0, 3.0)] {
        // Not p = 1 - 1e-6 at a = b = 0.3: its x is within 1e-20 of 1, and
        // no double lies between 1 - 1.1e-16 (I = 0.9999863) and 1.
        for p in [1e-6, 0.01, 0.37, 0.5, 0.99] {
            let x = inv_inc_beta(a, b, p);
            assert_close(inc_beta(a, b, x), p, 1e-10, &format!("I(inv({a}, {b}, {p}))"));
        }
    }
    assert_eq!(inv_inc_beta(2.0, 3.0, 0.0), 0.0);
    assert_eq!(inv_inc_beta(2.0, 3.0, 1.0), 1.0);
    assert!(inv_inc_beta(2.0, 3.0, 1.5).is_nan());
    assert!(inv_inc_beta(-1.0, 3.0, 0.5).is_nan());
}

#[test]
fn partials_match_finite_differences() {
    for p in [[2.0, 3.0, 0.5], [0.8, 1.7, 0.2], [6.0, 2.5, 0.85]] {
        let f = |x: &[f64]| inv_inc_beta(x[0], x[1], x[2]);
        assert_grad(&f, &p, &inv_inc_beta_grad(p[0], p[1], p[2]), "inv_inc_beta");
    }
}
