//! Solving an ODE call (`ir::ode`) for both backends: the interpreter runs
//! the system's `Gradient` function with itself, the JIT with its compiled
//! code; everything else (arenas of the system, the Jacobian rows, the
//! stdlib's integrators with forward sensitivities (RK45, or BDF for the
//! stiff solvers: [`OdeMethod`]), the result layout) is here once.
//! So is the algebraic solve of a [`SystemKind::Root`] system (the stdlib's
//! Newton iteration, `hbmc_stdlib::algebra`).

use hbmc_stdlib::algebra::{solve_root, RootControl, RootError};
use hbmc_stdlib::ode::{rk45_sensitivities_wrt, OdeControl, OdeError};
use hbmc_stdlib::ode_stiff::{bdf_sensitivities, dae_sensitivities};
use hbmc_stdlib::quadrature::{integrate, QuadError};

use crate::ir::arenas::Arenas;
use crate::ir::ode::{OdeMethod, OdeStatus, OdeSystem, SystemKind};

/// The values an ODE call passes (see [`crate::ir::ode::OdeCallArg`]).
#[derive(Clone, Copy, Debug)]
pub struct OdeInputs<'a> {
    pub y0: &'a [f64],
    pub theta: &'a [f64],
    pub real_data: &'a [f64],
    /// Integer data arguments, carried as reals.
    pub int_data: &'a [f64],
    pub t0: f64,
    pub ts: &'a [f64],
    pub rel_tol: f64,
    pub abs_tol: f64,
    pub max_num_steps: f64,
}

/// Why a solve failed: the status the call returns and the message the
/// draw is rejected with.
#[derive(Clone, Debug, PartialEq)]
pub struct OdeFailure {
    pub status: OdeStatus,
    pub message: String,
}

/// Runs the system's `Gradient` function on the given arenas: the target
/// (`f_k` for the weights `e_k`), or the message it was rejected with.
pub type GradientFn<'a> = dyn FnMut(&mut Arenas) -> Result<f64, String> + 'a;

/// The message of a failed solve, prefixed with the call it came from.
fn failure(sys: &OdeSystem, status: OdeStatus, what: impl std::fmt::Display) -> OdeFailure {
    OdeFailure { status, message: format!("{}: {what}", sys.name) }
}

/// Solves the system from `inputs`, writing the states at the output times
/// into `out` (`times * n`, row after row) and the sensitivities into
/// `sens` (per output time the `n x (n + p)` column-major block
/// `[dy/dy0 | dy/dtheta]`, as `hbm_ode_adj` reads them; then, when times
/// depend on parameters, the derivatives in them: [`times_sections`]).
pub fn solve(sys: &OdeSystem, inputs: &OdeInputs, gradient: &mut GradientFn, out: &mut [f64], sens: &mut [f64]) -> Result<(), OdeFailure> {
    let (n, p) = (sys.n, sys.p);
    let sizes_ok = inputs.y0.len() == n
        && inputs.theta.len() == p
        && inputs.ts.len() == sys.times
        && inputs.real_data.len() == sys.real_data.1
        && inputs.int_data.len() == sys.int_data.1
        && out.len() == sys.times * n
        && sens.len() == sys.sens_len();
    if !sizes_ok {
        return Err(failure(sys, OdeStatus::BadArgument, "internal: the call's sizes do not match the system"));
    }
    let steps = inputs.max_num_steps;
    if !(steps >= 1.0 && steps.is_finite() && steps.fract() == 0.0) {
        return Err(failure(sys, OdeStatus::BadArgument, format_args!("max_num_steps is {steps}; it must be a positive integer")));
    }
    let mut arenas = Arenas::new(&sys.module.arena_sizes);
    arenas.data[..sys.data_init.len()].copy_from_slice(&sys.data_init);
    arenas.int_data[..sys.int_data_init.len()].copy_from_slice(&sys.int_data_init);
    let (ro, rl) = sys.real_data;
    arenas.data[ro..ro + rl].copy_from_slice(inputs.real_data);
    let (io, _) = sys.int_data;
    for (k, x) in inputs.int_data.iter().enumerate() {
        // Whole numbers by construction (lowering converts ints to reals).
        arenas.int_data[io + k] = *x as i64;
    }
    let states = sys.kind.state_inputs(n);
    arenas.params[states..states + p].copy_from_slice(inputs.theta);
    match sys.kind {
        SystemKind::Root => return solve_algebraic(sys, inputs, &mut arenas, gradient, out, sens),
        SystemKind::Integral { a_param, b_param } => return solve_integral(sys, inputs, &mut arenas, gradient, out, sens, (a_param, b_param)),
        SystemKind::Ode | SystemKind::Dae => {}
    }
    let ctl = OdeControl { rel_tol: inputs.rel_tol, abs_tol: inputs.abs_tol, max_num_steps: steps as u64 };
    let mut rejected: Option<String> = None;
    let solved = if sys.kind == SystemKind::Dae {
        let res = |t: f64, y: &[f64], yp: &[f64], r: &mut [f64], jy: &mut [f64], jyp: &mut [f64], jt: &mut [f64]| {
            if rejected.is_some() {
                r.fill(f64::NAN);
                return;
            }
            if let Err(message) = dae_rows(sys, &mut arenas, gradient, t, y, yp, r, jy, jyp, jt) {
                rejected = Some(message);
                r.fill(f64::NAN);
            }
        };
        dae_sensitivities(res, inputs.y0, p, inputs.t0, inputs.ts, &ctl)
    } else {
        let jac = |t: f64, y: &[f64], dy: &mut [f64], jy: &mut [f64], jt: &mut [f64]| {
            if rejected.is_some() {
                dy.fill(f64::NAN);
                return;
            }
            if let Err(message) = rows(sys, &mut arenas, gradient, Some(t), y, dy, jy, jt) {
                rejected = Some(message);
                dy.fill(f64::NAN);
            }
        };
        match sys.method {
            // `d/dt0` is read off the `dy/dy0` columns (`times_sections`).
            OdeMethod::Rk45 => rk45_sensitivities_wrt(jac, inputs.y0, sys.y0_wrt || sys.times_wrt.t0, p, inputs.t0, inputs.ts, &ctl),
            OdeMethod::Bdf => bdf_sensitivities(jac, inputs.y0, p, inputs.t0, inputs.ts, &ctl),
        }
    };
    if let Some(message) = rejected {
        let what = if sys.kind == SystemKind::Dae { "residual" } else { "right-hand side" };
        return Err(failure(sys, OdeStatus::Rejected, format_args!("the {what} failed: {message}")));
    }
    let sol = solved.map_err(|e| {
        let status = match e {
            OdeError::TooManySteps { .. } => OdeStatus::TooManySteps,
            OdeError::DerivativeNotFinite { .. } | OdeError::StepSizeUnderflow { .. } => OdeStatus::NotFinite,
            OdeError::InitialTimeNotBefore { .. } => OdeStatus::InitialTime,
            OdeError::TimesNotIncreasing { .. } | OdeError::NoOutputTimes => OdeStatus::Times,
            OdeError::NotFinite { .. } => OdeStatus::NotFiniteInput,
            OdeError::BadControl { .. } => OdeStatus::BadArgument,
        };
        failure(sys, status, e)
    })?;
    out.copy_from_slice(&sol.y);
    for k in 0..sys.times {
        let block = &mut sens[k * n * (n + p)..(k + 1) * n * (n + p)];
        block[..n * n].copy_from_slice(&sol.dy_dy0[k * n * n..(k + 1) * n * n]);
        block[n * n..].copy_from_slice(&sol.dy_dtheta[k * n * p..(k + 1) * n * p]);
    }
    if sys.times_wrt.any() {
        let blocks = sys.times * n * (n + p);
        times_sections(sys, inputs, &mut arenas, gradient, &sol.y, &sol.dy_dy0, &mut sens[blocks..])?;
    }
    Ok(())
}

/// Writes into `sections` (`2 * times * n`) the derivatives of the states
/// at the output times in the times that depend on parameters, from the
/// solution `y` and its sensitivities `dy_dy0` (per output time `n x n`,
/// column-major): first `dy(ts[k])/dt0 = -dy(ts[k])/dy0 f(t0, y0)` (moving
/// `t0` moves the start along the trajectory: the solution from `y0` at
/// `t0 + h` is the one from `y0 - h f(t0, y0)` at `t0`, and `S' = J S` is
/// linear, so this is the sensitivity direction Stan carries for `t0`,
/// read off the `n` directions already carried), then `dy(ts[k])/dts[k] =
/// f(ts[k], y(ts[k]))`. The section of a time given as data holds zeros.
fn times_sections(
    sys: &OdeSystem,
    inputs: &OdeInputs,
    arenas: &mut Arenas,
    gradient: &mut GradientFn,
    y: &[f64],
    dy_dy0: &[f64],
    sections: &mut [f64],
) -> Result<(), OdeFailure> {
    let (n, p) = (sys.n, sys.p);
    let (d_t0, d_ts) = sections.split_at_mut(sys.times * n);
    let (mut f, mut jy, mut jt) = (vec![0.0; n], vec![0.0; n * n], vec![0.0; n * p]);
    let mut rhs = |t: f64, at: &[f64], f: &mut [f64]| -> Result<(), OdeFailure> {
        rows(sys, arenas, gradient, Some(t), at, f, &mut jy, &mut jt)
            .map_err(|message| failure(sys, OdeStatus::Rejected, format_args!("the right-hand side failed: {message}")))?;
        if f.iter().all(|v| v.is_finite()) {
            Ok(())
        } else {
            Err(failure(sys, OdeStatus::NotFinite, format_args!("the right-hand side returned NaN or infinity at t = {t}")))
        }
    };
    d_t0.fill(0.0);
    d_ts.fill(0.0);
    if sys.times_wrt.t0 {
        rhs(inputs.t0, inputs.y0, &mut f)?;
        for (k, row) in d_t0.chunks_mut(n.max(1)).enumerate().take(sys.times) {
            let s = &dy_dy0[k * n * n..(k + 1) * n * n];
            for (r, v) in row.iter_mut().enumerate() {
                *v = -(0..n).map(|j| s[j * n + r] * f[j]).sum::<f64>();
            }
        }
    }
    if sys.times_wrt.ts {
        for (k, row) in d_ts.chunks_mut(n.max(1)).enumerate().take(sys.times) {
            rhs(inputs.ts[k], &y[k * n..(k + 1) * n], row)?;
        }
    }
    Ok(())
}

/// Runs the system once per state at `y` (and time `t`, for an ODE):
/// writes `f(y)` into `dy` and the Jacobians (column-major, `jy[j * n +
/// k] = df_k/dy_j`, `jt` likewise in the parameters), or returns the
/// message the system was rejected with.
#[allow(clippy::too_many_arguments)]
fn rows(
    sys: &OdeSystem,
    arenas: &mut Arenas,
    gradient: &mut GradientFn,
    t: Option<f64>,
    y: &[f64],
    dy: &mut [f64],
    jy: &mut [f64],
    jt: &mut [f64],
) -> Result<(), String> {
    let (n, p) = (sys.n, sys.p);
    arenas.params[..n].copy_from_slice(y);
    if let Some(t) = t {
        arenas.data[sys.t_offset] = t;
    }
    for k in 0..n {
        let w = &mut arenas.data[sys.w_offset..sys.w_offset + n];
        w.fill(0.0);
        w[k] = 1.0;
        arenas.grad.fill(0.0);
        dy[k] = gradient(arenas)?;
        for j in 0..n {
            jy[j * n + k] = arenas.grad[j];
        }
        for j in 0..p {
            jt[j * n + k] = arenas.grad[n + j];
        }
    }
    Ok(())
}

/// Runs a [`SystemKind::Dae`] system once per equation at `(t, y, yp)`:
/// writes the residual `F` into `r` and its Jacobians in `y`, `yp` and the
/// parameters (column-major, as [`rows`]), or returns the message the
/// system was rejected with.
#[allow(clippy::too_many_arguments)]
fn dae_rows(
    sys: &OdeSystem,
    arenas: &mut Arenas,
    gradient: &mut GradientFn,
    t: f64,
    y: &[f64],
    yp: &[f64],
    r: &mut [f64],
    jy: &mut [f64],
    jyp: &mut [f64],
    jt: &mut [f64],
) -> Result<(), String> {
    let (n, p) = (sys.n, sys.p);
    arenas.params[..n].copy_from_slice(y);
    arenas.params[n..2 * n].copy_from_slice(yp);
    arenas.data[sys.t_offset] = t;
    for k in 0..n {
        let w = &mut arenas.data[sys.w_offset..sys.w_offset + n];
        w.fill(0.0);
        w[k] = 1.0;
        arenas.grad.fill(0.0);
        r[k] = gradient(arenas)?;
        for j in 0..n {
            jy[j * n + k] = arenas.grad[j];
            jyp[j * n + k] = arenas.grad[n + j];
        }
        for j in 0..p {
            jt[j * n + k] = arenas.grad[2 * n + j];
        }
    }
    Ok(())
}

/// Finds a root of a [`SystemKind::Root`] system from the guess `y0`:
/// writes it into `out` (`n`) and into `sens` the block `[0 | dy/dtheta]`
/// of the implicit function theorem, which `hbm_ode_adj` contracts as it
/// does an ODE's sensitivities. `rel_tol` is the step tolerance, `abs_tol`
/// the function tolerance.
fn solve_algebraic(
    sys: &OdeSystem,
    inputs: &OdeInputs,
    arenas: &mut Arenas,
    gradient: &mut GradientFn,
    out: &mut [f64],
    sens: &mut [f64],
) -> Result<(), OdeFailure> {
    let (n, p) = (sys.n, sys.p);
    let ctl = RootControl { step_tol: inputs.rel_tol, f_tol: inputs.abs_tol, max_steps: inputs.max_num_steps as u64 };
    let mut rejected: Option<String> = None;
    let eval = |y: &[f64], f: &mut [f64], jy: &mut [f64], jt: &mut [f64]| {
        if rejected.is_some() {
            f.fill(f64::NAN);
            return;
        }
        if let Err(message) = rows(sys, arenas, gradient, None, y, f, jy, jt) {
            rejected = Some(message);
            f.fill(f64::NAN);
        }
    };
    let solved = solve_root(eval, inputs.y0, p, &ctl);
    if let Some(message) = rejected {
        return Err(failure(sys, OdeStatus::Rejected, format_args!("the algebraic system failed: {message}")));
    }
    let root = solved.map_err(|e| {
        let status = match e {
            RootError::BadControl { .. } | RootError::Sizes => OdeStatus::BadArgument,
            RootError::NotFiniteGuess => OdeStatus::NotFiniteInput,
            RootError::NotFinite => OdeStatus::NotFinite,
            RootError::TooManySteps { .. } => OdeStatus::TooManySteps,
            RootError::NoRoot { .. } => OdeStatus::NoRoot,
            RootError::SingularJacobian => OdeStatus::SingularJacobian,
        };
        failure(sys, status, e)
    })?;
    out.copy_from_slice(&root.x);
    sens[..n * n].fill(0.0);
    sens[n * n..].copy_from_slice(&root.dx_dtheta);
    Ok(())
}

/// Integrates a [`SystemKind::Integral`] system from `t0` to `ts[0]`:
/// writes the integral into `out` and into `sens` the block `[0 |
/// d/dtheta]` (the integrals of the integrand's derivatives, and `-f(a)`,
/// `f(b)` for bounds that depend on parameters). `rel_tol` is the
/// relative tolerance.
#[allow(clippy::too_many_arguments)]
fn solve_integral(
    sys: &OdeSystem,
    inputs: &OdeInputs,
    arenas: &mut Arenas,
    gradient: &mut GradientFn,
    out: &mut [f64],
    sens: &mut [f64],
    (a_param, b_param): (bool, bool),
) -> Result<(), OdeFailure> {
    let p = sys.p;
    let (a, b) = (inputs.t0, inputs.ts[0]);
    let mut rejected: Option<String> = None;
    let (mut dy, mut jy, mut jt) = ([0.0], [0.0], vec![0.0; p]);
    let mut at = |x: f64, xc: f64, vals: &mut [f64]| {
        if rejected.is_some() {
            vals.fill(f64::NAN);
            return;
        }
        match rows(sys, arenas, gradient, Some(xc), &[x], &mut dy, &mut jy, &mut jt) {
            Ok(()) => {
                vals[0] = dy[0];
                vals[1..].copy_from_slice(&jt);
            }
            Err(message) => {
                rejected = Some(message);
                vals.fill(f64::NAN);
            }
        }
    };
    let solved = integrate(&mut at, a, b, 1 + p, inputs.rel_tol);
    // The integrand at the bounds that depend on parameters.
    let mut ends = [0.0; 2];
    if solved.is_ok() {
        let mut vals = vec![0.0; 1 + p];
        for (k, (on, x)) in [(a_param, a), (b_param, b)].into_iter().enumerate() {
            // An infinite limit has no derivative to pass on (a value
            // typed as depending on parameters may still be data's inf).
            if on && x.is_finite() {
                at(x, 0.0, &mut vals);
                ends[k] = vals[0];
            }
        }
    }
    if let Some(message) = rejected {
        return Err(failure(sys, OdeStatus::Rejected, format_args!("the integrand failed: {message}")));
    }
    let integral = solved.map_err(|e| {
        let status = match e {
            QuadError::Bounds { .. } => OdeStatus::Bounds,
            QuadError::Tolerance(_) => OdeStatus::BadArgument,
            QuadError::NotFinite { .. } => OdeStatus::NotFinite,
            QuadError::NotConverged { .. } => OdeStatus::NotConverged,
            QuadError::NotDecaying => OdeStatus::NotDecaying,
        };
        failure(sys, status, e)
    })?;
    if ends.iter().any(|v| !v.is_finite()) {
        return Err(failure(sys, OdeStatus::NotFinite, "the integrand is NaN or infinite at a bound that depends on parameters"));
    }
    out[0] = integral[0];
    sens[0] = 0.0;
    sens[1..].copy_from_slice(&integral[1..]);
    if a_param {
        sens[1] = -ends[0];
    }
    if b_param {
        sens[1 + usize::from(a_param)] = ends[1];
    }
    Ok(())
}
