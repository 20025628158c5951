//! The QR decomposition, `qr_thin_Q`, `qr_thin_R`, `qr_Q` and `qr_R`, with
//! the reverse-mode rules of the thin factors. Column-major slices, as in
//! [`crate::linalg`]; the `_adj` forms accumulate.
//!
//! The factorisation is Householder's, reflector by reflector as Eigen's
//! `HouseholderQR` (which Stan calls) computes it, so the full `qr_Q` of a
//! tall matrix has Stan's trailing columns too. As in Stan, each column of Q
//! and row of R whose diagonal element of R came out negative is negated,
//! so R's diagonal is non-negative. With `k = min(m, n)`, the thin factors
//! are Q (`m × k`) and R (`k × n`); the full ones Q (`m × m`) and R
//! (`m × n`, zero below row `k`).
//!
//! Reverse mode of the thin factors (Walter & Lehmann 2018; as PyTorch's
//! `linalg_qr_backward`), for A of full rank:
//! - `m >= n`: with `M = R R̄ᵀ - Q̄ᵀ Q` and `copyltu(M)` the symmetric
//!   matrix with M's lower triangle, `Ā += (Q̄ + Q copyltu(M)) R⁻ᵀ`;
//! - `m < n`: A = [X | Y], R = [U | V] with X = Q U square: `Ȳ += Q V̄`, and
//!   X̄ is the square case's with `Q̄ + Y V̄ᵀ` for Q̄ and Ū for R̄.
//!
//! The trailing `m - n` columns of a tall matrix's full Q are not a
//! differentiable function of it (any orthonormal completion would do), so
//! `hbm_qr_q` has no rule; the full R of a tall matrix is the thin R with
//! zero rows below, and its rule is the thin one.

use crate::ffi::{size, slice, slice_mut};
use crate::linalg::{status, thin_sizes, LinalgError};

/// The factors of `a` (`m × n`, column-major): the thin Q (`m × k`), the
/// thin R (`k × n`) and, when `full_q`, the full Q (`m × m`, else empty).
struct Factors {
    q: Vec<f64>,
    r: Vec<f64>,
    q_full: Vec<f64>,
}

/// Applies the reflector `H = I - t v vᵀ`, `v = [0 (j times); 1; essential]`,
/// to one column.
fn reflect(col: &mut [f64], essential: &[f64], j: usize, t: f64) {
    let mut dot = col[j];
    for (v, x) in essential.iter().zip(&col[j + 1..]) {
        dot += v * x;
    }
    let s = t * dot;
    col[j] -= s;
    for (v, x) in essential.iter().zip(&mut col[j + 1..]) {
        *x -= s * v;
    }
}

/// Householder QR of `a` (`m × n`).
fn factor(a: &[f64], m: usize, n: usize, full_q: bool) -> Result<Factors, LinalgError> {
    if a.len() != m * n {
        return Err(LinalgError::Length { what: "A", expected: m * n, got: a.len() });
    }
    if a.iter().any(|x| !x.is_finite()) {
        return Err(LinalgError::Singular { index: 0 });
    }
    let k = m.min(n);
    // `h` holds R above the diagonal and the reflectors' essential parts
    // below it, as Eigen's `matrixQR()`; `tau` the reflectors' scales.
    let mut h = a.to_vec();
    let mut tau = vec![0.0; k];
    for j in 0..k {
        let c0 = h[j + j * m];
        let tail_sq: f64 = (j + 1..m).map(|i| h[i + j * m] * h[i + j * m]).sum();
        let (t, beta) = if tail_sq <= f64::MIN_POSITIVE {
            // Already zero below the diagonal: no reflection (Eigen's
            // `makeHouseholder` tolerance).
            for i in j + 1..m {
                h[i + j * m] = 0.0;
            }
            (0.0, c0)
        } else {
            let norm = (c0 * c0 + tail_sq).sqrt();
            let beta = if c0 >= 0.0 { -norm } else { norm };
            let scale = 1.0 / (c0 - beta);
            for i in j + 1..m {
                h[i + j * m] *= scale;
            }
            ((beta - c0) / beta, beta)
        };
        h[j + j * m] = beta;
        tau[j] = t;
        if t != 0.0 {
            let essential = h[j + 1 + j * m..(j + 1) * m].to_vec();
            for c in j + 1..n {
                reflect(&mut h[c * m..(c + 1) * m], &essential, j, t);
            }
        }
    }
    // Q's columns: H_0 H_1 ... H_{k-1} applied to the identity's first
    // `cols` columns, the last reflector first.
    let build_q = |cols: usize| {
        let mut q = vec![0.0; m * cols];
        for i in 0..cols {
            q[i + i * m] = 1.0;
        }
        for j in (0..k).rev() {
            let t = tau[j];
            if t == 0.0 {
                continue;
            }
            let essential = &h[j + 1 + j * m..(j + 1) * m];
            for c in 0..cols {
                reflect(&mut q[c * m..(c + 1) * m], essential, j, t);
            }
        }
        q
    };
    let flip: Vec<bool> = (0..k).map(|j| h[j + j * m] < 0.0).collect();
    let mut q = build_q(k);
    let mut q_full = if full_q { build_q(m) } else { Vec::new() };
    let mut r = vec![0.0; k * n];
    for c in 0..n {
        for i in 0..=c.min(k - 1) {
            r[i + c * k] = h[i + c * m];
        }
    }
    for (j, _) in flip.iter().enumerate().filter(|(_, &f)| f) {
        for x in &mut q[j * m..(j + 1) * m] {
            *x = -*x;
        }
        if full_q {
            for x in &mut q_full[j * m..(j + 1) * m] {
                *x = -*x;
            }
        }
        for c in 0..n {
            r[j + c * k] = -r[j + c * k];
        }
    }
    Ok(Factors { q, r, q_full })
}

/// The thin Q (`m × min(m, n)`) of `a` (`m × n`) into `out`.
pub fn qr_thin_q(a: &[f64], m: usize, n: usize, out: &mut [f64]) -> Result<(), LinalgError> {
    let f = factor(a, m, n, false)?;
    out[..f.q.len()].copy_from_slice(&f.q);
    Ok(())
}

/// The thin R (`min(m, n) × n`) of `a` (`m × n`) into `out`.
pub fn qr_thin_r(a: &[f64], m: usize, n: usize, out: &mut [f64]) -> Result<(), LinalgError> {
    let f = factor(a, m, n, false)?;
    out[..f.r.len()].copy_from_slice(&f.r);
    Ok(())
}

/// The full Q (`m × m`) of `a` (`m × n`) into `out`.
pub fn qr_q(a: &[f64], m: usize, n: usize, out: &mut [f64]) -> Result<(), LinalgError> {
    let f = factor(a, m, n, true)?;
    out[..m * m].copy_from_slice(&f.q_full);
    Ok(())
}

/// The full R (`m × n`, zero below row `min(m, n)`) of `a` into `out`.
pub fn qr_r(a: &[f64], m: usize, n: usize, out: &mut [f64]) -> Result<(), LinalgError> {
    let f = factor(a, m, n, false)?;
    let k = m.min(n);
    for c in 0..n {
        for i in 0..m {
            out[i + c * m] = if i < k { f.r[i + c * k] } else { 0.0 };
        }
    }
    Ok(())
}

/// Reverse mode of the thin factors: accumulates into `a_adj` the adjoint
/// of `a` given those of Q (`m × k`) and R (`k × n`) (see the module doc).
/// Fails with [`LinalgError::Singular`] when R has a zero diagonal element
/// (A not of full rank: the factors are not differentiable there).
pub fn qr_thin_adj(a: &[f64], m: usize, n: usize, q_adj: Option<&[f64]>, r_adj: Option<&[f64]>, a_adj: &mut [f64]) -> Result<(), LinalgError> {
    let f = factor(a, m, n, false)?;
    let k = m.min(n);
    let (q, r) = (&f.q, &f.r);
    let zero_q = vec![0.0; m * k];
    let zero_r = vec![0.0; k * n];
    let qb = q_adj.unwrap_or(&zero_q);
    let rb = r_adj.unwrap_or(&zero_r);
    // The square part: X = A[:, :k] = Q U with U = R[:, :k]. Q̄ gains Y V̄ᵀ
    // from the columns right of k (none when m >= n).
    let mut qbar = qb[..m * k].to_vec();
    for c in k..n {
        for j in 0..k {
            let vb = rb[j + c * k];
            if vb != 0.0 {
                for i in 0..m {
                    qbar[i + j * m] += a[i + c * m] * vb;
                }
            }
        }
        // Ȳ = Q V̄.
        for j in 0..k {
            let vb = rb[j + c * k];
            if vb != 0.0 {
                for i in 0..m {
                    a_adj[i + c * m] += q[i + j * m] * vb;
                }
            }
        }
    }
    // M = U Ūᵀ - Q̄ᵀ Q (k × k).
    let mut mm = vec![0.0; k * k];
    for j in 0..k {
        for i in 0..k {
            let mut s = 0.0;
            for l in 0..k {
                s += r[i + l * k] * rb[j + l * k];
            }
            for l in 0..m {
                s -= qbar[l + i * m] * q[l + j * m];
            }
            mm[i + j * k] = s;
        }
    }
    // B = Q̄ + Q copyltu(M) (m × k).
    let mut b = qbar;
    for j in 0..k {
        for l in 0..k {
            let c = if l >= j { mm[l + j * k] } else { mm[j + l * k] };
            if c != 0.0 {
                for i in 0..m {
                    b[i + j * m] += q[i + l * m] * c;
                }
            }
        }
    }
    // X̄ += B U⁻ᵀ: each row x of the result solves U xᵀ = bᵀ (back substitution).
    for j in 0..k {
        if r[j + j * k] == 0.0 {
            return Err(LinalgError::Singular { index: j });
        }
    }
    let mut x = vec![0.0; k];
    for i in 0..m {
        for j in (0..k).rev() {
            let mut s = b[i + j * m];
            for l in j + 1..k {
                s -= r[j + l * k] * x[l];
            }
            x[j] = s / r[j + j * k];
        }
        for j in 0..k {
            a_adj[i + j * m] += x[j];
        }
    }
    Ok(())
}

/// C form of [`qr_thin_q`]; `k = min(m, n)` sizes the output `m × k`.
/// 0 ok, 1 a non-finite element, 2 bad input.
///
/// # Safety
/// `a` readable for `m * n` values, `out` writable for `m * k`, or null.
pub unsafe extern "C" fn hbm_qr_thin_q(a: *const f64, m: i64, n: i64, k: i64, out: *mut f64) -> i32 {
    let Some((m, n, k)) = thin_sizes(m, n, k) else { return 2 };
    // SAFETY: caller contract.
    match unsafe { (slice(a, m * n), slice_mut(out, m * k)) } {
        (Some(a), Some(o)) => status(qr_thin_q(a, m, n, o)),
        _ => 2,
    }
}

/// C form of [`qr_thin_r`]; `k = min(m, n)` sizes the output `k × n`.
///
/// # Safety
/// `a` readable for `m * n` values, `out` writable for `k * n`, or null.
pub unsafe extern "C" fn hbm_qr_thin_r(a: *const f64, m: i64, n: i64, k: i64, out: *mut f64) -> i32 {
    let Some((m, n, k)) = thin_sizes(m, n, k) else { return 2 };
    // SAFETY: caller contract.
    match unsafe { (slice(a, m * n), slice_mut(out, k * n)) } {
        (Some(a), Some(o)) => status(qr_thin_r(a, m, n, o)),
        _ => 2,
    }
}

/// C form of [`qr_r`] (output `m × n`).
///
/// # Safety
/// `a` readable and `out` writable for `m * n` values, or null.
pub unsafe extern "C" fn hbm_qr_r(a: *const f64, m: i64, n: i64, out: *mut f64) -> i32 {
    let Some((m, n)) = size(m).zip(size(n)).filter(|&(m, n)| m > 0 && n > 0) else { return 2 };
    // SAFETY: caller contract.
    match unsafe { (slice(a, m * n), slice_mut(out, m * n)) } {
        (Some(a), Some(o)) => status(qr_r(a, m, n, o)),
        _ => 2,
    }
}

/// C form of [`qr_q`] (output `m × m`). No reverse mode (see the module doc).
///
/// # Safety
/// `a` readable for `m * n` values, `out` writable for `m * m`, or null.
pub unsafe extern "C" fn hbm_qr_q(a: *const f64, m: i64, n: i64, out: *mut f64) -> i32 {
    let Some((m, n)) = size(m).zip(size(n)).filter(|&(m, n)| m > 0 && n > 0) else { return 2 };
    // SAFETY: caller contract.
    match unsafe { (slice(a, m * n), slice_mut(out, m * m)) } {
        (Some(a), Some(o)) => status(qr_q(a, m, n, o)),
        _ => 2,
    }
}

/// Reverse mode of [`hbm_qr_thin_q`]: accumulates into `a_adj` (`m × n`).
///
/// # Safety
/// `a`, `a_adj` valid for `m * n` values, `q_adj` for `m * k`, or null.
pub unsafe extern "C" fn hbm_qr_thin_q_adj(a: *const f64, m: i64, n: i64, k: i64, q_adj: *const f64, a_adj: *mut f64) -> i32 {
    let Some((m, n, k)) = thin_sizes(m, n, k) else { return 2 };
    // SAFETY: caller contract.
    match unsafe { (slice(a, m * n), slice(q_adj, m * k), slice_mut(a_adj, m * n)) } {
        (Some(a), Some(qb), Some(ab)) => status(qr_thin_adj(a, m, n, Some(qb), None, ab)),
        _ => 2,
    }
}

/// Reverse mode of [`hbm_qr_thin_r`]: accumulates into `a_adj` (`m × n`).
///
/// # Safety
/// `a`, `a_adj` valid for `m * n` values, `r_adj` for `k * n`, or null.
pub unsafe extern "C" fn hbm_qr_thin_r_adj(a: *const f64, m: i64, n: i64, k: i64, r_adj: *const f64, a_adj: *mut f64) -> i32 {
    let Some((m, n, k)) = thin_sizes(m, n, k) else { return 2 };
    // SAFETY: caller contract.
    match unsafe { (slice(a, m * n), slice(r_adj, k * n), slice_mut(a_adj, m * n)) } {
        (Some(a), Some(rb), Some(ab)) => status(qr_thin_adj(a, m, n, None, Some(rb), ab)),
        _ => 2,
    }
}

/// Reverse mode of [`hbm_qr_r`]: the rows below `min(m, n)` are constant
/// zeros, so only the thin part's adjoint flows back.
///
/// # Safety
/// `a`, `r_adj`, `a_adj` valid for `m * n` values, or null.
pub unsafe extern "C" fn hbm_qr_r_adj(a: *const f64, m: i64, n: i64, r_adj: *const f64, a_adj: *mut f64) -> i32 {
    let Some((m, n)) = size(m).zip(size(n)).filter(|&(m, n)| m > 0 && n > 0) else { return 2 };
    let k = m.min(n);
    // SAFETY: caller contract.
    match unsafe { (slice(a, m * n), slice(r_adj, m * n), slice_mut(a_adj, m * n)) } {
        (Some(a), Some(rb), Some(ab)) => {
            let thin: Vec<f64> = (0..n).flat_map(|c| (0..k).map(move |i| rb[i + c * m])).collect();
            status(qr_thin_adj(a, m, n, None, Some(&thin), ab))
        }
        _ => 2,
    }
}
