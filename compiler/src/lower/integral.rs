//! `integrate_1d(f, a, b, theta, x_r, x_i [, relative_tolerance])`: the
//! integrand `f(x, xc, theta, x_r, x_i)` compiled as an ODE system is
//! (`lower/ode.rs`, `ir::ode`) with the one state `x` and the time `xc`,
//! and one call of kind [`SystemKind::Integral`] writing the integral. Its
//! reverse rule is the ODE's: the call writes the integrals of `df/dtheta`
//! (and `-f(a)`, `f(b)` for bounds that depend on parameters) where an ODE
//! call writes its sensitivities.

use super::ode::{system_source, Slot};
use super::{LowerResult, Lowerer};
use crate::check::typed::{Level, TypedExpr};
use crate::ir::ode::{ode_call_params, ode_symbol, OdeStatus, SystemKind};
use crate::ir::{BufferId, CType, CallArg, CmpOp, FuncRef, ScalarType, Value};

/// Stan's default relative tolerance: the square root of the machine
/// epsilon.
const DEFAULT_TOLERANCE: f64 = 1.4901161193847656e-8;

impl Lowerer<'_> {
    /// The value of `integrate_1d@f(args)`; rejects the draw with the
    /// reason when the integral cannot be computed.
    pub(super) fn integral_value(&mut self, f: &str, args: &[TypedExpr], e: &TypedExpr) -> LowerResult<Value> {
        const SOLVER: &str = "integrate_1d";
        let (a, b) = (&args[0], &args[1]);
        let (a_param, b_param) = (a.level == Level::Param, b.level == Level::Param);
        // Bounds that depend on parameters first among the parameters,
        // where the solve writes their sensitivities.
        let bounds: Vec<&TypedExpr> = [a, b].into_iter().filter(|x| x.level == Level::Param).collect();
        let (passed, (p, d, i)) = self.place(bounds.iter().copied().chain(&args[2..5]))?;
        let call_args = self.rebuilt_args(SOLVER, f, &passed[bounds.len()..], e)?;
        let rhs = format!("[{f}(ode_y[1], ode_t, {})]'", call_args.join(", "));
        let source = system_source(&rhs, 1, (p, d, i));
        let kind = SystemKind::Integral { a_param, b_param };
        let key = format!("{SOLVER} {a_param} {b_param}\n{source}");
        let index = match self.ode_systems.get(&key) {
            Some(&k) => k,
            None => {
                let sys = self.ode_system(kind, SOLVER, f, &source, 1, (p, d, i), 1, e)?;
                self.module.odes.push(sys);
                let k = self.module.odes.len() - 1;
                self.ode_systems.insert(key, k);
                k
            }
        };
        let theta = self.pack(&passed, Slot::Theta, p)?;
        let real_data = self.pack(&passed, Slot::RealData, d)?;
        let int_data = self.pack(&passed, Slot::IntData, i)?;
        let zero = self.fb.i64(0);
        // The call convention's state, never read: the integrand's `x` is
        // the quadrature's.
        let y0 = self.temp_buffer("integral_x", ScalarType::F64, 1);
        let fzero = self.fb.f64(0.0);
        self.fb.store(y0, zero, fzero);
        let a_v = self.scalar(a)?;
        let a_v = self.fb.to_f64(a_v);
        let b_v = self.scalar(b)?;
        let b_v = self.fb.to_f64(b_v);
        let upper = self.temp_buffer("integral_b", ScalarType::F64, 1);
        self.fb.store(upper, zero, b_v);
        let tol = match args.get(5) {
            Some(t) => {
                let v = self.scalar(t)?;
                self.fb.to_f64(v)
            }
            None => self.fb.f64(DEFAULT_TOLERANCE),
        };
        let unused_tol = self.fb.f64(0.0);
        let one_step = self.fb.f64(1.0);
        let sens_len = 1 + p;
        let out = self.temp_buffer("integral", ScalarType::F64, 1);
        let sens = self.temp_buffer("integral_sens", ScalarType::F64, sens_len);
        let whole = |b: BufferId| CallArg::Buffer { buf: b, offset: zero };
        let mut call = vec![whole(y0), whole(theta), whole(real_data), whole(int_data), CallArg::Value(a_v), whole(upper)];
        call.extend([tol, unused_tol, one_step].map(CallArg::Value));
        for k in [1, 1, p, sens_len] {
            let v = self.fb.i64(k as i64);
            call.push(CallArg::Value(v));
        }
        call.push(whole(out));
        call.push(whole(sens));
        let func = FuncRef { symbol: ode_symbol(index, SOLVER), params: ode_call_params(), ret: CType::I64 };
        let status = self.fb.call(func, call);
        self.reject_on_integral_status(status, f);
        Ok(self.fb.load(out, zero, ScalarType::F64))
    }

    /// Rejects the draw with the reason of a failed integral.
    fn reject_on_integral_status(&mut self, status: Value, f: &str) {
        let reasons = [
            (OdeStatus::BadArgument, "the relative tolerance must be positive and finite"),
            (OdeStatus::Bounds, "the lower limit a must be less than or equal to the upper limit b"),
            (OdeStatus::NotFinite, "the integrand returned NaN or infinity inside the interval (or at a limit that depends on parameters)"),
            (
                OdeStatus::NotConverged,
                "the error estimate of the integral exceeds the relative tolerance times the norm of the integral; \
                 loosen the relative tolerance or split the integral where the integrand changes quickly",
            ),
            (OdeStatus::NotDecaying, "the integrand does not decay toward the ends of the interval: the integral may diverge"),
            (OdeStatus::Rejected, "the integrand rejected its arguments"),
        ];
        for (code, why) in reasons {
            let c = self.fb.i64(code as i64);
            let is = self.fb.cmp(CmpOp::Eq, status, c);
            self.reject_if(is, &format!("integrate_1d({f}, ...): {why}"));
        }
    }
}
