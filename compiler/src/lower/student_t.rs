//! `student_t(y | ν, μ, σ)` as IR, not one library call per element.
//!
//! The library's density recomputes its normalising term, lnΓ((ν+1)/2) -
//! lnΓ(ν/2) - ½ ln(νπ) - ln σ, for every observation, and its gradient two
//! digammas more: 810 instructions per observation of a robust
//! regression, `y ~ student_t(nu, alpha + beta * x, sigma)`. Written out
//! here, the term that depends on ν and σ alone is the same in every
//! iteration of the element loop when they are scalars, and `ir::licm`
//! computes it (and its derivative) once; each observation keeps one
//! `log1p`. The value is the library's formula (`stdlib` `student_t_lpdf`:
//! `lgamma_half_diff`, then `-½(ν+1) log1p(z²/ν)`, to a few ulps: z and
//! z²/ν are taken with the reciprocals of σ and ν), -∞ where the library
//! gives -∞ (a NaN or infinite y, a non-finite μ, ν or σ not positive and
//! finite, or a NaN result).

use super::stmt::Sink;
use super::{LowerResult, Lowerer};
use crate::check::typed::TypedExpr;
use crate::ir::{BinaryOp, CallArg, CmpOp, UnaryOp, Value};
use std::f64::consts::PI;

impl Lowerer<'_> {
    /// The terms of `variate ~ student_t(params)`, one per element, sent to
    /// `sink`.
    pub(super) fn student_t_terms(&mut self, variate: &TypedExpr, params: &[TypedExpr], sink: Sink, at: &TypedExpr) -> LowerResult<()> {
        let (frame, shape) = self.density_frame(variate, params, at)?;
        let log = self.func("hbm_log", at)?;
        let log1p = self.func("hbm_log1p", at)?;
        let half_diff = self.func("hbm_lgamma_half_diff", at)?;
        self.each_index(&shape, &mut |this: &mut Self, idx: &[Value]| {
            let mut arg = |e: &TypedExpr| -> LowerResult<Value> {
                let v = this.operand_elem(&frame, e, idx)?;
                Ok(this.fb.to_f64(v))
            };
            let y = arg(variate)?;
            let (nu, mu, sigma) = (arg(&params[0])?, arg(&params[1])?, arg(&params[2])?);
            let fb = &mut this.fb;
            let (zero, half, one, inf) = (fb.f64(0.0), fb.f64(0.5), fb.f64(1.0), fb.f64(f64::INFINITY));
            // Validity, as the library checks it (NaN fails every compare).
            let finite = |fb: &mut super::builder::FnBuilder, x: Value| {
                let a = fb.unary(UnaryOp::Abs, x);
                fb.cmp(CmpOp::Lt, a, inf)
            };
            let positive_finite = |fb: &mut super::builder::FnBuilder, x: Value| {
                let p = fb.cmp(CmpOp::Gt, x, zero);
                let f = fb.cmp(CmpOp::Lt, x, inf);
                fb.binary(BinaryOp::And, p, f)
            };
            let y_ok = finite(fb, y);
            let mu_ok = finite(fb, mu);
            let sigma_ok = positive_finite(fb, sigma);
            let nu_ok = positive_finite(fb, nu);
            let params_ok = fb.binary(BinaryOp::And, sigma_ok, nu_ok);
            let point_ok = fb.binary(BinaryOp::And, y_ok, mu_ok);
            let ok = fb.binary(BinaryOp::And, params_ok, point_ok);
            // lgamma_half_diff(ν/2) - ½(ln ν + ln π) - ln σ.
            let half_nu = fb.binary(BinaryOp::Mul, half, nu);
            let g = fb.call(half_diff.clone(), vec![CallArg::Value(half_nu)]);
            let ln_nu = fb.call(log.clone(), vec![CallArg::Value(nu)]);
            let ln_pi = fb.f64(PI.ln());
            let ln_nu_pi = fb.binary(BinaryOp::Add, ln_nu, ln_pi);
            let half_ln_nu_pi = fb.binary(BinaryOp::Mul, half, ln_nu_pi);
            let ln_sigma = fb.call(log.clone(), vec![CallArg::Value(sigma)]);
            let c = fb.binary(BinaryOp::Sub, g, half_ln_nu_pi);
            let c = fb.binary(BinaryOp::Sub, c, ln_sigma);
            // -½(ν + 1) log1p(z² / ν), z = (y - μ) / σ.
            // By reciprocals: with scalar ν and σ they are taken once.
            let inv_sigma = fb.binary(BinaryOp::Div, one, sigma);
            let inv_nu = fb.binary(BinaryOp::Div, one, nu);
            let d = fb.binary(BinaryOp::Sub, y, mu);
            let z = fb.binary(BinaryOp::Mul, d, inv_sigma);
            let z2 = fb.binary(BinaryOp::Mul, z, z);
            let t = fb.binary(BinaryOp::Mul, z2, inv_nu);
            let l = fb.call(log1p.clone(), vec![CallArg::Value(t)]);
            let nu1 = fb.binary(BinaryOp::Add, nu, one);
            let w = fb.binary(BinaryOp::Mul, half, nu1);
            let wl = fb.binary(BinaryOp::Mul, w, l);
            let lp = fb.binary(BinaryOp::Sub, c, wl);
            // A NaN value is -∞, as the library's `no_nan`.
            let not_nan = fb.cmp(CmpOp::Eq, lp, lp);
            let ok = fb.binary(BinaryOp::And, ok, not_nan);
            let minus_inf = fb.f64(f64::NEG_INFINITY);
            let term = fb.select(ok, lp, minus_inf);
            this.emit_term(sink, term);
            Ok(())
        })
    }
}
