//! A root finder for square systems `f(x, theta) = 0`: the numerical core
//! of Stan's `solve_newton`, `solve_powell`, `algebra_solver` and
//! `algebra_solver_newton` (the compiler's `interp::ode` drives it with the
//! Jacobian of the user's `f` from its own reverse mode).
//!
//! Newton's method with a backtracking (Armijo) line search on
//! `|f|^2 / 2`; where the Jacobian is singular the step is a
//! Levenberg-Marquardt one instead. Once `|f| <= f_tol` a few more full
//! Newton steps polish the root while they still reduce `|f|`, so that
//! the root (and the gradient at it) is accurate to about machine
//! precision for a well-conditioned system, not just to `f_tol`.
//!
//! The sensitivities come from the implicit function theorem:
//! `dx/dtheta = -J_x^{-1} J_theta` at the root. Errors are values
//! ([`RootError`]); nothing here panics on any argument.

use std::fmt;

/// Stan's controls of an algebraic solve.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RootControl {
    /// Stop once a step is smaller than this relative to `x` (Stan's
    /// `relative_tolerance`, or `scaling_step` of the Newton solver).
    pub step_tol: f64,
    /// The largest Euclidean norm of `f` at an accepted root (Stan's
    /// `function_tolerance`).
    pub f_tol: f64,
    /// Most Newton iterations.
    pub max_steps: u64,
}

/// Why a solve failed; the message says what to change.
#[derive(Clone, Debug, PartialEq)]
pub enum RootError {
    /// A control is not positive and finite.
    BadControl { what: &'static str, value: f64 },
    /// The initial guess holds NaN or infinity.
    NotFiniteGuess,
    /// `f` or its Jacobian gave NaN or infinity at `x`.
    NotFinite,
    /// `max_steps` iterations did not bring `|f|` below `f_tol`.
    TooManySteps { steps: u64, norm: f64, f_tol: f64 },
    /// The line search found no point with a smaller `|f|`: a local
    /// minimum of `|f|` that is not a root, or a guess too far away.
    NoRoot { norm: f64, f_tol: f64 },
    /// The Jacobian in `x` is singular at the root, so the root does not
    /// depend smoothly on `theta`.
    SingularJacobian,
    /// The system's sizes disagree.
    Sizes,
}

impl fmt::Display for RootError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RootError::BadControl { what, value } => write!(f, "{what} is {value}; it must be positive and finite"),
            RootError::NotFiniteGuess => write!(f, "the initial guess must be finite"),
            RootError::NotFinite => write!(f, "the algebraic system returned NaN or infinity"),
            RootError::TooManySteps { steps, norm, f_tol } => write!(
                f,
                "max_num_steps ({steps}) exceeded: the norm of the algebraic function is {norm:e}, above the function tolerance {f_tol:e}"
            ),
            RootError::NoRoot { norm, f_tol } => write!(
                f,
                "no root found: the norm of the algebraic function is {norm:e}, above the function tolerance {f_tol:e}, and no step reduces it"
            ),
            RootError::SingularJacobian => write!(f, "the Jacobian of the algebraic system is singular at the root"),
            RootError::Sizes => write!(f, "the sizes of the system disagree"),
        }
    }
}

/// A root and its sensitivities.
#[derive(Clone, Debug, PartialEq)]
pub struct Root {
    /// The root, `n` values.
    pub x: Vec<f64>,
    /// `dx/dtheta`, `n x p` column-major.
    pub dx_dtheta: Vec<f64>,
}

/// How many full Newton steps polish a root once `|f| <= f_tol`.
const POLISH_STEPS: u32 = 4;
/// Most halvings of a step in the line search.
const MAX_HALVINGS: u32 = 40;
/// Armijo's sufficient-decrease constant.
const ARMIJO: f64 = 1e-4;

/// LU factorisation with partial pivoting of the `n x n` column-major `a`
/// in place; `false` when a pivot is zero or negligible next to the
/// largest entry (the matrix is singular to working precision).
pub(crate) fn lu_factor(a: &mut [f64], n: usize, piv: &mut [usize]) -> bool {
    let scale = a.iter().fold(0.0f64, |m, x| m.max(x.abs()));
    if !(scale > 0.0 && scale.is_finite()) {
        return false;
    }
    let tiny = scale * f64::EPSILON * n as f64;
    for k in 0..n {
        let (mut best, mut at) = (a[k * n + k].abs(), k);
        for i in k + 1..n {
            if a[k * n + i].abs() > best {
                best = a[k * n + i].abs();
                at = i;
            }
        }
        if best <= tiny {
            return false;
        }
        piv[k] = at;
        if at != k {
            for j in 0..n {
                a.swap(j * n + k, j * n + at);
            }
        }
        let d = a[k * n + k];
        for i in k + 1..n {
            a[k * n + i] /= d;
        }
        for j in k + 1..n {
            let ukj = a[j * n + k];
            if ukj != 0.0 {
                for i in k + 1..n {
                    a[j * n + i] -= a[k * n + i] * ukj;
                }
            }
        }
    }
    true
}

/// Solves `A x = b` in place with the factors of [`lu_factor`].
pub(crate) fn lu_solve(lu: &[f64], n: usize, piv: &[usize], b: &mut [f64]) {
    for k in 0..n {
        b.swap(k, piv[k]);
    }
    for j in 0..n {
        let bj = b[j];
        for i in j + 1..n {
            b[i] -= lu[j * n + i] * bj;
        }
    }
    for j in (0..n).rev() {
        b[j] /= lu[j * n + j];
        let bj = b[j];
        for i in 0..j {
            b[i] -= lu[j * n + i] * bj;
        }
    }
}

fn norm2(v: &[f64]) -> f64 {
    v.iter().map(|x| x * x).sum::<f64>().sqrt()
}

/// The step from `x`: Newton's `-J^{-1} f`, or where `J` is singular the
/// Levenberg-Marquardt `-(J'J + mu I)^{-1} J'f`.
fn direction(jac: &[f64], f: &[f64], n: usize) -> Vec<f64> {
    let mut lu = jac.to_vec();
    let mut piv = vec![0; n];
    if lu_factor(&mut lu, n, &mut piv) {
        let mut d: Vec<f64> = f.iter().map(|v| -v).collect();
        lu_solve(&lu, n, &piv, &mut d);
        if d.iter().all(|v| v.is_finite()) {
            return d;
        }
    }
    // J'J + mu I, with mu small next to J'J's scale (and positive even
    // when J is zero, so the system is always solvable).
    let mut jtj = vec![0.0; n * n];
    for a in 0..n {
        for b in 0..n {
            jtj[b * n + a] = (0..n).map(|k| jac[a * n + k] * jac[b * n + k]).sum();
        }
    }
    let trace: f64 = (0..n).map(|a| jtj[a * n + a]).sum();
    let mu = 1e-6 * (trace / n as f64).max(1e-300);
    for a in 0..n {
        jtj[a * n + a] += mu;
    }
    let mut d: Vec<f64> = (0..n).map(|a| -(0..n).map(|k| jac[a * n + k] * f[k]).sum::<f64>()).collect();
    if lu_factor(&mut jtj, n, &mut piv) {
        lu_solve(&jtj, n, &piv, &mut d);
    }
    d
}

/// Finds a root of `f(., theta)` from `x0`. `eval(x, f, jx, jt)` writes
/// `f(x)`, its Jacobian in `x` (`n x n` column-major: `jx[j * n + k] =
/// df_k/dx_j`) and in the `p` parameters (`n x p`, the same layout); a
/// system that fails writes NaN into `f`.
pub fn solve_root<E: FnMut(&[f64], &mut [f64], &mut [f64], &mut [f64])>(
    mut eval: E,
    x0: &[f64],
    p: usize,
    ctl: &RootControl,
) -> Result<Root, RootError> {
    for (what, value) in [("the step tolerance", ctl.step_tol), ("the function tolerance", ctl.f_tol)] {
        if !(value > 0.0 && value.is_finite()) {
            return Err(RootError::BadControl { what, value });
        }
    }
    if ctl.max_steps == 0 {
        return Err(RootError::BadControl { what: "max_num_steps", value: 0.0 });
    }
    if x0.iter().any(|v| !v.is_finite()) {
        return Err(RootError::NotFiniteGuess);
    }
    let n = x0.len();
    let finite = |f: &[f64], jx: &[f64], jt: &[f64]| f.iter().chain(jx).chain(jt).all(|v| v.is_finite());
    let mut x = x0.to_vec();
    let (mut f, mut jx, mut jt) = (vec![0.0; n], vec![0.0; n * n], vec![0.0; n * p]);
    eval(&x, &mut f, &mut jx, &mut jt);
    if !finite(&f, &jx, &jt) {
        return Err(RootError::NotFinite);
    }
    let mut norm = norm2(&f);
    let mut polished = 0;
    let mut steps = 0u64;
    let (mut f_new, mut jx_new, mut jt_new) = (f.clone(), jx.clone(), jt.clone());
    while norm > 0.0 {
        if norm <= ctl.f_tol && polished >= POLISH_STEPS {
            break;
        }
        if steps == ctl.max_steps {
            if norm <= ctl.f_tol {
                break;
            }
            return Err(RootError::TooManySteps { steps, norm, f_tol: ctl.f_tol });
        }
        steps += 1;
        let d = direction(&jx, &f, n);
        // The slope of |f|^2 / 2 along d: f' J d.
        let slope: f64 = (0..n).map(|k| f[k] * (0..n).map(|j| jx[j * n + k] * d[j]).sum::<f64>()).sum();
        let polishing = norm <= ctl.f_tol;
        if !polishing && !(slope < 0.0) {
            // No descent direction: a stationary point of |f| that is not a root.
            return Err(RootError::NoRoot { norm, f_tol: ctl.f_tol });
        }
        let mut alpha = 1.0;
        let mut accepted = false;
        let mut trial = x.clone();
        for _ in 0..MAX_HALVINGS {
            for i in 0..n {
                trial[i] = x[i] + alpha * d[i];
            }
            eval(&trial, &mut f_new, &mut jx_new, &mut jt_new);
            if finite(&f_new, &jx_new, &jt_new) {
                let new_norm = norm2(&f_new);
                let enough = if polishing {
                    new_norm < norm
                } else {
                    0.5 * new_norm * new_norm <= 0.5 * norm * norm + ARMIJO * alpha * slope.min(0.0)
                };
                if enough {
                    accepted = true;
                    break;
                }
            }
            if polishing {
                // A polishing step is a full step or none.
                break;
            }
            alpha *= 0.5;
        }
        if !accepted {
            if norm <= ctl.f_tol {
                break;
            }
            return Err(RootError::NoRoot { norm, f_tol: ctl.f_tol });
        }
        let step = alpha * d.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        let size = x.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        std::mem::swap(&mut x, &mut trial);
        std::mem::swap(&mut f, &mut f_new);
        std::mem::swap(&mut jx, &mut jx_new);
        std::mem::swap(&mut jt, &mut jt_new);
        norm = norm2(&f);
        if norm <= ctl.f_tol {
            polished += 1;
            // Steps far below the step tolerance change nothing more.
            if step <= 1e-3 * ctl.step_tol.min(1e-10) * (1.0 + size) {
                break;
            }
        }
    }
    // The implicit function theorem at the root.
    let mut lu = jx.clone();
    let mut piv = vec![0; n];
    if n > 0 && !lu_factor(&mut lu, n, &mut piv) {
        return Err(RootError::SingularJacobian);
    }
    let mut dx_dtheta = vec![0.0; n * p];
    for j in 0..p {
        let col = &mut dx_dtheta[j * n..(j + 1) * n];
        for k in 0..n {
            col[k] = -jt[j * n + k];
        }
        lu_solve(&lu, n, &piv, col);
    }
    if dx_dtheta.iter().any(|v| !v.is_finite()) {
        return Err(RootError::SingularJacobian);
    }
    Ok(Root { x, dx_dtheta })
}

#[cfg(test)]
mod tests {
    use super::*;

    const CTL: RootControl = RootControl { step_tol: 1e-10, f_tol: 1e-6, max_steps: 200 };

    /// x^2 - theta = 0 from a positive guess: sqrt(theta), d/dtheta =
    /// 1 / (2 sqrt(theta)).
    #[test]
    fn square_root_and_its_derivative() {
        let eval = |x: &[f64], f: &mut [f64], jx: &mut [f64], jt: &mut [f64]| {
            f[0] = x[0] * x[0] - 7.0;
            jx[0] = 2.0 * x[0];
            jt[0] = -1.0;
        };
        let r = solve_root(eval, &[1.0], 1, &CTL).expect("solves");
        assert!((r.x[0] - 7f64.sqrt()).abs() < 1e-14, "{}", r.x[0]);
        assert!((r.dx_dtheta[0] - 0.5 / 7f64.sqrt()).abs() < 1e-14, "{}", r.dx_dtheta[0]);
    }

    /// A linear system A x = b: one Newton step; dx/db = A^{-1}.
    #[test]
    fn linear_system_and_its_inverse() {
        let a = [[4.0, 1.0, 0.5], [1.0, 3.0, -1.0], [0.0, 2.0, 5.0]];
        let b = [1.0, -2.0, 3.0];
        let eval = |x: &[f64], f: &mut [f64], jx: &mut [f64], jt: &mut [f64]| {
            for k in 0..3 {
                f[k] = (0..3).map(|j| a[k][j] * x[j]).sum::<f64>() - b[k];
                for j in 0..3 {
                    jx[j * 3 + k] = a[k][j];
                    jt[j * 3 + k] = if j == k { -1.0 } else { 0.0 };
                }
            }
        };
        let r = solve_root(eval, &[0.0; 3], 3, &CTL).expect("solves");
        for k in 0..3 {
            let ax: f64 = (0..3).map(|j| a[k][j] * r.x[j]).sum();
            assert!((ax - b[k]).abs() < 1e-14, "row {k}: {ax}");
            // A * dx/db = I.
            for c in 0..3 {
                let v: f64 = (0..3).map(|j| a[k][j] * r.dx_dtheta[c * 3 + j]).sum();
                assert!((v - if c == k { 1.0 } else { 0.0 }).abs() < 1e-14, "({k}, {c}): {v}");
            }
        }
    }

    /// A system without a root, one whose Jacobian is singular, NaN,
    /// bad controls and guesses: errors, not a wrong value.
    #[test]
    fn no_root_and_singular_jacobians_are_errors() {
        // x^2 + 1 = 0 has no real root.
        let eval = |x: &[f64], f: &mut [f64], jx: &mut [f64], _: &mut [f64]| {
            f[0] = x[0] * x[0] + 1.0;
            jx[0] = 2.0 * x[0];
        };
        let e = solve_root(eval, &[0.5], 0, &CTL).expect_err("no root");
        assert!(matches!(e, RootError::NoRoot { .. } | RootError::TooManySteps { .. }), "{e:?}");
        // x0 + x1 = 1 written twice: roots on a line, the Jacobian singular
        // everywhere, so the root does not depend smoothly on theta.
        let eval = |x: &[f64], f: &mut [f64], jx: &mut [f64], jt: &mut [f64]| {
            f[0] = x[0] + x[1] - 1.0;
            f[1] = 2.0 * (x[0] + x[1] - 1.0);
            jx.copy_from_slice(&[1.0, 2.0, 1.0, 2.0]);
            jt.copy_from_slice(&[-1.0, -2.0]);
        };
        let e = solve_root(eval, &[3.0, 2.0], 1, &CTL).expect_err("singular");
        assert_eq!(e, RootError::SingularJacobian);
        let nan = |_: &[f64], f: &mut [f64], _: &mut [f64], _: &mut [f64]| f[0] = f64::NAN;
        assert_eq!(solve_root(nan, &[1.0], 0, &CTL), Err(RootError::NotFinite));
        let bad = RootControl { f_tol: -1.0, ..CTL };
        assert!(matches!(solve_root(nan, &[1.0], 0, &bad), Err(RootError::BadControl { .. })));
        assert_eq!(solve_root(nan, &[f64::INFINITY], 0, &CTL), Err(RootError::NotFiniteGuess));
    }

    /// A nonlinear 2-d system with a known root: x0^2 + x1^2 = 5 and
    /// x0 x1 = theta (theta = 2: the root (2, 1) from a guess near it).
    #[test]
    fn nonlinear_system_from_a_distant_guess() {
        let eval = |x: &[f64], f: &mut [f64], jx: &mut [f64], jt: &mut [f64]| {
            f[0] = x[0] * x[0] + x[1] * x[1] - 5.0;
            f[1] = x[0] * x[1] - 2.0;
            jx.copy_from_slice(&[2.0 * x[0], x[1], 2.0 * x[1], x[0]]);
            jt.copy_from_slice(&[0.0, -1.0]);
        };
        let r = solve_root(eval, &[3.0, 0.2], 1, &CTL).expect("solves");
        assert!((r.x[0] - 2.0).abs() < 1e-13 && (r.x[1] - 1.0).abs() < 1e-13, "{:?}", r.x);
        // d/dtheta of (x0, x1): J [dx0, dx1]' = [0, 1]' -> 4 a + 2 b = 0, a + 2 b = 1.
        let (a, b) = (-1.0 / 3.0, 2.0 / 3.0);
        assert!((r.dx_dtheta[0] - a).abs() < 1e-13 && (r.dx_dtheta[1] - b).abs() < 1e-13, "{:?}", r.dx_dtheta);
    }
}
