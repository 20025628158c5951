//! The matrix exponential e^A of a square matrix by scaling and squaring:
//! A is halved s times until its 1-norm is at most 1/2, the Taylor series
//! of e^(A/2^s) is summed until its terms no longer change the sum (each
//! term's norm is at most 2^-k/k!, so 20 terms reach 1e-24), and the result
//! is squared s times.
//!
//! Reverse mode: for Y = e^A, Ā += L(Aᵀ, Ȳ), the Fréchet derivative of the
//! exponential at Aᵀ in the direction Ȳ (the adjoint of L(A, ·) is
//! L(Aᵀ, ·)), read off the top-right block of e^M with M = [[Aᵀ, Ȳ], [0, Aᵀ]].
//! Column-major `n × n` slices; the `_adj` form accumulates.

use crate::ffi::{size, slice, slice_mut};
use crate::linalg::multiply;

/// C = A B for column-major n × n matrices (the lengths are the callers').
fn product(a: &[f64], b: &[f64], n: usize) -> Vec<f64> {
    let mut c = vec![0.0; n * n];
    // Cannot fail: every slice here is n × n.
    let _ = multiply(a, b, n, n, n, &mut c);
    c
}

/// The largest column sum of absolute values.
fn norm1(a: &[f64], n: usize) -> f64 {
    (0..n).map(|j| (0..n).map(|i| a[i + j * n].abs()).sum::<f64>()).fold(0.0, f64::max)
}

/// e^A of a column-major n × n matrix; `None` for a non-finite A.
pub fn matrix_exp(a: &[f64], n: usize) -> Option<Vec<f64>> {
    if a.len() != n * n || a.iter().any(|x| !x.is_finite()) {
        return None;
    }
    let norm = norm1(a, n);
    let squarings = if norm > 0.5 { (norm / 0.5).log2().ceil() as i32 } else { 0 };
    let scale = 0.5f64.powi(squarings);
    let scaled: Vec<f64> = a.iter().map(|x| x * scale).collect();
    let mut sum = vec![0.0; n * n];
    let mut term = vec![0.0; n * n];
    for i in 0..n {
        sum[i + i * n] = 1.0;
        term[i + i * n] = 1.0;
    }
    for k in 1..40 {
        term = product(&term, &scaled, n);
        let inv_k = 1.0 / k as f64;
        term.iter_mut().for_each(|x| *x *= inv_k);
        let mut changed = false;
        for (s, t) in sum.iter_mut().zip(&term) {
            let next = *s + t;
            changed |= next != *s;
            *s = next;
        }
        if !changed {
            break;
        }
    }
    for _ in 0..squarings {
        sum = product(&sum, &sum, n);
    }
    Some(sum)
}

/// Ā += L(Aᵀ, Ȳ) for Y = e^A (see the module comment).
pub fn matrix_exp_adj(a: &[f64], n: usize, y_adj: &[f64], a_adj: &mut [f64]) -> Option<()> {
    if y_adj.len() != n * n || a_adj.len() != n * n {
        return None;
    }
    let m = 2 * n;
    let mut block = vec![0.0; m * m];
    for j in 0..n {
        for i in 0..n {
            let at = a[j + i * n]; // Aᵀ[i, j]
            block[i + j * m] = at;
            block[(i + n) + (j + n) * m] = at;
            block[i + (j + n) * m] = y_adj[i + j * n];
        }
    }
    let e = matrix_exp(&block, m)?;
    for j in 0..n {
        for i in 0..n {
            a_adj[i + j * n] += e[i + (j + n) * m];
        }
    }
    Some(())
}

/// C form of [`matrix_exp`]: 0 ok, 1 non-finite A, 2 bad pointers or size.
///
/// # Safety
/// `a` and `out` valid for `n*n` values.
pub unsafe extern "C" fn hbm_matrix_exp(a: *const f64, n: i64, out: *mut f64) -> i32 {
    let Some(n) = size(n) else { return 2 };
    // SAFETY: caller contract.
    match unsafe { (slice(a, n * n), slice_mut(out, n * n)) } {
        (Some(a), Some(o)) => match matrix_exp(a, n) {
            Some(y) => {
                o.copy_from_slice(&y);
                0
            }
            None => 1,
        },
        _ => 2,
    }
}

/// C form of [`matrix_exp_adj`]: 0 ok, 1 non-finite input, 2 bad pointers.
///
/// # Safety
/// All pointers valid for `n*n` values.
pub unsafe extern "C" fn hbm_matrix_exp_adj(a: *const f64, n: i64, y_adj: *const f64, a_adj: *mut f64) -> i32 {
    let Some(n) = size(n) else { return 2 };
    // SAFETY: caller contract.
    match unsafe { (slice(a, n * n), slice(y_adj, n * n), slice_mut(a_adj, n * n)) } {
        (Some(a), Some(yb), Some(ab)) => i32::from(matrix_exp_adj(a, n, yb, ab).is_none()),
        _ => 2,
    }
}
