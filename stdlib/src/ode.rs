//! An adaptive Dormand-Prince 5(4) integrator for `y' = f(t, y)`: the
//! numerical core of Stan's `ode_rk45` / `integrate_ode_rk45`.
//!
//! The non-stiff solver calls of a program (`ode_rk45`, `ode_ckrk`,
//! `ode_adams`, their `_tol` and `integrate_ode_` forms) run it; the stiff
//! ones run [`crate::ode_stiff`] (the compiler's `interp::ode` drives both;
//! docs/design.md, "ODE solvers").
//! Gradients come from forward sensitivities: the augmented system `(y,
//! dy/dp)` whose right-hand side is `(f, J_y S + J_p)`, integrated with
//! [`rk45`] itself, so the sensitivities get the same error control as the
//! states; [`ode_adj`] is the reverse rule that contracts them.
//!
//! Errors are values ([`OdeError`]); in a model they reject the draw, as Stan
//! does. Nothing here panics on any argument.

use std::fmt;

/// Stan's tolerances and step limit for the ODE solvers.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OdeControl {
    /// Relative tolerance per state (Stan's default 1e-6).
    pub rel_tol: f64,
    /// Absolute tolerance per state (Stan's default 1e-6).
    pub abs_tol: f64,
    /// Most steps (accepted or rejected) between two output times (Stan's
    /// default 1e6).
    pub max_num_steps: u64,
}

impl Default for OdeControl {
    fn default() -> Self {
        OdeControl { rel_tol: 1e-6, abs_tol: 1e-6, max_num_steps: 1_000_000 }
    }
}

/// Why an ODE solve failed; the message names the argument and what would
/// be right.
#[derive(Clone, Debug, PartialEq)]
pub enum OdeError {
    /// `ts` is empty.
    NoOutputTimes,
    /// An argument holds NaN or infinity.
    NotFinite {
        /// Which argument (`y0`, `t0`, `ts`).
        what: &'static str,
    },
    /// `t0` is not strictly before `ts[0]`.
    InitialTimeNotBefore {
        /// The initial time.
        t0: f64,
        /// The first output time.
        first: f64,
    },
    /// `ts[index]` is not strictly after `ts[index - 1]` (0-based index).
    TimesNotIncreasing {
        /// 0-based position of the offending time.
        index: usize,
    },
    /// A tolerance or the step limit is out of range.
    BadControl {
        /// Which setting.
        what: &'static str,
    },
    /// The right-hand side returned NaN or infinity at time `t`.
    DerivativeNotFinite {
        /// Where.
        t: f64,
    },
    /// `max_num_steps` were taken before reaching output time `target`.
    TooManySteps {
        /// The output time not reached.
        target: f64,
        /// How far the solver got.
        reached: f64,
        /// The limit.
        max_num_steps: u64,
    },
    /// The step size underflowed (the problem is too stiff for an explicit
    /// method at these tolerances, or has a singularity).
    StepSizeUnderflow {
        /// Where.
        t: f64,
    },
}

impl fmt::Display for OdeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OdeError::NoOutputTimes => write!(f, "ODE solver: `ts` is empty; give at least one output time"),
            OdeError::NotFinite { what } => write!(f, "ODE solver: `{what}` holds NaN or infinity; it must be finite"),
            OdeError::InitialTimeNotBefore { t0, first } => {
                write!(f, "ODE solver: initial time t0 = {t0} must be less than the first output time ts[1] = {first}")
            }
            OdeError::TimesNotIncreasing { index } => write!(
                f,
                "ODE solver: output times must be strictly increasing, but ts[{}] <= ts[{}]",
                index + 1,
                index
            ),
            OdeError::BadControl { what } => write!(f, "ODE solver: `{what}` must be positive and finite"),
            OdeError::DerivativeNotFinite { t } => {
                write!(f, "ODE solver: the right-hand side returned NaN or infinity at t = {t}")
            }
            OdeError::TooManySteps { target, reached, max_num_steps } => write!(
                f,
                "ODE solver: max_num_steps = {max_num_steps} exceeded at t = {reached} before output time {target}; \
                 raise max_num_steps or loosen the tolerances (a stiff system wants ode_bdf)"
            ),
            OdeError::StepSizeUnderflow { t } => {
                write!(f, "ODE solver: step size underflow at t = {t} (stiff system or singularity)")
            }
        }
    }
}

impl std::error::Error for OdeError {}

// Dormand-Prince 5(4) tableau (Dormand & Prince 1980). Row `i` of `A` gives
// stage `i + 1` from stages `0..=i`; the last row is also the 5th-order
// weights (first-same-as-last).
const C: [f64; 7] = [0.0, 1.0 / 5.0, 3.0 / 10.0, 4.0 / 5.0, 8.0 / 9.0, 1.0, 1.0];
const A: [[f64; 6]; 6] = [
    [1.0 / 5.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    [3.0 / 40.0, 9.0 / 40.0, 0.0, 0.0, 0.0, 0.0],
    [44.0 / 45.0, -56.0 / 15.0, 32.0 / 9.0, 0.0, 0.0, 0.0],
    [19372.0 / 6561.0, -25360.0 / 2187.0, 64448.0 / 6561.0, -212.0 / 729.0, 0.0, 0.0],
    [9017.0 / 3168.0, -355.0 / 33.0, 46732.0 / 5247.0, 49.0 / 176.0, -5103.0 / 18656.0, 0.0],
    [35.0 / 384.0, 0.0, 500.0 / 1113.0, 125.0 / 192.0, -2187.0 / 6784.0, 11.0 / 84.0],
];
/// 5th-order minus embedded 4th-order weights: the local error estimate.
const E: [f64; 7] = [
    71.0 / 57600.0,
    0.0,
    -71.0 / 16695.0,
    71.0 / 1920.0,
    -17253.0 / 339200.0,
    22.0 / 525.0,
    -1.0 / 40.0,
];

pub(crate) fn check_args(y0: &[f64], t0: f64, ts: &[f64], ctl: &OdeControl) -> Result<(), OdeError> {
    if ts.is_empty() {
        return Err(OdeError::NoOutputTimes);
    }
    if y0.iter().any(|v| !v.is_finite()) {
        return Err(OdeError::NotFinite { what: "y0" });
    }
    if !t0.is_finite() {
        return Err(OdeError::NotFinite { what: "t0" });
    }
    if ts.iter().any(|v| !v.is_finite()) {
        return Err(OdeError::NotFinite { what: "ts" });
    }
    if !(t0 < ts[0]) {
        return Err(OdeError::InitialTimeNotBefore { t0, first: ts[0] });
    }
    if let Some(i) = (1..ts.len()).find(|&i| !(ts[i] > ts[i - 1])) {
        return Err(OdeError::TimesNotIncreasing { index: i });
    }
    if !(ctl.rel_tol > 0.0 && ctl.rel_tol.is_finite()) {
        return Err(OdeError::BadControl { what: "rel_tol" });
    }
    if !(ctl.abs_tol > 0.0 && ctl.abs_tol.is_finite()) {
        return Err(OdeError::BadControl { what: "abs_tol" });
    }
    if ctl.max_num_steps == 0 {
        return Err(OdeError::BadControl { what: "max_num_steps" });
    }
    Ok(())
}

/// Largest scaled component of `v`: `max_i |v_i| / (abs_tol + rel_tol * s_i)`.
pub(crate) fn scaled_max(v: &[f64], scale: &[f64], ctl: &OdeControl) -> f64 {
    v.iter().zip(scale).map(|(x, s)| x.abs() / (ctl.abs_tol + ctl.rel_tol * s)).fold(0.0, f64::max)
}

/// Solves `y' = f(t, y)`, `y(t0) = y0` and returns the states at each output
/// time, row after row (`ts.len() * y0.len()` values). `f(t, y, dydt)` writes
/// the derivative into `dydt`. Each step's local error, per component, is
/// kept within `abs_tol + rel_tol * |y|`; the solver steps exactly onto each
/// output time.
pub fn rk45<F: FnMut(f64, &[f64], &mut [f64])>(
    mut f: F,
    y0: &[f64],
    t0: f64,
    ts: &[f64],
    ctl: &OdeControl,
) -> Result<Vec<f64>, OdeError> {
    check_args(y0, t0, ts, ctl)?;
    let n = y0.len();
    let mut out = Vec::with_capacity(ts.len() * n);
    if n == 0 {
        return Ok(out);
    }
    let mut k = vec![vec![0.0; n]; 7];
    let mut y = y0.to_vec();
    let mut stage = vec![0.0; n];
    let mut y_new = vec![0.0; n];
    let mut err = vec![0.0; n];
    let mut scale = vec![0.0; n];
    let mut t = t0;
    f(t, &y, &mut k[0]);
    if k[0].iter().any(|v| !v.is_finite()) {
        return Err(OdeError::DerivativeNotFinite { t });
    }
    let mut h = initial_step(&y, &k[0], ts[ts.len() - 1] - t0, ctl);
    for &target in ts {
        let mut steps = 0u64;
        while t < target {
            if steps >= ctl.max_num_steps {
                return Err(OdeError::TooManySteps { target, reached: t, max_num_steps: ctl.max_num_steps });
            }
            steps += 1;
            // Land exactly on the output time (and do not leave a sliver).
            let last = t + 1.1 * h >= target;
            let step = if last { target - t } else { h };
            if !(step > f64::EPSILON * t.abs().max(1.0) * 4.0) && !last {
                return Err(OdeError::StepSizeUnderflow { t });
            }
            // Loops over the states innermost (contiguous, no bounds
            // checks: vectorised); each state's sum still runs over the
            // stages in order, so the numbers are those of a sum per state.
            for s in 1..7 {
                stage.fill(0.0);
                for (j, kj) in k.iter().enumerate().take(s) {
                    let a = A[s - 1][j];
                    for (acc, x) in stage.iter_mut().zip(kj) {
                        *acc += a * x;
                    }
                }
                for (st, yi) in stage.iter_mut().zip(&y) {
                    *st = yi + step * *st;
                }
                if s == 6 {
                    y_new.copy_from_slice(&stage);
                }
                f(t + C[s] * step, &stage, &mut k[s]);
            }
            err.fill(0.0);
            for (e, kj) in E.iter().zip(&k) {
                for (acc, x) in err.iter_mut().zip(kj) {
                    *acc += e * x;
                }
            }
            for ((er, sc), (yi, yn)) in err.iter_mut().zip(scale.iter_mut()).zip(y.iter().zip(&y_new)) {
                *er *= step;
                *sc = yi.abs().max(yn.abs());
            }
            let e = scaled_max(&err, &scale, ctl);
            if !e.is_finite() {
                // A NaN/inf stage: retry smaller; give up when the step underflows.
                if !(step > f64::EPSILON * t.abs().max(1.0) * 4.0) {
                    return Err(OdeError::DerivativeNotFinite { t });
                }
                h = step * 0.2;
                continue;
            }
            if e <= 1.0 {
                t = if last { target } else { t + step };
                y.copy_from_slice(&y_new);
                k.swap(0, 6);
                let grow = if e == 0.0 { 5.0 } else { (0.9 * e.powf(-0.2)).clamp(0.2, 5.0) };
                if !last || step >= h {
                    h = step * grow;
                }
            } else {
                h = step * (0.9 * e.powf(-0.2)).clamp(0.2, 1.0);
            }
        }
        out.extend_from_slice(&y);
    }
    Ok(out)
}

/// The states at the output times with their forward sensitivities, from
/// [`rk45_sensitivities`].
#[derive(Clone, Debug, PartialEq)]
pub struct OdeSolution {
    /// States, `ts.len()` rows of `n`.
    pub y: Vec<f64>,
    /// `d y(ts[i]) / d y0`: per output time an `n x n` column-major block
    /// (column `j` is the derivative with respect to `y0[j]`).
    pub dy_dy0: Vec<f64>,
    /// `d y(ts[i]) / d theta`: per output time an `n x p` column-major block.
    pub dy_dtheta: Vec<f64>,
}

/// Solves `y' = f(t, y; theta)` with the sensitivities of the states to
/// `y0` and to the `p` parameters `theta`, by integrating the coupled system
/// `S' = J_y S + J_theta` (`S(t0) = [I | 0]`) together with the states, so
/// the error control covers the sensitivities too (as Stan's coupled system
/// does). `jac(t, y, dydt, jy, jtheta)` writes `f` into `dydt`, `df/dy`
/// (`n x n`, column-major) into `jy` and `df/dtheta` (`n x p`) into
/// `jtheta`. Derivatives with respect to the times follow without more
/// work: `dy(ts[i])/dts[i] = f(ts[i], y(ts[i]))`, and
/// `dy(ts[i])/dt0 = -dy_dy0 * f(t0, y0)`.
pub fn rk45_sensitivities<J: FnMut(f64, &[f64], &mut [f64], &mut [f64], &mut [f64])>(
    jac: J,
    y0: &[f64],
    p: usize,
    t0: f64,
    ts: &[f64],
    ctl: &OdeControl,
) -> Result<OdeSolution, OdeError> {
    rk45_sensitivities_wrt(jac, y0, true, p, t0, ts, ctl)
}

/// [`rk45_sensitivities`], carrying the sensitivities to `y0` only when
/// `wrt_y0`: without them (`y0` and `t0` data, as in most programs) the
/// coupled system has `n + n p` equations instead of `n + n (n + p)`,
/// Stan's count for such a call, and its error control covers only
/// those; [`OdeSolution::dy_dy0`] then holds zeros.
pub fn rk45_sensitivities_wrt<J: FnMut(f64, &[f64], &mut [f64], &mut [f64], &mut [f64])>(
    mut jac: J,
    y0: &[f64],
    wrt_y0: bool,
    p: usize,
    t0: f64,
    ts: &[f64],
    ctl: &OdeControl,
) -> Result<OdeSolution, OdeError> {
    let n = y0.len();
    // Columns of S: [dy/dy0 | dy/dtheta], or dy/dtheta alone.
    let first = if wrt_y0 { n } else { 0 };
    let width = first + p;
    let mut z0 = vec![0.0; n + n * width];
    z0[..n].copy_from_slice(y0);
    for j in 0..first {
        z0[n + j * n + j] = 1.0;
    }
    let mut jy = vec![0.0; n * n];
    let mut jt = vec![0.0; n * p];
    let rhs = |t: f64, z: &[f64], dz: &mut [f64]| {
        let (y, s) = z.split_at(n);
        let (dy, ds) = dz.split_at_mut(n);
        jac(t, y, dy, &mut jy, &mut jt);
        // Column `c` of `J_y S + J_theta`, a column of `J_y` at a time
        // (contiguous: vectorised), each element's sum in the order of `k`.
        for (c, (col, sc)) in ds.chunks_exact_mut(n).zip(s.chunks_exact(n)).enumerate() {
            if c >= first {
                col.copy_from_slice(&jt[(c - first) * n..(c - first + 1) * n]);
            } else {
                col.fill(0.0);
            }
            for (jk, &sk) in jy.chunks_exact(n).zip(sc) {
                for (acc, j) in col.iter_mut().zip(jk) {
                    *acc += j * sk;
                }
            }
        }
    };
    let z = rk45(rhs, &z0, t0, ts, ctl)?;
    let mut sol = OdeSolution {
        y: Vec::with_capacity(ts.len() * n),
        dy_dy0: Vec::with_capacity(ts.len() * n * n),
        dy_dtheta: Vec::with_capacity(ts.len() * n * p),
    };
    // `max(1)`: no states, no rows (and `chunks` wants a positive size).
    for row in z.chunks(z0.len().max(1)) {
        sol.y.extend_from_slice(&row[..n]);
        if wrt_y0 {
            sol.dy_dy0.extend_from_slice(&row[n..n + n * n]);
        } else {
            sol.dy_dy0.resize(sol.dy_dy0.len() + n * n, 0.0);
        }
        sol.dy_dtheta.extend_from_slice(&row[n + n * first..]);
    }
    Ok(sol)
}

/// The reverse rule of an ODE solve: accumulates into `y0_adj` (`n`) and
/// `theta_adj` (`p`) the result adjoints `out_adj` (`t` rows of `n`)
/// contracted with the sensitivities `sens`, which hold per output time the
/// `n x (n + p)` column-major block `[dy/dy0 | dy/dtheta]` (the layout the
/// compiler's ODE call writes from an [`OdeSolution`]).
pub fn ode_adj(sens: &[f64], t: usize, n: usize, p: usize, out_adj: &[f64], y0_adj: &mut [f64], theta_adj: &mut [f64]) {
    let w = n + p;
    for k in 0..t {
        let block = &sens[k * n * w..(k + 1) * n * w];
        let g = &out_adj[k * n..(k + 1) * n];
        for c in 0..w {
            let col = &block[c * n..(c + 1) * n];
            let acc: f64 = col.iter().zip(g).map(|(s, a)| s * a).sum();
            if c < n {
                y0_adj[c] += acc;
            } else {
                theta_adj[c - n] += acc;
            }
        }
    }
}

/// C form of [`ode_adj`]; status 0, or 2 for a negative size or a null
/// pointer.
///
/// # Safety
/// `sens` valid for `t * n * (n + p)` values, `out_adj` for `t * n`,
/// `y0_adj` for `n`, `theta_adj` for `p` (may be null when `p` is 0 or
/// `n` is 0 respectively).
pub unsafe extern "C" fn hbm_ode_adj(
    sens: *const f64,
    t: i64,
    n: i64,
    p: i64,
    out_adj: *const f64,
    y0_adj: *mut f64,
    theta_adj: *mut f64,
) -> i32 {
    let (Ok(t), Ok(n), Ok(p)) = (usize::try_from(t), usize::try_from(n), usize::try_from(p)) else { return 2 };
    let Some(len) = t.checked_mul(n).and_then(|tn| tn.checked_mul(n + p)) else { return 2 };
    // SAFETY: caller contract (lengths as documented).
    let parts = unsafe {
        (crate::ffi::slice(sens, len), crate::ffi::slice(out_adj, t * n), crate::ffi::slice_mut(y0_adj, n), crate::ffi::slice_mut(theta_adj, p))
    };
    match parts {
        (Some(s), Some(g), Some(a), Some(b)) => {
            ode_adj(s, t, n, p, g, a, b);
            0
        }
        _ => 2,
    }
}

/// The length of an ODE call's sensitivities when its times depend on
/// parameters: the `t * n * (n + p)` of [`ode_adj`], then the two
/// sections [`ode_times_adj`] reads (`t * n` each).
pub fn times_sens_len(t: usize, n: usize, p: usize) -> Option<usize> {
    t.checked_mul(n)?.checked_mul(n.checked_add(p)?.checked_add(2)?)
}

/// The reverse rule of an ODE solve whose initial time `t0` or output
/// times `ts` depend on parameters: [`ode_adj`] on the first `t * n * (n +
/// p)` values of `sens`, then two sections of `t` rows of `n`: `dy(ts[k]) /
/// dt0 = -dy/dy0 f(t0, y0)`, contracted with the result adjoints into
/// `t0_adj[0]`, and `dy(ts[k]) / dts[k] = f(ts[k], y(ts[k]))` (a state at
/// one output time does not depend on the others), contracted row by row
/// into `ts_adj[k]`. A section the call did not need holds zeros.
#[allow(clippy::too_many_arguments)]
pub fn ode_times_adj(
    sens: &[f64],
    t: usize,
    n: usize,
    p: usize,
    out_adj: &[f64],
    y0_adj: &mut [f64],
    theta_adj: &mut [f64],
    t0_adj: &mut f64,
    ts_adj: &mut [f64],
) {
    let blocks = t * n * (n + p);
    ode_adj(&sens[..blocks], t, n, p, out_adj, y0_adj, theta_adj);
    let (d_t0, d_ts) = sens[blocks..].split_at(t * n);
    for k in 0..t {
        let g = &out_adj[k * n..(k + 1) * n];
        let row = |section: &[f64]| -> f64 { section[k * n..(k + 1) * n].iter().zip(g).map(|(s, a)| s * a).sum() };
        *t0_adj += row(d_t0);
        ts_adj[k] += row(d_ts);
    }
}

/// C form of [`ode_times_adj`]; status 0, or 2 for a negative size or a
/// null pointer.
///
/// # Safety
/// `sens` valid for [`times_sens_len`]`(t, n, p)` values, `out_adj` for `t
/// * n`, `y0_adj` for `n`, `theta_adj` for `p`, `t0_adj` for 1 and
/// `ts_adj` for `t`; the adjoint buffers alias nothing else.
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn hbm_ode_times_adj(
    sens: *const f64,
    t: i64,
    n: i64,
    p: i64,
    out_adj: *const f64,
    y0_adj: *mut f64,
    theta_adj: *mut f64,
    t0_adj: *mut f64,
    ts_adj: *mut f64,
) -> i32 {
    let (Ok(t), Ok(n), Ok(p)) = (usize::try_from(t), usize::try_from(n), usize::try_from(p)) else { return 2 };
    let Some(len) = times_sens_len(t, n, p) else { return 2 };
    // SAFETY: caller contract (lengths as documented).
    let parts = unsafe {
        (
            crate::ffi::slice(sens, len),
            crate::ffi::slice(out_adj, t * n),
            crate::ffi::slice_mut(y0_adj, n),
            crate::ffi::slice_mut(theta_adj, p),
            crate::ffi::slice_mut(t0_adj, 1),
            crate::ffi::slice_mut(ts_adj, t),
        )
    };
    match parts {
        (Some(s), Some(g), Some(a), Some(b), Some(c), Some(d)) => {
            ode_times_adj(s, t, n, p, g, a, b, &mut c[0], d);
            0
        }
        _ => 2,
    }
}

/// A first step size from the scale of `y0` and `y'(t0)` (Hairer, Norsett &
/// Wanner's heuristic, without its second derivative estimate), capped by
/// the span to integrate.
pub(crate) fn initial_step(y: &[f64], dy: &[f64], span: f64, ctl: &OdeControl) -> f64 {
    let scale: Vec<f64> = y.iter().map(|v| v.abs()).collect();
    let d0 = scaled_max(y, &scale, ctl);
    let d1 = scaled_max(dy, &scale, ctl);
    let h = if d0 < 1e-5 || d1 < 1e-5 { 1e-6 } else { 0.01 * d0 / d1 };
    h.min(span).max(span * 1e-12)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn max_abs_diff(a: &[f64], b: &[f64]) -> f64 {
        a.iter().zip(b).map(|(x, y)| (x - y).abs()).fold(0.0, f64::max)
    }

    #[test]
    fn exponential_decay_matches_closed_form() {
        let k = 0.7;
        let ts: Vec<f64> = (1..=10).map(|i| 0.5 * i as f64).collect();
        let y = rk45(|_, y, d| d[0] = -k * y[0], &[2.0], 0.0, &ts, &OdeControl::default()).expect("solves");
        let exact: Vec<f64> = ts.iter().map(|t| 2.0 * (-k * t).exp()).collect();
        assert!(max_abs_diff(&y, &exact) < 1e-5, "{y:?} vs {exact:?}");
    }

    #[test]
    fn harmonic_oscillator_matches_closed_form_and_tightens_with_tolerance() {
        let w = 2.0;
        let ts: Vec<f64> = (1..=20).map(|i| 0.3 * i as f64).collect();
        let exact: Vec<f64> = ts.iter().flat_map(|t| [(w * t).cos(), -w * (w * t).sin()]).collect();
        let solve = |tol: f64| {
            let ctl = OdeControl { rel_tol: tol, abs_tol: tol, ..OdeControl::default() };
            rk45(
                |_, y, d| {
                    d[0] = y[1];
                    d[1] = -w * w * y[0];
                },
                &[1.0, 0.0],
                0.0,
                &ts,
                &ctl,
            )
            .expect("solves")
        };
        let loose = max_abs_diff(&solve(1e-4), &exact);
        let default = max_abs_diff(&solve(1e-6), &exact);
        let tight = max_abs_diff(&solve(1e-10), &exact);
        assert!(default < 1e-5, "default tolerance error {default}");
        assert!(tight < default && default < loose, "{tight} < {default} < {loose}");
        assert!(tight < 1e-8, "tight tolerance error {tight}");
    }

    #[test]
    fn forward_sensitivity_of_augmented_system_matches_closed_form_and_finite_difference() {
        // y' = -k y with s = dy/dk: s' = -y - k s, s(0) = 0, so s = -t y0 e^{-kt}.
        let (k, y0) = (0.4, 3.0);
        let ts = [0.5, 1.0, 2.5, 4.0];
        let aug = rk45(
            |_, y, d| {
                d[0] = -k * y[0];
                d[1] = -y[0] - k * y[1];
            },
            &[y0, 0.0],
            0.0,
            &ts,
            &OdeControl::default(),
        )
        .expect("solves");
        let tight = OdeControl { rel_tol: 1e-11, abs_tol: 1e-11, ..OdeControl::default() };
        let solve_k = |k: f64| rk45(|_, y, d| d[0] = -k * y[0], &[y0], 0.0, &ts, &tight).expect("solves");
        let hstep = 1e-5;
        let (up, down) = (solve_k(k + hstep), solve_k(k - hstep));
        for (i, t) in ts.iter().enumerate() {
            let exact = -t * y0 * (-k * t).exp();
            let fd = (up[i] - down[i]) / (2.0 * hstep);
            assert!((aug[2 * i + 1] - exact).abs() < 1e-5, "t={t}: {} vs {exact}", aug[2 * i + 1]);
            assert!((fd - exact).abs() < 1e-5, "t={t}: fd {fd} vs {exact}");
        }
    }

    #[test]
    fn lotka_volterra_conserves_its_first_integral() {
        // V = d x - c ln x + b y - a ln y is constant along solutions.
        let (a, b, c, d) = (0.55, 0.028, 0.80, 0.024);
        let ts: Vec<f64> = (1..=20).map(|i| i as f64).collect();
        let z = rk45(
            |_, z, dz| {
                dz[0] = (a - b * z[1]) * z[0];
                dz[1] = (-c + d * z[0]) * z[1];
            },
            &[33.0, 6.2],
            0.0,
            &ts,
            &OdeControl::default(),
        )
        .expect("solves");
        let v = |x: f64, y: f64| d * x - c * x.ln() + b * y - a * y.ln();
        let v0 = v(33.0, 6.2);
        for p in z.chunks(2) {
            assert!((v(p[0], p[1]) - v0).abs() < 1e-4, "{p:?}: {} vs {v0}", v(p[0], p[1]));
        }
    }

    /// Lotka-Volterra with its Jacobians written out: theta = (a, b, c, d).
    fn lotka_volterra_jac(th: [f64; 4]) -> impl FnMut(f64, &[f64], &mut [f64], &mut [f64], &mut [f64]) {
        move |_, z, dz, jy, jt| {
            let [a, b, c, d] = th;
            dz[0] = (a - b * z[1]) * z[0];
            dz[1] = (-c + d * z[0]) * z[1];
            // column-major: jy[col * 2 + row]
            jy.copy_from_slice(&[a - b * z[1], d * z[1], -b * z[0], -c + d * z[0]]);
            jt.copy_from_slice(&[z[0], 0.0, -z[0] * z[1], 0.0, 0.0, -z[1], 0.0, z[0] * z[1]]);
        }
    }

    #[test]
    fn without_y0_sensitivities_the_theta_ones_agree_and_dy_dy0_is_zero() {
        let th = [0.55, 0.028, 0.80, 0.024];
        let y0 = [33.0, 6.2];
        let ts = [1.0, 4.0, 9.0];
        let ctl = OdeControl::default();
        let full = rk45_sensitivities(lotka_volterra_jac(th), &y0, 4, 0.0, &ts, &ctl).expect("solves");
        let mut calls = 0;
        let mut counted = lotka_volterra_jac(th);
        let theta_only = rk45_sensitivities_wrt(
            |t, z, dz, jy, jt| {
                calls += 1;
                counted(t, z, dz, jy, jt)
            },
            &y0,
            false,
            4,
            0.0,
            &ts,
            &ctl,
        )
        .expect("solves");
        assert!(calls > 0);
        assert!(theta_only.dy_dy0.len() == full.dy_dy0.len() && theta_only.dy_dy0.iter().all(|v| *v == 0.0));
        // Both within the solver's tolerance of the true values (the error
        // control no longer covers dy/dy0, so the steps may differ).
        for (a, b) in theta_only.y.iter().zip(&full.y) {
            assert!((a - b).abs() <= 1e-4 * b.abs().max(1.0), "{a} vs {b}");
        }
        for (a, b) in theta_only.dy_dtheta.iter().zip(&full.dy_dtheta) {
            assert!((a - b).abs() <= 1e-4 * b.abs().max(1.0), "{a} vs {b}");
        }
    }

    #[test]
    fn sensitivities_match_finite_differences_on_lotka_volterra() {
        let th = [0.55, 0.028, 0.80, 0.024];
        let y0 = [33.0, 6.2];
        let ts = [1.0, 4.0, 9.0];
        let sol = rk45_sensitivities(lotka_volterra_jac(th), &y0, 4, 0.0, &ts, &OdeControl::default()).expect("solves");
        let tight = OdeControl { rel_tol: 1e-11, abs_tol: 1e-11, ..OdeControl::default() };
        let states = |th: [f64; 4], y0: [f64; 2]| {
            rk45_sensitivities(lotka_volterra_jac(th), &y0, 4, 0.0, &ts, &tight).expect("solves").y
        };
        // Central differences, relative step; compare with a tolerance
        // relative to the derivative's size (the default solve is ~1e-6).
        for q in 0..6 {
            let (mut up_th, mut dn_th, mut up_y, mut dn_y) = (th, th, y0, y0);
            let base = if q < 2 { y0[q] } else { th[q - 2] };
            let h = 1e-6 * base.abs();
            if q < 2 {
                up_y[q] += h;
                dn_y[q] -= h;
            } else {
                up_th[q - 2] += h;
                dn_th[q - 2] -= h;
            }
            let (up, dn) = (states(up_th, up_y), states(dn_th, dn_y));
            for i in 0..ts.len() {
                for r in 0..2 {
                    let fd = (up[i * 2 + r] - dn[i * 2 + r]) / (2.0 * h);
                    let got = if q < 2 { sol.dy_dy0[i * 4 + q * 2 + r] } else { sol.dy_dtheta[i * 8 + (q - 2) * 2 + r] };
                    assert!((got - fd).abs() <= 1e-3 * fd.abs().max(1.0), "q={q} t={} r={r}: {got} vs fd {fd}", ts[i]);
                }
            }
        }
    }

    #[test]
    fn sensitivity_to_initial_state_of_decay_is_the_decay_factor() {
        let k = 1.3;
        let ts = [0.2, 1.0, 3.0];
        let sol = rk45_sensitivities(
            |_, y, d, jy, jt| {
                d[0] = -k * y[0];
                jy[0] = -k;
                jt[0] = -y[0];
            },
            &[5.0],
            1,
            0.0,
            &ts,
            &OdeControl::default(),
        )
        .expect("solves");
        for (i, t) in ts.iter().enumerate() {
            assert!((sol.dy_dy0[i] - (-k * t).exp()).abs() < 1e-5);
            assert!((sol.dy_dtheta[i] + t * 5.0 * (-k * t).exp()).abs() < 1e-5);
        }
    }

    #[test]
    fn times_adjoint_contracts_each_section_and_accumulates() {
        // Two output times, one state, one parameter: blocks [dy/dy0,
        // dy/dtheta] per time, then dy/dt0 per time, then dy/dts[k].
        let sens = [2.0, 3.0, 5.0, 7.0, 11.0, 13.0, 17.0, 19.0];
        let out_adj = [0.5, -1.0];
        let (mut y0a, mut tha, mut t0a, mut tsa) = ([1.0], [1.0], 1.0, [1.0, 1.0]);
        ode_times_adj(&sens, 2, 1, 1, &out_adj, &mut y0a, &mut tha, &mut t0a, &mut tsa);
        assert_eq!(y0a, [1.0 + 2.0 * 0.5 - 5.0]);
        assert_eq!(tha, [1.0 + 3.0 * 0.5 - 7.0]);
        assert_eq!(t0a, 1.0 + 11.0 * 0.5 - 13.0);
        assert_eq!(tsa, [1.0 + 17.0 * 0.5, 1.0 - 19.0]);
        assert_eq!(times_sens_len(2, 1, 1), Some(sens.len()));
        // SAFETY: null pointers and a negative size are refused before any read.
        let status = unsafe {
            hbm_ode_times_adj(sens.as_ptr(), -1, 1, 1, out_adj.as_ptr(), y0a.as_mut_ptr(), tha.as_mut_ptr(), &mut t0a, tsa.as_mut_ptr())
        };
        assert_eq!(status, 2);
    }

    #[test]
    fn bad_times_and_step_limits_are_errors_with_clear_messages() {
        let ctl = OdeControl::default();
        let decay = |_: f64, y: &[f64], d: &mut [f64]| d[0] = -y[0];
        let e = rk45(decay, &[1.0], 1.0, &[1.0, 2.0], &ctl).unwrap_err();
        assert!(matches!(e, OdeError::InitialTimeNotBefore { .. }));
        assert!(e.to_string().contains("must be less than the first output time"), "{e}");
        let e = rk45(decay, &[1.0], 0.0, &[1.0, 3.0, 2.0], &ctl).unwrap_err();
        assert_eq!(e, OdeError::TimesNotIncreasing { index: 2 });
        assert!(e.to_string().contains("ts[3] <= ts[2]"), "{e}");
        assert!(matches!(rk45(decay, &[f64::NAN], 0.0, &[1.0], &ctl), Err(OdeError::NotFinite { what: "y0" })));
        assert_eq!(rk45(decay, &[1.0], 0.0, &[], &ctl), Err(OdeError::NoOutputTimes));
        let few = OdeControl { max_num_steps: 3, ..ctl };
        let e = rk45(decay, &[1.0], 0.0, &[100.0], &few).unwrap_err();
        assert!(matches!(e, OdeError::TooManySteps { max_num_steps: 3, .. }), "{e:?}");
        let e = rk45(|_, _, d| d[0] = f64::NAN, &[1.0], 0.0, &[1.0], &ctl).unwrap_err();
        assert!(matches!(e, OdeError::DerivativeNotFinite { .. }), "{e:?}");
        let bad = OdeControl { rel_tol: -1.0, ..ctl };
        assert_eq!(rk45(decay, &[1.0], 0.0, &[1.0], &bad), Err(OdeError::BadControl { what: "rel_tol" }));
    }
}
