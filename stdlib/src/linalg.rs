//! Small dense matrix and vector routines with hand-derived reverse-mode rules.
//!
//! Matrices are column-major `f64` slices: element (i, j) of an `m × n`
//! matrix is at `i + j*m`. Every `_adj` function *accumulates*
//! (`+=`) into the adjoint buffers it is given, so the caller zeroes them once
//! per gradient evaluation, and an `Option` that is `None` (a null pointer in
//! the C form) means that input needs no adjoint.
//!
//! Symmetric inputs (to [`cholesky_decompose`]) are read from their lower
//! triangle only, so the adjoint lands in the lower triangle; lower-triangular
//! inputs likewise never read or write above the diagonal.

use crate::cholesky_blocked::{cholesky_lower_blocked, copy_lower, factor_columns};
use crate::cholesky_rev::{rev_blocked, rev_columns};
use crate::ffi::{size, slice, slice_mut};
use crate::scratch::with_scratch;
use crate::special::log_sum_exp_slice;

/// Stan's tolerance for symmetry and unit-norm checks.
pub const CONSTRAINT_TOLERANCE: f64 = 1e-8;

/// Why a linear-algebra routine refused its input.
#[derive(Debug, Clone, PartialEq)]
pub enum LinalgError {
    /// A slice has the wrong length for the stated dimensions.
    Length {
        /// Which argument.
        what: &'static str,
        /// Its required length.
        expected: usize,
        /// Its actual length.
        got: usize,
    },
    /// The matrix is not symmetric within [`CONSTRAINT_TOLERANCE`].
    NotSymmetric {
        /// Row of the first offending pair.
        row: usize,
        /// Column of the first offending pair.
        col: usize,
    },
    /// The matrix is not positive definite (pivot `index` was <= 0 or NaN).
    NotPositiveDefinite {
        /// The failing pivot.
        index: usize,
    },
    /// A triangular factor has a zero or non-finite diagonal element.
    Singular {
        /// The offending diagonal index.
        index: usize,
    },
}

impl std::fmt::Display for LinalgError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LinalgError::Length {
                what,
                expected,
                got,
            } => {
                write!(f, "{what} has {got} elements, expected {expected}")
            }
            LinalgError::NotSymmetric { row, col } => {
                write!(f, "matrix is not symmetric at ({}, {})", row + 1, col + 1)
            }
            LinalgError::NotPositiveDefinite { index } => {
                write!(f, "matrix is not positive definite (pivot {})", index + 1)
            }
            LinalgError::Singular { index } => {
                write!(
                    f,
                    "triangular factor has a zero or non-finite diagonal at {}",
                    index + 1
                )
            }
        }
    }
}

impl std::error::Error for LinalgError {}

/// Checks that `s` has length `expected`.
pub(crate) fn check_len(what: &'static str, s: &[f64], expected: usize) -> Result<(), LinalgError> {
    if s.len() == expected {
        Ok(())
    } else {
        Err(LinalgError::Length {
            what,
            expected,
            got: s.len(),
        })
    }
}

/// Checks an optional adjoint buffer's length.
fn check_opt(
    what: &'static str,
    s: &Option<&mut [f64]>,
    expected: usize,
) -> Result<(), LinalgError> {
    match s {
        Some(s) => check_len(what, s, expected),
        None => Ok(()),
    }
}

/// Checks symmetry of an `n × n` matrix within Stan's absolute tolerance.
pub fn check_symmetric(a: &[f64], n: usize) -> Result<(), LinalgError> {
    check_len("matrix", a, n * n)?;
    for j in 0..n {
        for i in j + 1..n {
            if !((a[i + j * n] - a[j + i * n]).abs() <= CONSTRAINT_TOLERANCE) {
                return Err(LinalgError::NotSymmetric { row: i, col: j });
            }
        }
    }
    Ok(())
}

// --- Cholesky ----------------------------------------------------------------

/// L with L Lᵀ = A for a symmetric positive-definite `n × n` A (lower
/// triangle of A read; upper triangle of L set to 0). Errors when A is not
/// symmetric or not positive definite, as Stan's `cholesky_decompose` throws.
pub fn cholesky_decompose(a: &[f64], n: usize, l: &mut [f64]) -> Result<(), LinalgError> {
    check_symmetric(a, n)?;
    check_len("L", l, n * n)?;
    cholesky_lower(a, n, l)
}

/// The Cholesky factorisation of the lower triangle of `a`: by columns
/// (left-looking, contiguous axpy) below [`CHOLESKY_BLOCKED_MIN_N`], by
/// blocks of [`CHOLESKY_BLOCK`] columns from it (see
/// `crate::cholesky_blocked`). Lengths are checked by the callers.
pub(crate) fn cholesky_lower(a: &[f64], n: usize, l: &mut [f64]) -> Result<(), LinalgError> {
    if n >= CHOLESKY_BLOCKED_MIN_N {
        return cholesky_lower_blocked(a, n, l, CHOLESKY_BLOCK);
    }
    copy_lower(a, n, l);
    factor_columns(l, n, 0, n)
}

/// The smallest order factored by blocks. CPU time of the forward factor,
/// blocked against by columns (BENCHMARKS.md, issue 17.3, 2026-12-05): a
/// tie at n = 8 (one block), 1.17x faster at 16, 1.47x at 32, 1.65x at 64,
/// 1.6-1.7x at 200 and 400.
pub const CHOLESKY_BLOCKED_MIN_N: usize = 16;

/// The width of a block column in the blocked factorisation. Narrow blocks
/// put more of the work in the 4 × 4 register tiles: width 8 was as fast as
/// or faster than 12, 16, 32 and 64 from n = 16 to 400 (within 5% at
/// 200-400, 10-25% faster at 32-64).
pub const CHOLESKY_BLOCK: usize = 8;

/// Reverse mode of [`cholesky_decompose`]: given L and L̄ (lower triangle),
/// accumulates Ā into the lower triangle of `a_adj`.
///
/// Murray's (2016) reverse algorithms ("Differentiation of the Cholesky
/// decomposition", `crate::cholesky_rev`): the level-2 one by columns below
/// [`CHOLESKY_REV_BLOCKED_MIN_N`], the blocked level-3 one with blocks of
/// [`CHOLESKY_REV_BLOCK`] columns from it. L̄ is copied into a reused
/// per-thread work buffer, so warm calls do not allocate.
pub fn cholesky_decompose_adj(
    l: &[f64],
    l_adj: &[f64],
    n: usize,
    a_adj: &mut [f64],
) -> Result<(), LinalgError> {
    check_len("L", l, n * n)?;
    check_len("L adjoint", l_adj, n * n)?;
    check_len("A adjoint", a_adj, n * n)?;
    with_scratch(n * n, |w| {
        w.copy_from_slice(l_adj);
        if n >= CHOLESKY_REV_BLOCKED_MIN_N {
            rev_blocked(l, w, n, CHOLESKY_REV_BLOCK);
        } else {
            rev_columns(l, w, n, 0, n);
        }
        for j in 0..n {
            let range = j * n + j..(j + 1) * n;
            for (a, &x) in a_adj[range.clone()].iter_mut().zip(&w[range]) {
                *a += x;
            }
        }
    });
    Ok(())
}

/// The smallest order whose reverse goes by blocks. CPU time of factor +
/// reverse + one triangular solve and its reverse (`cholesky_bench`),
/// blocked (width 8) against by columns (BENCHMARKS.md, issue 17.3,
/// 2026-12-05): 1.3x slower at n = 16, 1.1x slower at 64, 1.04x faster at
/// 128, 1.15x at 200, 1.27x at 400. Below 128 the block's own level-2 parts
/// (its diagonal reverse, D̄ -= tril(X̄ᵀ C), the solve by D) outweigh what the
/// tiled products save.
pub const CHOLESKY_REV_BLOCKED_MIN_N: usize = 128;

/// The width of a block column in the blocked reverse: 8 beat 16, 32 and 64
/// at every order from 128 to 400 (wider blocks put more of the work in the
/// block's level-2 parts).
pub const CHOLESKY_REV_BLOCK: usize = 8;

// --- products -----------------------------------------------------------------

/// C = A B for A `m × k` and B `k × n` (C is `m × n`; a vector is `n = 1`).
pub fn multiply(
    a: &[f64],
    b: &[f64],
    m: usize,
    k: usize,
    n: usize,
    c: &mut [f64],
) -> Result<(), LinalgError> {
    check_len("A", a, m * k)?;
    check_len("B", b, k * n)?;
    check_len("C", c, m * n)?;
    for j in 0..n {
        for i in 0..m {
            let mut s = 0.0;
            for p in 0..k {
                s += a[i + p * m] * b[p + j * k];
            }
            c[i + j * m] = s;
        }
    }
    Ok(())
}

/// Reverse mode of [`multiply`]: Ā += C̄ Bᵀ, B̄ += Aᵀ C̄.
#[allow(clippy::too_many_arguments)] // mirrors the C signature: three buffers, three sizes
pub fn multiply_adj(
    a: &[f64],
    b: &[f64],
    m: usize,
    k: usize,
    n: usize,
    c_adj: &[f64],
    mut a_adj: Option<&mut [f64]>,
    mut b_adj: Option<&mut [f64]>,
) -> Result<(), LinalgError> {
    check_len("A", a, m * k)?;
    check_len("B", b, k * n)?;
    check_len("C adjoint", c_adj, m * n)?;
    check_opt("A adjoint", &a_adj, m * k)?;
    check_opt("B adjoint", &b_adj, k * n)?;
    for j in 0..n {
        for i in 0..m {
            let g = c_adj[i + j * m];
            if g == 0.0 {
                continue;
            }
            for p in 0..k {
                if let Some(aa) = a_adj.as_deref_mut() {
                    aa[i + p * m] += g * b[p + j * k];
                }
                if let Some(bb) = b_adj.as_deref_mut() {
                    bb[p + j * k] += g * a[i + p * m];
                }
            }
        }
    }
    Ok(())
}

/// L Lᵀ for a lower-triangular `n × n` L (its upper triangle is not read).
pub fn multiply_lower_tri_self_transpose(
    l: &[f64],
    n: usize,
    out: &mut [f64],
) -> Result<(), LinalgError> {
    check_len("L", l, n * n)?;
    check_len("output", out, n * n)?;
    for j in 0..n {
        for i in j..n {
            let mut s = 0.0;
            for k in 0..=j {
                s += l[i + k * n] * l[j + k * n];
            }
            out[i + j * n] = s;
            out[j + i * n] = s;
        }
    }
    Ok(())
}

/// Reverse mode of [`multiply_lower_tri_self_transpose`]:
/// L̄ += lower((C̄ + C̄ᵀ) L).
pub fn multiply_lower_tri_self_transpose_adj(
    l: &[f64],
    n: usize,
    out_adj: &[f64],
    l_adj: &mut [f64],
) -> Result<(), LinalgError> {
    check_len("L", l, n * n)?;
    check_len("output adjoint", out_adj, n * n)?;
    check_len("L adjoint", l_adj, n * n)?;
    for k in 0..n {
        for i in k..n {
            // ∂C[i,j]/∂L[i,k] = L[j,k] (and the same through C[j,i]) for j >= k
            let mut s = 0.0;
            for j in k..n {
                s += (out_adj[i + j * n] + out_adj[j + i * n]) * l[j + k * n];
            }
            l_adj[i + k * n] += s;
        }
    }
    Ok(())
}

/// diag(v) M: row i of the `m × n` matrix M scaled by `v[i]`.
pub fn diag_pre_multiply(
    v: &[f64],
    mat: &[f64],
    m: usize,
    n: usize,
    out: &mut [f64],
) -> Result<(), LinalgError> {
    check_len("v", v, m)?;
    check_len("M", mat, m * n)?;
    check_len("output", out, m * n)?;
    for j in 0..n {
        for i in 0..m {
            out[i + j * m] = v[i] * mat[i + j * m];
        }
    }
    Ok(())
}

/// Reverse mode of [`diag_pre_multiply`]: v̄_i += Σ_j C̄_ij M_ij, M̄_ij += v_i C̄_ij.
#[allow(clippy::too_many_arguments)] // mirrors the C signature
pub fn diag_pre_multiply_adj(
    v: &[f64],
    mat: &[f64],
    m: usize,
    n: usize,
    out_adj: &[f64],
    mut v_adj: Option<&mut [f64]>,
    mut m_adj: Option<&mut [f64]>,
) -> Result<(), LinalgError> {
    check_len("v", v, m)?;
    check_len("M", mat, m * n)?;
    check_len("output adjoint", out_adj, m * n)?;
    check_opt("v adjoint", &v_adj, m)?;
    check_opt("M adjoint", &m_adj, m * n)?;
    for j in 0..n {
        for i in 0..m {
            let g = out_adj[i + j * m];
            if let Some(va) = v_adj.as_deref_mut() {
                va[i] += g * mat[i + j * m];
            }
            if let Some(ma) = m_adj.as_deref_mut() {
                ma[i + j * m] += g * v[i];
            }
        }
    }
    Ok(())
}

// --- triangular solves ---------------------------------------------------------

/// Checks the diagonal of a triangular factor.
fn check_diag(l: &[f64], n: usize) -> Result<(), LinalgError> {
    for i in 0..n {
        let d = l[i + i * n];
        if d == 0.0 || !d.is_finite() {
            return Err(LinalgError::Singular { index: i });
        }
    }
    Ok(())
}

/// Solves L x = b in place (forward substitution) for `ncols` right-hand
/// sides, column-oriented: once x_k is known, it is removed from the rest of
/// the right-hand side with column k of L, which is contiguous in memory.
fn forward_subst(l: &[f64], n: usize, x: &mut [f64], ncols: usize) {
    for c in 0..ncols {
        let col = &mut x[c * n..(c + 1) * n];
        for k in 0..n {
            let xk = col[k] / l[k + k * n];
            col[k] = xk;
            for (xi, &lik) in col[k + 1..].iter_mut().zip(&l[k * n + k + 1..(k + 1) * n]) {
                *xi -= lik * xk;
            }
        }
    }
}

/// Solves Lᵀ x = b in place (back substitution) for `ncols` right-hand sides.
fn back_subst_transpose(l: &[f64], n: usize, x: &mut [f64], ncols: usize) {
    for c in 0..ncols {
        let col = &mut x[c * n..(c + 1) * n];
        for i in (0..n).rev() {
            let mut s = col[i];
            for k in i + 1..n {
                s -= l[k + i * n] * col[k];
            }
            col[i] = s / l[i + i * n];
        }
    }
}

/// X = L⁻¹ B for a lower-triangular `n × n` L and an `n × ncols` B.
pub fn mdivide_left_tri_low(
    l: &[f64],
    n: usize,
    b: &[f64],
    ncols: usize,
    out: &mut [f64],
) -> Result<(), LinalgError> {
    check_len("L", l, n * n)?;
    check_len("B", b, n * ncols)?;
    check_len("output", out, n * ncols)?;
    check_diag(l, n)?;
    out.copy_from_slice(b);
    forward_subst(l, n, out, ncols);
    Ok(())
}

/// Reverse mode of [`mdivide_left_tri_low`] given the solution X:
/// G = L⁻ᵀ X̄; B̄ += G; L̄ -= lower(G Xᵀ).
#[allow(clippy::too_many_arguments)] // mirrors the C signature
pub fn mdivide_left_tri_low_adj(
    l: &[f64],
    n: usize,
    x: &[f64],
    ncols: usize,
    x_adj: &[f64],
    l_adj: Option<&mut [f64]>,
    b_adj: Option<&mut [f64]>,
) -> Result<(), LinalgError> {
    check_len("L", l, n * n)?;
    check_len("X", x, n * ncols)?;
    check_len("X adjoint", x_adj, n * ncols)?;
    check_opt("L adjoint", &l_adj, n * n)?;
    check_opt("B adjoint", &b_adj, n * ncols)?;
    check_diag(l, n)?;
    with_scratch(n * ncols, |g| {
        g.copy_from_slice(x_adj);
        back_subst_transpose(l, n, g, ncols);
        if let Some(ba) = b_adj {
            ba.iter_mut().zip(g.iter()).for_each(|(a, gi)| *a += gi);
        }
        if let Some(la) = l_adj {
            for c in 0..ncols {
                for j in 0..n {
                    let xj = x[j + c * n];
                    for i in j..n {
                        la[i + j * n] -= g[i + c * n] * xj;
                    }
                }
            }
        }
    });
    Ok(())
}

/// ln det(L Lᵀ) = 2 Σ ln L_ii for a Cholesky factor L (NaN if a diagonal
/// element is negative).
pub fn log_det_cholesky(l: &[f64], n: usize) -> Result<f64, LinalgError> {
    check_len("L", l, n * n)?;
    Ok(2.0 * (0..n).map(|i| l[i + i * n].ln()).sum::<f64>())
}

/// Reverse mode of [`log_det_cholesky`]: L̄_ii += 2 w / L_ii.
pub fn log_det_cholesky_adj(
    l: &[f64],
    n: usize,
    w: f64,
    l_adj: &mut [f64],
) -> Result<(), LinalgError> {
    check_len("L", l, n * n)?;
    check_len("L adjoint", l_adj, n * n)?;
    for i in 0..n {
        l_adj[i + i * n] += 2.0 * w / l[i + i * n];
    }
    Ok(())
}

// --- vector functions ------------------------------------------------------------

/// softmax(x)_i = e^{x_i} / Σ e^{x_j} (stable for large x).
pub fn softmax(x: &[f64], out: &mut [f64]) -> Result<(), LinalgError> {
    check_len("output", out, x.len())?;
    let lse = log_sum_exp_slice(x);
    out.iter_mut()
        .zip(x)
        .for_each(|(o, xi)| *o = (xi - lse).exp());
    Ok(())
}

/// Reverse mode of [`softmax`] given its output s: x̄ += s ⊙ (s̄ - s·s̄).
pub fn softmax_adj(s: &[f64], s_adj: &[f64], x_adj: &mut [f64]) -> Result<(), LinalgError> {
    check_len("softmax adjoint", s_adj, s.len())?;
    check_len("x adjoint", x_adj, s.len())?;
    let dot: f64 = s.iter().zip(s_adj).map(|(a, b)| a * b).sum();
    for i in 0..s.len() {
        x_adj[i] += s[i] * (s_adj[i] - dot);
    }
    Ok(())
}

/// log_softmax(x)_i = x_i - ln Σ e^{x_j}.
pub fn log_softmax(x: &[f64], out: &mut [f64]) -> Result<(), LinalgError> {
    check_len("output", out, x.len())?;
    let lse = log_sum_exp_slice(x);
    out.iter_mut().zip(x).for_each(|(o, xi)| *o = xi - lse);
    Ok(())
}

/// Reverse mode of [`log_softmax`] given its input x: x̄ += ȳ - softmax(x) Σ ȳ.
pub fn log_softmax_adj(x: &[f64], y_adj: &[f64], x_adj: &mut [f64]) -> Result<(), LinalgError> {
    check_len("output adjoint", y_adj, x.len())?;
    check_len("x adjoint", x_adj, x.len())?;
    let lse = log_sum_exp_slice(x);
    let total: f64 = y_adj.iter().sum();
    for i in 0..x.len() {
        x_adj[i] += y_adj[i] - (x[i] - lse).exp() * total;
    }
    Ok(())
}

/// Reverse mode of `log_sum_exp(x)`: x̄ += w softmax(x). Returns the value.
pub fn log_sum_exp_adj(x: &[f64], w: f64, x_adj: &mut [f64]) -> Result<f64, LinalgError> {
    check_len("x adjoint", x_adj, x.len())?;
    let lse = log_sum_exp_slice(x);
    if lse.is_finite() {
        for i in 0..x.len() {
            x_adj[i] += w * (x[i] - lse).exp();
        }
    }
    Ok(lse)
}

// --- C ABI -------------------------------------------------------------------------

/// Status code of the C forms: 0 success, 1 the routine's own error (not
/// symmetric, not positive definite, singular), 2 a bad size or null input.
pub(crate) fn status(r: Result<(), LinalgError>) -> i32 {
    match r {
        Ok(()) => 0,
        Err(LinalgError::Length { .. }) => 2,
        Err(_) => 1,
    }
}

/// The sizes of a decomposition's C form: `m × n` and `k = min(m, n)`,
/// both positive (Stan refuses an empty matrix) and `k` as given.
pub(crate) fn thin_sizes(m: i64, n: i64, k: i64) -> Option<(usize, usize, usize)> {
    let (m, n, k) = (crate::ffi::size(m)?, crate::ffi::size(n)?, crate::ffi::size(k)?);
    (m > 0 && n > 0 && k == m.min(n)).then_some((m, n, k))
}

/// Applies the plane rotation `(c, s)` to columns `p` and `q` of the
/// column-major `a` (`rows` rows): `a_p <- c a_p - s a_q`,
/// `a_q <- s a_p + c a_q` (the Jacobi methods' update).
pub(crate) fn rotate_columns(a: &mut [f64], rows: usize, p: usize, q: usize, c: f64, s: f64) {
    for i in 0..rows {
        let (x, y) = (a[i + p * rows], a[i + q * rows]);
        a[i + p * rows] = c * x - s * y;
        a[i + q * rows] = s * x + c * y;
    }
}

/// Converts a pair of sizes; None when negative or the product overflows.
fn dims(m: i64, n: i64) -> Option<(usize, usize, usize)> {
    let m = usize::try_from(m).ok()?;
    let n = usize::try_from(n).ok()?;
    Some((m, n, m.checked_mul(n)?))
}

/// C form of [`cholesky_decompose`]; returns a status (0 ok, 1 not SPD, 2 bad input).
///
/// # Safety
/// `a` readable and `l` writable for `n*n` values, or null.
pub unsafe extern "C" fn hbm_cholesky_decompose(a: *const f64, n: i64, l: *mut f64) -> i32 {
    let Some(n) = size(n) else { return 2 };
    // SAFETY: caller contract.
    match unsafe { (slice(a, n * n), slice_mut(l, n * n)) } {
        (Some(a), Some(l)) => status(cholesky_decompose(a, n, l)),
        _ => 2,
    }
}

/// C form of [`cholesky_decompose_adj`].
///
/// # Safety
/// All pointers valid for `n*n` values (or null, which does nothing).
pub unsafe extern "C" fn hbm_cholesky_decompose_adj(
    l: *const f64,
    l_adj: *const f64,
    n: i64,
    a_adj: *mut f64,
) -> i32 {
    let Some(n) = size(n) else { return 2 };
    // SAFETY: caller contract.
    match unsafe {
        (
            slice(l, n * n),
            slice(l_adj, n * n),
            slice_mut(a_adj, n * n),
        )
    } {
        (Some(l), Some(lb), Some(ab)) => status(cholesky_decompose_adj(l, lb, n, ab)),
        _ => 2,
    }
}

/// C form of [`multiply`].
///
/// # Safety
/// `a` valid for `m*k`, `b` for `k*n`, `c` for `m*n` values.
pub unsafe extern "C" fn hbm_multiply(
    a: *const f64,
    b: *const f64,
    m: i64,
    k: i64,
    n: i64,
    c: *mut f64,
) -> i32 {
    let (Some((m, k, mk)), Some((_, n, kn))) = (dims(m, k), dims(k, n)) else {
        return 2;
    };
    let Some(mn) = m.checked_mul(n) else { return 2 };
    // SAFETY: caller contract.
    match unsafe { (slice(a, mk), slice(b, kn), slice_mut(c, mn)) } {
        (Some(a), Some(b), Some(c)) => status(multiply(a, b, m, k, n, c)),
        _ => 2,
    }
}

/// C form of [`multiply_adj`] (null `a_adj` / `b_adj` are skipped).
///
/// # Safety
/// As [`hbm_multiply`], adjoint buffers sized like their primals.
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn hbm_multiply_adj(
    a: *const f64,
    b: *const f64,
    m: i64,
    k: i64,
    n: i64,
    c_adj: *const f64,
    a_adj: *mut f64,
    b_adj: *mut f64,
) -> i32 {
    let (Some((m, k, mk)), Some((_, n, kn))) = (dims(m, k), dims(k, n)) else {
        return 2;
    };
    let Some(mn) = m.checked_mul(n) else { return 2 };
    // SAFETY: caller contract.
    unsafe {
        match (slice(a, mk), slice(b, kn), slice(c_adj, mn)) {
            (Some(a), Some(b), Some(cb)) => status(multiply_adj(
                a,
                b,
                m,
                k,
                n,
                cb,
                slice_mut(a_adj, mk),
                slice_mut(b_adj, kn),
            )),
            _ => 2,
        }
    }
}

/// C form of [`multiply_lower_tri_self_transpose`].
///
/// # Safety
/// `l` and `out` valid for `n*n` values.
pub unsafe extern "C" fn hbm_multiply_lower_tri_self_transpose(
    l: *const f64,
    n: i64,
    out: *mut f64,
) -> i32 {
    let Some(n) = size(n) else { return 2 };
    // SAFETY: caller contract.
    match unsafe { (slice(l, n * n), slice_mut(out, n * n)) } {
        (Some(l), Some(o)) => status(multiply_lower_tri_self_transpose(l, n, o)),
        _ => 2,
    }
}

/// C form of [`multiply_lower_tri_self_transpose_adj`].
///
/// # Safety
/// All pointers valid for `n*n` values.
pub unsafe extern "C" fn hbm_multiply_lower_tri_self_transpose_adj(
    l: *const f64,
    n: i64,
    out_adj: *const f64,
    l_adj: *mut f64,
) -> i32 {
    let Some(n) = size(n) else { return 2 };
    // SAFETY: caller contract.
    match unsafe {
        (
            slice(l, n * n),
            slice(out_adj, n * n),
            slice_mut(l_adj, n * n),
        )
    } {
        (Some(l), Some(ob), Some(lb)) => {
            status(multiply_lower_tri_self_transpose_adj(l, n, ob, lb))
        }
        _ => 2,
    }
}

/// C form of [`diag_pre_multiply`].
///
/// # Safety
/// `v` valid for `m`, `mat` and `out` for `m*n` values.
pub unsafe extern "C" fn hbm_diag_pre_multiply(
    v: *const f64,
    mat: *const f64,
    m: i64,
    n: i64,
    out: *mut f64,
) -> i32 {
    let Some((m, n, mn)) = dims(m, n) else {
        return 2;
    };
    // SAFETY: caller contract.
    match unsafe { (slice(v, m), slice(mat, mn), slice_mut(out, mn)) } {
        (Some(v), Some(a), Some(o)) => status(diag_pre_multiply(v, a, m, n, o)),
        _ => 2,
    }
}

/// C form of [`diag_pre_multiply_adj`] (null adjoints skipped).
///
/// # Safety
/// As [`hbm_diag_pre_multiply`], adjoint buffers sized like their primals.
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn hbm_diag_pre_multiply_adj(
    v: *const f64,
    mat: *const f64,
    m: i64,
    n: i64,
    out_adj: *const f64,
    v_adj: *mut f64,
    m_adj: *mut f64,
) -> i32 {
    let Some((m, n, mn)) = dims(m, n) else {
        return 2;
    };
    // SAFETY: caller contract.
    unsafe {
        match (slice(v, m), slice(mat, mn), slice(out_adj, mn)) {
            (Some(v), Some(a), Some(ob)) => status(diag_pre_multiply_adj(
                v,
                a,
                m,
                n,
                ob,
                slice_mut(v_adj, m),
                slice_mut(m_adj, mn),
            )),
            _ => 2,
        }
    }
}

/// C form of [`mdivide_left_tri_low`].
///
/// # Safety
/// `l` valid for `n*n`, `b` and `out` for `n*ncols` values.
pub unsafe extern "C" fn hbm_mdivide_left_tri_low(
    l: *const f64,
    n: i64,
    b: *const f64,
    ncols: i64,
    out: *mut f64,
) -> i32 {
    let (Some(n), Some((_, ncols, nb))) = (size(n), dims(n, ncols)) else {
        return 2;
    };
    // SAFETY: caller contract.
    match unsafe { (slice(l, n * n), slice(b, nb), slice_mut(out, nb)) } {
        (Some(l), Some(b), Some(o)) => status(mdivide_left_tri_low(l, n, b, ncols, o)),
        _ => 2,
    }
}

/// C form of [`mdivide_left_tri_low_adj`] (null adjoints skipped).
///
/// # Safety
/// As [`hbm_mdivide_left_tri_low`], `x`/`x_adj`/`b_adj` sized like `b`.
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn hbm_mdivide_left_tri_low_adj(
    l: *const f64,
    n: i64,
    x: *const f64,
    ncols: i64,
    x_adj: *const f64,
    l_adj: *mut f64,
    b_adj: *mut f64,
) -> i32 {
    let (Some(n), Some((_, ncols, nb))) = (size(n), dims(n, ncols)) else {
        return 2;
    };
    // SAFETY: caller contract.
    unsafe {
        match (slice(l, n * n), slice(x, nb), slice(x_adj, nb)) {
            (Some(l), Some(x), Some(xb)) => status(mdivide_left_tri_low_adj(
                l,
                n,
                x,
                ncols,
                xb,
                slice_mut(l_adj, n * n),
                slice_mut(b_adj, nb),
            )),
            _ => 2,
        }
    }
}

/// C form of [`log_det_cholesky`]; NaN on bad input.
///
/// # Safety
/// `l` valid for `n*n` values.
pub unsafe extern "C" fn hbm_log_det_cholesky(l: *const f64, n: i64) -> f64 {
    let Some(n) = size(n) else { return f64::NAN };
    // SAFETY: caller contract.
    match unsafe { slice(l, n * n) } {
        Some(l) => log_det_cholesky(l, n).unwrap_or(f64::NAN),
        None => f64::NAN,
    }
}

/// C form of [`log_det_cholesky_adj`].
///
/// # Safety
/// `l` and `l_adj` valid for `n*n` values.
pub unsafe extern "C" fn hbm_log_det_cholesky_adj(
    l: *const f64,
    n: i64,
    w: f64,
    l_adj: *mut f64,
) -> i32 {
    let Some(n) = size(n) else { return 2 };
    // SAFETY: caller contract.
    match unsafe { (slice(l, n * n), slice_mut(l_adj, n * n)) } {
        (Some(l), Some(lb)) => status(log_det_cholesky_adj(l, n, w, lb)),
        _ => 2,
    }
}

/// C form of [`softmax`].
///
/// # Safety
/// `x` and `out` valid for `n` values.
pub unsafe extern "C" fn hbm_softmax(x: *const f64, n: i64, out: *mut f64) -> i32 {
    let Ok(n) = usize::try_from(n) else { return 2 };
    // SAFETY: caller contract.
    match unsafe { (slice(x, n), slice_mut(out, n)) } {
        (Some(x), Some(o)) => status(softmax(x, o)),
        _ => 2,
    }
}

/// C form of [`softmax_adj`] (takes the softmax output `s`).
///
/// # Safety
/// All pointers valid for `n` values.
pub unsafe extern "C" fn hbm_softmax_adj(
    s: *const f64,
    n: i64,
    s_adj: *const f64,
    x_adj: *mut f64,
) -> i32 {
    let Ok(n) = usize::try_from(n) else { return 2 };
    // SAFETY: caller contract.
    match unsafe { (slice(s, n), slice(s_adj, n), slice_mut(x_adj, n)) } {
        (Some(s), Some(sb), Some(xb)) => status(softmax_adj(s, sb, xb)),
        _ => 2,
    }
}

/// C form of [`log_softmax`].
///
/// # Safety
/// `x` and `out` valid for `n` values.
pub unsafe extern "C" fn hbm_log_softmax(x: *const f64, n: i64, out: *mut f64) -> i32 {
    let Ok(n) = usize::try_from(n) else { return 2 };
    // SAFETY: caller contract.
    match unsafe { (slice(x, n), slice_mut(out, n)) } {
        (Some(x), Some(o)) => status(log_softmax(x, o)),
        _ => 2,
    }
}

/// C form of [`log_softmax_adj`] (takes the input `x`).
///
/// # Safety
/// All pointers valid for `n` values.
pub unsafe extern "C" fn hbm_log_softmax_adj(
    x: *const f64,
    n: i64,
    y_adj: *const f64,
    x_adj: *mut f64,
) -> i32 {
    let Ok(n) = usize::try_from(n) else { return 2 };
    // SAFETY: caller contract.
    match unsafe { (slice(x, n), slice(y_adj, n), slice_mut(x_adj, n)) } {
        (Some(x), Some(yb), Some(xb)) => status(log_softmax_adj(x, yb, xb)),
        _ => 2,
    }
}

/// log Σ e^{x_i} of a vector; NaN on bad input.
///
/// # Safety
/// `x` valid for `n` values.
pub unsafe extern "C" fn hbm_log_sum_exp_vec(x: *const f64, n: i64) -> f64 {
    let Ok(n) = usize::try_from(n) else {
        return f64::NAN;
    };
    // SAFETY: caller contract.
    match unsafe { slice(x, n) } {
        Some(x) => log_sum_exp_slice(x),
        None => f64::NAN,
    }
}

/// C form of [`log_sum_exp_adj`]: returns the value, accumulates w·softmax(x).
///
/// # Safety
/// `x` and `x_adj` valid for `n` values.
pub unsafe extern "C" fn hbm_log_sum_exp_vec_adj(
    x: *const f64,
    n: i64,
    w: f64,
    x_adj: *mut f64,
) -> f64 {
    let Ok(n) = usize::try_from(n) else {
        return f64::NAN;
    };
    // SAFETY: caller contract.
    match unsafe { (slice(x, n), slice_mut(x_adj, n)) } {
        (Some(x), Some(xb)) => log_sum_exp_adj(x, w, xb).unwrap_or(f64::NAN),
        _ => f64::NAN,
    }
}
