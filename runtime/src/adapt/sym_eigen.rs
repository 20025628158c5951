//! Eigen-decomposition of small symmetric matrices (cyclic Jacobi), for the
//! low-rank metric's projected covariances (a few dozen rows at most).

/// Eigenvalues and eigenvectors of the symmetric row-major `n x n` matrix
/// `a`: returns `(values, vectors)` with eigenvector `j` in column `j` of the
/// row-major `vectors` (`vectors[i * n + j]`). Only the upper triangle's
/// symmetry is assumed; `a` is consumed as workspace.
pub fn sym_eigen(mut a: Vec<f64>, n: usize) -> (Vec<f64>, Vec<f64>) {
    let mut v = vec![0.0; n * n];
    for i in 0..n {
        v[i * n + i] = 1.0;
    }
    for _sweep in 0..100 {
        let mut off = 0.0;
        let mut diag = 0.0;
        for i in 0..n {
            diag += a[i * n + i] * a[i * n + i];
            for j in i + 1..n {
                off += a[i * n + j] * a[i * n + j];
            }
        }
        if off <= 1e-30 * diag || off == 0.0 {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                let apq = a[p * n + q];
                if apq == 0.0 {
                    continue;
                }
                let app = a[p * n + p];
                let aqq = a[q * n + q];
                // Rotation angle zeroing a[p][q] (Golub and Van Loan, 8.4).
                let theta = (aqq - app) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..n {
                    let akp = a[k * n + p];
                    let akq = a[k * n + q];
                    a[k * n + p] = c * akp - s * akq;
                    a[k * n + q] = s * akp + c * akq;
                }
                for k in 0..n {
                    let apk = a[p * n + k];
                    let aqk = a[q * n + k];
                    a[p * n + k] = c * apk - s * aqk;
                    a[q * n + k] = s * apk + c * aqk;
                }
                for k in 0..n {
                    let vkp = v[k * n + p];
                    let vkq = v[k * n + q];
                    v[k * n + p] = c * vkp - s * vkq;
                    v[k * n + q] = s * vkp + c * vkq;
                }
            }
        }
    }
    let values = (0..n).map(|i| a[i * n + i]).collect();
    (values, v)
}

/// `f(A) = V f(D) V'` for a symmetric matrix given by its eigen-decomposition.
pub fn sym_apply(values: &[f64], vectors: &[f64], f: impl Fn(f64) -> f64) -> Vec<f64> {
    let n = values.len();
    let fv: Vec<f64> = values.iter().map(|&x| f(x)).collect();
    let mut out = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..n {
            let mut s = 0.0;
            for k in 0..n {
                s += vectors[i * n + k] * fv[k] * vectors[j * n + k];
            }
            out[i * n + j] = s;
        }
    }
    out
}

/// Row-major product of two `n x n` matrices.
pub fn mat_mul(a: &[f64], b: &[f64], n: usize) -> Vec<f64> {
    let mut out = vec![0.0; n * n];
    for i in 0..n {
        for k in 0..n {
            let aik = a[i * n + k];
            for j in 0..n {
                out[i * n + j] += aik * b[k * n + j];
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reconstructs_a_symmetric_matrix() {
        let n = 5;
        let mut a = vec![0.0; n * n];
        for i in 0..n {
            for j in 0..n {
                a[i * n + j] = 1.0 / (1.0 + i as f64 + j as f64) + if i == j { 2.0 } else { 0.0 };
            }
        }
        let (vals, vecs) = sym_eigen(a.clone(), n);
        let back = sym_apply(&vals, &vecs, |x| x);
        for (x, y) in a.iter().zip(&back) {
            assert!((x - y).abs() < 1e-12, "{x} vs {y}");
        }
        // Orthonormal eigenvectors.
        let vt_v = mat_mul(
            &(0..n * n).map(|k| vecs[(k % n) * n + k / n]).collect::<Vec<_>>(),
            &vecs,
            n,
        );
        for i in 0..n {
            for j in 0..n {
                let e = if i == j { 1.0 } else { 0.0 };
                assert!((vt_v[i * n + j] - e).abs() < 1e-12);
            }
        }
        // The square root squares back.
        let r = sym_apply(&vals, &vecs, f64::sqrt);
        let rr = mat_mul(&r, &r, n);
        for (x, y) in a.iter().zip(&rr) {
            assert!((x - y).abs() < 1e-12);
        }
    }
}
