//! ODE calls in JIT code (`ir::ode`): each ODE system of a module is
//! compiled as a module of its own, kept alive by the outer
//! [`CompiledModule`](super::CompiledModule), and an ODE call is a call of
//! [`hbmc_jit_ode`] with the system's address as its first argument. The
//! solve itself is `interp::ode::solve`, shared with the interpreter.

use crate::interp::ode::{solve, OdeInputs};
use crate::ir::arenas::Arenas;
use crate::ir::ode::{OdeStatus, OdeSystem};
use crate::ir::FunctionKind;

use super::{CompiledModule, RunError};

/// The symbol JIT code calls for an ODE call.
pub(crate) const ODE_SYMBOL: &str = "hbmc_jit_ode";

/// An ODE system with its compiled right-hand side.
pub(crate) struct JitOde {
    pub system: OdeSystem,
    pub compiled: CompiledModule,
}

/// Solves an ODE call from JIT code and returns its [`OdeStatus`].
///
/// # Safety
/// `sys` points to a live [`JitOde`] (the compiled module that emitted the
/// call owns it); the buffer pointers are valid for the lengths the system
/// gives (`n`, `p`, its data sizes, `times`, `times * n` and
/// [`OdeSystem::sens_len`]), and `out`/`sens` overlap none of the others.
#[allow(clippy::too_many_arguments)]
pub(crate) unsafe extern "C" fn hbmc_jit_ode(
    sys: *const JitOde,
    y0: *const f64,
    theta: *const f64,
    real_data: *const f64,
    int_data: *const f64,
    t0: f64,
    ts: *const f64,
    rel_tol: f64,
    abs_tol: f64,
    max_num_steps: f64,
    _times: i64,
    _n: i64,
    _p: i64,
    _sens_len: i64,
    out: *mut f64,
    sens: *mut f64,
) -> i64 {
    // SAFETY: caller contract.
    let sys = unsafe { &*sys };
    let s = &sys.system;
    /// A slice, empty for length 0 whatever the pointer.
    unsafe fn view<'a>(p: *const f64, len: usize) -> &'a [f64] {
        if len == 0 {
            &[]
        } else {
            // SAFETY: caller contract of `hbmc_jit_ode`.
            unsafe { std::slice::from_raw_parts(p, len) }
        }
    }
    // SAFETY: caller contract (lengths from the system, as documented).
    let (y0, theta, real_data, int_data, ts) = unsafe {
        (view(y0, s.n), view(theta, s.p), view(real_data, s.real_data.1), view(int_data, s.int_data.1), view(ts, s.times))
    };
    let (out_len, sens_len) = (s.times * s.n, s.sens_len());
    let mut out_buf = vec![0.0; out_len];
    let mut sens_buf = vec![0.0; sens_len];
    let inputs = OdeInputs { y0, theta, real_data, int_data, t0, ts, rel_tol, abs_tol, max_num_steps };
    let mut gradient = |arenas: &mut Arenas| {
        sys.compiled.call(FunctionKind::Gradient, arenas, None).map_err(|e| match e {
            RunError::Rejected(m) => m,
            other => other.to_string(),
        })
    };
    match solve(s, &inputs, &mut gradient, &mut out_buf, &mut sens_buf) {
        Ok(()) => {
            // SAFETY: caller contract: `out` and `sens` are valid for these
            // lengths and alias nothing read above.
            unsafe {
                if out_len > 0 {
                    std::slice::from_raw_parts_mut(out, out_len).copy_from_slice(&out_buf);
                }
                if sens_len > 0 {
                    std::slice::from_raw_parts_mut(sens, sens_len).copy_from_slice(&sens_buf);
                }
            }
            OdeStatus::Ok as i64
        }
        Err(f) => f.status as i64,
    }
}
