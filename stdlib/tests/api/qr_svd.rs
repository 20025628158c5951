//! The QR and singular value decompositions and the Moore–Penrose inverse:
//! reference values (numpy 2 / LAPACK, whose Householder reflectors are
//! Eigen's, with Stan's sign fix applied), the defining identities on random
//! matrices of every shape, and the reverse-mode rules against finite
//! differences.
use crate::common;
use common::*;
use hbmc_stdlib::qr::*;
use hbmc_stdlib::svd::*;

/// A 4 × 2 matrix, column-major.
const A42: [f64; 8] = [2.0, 1.0, -2.0, 0.5, -1.0, 3.0, 0.5, 1.5];

fn random(seed: u64, len: usize) -> Vec<f64> {
    let mut rng = test_rng(seed);
    (0..len).map(|_| unif(&mut rng, -2.0, 2.0)).collect()
}

/// `a (r × p) · b (p × q)`, column-major.
fn mul(a: &[f64], b: &[f64], r: usize, p: usize, q: usize) -> Vec<f64> {
    let mut c = vec![0.0; r * q];
    for j in 0..q {
        for l in 0..p {
            for i in 0..r {
                c[i + j * r] += a[i + l * r] * b[l + j * p];
            }
        }
    }
    c
}

fn transpose(a: &[f64], r: usize, c: usize) -> Vec<f64> {
    (0..r).flat_map(|i| (0..c).map(move |j| a[i + j * r])).collect()
}

fn assert_all_close(got: &[f64], want: &[f64], tol: f64, what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!((g - w).abs() <= tol * w.abs().max(1.0), "{what}[{i}]: {g} against {w}");
    }
}

fn identity(n: usize) -> Vec<f64> {
    (0..n * n).map(|i| if i % (n + 1) == 0 { 1.0 } else { 0.0 }).collect()
}

#[test]
fn qr_matches_lapack_with_stans_signs() {
    // numpy.linalg.qr(A, mode="complete"), then columns of Q and rows of R
    // negated where R's diagonal is negative (Stan's rule).
    let q_full = [
        0.6575959492214289, 0.3287979746107146, -0.6575959492214292, 0.1643989873053573,
        -0.3295115901536221, 0.8276105055021207, 0.1877449757852033, 0.4138052527510604,
        0.6774262925322381, 0.07735091808783309, 0.7295360073424102, 0.053737023065022496,
        -0.009126757804694047, -0.4482963066381268, -0.009828816097362832, 0.8937843801055785,
    ];
    let r_full = [3.0413812651491097, 0.0, 0.0, 0.0, 0.24659848095803594, 3.5269234736791764, 0.0, 0.0];
    let mut q = vec![0.0; 16];
    qr_q(&A42, 4, 2, &mut q).expect("finite");
    assert_all_close(&q, &q_full, 1e-14, "qr_Q");
    let mut r = vec![0.0; 8];
    qr_r(&A42, 4, 2, &mut r).expect("finite");
    assert_all_close(&r, &r_full, 1e-14, "qr_R");
    let mut qt = vec![0.0; 8];
    qr_thin_q(&A42, 4, 2, &mut qt).expect("finite");
    assert_all_close(&qt, &q_full[..8], 1e-14, "qr_thin_Q");
    let mut rt = vec![0.0; 4];
    qr_thin_r(&A42, 4, 2, &mut rt).expect("finite");
    assert_all_close(&rt, &[r_full[0], r_full[1], r_full[4], r_full[5]], 1e-14, "qr_thin_R");
}

#[test]
fn qr_factors_reproduce_every_shape() {
    for (seed, m, n) in [(1, 5, 3), (2, 3, 3), (3, 2, 4), (4, 1, 3), (5, 4, 1), (6, 6, 6)] {
        let a = random(seed, m * n);
        let k = m.min(n);
        let (mut q, mut r) = (vec![0.0; m * k], vec![0.0; k * n]);
        qr_thin_q(&a, m, n, &mut q).expect("finite");
        qr_thin_r(&a, m, n, &mut r).expect("finite");
        let what = format!("{m} x {n}");
        assert_all_close(&mul(&q, &r, m, k, n), &a, 1e-13, &format!("Q R = A, {what}"));
        assert_all_close(&mul(&transpose(&q, m, k), &q, k, m, k), &identity(k), 1e-13, &format!("QᵀQ = I, {what}"));
        for c in 0..n {
            for i in 0..k {
                if i > c {
                    assert_eq!(r[i + c * k], 0.0, "R upper triangular, {what}");
                }
                if i == c {
                    assert!(r[i + c * k] >= 0.0, "R's diagonal non-negative, {what}");
                }
            }
        }
        let mut qf = vec![0.0; m * m];
        qr_q(&a, m, n, &mut qf).expect("finite");
        assert_all_close(&mul(&transpose(&qf, m, m), &qf, m, m, m), &identity(m), 1e-13, &format!("full Q orthogonal, {what}"));
        assert_all_close(&qf[..m * k], &q, 1e-15, &format!("full Q begins with the thin Q, {what}"));
    }
}

#[test]
fn non_finite_and_empty_input_is_refused() {
    let mut out = vec![0.0; 8];
    let bad = [1.0, f64::NAN, 0.0, 1.0];
    assert!(qr_thin_q(&bad, 2, 2, &mut out).is_err());
    assert!(singular_values(&bad, 2, 2, &mut out).is_err());
    // SAFETY: the pointers are valid for the sizes passed (none is read for an empty matrix).
    unsafe {
        assert_eq!(hbm_qr_thin_q(A42.as_ptr(), 0, 2, 0, out.as_mut_ptr()), 2);
        assert_eq!(hbm_qr_thin_q(A42.as_ptr(), 4, 2, 4, out.as_mut_ptr()), 2, "k must be min(m, n)");
        assert_eq!(hbm_svd_u(A42.as_ptr(), 4, 2, 3, out.as_mut_ptr()), 2);
        assert_eq!(hbm_qr_thin_q(bad.as_ptr(), 2, 2, 2, out.as_mut_ptr()), 1);
    }
}

/// `f(a) = Σ w ∘ g(a)` for a matrix function `g` with `len` outputs.
fn weighted<'a>(
    g: impl Fn(&[f64], &mut [f64]) -> Result<(), hbmc_stdlib::linalg::LinalgError> + 'a,
    len: usize,
    w: &'a [f64],
) -> impl Fn(&[f64]) -> f64 + 'a {
    move |a: &[f64]| {
        let mut out = vec![0.0; len];
        g(a, &mut out).expect("finite");
        out.iter().zip(w).map(|(x, y)| x * y).sum()
    }
}

#[test]
fn qr_adjoints_match_finite_differences() {
    for (seed, m, n) in [(11, 5, 3), (12, 3, 3), (13, 2, 4), (14, 4, 1), (15, 1, 3)] {
        let a = random(seed, m * n);
        let k = m.min(n);
        let wq = random(seed + 100, m * k);
        let wr = random(seed + 200, k * n);
        let what = format!("{m} x {n}");
        let f = weighted(|a, o| qr_thin_q(a, m, n, o), m * k, &wq);
        let mut g = vec![0.0; m * n];
        qr_thin_adj(&a, m, n, Some(&wq), None, &mut g).expect("full rank");
        assert_grad(&f, &a, &g, &format!("qr_thin_Q, {what}"));
        let f = weighted(|a, o| qr_thin_r(a, m, n, o), k * n, &wr);
        let mut g = vec![0.0; m * n];
        qr_thin_adj(&a, m, n, None, Some(&wr), &mut g).expect("full rank");
        assert_grad(&f, &a, &g, &format!("qr_thin_R, {what}"));
        // The full R through its C form: rows below k carry no adjoint.
        let wf = random(seed + 300, m * n);
        let f = weighted(|a, o| qr_r(a, m, n, o), m * n, &wf);
        let mut g = vec![0.0; m * n];
        // SAFETY: every pointer is valid for m * n values.
        let status = unsafe { hbm_qr_r_adj(a.as_ptr(), m as i64, n as i64, wf.as_ptr(), g.as_mut_ptr()) };
        assert_eq!(status, 0);
        assert_grad(&f, &a, &g, &format!("qr_R, {what}"));
    }
}

#[test]
fn svd_matches_numpy_and_reproduces_every_shape() {
    let mut s = vec![0.0; 2];
    singular_values(&A42, 4, 2, &mut s).expect("finite");
    // numpy.linalg.svd(A, compute_uv=False)
    assert_all_close(&s, &[3.5587536628586056, 3.014178555940317], 1e-14, "singular values");
    for (seed, m, n) in [(21, 5, 3), (22, 3, 3), (23, 2, 4), (24, 1, 3), (25, 4, 1), (26, 6, 6)] {
        let a = random(seed, m * n);
        let k = m.min(n);
        let (mut u, mut s, mut v) = (vec![0.0; m * k], vec![0.0; k], vec![0.0; n * k]);
        svd_u(&a, m, n, &mut u).expect("finite");
        singular_values(&a, m, n, &mut s).expect("finite");
        svd_v(&a, m, n, &mut v).expect("finite");
        let what = format!("{m} x {n}");
        assert!(s.windows(2).all(|w| w[0] >= w[1]), "descending, {what}");
        let mut us = u.clone();
        for j in 0..k {
            us[j * m..(j + 1) * m].iter_mut().for_each(|x| *x *= s[j]);
        }
        assert_all_close(&mul(&us, &transpose(&v, n, k), m, k, n), &a, 1e-13, &format!("U S Vᵀ = A, {what}"));
        assert_all_close(&mul(&transpose(&u, m, k), &u, k, m, k), &identity(k), 1e-13, &format!("UᵀU = I, {what}"));
        assert_all_close(&mul(&transpose(&v, n, k), &v, k, n, k), &identity(k), 1e-13, &format!("VᵀV = I, {what}"));
    }
}

#[test]
fn rank_deficient_svd_keeps_orthonormal_vectors() {
    // Rank 1: both columns proportional.
    let a = [1.0, 2.0, 3.0, 2.0, 4.0, 6.0];
    let (mut u, mut s) = (vec![0.0; 6], vec![0.0; 2]);
    svd_u(&a, 3, 2, &mut u).expect("finite");
    singular_values(&a, 3, 2, &mut s).expect("finite");
    assert!(s[1].abs() < 1e-14 * s[0], "second singular value {}", s[1]);
    assert_all_close(&mul(&transpose(&u, 3, 2), &u, 2, 3, 2), &identity(2), 1e-13, "UᵀU = I");
    let mut g = vec![0.0; 6];
    assert!(svd_adj(&a, 3, 2, None, Some(&[1.0; 6]), None, &mut g).is_err(), "vectors of a zero singular value");
}

#[test]
fn svd_adjoints_match_finite_differences() {
    for (seed, m, n) in [(31, 5, 3), (32, 3, 3), (33, 2, 4), (34, 4, 1), (35, 1, 3)] {
        let a = random(seed, m * n);
        let k = m.min(n);
        let what = format!("{m} x {n}");
        let ws = random(seed + 100, k);
        let f = weighted(|a, o| singular_values(a, m, n, o), k, &ws);
        let mut g = vec![0.0; m * n];
        svd_adj(&a, m, n, Some(&ws), None, None, &mut g).expect("full rank");
        assert_grad(&f, &a, &g, &format!("singular_values, {what}"));
        // Each pair of singular vectors has a joint sign that is a
        // convention; the finite differences follow the branch at `a`.
        let (mut u0, mut v0) = (vec![0.0; m * k], vec![0.0; n * k]);
        svd_u(&a, m, n, &mut u0).expect("finite");
        svd_v(&a, m, n, &mut v0).expect("finite");
        let aligned = |x: &mut Vec<f64>, x0: &[f64], rows: usize| {
            for j in 0..k {
                let dot: f64 = (0..rows).map(|i| x[i + j * rows] * x0[i + j * rows]).sum();
                if dot < 0.0 {
                    x[j * rows..(j + 1) * rows].iter_mut().for_each(|y| *y = -*y);
                }
            }
        };
        let wu = random(seed + 200, m * k);
        let f = |a: &[f64]| {
            let mut u = vec![0.0; m * k];
            svd_u(a, m, n, &mut u).expect("finite");
            aligned(&mut u, &u0, m);
            u.iter().zip(&wu).map(|(x, y)| x * y).sum::<f64>()
        };
        let mut g = vec![0.0; m * n];
        svd_adj(&a, m, n, None, Some(&wu), None, &mut g).expect("full rank");
        assert_grad(&f, &a, &g, &format!("svd_U, {what}"));
        let wv = random(seed + 300, n * k);
        let f = |a: &[f64]| {
            let mut v = vec![0.0; n * k];
            svd_v(a, m, n, &mut v).expect("finite");
            aligned(&mut v, &v0, n);
            v.iter().zip(&wv).map(|(x, y)| x * y).sum::<f64>()
        };
        let mut g = vec![0.0; m * n];
        svd_adj(&a, m, n, None, None, Some(&wv), &mut g).expect("full rank");
        assert_grad(&f, &a, &g, &format!("svd_V, {what}"));
    }
}

#[test]
fn generalized_inverse_matches_numpy_and_the_penrose_conditions() {
    let w = [1.0, 0.5, 2.0, -1.5, -1.0, 2.0]; // 2 × 3
    let mut p = vec![0.0; 6];
    generalized_inverse(&w, 2, 3, &mut p).expect("finite");
    // numpy.linalg.pinv(W)
    let want = [0.4666666666666667, 0.33333333333333337, 0.13333333333333333, 0.4000000000000002, 1.733025725838004e-16, 0.4000000000000001];
    assert_all_close(&p, &want, 1e-14, "pinv");
    for (seed, m, n) in [(41, 5, 3), (42, 3, 3), (43, 2, 4)] {
        let a = random(seed, m * n);
        let mut x = vec![0.0; n * m];
        generalized_inverse(&a, m, n, &mut x).expect("finite");
        let what = format!("{m} x {n}");
        let axa = mul(&mul(&a, &x, m, n, m), &a, m, m, n);
        assert_all_close(&axa, &a, 1e-12, &format!("A A⁺ A = A, {what}"));
        let xax = mul(&mul(&x, &a, n, m, n), &x, n, n, m);
        assert_all_close(&xax, &x, 1e-12, &format!("A⁺ A A⁺ = A⁺, {what}"));
    }
    // Rank-deficient: the cut-off drops the zero singular value.
    let a = [1.0, 2.0, 3.0, 2.0, 4.0, 6.0];
    let mut x = vec![0.0; 6];
    generalized_inverse(&a, 3, 2, &mut x).expect("finite");
    assert_all_close(&mul(&mul(&a, &x, 3, 2, 3), &a, 3, 3, 2), &a, 1e-12, "A A⁺ A = A, rank 1");
}

#[test]
fn generalized_inverse_adjoint_matches_finite_differences() {
    for (seed, m, n) in [(51, 5, 3), (52, 3, 3), (53, 2, 4), (54, 1, 3)] {
        let a = random(seed, m * n);
        let w = random(seed + 100, n * m);
        let f = weighted(|a, o| generalized_inverse(a, m, n, o), n * m, &w);
        let mut g = vec![0.0; m * n];
        generalized_inverse_adj(&a, m, n, &w, &mut g).expect("finite");
        assert_grad(&f, &a, &g, &format!("generalized_inverse, {m} x {n}"));
    }
}
