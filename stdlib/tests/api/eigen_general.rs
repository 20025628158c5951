//! `eigenvalues` and `eigenvectors` of general real matrices against known
//! spectra: companion matrices of polynomials built from chosen roots
//! (real, and complex conjugate pairs), rotations (cos θ ± i sin θ),
//! triangular matrices (their diagonal), symmetric matrices (against
//! `eigenvalues_sym`), and on random matrices the trace and determinant
//! identities and `A v = λ v` with `|v| = 1`.
use crate::common;
use common::*;
use hbmc_stdlib::eigen::eigenvalues_sym;
use hbmc_stdlib::eigen_general::*;

type C = (f64, f64);

fn mul(a: C, b: C) -> C {
    (a.0 * b.0 - a.1 * b.1, a.0 * b.1 + a.1 * b.0)
}

/// The monic polynomial with these roots, coefficients of x^0..x^{n-1}
/// (the leading 1 left out); real when the complex roots come in pairs.
fn poly_from_roots(roots: &[C]) -> Vec<f64> {
    let mut c: Vec<C> = vec![(1.0, 0.0)];
    for &r in roots {
        // c(x) * (x - r)
        let mut next = vec![(0.0, 0.0); c.len() + 1];
        for (k, &ck) in c.iter().enumerate() {
            next[k + 1].0 += ck.0;
            next[k + 1].1 += ck.1;
            let t = mul(ck, r);
            next[k].0 -= t.0;
            next[k].1 -= t.1;
        }
        c = next;
    }
    c.pop();
    c.iter().map(|z| {
        assert!(z.1.abs() < 1e-12, "complex roots must come in conjugate pairs");
        z.0
    })
    .collect()
}

/// The companion matrix (column-major) of a monic polynomial: first row
/// minus the coefficients from x^{n-1} down, ones below the diagonal (the
/// form a VAR(p)'s companion matrix takes).
fn companion(coef: &[f64]) -> Vec<f64> {
    let n = coef.len();
    let mut a = vec![0.0; n * n];
    for j in 0..n {
        a[j * n] = -coef[n - 1 - j];
    }
    for i in 1..n {
        a[i + (i - 1) * n] = 1.0;
    }
    a
}

fn spectrum(a: &[f64], n: usize) -> Vec<C> {
    let mut out = vec![0.0; 2 * n];
    eigenvalues(a, n, &mut out).expect("converges");
    out.chunks(2).map(|p| (p[0], p[1])).collect()
}

/// Every expected value matched by a distinct computed one within `tol`.
fn assert_same_multiset(got: &[C], want: &[C], tol: f64, what: &str) {
    assert_eq!(got.len(), want.len(), "{what}");
    let mut left: Vec<C> = got.to_vec();
    for w in want {
        let pos = left
            .iter()
            .position(|g| (g.0 - w.0).hypot(g.1 - w.1) <= tol * (1.0 + w.0.hypot(w.1)))
            .unwrap_or_else(|| panic!("{what}: {w:?} not among {got:?}"));
        left.remove(pos);
    }
}

/// Conjugate pairs are adjacent, the positive imaginary part first.
fn assert_pairs_ordered(got: &[C], what: &str) {
    let mut k = 0;
    while k < got.len() {
        if got[k].1 != 0.0 {
            assert!(got[k].1 > 0.0, "{what}: {got:?}");
            assert!(k + 1 < got.len(), "{what}: {got:?}");
            assert_eq!(got[k].0, got[k + 1].0, "{what}: {got:?}");
            assert_eq!(got[k].1, -got[k + 1].1, "{what}: {got:?}");
            k += 2;
        } else {
            k += 1;
        }
    }
}

#[test]
fn companion_matrices_give_the_roots_of_their_polynomials() {
    let cases: Vec<Vec<C>> = vec![
        vec![(1.0, 0.0), (2.0, 0.0), (3.0, 0.0), (-4.0, 0.0)],
        vec![(1.0, 2.0), (1.0, -2.0), (3.0, 0.0), (-0.5, 0.0)],
        vec![(0.5, 0.5), (0.5, -0.5), (-0.3, 0.9), (-0.3, -0.9)],
        vec![(0.9, 0.0), (-0.2, 0.4), (-0.2, -0.4), (0.1, 0.0), (0.0, 0.7), (0.0, -0.7)],
        vec![(2.0, 0.0)],
        vec![(0.0, 1.0), (0.0, -1.0)],
    ];
    for roots in cases {
        let coef = poly_from_roots(&roots);
        let n = coef.len();
        let got = spectrum(&companion(&coef), n);
        assert_same_multiset(&got, &roots, 1e-9, &format!("roots {roots:?}"));
        assert_pairs_ordered(&got, &format!("roots {roots:?}"));
    }
}

#[test]
fn rotations_have_unit_eigenvalues_at_their_angle() {
    for theta in [0.3f64, 1.0, 2.5, -1.2] {
        let (c, s) = (theta.cos(), theta.sin());
        let a = [c, s, -s, c]; // column-major [[c, -s], [s, c]]
        let got = spectrum(&a, 2);
        let b = s.abs();
        assert_close(got[0].0, c, 1e-14, "real part");
        assert_close(got[0].1, b, 1e-14, "positive imaginary part first");
        assert_close(got[1].1, -b, 1e-14, "then its conjugate");
    }
}

#[test]
fn triangular_matrices_have_their_diagonal() {
    let n = 5;
    let mut rng = test_rng(7);
    let diag = [3.0, -1.0, 0.5, 2.0, -4.0];
    let mut a = vec![0.0; n * n];
    for j in 0..n {
        for i in 0..j {
            a[i + j * n] = unif(&mut rng, -3.0, 3.0);
        }
        a[j + j * n] = diag[j];
    }
    let want: Vec<C> = diag.iter().map(|&d| (d, 0.0)).collect();
    assert_same_multiset(&spectrum(&a, n), &want, 1e-10, "upper triangular");
}

#[test]
fn symmetric_matrices_agree_with_eigenvalues_sym() {
    for (seed, n) in [(1u64, 3usize), (2, 6), (3, 9)] {
        let mut rng = test_rng(seed);
        let mut a = vec![0.0; n * n];
        for j in 0..n {
            for i in 0..=j {
                let x = unif(&mut rng, -2.0, 2.0);
                a[i + j * n] = x;
                a[j + i * n] = x;
            }
        }
        let mut sym = vec![0.0; n];
        eigenvalues_sym(&a, n, &mut sym).expect("symmetric");
        let got = spectrum(&a, n);
        for z in &got {
            assert!(z.1 == 0.0, "a symmetric matrix has real eigenvalues: {got:?}");
        }
        let mut re: Vec<f64> = got.iter().map(|z| z.0).collect();
        re.sort_by(f64::total_cmp);
        for (g, w) in re.iter().zip(&sym) {
            assert_close(*g, *w, 1e-10, "eigenvalue");
        }
    }
}

/// The determinant by Gaussian elimination with partial pivoting.
fn det(a: &[f64], n: usize) -> f64 {
    let mut m = a.to_vec();
    let mut d = 1.0;
    for k in 0..n {
        let p = (k..n).max_by(|&i, &j| m[i + k * n].abs().total_cmp(&m[j + k * n].abs())).expect("rows");
        if p != k {
            for j in 0..n {
                m.swap(k + j * n, p + j * n);
            }
            d = -d;
        }
        d *= m[k + k * n];
        for i in k + 1..n {
            let f = m[i + k * n] / m[k + k * n];
            for j in k..n {
                m[i + j * n] -= f * m[k + j * n];
            }
        }
    }
    d
}

#[test]
fn random_matrices_keep_trace_and_determinant_and_their_eigenvectors_solve_a_v_eq_lambda_v() {
    for (seed, n) in [(11u64, 2usize), (12, 4), (13, 7), (14, 12)] {
        let mut rng = test_rng(seed);
        let a: Vec<f64> = (0..n * n).map(|_| unif(&mut rng, -1.0, 1.0)).collect();
        let got = spectrum(&a, n);
        assert_pairs_ordered(&got, "random");
        let trace: f64 = (0..n).map(|i| a[i + i * n]).sum();
        let sum: f64 = got.iter().map(|z| z.0).sum();
        assert!((sum - trace).abs() < 1e-10 * n as f64, "trace {trace} vs sum {sum}");
        let prod = got.iter().fold((1.0, 0.0), |p, &z| mul(p, z));
        let d = det(&a, n);
        assert!((prod.0 - d).abs() < 1e-9 * (1.0 + d.abs()) && prod.1.abs() < 1e-9 * (1.0 + d.abs()), "det {d} vs {prod:?}");
        let mut v = vec![0.0; 2 * n * n];
        eigenvectors(&a, n, &mut v).expect("converges");
        for (k, lambda) in got.iter().enumerate() {
            let col: Vec<C> = (0..n).map(|i| (v[2 * (i + k * n)], v[2 * (i + k * n) + 1])).collect();
            let norm: f64 = col.iter().map(|c| c.0 * c.0 + c.1 * c.1).sum::<f64>().sqrt();
            assert_close(norm, 1.0, 1e-12, "unit eigenvector");
            let big = col.iter().copied().fold((0.0, 0.0), |b: C, c: C| if c.0.hypot(c.1) > b.0.hypot(b.1) { c } else { b });
            assert!(big.0 > 0.0 && big.1.abs() < 1e-12, "phase: largest component real positive, {big:?}");
            for i in 0..n {
                let mut av = (0.0, 0.0);
                for j in 0..n {
                    av.0 += a[i + j * n] * col[j].0;
                    av.1 += a[i + j * n] * col[j].1;
                }
                let lv = mul(*lambda, col[i]);
                assert!((av.0 - lv.0).hypot(av.1 - lv.1) < 1e-9, "A v = λ v, seed {seed}, row {i}");
            }
        }
    }
}

#[test]
fn small_and_bad_inputs() {
    assert!(spectrum(&[], 0).is_empty());
    assert_eq!(spectrum(&[-2.5], 1), vec![(-2.5, 0.0)]);
    let mut out = vec![0.0; 4];
    assert_eq!(eigenvalues(&[1.0, f64::NAN, 0.0, 1.0], 2, &mut out), Err(EigenError::NotFinite));
    assert_eq!(eigenvalues(&[1.0, 2.0, 3.0], 2, &mut out), Err(EigenError::Length));
    let mut none = [0.0; 0];
    // SAFETY: the pointers are valid for the lengths given (or null).
    unsafe {
        assert_eq!(hbm_eigenvalues(std::ptr::null(), 2, out.as_mut_ptr()), 2);
        assert_eq!(hbm_eigenvalues([0.0, 1.0, -1.0, 0.0].as_ptr(), 2, out.as_mut_ptr()), 0);
        assert_eq!(hbm_eigenvalues([1.0].as_ptr(), -1, none.as_mut_ptr()), 2);
    }
    assert_eq!(out, [0.0, 1.0, 0.0, -1.0]);
}
