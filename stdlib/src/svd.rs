//! The singular value decomposition, `singular_values`, `svd_U` and
//! `svd_V`, and the Moore–Penrose inverse `generalized_inverse`, with their
//! reverse-mode rules. Column-major slices, as in [`crate::linalg`]; the
//! `_adj` forms accumulate.
//!
//! With `k = min(m, n)`, A (`m × n`) = U diag(s) Vᵀ with U `m × k`, V
//! `n × k` and s descending, as Stan's thin SVD. It is computed by one-sided
//! Jacobi rotations (Hestenes), accurate to the last bits for the small and
//! medium matrices Stan programs decompose. Singular vectors are defined up
//! to a joint sign; here the largest-magnitude element of each column of U
//! is positive (Stan leaves the sign to Eigen; a program can depend only on
//! the sign-free quantities).
//!
//! Reverse mode (Townsend 2016, "Differentiating the singular value
//! decomposition"), with `F_ij = 1 / (s_j² - s_i²)` off the diagonal:
//! `Ā += U [(F ∘ (UᵀŪ - ŪᵀU)) S + diag(s̄) + S (F ∘ (VᵀV̄ - V̄ᵀV))] Vᵀ
//! + (I - UUᵀ) Ū S⁻¹ Vᵀ + U S⁻¹ V̄ᵀ (I - VVᵀ)`. Repeated singular values
//! make the vectors (and this rule) undefined; a gap below 1e-300
//! contributes nothing rather than ±∞.
//!
//! The Moore–Penrose inverse is `V diag(1/s) Uᵀ` over the singular values
//! above `max(m, n) ε s₁` (numpy's `pinv` cut-off); a square matrix of full
//! rank gets its inverse. Its reverse mode (Golub & Pereyra 1973), where the
//! rank is locally constant: `Ā += -A⁺ᵀ X̄ A⁺ᵀ + (I - A A⁺) X̄ᵀ A⁺ A⁺ᵀ
//! + A⁺ᵀ A⁺ X̄ᵀ (I - A⁺ A)`.

use crate::ffi::{size, slice, slice_mut};
use crate::linalg::{rotate_columns, status, thin_sizes, LinalgError};
use crate::decomposition_memo::DecompositionMemo;
use std::cell::RefCell;
use std::rc::Rc;

/// The thin SVD of `a` (`m × n`): U (`m × k`), s (descending), V (`n × k`).
struct Svd {
    u: Vec<f64>,
    s: Vec<f64>,
    v: Vec<f64>,
}

/// One-sided Jacobi SVD of a tall `w` (`m × n`, `m >= n`): orthogonalises
/// its columns by rotations, accumulated in V.
fn jacobi_tall(mut w: Vec<f64>, m: usize, n: usize) -> Svd {
    let mut v = vec![0.0; n * n];
    for i in 0..n {
        v[i + i * n] = 1.0;
    }
    let col = |w: &[f64], p: usize, q: usize| -> (f64, f64, f64) {
        let (mut a, mut b, mut g) = (0.0, 0.0, 0.0);
        for i in 0..m {
            let (x, y) = (w[i + p * m], w[i + q * m]);
            a += x * x;
            b += y * y;
            g += x * y;
        }
        (a, b, g)
    };
    for _sweep in 0..60 {
        let mut rotated = false;
        for p in 0..n {
            for q in p + 1..n {
                let (alpha, beta, gamma) = col(&w, p, q);
                if gamma == 0.0 || gamma.abs() <= f64::EPSILON * (alpha * beta).sqrt() {
                    continue;
                }
                rotated = true;
                let zeta = (beta - alpha) / (2.0 * gamma);
                let t = zeta.signum() / (zeta.abs() + (1.0 + zeta * zeta).sqrt());
                let c = 1.0 / (1.0 + t * t).sqrt();
                let s = c * t;
                rotate_columns(&mut w, m, p, q, c, s);
                rotate_columns(&mut v, n, p, q, c, s);
            }
        }
        if !rotated {
            break;
        }
    }
    let norms: Vec<f64> = (0..n).map(|j| w[j * m..(j + 1) * m].iter().map(|x| x * x).sum::<f64>().sqrt()).collect();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&i, &j| norms[j].total_cmp(&norms[i]));
    let mut u = vec![0.0; m * n];
    let mut vs = vec![0.0; n * n];
    let mut s = vec![0.0; n];
    for (k, &j) in order.iter().enumerate() {
        s[k] = norms[j];
        if norms[j] > 0.0 {
            for i in 0..m {
                u[i + k * m] = w[i + j * m] / norms[j];
            }
        }
        vs[k * n..(k + 1) * n].copy_from_slice(&v[j * n..(j + 1) * n]);
    }
    complete_orthonormal(&mut u, m, n, &s);
    // The sign: the largest-magnitude element of each column of U positive.
    for k in 0..n {
        let colk = &u[k * m..(k + 1) * m];
        let big = colk.iter().copied().fold(0.0f64, |b, x| if x.abs() > b.abs() { x } else { b });
        if big < 0.0 {
            u[k * m..(k + 1) * m].iter_mut().for_each(|x| *x = -*x);
            vs[k * n..(k + 1) * n].iter_mut().for_each(|x| *x = -*x);
        }
    }
    Svd { u, s, v: vs }
}

/// Columns of `u` for zero singular values (rank-deficient A) replaced by
/// unit vectors orthogonal to the others (Gram–Schmidt from the standard
/// basis), so U keeps orthonormal columns.
fn complete_orthonormal(u: &mut [f64], m: usize, k: usize, s: &[f64]) {
    for j in (0..k).filter(|&j| s[j] == 0.0) {
        for e in 0..m {
            let mut cand = vec![0.0; m];
            cand[e] = 1.0;
            for l in (0..k).filter(|&l| l != j && (s[l] > 0.0 || l < j)) {
                let d: f64 = (0..m).map(|i| u[i + l * m] * cand[i]).sum();
                for i in 0..m {
                    cand[i] -= d * u[i + l * m];
                }
            }
            let nrm = cand.iter().map(|x| x * x).sum::<f64>().sqrt();
            if nrm > 1e-8 {
                for i in 0..m {
                    u[i + j * m] = cand[i] / nrm;
                }
                break;
            }
        }
    }
}

thread_local! {
    /// `singular_values`, `svd_U` and `svd_V` of one matrix and their
    /// reverse rules decompose it once (see [`crate::decomposition_memo`]).
    static MEMO: RefCell<DecompositionMemo<Svd>> = const { RefCell::new(DecompositionMemo::new()) };
}

/// The thin SVD of `a` (`m × n`), remembered by the thread.
fn decompose(a: &[f64], m: usize, n: usize) -> Result<Rc<Svd>, LinalgError> {
    MEMO.with(|memo| memo.borrow_mut().get_or_try(a, (m, n), || decompose_uncached(a, m, n)))
}

/// The thin SVD of `a` (`m × n`).
fn decompose_uncached(a: &[f64], m: usize, n: usize) -> Result<Svd, LinalgError> {
    if a.len() != m * n {
        return Err(LinalgError::Length { what: "A", expected: m * n, got: a.len() });
    }
    if a.iter().any(|x| !x.is_finite()) {
        return Err(LinalgError::Singular { index: 0 });
    }
    if m >= n {
        return Ok(jacobi_tall(a.to_vec(), m, n));
    }
    // Aᵀ = U' S V'ᵀ, so A = V' S U'ᵀ.
    let at: Vec<f64> = (0..m).flat_map(|i| (0..n).map(move |j| a[i + j * m])).collect();
    let t = jacobi_tall(at, n, m);
    let mut svd = Svd { u: t.v, s: t.s, v: t.u };
    // Keep the sign convention on U.
    for k in 0..m {
        let colk = &svd.u[k * m..(k + 1) * m];
        let big = colk.iter().copied().fold(0.0f64, |b, x| if x.abs() > b.abs() { x } else { b });
        if big < 0.0 {
            svd.u[k * m..(k + 1) * m].iter_mut().for_each(|x| *x = -*x);
            svd.v[k * n..(k + 1) * n].iter_mut().for_each(|x| *x = -*x);
        }
    }
    Ok(svd)
}

/// The singular values of `a` (`m × n`), descending, into `out` (`min(m, n)`).
pub fn singular_values(a: &[f64], m: usize, n: usize, out: &mut [f64]) -> Result<(), LinalgError> {
    let d = decompose(a, m, n)?;
    out[..d.s.len()].copy_from_slice(&d.s);
    Ok(())
}

/// The left singular vectors (`m × min(m, n)`) of `a` into `out`.
pub fn svd_u(a: &[f64], m: usize, n: usize, out: &mut [f64]) -> Result<(), LinalgError> {
    let d = decompose(a, m, n)?;
    out[..d.u.len()].copy_from_slice(&d.u);
    Ok(())
}

/// The right singular vectors (`n × min(m, n)`) of `a` into `out`.
pub fn svd_v(a: &[f64], m: usize, n: usize, out: &mut [f64]) -> Result<(), LinalgError> {
    let d = decompose(a, m, n)?;
    out[..d.v.len()].copy_from_slice(&d.v);
    Ok(())
}

/// `c (r × q) += a (r × p) · b (p × q)`, column-major, with `a` and `b`
/// optionally transposed (`ta`: `a` stored `p × r`; `tb`: `b` stored `q × p`).
#[allow(clippy::too_many_arguments)]
fn gemm(c: &mut [f64], a: &[f64], b: &[f64], r: usize, p: usize, q: usize, ta: bool, tb: bool, alpha: f64) {
    for j in 0..q {
        for l in 0..p {
            let blj = if tb { b[j + l * q] } else { b[l + j * p] };
            if blj == 0.0 {
                continue;
            }
            let w = alpha * blj;
            for i in 0..r {
                let ail = if ta { a[l + i * p] } else { a[i + l * r] };
                c[i + j * r] += ail * w;
            }
        }
    }
}

/// Reverse mode of the SVD: accumulates into `a_adj` the adjoint of `a`
/// given those of s, U and V (any may be absent; see the module doc).
pub fn svd_adj(
    a: &[f64],
    m: usize,
    n: usize,
    s_adj: Option<&[f64]>,
    u_adj: Option<&[f64]>,
    v_adj: Option<&[f64]>,
    a_adj: &mut [f64],
) -> Result<(), LinalgError> {
    let d = decompose(a, m, n)?;
    let k = m.min(n);
    let (u, s, v) = (&d.u, &d.s, &d.v);
    let f = |i: usize, j: usize| {
        let gap = s[j] * s[j] - s[i] * s[i];
        if i == j || gap.abs() < 1e-300 { 0.0 } else { 1.0 / gap }
    };
    // inner (k × k) = (F ∘ (UᵀŪ - ŪᵀU)) S + diag(s̄) + S (F ∘ (VᵀV̄ - V̄ᵀV)).
    let mut inner = vec![0.0; k * k];
    if let Some(sb) = s_adj {
        for i in 0..k {
            inner[i + i * k] += sb[i];
        }
    }
    // Any U or V adjoint divides by singular values: a zero one (A not of
    // full rank) makes the vectors non-differentiable.
    if (u_adj.is_some() || v_adj.is_some()) && s.iter().any(|&x| x == 0.0) {
        return Err(LinalgError::Singular { index: s.iter().position(|&x| x == 0.0).unwrap_or(0) });
    }
    if let Some(ub) = u_adj {
        let mut utub = vec![0.0; k * k];
        gemm(&mut utub, u, ub, k, m, k, true, false, 1.0);
        for j in 0..k {
            for i in 0..k {
                inner[i + j * k] += f(i, j) * (utub[i + j * k] - utub[j + i * k]) * s[j];
            }
        }
        // (I - UUᵀ) Ū S⁻¹ Vᵀ.
        let mut p = ub[..m * k].to_vec();
        gemm(&mut p, u, &utub, m, k, k, false, false, -1.0);
        for j in 0..k {
            for i in 0..m {
                p[i + j * m] /= s[j];
            }
        }
        gemm(a_adj, &p, v, m, k, n, false, true, 1.0);
    }
    if let Some(vb) = v_adj {
        let mut vtvb = vec![0.0; k * k];
        gemm(&mut vtvb, v, vb, k, n, k, true, false, 1.0);
        for j in 0..k {
            for i in 0..k {
                inner[i + j * k] += s[i] * f(i, j) * (vtvb[i + j * k] - vtvb[j + i * k]);
            }
        }
        // U S⁻¹ V̄ᵀ (I - VVᵀ) = U S⁻¹ ((I - VVᵀ) V̄)ᵀ.
        let mut p = vb[..n * k].to_vec();
        gemm(&mut p, v, &vtvb, n, k, k, false, false, -1.0);
        let mut us = u[..m * k].to_vec();
        for j in 0..k {
            for i in 0..m {
                us[i + j * m] /= s[j];
            }
        }
        gemm(a_adj, &us, &p, m, k, n, false, true, 1.0);
    }
    // U inner Vᵀ.
    let mut t = vec![0.0; m * k];
    gemm(&mut t, u, &inner, m, k, k, false, false, 1.0);
    gemm(a_adj, &t, v, m, k, n, false, true, 1.0);
    Ok(())
}

/// The Moore–Penrose inverse (`n × m`) of `a` (`m × n`) into `out`.
pub fn generalized_inverse(a: &[f64], m: usize, n: usize, out: &mut [f64]) -> Result<(), LinalgError> {
    let p = pinv(a, m, n)?;
    out[..n * m].copy_from_slice(&p);
    Ok(())
}

/// `V diag(1/s) Uᵀ` over the singular values above the cut-off.
fn pinv(a: &[f64], m: usize, n: usize) -> Result<Vec<f64>, LinalgError> {
    let d = decompose(a, m, n)?;
    let k = m.min(n);
    let cut = m.max(n) as f64 * f64::EPSILON * d.s.first().copied().unwrap_or(0.0);
    let mut vs = d.v.clone();
    for j in 0..k {
        let w = if d.s[j] > cut { 1.0 / d.s[j] } else { 0.0 };
        vs[j * n..(j + 1) * n].iter_mut().for_each(|x| *x *= w);
    }
    let mut out = vec![0.0; n * m];
    gemm(&mut out, &vs, &d.u, n, k, m, false, true, 1.0);
    Ok(out)
}

/// Reverse mode of [`generalized_inverse`] given the adjoint `x_adj`
/// (`n × m`) of A⁺ (see the module doc).
pub fn generalized_inverse_adj(a: &[f64], m: usize, n: usize, x_adj: &[f64], a_adj: &mut [f64]) -> Result<(), LinalgError> {
    let p = pinv(a, m, n)?; // n × m
    // -A⁺ᵀ X̄ A⁺ᵀ: (m × n)(n × m)(m × n).
    let mut t = vec![0.0; m * m];
    gemm(&mut t, &p, x_adj, m, n, m, true, false, 1.0); // A⁺ᵀ X̄ (m × m)
    gemm(a_adj, &t, &p, m, m, n, false, true, -1.0);
    // (I - A A⁺) X̄ᵀ A⁺ A⁺ᵀ.
    let mut aap = vec![0.0; m * m];
    gemm(&mut aap, a, &p, m, n, m, false, false, 1.0);
    let mut proj = vec![0.0; m * m];
    for j in 0..m {
        for i in 0..m {
            proj[i + j * m] = if i == j { 1.0 } else { 0.0 } - aap[i + j * m];
        }
    }
    let mut ppt = vec![0.0; n * n];
    gemm(&mut ppt, &p, &p, n, m, n, false, true, 1.0); // A⁺ A⁺ᵀ
    let mut xt_ppt = vec![0.0; m * n];
    gemm(&mut xt_ppt, x_adj, &ppt, m, n, n, true, false, 1.0); // X̄ᵀ A⁺ A⁺ᵀ
    gemm(a_adj, &proj, &xt_ppt, m, m, n, false, false, 1.0);
    // A⁺ᵀ A⁺ X̄ᵀ (I - A⁺ A).
    let mut ptp = vec![0.0; m * m];
    gemm(&mut ptp, &p, &p, m, n, m, true, false, 1.0); // A⁺ᵀ A⁺
    let mut ptp_xt = vec![0.0; m * n];
    gemm(&mut ptp_xt, &ptp, x_adj, m, m, n, false, true, 1.0); // A⁺ᵀ A⁺ X̄ᵀ
    let mut pa = vec![0.0; n * n];
    gemm(&mut pa, &p, a, n, m, n, false, false, 1.0);
    let mut proj_n = vec![0.0; n * n];
    for j in 0..n {
        for i in 0..n {
            proj_n[i + j * n] = if i == j { 1.0 } else { 0.0 } - pa[i + j * n];
        }
    }
    gemm(a_adj, &ptp_xt, &proj_n, m, n, n, false, false, 1.0);
    Ok(())
}

macro_rules! c_svd {
    ($c:ident, $cadj:ident, $f:ident, $len:expr, $adj:expr) => {
        #[doc = concat!("C form of [`", stringify!($f), "`]; `k = min(m, n)`. 0 ok, 1 a non-finite element, 2 bad input.")]
        ///
        /// # Safety
        /// `a` readable for `m * n` values, `out` writable for the result, or null.
        pub unsafe extern "C" fn $c(a: *const f64, m: i64, n: i64, k: i64, out: *mut f64) -> i32 {
            let Some((m, n, k)) = thin_sizes(m, n, k) else { return 2 };
            let len: fn(usize, usize, usize) -> usize = $len;
            // SAFETY: caller contract.
            match unsafe { (slice(a, m * n), slice_mut(out, len(m, n, k))) } {
                (Some(a), Some(o)) => status($f(a, m, n, o)),
                _ => 2,
            }
        }
        #[doc = concat!("Reverse mode of [`", stringify!($c), "`], accumulating into `a_adj` (`m × n`).")]
        ///
        /// # Safety
        /// `a`, `a_adj` valid for `m * n` values, `out_adj` for the result, or null.
        pub unsafe extern "C" fn $cadj(a: *const f64, m: i64, n: i64, k: i64, out_adj: *const f64, a_adj: *mut f64) -> i32 {
            let Some((m, n, k)) = thin_sizes(m, n, k) else { return 2 };
            let len: fn(usize, usize, usize) -> usize = $len;
            let adj: fn(&[f64], usize, usize, &[f64], &mut [f64]) -> Result<(), LinalgError> = $adj;
            // SAFETY: caller contract.
            match unsafe { (slice(a, m * n), slice(out_adj, len(m, n, k)), slice_mut(a_adj, m * n)) } {
                (Some(a), Some(ob), Some(ab)) => status(adj(a, m, n, ob, ab)),
                _ => 2,
            }
        }
    };
}
c_svd!(hbm_singular_values, hbm_singular_values_adj, singular_values, |_, _, k| k, |a, m, n, b, ab| svd_adj(a, m, n, Some(b), None, None, ab));
c_svd!(hbm_svd_u, hbm_svd_u_adj, svd_u, |m, _, k| m * k, |a, m, n, b, ab| svd_adj(a, m, n, None, Some(b), None, ab));
c_svd!(hbm_svd_v, hbm_svd_v_adj, svd_v, |_, n, k| n * k, |a, m, n, b, ab| svd_adj(a, m, n, None, None, Some(b), ab));

/// C form of [`generalized_inverse`] (output `n × m`).
///
/// # Safety
/// `a` readable and `out` writable for `m * n` values, or null.
pub unsafe extern "C" fn hbm_generalized_inverse(a: *const f64, m: i64, n: i64, out: *mut f64) -> i32 {
    let Some((m, n)) = size(m).zip(size(n)).filter(|&(m, n)| m > 0 && n > 0) else { return 2 };
    // SAFETY: caller contract.
    match unsafe { (slice(a, m * n), slice_mut(out, m * n)) } {
        (Some(a), Some(o)) => status(generalized_inverse(a, m, n, o)),
        _ => 2,
    }
}

/// Reverse mode of [`hbm_generalized_inverse`], accumulating into `a_adj`.
///
/// # Safety
/// `a`, `out_adj`, `a_adj` valid for `m * n` values, or null.
pub unsafe extern "C" fn hbm_generalized_inverse_adj(a: *const f64, m: i64, n: i64, out_adj: *const f64, a_adj: *mut f64) -> i32 {
    let Some((m, n)) = size(m).zip(size(n)).filter(|&(m, n)| m > 0 && n > 0) else { return 2 };
    // SAFETY: caller contract.
    match unsafe { (slice(a, m * n), slice(out_adj, m * n), slice_mut(a_adj, m * n)) } {
        (Some(a), Some(ob), Some(ab)) => status(generalized_inverse_adj(a, m, n, ob, ab)),
        _ => 2,
    }
}
