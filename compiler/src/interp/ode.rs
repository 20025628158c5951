//! Solving an ODE call (`ir::ode`) for both backends: the interpreter runs
//! the system's `Gradient` function with itself, the JIT with its compiled
//! code; everything else (arenas of the system, the Jacobian rows, the
//! stdlib's RK45 with forward sensitivities, the result layout) is here once.

use hbmc_stdlib::ode::{rk45_sensitivities, OdeControl, OdeError};

use crate::ir::arenas::Arenas;
use crate::ir::ode::{OdeStatus, OdeSystem};

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
/// `[dy/dy0 | dy/dtheta]`, as `hbm_ode_adj` reads them).
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
    let ctl = OdeControl { rel_tol: inputs.rel_tol, abs_tol: inputs.abs_tol, max_num_steps: steps as u64 };
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
    arenas.params[n..n + p].copy_from_slice(inputs.theta);
    let mut rejected: Option<String> = None;
    let jac = |t: f64, y: &[f64], dy: &mut [f64], jy: &mut [f64], jt: &mut [f64]| {
        if rejected.is_some() {
            dy.fill(f64::NAN);
            return;
        }
        arenas.params[..n].copy_from_slice(y);
        arenas.data[sys.t_offset] = t;
        for k in 0..n {
            let w = &mut arenas.data[sys.w_offset..sys.w_offset + n];
            w.fill(0.0);
            w[k] = 1.0;
            arenas.grad.fill(0.0);
            match gradient(&mut arenas) {
                Ok(v) => {
                    dy[k] = v;
                    for j in 0..n {
                        jy[j * n + k] = arenas.grad[j];
                    }
                    for j in 0..p {
                        jt[j * n + k] = arenas.grad[n + j];
                    }
                }
                Err(message) => {
                    rejected = Some(message);
                    dy.fill(f64::NAN);
                    return;
                }
            }
        }
    };
    let solved = rk45_sensitivities(jac, inputs.y0, p, inputs.t0, inputs.ts, &ctl);
    if let Some(message) = rejected {
        return Err(failure(sys, OdeStatus::Rejected, format_args!("the right-hand side failed: {message}")));
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
    Ok(())
}
