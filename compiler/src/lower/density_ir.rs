//! What the univariate densities lowered as IR share (`neg_binomial_2.rs`,
//! `positive_densities.rs`, `location_scale.rs`): one term per element of
//! the broadcast frame, the library's validity checks as IR booleans, and
//! its rule that an invalid argument or a NaN value gives -∞.
//!
//! Why IR at all: a library call per element recomputes the terms that
//! depend on scalar parameters alone (ln σ, lnΓ(α), α ln β, ...) and, in
//! the gradient, their derivatives (a digamma per element for a shape).
//! Written out as IR, those terms are the same in every iteration of the
//! loop over observations and `ir::licm` computes them once. Each density
//! writes its parameter-only part as its own chain of values, not folded
//! into the per-element ones, so that the pass can move it.

use super::builder::FnBuilder;
use super::stmt::Sink;
use super::{LowerResult, Lowerer};
use crate::check::typed::TypedExpr;
use crate::ir::{BinaryOp, CmpOp, UnaryOp, Value};

/// One element's log density from the variate and the parameters' values
/// there (reals as f64; an integer variate stays i64): `(ok, lp)`, where
/// `ok` is an i64 boolean for the library's validity checks.
pub(super) type ElementDensity<'f> = dyn FnMut(&mut Lowerer<'_>, Value, &[Value]) -> LowerResult<(Value, Value)> + 'f;

impl Lowerer<'_> {
    /// The terms of `variate ~ dist(params)`, one per element of their
    /// broadcast frame, each `density` or -∞ where its checks fail or its
    /// value is NaN (the library's `no_nan`), sent to `sink`.
    pub(super) fn ir_density_terms(&mut self, variate: &TypedExpr, params: &[TypedExpr], sink: Sink, at: &TypedExpr, density: &mut ElementDensity<'_>) -> LowerResult<()> {
        let (frame, shape) = self.density_frame(variate, params, at)?;
        self.each_index(&shape, &mut |this: &mut Self, idx: &[Value]| {
            let y = this.operand_elem(&frame, variate, idx)?;
            let mut theta = Vec::with_capacity(params.len());
            for p in params {
                let v = this.operand_elem(&frame, p, idx)?;
                // A literal integer as an f64 constant, which calls on it fold.
                let v = match this.fb.const_i64(v) {
                    Some(c) => this.fb.f64(c as f64),
                    None => this.fb.to_f64(v),
                };
                theta.push(v);
            }
            let (ok, lp) = density(this, y, &theta)?;
            let not_nan = this.fb.cmp(CmpOp::Eq, lp, lp);
            let ok = this.fb.binary(BinaryOp::And, ok, not_nan);
            let minus_inf = this.fb.f64(f64::NEG_INFINITY);
            let term = this.fb.select(ok, lp, minus_inf);
            this.emit_term(sink, term);
            Ok(())
        })
    }
}

impl Lowerer<'_> {
    /// `ln x`, computed at lowering when `x` is a constant (a literal rate
    /// or scale: `sigma ~ exponential(1)`).
    pub(super) fn log_of(&mut self, x: Value, at: &TypedExpr) -> LowerResult<Value> {
        match self.fb.const_f64(x) {
            Some(c) => Ok(self.fb.f64(c.ln())),
            None => self.lib_call("hbm_log", &[x], at),
        }
    }

    /// `lnΓ(x)`, computed at lowering when `x` is a constant (the library's
    /// own `lgamma`, as `hbm_lgamma` calls it).
    pub(super) fn lgamma_of(&mut self, x: Value, at: &TypedExpr) -> LowerResult<Value> {
        match self.fb.const_f64(x) {
            Some(c) => Ok(self.fb.f64(hbmc_stdlib::special::lgamma(c))),
            None => self.lib_call("hbm_lgamma", &[x], at),
        }
    }
}

/// `|x| < ∞`: false for NaN and ±∞.
pub(super) fn finite(fb: &mut FnBuilder, x: Value) -> Value {
    let a = fb.unary(UnaryOp::Abs, x);
    let inf = fb.f64(f64::INFINITY);
    fb.cmp(CmpOp::Lt, a, inf)
}

/// `0 < x < ∞` (Stan's `check_positive_finite`): false for NaN.
pub(super) fn positive_finite(fb: &mut FnBuilder, x: Value) -> Value {
    let zero = fb.f64(0.0);
    let inf = fb.f64(f64::INFINITY);
    let p = fb.cmp(CmpOp::Gt, x, zero);
    let f = fb.cmp(CmpOp::Lt, x, inf);
    fb.binary(BinaryOp::And, p, f)
}

/// The conjunction of i64 booleans.
pub(super) fn all(fb: &mut FnBuilder, conds: &[Value]) -> Value {
    match conds.split_first() {
        Some((&first, rest)) => rest.iter().fold(first, |acc, &c| fb.binary(BinaryOp::And, acc, c)),
        None => fb.i64(1),
    }
}
