//! Eigenvalues and eigenvectors of a general (non-symmetric) real matrix,
//! Stan's `eigenvalues` and `eigenvectors`, whose results are complex.
//! Column-major `n × n` input as in [`crate::linalg`]; complex results are
//! written as pairs (real part, imaginary part), element after element
//! (the layout of Stan's complex containers).
//!
//! Method: orthogonal (Householder) reduction to upper Hessenberg form,
//! then the implicit Francis double-shift QR iteration, which deflates one
//! real eigenvalue or one 2 × 2 block (a real pair or a complex conjugate
//! pair) at a time, with exceptional shifts after 10 and 20 iterations
//! without deflation. As in Eigen (Stan's library), the eigenvalues come
//! in the order the iteration leaves them on the diagonal of the Schur
//! form, not sorted, and a complex pair comes as `a + bi` then `a - bi`
//! with `b > 0`. Eigenvectors are computed by inverse iteration on the
//! original matrix in complex arithmetic, one per eigenvalue, scaled to
//! Euclidean norm one; Eigen leaves the phase free, here it is fixed so
//! that the largest-modulus component is real and positive. A repeated
//! eigenvalue gets one eigenvector repeated (a defective matrix has no
//! basis of eigenvectors; for a symmetric one use `eigenvectors_sym`).
//! No derivatives: complex values exist only in transformed data and
//! generated quantities.

use crate::ffi::{size, slice, slice_mut};

/// Why a decomposition failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EigenError {
    /// A slice's length does not fit `n`.
    Length,
    /// An element of the matrix is NaN or infinite.
    NotFinite,
    /// The QR iteration did not converge (30 n iterations for one eigenvalue).
    NoConvergence,
}

/// Most QR iterations spent on one eigenvalue, per row of the matrix.
const ITERATIONS_PER_ROW: usize = 30;

/// Reduces `h` (row-major `n × n`) to upper Hessenberg form by Householder
/// reflections (similarity transforms, so the eigenvalues are kept).
fn hessenberg(h: &mut [f64], n: usize) {
    for k in 0..n.saturating_sub(2) {
        // The reflection that zeroes column k below row k + 1.
        let scale: f64 = (k + 1..n).map(|i| h[i * n + k].abs()).sum();
        if scale == 0.0 {
            continue;
        }
        let mut v: Vec<f64> = (k + 1..n).map(|i| h[i * n + k] / scale).collect();
        let norm = v.iter().map(|x| x * x).sum::<f64>().sqrt();
        let alpha = if v[0] > 0.0 { -norm } else { norm };
        v[0] -= alpha;
        let vv: f64 = v.iter().map(|x| x * x).sum();
        if vv == 0.0 {
            continue;
        }
        // H <- P H with P = I - 2 v vᵀ / vᵀv on rows k+1..n.
        for j in 0..n {
            let dot: f64 = v.iter().enumerate().map(|(r, vr)| vr * h[(k + 1 + r) * n + j]).sum();
            let f = 2.0 * dot / vv;
            for (r, vr) in v.iter().enumerate() {
                h[(k + 1 + r) * n + j] -= f * vr;
            }
        }
        // H <- H P on columns k+1..n.
        for i in 0..n {
            let dot: f64 = v.iter().enumerate().map(|(c, vc)| vc * h[i * n + k + 1 + c]).sum();
            let f = 2.0 * dot / vv;
            for (c, vc) in v.iter().enumerate() {
                h[i * n + k + 1 + c] -= f * vc;
            }
        }
        for i in k + 2..n {
            h[i * n + k] = 0.0;
        }
    }
}

/// `|a|` with the sign of `b`.
fn with_sign(a: f64, b: f64) -> f64 {
    if b >= 0.0 {
        a.abs()
    } else {
        -a.abs()
    }
}

/// The eigenvalues of the upper Hessenberg `h` (row-major, overwritten) as
/// (real parts, imaginary parts), by the Francis double-shift QR iteration.
fn hessenberg_eigenvalues(h: &mut [f64], n: usize) -> Result<(Vec<f64>, Vec<f64>), EigenError> {
    let mut wr = vec![0.0; n];
    let mut wi = vec![0.0; n];
    let at = |i: usize, j: usize| i * n + j;
    let norm: f64 = (0..n).flat_map(|i| (i.saturating_sub(1)..n).map(move |j| (i, j))).map(|(i, j)| h[at(i, j)].abs()).sum();
    // Shifts already subtracted from the diagonal (exceptional shifts).
    let mut shift = 0.0;
    let mut last = n as isize - 1;
    while last >= 0 {
        let nn = last as usize;
        let mut iterations = 0;
        loop {
            // The lowest negligible subdiagonal element splits the matrix.
            let mut l = nn;
            while l >= 1 {
                let mut s = h[at(l - 1, l - 1)].abs() + h[at(l, l)].abs();
                if s == 0.0 {
                    s = norm;
                }
                if h[at(l, l - 1)].abs() + s == s {
                    h[at(l, l - 1)] = 0.0;
                    break;
                }
                l -= 1;
            }
            let mut x = h[at(nn, nn)];
            if l == nn {
                // One real eigenvalue deflates.
                wr[nn] = x + shift;
                wi[nn] = 0.0;
                last -= 1;
                break;
            }
            let mut y = h[at(nn - 1, nn - 1)];
            let mut w = h[at(nn, nn - 1)] * h[at(nn - 1, nn)];
            if l == nn - 1 {
                // A 2 × 2 block deflates: its two eigenvalues.
                let p = 0.5 * (y - x);
                let q = p * p + w;
                let z = q.abs().sqrt();
                x += shift;
                if q >= 0.0 {
                    let z = p + with_sign(z, p);
                    wr[nn - 1] = x + z;
                    wr[nn] = if z != 0.0 { x - w / z } else { x + z };
                    wi[nn - 1] = 0.0;
                    wi[nn] = 0.0;
                } else {
                    wr[nn - 1] = x + p;
                    wr[nn] = x + p;
                    wi[nn - 1] = z;
                    wi[nn] = -z;
                }
                last -= 2;
                break;
            }
            if iterations == ITERATIONS_PER_ROW * n {
                return Err(EigenError::NoConvergence);
            }
            if iterations == 10 || iterations == 20 {
                // Exceptional shift, to break a cycle.
                shift += x;
                for i in 0..=nn {
                    h[at(i, i)] -= x;
                }
                let s = h[at(nn, nn - 1)].abs() + h[at(nn - 1, nn - 2)].abs();
                x = 0.75 * s;
                y = x;
                w = -0.4375 * s * s;
            }
            iterations += 1;
            // Two consecutive small subdiagonal elements: where the
            // double-shift step can start.
            let mut m = nn - 2;
            let (mut p, mut q, mut r);
            loop {
                let z = h[at(m, m)];
                let rr = x - z;
                let ss = y - z;
                p = (rr * ss - w) / h[at(m + 1, m)] + h[at(m, m + 1)];
                q = h[at(m + 1, m + 1)] - z - rr - ss;
                r = h[at(m + 2, m + 1)];
                let s = p.abs() + q.abs() + r.abs();
                p /= s;
                q /= s;
                r /= s;
                if m == l {
                    break;
                }
                let u = h[at(m, m - 1)].abs() * (q.abs() + r.abs());
                let v = p.abs() * (h[at(m - 1, m - 1)].abs() + z.abs() + h[at(m + 1, m + 1)].abs());
                if u + v == v {
                    break;
                }
                m -= 1;
            }
            for i in m + 2..=nn {
                h[at(i, i - 2)] = 0.0;
                if i != m + 2 {
                    h[at(i, i - 3)] = 0.0;
                }
            }
            // The double-shift QR step on rows l..=nn, columns m..=nn,
            // chasing the bulge down with 3 × 3 reflections.
            let mut k = m;
            while k < nn {
                let mut scale = 0.0;
                if k != m {
                    p = h[at(k, k - 1)];
                    q = h[at(k + 1, k - 1)];
                    r = if k != nn - 1 { h[at(k + 2, k - 1)] } else { 0.0 };
                    scale = p.abs() + q.abs() + r.abs();
                    if scale != 0.0 {
                        p /= scale;
                        q /= scale;
                        r /= scale;
                    }
                }
                let s = with_sign((p * p + q * q + r * r).sqrt(), p);
                if s != 0.0 {
                    if k == m {
                        if l != m {
                            h[at(k, k - 1)] = -h[at(k, k - 1)];
                        }
                    } else {
                        h[at(k, k - 1)] = -s * scale;
                    }
                    p += s;
                    let (x1, y1, z1) = (p / s, q / s, r / s);
                    q /= p;
                    r /= p;
                    for j in k..n {
                        let mut pp = h[at(k, j)] + q * h[at(k + 1, j)];
                        if k != nn - 1 {
                            pp += r * h[at(k + 2, j)];
                            h[at(k + 2, j)] -= pp * z1;
                        }
                        h[at(k + 1, j)] -= pp * y1;
                        h[at(k, j)] -= pp * x1;
                    }
                    let top = nn.min(k + 3);
                    for i in 0..=top {
                        let mut pp = x1 * h[at(i, k)] + y1 * h[at(i, k + 1)];
                        if k != nn - 1 {
                            pp += z1 * h[at(i, k + 2)];
                            h[at(i, k + 2)] -= pp * r;
                        }
                        h[at(i, k + 1)] -= pp * q;
                        h[at(i, k)] -= pp;
                    }
                }
                k += 1;
            }
        }
    }
    Ok((wr, wi))
}

/// The eigenvalues of column-major `a` (`n × n`) as (real parts,
/// imaginary parts), in the order described in the module doc.
pub fn eigenvalues_parts(a: &[f64], n: usize) -> Result<(Vec<f64>, Vec<f64>), EigenError> {
    if a.len() != n * n {
        return Err(EigenError::Length);
    }
    if a.iter().any(|x| !x.is_finite()) {
        return Err(EigenError::NotFinite);
    }
    // Row-major copy: the iteration walks rows.
    let mut h: Vec<f64> = (0..n * n).map(|k| a[(k % n) * n + k / n]).collect();
    hessenberg(&mut h, n);
    hessenberg_eigenvalues(&mut h, n)
}

/// The eigenvalues of `a` (`n × n`, column-major) into `out` as `2 n`
/// values: real part, imaginary part, for each eigenvalue.
pub fn eigenvalues(a: &[f64], n: usize, out: &mut [f64]) -> Result<(), EigenError> {
    let (re, im) = eigenvalues_parts(a, n)?;
    if out.len() < 2 * n {
        return Err(EigenError::Length);
    }
    for k in 0..n {
        out[2 * k] = re[k];
        out[2 * k + 1] = im[k];
    }
    Ok(())
}

/// A complex number as (real, imaginary).
type C = (f64, f64);

fn cmul(a: C, b: C) -> C {
    (a.0 * b.0 - a.1 * b.1, a.0 * b.1 + a.1 * b.0)
}

fn cdiv(a: C, b: C) -> C {
    // Smith's algorithm: no overflow for large |b|.
    if b.0.abs() >= b.1.abs() {
        let r = b.1 / b.0;
        let d = b.0 + b.1 * r;
        ((a.0 + a.1 * r) / d, (a.1 - a.0 * r) / d)
    } else {
        let r = b.0 / b.1;
        let d = b.0 * r + b.1;
        ((a.0 * r + a.1) / d, (a.1 * r - a.0) / d)
    }
}

fn cabs(a: C) -> f64 {
    a.0.hypot(a.1)
}

/// A unit eigenvector of column-major `a` for the eigenvalue `lambda`, by
/// inverse iteration: solve `(A - μ I) x = b` twice, `μ` the eigenvalue
/// moved by a relative `1e-10`, so that the shifted matrix is nonsingular
/// and the solve magnifies the eigenvector's direction by about 1e10.
fn eigenvector(a: &[f64], n: usize, lambda: C) -> Vec<C> {
    let norm = a.iter().map(|x| x.abs()).fold(0.0, f64::max).max(f64::MIN_POSITIVE);
    let mu = (lambda.0 + 1e-10 * norm, lambda.1);
    // LU with partial pivoting of A - μ I (row-major complex).
    let mut m: Vec<C> = (0..n * n).map(|k| (a[(k % n) * n + k / n], 0.0)).collect();
    for i in 0..n {
        m[i * n + i].0 -= mu.0;
        m[i * n + i].1 -= mu.1;
    }
    let mut perm: Vec<usize> = (0..n).collect();
    for k in 0..n {
        let pivot = (k..n).max_by(|&i, &j| cabs(m[i * n + k]).total_cmp(&cabs(m[j * n + k]))).unwrap_or(k);
        if pivot != k {
            for j in 0..n {
                m.swap(k * n + j, pivot * n + j);
            }
            perm.swap(k, pivot);
        }
        if cabs(m[k * n + k]) == 0.0 {
            // Exactly singular after the shift: a tiny pivot keeps the
            // solve finite and still points along the null space.
            m[k * n + k] = (f64::EPSILON * norm, 0.0);
        }
        for i in k + 1..n {
            let f = cdiv(m[i * n + k], m[k * n + k]);
            m[i * n + k] = f;
            for j in k + 1..n {
                let t = cmul(f, m[k * n + j]);
                m[i * n + j].0 -= t.0;
                m[i * n + j].1 -= t.1;
            }
        }
    }
    let solve = |b: &[C]| -> Vec<C> {
        let mut y: Vec<C> = perm.iter().map(|&p| b[p]).collect();
        for i in 0..n {
            for j in 0..i {
                let t = cmul(m[i * n + j], y[j]);
                y[i].0 -= t.0;
                y[i].1 -= t.1;
            }
        }
        for i in (0..n).rev() {
            for j in i + 1..n {
                let t = cmul(m[i * n + j], y[j]);
                y[i].0 -= t.0;
                y[i].1 -= t.1;
            }
            y[i] = cdiv(y[i], m[i * n + i]);
        }
        y
    };
    let unit = |x: Vec<C>| -> Vec<C> {
        let len = x.iter().map(|c| c.0 * c.0 + c.1 * c.1).sum::<f64>().sqrt();
        if len == 0.0 || !len.is_finite() {
            return x;
        }
        x.into_iter().map(|c| (c.0 / len, c.1 / len)).collect()
    };
    let mut x = unit(vec![(1.0, 0.0); n]);
    for _ in 0..3 {
        x = unit(solve(&x));
    }
    // The phase: the largest-modulus component real and positive.
    let big = x.iter().copied().fold((0.0, 0.0), |b, c| if cabs(c) > cabs(b) { c } else { b });
    let size = cabs(big);
    if size > 0.0 {
        let phase = (big.0 / size, -big.1 / size);
        x = x.into_iter().map(|c| cmul(c, phase)).collect();
    }
    x
}

/// The eigenvectors of `a` (`n × n`, column-major) into `out` as a
/// column-major complex `n × n` matrix (`2 n²` values, real and imaginary
/// part of each element): column `k` belongs to the `k`-th eigenvalue of
/// [`eigenvalues`].
pub fn eigenvectors(a: &[f64], n: usize, out: &mut [f64]) -> Result<(), EigenError> {
    let (re, im) = eigenvalues_parts(a, n)?;
    if out.len() < 2 * n * n {
        return Err(EigenError::Length);
    }
    for k in 0..n {
        let v = eigenvector(a, n, (re[k], im[k]));
        for (i, c) in v.iter().enumerate() {
            if !(c.0.is_finite() && c.1.is_finite()) {
                return Err(EigenError::NoConvergence);
            }
            out[2 * (i + k * n)] = c.0;
            out[2 * (i + k * n) + 1] = c.1;
        }
    }
    Ok(())
}

fn status(r: Result<(), EigenError>) -> i32 {
    match r {
        Ok(()) => 0,
        Err(EigenError::Length) => 2,
        Err(_) => 1,
    }
}

/// C form of [`eigenvalues`]: 0 ok, 1 a non-finite element or no
/// convergence, 2 bad input.
///
/// # Safety
/// `a` readable for `n * n` values and `out` writable for `2 * n`, or null.
pub unsafe extern "C" fn hbm_eigenvalues(a: *const f64, n: i64, out: *mut f64) -> i32 {
    let Some(n) = size(n) else { return 2 };
    // SAFETY: caller contract.
    match unsafe { (slice(a, n * n), slice_mut(out, 2 * n)) } {
        (Some(a), Some(o)) => status(eigenvalues(a, n, o)),
        _ => 2,
    }
}

/// C form of [`eigenvectors`]: 0 ok, 1 a non-finite element or no
/// convergence, 2 bad input.
///
/// # Safety
/// `a` readable for `n * n` values and `out` writable for `2 * n * n`, or null.
pub unsafe extern "C" fn hbm_eigenvectors(a: *const f64, n: i64, out: *mut f64) -> i32 {
    let Some(n) = size(n) else { return 2 };
    // SAFETY: caller contract.
    match unsafe { (slice(a, n * n), slice_mut(out, 2 * n * n)) } {
        (Some(a), Some(o)) => status(eigenvectors(a, n, o)),
        _ => 2,
    }
}
