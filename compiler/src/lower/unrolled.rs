//! Small containers of a size known when lowering, taken element by
//! element into values once: `log_sum_exp(v)` and
//! `categorical_logit(y | v)` on them as straight-line code (larger
//! vectors of logits go once into a buffer: [`Logits`]).
//!
//! Lowered as a loop, `log_sum_exp` of an expression (`(x[n] * beta)'`, a
//! row of logits) evaluates the expression three times per element (the
//! max pass, the exp pass, and again in the reverse sweep) and keeps a
//! buffer and an argmax cell per observation; `categorical_logit` then
//! evaluates it once more for the outcome. With K of a few outcomes, the K
//! values computed once and kept as values cost a fraction of that, and
//! the gradient code differentiates them like any scalar expression.

use super::{LowerError, LowerResult, Lowerer, Storage};
use crate::check::typed::TypedExpr;
use crate::ir::{BinaryOp, CallArg, CmpOp, ScalarType, Value};

/// The largest container taken element by element (K logits, or the
/// elements of a `log_sum_exp`'s argument); larger ones stay loops.
pub(crate) const MAX_UNROLLED_LOG_SUM_EXP: usize = 16;

impl Lowerer<'_> {
    /// Every element of `x[prefix]` (the part of `x` of the given shape
    /// at the leading indices `prefix`, row-major over it) once, as `f64`
    /// values.
    pub(super) fn elements_once(&mut self, x: &TypedExpr, prefix: &[Value], shape: &[usize]) -> LowerResult<Vec<Value>> {
        let n: usize = shape.iter().product();
        let mut values = Vec::with_capacity(n);
        for flat in 0..n {
            let mut rest = flat;
            let mut idx = vec![0; shape.len()];
            for (d, &size) in shape.iter().enumerate().rev() {
                idx[d] = rest % size;
                rest /= size;
            }
            let idx: Vec<Value> = prefix.iter().copied().chain(idx.into_iter().map(|i| self.fb.i64(i as i64))).collect();
            let v = self.elem(x, &idx)?;
            values.push(self.fb.to_f64(v));
        }
        Ok(values)
    }

    /// `log(sum(exp(values)))` as `m + log(sum(exp(values - m)))` with `m`
    /// the largest value, straight-line. The derivative with respect to
    /// `m` is zero, so which element is largest changes no gradient. When
    /// every value is `-inf` (`m = -inf`), `m` is taken as 0 so the result
    /// is `-inf`, as Stan's, not NaN.
    pub(super) fn log_sum_exp_of(&mut self, values: &[Value], at: &TypedExpr) -> LowerResult<Value> {
        let Some((&first, rest)) = values.split_first() else {
            return Err(LowerError::unsupported(at.span, "`log_sum_exp` of no values taken one by one"));
        };
        let m = rest.iter().fold(first, |m, &v| self.fb.binary(BinaryOp::Max, m, v));
        let minus_inf = self.fb.f64(f64::NEG_INFINITY);
        let none = self.fb.cmp(CmpOp::Eq, m, minus_inf);
        let zero = self.fb.f64(0.0);
        let m = self.fb.select(none, zero, m);
        let exp = self.func("hbm_exp", at)?;
        let d = self.fb.binary(BinaryOp::Sub, first, m);
        let mut sum = self.fb.call(exp.clone(), vec![CallArg::Value(d)]);
        for &v in rest {
            let d = self.fb.binary(BinaryOp::Sub, v, m);
            let e = self.fb.call(exp.clone(), vec![CallArg::Value(d)]);
            sum = self.fb.binary(BinaryOp::Add, sum, e);
        }
        let log = self.func("hbm_log", at)?;
        let l = self.fb.call(log, vec![CallArg::Value(sum)]);
        Ok(self.fb.binary(BinaryOp::Add, l, m))
    }

    /// The `k` logits of `x[prefix]` (a vector, or a matrix's row when
    /// `prefix` is its row index) computed once: as values up to
    /// [`MAX_UNROLLED_LOG_SUM_EXP`], past that into a buffer (a vector
    /// variable's own).
    pub(super) fn logits_once(&mut self, x: &TypedExpr, prefix: &[Value], k: usize) -> LowerResult<Logits> {
        if k <= MAX_UNROLLED_LOG_SUM_EXP {
            return Ok(Logits::Values(self.elements_once(x, prefix, &[k])?));
        }
        if prefix.is_empty() {
            return Ok(Logits::Buffer(self.materialize_flat(x)?));
        }
        let row = self.temp_buffer("row", ScalarType::F64, k);
        self.loop_n(k, |this, j| {
            let idx: Vec<Value> = prefix.iter().copied().chain(std::iter::once(j)).collect();
            let v = this.elem(x, &idx)?;
            let v = this.fb.to_f64(v);
            this.fb.store(row, j, v);
            Ok(())
        })?;
        Ok(Logits::Buffer(Storage { buf: row, shape: vec![k], array_rank: 0, ty: ScalarType::F64 }))
    }

    /// `log_sum_exp` of the logits.
    pub(super) fn logits_log_sum_exp(&mut self, logits: &Logits, at: &TypedExpr) -> LowerResult<Value> {
        match logits {
            Logits::Values(values) => self.log_sum_exp_of(values, at),
            Logits::Buffer(values) => self.log_sum_exp_of_buffer(values, values.shape.iter().product(), at),
        }
    }

    /// The logit at a 0-based index `i` already checked to be in range: a
    /// chain of selects over the values, or one load.
    pub(super) fn logit_at(&mut self, logits: &Logits, i: Value, at: &TypedExpr) -> LowerResult<Value> {
        match logits {
            Logits::Values(values) => {
                let Some((&last, rest)) = values.split_last() else {
                    return Err(LowerError::unsupported(at.span, "an outcome among no logits"));
                };
                Ok(rest.iter().enumerate().rev().fold(last, |chosen, (k, &v)| {
                    let at = self.fb.i64(k as i64);
                    let here = self.fb.cmp(CmpOp::Eq, i, at);
                    self.fb.select(here, v, chosen)
                }))
            }
            Logits::Buffer(values) => {
                let p = self.fb.load(values.buf, i, values.ty);
                Ok(self.fb.to_f64(p))
            }
        }
    }
}

/// A vector of logits computed once ([`Lowerer::logits_once`]).
pub(super) enum Logits {
    /// Few: each a value.
    Values(Vec<Value>),
    /// More: in a flat buffer.
    Buffer(Storage),
}
