//! `eigenvalues_sym` and `eigenvectors_sym`: closed-form eigenvalues of
//! 2 × 2 matrices, A Q = Q diag(λ) and QᵀQ = I on random matrices,
//! ascending order, refusal of non-symmetric and non-finite input, and the
//! reverse-mode rules against finite differences over symmetric
//! perturbations.
use crate::common;
use common::*;
use hbmc_stdlib::eigen::*;

/// A symmetric n × n matrix from its lower triangle (column by column).
fn from_lower(p: &[f64], n: usize) -> Vec<f64> {
    let mut a = vec![0.0; n * n];
    let mut k = 0;
    for j in 0..n {
        for i in j..n {
            a[i + j * n] = p[k];
            a[j + i * n] = p[k];
            k += 1;
        }
    }
    a
}

/// The gradient over the lower triangle from a full adjoint Ā.
fn lower_grad(a_adj: &[f64], n: usize) -> Vec<f64> {
    let mut g = Vec::new();
    for j in 0..n {
        for i in j..n {
            g.push(if i == j { a_adj[i + j * n] } else { a_adj[i + j * n] + a_adj[j + i * n] });
        }
    }
    g
}

fn random_lower(seed: u64, n: usize) -> Vec<f64> {
    let mut rng = test_rng(seed);
    (0..n * (n + 1) / 2).map(|_| unif(&mut rng, -2.0, 2.0)).collect()
}

#[test]
fn two_by_two_eigenvalues_match_the_closed_form() {
    for (a, b, c) in [(2.0, 1.0, 3.0), (1.0, 0.0, -4.0), (0.5, -2.5, 0.5), (1e3, 1e-3, -1e-3)] {
        let m = [a, b, b, c];
        let mut l = [0.0; 2];
        eigenvalues_sym(&m, 2, &mut l).expect("symmetric");
        let (mid, rad) = ((a + c) / 2.0, (((a - c) / 2.0_f64).powi(2) + b * b).sqrt());
        // The eigenvalue of larger magnitude directly, the other from the
        // determinant (no cancellation).
        let (small, large) = if mid >= 0.0 {
            ((a * c - b * b) / (mid + rad), mid + rad)
        } else {
            (mid - rad, (a * c - b * b) / (mid - rad))
        };
        assert_close(l[0], small, 1e-13, "smaller eigenvalue");
        assert_close(l[1], large, 1e-13, "larger eigenvalue");
    }
}

#[test]
fn the_decomposition_reconstructs_the_matrix_with_orthonormal_vectors_in_ascending_order() {
    for (seed, n) in [(1, 1), (2, 3), (3, 6), (4, 12)] {
        let a = from_lower(&random_lower(seed, n), n);
        let (mut l, mut q) = (vec![0.0; n], vec![0.0; n * n]);
        eigenvalues_sym(&a, n, &mut l).expect("symmetric");
        eigenvectors_sym(&a, n, &mut q).expect("symmetric");
        assert!(l.windows(2).all(|w| w[0] <= w[1]), "ascending: {l:?}");
        for i in 0..n {
            for j in 0..n {
                // (A Q)_ij = λ_j Q_ij
                let aq: f64 = (0..n).map(|k| a[i + k * n] * q[k + j * n]).sum();
                assert!((aq - l[j] * q[i + j * n]).abs() < 1e-12 * 10.0 * n as f64, "A q = λ q at ({i}, {j}), n = {n}");
                let qtq: f64 = (0..n).map(|k| q[k + i * n] * q[k + j * n]).sum();
                assert!((qtq - if i == j { 1.0 } else { 0.0 }).abs() < 1e-13 * 10.0 * n as f64, "QᵀQ = I at ({i}, {j})");
            }
        }
        // The sum of the eigenvalues is the trace.
        let trace: f64 = (0..n).map(|i| a[i + i * n]).sum();
        assert!((l.iter().sum::<f64>() - trace).abs() < 1e-12 * n as f64 * 4.0);
    }
}

#[test]
fn non_symmetric_and_non_finite_matrices_are_refused() {
    let mut out = [0.0; 4];
    assert!(eigenvalues_sym(&[1.0, 2.0, 2.5, 1.0], 2, &mut out).is_err());
    assert!(eigenvectors_sym(&[1.0, f64::NAN, f64::NAN, 1.0], 2, &mut out).is_err());
    assert!(eigenvalues_sym(&[1.0, 0.0, 0.0], 2, &mut out).is_err());
    // SAFETY: valid pointers for a 2 × 2 matrix; a symmetric one gives status 0.
    let status = unsafe { hbm_eigenvalues_sym([1.0, 2.0, 2.5, 1.0].as_ptr(), 2, out.as_mut_ptr()) };
    assert_eq!(status, 1);
    // SAFETY: as above.
    let status = unsafe { hbm_eigenvalues_sym([1.0, 2.0, 2.0, 1.0].as_ptr(), 2, out.as_mut_ptr()) };
    assert_eq!(status, 0);
}

#[test]
fn eigenvalue_adjoint_matches_finite_differences() {
    for (seed, n) in [(5, 2), (6, 4), (7, 5)] {
        let p = random_lower(seed, n);
        let w: Vec<f64> = (0..n).map(|k| 0.3 + 0.7 * k as f64).collect();
        let f = |p: &[f64]| {
            let mut l = vec![0.0; n];
            eigenvalues_sym(&from_lower(p, n), n, &mut l).expect("symmetric");
            l.iter().zip(&w).map(|(a, b)| a * b).sum::<f64>()
        };
        let mut a_adj = vec![0.0; n * n];
        eigenvalues_sym_adj(&from_lower(&p, n), n, &w, &mut a_adj).expect("symmetric");
        assert_grad(&f, &p, &lower_grad(&a_adj, n), &format!("eigenvalues, n = {n}"));
    }
}

#[test]
fn eigenvector_adjoint_matches_finite_differences() {
    for (seed, n) in [(8, 2), (9, 3), (10, 5)] {
        let p = random_lower(seed, n);
        let w: Vec<f64> = (0..n * n).map(|k| (1.3 * k as f64).sin()).collect();
        // Each column's sign is a convention that may flip between nearby
        // points; the finite differences follow the branch of the columns
        // at `p` (each column's sign aligned with its value there).
        let mut q0 = vec![0.0; n * n];
        eigenvectors_sym(&from_lower(&p, n), n, &mut q0).expect("symmetric");
        let f = |p: &[f64]| {
            let mut q = vec![0.0; n * n];
            eigenvectors_sym(&from_lower(p, n), n, &mut q).expect("symmetric");
            for k in 0..n {
                let dot: f64 = (0..n).map(|r| q[r + k * n] * q0[r + k * n]).sum();
                if dot < 0.0 {
                    q[k * n..(k + 1) * n].iter_mut().for_each(|x| *x = -*x);
                }
            }
            q.iter().zip(&w).map(|(a, b)| a * b).sum::<f64>()
        };
        let mut a_adj = vec![0.0; n * n];
        eigenvectors_sym_adj(&from_lower(&p, n), n, &w, &mut a_adj).expect("symmetric");
        assert_grad(&f, &p, &lower_grad(&a_adj, n), &format!("eigenvectors, n = {n}"));
        // The adjoints accumulate.
        let before = a_adj.clone();
        eigenvectors_sym_adj(&from_lower(&p, n), n, &w, &mut a_adj).expect("symmetric");
        for (x, y) in a_adj.iter().zip(&before) {
            assert!((x - 2.0 * y).abs() <= 1e-12 * y.abs().max(1.0));
        }
    }
}

/// The thread remembers recent decompositions by the matrix's bits: a
/// rule given a remembered matrix computes what it computes from scratch
/// in a thread that never saw it, bit for bit, also when a matrix with
/// the same elements in another shape or one differing in one bit was
/// decomposed in between.
#[test]
fn remembered_decompositions_give_the_bits_of_fresh_ones() {
    let n = 4;
    let a = from_lower(&[4.0, 1.0, 0.5, 0.25, 3.0, 0.75, 0.125, 2.0, 0.3, 1.0], n);
    let mut near = a.clone();
    near[0] = f64::from_bits(a[0].to_bits() + 1);
    let w: Vec<f64> = (0..n * n).map(|k| (k as f64 * 0.37).sin()).collect();
    let rules = |a: &[f64]| {
        let (mut values, mut vectors) = (vec![0.0; n], vec![0.0; n * n]);
        eigenvalues_sym(a, n, &mut values).unwrap();
        eigenvectors_sym(a, n, &mut vectors).unwrap();
        let mut a_adj = vec![0.0; n * n];
        eigenvalues_sym_adj(a, n, &w[..n], &mut a_adj).unwrap();
        eigenvectors_sym_adj(a, n, &w, &mut a_adj).unwrap();
        [values, vectors, a_adj].concat().iter().map(|x| x.to_bits()).collect::<Vec<u64>>()
    };
    let fresh = std::thread::scope(|s| s.spawn(|| rules(&a)).join().unwrap());
    let fresh_near = std::thread::scope(|s| s.spawn(|| rules(&near)).join().unwrap());
    assert_ne!(fresh, fresh_near);
    assert_eq!(rules(&a), fresh);
    assert_eq!(rules(&near), fresh_near);
    assert_eq!(rules(&a), fresh);
}
