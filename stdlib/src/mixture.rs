//! Stan's `log_mix` of containers: the log of a finite mixture
//! ln Σ_i θ_i e^{λ_i}, summed over the columns λ_1..λ_n of an array of
//! log-density vectors (`log_mix(theta, lp)` is the case n = 1).
//!
//! Each column is a log-sum-exp of ln θ_i + λ_i with its maximum taken out,
//! so no e^{λ} overflows or underflows to a wrong zero. The partials are
//! the components' posterior weights: ∂/∂λ_i = θ_i e^{λ_i - v} and
//! ∂/∂θ_i = e^{λ_i - v}, with v the column's value.

use crate::ffi::{slice, slice_mut};

/// Whether Stan accepts the arguments: every θ_i in [0, 1] and every λ
/// finite (Stan's `check_bounded` and `check_finite`).
fn valid(theta: &[f64], lp: &[f64]) -> bool {
    theta.iter().all(|t| (0.0..=1.0).contains(t)) && lp.iter().all(|l| l.is_finite())
}

/// ln Σ_i θ_i e^{λ_i} of one column.
fn column(theta: &[f64], lp: &[f64]) -> f64 {
    let max = theta.iter().zip(lp).map(|(t, l)| t.ln() + l).fold(f64::NEG_INFINITY, f64::max);
    if max == f64::NEG_INFINITY {
        return max;
    }
    let sum: f64 = theta.iter().zip(lp).map(|(t, l)| (t.ln() + l - max).exp()).sum();
    max + sum.ln()
}

/// Σ_n log_mix(θ, λ_n) over the `lp.len() / θ.len()` columns of `lp`
/// (column n at `n * θ.len()`); NaN for arguments Stan rejects or a
/// length that is not a multiple of θ's (or an empty θ).
pub fn log_mix_sum(theta: &[f64], lp: &[f64]) -> f64 {
    let k = theta.len();
    if k == 0 || lp.len() % k != 0 || !valid(theta, lp) {
        return f64::NAN;
    }
    lp.chunks_exact(k).map(|col| column(theta, col)).sum()
}

/// [`log_mix_sum`] with its partials in θ and in `lp` (zero partials when
/// the value is -inf: every component has weight zero somewhere).
pub fn log_mix_sum_grad(theta: &[f64], lp: &[f64]) -> (f64, Vec<f64>, Vec<f64>) {
    let (k, value) = (theta.len(), log_mix_sum(theta, lp));
    let (mut d_theta, mut d_lp) = (vec![0.0; k], vec![0.0; lp.len()]);
    if !value.is_finite() {
        return (value, d_theta, d_lp);
    }
    for (col, d_col) in lp.chunks_exact(k).zip(d_lp.chunks_exact_mut(k)) {
        let v = column(theta, col);
        for i in 0..k {
            let e = (col[i] - v).exp();
            d_theta[i] += e;
            d_col[i] = theta[i] * e;
        }
    }
    (value, d_theta, d_lp)
}

/// C form of [`log_mix_sum`]: θ of length `k`, `lp` of `n` columns of `k`.
///
/// # Safety
/// `theta` valid for `k` values, `lp` for `k * n`.
pub unsafe extern "C" fn hbm_log_mix_vec(theta: *const f64, lp: *const f64, k: i64, n: i64) -> f64 {
    let Some((k, len)) = sizes(k, n) else { return f64::NAN };
    // SAFETY: caller contract.
    match unsafe { (slice(theta, k), slice(lp, len)) } {
        (Some(t), Some(l)) => log_mix_sum(t, l),
        _ => f64::NAN,
    }
}

/// Reverse mode of [`hbm_log_mix_vec`]: adds w·∂/∂θ to `theta_adj` and
/// w·∂/∂lp to `lp_adj` (either may be null: nothing to accumulate). The
/// partials are computed first and added one buffer at a time, so the two
/// adjoints may be the same buffer (`log_mix(x, x)`).
///
/// # Safety
/// As [`hbm_log_mix_vec`]; `theta_adj` null or valid for `k` values,
/// `lp_adj` null or valid for `k * n`.
pub unsafe extern "C" fn hbm_log_mix_vec_adj(
    theta: *const f64,
    lp: *const f64,
    k: i64,
    n: i64,
    w: f64,
    theta_adj: *mut f64,
    lp_adj: *mut f64,
) -> i32 {
    let Some((k, len)) = sizes(k, n) else { return 1 };
    // SAFETY: caller contract.
    let (Some(t), Some(l)) = (unsafe { slice(theta, k) }, unsafe { slice(lp, len) }) else { return 1 };
    let (_, d_theta, d_lp) = log_mix_sum_grad(t, l);
    // SAFETY: caller contract; each mutable slice lives only for its loop.
    if let Some(adj) = unsafe { slice_mut(theta_adj, k) } {
        adj.iter_mut().zip(&d_theta).for_each(|(a, d)| *a += w * d);
    }
    // SAFETY: as above.
    if let Some(adj) = unsafe { slice_mut(lp_adj, len) } {
        adj.iter_mut().zip(&d_lp).for_each(|(a, d)| *a += w * d);
    }
    0
}

/// `(k, k * n)` from the C size arguments, or None when negative or too large.
fn sizes(k: i64, n: i64) -> Option<(usize, usize)> {
    let (k, n) = (usize::try_from(k).ok()?, usize::try_from(n).ok()?);
    Some((k, k.checked_mul(n)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hand-computed values: log_mix([0.3, 0.7], [-1, -2]) =
    /// ln(0.3 e^-1 + 0.7 e^-2) = ln(0.110363832351 + 0.094734698266)
    /// = ln(0.205098530617) = -1.584264778 (e^-1 = 0.367879441171,
    /// e^-2 = 0.135335283237; mpmath at 30 digits agrees); it equals the
    /// three-scalar form.
    #[test]
    fn values_match_hand_computation_and_the_scalar_form() {
        let v = log_mix_sum(&[0.3, 0.7], &[-1.0, -2.0]);
        let by_hand = (0.3 * (-1.0f64).exp() + 0.7 * (-2.0f64).exp()).ln();
        assert!((v - by_hand).abs() < 1e-15, "{v} {by_hand}");
        assert!((v - (-1.584_264_778)).abs() < 1e-9, "{v}");
        assert!((v - crate::special::log_mix(0.3, -1.0, -2.0)).abs() < 1e-15);
        // Two columns: the sum of the columns' values.
        let two = log_mix_sum(&[0.3, 0.7], &[-1.0, -2.0, 0.5, -3.0]);
        let second = (0.3 * 0.5f64.exp() + 0.7 * (-3.0f64).exp()).ln();
        assert!((two - (by_hand + second)).abs() < 1e-14);
    }

    /// Log densities far below e^-745 (where e^λ is 0 in f64) still give
    /// their log-sum: ln(0.5 e^-1000 + 0.5 e^-1001) = -1000 + ln(0.5 (1 + e^-1)).
    #[test]
    fn tiny_densities_do_not_underflow() {
        let v = log_mix_sum(&[0.5, 0.5], &[-1000.0, -1001.0]);
        let want = -1000.0 + (0.5 * (1.0 + (-1.0f64).exp())).ln();
        assert!((v - want).abs() < 1e-12, "{v} {want}");
    }

    #[test]
    fn arguments_stan_rejects_give_nan() {
        assert!(log_mix_sum(&[1.2, -0.2], &[0.0, 0.0]).is_nan());
        assert!(log_mix_sum(&[0.5, 0.5], &[0.0, f64::NEG_INFINITY]).is_nan());
        assert!(log_mix_sum(&[0.5, 0.5], &[0.0, 0.0, 1.0]).is_nan());
        assert!(log_mix_sum(&[], &[]).is_nan());
        // All weight on components of zero mixing proportion: -inf, no partials.
        let (v, dt, dl) = log_mix_sum_grad(&[0.0, 0.0], &[0.0, 1.0]);
        assert_eq!(v, f64::NEG_INFINITY);
        assert!(dt.iter().chain(&dl).all(|d| *d == 0.0));
    }

    /// The partials against central differences, two columns of three.
    #[test]
    fn partials_match_finite_differences() {
        let theta = [0.2, 0.5, 0.3];
        let lp = [-1.0, 0.3, -2.5, 0.7, -0.4, 1.1];
        let (_, dt, dl) = log_mix_sum_grad(&theta, &lp);
        // Central difference in element i of the argument `which` (0: θ, 1: lp).
        let fd = |which: usize, i: usize| {
            let h = 1e-6;
            let at = |d: f64| {
                let (mut t, mut l) = (theta.to_vec(), lp.to_vec());
                [&mut t, &mut l][which][i] += d;
                log_mix_sum(&t, &l)
            };
            (at(h) - at(-h)) / (2.0 * h)
        };
        for (which, partials) in [(0, &dt), (1, &dl)] {
            for (i, d) in partials.iter().enumerate() {
                let f = fd(which, i);
                assert!((f - d).abs() < 1e-7, "argument {which}, element {i}: {f} vs {d}");
            }
        }
    }

    /// The C adjoint accumulates w times the partials, also into one
    /// buffer passed for both adjoints.
    #[test]
    fn adjoint_accumulates_weighted_partials() {
        let x = [0.4, 0.6];
        let (_, dt, dl) = log_mix_sum_grad(&x, &x);
        let mut adj = [1.0, 1.0];
        let p = adj.as_mut_ptr();
        // SAFETY: two values at each pointer; the adjoint writes one buffer at a time.
        let status = unsafe { hbm_log_mix_vec_adj(x.as_ptr(), x.as_ptr(), 2, 1, 2.0, p, p) };
        assert_eq!(status, 0);
        for i in 0..2 {
            assert!((adj[i] - (1.0 + 2.0 * (dt[i] + dl[i]))).abs() < 1e-15);
        }
    }
}
