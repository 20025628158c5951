//! Algebraic solver calls (`solve_newton`, `solve_powell`, their `_tol`
//! forms, `algebra_solver`, `algebra_solver_newton`): the system `f(y,
//! ...)` compiled as an ODE system is (`lower/ode.rs`, `ir::ode`) with its
//! time unused, and one call of kind [`SystemKind::Root`] writing the root
//! into the call's vector. Its reverse rule is the ODE's: the call writes
//! the implicit function theorem's `dy/dtheta` where an ODE call writes
//! its sensitivities.

use super::ode::{system_source, Slot};
use super::{LowerResult, Lowerer, Storage};
use crate::check::ode::OdeForm;
use crate::check::typed::TypedExpr;
use crate::ir::ode::{ode_call_params, ode_symbol, OdeStatus, SystemKind};
use crate::ir::{BufferId, CType, CallArg, CmpOp, FuncRef, ScalarType, Value};

/// Stan's default controls `(step or relative tolerance, function
/// tolerance, max_num_steps)` of an algebraic solver.
fn default_controls(solver: &str) -> (f64, f64, f64) {
    match solver {
        "solve_newton" => (1e-3, 1e-6, 200.0),
        "solve_powell" => (1e-10, 1e-6, 200.0),
        // algebra_solver, algebra_solver_newton
        _ => (1e-10, 1e-6, 1e3),
    }
}

impl Lowerer<'_> {
    /// Solves the algebraic solver call `solver@f(args)` into `dst` (a
    /// vector as long as the guess); rejects the draw with Stan's kind of
    /// reason when no root is found.
    pub(super) fn fill_root(&mut self, dst: &Storage, solver: &str, f: &str, form: OdeForm, args: &[TypedExpr], e: &TypedExpr) -> LowerResult<()> {
        let (controls, rest): (Option<&[TypedExpr]>, &[TypedExpr]) = match form {
            OdeForm::RootLegacy if args.len() == 7 => (Some(&args[4..7]), &args[1..4]),
            OdeForm::RootLegacy => (None, &args[1..4]),
            OdeForm::RootTol => (Some(&args[1..4]), &args[4..]),
            _ => (None, &args[1..]),
        };
        let (passed, (p, d, i)) = self.place(rest.iter())?;
        let n = self.shape(&args[0])?.first().copied().unwrap_or(0);
        let call_args = self.rebuilt_args(solver, f, &passed, e)?;
        let rhs = if call_args.is_empty() { format!("{f}(ode_y)") } else { format!("{f}(ode_y, {})", call_args.join(", ")) };
        let source = system_source(&rhs, n, (p, d, i));
        let key = format!("{solver} root\n{source}");
        let index = match self.ode_systems.get(&key) {
            Some(&k) => k,
            None => {
                let sys = self.ode_system(SystemKind::Root, solver, f, &source, n, (p, d, i), 1, e)?;
                self.module.odes.push(sys);
                let k = self.module.odes.len() - 1;
                self.ode_systems.insert(key, k);
                k
            }
        };
        let guess = self.pointer_arg(&args[0])?;
        let theta = self.pack(&passed, Slot::Theta, p)?;
        let real_data = self.pack(&passed, Slot::RealData, d)?;
        let int_data = self.pack(&passed, Slot::IntData, i)?;
        // The call convention's output time, never read for a root.
        let ts = self.temp_buffer("root_ts", ScalarType::F64, 1);
        let zero = self.fb.i64(0);
        let t0 = self.fb.f64(0.0);
        self.fb.store(ts, zero, t0);
        let (step, ftol, steps) = default_controls(solver);
        let (step_v, ftol_v, steps_v) = match controls {
            Some(c) => {
                let mut v = Vec::with_capacity(3);
                for x in c {
                    let s = self.scalar(x)?;
                    v.push(self.fb.to_f64(s));
                }
                (v[0], v[1], v[2])
            }
            None => (self.fb.f64(step), self.fb.f64(ftol), self.fb.f64(steps)),
        };
        let sens_len = n * (n + p);
        let sens = self.temp_buffer("root_sens", ScalarType::F64, sens_len);
        let whole = |b: BufferId| CallArg::Buffer { buf: b, offset: zero };
        let mut call = vec![guess.arg(), whole(theta), whole(real_data), whole(int_data), CallArg::Value(t0), whole(ts)];
        call.extend([step_v, ftol_v, steps_v].map(CallArg::Value));
        for k in [1, n, p, sens_len] {
            let v = self.fb.i64(k as i64);
            call.push(CallArg::Value(v));
        }
        call.push(whole(dst.buf));
        call.push(whole(sens));
        let func = FuncRef { symbol: ode_symbol(index, solver), params: ode_call_params(), ret: CType::I64 };
        let status = self.fb.call(func, call);
        self.reject_on_root_status(status, solver, f, form);
        Ok(())
    }

    /// Rejects the draw with the reason of a failed algebraic solve.
    fn reject_on_root_status(&mut self, status: Value, solver: &str, f: &str, form: OdeForm) {
        let step = match form {
            OdeForm::RootTol if solver.contains("newton") => "scaling_step",
            _ => "the relative tolerance",
        };
        let bad = format!("{step} and the function tolerance must be positive and finite, max_num_steps a positive integer");
        let reasons = [
            (OdeStatus::BadArgument, bad.as_str()),
            (OdeStatus::NotFiniteInput, "the initial guess must be finite"),
            (
                OdeStatus::TooManySteps,
                "max_num_steps exceeded before the norm of the algebraic function fell below the function tolerance; \
                 raise max_num_steps, loosen the function tolerance or start from a better guess",
            ),
            (
                OdeStatus::NoRoot,
                "no root found: the norm of the algebraic function stays above the function tolerance and no step reduces it \
                 (a guess too far away, or a system without a root)",
            ),
            (OdeStatus::SingularJacobian, "the Jacobian of the algebraic system is singular at the root, so its gradient is not defined"),
            (OdeStatus::NotFinite, "the algebraic system returned NaN or infinity"),
            (OdeStatus::Rejected, "the algebraic system rejected its arguments"),
        ];
        for (code, why) in reasons {
            let c = self.fb.i64(code as i64);
            let is = self.fb.cmp(CmpOp::Eq, status, c);
            self.reject_if(is, &format!("{solver}({f}, ...): {why}"));
        }
    }
}
