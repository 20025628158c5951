//! Whether a value satisfies a constrained type, as Stan checks data,
//! transformed data, transformed parameters and generated quantities
//! (`check_simplex`, `check_ordered`, ...: tolerance 1e-8 where a sum or a
//! length is compared). Each check returns why the value fails, naming the
//! element, row or column, or `None`. A NaN fails every comparison, as in
//! Stan. Matrices are column-major.
//!
//! The binder words its data errors with these reasons; the compiled model
//! calls the C forms at the end of `transformed data`, `transformed
//! parameters` and `generated quantities`.

use crate::ffi::slice;
use crate::linalg::CONSTRAINT_TOLERANCE as TOL;

/// `simplex`: non-negative elements that sum to 1.
pub fn simplex(x: &[f64]) -> Option<String> {
    if let Some(i) = x.iter().position(|v| v.is_nan()) {
        return Some(format!("element {} is NaN", i + 1));
    }
    if let Some(i) = x.iter().position(|v| *v < 0.0) {
        return Some(format!("element {} is {}, below 0", i + 1, x[i]));
    }
    let sum: f64 = x.iter().sum();
    (!((sum - 1.0).abs() <= TOL)).then(|| format!("its elements sum to {sum}, not 1"))
}

/// `ordered` (`positive`: `positive_ordered`): strictly increasing, and
/// non-negative when positive.
pub fn ordered(x: &[f64], positive: bool) -> Option<String> {
    if let Some(i) = x.iter().position(|v| v.is_nan()) {
        return Some(format!("element {} is NaN", i + 1));
    }
    if positive {
        if let Some(first) = x.first().filter(|v| **v < 0.0) {
            return Some(format!("element 1 is {first}, below 0"));
        }
    }
    x.windows(2)
        .position(|w| w[1] <= w[0])
        .map(|i| format!("element {} ({}) is not greater than element {} ({})", i + 2, x[i + 1], i + 1, x[i]))
}

/// `unit_vector`: Euclidean length 1.
pub fn unit_vector(x: &[f64]) -> Option<String> {
    let norm2: f64 = x.iter().map(|v| v * v).sum();
    (!((norm2 - 1.0).abs() <= TOL)).then(|| format!("its squared length is {norm2}, not 1"))
}

/// `sum_to_zero_vector`: elements that sum to 0.
pub fn sum_to_zero(x: &[f64]) -> Option<String> {
    let s: f64 = x.iter().sum();
    (!(s.abs() <= TOL)).then(|| format!("its elements sum to {s}, not 0"))
}

/// Column-major element (i, j) of a `rows`-row matrix (NaN outside it).
fn at(m: &[f64], rows: usize, i: usize, j: usize) -> f64 {
    m.get(i + j * rows).copied().unwrap_or(f64::NAN)
}

/// The first column and then row of an `rows × cols` matrix for which
/// `check` fails, with the reason.
fn first_part(m: &[f64], rows: usize, cols: usize, columns: bool, check: fn(&[f64]) -> Option<String>) -> Option<String> {
    if columns {
        (0..cols).find_map(|j| {
            let part: Vec<f64> = (0..rows).map(|i| at(m, rows, i, j)).collect();
            check(&part).map(|why| format!("column {}: {why}", j + 1))
        })
    } else {
        (0..rows).find_map(|i| {
            let part: Vec<f64> = (0..cols).map(|j| at(m, rows, i, j)).collect();
            check(&part).map(|why| format!("row {}: {why}", i + 1))
        })
    }
}

/// `sum_to_zero_matrix`: every column and every row sums to 0.
pub fn sum_to_zero_matrix(m: &[f64], rows: usize, cols: usize) -> Option<String> {
    first_part(m, rows, cols, true, sum_to_zero).or_else(|| first_part(m, rows, cols, false, sum_to_zero))
}

/// `column_stochastic_matrix`: every column a simplex.
pub fn column_stochastic(m: &[f64], rows: usize, cols: usize) -> Option<String> {
    first_part(m, rows, cols, true, simplex)
}

/// `row_stochastic_matrix`: every row a simplex.
pub fn row_stochastic(m: &[f64], rows: usize, cols: usize) -> Option<String> {
    first_part(m, rows, cols, false, simplex)
}

/// `cholesky_factor_cov` (`corr`: `cholesky_factor_corr`): lower
/// triangular with a positive diagonal, at least as many rows as columns
/// (square for `corr`, whose rows have length 1).
pub fn cholesky_factor(m: &[f64], rows: usize, cols: usize, corr: bool) -> Option<String> {
    if rows < cols || (corr && rows != cols) {
        return Some(format!("it is {rows} × {cols}"));
    }
    for j in 0..cols {
        for i in 0..j {
            if !(at(m, rows, i, j).abs() <= TOL) {
                return Some(format!("entry [{}, {}] above the diagonal is {}, not 0", i + 1, j + 1, at(m, rows, i, j)));
            }
        }
        if !(at(m, rows, j, j) > 0.0) {
            return Some(format!("diagonal entry [{}, {}] is {}, not positive", j + 1, j + 1, at(m, rows, j, j)));
        }
    }
    if let Some((i, j)) = (0..cols).flat_map(|j| (j + 1..rows).map(move |i| (i, j))).find(|&(i, j)| at(m, rows, i, j).is_nan()) {
        return Some(format!("entry [{}, {}] is NaN", i + 1, j + 1));
    }
    if corr {
        for i in 0..rows {
            let len2: f64 = (0..cols).map(|j| at(m, rows, i, j).powi(2)).sum();
            if !((len2 - 1.0).abs() <= TOL) {
                return Some(format!("row {} has squared length {len2}, not 1", i + 1));
            }
        }
    }
    None
}

/// `cov_matrix` (`corr`: `corr_matrix`, with a unit diagonal): square,
/// symmetric and positive definite.
pub fn sym_pos_def(m: &[f64], rows: usize, cols: usize, corr: bool) -> Option<String> {
    if rows != cols {
        return Some(format!("it is {rows} × {cols}, not square"));
    }
    let n = rows;
    // As Stan's `check_not_nan`: otherwise a NaN reads as "not symmetric"
    // or "not positive definite".
    if let Some(k) = m.iter().position(|v| v.is_nan()) {
        return Some(format!("entry [{}, {}] is NaN", k % n + 1, k / n + 1));
    }
    for i in 0..n {
        if corr && !((at(m, n, i, i) - 1.0).abs() <= TOL) {
            return Some(format!("diagonal entry [{}, {}] is {}, not 1", i + 1, i + 1, at(m, n, i, i)));
        }
        for j in 0..i {
            let (a, b) = (at(m, n, i, j), at(m, n, j, i));
            if !((a - b).abs() <= TOL * (1.0 + a.abs().max(b.abs()))) {
                return Some(format!(
                    "it is not symmetric: [{}, {}] is {a} but [{}, {}] is {b}",
                    i + 1,
                    j + 1,
                    j + 1,
                    i + 1
                ));
            }
        }
    }
    // Positive definite exactly when the Cholesky factorisation succeeds.
    let mut l = vec![0.0; n * n];
    for j in 0..n {
        let mut d = at(m, n, j, j);
        for k in 0..j {
            d -= l[j + k * n] * l[j + k * n];
        }
        if !(d > 0.0) || !d.is_finite() {
            return Some("it is not positive definite".to_string());
        }
        let d = d.sqrt();
        l[j + j * n] = d;
        for i in j + 1..n {
            let mut s = at(m, n, i, j);
            for k in 0..j {
                s -= l[i + k * n] * l[j + k * n];
            }
            l[i + j * n] = s / d;
        }
    }
    None
}

/// The sizes of one value from JIT code (None if negative or huge).
fn sizes(rows: i64, cols: i64) -> Option<(usize, usize)> {
    let size = |n: i64| usize::try_from(n).ok().filter(|n| *n <= 1 << 16);
    Some((size(rows)?, size(cols)?))
}

/// Runs a check from JIT code: 0 when the value satisfies it, 1 when not
/// (or when the sizes are bad).
///
/// # Safety
/// `y` valid for `rows * cols` reads.
unsafe fn status(y: *const f64, rows: i64, cols: i64, check: impl Fn(&[f64], usize, usize) -> Option<String>) -> i32 {
    let Some((r, c)) = sizes(rows, cols) else { return 1 };
    // SAFETY: caller contract.
    match unsafe { slice(y, r * c) } {
        Some(y) => i32::from(check(y, r, c).is_some()),
        None => 1,
    }
}

macro_rules! c_check {
    ($($c:ident: $what:literal => |$y:ident, $r:ident, $k:ident| $body:expr;)+) => {$(
        #[doc = concat!("C form of the `", $what, "` check of a `rows × cols` value (a vector has one column): 0 satisfied, 1 not.")]
        ///
        /// # Safety
        /// `y` valid for `rows * cols` reads.
        pub unsafe extern "C" fn $c(y: *const f64, rows: i64, cols: i64) -> i32 {
            // SAFETY: caller contract.
            unsafe { status(y, rows, cols, |$y, $r, $k| $body) }
        }
    )+};
}

c_check! {
    hbm_check_simplex: "simplex" => |y, _r, _c| simplex(y);
    hbm_check_ordered: "ordered" => |y, _r, _c| ordered(y, false);
    hbm_check_positive_ordered: "positive_ordered" => |y, _r, _c| ordered(y, true);
    hbm_check_unit_vector: "unit_vector" => |y, _r, _c| unit_vector(y);
    hbm_check_sum_to_zero: "sum_to_zero_vector" => |y, _r, _c| sum_to_zero(y);
    hbm_check_cholesky_factor_corr: "cholesky_factor_corr" => |y, r, c| cholesky_factor(y, r, c, true);
    hbm_check_cholesky_factor_cov: "cholesky_factor_cov" => |y, r, c| cholesky_factor(y, r, c, false);
    hbm_check_corr_matrix: "corr_matrix" => |y, r, c| sym_pos_def(y, r, c, true);
    hbm_check_cov_matrix: "cov_matrix" => |y, r, c| sym_pos_def(y, r, c, false);
    hbm_check_sum_to_zero_matrix: "sum_to_zero_matrix" => |y, r, c| sum_to_zero_matrix(y, r, c);
    hbm_check_column_stochastic_matrix: "column_stochastic_matrix" => |y, r, c| column_stochastic(y, r, c);
    hbm_check_row_stochastic_matrix: "row_stochastic_matrix" => |y, r, c| row_stochastic(y, r, c);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_values_pass_and_nan_fails_every_check() {
        let id2 = [1.0, 0.0, 0.0, 1.0];
        let good: [(&str, Option<String>); 9] = [
            ("simplex", simplex(&[0.25, 0.0, 0.75])),
            ("ordered", ordered(&[-1.0, 0.0, 2.0], false)),
            ("positive_ordered", ordered(&[0.0, 1.0], true)),
            ("unit_vector", unit_vector(&[0.6, 0.8])),
            ("sum_to_zero", sum_to_zero(&[1.0, -0.5, -0.5])),
            ("cholesky_factor_corr", cholesky_factor(&id2, 2, 2, true)),
            ("cov_matrix", sym_pos_def(&[2.0, 0.5, 0.5, 1.0], 2, 2, false)),
            ("sum_to_zero_matrix", sum_to_zero_matrix(&[1.0, -1.0, -1.0, 1.0], 2, 2)),
            ("row_stochastic", row_stochastic(&[0.5, 1.0, 0.5, 0.0], 2, 2)),
        ];
        for (name, why) in good {
            assert_eq!(why, None, "{name}");
        }
        let nan = f64::NAN;
        assert!(simplex(&[nan, 1.0]).is_some());
        assert!(ordered(&[0.0, nan, 2.0], false).is_some());
        assert!(ordered(&[nan], true).is_some());
        assert!(unit_vector(&[nan]).is_some());
        assert!(sum_to_zero(&[nan, 0.0]).is_some());
        assert!(cholesky_factor(&[1.0, nan, 0.0, 1.0], 2, 2, false).is_some());
        assert!(sym_pos_def(&[nan, 0.0, 0.0, 1.0], 2, 2, false).is_some());
        assert!(column_stochastic(&[0.5, nan], 2, 1).is_some());
    }

    #[test]
    fn c_forms_return_the_status() {
        let y = [0.5, 0.5, 0.2, 0.7];
        // SAFETY: `y` holds rows * cols values.
        unsafe {
            assert_eq!(hbm_check_simplex(y.as_ptr(), 2, 1), 0);
            assert_eq!(hbm_check_column_stochastic_matrix(y.as_ptr(), 2, 2), 1);
            assert_eq!(hbm_check_simplex(y.as_ptr(), -1, 1), 1);
        }
    }
}
