//! Shared test helpers: finite differences, tolerances, quadrature, points.
#![allow(dead_code)] // each test binary uses a subset

use rand::{Rng, SeedableRng};

/// Step for the finite difference at x: relative to |x|, never below 1e-5.
pub fn step(x: f64) -> f64 {
    1e-3 * x.abs().max(1e-2)
}

/// Fourth-order central difference of f at x (Richardson on two steps),
/// accurate to ~1e-11 relative for smooth f.
pub fn fd(f: impl Fn(f64) -> f64, x: f64) -> f64 {
    fd_step(f, x, step(x))
}

/// [`fd`] with the step `h`.
pub fn fd_step(f: impl Fn(f64) -> f64, x: f64, h: f64) -> f64 {
    let d1 = f(x + h) - f(x - h);
    let d2 = f(x + 2.0 * h) - f(x - 2.0 * h);
    (8.0 * d1 - d2) / (12.0 * h)
}

/// ∂f/∂x_i by [`fd`].
pub fn fd_partial(f: &dyn Fn(&[f64]) -> f64, x: &[f64], i: usize) -> f64 {
    fd_partial_scaled(f, x, i, 1.0)
}

/// [`fd_partial`] with a step `scale` times [`step`]'s: near a pole the
/// truncation error of the usual step passes 1e-6, and a tenth of it cuts
/// that error 10^4-fold.
pub fn fd_partial_scaled(f: &dyn Fn(&[f64]) -> f64, x: &[f64], i: usize, scale: f64) -> f64 {
    fd_step(
        |t| {
            let mut y = x.to_vec();
            y[i] = t;
            f(&y)
        },
        x[i],
        scale * step(x[i]),
    )
}

/// Full FD gradient.
pub fn fd_grad(f: &dyn Fn(&[f64]) -> f64, x: &[f64]) -> Vec<f64> {
    (0..x.len()).map(|i| fd_partial(f, x, i)).collect()
}

/// True when `a` matches the reference `r` to `rel` relative error, with an
/// absolute floor of `rel * 1e-3` for references near zero.
pub fn close(a: f64, r: f64, rel: f64) -> bool {
    if a == r {
        return true;
    }
    (a - r).abs() <= rel * r.abs().max(1e-3)
}

/// Asserts [`close`] with a message.
#[track_caller]
pub fn assert_close(a: f64, r: f64, rel: f64, what: &str) {
    assert!(
        close(a, r, rel),
        "{what}: got {a:e}, expected {r:e} (rel err {:e})",
        ((a - r) / r).abs()
    );
}

/// Asserts an analytic gradient equals the FD gradient of f to 1e-6.
#[track_caller]
pub fn assert_grad(f: &dyn Fn(&[f64]) -> f64, x: &[f64], g: &[f64], what: &str) {
    let num = fd_grad(f, x);
    for i in 0..x.len() {
        assert!(
            close(g[i], num[i], 1e-6),
            "{what}: ∂/∂x{i} at {x:?}: analytic {:e}, FD {:e}",
            g[i],
            num[i]
        );
    }
}

/// Deterministic generator for test points.
pub fn test_rng(seed: u64) -> rand::rngs::StdRng {
    rand::rngs::StdRng::seed_from_u64(seed)
}

/// Uniform in [lo, hi).
pub fn unif(rng: &mut impl Rng, lo: f64, hi: f64) -> f64 {
    lo + (hi - lo) * rng.random::<f64>()
}

/// Tanh–sinh quadrature of f over (a, b) (endpoints may be ±inf; handles
/// integrable endpoint singularities). Accurate to ~1e-12 for smooth densities.
pub fn integrate(f: impl Fn(f64) -> f64, a: f64, b: f64) -> f64 {
    integrate_step(f, a, b, 1.0 / 64.0)
}

/// [`integrate`] with node spacing `h` in the tanh–sinh variable (the error
/// falls like exp(-c/h); h = 1/8 already gives ~1e-10 for smooth integrands).
pub fn integrate_step(f: impl Fn(f64) -> f64, a: f64, b: f64, h: f64) -> f64 {
    let mut sum = 0.0;
    let half_pi = std::f64::consts::FRAC_PI_2;
    let jmax = (6.5 / h) as i32;
    for j in -jmax..=jmax {
        let t = j as f64 * h;
        let u = half_pi * t.sinh();
        let s = u.tanh(); // node in (-1, 1)
        let w = half_pi * t.cosh() / (u.cosh() * u.cosh());
        if w < 1e-300 {
            continue;
        }
        // Distance to ±1 computed without cancellation: 1 - |s| = 2/(1+e^{2|u|}).
        let one_minus = 2.0 / (1.0 + (2.0 * u.abs()).exp());
        let (x, jac) = map_interval(s, one_minus, a, b);
        if !x.is_finite() || !jac.is_finite() {
            continue;
        }
        let v = f(x);
        if v.is_finite() {
            sum += w * jac * v;
        }
    }
    sum * h
}

/// Maps s ∈ (-1, 1) to (a, b), returning (x, dx/ds).
fn map_interval(s: f64, one_minus: f64, a: f64, b: f64) -> (f64, f64) {
    match (a.is_finite(), b.is_finite()) {
        (true, true) => {
            // x measured from the nearer end to keep precision at endpoints
            let x = if s < 0.0 {
                a + 0.5 * (b - a) * one_minus
            } else {
                b - 0.5 * (b - a) * one_minus
            };
            (x, 0.5 * (b - a))
        }
        (true, false) => {
            // x = a + (1+s)/(1-s)
            let om = if s > 0.0 { one_minus } else { 1.0 - s };
            let op = if s < 0.0 { one_minus } else { 1.0 + s };
            (a + op / om, 2.0 / (om * om))
        }
        (false, true) => {
            let (x, j) = map_interval(-s, one_minus, -b, f64::INFINITY);
            (-x, j)
        }
        (false, false) => {
            // x = s / (1 - s²)
            let d = one_minus * (2.0 - one_minus); // 1 - s²
            (s / d, (1.0 + s * s) / (d * d))
        }
    }
}

/// log|det M| of an n×n column-major matrix by LU with partial pivoting.
pub fn log_abs_det(m: &[f64], n: usize) -> f64 {
    let mut a = m.to_vec();
    let mut ld = 0.0;
    for c in 0..n {
        let p = (c..n)
            .max_by(|&i, &j| a[i + c * n].abs().total_cmp(&a[j + c * n].abs()))
            .unwrap();
        if p != c {
            for k in 0..n {
                a.swap(c + k * n, p + k * n);
            }
        }
        let d = a[c + c * n];
        ld += d.abs().ln();
        for i in c + 1..n {
            let f = a[i + c * n] / d;
            for k in c..n {
                a[i + k * n] -= f * a[c + k * n];
            }
        }
    }
    ld
}

/// The FD Jacobian (rows: outputs picked by `pick`, columns: inputs) of
/// x ↦ pick(g(x)), column-major.
pub fn fd_jacobian(g: &dyn Fn(&[f64]) -> Vec<f64>, x: &[f64]) -> Vec<Vec<f64>> {
    (0..x.len())
        .map(|j| {
            let h = step(x[j]);
            let at = |t: f64| {
                let mut y = x.to_vec();
                y[j] = t;
                g(&y)
            };
            let (p1, m1, p2, m2) = (
                at(x[j] + h),
                at(x[j] - h),
                at(x[j] + 2.0 * h),
                at(x[j] - 2.0 * h),
            );
            (0..p1.len())
                .map(|i| (8.0 * (p1[i] - m1[i]) - (p2[i] - m2[i])) / (12.0 * h))
                .collect()
        })
        .collect()
}
