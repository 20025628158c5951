//! The `beta` log density with literal shapes as IR instead of stdlib
//! calls.
//!
//! `rho_raw ~ beta(20, 5)` called the stdlib's `beta_lpdf_grad` per
//! element, which computes `lbeta(a, b)` and three digammas (the partials
//! in the shapes) at every call although the shapes are numbers. With
//! literal shapes `a, b > 0` a term is `(a - 1) log y + (b - 1) log1m y -
//! lbeta(a, b)` with `lbeta(a, b)` computed at lowering by the stdlib
//! routine itself: two calls with their derivatives, no digamma. A shape
//! of 1 leaves its log out (the stdlib's `xlog`: `0 · log 0 = 0`). A
//! variate outside `[0, 1]`, or NaN, gives -∞, as the stdlib's
//! `beta_lpdf` does.

use super::stmt::Sink;
use super::{LowerResult, Lowerer};
use crate::check::typed::{TypedExpr, TypedExprKind};
use crate::ir::{BinaryOp, CallArg, CmpOp, Value};

/// A positive finite number written as a literal, or `None`.
fn positive_literal(e: &TypedExpr) -> Option<f64> {
    let x = match e.kind {
        TypedExprKind::RealLit(x) => x,
        TypedExprKind::IntLit(x) => x as f64,
        _ => return None,
    };
    (x.is_finite() && x > 0.0).then_some(x)
}

impl Lowerer<'_> {
    /// The terms of `variate ~ beta(a, b)` as IR when both shapes are
    /// positive literals; `false` (nothing emitted) otherwise.
    pub(super) fn try_beta_terms(&mut self, variate: &TypedExpr, params: &[TypedExpr], sink: Sink, at: &TypedExpr) -> LowerResult<bool> {
        let [a, b] = params else { return Ok(false) };
        let (Some(a), Some(b)) = (positive_literal(a), positive_literal(b)) else { return Ok(false) };
        if !self.unroll_small {
            return Ok(false);
        }
        let log = self.func("hbm_log", at)?;
        let log1m = self.func("hbm_log1m", at)?;
        let lbeta = hbmc_stdlib::special::lbeta(a, b);
        let (frame, shape) = self.density_frame(variate, params, at)?;
        self.each_index(&shape, &mut |this: &mut Self, idx: &[Value]| {
            let y = this.operand_elem(&frame, variate, idx)?;
            let y = this.fb.to_f64(y);
            let mut term = this.fb.f64(-lbeta);
            for (shape_minus_1, f) in [(a - 1.0, &log), (b - 1.0, &log1m)] {
                if shape_minus_1 == 0.0 {
                    continue;
                }
                let l = this.fb.call(f.clone(), vec![CallArg::Value(y)]);
                let k = this.fb.f64(shape_minus_1);
                let kl = this.fb.binary(BinaryOp::Mul, k, l);
                term = this.fb.binary(BinaryOp::Add, term, kl);
            }
            // `0 <= y <= 1`, false for NaN.
            let zero = this.fb.f64(0.0);
            let one = this.fb.f64(1.0);
            let above = this.fb.cmp(CmpOp::Ge, y, zero);
            let below = this.fb.cmp(CmpOp::Le, y, one);
            let inside = this.fb.binary(BinaryOp::And, above, below);
            let minus_inf = this.fb.f64(f64::NEG_INFINITY);
            let term = this.fb.select(inside, term, minus_inf);
            this.emit_term(sink, term);
            Ok(())
        })?;
        Ok(true)
    }
}
