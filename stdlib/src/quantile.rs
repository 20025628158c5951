//! `quantile(x, p)`: the sample quantile of data, as Stan computes it
//! (type 7 of Hyndman and Fan, R's default): with the values sorted
//! ascending, index `h = (N - 1) p`, the value `(1 - (h - ⌊h⌋)) x[⌊h⌋] +
//! (h - ⌊h⌋) x[⌈h⌉]` (0-based). Data only, as in Stan: no derivative.

use crate::ffi::{size, slice};

/// The `p` quantile of `x`; `None` for an empty `x`, a NaN in it, or `p`
/// outside [0, 1].
pub fn quantile(x: &[f64], p: f64) -> Option<f64> {
    if x.is_empty() || x.iter().any(|v| v.is_nan()) || !(0.0..=1.0).contains(&p) {
        return None;
    }
    let mut sorted = x.to_vec();
    sorted.sort_by(f64::total_cmp);
    let index = (sorted.len() - 1) as f64 * p;
    let (lo, hi) = (index.floor() as usize, index.ceil() as usize);
    let h = index - lo as f64;
    Some((1.0 - h) * sorted[lo] + h * sorted[hi])
}

/// C form of [`quantile`]: NaN for invalid arguments (empty `x`, a NaN
/// in it, `p` outside [0, 1]).
///
/// # Safety
/// `x` valid for `n` values, or null.
pub unsafe extern "C" fn hbm_quantile(x: *const f64, n: i64, p: f64) -> f64 {
    let Some(n) = size(n) else { return f64::NAN };
    // SAFETY: caller contract.
    match unsafe { slice(x, n) } {
        Some(x) => quantile(x, p).unwrap_or(f64::NAN),
        None => f64::NAN,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `quantile(c(3, 1, 4, 1, 5, 9, 2, 6), c(0, 0.1, 0.25, 0.5, 0.9, 1))`
    /// by type 7 worked by hand (sorted 1 1 2 3 4 5 6 9; h = 7p): 1, 1,
    /// 1 + 0.75 (2 - 1), (3 + 4) / 2, 6 + 0.3 (9 - 6), 9.
    #[test]
    fn matches_r_type_7() {
        let x = [3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0];
        for (p, want) in [(0.0, 1.0), (0.1, 1.0), (0.25, 1.75), (0.5, 3.5), (0.9, 6.9), (1.0, 9.0)] {
            let got = quantile(&x, p).expect("valid");
            assert!((got - want).abs() < 1e-12, "p = {p}: {got}, R {want}");
        }
        assert_eq!(quantile(&[2.5], 0.3), Some(2.5));
    }

    #[test]
    fn invalid_arguments_are_none() {
        assert_eq!(quantile(&[], 0.5), None);
        assert_eq!(quantile(&[1.0, f64::NAN], 0.5), None);
        assert_eq!(quantile(&[1.0, 2.0], 1.5), None);
        assert_eq!(quantile(&[1.0, 2.0], -0.1), None);
        assert!(quantile(&[1.0, 2.0], f64::NAN).is_none());
    }
}
