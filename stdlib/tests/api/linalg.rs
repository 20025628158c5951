//! Matrix routines and multivariate densities: values, reverse-mode rules
//! against finite differences, LKJ normalisation.
#![allow(clippy::excessive_precision)] // reference values keep their mpmath digits
use crate::common;
use common::*;
use hbmc_stdlib::dist::*;
use hbmc_stdlib::linalg::*;
use hbmc_stdlib::transform::{CholeskyFactorCorr, Transform};

fn rand_vec(rng: &mut impl rand::Rng, n: usize) -> Vec<f64> {
    (0..n).map(|_| unif(rng, -1.0, 1.0)).collect()
}

/// A random symmetric positive-definite n × n matrix.
fn spd(rng: &mut impl rand::Rng, n: usize) -> Vec<f64> {
    let b = rand_vec(rng, n * n);
    let mut a = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..n {
            a[i + j * n] = (0..n).map(|k| b[i + k * n] * b[j + k * n]).sum::<f64>()
                + if i == j { 0.5 } else { 0.0 };
        }
    }
    a
}

/// A random lower-triangular matrix with diagonal in [0.5, 1.5].
fn lower_tri(rng: &mut impl rand::Rng, n: usize) -> Vec<f64> {
    let mut l = vec![0.0; n * n];
    for j in 0..n {
        l[j + j * n] = unif(rng, 0.5, 1.5);
        for i in j + 1..n {
            l[i + j * n] = unif(rng, -1.0, 1.0);
        }
    }
    l
}

/// Indices (i, j), i >= j, of the lower triangle.
fn lower_idx(n: usize) -> Vec<(usize, usize)> {
    (0..n).flat_map(|j| (j..n).map(move |i| (i, j))).collect()
}

/// Checks ∂(a·F(x))/∂x for the coordinates `coords` of x, against `grad`.
fn check_coords(f: &dyn Fn(&[f64]) -> f64, x: &[f64], grad: &[f64], coords: &[usize], what: &str) {
    for &c in coords {
        let n = fd_partial(f, x, c);
        assert!(
            close(grad[c], n, 1e-6),
            "{what}: coordinate {c}: {:e} vs FD {n:e}",
            grad[c]
        );
    }
}

#[test]
fn cholesky_forward_and_adjoint() {
    let mut rng = test_rng(3);
    for n in 1..=5 {
        let a = spd(&mut rng, n);
        let mut l = vec![0.0; n * n];
        cholesky_decompose(&a, n, &mut l).unwrap();
        let mut llt = vec![0.0; n * n];
        multiply_lower_tri_self_transpose(&l, n, &mut llt).unwrap();
        for i in 0..n * n {
            assert!((llt[i] - a[i]).abs() < 1e-12);
        }
        let w = rand_vec(&mut rng, n * n);
        // f(θ) with θ the lower triangle, mirrored to keep A symmetric
        let f = |t: &[f64]| {
            let mut s = vec![0.0; n * n];
            for (k, (i, j)) in lower_idx(n).into_iter().enumerate() {
                s[i + j * n] = t[k];
                s[j + i * n] = t[k];
            }
            let mut ll = vec![0.0; n * n];
            cholesky_decompose(&s, n, &mut ll).unwrap();
            lower_idx(n)
                .iter()
                .map(|&(i, j)| w[i + j * n] * ll[i + j * n])
                .sum::<f64>()
        };
        let theta: Vec<f64> = lower_idx(n).iter().map(|&(i, j)| a[i + j * n]).collect();
        let mut lbar = vec![0.0; n * n];
        for (i, j) in lower_idx(n) {
            lbar[i + j * n] = w[i + j * n];
        }
        let mut abar = vec![0.0; n * n];
        cholesky_decompose_adj(&l, &lbar, n, &mut abar).unwrap();
        let g: Vec<f64> = lower_idx(n).iter().map(|&(i, j)| abar[i + j * n]).collect();
        assert_grad(&f, &theta, &g, &format!("cholesky adjoint n={n}"));
    }
    let mut l = vec![0.0; 4];
    assert!(matches!(
        cholesky_decompose(&[1.0, 2.0, 2.0, 1.0], 2, &mut l),
        Err(LinalgError::NotPositiveDefinite { .. })
    ));
    assert!(matches!(
        cholesky_decompose(&[1.0, 0.1, 0.0, 1.0], 2, &mut l),
        Err(LinalgError::NotSymmetric { .. })
    ));
    assert!(matches!(
        cholesky_decompose(&[1.0], 2, &mut l),
        Err(LinalgError::Length { .. })
    ));
}

#[test]
fn products_and_solves_adjoints() {
    let mut rng = test_rng(4);
    let (m, k, n) = (3, 4, 2);
    let a = rand_vec(&mut rng, m * k);
    let b = rand_vec(&mut rng, k * n);
    let cb = rand_vec(&mut rng, m * n);
    let mut ab = vec![0.0; m * k];
    let mut bb = vec![0.0; k * n];
    multiply_adj(&a, &b, m, k, n, &cb, Some(&mut ab), Some(&mut bb)).unwrap();
    let x: Vec<f64> = a.iter().chain(&b).copied().collect();
    let grad: Vec<f64> = ab.iter().chain(&bb).copied().collect();
    let f = |z: &[f64]| {
        let mut c = vec![0.0; m * n];
        multiply(&z[..m * k], &z[m * k..], m, k, n, &mut c).unwrap();
        c.iter().zip(&cb).map(|(u, v)| u * v).sum::<f64>()
    };
    assert_grad(&f, &x, &grad, "multiply");

    let nn = 4;
    let l = lower_tri(&mut rng, nn);
    let ob = rand_vec(&mut rng, nn * nn);
    let mut lb = vec![0.0; nn * nn];
    multiply_lower_tri_self_transpose_adj(&l, nn, &ob, &mut lb).unwrap();
    let f = |z: &[f64]| {
        let mut c = vec![0.0; nn * nn];
        multiply_lower_tri_self_transpose(z, nn, &mut c).unwrap();
        c.iter().zip(&ob).map(|(u, v)| u * v).sum::<f64>()
    };
    let lc: Vec<usize> = lower_idx(nn).iter().map(|&(i, j)| i + j * nn).collect();
    check_coords(&f, &l, &lb, &lc, "multiply_lower_tri_self_transpose");

    let v = rand_vec(&mut rng, m);
    let mat = rand_vec(&mut rng, m * n);
    let ob = rand_vec(&mut rng, m * n);
    let mut vb = vec![0.0; m];
    let mut mb = vec![0.0; m * n];
    diag_pre_multiply_adj(&v, &mat, m, n, &ob, Some(&mut vb), Some(&mut mb)).unwrap();
    let x: Vec<f64> = v.iter().chain(&mat).copied().collect();
    let grad: Vec<f64> = vb.iter().chain(&mb).copied().collect();
    let f = |z: &[f64]| {
        let mut c = vec![0.0; m * n];
        diag_pre_multiply(&z[..m], &z[m..], m, n, &mut c).unwrap();
        c.iter().zip(&ob).map(|(u, v)| u * v).sum::<f64>()
    };
    assert_grad(&f, &x, &grad, "diag_pre_multiply");

    let ncols = 2;
    let bm = rand_vec(&mut rng, nn * ncols);
    let mut xs = vec![0.0; nn * ncols];
    mdivide_left_tri_low(&l, nn, &bm, ncols, &mut xs).unwrap();
    let xb = rand_vec(&mut rng, nn * ncols);
    let mut lb = vec![0.0; nn * nn];
    let mut bb = vec![0.0; nn * ncols];
    mdivide_left_tri_low_adj(&l, nn, &xs, ncols, &xb, Some(&mut lb), Some(&mut bb)).unwrap();
    let f = |z: &[f64]| {
        let mut o = vec![0.0; nn * ncols];
        mdivide_left_tri_low(&z[..nn * nn], nn, &z[nn * nn..], ncols, &mut o).unwrap();
        o.iter().zip(&xb).map(|(u, v)| u * v).sum::<f64>()
    };
    let x: Vec<f64> = l.iter().chain(&bm).copied().collect();
    let grad: Vec<f64> = lb.iter().chain(&bb).copied().collect();
    let coords: Vec<usize> = lc
        .iter()
        .copied()
        .chain(nn * nn..nn * nn + nn * ncols)
        .collect();
    check_coords(&f, &x, &grad, &coords, "mdivide_left_tri_low");

    let mut lb = vec![0.0; nn * nn];
    log_det_cholesky_adj(&l, nn, 1.0, &mut lb).unwrap();
    let f = |z: &[f64]| log_det_cholesky(z, nn).unwrap();
    check_coords(&f, &l, &lb, &lc, "log_det_cholesky");

    let xv = rand_vec(&mut rng, 5)
        .iter()
        .map(|v| 3.0 * v)
        .collect::<Vec<_>>();
    let ob = rand_vec(&mut rng, 5);
    let mut s = vec![0.0; 5];
    softmax(&xv, &mut s).unwrap();
    assert!((s.iter().sum::<f64>() - 1.0).abs() < 1e-15);
    let mut g = vec![0.0; 5];
    softmax_adj(&s, &ob, &mut g).unwrap();
    let f = |z: &[f64]| {
        let mut o = vec![0.0; 5];
        softmax(z, &mut o).unwrap();
        o.iter().zip(&ob).map(|(u, v)| u * v).sum::<f64>()
    };
    assert_grad(&f, &xv, &g, "softmax");
    let mut g = vec![0.0; 5];
    log_softmax_adj(&xv, &ob, &mut g).unwrap();
    let f = |z: &[f64]| {
        let mut o = vec![0.0; 5];
        log_softmax(z, &mut o).unwrap();
        o.iter().zip(&ob).map(|(u, v)| u * v).sum::<f64>()
    };
    assert_grad(&f, &xv, &g, "log_softmax");
    let mut g = vec![0.0; 5];
    log_sum_exp_adj(&xv, 0.7, &mut g).unwrap();
    let f = |z: &[f64]| 0.7 * hbmc_stdlib::special::log_sum_exp_slice(z);
    assert_grad(&f, &xv, &g, "log_sum_exp");
}

#[test]
fn multi_normal_densities_and_adjoints() {
    let mut rng = test_rng(9);
    for k in 1..=4 {
        let sigma = spd(&mut rng, k);
        let mut l = vec![0.0; k * k];
        cholesky_decompose(&sigma, k, &mut l).unwrap();
        let y = rand_vec(&mut rng, k);
        let mu = rand_vec(&mut rng, k);
        // value: direct formula with Σ⁻¹ via the solve
        let v = multi_normal_lpdf(&y, &mu, &sigma);
        let vc = multi_normal_cholesky_lpdf(&y, &mu, &l);
        assert_close(v, vc, 1e-13, "multi_normal == multi_normal_cholesky");
        if k == 1 {
            assert_close(
                v,
                normal_lpdf(y[0], mu[0], sigma[0].sqrt()),
                1e-14,
                "1-d multi_normal",
            );
        }
        // multi_normal_cholesky adjoint
        let w = 0.8;
        let (mut yb, mut mb, mut lb) = (vec![0.0; k], vec![0.0; k], vec![0.0; k * k]);
        let v2 = multi_normal_cholesky_lpdf_adj(
            &y,
            &mu,
            &l,
            w,
            Some(&mut yb),
            Some(&mut mb),
            Some(&mut lb),
        );
        assert_eq!(v2, vc);
        let x: Vec<f64> = y.iter().chain(&mu).chain(&l).copied().collect();
        let grad: Vec<f64> = yb.iter().chain(&mb).chain(&lb).copied().collect();
        let f = |z: &[f64]| w * multi_normal_cholesky_lpdf(&z[..k], &z[k..2 * k], &z[2 * k..]);
        let coords: Vec<usize> = (0..2 * k)
            .chain(lower_idx(k).iter().map(|&(i, j)| 2 * k + i + j * k))
            .collect();
        check_coords(
            &f,
            &x,
            &grad,
            &coords,
            &format!("multi_normal_cholesky k={k}"),
        );
        // multi_normal adjoint, Σ perturbed symmetrically through its lower triangle
        let (mut yb, mut mb, mut sb) = (vec![0.0; k], vec![0.0; k], vec![0.0; k * k]);
        multi_normal_lpdf_adj(
            &y,
            &mu,
            &sigma,
            w,
            Some(&mut yb),
            Some(&mut mb),
            Some(&mut sb),
        );
        let theta: Vec<f64> = y
            .iter()
            .chain(&mu)
            .copied()
            .chain(lower_idx(k).iter().map(|&(i, j)| sigma[i + j * k]))
            .collect();
        let grad: Vec<f64> = yb
            .iter()
            .chain(&mb)
            .copied()
            .chain(lower_idx(k).iter().map(|&(i, j)| sb[i + j * k]))
            .collect();
        let f = |z: &[f64]| {
            let mut s = vec![0.0; k * k];
            for (q, (i, j)) in lower_idx(k).into_iter().enumerate() {
                s[i + j * k] = z[2 * k + q];
                s[j + i * k] = z[2 * k + q];
            }
            w * multi_normal_lpdf(&z[..k], &z[k..2 * k], &s)
        };
        assert_grad(&f, &theta, &grad, &format!("multi_normal k={k}"));
    }
    // invalid input
    assert_eq!(
        multi_normal_lpdf(&[0.0, 0.0], &[0.0, 0.0], &[1.0, 2.0, 2.0, 1.0]),
        f64::NEG_INFINITY
    );
    assert_eq!(
        multi_normal_cholesky_lpdf(&[0.0], &[0.0, 1.0], &[1.0]),
        f64::NEG_INFINITY
    );
    assert_eq!(
        multi_normal_cholesky_lpdf(&[0.0], &[0.0], &[-1.0]),
        f64::NEG_INFINITY
    );
}

#[test]
fn lkj_corr_cholesky_value_gradient_and_normalisation() {
    let mut rng = test_rng(10);
    for k in 2..=4 {
        let t = CholeskyFactorCorr { k };
        let x = rand_vec(&mut rng, t.free_len());
        let mut l = vec![0.0; k * k];
        t.constrain(&x, &mut l);
        let eta = unif(&mut rng, 0.5, 3.0);
        let mut lb = vec![0.0; k * k];
        let mut eb = 0.0;
        let v = lkj_corr_cholesky_lpdf_adj(&l, eta, 1.0, Some(&mut lb), Some(&mut eb));
        assert_close(v, lkj_corr_cholesky_lpdf(&l, eta), 1e-14, "lkj adj value");
        let mut z: Vec<f64> = l.clone();
        z.push(eta);
        let mut g = lb.clone();
        g.push(eb);
        let f = |p: &[f64]| lkj_corr_cholesky_lpdf(&p[..k * k], p[k * k]);
        let coords: Vec<usize> = lower_idx(k)
            .iter()
            .map(|&(i, j)| i + j * k)
            .chain([k * k])
            .collect();
        check_coords(&f, &z, &g, &coords, &format!("lkj k={k}"));
    }
    // extreme but valid arguments stay NaN-free
    let l2 = [1.0, 0.6, 0.0, 0.8];
    for eta in [1e-300, 1e300, f64::MAX] {
        assert!(!lkj_corr_cholesky_lpdf(&l2, eta).is_nan(), "lkj η={eta}");
    }
    assert_eq!(lkj_corr_cholesky_lpdf(&[1.0, 0.6, 0.1, 0.8], 1.0), f64::NEG_INFINITY, "not lower triangular");
    assert!(!multi_normal_cholesky_lpdf(&[1e300], &[-1e300], &[1e-300]).is_nan());
    // K = 2: the correlation r has density ∝ (1 - r²)^(η-1) on (-1, 1)
    for eta in [0.7, 1.0, 2.5] {
        let total = integrate(
            |r| lkj_corr_cholesky_lpdf(&[1.0, r, 0.0, (1.0 - r * r).sqrt()], eta).exp(),
            -1.0,
            1.0,
        );
        assert_close(total, 1.0, 1e-9, &format!("lkj K=2 η={eta}"));
    }
    // K = 3: integrate over the unconstrained space with the transform's Jacobian
    // (nested 1-d quadrature over the partial correlations z = tanh x).
    for eta in [1.0, 2.0] {
        let t = CholeskyFactorCorr { k: 3 };
        let density = |z: &[f64; 3]| {
            let x: Vec<f64> = z.iter().map(|v| v.atanh()).collect();
            let mut l = [0.0; 9];
            let lj = t.constrain(&x, &mut l);
            let dxdz: f64 = z.iter().map(|v| 1.0 / (1.0 - v * v)).product();
            (lkj_corr_cholesky_lpdf(&l, eta) + lj).exp() * dxdz
        };
        let total = integrate3(&density);
        assert_close(total, 1.0, 1e-8, &format!("lkj K=3 η={eta}"));
    }
}

/// Nested tanh–sinh quadrature over (-1, 1)³ (coarse step: the integrand is smooth inside).
fn integrate3(f: &dyn Fn(&[f64; 3]) -> f64) -> f64 {
    let h = 1.0 / 6.0;
    integrate_step(
        |a| {
            integrate_step(
                |b| integrate_step(|c| f(&[a, b, c]), -1.0, 1.0, h),
                -1.0,
                1.0,
                h,
            )
        },
        -1.0,
        1.0,
        h,
    )
}

#[test]
fn c_abi_forms_agree_with_rust() {
    use hbmc_stdlib::linalg::hbm_cholesky_decompose;
    let a = [4.0, 2.0, 2.0, 3.0];
    let mut l = [0.0; 4];
    assert_eq!(
        unsafe { hbm_cholesky_decompose(a.as_ptr(), 2, l.as_mut_ptr()) },
        0
    );
    assert_close(l[0], 2.0, 1e-15, "L11");
    assert_eq!(
        unsafe { hbm_cholesky_decompose(a.as_ptr(), -1, l.as_mut_ptr()) },
        2
    );
    assert_eq!(
        unsafe { hbm_cholesky_decompose(std::ptr::null(), 2, l.as_mut_ptr()) },
        2
    );
    let y = [0.3, -0.2];
    let mu = [0.0, 0.1];
    let v = unsafe { hbm_multi_normal_cholesky_lpdf(y.as_ptr(), mu.as_ptr(), l.as_ptr(), 2) };
    assert_eq!(v, multi_normal_cholesky_lpdf(&y, &mu, &l));
    let mut yb = [0.0; 2];
    let v2 = unsafe {
        hbm_multi_normal_cholesky_lpdf_adj(
            y.as_ptr(),
            mu.as_ptr(),
            l.as_ptr(),
            2,
            1.0,
            yb.as_mut_ptr(),
            std::ptr::null_mut(),
            std::ptr::null_mut(),
        )
    };
    assert_eq!(v, v2);
    assert!(yb.iter().all(|g| *g != 0.0));
}

/// LU routines: A A⁻¹ = I, det and ln|det| of a matrix whose determinant
/// is known (-3 for [[2, 1, 0], [1, 0, 1], [0, 1, 1]] by cofactors), and the
/// reverse-mode rules against finite differences of a weighted sum.
#[test]
fn lu_inverse_determinants_and_their_adjoints() {
    use hbmc_stdlib::lu::*;
    let a = [2.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 1.0]; // symmetric, so column-major is as written
    let n = 3;
    let mut inv = [0.0; 9];
    inverse(&a, n, &mut inv).expect("invertible");
    for i in 0..n {
        for j in 0..n {
            let v: f64 = (0..n).map(|k| a[i + k * n] * inv[k + j * n]).sum();
            assert!((v - if i == j { 1.0 } else { 0.0 }).abs() < 1e-14, "(A A^-1)[{i}, {j}] = {v}");
        }
    }
    assert!((determinant(&a, n).unwrap() + 3.0).abs() < 1e-14);
    assert!((log_determinant(&a, n).unwrap() - 3f64.ln()).abs() < 1e-14);
    assert_eq!(determinant(&[1.0, 2.0, 2.0, 4.0], 2).unwrap(), 0.0);
    assert!(inverse(&[1.0, 2.0, 2.0, 4.0], 2, &mut [0.0; 4]).is_err());
    // Adjoints: f(A) = Σ c_ij g(A)_ij for g = inverse, and f = w det, w ln|det|.
    let b = [1.5, -0.3, 0.2, 0.4, 2.0, -0.1, 0.3, 0.5, 1.2];
    let c: Vec<f64> = (0..9).map(|k| 0.1 * k as f64 - 0.3).collect();
    let weighted_inverse = |m: &[f64]| {
        let mut y = [0.0; 9];
        inverse(m, 3, &mut y).unwrap();
        y.iter().zip(&c).map(|(a, b)| a * b).sum::<f64>()
    };
    let mut y = [0.0; 9];
    inverse(&b, 3, &mut y).unwrap();
    let mut adj = [0.0; 9];
    inverse_adj(&y, 3, &c, &mut adj).unwrap();
    let mut det_adj = [0.0; 9];
    determinant_adj(&b, 3, 0.7, &mut det_adj).unwrap();
    let mut logdet_adj = [0.0; 9];
    log_determinant_adj(&b, 3, 0.7, &mut logdet_adj).unwrap();
    for k in 0..9 {
        let fd = |f: &dyn Fn(&[f64]) -> f64| {
            let h = 1e-6;
            let (mut p, mut m) = (b, b);
            p[k] += h;
            m[k] -= h;
            (f(&p) - f(&m)) / (2.0 * h)
        };
        assert!((adj[k] - fd(&weighted_inverse)).abs() < 1e-7, "inverse adjoint {k}");
        assert!((det_adj[k] - fd(&|m| 0.7 * determinant(m, 3).unwrap())).abs() < 1e-7, "det adjoint {k}");
        assert!((logdet_adj[k] - fd(&|m| 0.7 * log_determinant(m, 3).unwrap())).abs() < 1e-7, "log det adjoint {k}");
    }
    // Sorting: values in order, adjoints back to where they came from.
    let x = [0.3, -1.0, 2.0, 0.3];
    let mut out = [0.0; 4];
    sort(&x, &mut out, true);
    assert_eq!(out, [2.0, 0.3, 0.3, -1.0]);
    let mut x_adj = [0.0; 4];
    sort_adj(&x, &[1.0, 2.0, 3.0, 4.0], &mut x_adj, true);
    assert_eq!(x_adj, [2.0, 4.0, 1.0, 3.0]);
}
