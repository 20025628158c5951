//! A stiff ODE integrator with forward sensitivities: the numerical core of
//! Stan's `ode_bdf`, `ode_bdf_tol`, `ode_adjoint_tol_ctl` and
//! `integrate_ode_bdf` (the rk45/ckrk/adams names keep [`crate::ode::rk45`]).
//!
//! The method is the one Stan's CVODES runs: variable-order (1 to 5),
//! variable-step backward differentiation formulas (BDF), solved by Newton's
//! method on `I - gamma J` (Hindmarsh et al., "SUNDIALS", ACM TOMS 2005;
//! Hairer & Wanner, "Solving ODEs II", III.5 and IV.8). Why BDF rather than
//! Radau IIA or a Rosenbrock method: the solver's callback gives `f` and its
//! Jacobians at one point, which is all a BDF step needs (Rosenbrock methods
//! need `df/dt` for non-autonomous systems, and their sensitivities the
//! Jacobian of the augmented system, i.e. second derivatives; Radau IIA
//! solves a `3n` system per iteration); and BDF is what `ode_bdf` users'
//! step counts and tolerances were tuned on.
//!
//! Form: the *variable-coefficient* BDF. A step of order `k` from the
//! history `(tau_j, z_j)`, `j = 1..k`, to `tau_0 = t + h` asks that the
//! polynomial through the `k + 1` points has derivative `f(tau_0, y_0)` at
//! `tau_0`: `sum_j alpha_j y_j = f(tau_0, y_0)`, with `alpha_j` the
//! derivatives at `tau_0` of the Lagrange basis. The coefficients follow the
//! actual times, so any step sequence (landing on the last output time, a
//! shrink after a failure) is handled without rescaling a Nordsieck array.
//!
//! Per step:
//! - *predictor*: the polynomial through the last `k + 1` points at `tau_0`
//!   (the first step: explicit Euler);
//! - *corrector*: Newton on `y - gamma f(tau_0, y) - psi = 0` (`gamma =
//!   1/alpha_0`), each iteration with the Jacobian at its own iterate (`n`
//!   is small and the callback returns `J` with `f` at no extra cost, so a
//!   full Newton step costs one LU of `n x n` and converges quadratically);
//! - *sensitivities*: the staggered direct method. `S = [dy/dy0 |
//!   dy/dtheta]` solves the linear `S' = J S + [0 | J_theta]`; its BDF step
//!   is the linear system `(I - gamma J) S_0 = gamma [0 | J_theta] + psi_S`,
//!   solved exactly with the last Newton iterate's factors (so, for a given
//!   step sequence, they are the derivatives of the discrete solution up to
//!   the Newton tolerance, and the gradient agrees with finite differences
//!   of the values far below the solver's tolerance);
//! - *error control* over states and sensitivities together (as Stan sets
//!   CVODES): the local error of order `k` is `(z_0 - z_pred) / (alpha_0
//!   (tau_0 - tau_{k+1}))`, `1/((k + 1) H_k)` times the predictor-corrector
//!   difference at a constant step; each component within `abs_tol +
//!   rel_tol * |z|` (max norm, as [`crate::ode::rk45`]);
//! - *step and order*: after `k + 1` steps at one step size and order, the
//!   same estimate at orders `k - 1` and `k + 1` picks the order allowing
//!   the largest step; the step changes only by a factor above 1.5 (at most
//!   10), so steps stay piecewise constant, where BDF is stable.
//!
//! The solver steps past output times and interpolates them with the last
//! step's polynomial (states and sensitivities alike), but never past the
//! last output time: `f` is not evaluated beyond the interval asked for.
//! `max_num_steps` counts steps (accepted or rejected) between two output
//! times, as for RK45. Errors are the same [`OdeError`] values; nothing here
//! panics.

use crate::algebra::{lu_factor, lu_solve};
use crate::ode::{check_args, initial_step, scaled_max, OdeControl, OdeError, OdeSolution};

/// Highest BDF order (BDF6 and above are not zero-stable).
const MAX_ORDER: usize = 5;
/// Points kept: `k + 1` for the predictor of order `k + 1`, plus the new one.
const HISTORY: usize = MAX_ORDER + 2;
/// Newton iterations before a step is retried smaller.
const MAX_NEWTON: usize = 4;
/// A Newton correction this small (in tolerance units) ends the iteration:
/// well below the local error the step is allowed.
const NEWTON_TOL: f64 = 0.03;
/// The step grows at most this much at once.
const MAX_GROWTH: f64 = 10.0;
/// Smaller proposed changes keep the step (and the order) as it is.
const MIN_CHANGE: f64 = 1.5;

/// The work a solve took (for tests and benchmarks).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BdfStats {
    /// Accepted steps.
    pub steps: u64,
    /// Steps retried smaller (error test or Newton failures).
    pub rejected: u64,
    /// Calls of the right-hand side (each gives `f` and both Jacobians).
    pub evaluations: u64,
}

/// Solves `y' = f(t, y; theta)` with the sensitivities to `y0` and to the
/// `p` parameters, by variable-order BDF (see the module docs). The
/// contract is [`crate::ode::rk45_sensitivities`]'s: `jac(t, y, dydt, jy,
/// jtheta)` writes `f`, `df/dy` (`n x n`, column-major) and `df/dtheta`
/// (`n x p`); the result holds the states and sensitivities at each output
/// time.
pub fn bdf_sensitivities<J: FnMut(f64, &[f64], &mut [f64], &mut [f64], &mut [f64])>(
    jac: J,
    y0: &[f64],
    p: usize,
    t0: f64,
    ts: &[f64],
    ctl: &OdeControl,
) -> Result<OdeSolution, OdeError> {
    bdf_sensitivities_with_stats(jac, y0, p, t0, ts, ctl).map(|(sol, _)| sol)
}

/// [`bdf_sensitivities`] with the work it took.
pub fn bdf_sensitivities_with_stats<J: FnMut(f64, &[f64], &mut [f64], &mut [f64], &mut [f64])>(
    jac: J,
    y0: &[f64],
    p: usize,
    t0: f64,
    ts: &[f64],
    ctl: &OdeControl,
) -> Result<(OdeSolution, BdfStats), OdeError> {
    solve(|n| Explicit::new(jac, n, p), y0, p, t0, ts, ctl)
}

/// Solves the index-1 DAE `F(t, y, y'; theta) = 0` from consistent initial
/// states `y0` (Stan's `dae`, `dae_tol`), with the sensitivities to `y0`
/// and to the `p` parameters, by the same variable-order BDF as
/// [`bdf_sensitivities`] (see the module docs): the step's `y'` is the
/// derivative of the BDF polynomial, `(y - psi) / gamma`, so Newton's
/// method solves `F(t, y, (y - psi) / gamma) = 0` on `J_y + J_yp / gamma`.
/// `res(t, y, yp, r, jy, jyp, jtheta)` writes `F`, `dF/dy`, `dF/dy'` (`n x
/// n`, column-major) and `dF/dtheta` (`n x p`). For a semi-explicit DAE
/// (its algebraic states and equations are the zero columns and rows of
/// `dF/dy'`) the start computes `y'(t0)` and consistent initial
/// sensitivities, and the error test leaves the algebraic states out (see
/// `Implicit::start`), so Stan's initial derivative `yp0` is not needed:
/// the first step is backward Euler, which reads `y0` alone, and for
/// consistent initial values the solution does not depend on `yp0`. The
/// result is laid out as the ODE solvers'.
pub fn dae_sensitivities<R: FnMut(f64, &[f64], &[f64], &mut [f64], &mut [f64], &mut [f64], &mut [f64])>(
    res: R,
    y0: &[f64],
    p: usize,
    t0: f64,
    ts: &[f64],
    ctl: &OdeControl,
) -> Result<OdeSolution, OdeError> {
    dae_sensitivities_with_stats(res, y0, p, t0, ts, ctl).map(|(sol, _)| sol)
}

/// [`dae_sensitivities`] with the work it took.
pub fn dae_sensitivities_with_stats<R: FnMut(f64, &[f64], &[f64], &mut [f64], &mut [f64], &mut [f64], &mut [f64])>(
    res: R,
    y0: &[f64],
    p: usize,
    t0: f64,
    ts: &[f64],
    ctl: &OdeControl,
) -> Result<(OdeSolution, BdfStats), OdeError> {
    solve(|n| Implicit::new(res, n, p), y0, p, t0, ts, ctl)
}

/// The BDF solve of the equations `equations(n)` for `n = y0.len()`
/// states, shared by the ODE and the DAE entry points: the arguments
/// checked, the solution laid out as the ODE solvers', nothing to solve
/// for no states.
fn solve<E: Equations>(
    equations: impl FnOnce(usize) -> E,
    y0: &[f64],
    p: usize,
    t0: f64,
    ts: &[f64],
    ctl: &OdeControl,
) -> Result<(OdeSolution, BdfStats), OdeError> {
    check_args(y0, t0, ts, ctl)?;
    let n = y0.len();
    let mut sol = OdeSolution {
        y: Vec::with_capacity(ts.len() * n),
        dy_dy0: Vec::with_capacity(ts.len() * n * n),
        dy_dtheta: Vec::with_capacity(ts.len() * n * p),
    };
    if n == 0 {
        return Ok((sol, BdfStats::default()));
    }
    let mut solver = Bdf::new(equations(n), n, p, ctl);
    solver.run(y0, t0, ts, &mut sol)?;
    Ok((sol, solver.stats))
}

/// How a Newton iteration ended without converging.
enum NewtonFailure {
    /// `f` or a Jacobian was NaN or infinite at an iterate.
    NotFinite,
    /// Diverging, too slow, or a singular iteration matrix.
    NoConvergence,
}

/// What a BDF step needs of the equations it solves: the explicit ODE
/// `y' = f(t, y)` ([`Explicit`]) or the implicit DAE `F(t, y, y') = 0`
/// ([`Implicit`]). In both, the step's `y'` is the BDF polynomial's
/// derivative `(y - psi) / gamma`.
trait Equations {
    /// Prepares the start at `(t0, y0)`: may make the initial
    /// sensitivities `s0` (`[I | 0]` on entry) consistent with the
    /// equations, and writes `z'(t0)` (states, then the sensitivity
    /// columns) for the first step's predictor and size; `false` when
    /// anything the equations returned is NaN or infinite.
    fn start(&mut self, t0: f64, y0: &[f64], s0: &mut [f64], zdot0: &mut [f64]) -> bool;
    /// Which states the error test leaves out (algebraic ones, whose
    /// values each step's equations fix).
    fn algebraic(&self) -> Vec<bool>;
    /// One Newton correction at `y`: `delta` such that `y - delta` is the
    /// next iterate for `y' = (y - psi) / gamma`. The iteration matrix
    /// stays factored for [`Equations::sensitivities`].
    fn correction(&mut self, t: f64, gamma: f64, psi: &[f64], y: &[f64], delta: &mut [f64]) -> Result<(), NewtonFailure>;
    /// The sensitivities' BDF step (`s` holds `psi_S` on entry), with the
    /// factors of the last correction.
    fn sensitivities(&mut self, gamma: f64, psi: &[f64], s: &mut [f64]);
}

/// `y' = f(t, y; theta)`: `jac(t, y, f, df/dy, df/dtheta)`.
struct Explicit<J> {
    jac: J,
    n: usize,
    p: usize,
    f: Vec<f64>,
    jy: Vec<f64>,
    jt: Vec<f64>,
    iter: Vec<f64>,
    piv: Vec<usize>,
}

impl<J: FnMut(f64, &[f64], &mut [f64], &mut [f64], &mut [f64])> Explicit<J> {
    fn new(jac: J, n: usize, p: usize) -> Self {
        Explicit { jac, n, p, f: vec![0.0; n], jy: vec![0.0; n * n], jt: vec![0.0; n * p], iter: vec![0.0; n * n], piv: vec![0; n] }
    }

    /// One call of the right-hand side; `false` when anything it returned
    /// is NaN or infinite.
    fn eval(&mut self, t: f64, y: &[f64]) -> bool {
        (self.jac)(t, y, &mut self.f, &mut self.jy, &mut self.jt);
        self.f.iter().chain(&self.jy).chain(&self.jt).all(|v| v.is_finite())
    }
}

impl<J: FnMut(f64, &[f64], &mut [f64], &mut [f64], &mut [f64])> Equations for Explicit<J> {
    /// `[I | 0]` is the sensitivity of an ODE's initial value; `z' = (f, J
    /// S + [0 | J_theta])` there.
    fn start(&mut self, t0: f64, y0: &[f64], _s0: &mut [f64], zdot0: &mut [f64]) -> bool {
        let n = self.n;
        if !self.eval(t0, y0) {
            return false;
        }
        zdot0[..n].copy_from_slice(&self.f);
        for c in 0..n + self.p {
            let col = if c < n { &self.jy[c * n..(c + 1) * n] } else { &self.jt[(c - n) * n..(c - n + 1) * n] };
            zdot0[n + c * n..n + (c + 1) * n].copy_from_slice(col);
        }
        true
    }

    fn algebraic(&self) -> Vec<bool> {
        vec![false; self.n]
    }

    /// The residual `y - gamma f(t, y) - psi` over `I - gamma J`.
    fn correction(&mut self, t: f64, gamma: f64, psi: &[f64], y: &[f64], delta: &mut [f64]) -> Result<(), NewtonFailure> {
        let n = self.n;
        if !self.eval(t, y) {
            return Err(NewtonFailure::NotFinite);
        }
        for i in 0..n {
            delta[i] = y[i] - gamma * self.f[i] - psi[i];
        }
        for (a, j) in self.iter.iter_mut().zip(&self.jy) {
            *a = -gamma * j;
        }
        for i in 0..n {
            self.iter[i * n + i] += 1.0;
        }
        if !lu_factor(&mut self.iter, n, &mut self.piv) {
            return Err(NewtonFailure::NoConvergence);
        }
        lu_solve(&self.iter, n, &self.piv, delta);
        Ok(())
    }

    /// Column `c` of `S` solves `(I - gamma J) s_c = psi_c + gamma [0 |
    /// J_theta]_c`.
    fn sensitivities(&mut self, gamma: f64, psi: &[f64], s: &mut [f64]) {
        let n = self.n;
        s.copy_from_slice(psi);
        for c in 0..n + self.p {
            let col = &mut s[c * n..(c + 1) * n];
            if c >= n {
                for (v, j) in col.iter_mut().zip(&self.jt[(c - n) * n..(c - n + 1) * n]) {
                    *v += gamma * j;
                }
            }
            lu_solve(&self.iter, n, &self.piv, col);
        }
    }
}

/// `F(t, y, y'; theta) = 0`: `res(t, y, yp, F, dF/dy, dF/dyp, dF/dtheta)`.
struct Implicit<R> {
    res: R,
    n: usize,
    p: usize,
    r: Vec<f64>,
    jy: Vec<f64>,
    jyp: Vec<f64>,
    jt: Vec<f64>,
    yp: Vec<f64>,
    iter: Vec<f64>,
    piv: Vec<usize>,
    /// The algebraic states found at the start.
    alg: Vec<usize>,
}

impl<R: FnMut(f64, &[f64], &[f64], &mut [f64], &mut [f64], &mut [f64], &mut [f64])> Implicit<R> {
    /// One call of the residual at `(t, y, self.yp)`; `false` when
    /// anything it returned is NaN or infinite.
    fn eval(&mut self, t: f64, y: &[f64]) -> bool {
        (self.res)(t, y, &self.yp, &mut self.r, &mut self.jy, &mut self.jyp, &mut self.jt);
        self.r.iter().chain(&self.jy).chain(&self.jyp).chain(&self.jt).all(|v| v.is_finite())
    }

    fn new(res: R, n: usize, p: usize) -> Self {
        Implicit {
            res,
            n,
            p,
            r: vec![0.0; n],
            jy: vec![0.0; n * n],
            jyp: vec![0.0; n * n],
            jt: vec![0.0; n * p],
            yp: vec![0.0; n],
            iter: vec![0.0; n * n],
            piv: vec![0; n],
            alg: Vec::new(),
        }
    }
}

impl<R: FnMut(f64, &[f64], &[f64], &mut [f64], &mut [f64], &mut [f64], &mut [f64])> Equations for Implicit<R> {
    /// The start of a semi-explicit index-1 DAE: its algebraic states are
    /// those with no column in `dF/dyp`, its algebraic equations those
    /// with no row in it, as many; `dF/dyp` restricted to the others
    /// (`B`) is invertible. Then
    /// - the differential states' `y'(t0)` solves `F_diff(t0, y0, y') = 0`
    ///   (Newton from 0; Stan's `yp0` is not passed, see
    ///   [`dae_sensitivities`]);
    /// - `[I | 0]` is made consistent for the algebraic states, whose
    ///   value after the first step follows from the others' through their
    ///   equations, not from their own initial value: each column solves
    ///   `J_y[alg, alg] s[alg] = -(J_y[alg, diff] s[diff] + [0 |
    ///   J_theta][alg])` (otherwise the sensitivities would jump at the
    ///   first step, at any step size);
    /// - the differential sensitivities' slope solves `B s' = -(J_y s + [0
    ///   | J_theta])[diff]`;
    /// - the algebraic states' slopes stay 0: the error test leaves them
    ///   out ([`Equations::algebraic`], as IDA's `suppressalg`).
    ///
    /// A `dF/dyp` singular without zero rows and columns keeps `[I | 0]`
    /// and zero slopes (the first steps may then fail the error test at
    /// every size: a step size underflow, never a wrong result).
    fn start(&mut self, t0: f64, y0: &[f64], s0: &mut [f64], zdot0: &mut [f64]) -> bool {
        let n = self.n;
        zdot0.fill(0.0);
        self.yp.fill(0.0);
        if !self.eval(t0, y0) {
            return false;
        }
        let zero_row = |jyp: &[f64], i: usize| (0..n).all(|j| jyp[j * n + i] == 0.0);
        let zero_col = |jyp: &[f64], j: usize| (0..n).all(|i| jyp[j * n + i] == 0.0);
        let alg_rows: Vec<usize> = (0..n).filter(|&i| zero_row(&self.jyp, i)).collect();
        let alg_cols: Vec<usize> = (0..n).filter(|&j| zero_col(&self.jyp, j)).collect();
        if alg_rows.len() != alg_cols.len() {
            return true;
        }
        let diff_rows: Vec<usize> = (0..n).filter(|i| !alg_rows.contains(i)).collect();
        let diff_cols: Vec<usize> = (0..n).filter(|j| !alg_cols.contains(j)).collect();
        let d = diff_rows.len();
        // B = dF[diff]/dyp[diff], factored at the current point.
        let factor_b = |this: &Self, piv: &mut Vec<usize>| -> Option<Vec<f64>> {
            let mut b = vec![0.0; d * d];
            for (cj, &j) in diff_cols.iter().enumerate() {
                for (ri, &i) in diff_rows.iter().enumerate() {
                    b[cj * d + ri] = this.jyp[j * n + i];
                }
            }
            piv.resize(d, 0);
            lu_factor(&mut b, d, piv).then_some(b)
        };
        let mut piv_b = Vec::new();
        if d > 0 {
            for _ in 0..8 {
                let Some(b) = factor_b(self, &mut piv_b) else { return true };
                let mut step: Vec<f64> = diff_rows.iter().map(|&i| self.r[i]).collect();
                lu_solve(&b, d, &piv_b, &mut step);
                for (cj, &j) in diff_cols.iter().enumerate() {
                    self.yp[j] -= step[cj];
                }
                if !self.eval(t0, y0) {
                    return false;
                }
                let scale = y0.iter().chain(self.yp.iter()).fold(1.0f64, |m, v| m.max(v.abs()));
                if diff_rows.iter().all(|&i| self.r[i].abs() <= 1e-14 * scale) {
                    break;
                }
            }
        }
        // Consistent algebraic sensitivities.
        let a = alg_rows.len();
        if a > 0 {
            let mut m = vec![0.0; a * a];
            for (cj, &j) in alg_cols.iter().enumerate() {
                for (ri, &i) in alg_rows.iter().enumerate() {
                    m[cj * a + ri] = self.jy[j * n + i];
                }
            }
            let mut piv = vec![0; a];
            if lu_factor(&mut m, a, &mut piv) {
                let mut rhs = vec![0.0; a];
                for c in 0..n + self.p {
                    let col = &mut s0[c * n..(c + 1) * n];
                    for (ri, &i) in alg_rows.iter().enumerate() {
                        let known: f64 = diff_cols.iter().map(|&j| self.jy[j * n + i] * col[j]).sum();
                        let forcing = if c >= n { self.jt[(c - n) * n + i] } else { 0.0 };
                        rhs[ri] = -(known + forcing);
                    }
                    lu_solve(&m, a, &piv, &mut rhs);
                    for (cj, &j) in alg_cols.iter().enumerate() {
                        col[j] = rhs[cj];
                    }
                }
            }
        }
        // Slopes of the differential states and their sensitivities.
        if d > 0 {
            let Some(b) = factor_b(self, &mut piv_b) else { return true };
            for &j in &diff_cols {
                zdot0[j] = self.yp[j];
            }
            let mut rhs = vec![0.0; d];
            for c in 0..n + self.p {
                let col = &s0[c * n..(c + 1) * n];
                for (ri, &i) in diff_rows.iter().enumerate() {
                    let js: f64 = (0..n).map(|j| self.jy[j * n + i] * col[j]).sum();
                    let forcing = if c >= n { self.jt[(c - n) * n + i] } else { 0.0 };
                    rhs[ri] = -(js + forcing);
                }
                lu_solve(&b, d, &piv_b, &mut rhs);
                for (cj, &j) in diff_cols.iter().enumerate() {
                    zdot0[n + c * n + j] = rhs[cj];
                }
            }
        }
        self.alg = alg_cols;
        true
    }

    fn algebraic(&self) -> Vec<bool> {
        (0..self.n).map(|j| self.alg.contains(&j)).collect()
    }

    /// The residual `F(t, y, (y - psi) / gamma)` over `J_y + J_yp / gamma`
    /// (for `F = y' - f` this is the explicit correction over `gamma`).
    fn correction(&mut self, t: f64, gamma: f64, psi: &[f64], y: &[f64], delta: &mut [f64]) -> Result<(), NewtonFailure> {
        let n = self.n;
        for i in 0..n {
            self.yp[i] = (y[i] - psi[i]) / gamma;
        }
        if !self.eval(t, y) {
            return Err(NewtonFailure::NotFinite);
        }
        delta.copy_from_slice(&self.r);
        for ((a, jy), jyp) in self.iter.iter_mut().zip(&self.jy).zip(&self.jyp) {
            *a = jy + jyp / gamma;
        }
        if !lu_factor(&mut self.iter, n, &mut self.piv) {
            return Err(NewtonFailure::NoConvergence);
        }
        lu_solve(&self.iter, n, &self.piv, delta);
        Ok(())
    }

    /// Differentiating `F(t, y, (y - psi) / gamma; theta) = 0`: column `c`
    /// of `S` solves `(J_y + J_yp / gamma) s_c = J_yp psi_c / gamma - [0 |
    /// J_theta]_c`.
    fn sensitivities(&mut self, gamma: f64, psi: &[f64], s: &mut [f64]) {
        let n = self.n;
        for c in 0..n + self.p {
            let col = &mut s[c * n..(c + 1) * n];
            let psi_c = &psi[c * n..(c + 1) * n];
            for (i, v) in col.iter_mut().enumerate() {
                *v = (0..n).map(|j| self.jyp[j * n + i] * psi_c[j]).sum::<f64>() / gamma;
                if c >= n {
                    *v -= self.jt[(c - n) * n + i];
                }
            }
            lu_solve(&self.iter, n, &self.piv, col);
        }
    }
}

/// The solver's state between steps.
struct Bdf<'c, E> {
    eq: E,
    ctl: &'c OdeControl,
    n: usize,
    /// Length of the augmented vector `z = (y, S)`: `n + n (n + p)`.
    m: usize,
    /// The entries of `z` the error test leaves out (an algebraic
    /// state's value and sensitivities); empty when it covers all.
    unchecked: Vec<usize>,

    /// Past times and points, most recent first (at most [`HISTORY`]).
    hist_t: Vec<f64>,
    hist_z: Vec<Vec<f64>>,
    /// `z'(t0)`, for the first step's predictor.
    zdot0: Vec<f64>,
    stats: BdfStats,
}

impl<'c, E: Equations> Bdf<'c, E> {
    fn new(eq: E, n: usize, p: usize, ctl: &'c OdeControl) -> Self {
        let m = n + n * (n + p);
        Bdf {
            unchecked: Vec::new(),
            eq,
            ctl,
            n,
            m,
            hist_t: Vec::with_capacity(HISTORY + 1),
            hist_z: Vec::with_capacity(HISTORY + 1),
            zdot0: vec![0.0; m],
            stats: BdfStats::default(),
        }
    }

    /// Integrates from `(t0, y0)` through every output time, appending the
    /// states and sensitivities at each to `sol`.
    fn run(&mut self, y0: &[f64], t0: f64, ts: &[f64], sol: &mut OdeSolution) -> Result<(), OdeError> {
        let (n, m) = (self.n, self.m);
        let ctl = self.ctl;
        let mut z0 = vec![0.0; m];
        z0[..n].copy_from_slice(y0);
        for j in 0..n {
            z0[n + j * n + j] = 1.0;
        }
        self.stats.evaluations += 1;
        if !self.eq.start(t0, y0, &mut z0[n..], &mut self.zdot0) {
            return Err(OdeError::DerivativeNotFinite { t: t0 });
        }
        let algebraic = self.eq.algebraic();
        self.unchecked = (0..m).filter(|&i| algebraic[if i < n { i } else { (i - n) % n }]).collect();
        let t_end = ts[ts.len() - 1];
        let mut h = initial_step(&z0, &self.zdot0, t_end - t0, ctl);
        self.hist_t.push(t0);
        self.hist_z.push(z0);

        let mut t = t0;
        let mut order = 1usize;
        // Accepted steps since the step size or order last changed.
        let mut since_change = 0usize;
        // Consecutive failures of the current step.
        let mut failures = 0u32;
        let mut last_failure_not_finite = false;
        let mut next_out = 0usize;
        let mut steps_since_out = 0u64;
        let mut z_pred = vec![0.0; m];
        let mut psi = vec![0.0; m];
        let mut z_new = vec![0.0; m];
        let mut diff = vec![0.0; m];
        let mut scale = vec![0.0; m];
        let mut weights = [0.0; HISTORY + 1];
        let mut alpha = [0.0; MAX_ORDER + 1];
        let mut nodes = [0.0; MAX_ORDER + 1];

        while next_out < ts.len() {
            if steps_since_out >= ctl.max_num_steps {
                return Err(OdeError::TooManySteps { target: ts[next_out], reached: t, max_num_steps: ctl.max_num_steps });
            }
            steps_since_out += 1;
            // Land exactly on the last output time (and leave no sliver).
            let landing = t + 1.1 * h >= t_end;
            let hstep = if landing { t_end - t } else { h };
            if !landing && !(hstep > f64::EPSILON * t.abs().max(1.0) * 4.0) {
                return Err(if last_failure_not_finite {
                    OdeError::DerivativeNotFinite { t }
                } else {
                    OdeError::StepSizeUnderflow { t }
                });
            }
            let t_new = if landing { t_end } else { t + hstep };
            let first = self.hist_t.len() == 1;
            // The predictor needs k + 1 past points (the first step has one).
            let k = if first { 1 } else { order.min(self.hist_t.len() - 1) };

            nodes[0] = t_new;
            nodes[1..=k].copy_from_slice(&self.hist_t[..k]);
            bdf_weights(&nodes[..=k], &mut alpha[..=k]);
            let gamma = 1.0 / alpha[0];
            if first {
                for ((zp, z), d) in z_pred.iter_mut().zip(&self.hist_z[0]).zip(&self.zdot0) {
                    *zp = z + hstep * d;
                }
            } else {
                lagrange(&self.hist_t[..=k], t_new, &mut weights[..=k]);
                combine(&self.hist_z[..=k], &weights[..=k], &mut z_pred);
            }
            let c_err = if first { 0.5 } else { 1.0 / (alpha[0] * (t_new - self.hist_t[k])) };
            // psi = -gamma sum_{j>=1} alpha_j z_j
            for (j, a) in alpha[1..=k].iter().enumerate() {
                weights[j] = -gamma * a;
            }
            combine(&self.hist_z[..k], &weights[..k], &mut psi);

            z_new[..n].copy_from_slice(&z_pred[..n]);
            let corrected = self.newton(t_new, gamma, &psi[..n], &mut z_new[..n]);
            let e = match corrected {
                Ok(()) => {
                    self.sensitivities(gamma, &psi[n..], &mut z_new[n..]);
                    for i in 0..m {
                        diff[i] = z_new[i] - z_pred[i];
                        scale[i] = z_new[i].abs().max(self.hist_z[0][i].abs());
                    }
                    for &i in &self.unchecked {
                        diff[i] = 0.0;
                    }
                    c_err * scaled_max(&diff, &scale, ctl)
                }
                Err(_) => f64::NAN,
            };
            if !(e <= 1.0) {
                // Retry smaller: by the error estimate, or by 4 when Newton
                // failed or a value was not finite.
                self.stats.rejected += 1;
                failures += 1;
                last_failure_not_finite = matches!(corrected, Err(NewtonFailure::NotFinite)) || (corrected.is_ok() && !e.is_finite());
                let mut factor = if e.is_finite() { (0.9 * e.powf(-1.0 / (k as f64 + 1.0))).clamp(0.1, 0.9) } else { 0.25 };
                if failures >= 3 {
                    order = 1;
                    factor = factor.min(0.25);
                } else if failures == 2 && k > 1 {
                    order = k - 1;
                }
                h = hstep * factor;
                since_change = 0;
                continue;
            }

            // Accepted. Error estimates at the neighbouring orders, from the
            // history before the new point joins it.
            let hist_len = self.hist_t.len();
            let err_lower = if k >= 2 && !first { self.estimate(k - 1, t_new, &z_new, &scale, &mut diff) } else { f64::INFINITY };
            let err_higher = if k < MAX_ORDER && !first && hist_len >= k + 2 && since_change >= k {
                self.estimate(k + 1, t_new, &z_new, &scale, &mut diff)
            } else {
                f64::INFINITY
            };
            self.push(t_new, &z_new);
            t = t_new;
            self.stats.steps += 1;
            since_change += 1;

            while next_out < ts.len() && ts[next_out] <= t {
                let target = ts[next_out];
                let z_out: &[f64] = if target == t {
                    &self.hist_z[0]
                } else {
                    lagrange(&self.hist_t[..=k], target, &mut weights[..=k]);
                    combine(&self.hist_z[..=k], &weights[..=k], &mut diff);
                    &diff
                };
                sol.y.extend_from_slice(&z_out[..n]);
                sol.dy_dy0.extend_from_slice(&z_out[n..n + n * n]);
                sol.dy_dtheta.extend_from_slice(&z_out[n + n * n..]);
                next_out += 1;
                steps_since_out = 0;
            }

            let after_failure = failures > 0;
            failures = 0;
            last_failure_not_finite = false;
            if after_failure || since_change <= k {
                // Keep the step: no growth right after a failure, and k + 1
                // steps at one size before the next change.
                h = if landing { h } else { hstep };
                continue;
            }
            let ratio = |err: f64, q: usize, bias: f64| 1.0 / ((bias * err).powf(1.0 / (q as f64 + 1.0)) + 1e-6);
            let mut best = (k, ratio(e, k, 1.2));
            if k >= 2 {
                let r = ratio(err_lower, k - 1, 1.3);
                if r > best.1 {
                    best = (k - 1, r);
                }
            }
            if k < MAX_ORDER {
                let r = ratio(err_higher, k + 1, 1.4);
                if r > best.1 {
                    best = (k + 1, r);
                }
            }
            if best.1 >= MIN_CHANGE {
                h = hstep * best.1.min(MAX_GROWTH);
                order = best.0;
                since_change = 0;
            } else {
                h = hstep;
            }
        }
        Ok(())
    }

    /// Newton's method for the states at `t_new`, `y' = (y - psi) / gamma`
    /// (for an ODE `y - gamma f(t_new, y) - psi = 0`), from the predictor
    /// in `y`. On success the iteration matrix of the last iterate stays
    /// factored in the equations, with their derivatives in the
    /// parameters there (the sensitivities' step uses both).
    fn newton(&mut self, t_new: f64, gamma: f64, psi: &[f64], y: &mut [f64]) -> Result<(), NewtonFailure> {
        let n = self.n;
        let mut delta = vec![0.0; n];
        let mut previous = f64::INFINITY;
        for it in 0..MAX_NEWTON {
            self.stats.evaluations += 1;
            self.eq.correction(t_new, gamma, psi, y, &mut delta)?;
            let abs_y: Vec<f64> = y.iter().map(|v| v.abs()).collect();
            let size = scaled_max(&delta, &abs_y, self.ctl);
            if !size.is_finite() {
                return Err(NewtonFailure::NotFinite);
            }
            for (yi, d) in y.iter_mut().zip(&delta) {
                *yi -= d;
            }
            if size <= NEWTON_TOL {
                return Ok(());
            }
            if it > 0 && size > 0.5 * previous {
                return Err(NewtonFailure::NoConvergence);
            }
            previous = size;
        }
        Err(NewtonFailure::NoConvergence)
    }

    /// The sensitivities' BDF step, with the factors Newton left.
    fn sensitivities(&mut self, gamma: f64, psi: &[f64], s: &mut [f64]) {
        self.eq.sensitivities(gamma, psi, s);
    }

    /// The local error the step to `(t_new, z_new)` would have had at order
    /// `q`, in tolerance units: from the predictor through the last `q + 1`
    /// points, as the error test does for the order taken.
    fn estimate(&self, q: usize, t_new: f64, z_new: &[f64], scale: &[f64], work: &mut [f64]) -> f64 {
        let mut weights = [0.0; HISTORY + 1];
        lagrange(&self.hist_t[..=q], t_new, &mut weights[..=q]);
        combine(&self.hist_z[..=q], &weights[..=q], work);
        for (d, z) in work.iter_mut().zip(z_new) {
            *d = z - *d;
        }
        for &i in &self.unchecked {
            work[i] = 0.0;
        }
        let alpha0: f64 = self.hist_t[..q].iter().map(|tj| 1.0 / (t_new - tj)).sum();
        scaled_max(work, scale, self.ctl) / (alpha0 * (t_new - self.hist_t[q]))
    }

    /// Puts the accepted point first in the history, reusing the oldest
    /// point's storage once the history is full.
    fn push(&mut self, t: f64, z: &[f64]) {
        let mut slot = if self.hist_z.len() == HISTORY {
            self.hist_t.pop();
            self.hist_z.pop().unwrap_or_default()
        } else {
            Vec::new()
        };
        slot.clear();
        slot.extend_from_slice(z);
        self.hist_t.insert(0, t);
        self.hist_z.insert(0, slot);
    }
}

/// `out = sum_j weights[j] * points[j]`.
fn combine(points: &[Vec<f64>], weights: &[f64], out: &mut [f64]) {
    out.fill(0.0);
    for (pt, &wj) in points.iter().zip(weights) {
        for (o, v) in out.iter_mut().zip(pt) {
            *o += wj * v;
        }
    }
}

/// The Lagrange basis of `nodes` at `x`: the polynomial through
/// `(nodes[j], v_j)` is `sum_j out[j] v_j` there.
fn lagrange(nodes: &[f64], x: f64, out: &mut [f64]) {
    for (j, o) in out.iter_mut().enumerate().take(nodes.len()) {
        let mut v = 1.0;
        for (i, &ti) in nodes.iter().enumerate() {
            if i != j {
                v *= (x - ti) / (nodes[j] - ti);
            }
        }
        *o = v;
    }
}

/// The BDF coefficients: the derivatives of the Lagrange basis of `nodes`
/// at `nodes[0]`.
fn bdf_weights(nodes: &[f64], out: &mut [f64]) {
    let t0 = nodes[0];
    out[0] = nodes[1..].iter().map(|ti| 1.0 / (t0 - ti)).sum();
    for j in 1..nodes.len() {
        let (mut num, mut den) = (1.0, 1.0);
        for (i, &ti) in nodes.iter().enumerate() {
            if i != j {
                den *= nodes[j] - ti;
                if i != 0 {
                    num *= t0 - ti;
                }
            }
        }
        out[j] = num / den;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ode::rk45_sensitivities;

    /// `y1' = -k1 y1`, `y2' = k1 y1 - k2 y2` with `theta = (k1, k2)`: the
    /// Jacobian's eigenvalues are `-k1` and `-k2`.
    fn chain(k1: f64, k2: f64) -> impl FnMut(f64, &[f64], &mut [f64], &mut [f64], &mut [f64]) {
        move |_, y, d, jy, jt| {
            d[0] = -k1 * y[0];
            d[1] = k1 * y[0] - k2 * y[1];
            jy.copy_from_slice(&[-k1, k1, 0.0, -k2]);
            jt.copy_from_slice(&[-y[0], y[0], 0.0, -y[1]]);
        }
    }

    /// The chain's closed form: states, then `[d/dy0 | d/dk]` column-major.
    fn chain_exact(k1: f64, k2: f64, y0: [f64; 2], t: f64) -> ([f64; 2], [f64; 4], [f64; 4]) {
        let (e1, e2) = ((-k1 * t).exp(), (-k2 * t).exp());
        let r = k1 / (k2 - k1);
        let y2 = y0[1] * e2 + y0[0] * r * (e1 - e2);
        let dy0 = [e1, r * (e1 - e2), 0.0, e2];
        let d = (k2 - k1) * (k2 - k1);
        let dk1 = [-t * y0[0] * e1, y0[0] * (k2 / d * (e1 - e2) - r * t * e1)];
        let dk2 = [0.0, -t * y0[1] * e2 + y0[0] * (-k1 / d * (e1 - e2) + r * t * e2)];
        ([y0[0] * e1, y2], dy0, [dk1[0], dk1[1], dk2[0], dk2[1]])
    }

    #[test]
    fn stiff_linear_chain_matches_closed_form_values_and_sensitivities() {
        let (k1, k2, y0) = (1.0, 1.0e4, [2.0, 0.5]);
        let ts = [0.001, 0.01, 0.1, 0.5, 1.0, 2.0, 5.0, 10.0];
        let (sol, stats) = bdf_sensitivities_with_stats(chain(k1, k2), &y0, 2, 0.0, &ts, &OdeControl::default()).expect("solves");
        for (i, &t) in ts.iter().enumerate() {
            let (y, dy0, dk) = chain_exact(k1, k2, y0, t);
            for r in 0..2 {
                assert!((sol.y[2 * i + r] - y[r]).abs() < 2e-5, "t={t} y{r}: {} vs {}", sol.y[2 * i + r], y[r]);
            }
            for c in 0..4 {
                assert!((sol.dy_dy0[4 * i + c] - dy0[c]).abs() < 2e-5, "t={t} dy/dy0[{c}]: {} vs {}", sol.dy_dy0[4 * i + c], dy0[c]);
                assert!((sol.dy_dtheta[4 * i + c] - dk[c]).abs() < 2e-5, "t={t} dy/dk[{c}]: {} vs {}", sol.dy_dtheta[4 * i + c], dk[c]);
            }
        }
        // An explicit method is held to |h k2| < ~3.3 over t in [0, 10]:
        // some 30000 steps. BDF is not.
        eprintln!("chain: {stats:?}");
        assert!(stats.steps < 600, "{stats:?}");
        let few = OdeControl { max_num_steps: 3000, ..OdeControl::default() };
        let e = rk45_sensitivities(chain(k1, k2), &y0, 2, 0.0, &ts, &few).unwrap_err();
        assert!(matches!(e, OdeError::TooManySteps { .. }), "{e:?}");
        assert!(bdf_sensitivities(chain(k1, k2), &y0, 2, 0.0, &ts, &few).is_ok());
    }

    #[test]
    fn tighter_tolerances_give_smaller_errors() {
        let (k1, k2, y0) = (1.0, 1.0e4, [2.0, 0.5]);
        let ts = [0.3, 3.0];
        let err = |tol: f64| {
            let ctl = OdeControl { rel_tol: tol, abs_tol: tol, ..OdeControl::default() };
            let sol = bdf_sensitivities(chain(k1, k2), &y0, 2, 0.0, &ts, &ctl).expect("solves");
            let mut worst = 0.0f64;
            for (i, &t) in ts.iter().enumerate() {
                let (y, _, dk) = chain_exact(k1, k2, y0, t);
                for r in 0..2 {
                    worst = worst.max((sol.y[2 * i + r] - y[r]).abs());
                }
                for c in 0..4 {
                    worst = worst.max((sol.dy_dtheta[4 * i + c] - dk[c]).abs());
                }
            }
            worst
        };
        let (loose, default, tight) = (err(1e-4), err(1e-6), err(1e-10));
        assert!(tight < default && default < loose, "{tight} < {default} < {loose}");
        assert!(tight < 1e-8, "{tight}");
    }

    /// Robertson's chemical kinetics with `theta = (k1, k2, k3)`.
    fn robertson(th: [f64; 3]) -> impl FnMut(f64, &[f64], &mut [f64], &mut [f64], &mut [f64]) {
        move |_, y, d, jy, jt| {
            let [k1, k2, k3] = th;
            d[0] = -k1 * y[0] + k3 * y[1] * y[2];
            d[1] = k1 * y[0] - k3 * y[1] * y[2] - k2 * y[1] * y[1];
            d[2] = k2 * y[1] * y[1];
            jy.copy_from_slice(&[
                -k1,
                k1,
                0.0,
                k3 * y[2],
                -k3 * y[2] - 2.0 * k2 * y[1],
                2.0 * k2 * y[1],
                k3 * y[1],
                -k3 * y[1],
                0.0,
            ]);
            jt.copy_from_slice(&[-y[0], y[0], 0.0, 0.0, -y[1] * y[1], y[1] * y[1], y[1] * y[2], -y[1] * y[2], 0.0]);
        }
    }
    const ROBERTSON: [f64; 3] = [0.04, 3.0e7, 1.0e4];

    #[test]
    fn robertson_matches_published_values_in_few_steps() {
        // Reference at t = 40 (Hairer & Wanner II, and the CVODES
        // cvsRoberts example): 0.7158271, 9.185535e-6, 0.2841637.
        let ctl = OdeControl { rel_tol: 1e-8, abs_tol: 1e-12, max_num_steps: 100_000 };
        let ts = [0.4, 4.0, 40.0];
        let (sol, stats) = bdf_sensitivities_with_stats(robertson(ROBERTSON), &[1.0, 0.0, 0.0], 3, 0.0, &ts, &ctl).expect("solves");
        let at40 = &sol.y[6..9];
        let reference = [0.7158271, 9.185535e-6, 0.2841637];
        for r in 0..3 {
            assert!((at40[r] - reference[r]).abs() <= 1e-6 * reference[r], "y{r}: {} vs {}", at40[r], reference[r]);
        }
        for row in sol.y.chunks(3) {
            assert!((row.iter().sum::<f64>() - 1.0).abs() < 1e-10, "{row:?}");
        }
        eprintln!("robertson tight: {stats:?}");
        assert!(stats.steps < 1000, "{stats:?}");
        // RK45 at Stan's default tolerances needs tens of thousands.
        let default = OdeControl { max_num_steps: 10_000, ..OdeControl::default() };
        let e = rk45_sensitivities(robertson(ROBERTSON), &[1.0, 0.0, 0.0], 3, 0.0, &ts, &default).unwrap_err();
        assert!(matches!(e, OdeError::TooManySteps { .. }), "{e:?}");
        let (_, stats) = bdf_sensitivities_with_stats(robertson(ROBERTSON), &[1.0, 0.0, 0.0], 3, 0.0, &ts, &default).expect("solves");
        eprintln!("robertson default: {stats:?}");
        assert!(stats.steps + stats.rejected < 1000, "{stats:?}");
    }

    /// `y1' + k1 y1 = 0`, `y2 - k2 y1 = 0` (an algebraic state) with
    /// `theta = (k1, k2)`: `y1 = y1(0) e^{-k1 t}`, `y2 = k2 y1`.
    fn decay_dae(k1: f64, k2: f64) -> impl FnMut(f64, &[f64], &[f64], &mut [f64], &mut [f64], &mut [f64], &mut [f64]) {
        move |_, y, yp, r, jy, jyp, jt| {
            r[0] = yp[0] + k1 * y[0];
            r[1] = y[1] - k2 * y[0];
            jy.copy_from_slice(&[k1, -k2, 0.0, 1.0]);
            jyp.copy_from_slice(&[1.0, 0.0, 0.0, 0.0]);
            jt.copy_from_slice(&[y[0], 0.0, 0.0, -y[0]]);
        }
    }

    #[test]
    fn algebraic_decay_matches_its_closed_form_and_sensitivities() {
        let (k1, k2, y10) = (0.7, 2.5, 1.3);
        let y0 = [y10, k2 * y10];
        let ts = [0.1, 0.5, 1.0, 2.0, 4.0];
        let ctl = OdeControl { rel_tol: 1e-10, abs_tol: 1e-10, max_num_steps: 100_000 };
        let sol = dae_sensitivities(decay_dae(k1, k2), &y0, 2, 0.0, &ts, &ctl).expect("solves");
        for (i, &t) in ts.iter().enumerate() {
            let e = (-k1 * t).exp();
            let y = [y10 * e, k2 * y10 * e];
            // [d/dy0 | d/dk] column-major: the algebraic state's initial
            // value is overwritten by its equation, so nothing depends on it.
            let dy0 = [e, k2 * e, 0.0, 0.0];
            let dk = [-t * y10 * e, -k2 * t * y10 * e, 0.0, y10 * e];
            for r in 0..2 {
                assert!((sol.y[2 * i + r] - y[r]).abs() < 1e-7 * y[r].abs().max(1.0), "t={t} y{r}: {} vs {}", sol.y[2 * i + r], y[r]);
            }
            for c in 0..4 {
                assert!((sol.dy_dy0[4 * i + c] - dy0[c]).abs() < 1e-7, "t={t} dy/dy0[{c}]: {} vs {}", sol.dy_dy0[4 * i + c], dy0[c]);
                assert!((sol.dy_dtheta[4 * i + c] - dk[c]).abs() < 1e-7, "t={t} dy/dk[{c}]: {} vs {}", sol.dy_dtheta[4 * i + c], dk[c]);
            }
        }
    }

    /// Robertson's kinetics as the index-1 DAE of its conservation law:
    /// the third equation is `y1 + y2 + y3 - 1 = 0`.
    fn robertson_dae(th: [f64; 3]) -> impl FnMut(f64, &[f64], &[f64], &mut [f64], &mut [f64], &mut [f64], &mut [f64]) {
        move |_, y, yp, r, jy, jyp, jt| {
            let [k1, k2, k3] = th;
            r[0] = yp[0] - (-k1 * y[0] + k3 * y[1] * y[2]);
            r[1] = yp[1] - (k1 * y[0] - k3 * y[1] * y[2] - k2 * y[1] * y[1]);
            r[2] = y[0] + y[1] + y[2] - 1.0;
            jy.copy_from_slice(&[k1, -k1, 1.0, -k3 * y[2], k3 * y[2] + 2.0 * k2 * y[1], 1.0, -k3 * y[1], k3 * y[1], 1.0]);
            jyp.copy_from_slice(&[1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0]);
            jt.copy_from_slice(&[y[0], -y[0], 0.0, 0.0, y[1] * y[1], 0.0, -y[1] * y[2], y[1] * y[2], 0.0]);
        }
    }

    #[test]
    fn robertson_as_a_dae_matches_published_values_and_the_ode_sensitivities() {
        // The published values at t = 40 (see the ODE test above).
        let ctl = OdeControl { rel_tol: 1e-8, abs_tol: 1e-12, max_num_steps: 100_000 };
        let ts = [0.4, 4.0, 40.0];
        let y0 = [1.0, 0.0, 0.0];
        let (sol, stats) = dae_sensitivities_with_stats(robertson_dae(ROBERTSON), &y0, 3, 0.0, &ts, &ctl).expect("solves");
        let reference = [0.7158271, 9.185535e-6, 0.2841637];
        for r in 0..3 {
            assert!((sol.y[6 + r] - reference[r]).abs() <= 1e-6 * reference[r], "y{r}: {} vs {}", sol.y[6 + r], reference[r]);
        }
        eprintln!("robertson dae: {stats:?}");
        assert!(stats.steps < 2000, "{stats:?}");
        // The parameters' sensitivities are the ODE's (the DAE's
        // algebraic state does not depend on its initial value, so only
        // those columns differ).
        let ode = bdf_sensitivities(robertson(ROBERTSON), &y0, 3, 0.0, &ts, &ctl).expect("solves");
        for (k, (a, b)) in sol.dy_dtheta.iter().zip(&ode.dy_dtheta).enumerate() {
            assert!((a - b).abs() <= 1e-4 * b.abs().max(1e-6), "dy/dtheta[{k}]: dae {a} vs ode {b}");
        }
    }

    /// As the ODE test above: the parameters' sensitivities at the
    /// solver's tolerance against central differences of solves at a
    /// tight one (the DAE's error test covers the states only, so this
    /// also bounds how far the sensitivities stray).
    #[test]
    fn dae_sensitivities_match_finite_differences_of_the_solution() {
        let ts = [1.0, 40.0];
        let y0 = [1.0, 0.0, 0.0];
        let ctl = OdeControl { rel_tol: 1e-8, abs_tol: 1e-12, max_num_steps: 100_000 };
        let sol = dae_sensitivities(robertson_dae(ROBERTSON), &y0, 3, 0.0, &ts, &ctl).expect("solves");
        // Not 1e-15 absolute as above: the algebraic y3 = 1 - y1 - y2
        // carries rounding of 1e-16, which Newton could not resolve.
        let tight = OdeControl { rel_tol: 1e-11, abs_tol: 1e-13, max_num_steps: 1_000_000 };
        for k in 0..3 {
            let h = 1e-5 * ROBERTSON[k];
            let at = |d: f64| {
                let mut th = ROBERTSON;
                th[k] += d;
                dae_sensitivities(robertson_dae(th), &y0, 3, 0.0, &ts, &tight).expect("solves").y
            };
            let (up, dn) = (at(h), at(-h));
            for i in 0..ts.len() {
                for r in 0..3 {
                    let fd = (up[i * 3 + r] - dn[i * 3 + r]) / (2.0 * h);
                    let got = sol.dy_dtheta[i * 9 + k * 3 + r];
                    let size = fd.abs().max(if r == 1 { 1e-5 } else { 1e-2 } / ROBERTSON[k]);
                    assert!((got - fd).abs() <= 1e-3 * size, "k={k} t={} r={r}: {got} vs fd {fd}", ts[i]);
                }
            }
        }
    }

    #[test]
    fn a_dae_with_bad_input_or_a_singular_iteration_matrix_is_an_error() {
        let ctl = OdeControl::default();
        let e = dae_sensitivities(decay_dae(1.0, 1.0), &[1.0, f64::NAN], 2, 0.0, &[1.0], &ctl).unwrap_err();
        assert!(matches!(e, OdeError::NotFinite { what: "y0" }), "{e:?}");
        let e = dae_sensitivities(decay_dae(1.0, 1.0), &[1.0, 1.0], 2, 1.0, &[1.0], &ctl).unwrap_err();
        assert!(matches!(e, OdeError::InitialTimeNotBefore { .. }), "{e:?}");
        // `0 = 0` leaves the second state undetermined (not index 1): the
        // iteration matrix is singular at every step size.
        let undetermined = |_: f64, y: &[f64], yp: &[f64], r: &mut [f64], jy: &mut [f64], jyp: &mut [f64], jt: &mut [f64]| {
            r[0] = yp[0] + y[0];
            r[1] = 0.0;
            jy.copy_from_slice(&[1.0, 0.0, 0.0, 0.0]);
            jyp.copy_from_slice(&[1.0, 0.0, 0.0, 0.0]);
            jt.fill(0.0);
        };
        let e = dae_sensitivities(undetermined, &[1.0, 1.0], 0, 0.0, &[1.0], &ctl).unwrap_err();
        assert!(matches!(e, OdeError::StepSizeUnderflow { .. }), "{e:?}");
    }

    #[test]
    fn robertson_sensitivities_match_finite_differences() {
        let ts = [1.0, 40.0];
        let y0 = [1.0, 0.0, 0.0];
        let ctl = OdeControl { rel_tol: 1e-8, abs_tol: 1e-12, max_num_steps: 100_000 };
        let sol = bdf_sensitivities(robertson(ROBERTSON), &y0, 3, 0.0, &ts, &ctl).expect("solves");
        let tight = OdeControl { rel_tol: 1e-11, abs_tol: 1e-15, max_num_steps: 1_000_000 };
        let states = |th: [f64; 3], y0: [f64; 3]| bdf_sensitivities(robertson(th), &y0, 3, 0.0, &ts, &tight).expect("solves").y;
        for q in 0..6 {
            let (mut up_th, mut dn_th, mut up_y, mut dn_y) = (ROBERTSON, ROBERTSON, y0, y0);
            let h = if q < 3 { 1e-6 } else { 1e-5 * ROBERTSON[q - 3] };
            if q < 3 {
                up_y[q] += h;
                dn_y[q] -= h;
            } else {
                up_th[q - 3] += h;
                dn_th[q - 3] -= h;
            }
            let (up, dn) = (states(up_th, up_y), states(dn_th, dn_y));
            for i in 0..ts.len() {
                for r in 0..3 {
                    let fd = (up[i * 3 + r] - dn[i * 3 + r]) / (2.0 * h);
                    let got = if q < 3 { sol.dy_dy0[i * 9 + q * 3 + r] } else { sol.dy_dtheta[i * 9 + (q - 3) * 3 + r] };
                    let size = fd.abs().max(if r == 1 { 1e-5 } else { 1e-2 } / if q < 3 { 1.0 } else { ROBERTSON[q - 3] });
                    assert!((got - fd).abs() <= 1e-3 * size, "q={q} t={} r={r}: {got} vs fd {fd}", ts[i]);
                }
            }
        }
    }

    #[test]
    fn non_stiff_sensitivities_agree_with_rk45() {
        // Lotka-Volterra, theta = (a, b, c, d): both solvers at tight
        // tolerances must agree on states and sensitivities.
        let lv = |th: [f64; 4]| {
            move |_: f64, z: &[f64], dz: &mut [f64], jy: &mut [f64], jt: &mut [f64]| {
                let [a, b, c, d] = th;
                dz[0] = (a - b * z[1]) * z[0];
                dz[1] = (-c + d * z[0]) * z[1];
                jy.copy_from_slice(&[a - b * z[1], d * z[1], -b * z[0], -c + d * z[0]]);
                jt.copy_from_slice(&[z[0], 0.0, -z[0] * z[1], 0.0, 0.0, -z[1], 0.0, z[0] * z[1]]);
            }
        };
        let th = [0.55, 0.028, 0.80, 0.024];
        let ts = [1.0, 4.0, 9.0, 20.0];
        let ctl = OdeControl { rel_tol: 1e-10, abs_tol: 1e-10, ..OdeControl::default() };
        let a = bdf_sensitivities(lv(th), &[33.0, 6.2], 4, 0.0, &ts, &ctl).expect("solves");
        let b = rk45_sensitivities(lv(th), &[33.0, 6.2], 4, 0.0, &ts, &ctl).expect("solves");
        for (x, y) in a.y.iter().zip(&b.y).chain(a.dy_dy0.iter().zip(&b.dy_dy0)).chain(a.dy_dtheta.iter().zip(&b.dy_dtheta)) {
            assert!((x - y).abs() <= 1e-6 * y.abs().max(1.0), "{x} vs {y}");
        }
    }

    /// The derivatives in the times the compiler reads off a solve
    /// (`interp::ode`): `dy(ts[k])/dt0 = -S_k f(t0, y0)` with `S_k =
    /// dy(ts[k])/dy0`, and `dy(ts[k])/dts[k] = f(ts[k], y(ts[k]))`, agree
    /// with finite differences of the solution in `t0` and in `ts[k]`, for
    /// both integrators, on a forced (non-autonomous) oscillator, where
    /// `f` at the wrong time would show.
    #[test]
    fn time_derivatives_from_the_sensitivities_match_finite_differences() {
        let (w, c) = (1.7, 0.3);
        let f = move |t: f64, y: &[f64], d: &mut [f64]| {
            d[0] = y[1];
            d[1] = -w * w * y[0] - c * y[1] + (2.0 * t).cos();
        };
        let jac = move |t: f64, y: &[f64], d: &mut [f64], jy: &mut [f64], _: &mut [f64]| {
            f(t, y, d);
            jy.copy_from_slice(&[0.0, -w * w, 1.0, -c]);
        };
        let (y0, t0, ts) = ([0.8, -0.2], 0.4, [1.0, 2.5, 4.0]);
        let ctl = OdeControl { rel_tol: 1e-10, abs_tol: 1e-10, ..OdeControl::default() };
        let tight = OdeControl { rel_tol: 1e-13, abs_tol: 1e-13, ..OdeControl::default() };
        type Solver = fn(&mut dyn FnMut(f64, &[f64], &mut [f64], &mut [f64], &mut [f64]), &[f64], f64, &[f64], &OdeControl) -> OdeSolution;
        let solvers: [(&str, Solver); 2] = [
            ("bdf", |j, y0, t0, ts, ctl| bdf_sensitivities(j, y0, 0, t0, ts, ctl).expect("solves")),
            ("rk45", |j, y0, t0, ts, ctl| rk45_sensitivities(j, y0, 0, t0, ts, ctl).expect("solves")),
        ];
        for (name, solve) in solvers {
            let sol = solve(&mut { jac }, &y0, t0, &ts, &ctl);
            let mut f0 = [0.0; 2];
            f(t0, &y0, &mut f0);
            let h = 1e-4;
            let up = solve(&mut { jac }, &y0, t0 + h, &ts, &tight).y;
            let dn = solve(&mut { jac }, &y0, t0 - h, &ts, &tight).y;
            for k in 0..ts.len() {
                let s = &sol.dy_dy0[k * 4..(k + 1) * 4];
                let mut fk = [0.0; 2];
                f(ts[k], &sol.y[k * 2..k * 2 + 2], &mut fk);
                let (mut ts_up, mut ts_dn) = (ts, ts);
                ts_up[k] += h;
                ts_dn[k] -= h;
                let (yu, yd) = (solve(&mut { jac }, &y0, t0, &ts_up, &tight).y, solve(&mut { jac }, &y0, t0, &ts_dn, &tight).y);
                for r in 0..2 {
                    let d_t0 = -(s[r] * f0[0] + s[2 + r] * f0[1]);
                    let fd_t0 = (up[k * 2 + r] - dn[k * 2 + r]) / (2.0 * h);
                    assert!((d_t0 - fd_t0).abs() <= 1e-6 * fd_t0.abs().max(1.0), "{name} t={} r={r} d/dt0: {d_t0} vs fd {fd_t0}", ts[k]);
                    let fd_ts = (yu[k * 2 + r] - yd[k * 2 + r]) / (2.0 * h);
                    assert!((fk[r] - fd_ts).abs() <= 1e-6 * fd_ts.abs().max(1.0), "{name} t={} r={r} d/dts: {} vs fd {fd_ts}", ts[k], fk[r]);
                }
            }
        }
    }

    #[test]
    fn output_times_between_steps_are_interpolated_accurately() {
        // Many closely spaced outputs on a smooth decay: each within tolerance.
        let k = 0.9;
        let ts: Vec<f64> = (1..=200).map(|i| 0.037 * i as f64).collect();
        let sol = bdf_sensitivities(
            |_, y, d, jy, jt| {
                d[0] = -k * y[0];
                jy[0] = -k;
                jt[0] = -y[0];
            },
            &[3.0],
            1,
            0.0,
            &ts,
            &OdeControl::default(),
        )
        .expect("solves");
        for (i, t) in ts.iter().enumerate() {
            let exact = 3.0 * (-k * t).exp();
            assert!((sol.y[i] - exact).abs() < 1e-5, "t={t}: {} vs {exact}", sol.y[i]);
            assert!((sol.dy_dtheta[i] + t * exact).abs() < 1e-5, "t={t}");
        }
    }

    #[test]
    fn bad_input_gives_the_same_errors_as_rk45() {
        let ctl = OdeControl::default();
        let decay = |_: f64, y: &[f64], d: &mut [f64], jy: &mut [f64], _: &mut [f64]| {
            d[0] = -y[0];
            jy[0] = -1.0;
        };
        let e = bdf_sensitivities(decay, &[1.0], 0, 1.0, &[1.0, 2.0], &ctl).unwrap_err();
        assert!(matches!(e, OdeError::InitialTimeNotBefore { .. }), "{e:?}");
        let e = bdf_sensitivities(decay, &[1.0], 0, 0.0, &[1.0, 3.0, 2.0], &ctl).unwrap_err();
        assert_eq!(e, OdeError::TimesNotIncreasing { index: 2 });
        assert_eq!(bdf_sensitivities(decay, &[f64::NAN], 0, 0.0, &[1.0], &ctl).unwrap_err(), OdeError::NotFinite { what: "y0" });
        assert_eq!(bdf_sensitivities(decay, &[1.0], 0, 0.0, &[], &ctl).unwrap_err(), OdeError::NoOutputTimes);
        let bad = OdeControl { abs_tol: 0.0, ..ctl };
        assert_eq!(bdf_sensitivities(decay, &[1.0], 0, 0.0, &[1.0], &bad).unwrap_err(), OdeError::BadControl { what: "abs_tol" });
        let few = OdeControl { max_num_steps: 3, ..ctl };
        let e = bdf_sensitivities(decay, &[1.0], 0, 0.0, &[100.0], &few).unwrap_err();
        assert!(matches!(e, OdeError::TooManySteps { max_num_steps: 3, .. }), "{e:?}");
        let nan = |_: f64, _: &[f64], d: &mut [f64], _: &mut [f64], _: &mut [f64]| d[0] = f64::NAN;
        let e = bdf_sensitivities(nan, &[1.0], 0, 0.0, &[1.0], &ctl).unwrap_err();
        assert!(matches!(e, OdeError::DerivativeNotFinite { .. }), "{e:?}");
        // NaN only away from the start (a blow-up): still a clear error.
        let late = |t: f64, y: &[f64], d: &mut [f64], jy: &mut [f64], _: &mut [f64]| {
            d[0] = if t > 0.5 { f64::NAN } else { -y[0] };
            jy[0] = -1.0;
        };
        let e = bdf_sensitivities(late, &[1.0], 0, 0.0, &[1.0], &ctl).unwrap_err();
        assert!(matches!(e, OdeError::DerivativeNotFinite { .. }), "{e:?}");
        // y' = y^2 from 1 blows up at t = 1.
        let blow = |_: f64, y: &[f64], d: &mut [f64], jy: &mut [f64], _: &mut [f64]| {
            d[0] = y[0] * y[0];
            jy[0] = 2.0 * y[0];
        };
        let e = bdf_sensitivities(blow, &[1.0], 0, 0.0, &[2.0], &ctl).unwrap_err();
        assert!(
            matches!(e, OdeError::StepSizeUnderflow { .. } | OdeError::DerivativeNotFinite { .. } | OdeError::TooManySteps { .. }),
            "{e:?}"
        );
    }
}
