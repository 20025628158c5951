//! The eigendecomposition of a symmetric matrix, `eigenvalues_sym` and
//! `eigenvectors_sym`, with their reverse-mode rules. Column-major `n × n`
//! slices, as in [`crate::linalg`]; the `_adj` forms accumulate.
//!
//! The decomposition A = Q diag(λ) Qᵀ is computed by cyclic Jacobi
//! rotations (accurate to the last bits for the small and medium matrices
//! Stan programs decompose). As in Stan, eigenvalues come in ascending
//! order and the eigenvectors are the columns of Q in that order; the sign
//! of each column is fixed so that its largest-magnitude element is
//! positive (Stan leaves it to Eigen; a program can depend only on the
//! sign-free quantities).
//!
//! Reverse mode, with A's perturbations symmetric (Stan's contract):
//! - eigenvalues: dλₖ = qₖᵀ dA qₖ, so Ā += Q diag(λ̄) Qᵀ;
//! - eigenvectors: dqₖ = Σ_{j≠k} qⱼ (qⱼᵀ dA qₖ) / (λₖ - λⱼ), so
//!   Ā += sym(Q C Qᵀ) with C_jk = (Qᵀ Q̄)_jk / (λₖ - λⱼ), C_kk = 0.
//!   Repeated eigenvalues make eigenvectors (and this rule) undefined; a
//!   gap below 1e-300 contributes nothing rather than ±∞.

use crate::decomposition_memo::DecompositionMemo;
use crate::ffi::{size, slice, slice_mut};
use crate::linalg::{rotate_columns, status, LinalgError, CONSTRAINT_TOLERANCE};
use std::cell::RefCell;
use std::rc::Rc;

/// Q (columns the eigenvectors) and λ ascending.
type Eigen = (Vec<f64>, Vec<f64>);

thread_local! {
    /// The forward and reverse sweeps of a gradient decompose each matrix
    /// up to four times (see [`crate::decomposition_memo`]).
    static MEMO: RefCell<DecompositionMemo<Eigen>> = const { RefCell::new(DecompositionMemo::new()) };
}

/// Q and λ of a symmetric `a`, remembered by the thread.
fn decompose(a: &[f64], n: usize) -> Result<Rc<Eigen>, LinalgError> {
    MEMO.with(|memo| memo.borrow_mut().get_or_try(a, (n, n), || decompose_uncached(a, n)))
}

/// Q (columns the eigenvectors) and λ ascending of a symmetric `a`.
fn decompose_uncached(a: &[f64], n: usize) -> Result<Eigen, LinalgError> {
    if a.len() != n * n {
        return Err(LinalgError::Length { what: "A", expected: n * n, got: a.len() });
    }
    for j in 0..n {
        for i in 0..=j {
            let (x, y) = (a[i + j * n], a[j + i * n]);
            let scale = 1.0f64.max(x.abs()).max(y.abs());
            if !((x - y).abs() <= CONSTRAINT_TOLERANCE * scale) {
                return Err(LinalgError::NotSymmetric { row: i, col: j });
            }
        }
    }
    let mut m = a.to_vec();
    let mut q = vec![0.0; n * n];
    for i in 0..n {
        q[i + i * n] = 1.0;
    }
    for _sweep in 0..100 {
        let off: f64 = (0..n).flat_map(|j| (0..j).map(move |i| (i, j))).map(|(i, j)| m[i + j * n].powi(2)).sum();
        let diag: f64 = (0..n).map(|i| m[i + i * n].powi(2)).sum();
        if off <= f64::EPSILON * f64::EPSILON * diag * 1e-4 || off == 0.0 {
            break;
        }
        for p in 0..n {
            for r in p + 1..n {
                let apr = m[p + r * n];
                if apr == 0.0 {
                    continue;
                }
                // The rotation that zeroes m[p, r] (Golub & Van Loan 8.4.2).
                let theta = (m[r + r * n] - m[p + p * n]) / (2.0 * apr);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                // Columns p and r: M <- M J.
                rotate_columns(&mut m, n, p, r, c, s);
                for k in 0..n {
                    // Rows p and r: M <- Jᵀ M.
                    let (mpk, mrk) = (m[p + k * n], m[r + k * n]);
                    m[p + k * n] = c * mpk - s * mrk;
                    m[r + k * n] = s * mpk + c * mrk;
                }
                rotate_columns(&mut q, n, p, r, c, s);
            }
        }
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&i, &j| m[i + i * n].total_cmp(&m[j + j * n]));
    let values: Vec<f64> = order.iter().map(|&i| m[i + i * n]).collect();
    let mut vectors = vec![0.0; n * n];
    for (k, &i) in order.iter().enumerate() {
        let col = &q[i * n..(i + 1) * n];
        let big = col.iter().copied().fold(0.0f64, |b, x| if x.abs() > b.abs() { x } else { b });
        let sign = if big < 0.0 { -1.0 } else { 1.0 };
        for r in 0..n {
            vectors[r + k * n] = sign * col[r];
        }
    }
    if values.iter().chain(&vectors).any(|x| !x.is_finite()) {
        return Err(LinalgError::NotSymmetric { row: 0, col: 0 });
    }
    Ok((vectors, values))
}

/// The eigenvalues of symmetric `a` (`n × n`), ascending, into `out`.
pub fn eigenvalues_sym(a: &[f64], n: usize, out: &mut [f64]) -> Result<(), LinalgError> {
    let d = decompose(a, n)?;
    out[..n].copy_from_slice(&d.1);
    Ok(())
}

/// The eigenvectors of symmetric `a` (`n × n`), as the columns of `out`
/// in the order of the ascending eigenvalues.
pub fn eigenvectors_sym(a: &[f64], n: usize, out: &mut [f64]) -> Result<(), LinalgError> {
    let d = decompose(a, n)?;
    out[..n * n].copy_from_slice(&d.0);
    Ok(())
}

/// Adds `w · sym(Q C Qᵀ)` to `a_adj`.
fn add_congruence(q: &[f64], c: &[f64], n: usize, a_adj: &mut [f64]) {
    // T = Q C, then B = T Qᵀ; accumulate (B + Bᵀ)/2.
    let mut t = vec![0.0; n * n];
    for j in 0..n {
        for k in 0..n {
            let ckj = c[k + j * n];
            if ckj != 0.0 {
                for i in 0..n {
                    t[i + j * n] += q[i + k * n] * ckj;
                }
            }
        }
    }
    let mut b = vec![0.0; n * n];
    for j in 0..n {
        for k in 0..n {
            let qjk = q[j + k * n];
            for i in 0..n {
                b[i + j * n] += t[i + k * n] * qjk;
            }
        }
    }
    for j in 0..n {
        for i in 0..n {
            a_adj[i + j * n] += 0.5 * (b[i + j * n] + b[j + i * n]);
        }
    }
}

/// Reverse mode of [`eigenvalues_sym`]: Ā += Q diag(λ̄) Qᵀ.
pub fn eigenvalues_sym_adj(a: &[f64], n: usize, values_adj: &[f64], a_adj: &mut [f64]) -> Result<(), LinalgError> {
    let d = decompose(a, n)?;
    let q = &d.0;
    let mut c = vec![0.0; n * n];
    for k in 0..n {
        c[k + k * n] = values_adj[k];
    }
    add_congruence(q, &c, n, a_adj);
    Ok(())
}

/// Reverse mode of [`eigenvectors_sym`] (see the module doc).
pub fn eigenvectors_sym_adj(a: &[f64], n: usize, vectors_adj: &[f64], a_adj: &mut [f64]) -> Result<(), LinalgError> {
    let d = decompose(a, n)?;
    let (q, values) = (&d.0, &d.1);
    let mut c = vec![0.0; n * n];
    for k in 0..n {
        for j in 0..n {
            let gap = values[k] - values[j];
            if j == k || gap.abs() < 1e-300 {
                continue;
            }
            // (Qᵀ Q̄)_jk = q_j · q̄_k
            let dot: f64 = (0..n).map(|r| q[r + j * n] * vectors_adj[r + k * n]).sum();
            c[j + k * n] = dot / gap;
        }
    }
    add_congruence(q, &c, n, a_adj);
    Ok(())
}

macro_rules! c_eigen {
    ($c:ident, $cadj:ident, $f:ident, $fadj:ident, $len:expr) => {
        #[doc = concat!("C form of [`", stringify!($f), "`]: 0 ok, 1 not symmetric or not finite, 2 bad input.")]
        ///
        /// # Safety
        /// `a` readable for `n * n` values and `out` writable for the result, or null.
        pub unsafe extern "C" fn $c(a: *const f64, n: i64, out: *mut f64) -> i32 {
            let Some(n) = size(n) else { return 2 };
            let len: fn(usize) -> usize = $len;
            // SAFETY: caller contract.
            match unsafe { (slice(a, n * n), slice_mut(out, len(n))) } {
                (Some(a), Some(o)) => status($f(a, n, o)),
                _ => 2,
            }
        }
        #[doc = concat!("C form of [`", stringify!($fadj), "`].")]
        ///
        /// # Safety
        /// All pointers valid for their extents (`a`, `a_adj`: `n * n`), or null.
        pub unsafe extern "C" fn $cadj(a: *const f64, n: i64, out_adj: *const f64, a_adj: *mut f64) -> i32 {
            let Some(n) = size(n) else { return 2 };
            let len: fn(usize) -> usize = $len;
            // SAFETY: caller contract.
            match unsafe { (slice(a, n * n), slice(out_adj, len(n)), slice_mut(a_adj, n * n)) } {
                (Some(a), Some(ob), Some(ab)) => status($fadj(a, n, ob, ab)),
                _ => 2,
            }
        }
    };
}
c_eigen!(hbm_eigenvalues_sym, hbm_eigenvalues_sym_adj, eigenvalues_sym, eigenvalues_sym_adj, |n| n);
c_eigen!(hbm_eigenvectors_sym, hbm_eigenvectors_sym_adj, eigenvectors_sym, eigenvectors_sym_adj, |n| n * n);
