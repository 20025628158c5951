//! `log_rising_factorial` and its x-partial, which for a whole n up to
//! `RISING_TERMS_MAX` multiply the factors x, x+1, ..., x+n-1 out: checked
//! against a double-double evaluation of the same product (about 2^-100
//! relative, so the reference's own error is its final `ln`), and against
//! the lgamma/digamma differences they replace.

use hbmc_stdlib::special::{digamma, lgamma, log_rising_factorial, log_rising_factorial_d1, log_rising_factorial_d2, RISING_TERMS_MAX};

const EPS: f64 = f64::EPSILON;

/// a + b as an unevaluated sum hi + lo, exactly.
fn two_sum(a: f64, b: f64) -> (f64, f64) {
    let s = a + b;
    let bb = s - a;
    (s, (a - (s - bb)) + (b - bb))
}

/// (ah + al)(bh + bl) in double-double.
fn dd_mul((ah, al): (f64, f64), (bh, bl): (f64, f64)) -> (f64, f64) {
    let h = ah * bh;
    let e = ah.mul_add(bh, -h) + (ah * bl + al * bh);
    two_sum(h, e)
}

/// 1 / (th + tl) in double-double (one Newton step).
fn dd_recip((th, tl): (f64, f64)) -> (f64, f64) {
    let r = 1.0 / th;
    // residual 1 - r (th + tl), exact to first order
    let res = (-r).mul_add(th, 1.0) - r * tl;
    two_sum(r, r * res)
}

/// ln Π_{j<n} (x + j) and Σ_{j<n} 1/(x+j), each factor x + j held exactly.
fn reference(x: f64, n: usize) -> (f64, f64) {
    let (mut logs, mut p) = (0.0, (1.0, 0.0));
    let (mut sh, mut sl) = (0.0, 0.0);
    for j in 0..n {
        let t = two_sum(x, j as f64);
        p = dd_mul(p, t);
        if p.0 > 1e250 {
            logs += p.0.ln() + p.1 / p.0;
            p = (1.0, 0.0);
        }
        let (rh, rl) = dd_recip(t);
        let (s, e) = two_sum(sh, rh);
        (sh, sl) = (s, sl + e + rl);
    }
    (logs + p.0.ln() + p.1 / p.0, sh + sl)
}

/// Arguments from the smallest normal number to just below the fast path's
/// bound 2^64, with points near the roots of the result (x (x+1) = 1 near
/// 0.618) and at whole numbers.
const XS: &[f64] = &[
    f64::MIN_POSITIVE,
    1e-300,
    1e-10,
    1e-3,
    0.1,
    0.3,
    0.5,
    0.618_033_988_749_894_8,
    0.999_999,
    1.0,
    1.5,
    2.0,
    2.7,
    7.0,
    9.99,
    10.0,
    33.3,
    123.456,
    1e4,
    1e6,
    1e9,
    1e12,
    1e15,
    1e18,
    1.7e19,
];

#[test]
fn value_matches_a_double_double_product_to_n_ulp() {
    let max_n = RISING_TERMS_MAX as usize;
    for &x in XS {
        for n in 0..=max_n {
            let got = log_rising_factorial(x, n as f64);
            let (want, _) = reference(x, n);
            // Each factor and product rounds once: n * 2^-52 absolute in
            // the log; the final `ln` adds an ulp or two of the result.
            let tol = (n as f64 + 1.0) * EPS + 2.0 * EPS * want.abs();
            assert!((got - want).abs() <= tol, "log_rising_factorial({x:e}, {n}) = {got:e}, reference {want:e}, error {:e} > {tol:e}", (got - want).abs());
        }
    }
    assert_eq!(log_rising_factorial(0.7, 0.0), 0.0);
    assert_eq!(log_rising_factorial(1e-300, 0.0), 0.0);
}

#[test]
fn x_partial_matches_a_double_double_sum_of_reciprocals() {
    let max_n = RISING_TERMS_MAX as usize;
    for &x in XS {
        for n in 0..=max_n {
            let got = log_rising_factorial_d1(x, n as f64);
            let (_, want) = reference(x, n);
            // P'/P with no cancellation: about 2n roundings, relative.
            let tol = (2.0 * n as f64 + 2.0) * EPS * want.abs();
            assert!((got - want).abs() <= tol, "log_rising_factorial_d1({x:e}, {n}) = {got:e}, reference {want:e}");
        }
    }
}

#[test]
fn agrees_with_the_lgamma_and_digamma_differences_it_replaces() {
    // The differences cancel: their error is a few ulp of the larger
    // lgamma (digamma), which bounds the disagreement.
    for &x in XS.iter().filter(|&&x| x >= 1e-3) {
        for n in 0..=RISING_TERMS_MAX as usize {
            let nf = n as f64;
            let old = lgamma(x + nf) - lgamma(x);
            let new = log_rising_factorial(x, nf);
            let tol = (nf + 1.0) * EPS + 8.0 * EPS * (lgamma(x + nf).abs() + lgamma(x).abs());
            assert!((new - old).abs() <= tol, "value at ({x}, {n}): {new:e} vs lgamma difference {old:e}");
            let old_d = digamma(x + nf) - digamma(x);
            let new_d = log_rising_factorial_d1(x, nf);
            let tol_d = (2.0 * nf + 2.0) * EPS * new_d.abs() + 8.0 * EPS * (digamma(x + nf).abs() + digamma(x).abs());
            assert!((new_d - old_d).abs() <= tol_d, "partial at ({x}, {n}): {new_d:e} vs digamma difference {old_d:e}");
        }
    }
}

#[test]
fn outside_the_product_path_it_is_the_lgamma_difference() {
    // n not whole, n past RISING_TERMS_MAX, x at or past 2^64, x subnormal.
    for &(x, n) in &[(2.5, 3.5), (0.7, RISING_TERMS_MAX + 1.0), (3.0, 1000.0), (2e19, 3.0), (1e-310, 2.0)] {
        assert_eq!(log_rising_factorial(x, n), lgamma(x + n) - lgamma(x), "({x}, {n})");
        assert_eq!(log_rising_factorial_d1(x, n), digamma(x + n) - digamma(x), "({x}, {n})");
    }
    assert_eq!(log_rising_factorial_d2(2.5, 3.0), digamma(5.5));
}

#[test]
fn outside_the_domain_it_is_nan() {
    for &(x, n) in &[(0.0, 2.0), (-1.5, 2.0), (2.0, -1.0), (f64::INFINITY, 2.0), (2.0, f64::INFINITY), (f64::NAN, 1.0), (1.0, f64::NAN)] {
        assert!(log_rising_factorial(x, n).is_nan(), "({x}, {n})");
        assert!(log_rising_factorial_d1(x, n).is_nan(), "d1 ({x}, {n})");
        assert!(log_rising_factorial_d2(x, n).is_nan(), "d2 ({x}, {n})");
    }
}

#[test]
fn the_fold_keeps_long_products_of_large_factors_finite() {
    // 32 factors near 1.7e19 multiply to ~1e620: folded, not inf.
    let x = 1.7e19;
    let got = log_rising_factorial(x, 32.0);
    let (want, dwant) = reference(x, 32);
    assert!(got.is_finite() && (got - want).abs() <= 40.0 * EPS * want.abs(), "{got} vs {want}");
    let d = log_rising_factorial_d1(x, 32.0);
    assert!((d - dwant).abs() <= 70.0 * EPS * dwant, "{d} vs {dwant}");
    // A tiny first factor: P' / P ~ 1/x without overflow of P'.
    let x = f64::MIN_POSITIVE;
    let d = log_rising_factorial_d1(x, 32.0);
    assert!(d.is_finite() && (d - 1.0 / x).abs() <= 4.0 * EPS / x, "{d}");
}
