//! General square matrices through the LU decomposition with partial
//! pivoting: `inverse`, `determinant` and `log_determinant`, with their
//! reverse-mode rules (Ā -= Yᵀ Ȳ Yᵀ for Y = A⁻¹; Ā += w A⁻ᵀ for
//! ln|det A|; Ā += w det(A) A⁻ᵀ for det A). Column-major `n × n`
//! slices, as in [`crate::linalg`]; the `_adj` forms accumulate.

use crate::ffi::{size, slice, slice_mut};
use crate::linalg::{status, LinalgError};

/// The LU factors of P A (unit lower L below the diagonal, U on and above
/// it, in one matrix), the row permutation, and its sign.
struct Lu {
    lu: Vec<f64>,
    perm: Vec<usize>,
    sign: f64,
    n: usize,
}

fn lu(a: &[f64], n: usize) -> Result<Lu, LinalgError> {
    if a.len() != n * n {
        return Err(LinalgError::Length { what: "A", expected: n * n, got: a.len() });
    }
    let mut lu = a.to_vec();
    let mut perm: Vec<usize> = (0..n).collect();
    let mut sign = 1.0;
    for k in 0..n {
        // The largest pivot in column k at or below the diagonal.
        let p = (k..n).max_by(|&i, &j| lu[i + k * n].abs().total_cmp(&lu[j + k * n].abs())).unwrap_or(k);
        let pivot = lu[p + k * n];
        if !(pivot.abs() > 0.0) || !pivot.is_finite() {
            return Err(LinalgError::Singular { index: k });
        }
        if p != k {
            for j in 0..n {
                lu.swap(k + j * n, p + j * n);
            }
            perm.swap(k, p);
            sign = -sign;
        }
        for i in k + 1..n {
            let f = lu[i + k * n] / pivot;
            lu[i + k * n] = f;
            for j in k + 1..n {
                lu[i + j * n] -= f * lu[k + j * n];
            }
        }
    }
    Ok(Lu { lu, perm, sign, n })
}

impl Lu {
    /// A⁻¹ column by column (column j solves A x = e_j).
    fn inverse(&self, out: &mut [f64]) {
        let n = self.n;
        for j in 0..n {
            let col = &mut out[j * n..(j + 1) * n];
            for i in 0..n {
                col[i] = if self.perm[i] == j { 1.0 } else { 0.0 };
            }
            for i in 0..n {
                let s: f64 = (0..i).map(|k| self.lu[i + k * n] * col[k]).sum();
                col[i] -= s;
            }
            for i in (0..n).rev() {
                let s: f64 = (i + 1..n).map(|k| self.lu[i + k * n] * col[k]).sum();
                col[i] = (col[i] - s) / self.lu[i + i * n];
            }
        }
    }

    /// (ln |det A|, sign of det A).
    fn log_abs_det(&self) -> (f64, f64) {
        let n = self.n;
        let mut sign = self.sign;
        let mut total = 0.0;
        for i in 0..n {
            let d = self.lu[i + i * n];
            total += d.abs().ln();
            if d < 0.0 {
                sign = -sign;
            }
        }
        (total, sign)
    }
}

/// A⁻¹ into `out`; `Singular` when a pivot is zero.
pub fn inverse(a: &[f64], n: usize, out: &mut [f64]) -> Result<(), LinalgError> {
    if out.len() != n * n {
        return Err(LinalgError::Length { what: "output", expected: n * n, got: out.len() });
    }
    lu(a, n)?.inverse(out);
    Ok(())
}

/// Reverse mode of [`inverse`] from its output Y = A⁻¹: Ā -= Yᵀ Ȳ Yᵀ.
pub fn inverse_adj(y: &[f64], n: usize, y_adj: &[f64], a_adj: &mut [f64]) -> Result<(), LinalgError> {
    for (what, s) in [("inverse", y), ("inverse adjoint", y_adj)] {
        if s.len() != n * n {
            return Err(LinalgError::Length { what, expected: n * n, got: s.len() });
        }
    }
    if a_adj.len() != n * n {
        return Err(LinalgError::Length { what: "A adjoint", expected: n * n, got: a_adj.len() });
    }
    // t = Ȳ Yᵀ, then Ā -= Yᵀ t.
    let mut t = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..n {
            t[i + j * n] = (0..n).map(|k| y_adj[i + k * n] * y[j + k * n]).sum();
        }
    }
    for i in 0..n {
        for j in 0..n {
            a_adj[i + j * n] -= (0..n).map(|k| y[k + i * n] * t[k + j * n]).sum::<f64>();
        }
    }
    Ok(())
}

/// ln |det A| (`-inf` for a singular matrix).
pub fn log_determinant(a: &[f64], n: usize) -> Result<f64, LinalgError> {
    match lu(a, n) {
        Ok(f) => Ok(f.log_abs_det().0),
        Err(LinalgError::Singular { .. }) => Ok(f64::NEG_INFINITY),
        Err(e) => Err(e),
    }
}

/// det A.
pub fn determinant(a: &[f64], n: usize) -> Result<f64, LinalgError> {
    match lu(a, n) {
        Ok(f) => {
            let (l, s) = f.log_abs_det();
            Ok(s * l.exp())
        }
        Err(LinalgError::Singular { .. }) => Ok(0.0),
        Err(e) => Err(e),
    }
}

/// Ā += c A⁻ᵀ (both rules have this form); nothing for a singular A.
fn add_inverse_transpose(a: &[f64], n: usize, c: f64, a_adj: &mut [f64]) -> Result<(), LinalgError> {
    if a_adj.len() != n * n {
        return Err(LinalgError::Length { what: "A adjoint", expected: n * n, got: a_adj.len() });
    }
    let Ok(f) = lu(a, n) else { return Ok(()) };
    let mut inv = vec![0.0; n * n];
    f.inverse(&mut inv);
    for i in 0..n {
        for j in 0..n {
            a_adj[i + j * n] += c * inv[j + i * n];
        }
    }
    Ok(())
}

/// Reverse mode of [`log_determinant`]: Ā += w A⁻ᵀ.
pub fn log_determinant_adj(a: &[f64], n: usize, w: f64, a_adj: &mut [f64]) -> Result<(), LinalgError> {
    add_inverse_transpose(a, n, w, a_adj)
}

/// Reverse mode of [`determinant`]: Ā += w det(A) A⁻ᵀ.
pub fn determinant_adj(a: &[f64], n: usize, w: f64, a_adj: &mut [f64]) -> Result<(), LinalgError> {
    let d = determinant(a, n)?;
    add_inverse_transpose(a, n, w * d, a_adj)
}

/// C form of [`inverse`]: 0 ok, 1 singular, 2 bad input.
///
/// # Safety
/// `a` readable and `out` writable for `n*n` values, or null.
pub unsafe extern "C" fn hbm_inverse(a: *const f64, n: i64, out: *mut f64) -> i32 {
    let Some(n) = size(n) else { return 2 };
    // SAFETY: caller contract.
    match unsafe { (slice(a, n * n), slice_mut(out, n * n)) } {
        (Some(a), Some(o)) => status(inverse(a, n, o)),
        _ => 2,
    }
}

/// C form of [`inverse_adj`] (takes the inverse `y`).
///
/// # Safety
/// All pointers valid for `n*n` values, or null.
pub unsafe extern "C" fn hbm_inverse_adj(y: *const f64, n: i64, y_adj: *const f64, a_adj: *mut f64) -> i32 {
    let Some(n) = size(n) else { return 2 };
    // SAFETY: caller contract.
    match unsafe { (slice(y, n * n), slice(y_adj, n * n), slice_mut(a_adj, n * n)) } {
        (Some(y), Some(yb), Some(ab)) => status(inverse_adj(y, n, yb, ab)),
        _ => 2,
    }
}

macro_rules! c_det {
    ($c:ident, $cadj:ident, $f:ident, $adj:ident) => {
        #[doc = concat!("C form of [`", stringify!($f), "`]; NaN on bad input.")]
        ///
        /// # Safety
        /// `a` readable for `n*n` values, or null.
        pub unsafe extern "C" fn $c(a: *const f64, n: i64) -> f64 {
            let Some(n) = size(n) else { return f64::NAN };
            // SAFETY: caller contract.
            match unsafe { slice(a, n * n) } {
                Some(a) => $f(a, n).unwrap_or(f64::NAN),
                None => f64::NAN,
            }
        }
        #[doc = concat!("C form of [`", stringify!($adj), "`].")]
        ///
        /// # Safety
        /// `a` and `a_adj` valid for `n*n` values, or null.
        pub unsafe extern "C" fn $cadj(a: *const f64, n: i64, w: f64, a_adj: *mut f64) -> i32 {
            let Some(n) = size(n) else { return 2 };
            // SAFETY: caller contract.
            match unsafe { (slice(a, n * n), slice_mut(a_adj, n * n)) } {
                (Some(a), Some(ab)) => status($adj(a, n, w, ab)),
                _ => 2,
            }
        }
    };
}
c_det!(hbm_log_determinant, hbm_log_determinant_adj, log_determinant, log_determinant_adj);
c_det!(hbm_determinant, hbm_determinant_adj, determinant, determinant_adj);

/// `sort_asc` (or `sort_desc`) of `x` into `out`; NaNs sort last.
pub fn sort(x: &[f64], out: &mut [f64], descending: bool) {
    let order = order(x, descending);
    for (o, i) in out.iter_mut().zip(order) {
        *o = x[i];
    }
}

/// The permutation that sorts `x` (stable, so ties keep their order).
fn order(x: &[f64], descending: bool) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..x.len()).collect();
    idx.sort_by(|&a, &b| {
        let c = x[a].total_cmp(&x[b]);
        if descending { c.reverse() } else { c }
    });
    idx
}

/// Reverse mode of [`sort`]: each output adjoint goes back to the element
/// it came from.
pub fn sort_adj(x: &[f64], out_adj: &[f64], x_adj: &mut [f64], descending: bool) {
    for (k, i) in order(x, descending).into_iter().enumerate() {
        x_adj[i] += out_adj[k];
    }
}

macro_rules! c_sort {
    ($c:ident, $cadj:ident, $desc:expr) => {
        #[doc = concat!("C form of [`sort`] (descending: ", stringify!($desc), "): 0 ok, 2 bad input.")]
        ///
        /// # Safety
        /// `x` readable and `out` writable for `n` values, or null.
        pub unsafe extern "C" fn $c(x: *const f64, n: i64, out: *mut f64) -> i32 {
            let Ok(n) = usize::try_from(n) else { return 2 };
            // SAFETY: caller contract.
            match unsafe { (slice(x, n), slice_mut(out, n)) } {
                (Some(x), Some(o)) => {
                    sort(x, o, $desc);
                    0
                }
                _ => 2,
            }
        }
        #[doc = concat!("C form of [`sort_adj`] (descending: ", stringify!($desc), ").")]
        ///
        /// # Safety
        /// All pointers valid for `n` values, or null.
        pub unsafe extern "C" fn $cadj(x: *const f64, n: i64, out_adj: *const f64, x_adj: *mut f64) -> i32 {
            let Ok(n) = usize::try_from(n) else { return 2 };
            // SAFETY: caller contract.
            match unsafe { (slice(x, n), slice(out_adj, n), slice_mut(x_adj, n)) } {
                (Some(x), Some(ob), Some(xb)) => {
                    sort_adj(x, ob, xb, $desc);
                    0
                }
                _ => 2,
            }
        }
    };
}
c_sort!(hbm_sort_asc, hbm_sort_asc_adj, false);
c_sort!(hbm_sort_desc, hbm_sort_desc_adj, true);
