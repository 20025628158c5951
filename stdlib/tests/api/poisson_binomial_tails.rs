//! The Poisson binomial's log cdf and log ccdf: values against the sum of
//! the 2^N outcomes' probabilities, the two tails summing to one, the
//! edges (below 0, from N on), and the partials in θ against finite
//! differences.
use crate::common;
use common::*;
use hbmc_stdlib::dist::poisson_binomial_tail_grad;

/// P(K <= y) by enumerating every outcome of the trials.
fn cdf_by_enumeration(y: i64, theta: &[f64]) -> f64 {
    let n = theta.len();
    (0..1u32 << n)
        .filter(|bits| i64::from(bits.count_ones()) <= y)
        .map(|bits| (0..n).map(|i| if bits >> i & 1 == 1 { theta[i] } else { 1.0 - theta[i] }).product::<f64>())
        .sum()
}

#[test]
fn tails_match_the_enumerated_outcomes() {
    let theta = [0.2, 0.5, 0.7, 0.9, 0.35];
    for y in 0..5 {
        let want = cdf_by_enumeration(y, &theta);
        let (lcdf, _) = poisson_binomial_tail_grad(y, &theta, false);
        let (lccdf, _) = poisson_binomial_tail_grad(y, &theta, true);
        assert_close(lcdf, want.ln(), 1e-13, &format!("lcdf({y})"));
        assert_close(lccdf, (1.0 - want).ln(), 1e-12, &format!("lccdf({y})"));
        assert_close(lcdf.exp() + lccdf.exp(), 1.0, 1e-14, &format!("tails at {y}"));
    }
}

#[test]
fn edges_are_all_or_nothing() {
    let theta = [0.3, 0.6];
    assert_eq!(poisson_binomial_tail_grad(-1, &theta, false).0, f64::NEG_INFINITY);
    assert_eq!(poisson_binomial_tail_grad(-1, &theta, true).0, 0.0);
    assert_eq!(poisson_binomial_tail_grad(2, &theta, false).0, 0.0);
    assert_eq!(poisson_binomial_tail_grad(2, &theta, true).0, f64::NEG_INFINITY);
    assert_eq!(poisson_binomial_tail_grad(0, &[0.3, 1.5], false).0, f64::NEG_INFINITY, "θ outside [0, 1]");
}

#[test]
fn partials_match_finite_differences() {
    let theta = [0.2, 0.5, 0.7, 0.9, 0.35];
    for y in 0..5 {
        for upper in [false, true] {
            let f = |t: &[f64]| poisson_binomial_tail_grad(y, t, upper).0;
            let (_, g) = poisson_binomial_tail_grad(y, &theta, upper);
            assert_grad(&f, &theta, &g, &format!("y = {y}, upper = {upper}"));
        }
    }
}
