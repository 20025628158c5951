//! The reverse-mode matrix rules at general sizes: the Murray-style Cholesky
//! adjoint against the scalar replay of the forward loop (sizes 1..=64) and
//! finite differences, and "no allocation once warm" checked with a counting
//! global allocator.
#[path = "api/common/mod.rs"]
mod common;
use common::*;
use hbmc_stdlib::dist::*;
use hbmc_stdlib::linalg::*;
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

/// Counts allocations per thread, so tests running in parallel in this
/// binary do not disturb each other's counts.
struct Counting;
thread_local! {
    static ALLOCS: Cell<usize> = const { Cell::new(0) };
}
fn count() {
    // try_with: the counter may already be gone while a thread shuts down
    let _ = ALLOCS.try_with(|c| c.set(c.get() + 1));
}
fn allocs() -> usize {
    ALLOCS.with(|c| c.get())
}
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new: usize) -> *mut u8 {
        count();
        unsafe { System.realloc(ptr, layout, new) }
    }
}
#[global_allocator]
static GLOBAL: Counting = Counting;

/// A random symmetric positive-definite n × n matrix (B Bᵀ / n + I).
fn spd(rng: &mut impl rand::Rng, n: usize) -> Vec<f64> {
    let b: Vec<f64> = (0..n * n).map(|_| unif(rng, -1.0, 1.0)).collect();
    let mut a = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..n {
            let s: f64 = (0..n).map(|k| b[i + k * n] * b[j + k * n]).sum();
            a[i + j * n] = s / n as f64 + if i == j { 1.0 } else { 0.0 };
        }
    }
    a
}

/// Independent oracle: reverse mode by replaying the unblocked Cholesky–Crout
/// loop backwards statement by statement (the pre-Murray implementation).
fn scalar_replay_adj(l: &[f64], l_adj: &[f64], n: usize) -> Vec<f64> {
    let mut lb = l_adj.to_vec();
    let mut ab = vec![0.0; n * n];
    for j in (0..n).rev() {
        let d = l[j + j * n];
        for i in (j + 1..n).rev() {
            let g = lb[i + j * n];
            let tb = g / d;
            lb[j + j * n] -= g * l[i + j * n] / d;
            ab[i + j * n] += tb;
            for k in 0..j {
                lb[i + k * n] -= tb * l[j + k * n];
                lb[j + k * n] -= tb * l[i + k * n];
            }
        }
        let sb = lb[j + j * n] / (2.0 * d);
        ab[j + j * n] += sb;
        for k in 0..j {
            lb[j + k * n] -= 2.0 * sb * l[j + k * n];
        }
    }
    ab
}

fn lower_random(rng: &mut impl rand::Rng, n: usize) -> Vec<f64> {
    let mut w = vec![0.0; n * n];
    for j in 0..n {
        for i in j..n {
            w[i + j * n] = unif(rng, -1.0, 1.0);
        }
    }
    w
}

#[test]
fn murray_cholesky_adjoint_matches_scalar_replay_sizes_1_to_64() {
    let mut rng = test_rng(17);
    // From CHOLESKY_REV_BLOCKED_MIN_N the blocked reverse runs (a multiple
    // of its block width, and not).
    let blocked = [CHOLESKY_REV_BLOCKED_MIN_N, CHOLESKY_REV_BLOCKED_MIN_N + 5, 203];
    for n in (1..=64).chain(blocked) {
        let a = spd(&mut rng, n);
        let mut l = vec![0.0; n * n];
        cholesky_decompose(&a, n, &mut l).unwrap();
        let lbar = lower_random(&mut rng, n);
        let want = scalar_replay_adj(&l, &lbar, n);
        // accumulate onto a non-zero start to check `+=` semantics
        let start: Vec<f64> = (0..n * n).map(|k| k as f64 * 0.01).collect();
        let mut got = start.clone();
        cholesky_decompose_adj(&l, &lbar, n, &mut got).unwrap();
        let scale = want.iter().fold(1.0f64, |m, x| m.max(x.abs()));
        for j in 0..n {
            for i in j..n {
                let g = got[i + j * n] - start[i + j * n];
                let w = want[i + j * n];
                assert!(
                    (g - w).abs() <= 1e-10 * scale,
                    "n={n} ({i},{j}): murray {g:e} vs replay {w:e}"
                );
            }
            for i in 0..j {
                assert_eq!(got[i + j * n], start[i + j * n], "upper triangle touched");
            }
        }
    }
}

#[test]
fn murray_cholesky_adjoint_matches_finite_differences() {
    let mut rng = test_rng(171);
    for n in [1usize, 2, 3, 7, 16, 33] {
        let a = spd(&mut rng, n);
        let w = lower_random(&mut rng, n);
        let idx: Vec<(usize, usize)> = (0..n).flat_map(|j| (j..n).map(move |i| (i, j))).collect();
        let f = |t: &[f64]| {
            let mut s = vec![0.0; n * n];
            for (k, &(i, j)) in idx.iter().enumerate() {
                s[i + j * n] = t[k];
                s[j + i * n] = t[k];
            }
            let mut ll = vec![0.0; n * n];
            cholesky_decompose(&s, n, &mut ll).unwrap();
            idx.iter()
                .map(|&(i, j)| w[i + j * n] * ll[i + j * n])
                .sum::<f64>()
        };
        let theta: Vec<f64> = idx.iter().map(|&(i, j)| a[i + j * n]).collect();
        let mut l = vec![0.0; n * n];
        cholesky_decompose(&a, n, &mut l).unwrap();
        let mut abar = vec![0.0; n * n];
        cholesky_decompose_adj(&l, &w, n, &mut abar).unwrap();
        let g: Vec<f64> = idx.iter().map(|&(i, j)| abar[i + j * n]).collect();
        assert_grad(&f, &theta, &g, &format!("murray cholesky adjoint n={n}"));
    }
}

/// The blocked reverse against finite differences along random symmetric
/// directions V: d/dt Σ W∘L(A + tV) at 0 equals Σ_{i>=j} Ā_ij V_ij.
#[test]
fn blocked_cholesky_adjoint_matches_directional_finite_differences() {
    let mut rng = test_rng(1733);
    for n in [CHOLESKY_REV_BLOCKED_MIN_N, CHOLESKY_REV_BLOCKED_MIN_N + 3] {
        let a = spd(&mut rng, n);
        let w = lower_random(&mut rng, n);
        let mut l = vec![0.0; n * n];
        cholesky_decompose(&a, n, &mut l).unwrap();
        let mut abar = vec![0.0; n * n];
        cholesky_decompose_adj(&l, &w, n, &mut abar).unwrap();
        for _ in 0..3 {
            let v = lower_random(&mut rng, n);
            let f = |t: f64| {
                let mut s = a.clone();
                for j in 0..n {
                    for i in j..n {
                        s[i + j * n] += t * v[i + j * n];
                        if i != j {
                            s[j + i * n] += t * v[i + j * n];
                        }
                    }
                }
                let mut ll = vec![0.0; n * n];
                cholesky_decompose(&s, n, &mut ll).unwrap();
                ll.iter().zip(&w).map(|(x, y)| x * y).sum::<f64>()
            };
            let want = fd(f, 0.0);
            let got: f64 = abar.iter().zip(&v).map(|(x, y)| x * y).sum();
            assert_close(got, want, 1e-7, &format!("blocked cholesky adjoint n={n}"));
        }
    }
}

#[test]
fn matrix_adjoints_do_not_allocate_once_warm() {
    // 40: the blocked forward with the column reverse; 133: both blocked.
    for n in [40, CHOLESKY_REV_BLOCKED_MIN_N + 5] {
        alloc_free_once_warm(n);
    }
}

fn alloc_free_once_warm(n: usize) {
    let mut rng = test_rng(1717);
    let ncols = 3;
    let a = spd(&mut rng, n);
    let mut l = vec![0.0; n * n];
    let lbar = lower_random(&mut rng, n);
    let mut abar = vec![0.0; n * n];
    let b: Vec<f64> = (0..n * ncols).map(|_| unif(&mut rng, -1.0, 1.0)).collect();
    let mut x = vec![0.0; n * ncols];
    let xbar: Vec<f64> = (0..n * ncols).map(|_| unif(&mut rng, -1.0, 1.0)).collect();
    let mut lb2 = vec![0.0; n * n];
    let mut bb = vec![0.0; n * ncols];
    let mut llt = vec![0.0; n * n];
    let (mut ya, mut ma) = (vec![0.0; n], vec![0.0; n]);
    let mut run = |l: &mut Vec<f64>| {
        cholesky_decompose(&a, n, l).unwrap();
        cholesky_decompose_adj(l, &lbar, n, &mut abar).unwrap();
        mdivide_left_tri_low(l, n, &b, ncols, &mut x).unwrap();
        mdivide_left_tri_low_adj(l, n, &x, ncols, &xbar, Some(&mut lb2), Some(&mut bb)).unwrap();
        multiply_lower_tri_self_transpose(l, n, &mut llt).unwrap();
        multiply_lower_tri_self_transpose_adj(l, n, &lbar, &mut lb2).unwrap();
        log_det_cholesky(l, n).unwrap();
        // the GP likelihood at run-time size, both parameterisations
        let (y, mu) = (&b[..n], &xbar[..n]);
        let lp1 = multi_normal_cholesky_lpdf_adj(
            y,
            mu,
            l,
            1.0,
            Some(&mut ya),
            Some(&mut ma),
            Some(&mut lb2),
        );
        let lp2 = multi_normal_lpdf_adj(y, mu, &a, 1.0, Some(&mut ya), None, Some(&mut abar));
        assert!(lp1.is_finite() && lp2.is_finite());
    };
    run(&mut l); // warm: the per-thread work buffer grows here
    let before = allocs();
    for _ in 0..5 {
        run(&mut l);
    }
    let after = allocs();
    assert_eq!(
        after - before,
        0,
        "matrix routines allocated {} times once warm at n = {n}",
        after - before
    );
}

/// The scalar Cholesky–Crout loop (the pre-change forward), as an oracle.
fn crout(a: &[f64], n: usize) -> Vec<f64> {
    let mut l = vec![0.0; n * n];
    for j in 0..n {
        let mut s = a[j + j * n];
        for k in 0..j {
            s -= l[j + k * n] * l[j + k * n];
        }
        let d = s.sqrt();
        l[j + j * n] = d;
        for i in j + 1..n {
            let mut t = a[i + j * n];
            for k in 0..j {
                t -= l[i + k * n] * l[j + k * n];
            }
            l[i + j * n] = t / d;
        }
    }
    l
}

/// Below `CHOLESKY_BLOCKED_MIN_N` the column form subtracts every term in
/// the Crout loop's order, so it matches it bit for bit; from it the blocked
/// form sums the earlier blocks' terms first, so it matches to rounding.
#[test]
fn column_cholesky_forward_equals_crout_bit_for_bit() {
    let mut rng = test_rng(1718);
    for n in (1..CHOLESKY_BLOCKED_MIN_N + 10).chain([150]) {
        let a = spd(&mut rng, n);
        let mut l = vec![f64::NAN; n * n];
        cholesky_decompose(&a, n, &mut l).unwrap();
        let want = crout(&a, n);
        let scale = want.iter().fold(0.0f64, |m, x| m.max(x.abs()));
        for k in 0..n * n {
            if n < CHOLESKY_BLOCKED_MIN_N {
                assert_eq!(
                    l[k].to_bits(),
                    want[k].to_bits(),
                    "n={n} entry {k}: {} vs {}",
                    l[k],
                    want[k]
                );
            } else {
                assert!(
                    (l[k] - want[k]).abs() <= 1e-12 * scale,
                    "blocked n={n} entry {k}: {} vs {}",
                    l[k],
                    want[k]
                );
            }
        }
    }
}

/// A gradient's forward and reverse sweeps decompose one matrix up to four
/// times (`eigenvalues_sym`, `eigenvectors_sym` and both rules; the SVD's
/// three parts and its rule): the thread remembers the decomposition, so
/// every call after the first on the same matrix allocates nothing (each
/// decomposition allocates its working copies).
#[test]
fn a_matrix_decomposed_again_is_not_decomposed_again() {
    use hbmc_stdlib::eigen::{eigenvalues_sym, eigenvectors_sym};
    use hbmc_stdlib::svd::{singular_values, svd_u, svd_v};
    let mut rng = test_rng(1739);
    let (n, m) = (5, 3);
    let a = spd(&mut rng, n);
    let other = spd(&mut rng, n);
    let (mut values, mut vectors) = (vec![0.0; n], vec![0.0; n * n]);
    eigenvalues_sym(&a, n, &mut values).unwrap();
    eigenvalues_sym(&other, n, &mut values).unwrap();
    let before = allocs();
    eigenvectors_sym(&a, n, &mut vectors).unwrap();
    eigenvalues_sym(&a, n, &mut values).unwrap();
    eigenvectors_sym(&other, n, &mut vectors).unwrap();
    assert_eq!(allocs() - before, 0, "eigen decompositions of matrices decomposed just before");

    let b: Vec<f64> = (0..n * m).map(|_| unif(&mut rng, -1.0, 1.0)).collect();
    let (mut s, mut u, mut v) = (vec![0.0; m], vec![0.0; n * m], vec![0.0; m * m]);
    singular_values(&b, n, m, &mut s).unwrap();
    let before = allocs();
    svd_u(&b, n, m, &mut u).unwrap();
    svd_v(&b, n, m, &mut v).unwrap();
    assert_eq!(allocs() - before, 0, "an SVD of a matrix decomposed just before");
}
