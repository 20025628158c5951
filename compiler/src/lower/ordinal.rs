//! Ordinal outcomes with cutpoints, lowered to IR over the stdlib's scalar
//! functions (so the AD differentiates them): `ordered_logistic(k | eta,
//! c)` and `ordered_probit(k | eta, c)`, with `P(k) = F(eta - c[k-1]) -
//! F(eta - c[k])`, `c[0] = -inf`, `c[K] = +inf`, F the logistic or normal
//! cdf; and `multinomial(y | theta)`, `multinomial_logit(y | gamma)`.

use super::stmt::Sink;
use super::{LowerError, LowerResult, Lowerer};
use crate::check::typed::{TypedExpr, TypedExprKind};
use crate::check::types::{ElemType, Type};
use crate::ir::{BinaryOp, CallArg, CmpOp, ScalarType, Stmt, Value};

impl Lowerer<'_> {
    /// One term per element of the outcome `k` (or of `eta` when `k` is one
    /// int); `eta` broadcasts with it,
    /// the cutpoints are one vector or one per element (an array).
    pub(super) fn ordinal_terms(&mut self, name: &str, k: &TypedExpr, eta: &TypedExpr, cuts: &TypedExpr, sink: Sink, at: &TypedExpr) -> LowerResult<()> {
        let cut_shape = self.shape(cuts)?;
        let per_element = !cuts.ty.array.is_empty();
        let n_cuts = *cut_shape.last().unwrap_or(&0);
        let n_cats = n_cuts + 1;
        // One outcome with a vector of predictors is that outcome for
        // each of them, as Stan's (`ordered_logistic_glm(2 | x, ...)`).
        let frame_axes = if k.ty.axes().is_empty() { eta.ty.axes() } else { k.ty.axes() };
        let frame = Type::array_of(frame_axes, ElemType::Real);
        let mut all = vec![k, eta];
        if per_element {
            all.push(cuts);
        }
        let shape = if frame.axes().is_empty() { Vec::new() } else { self.broadcast_shape(&frame, &all, at)? };
        if per_element && cut_shape.first() != shape.first() {
            return Err(LowerError::unsupported(at.span, format!("`{name}` with {:?} outcomes and {:?} cutpoint vectors", shape, cut_shape)));
        }
        let probit = name == "ordered_probit";
        let (lower, upper, middle) = if probit {
            (self.func("hbm_std_normal_lcdf", at)?, self.func("hbm_std_normal_lcdf", at)?, self.func("hbm_log_diff_exp", at)?)
        } else {
            (self.func("hbm_log1m_inv_logit", at)?, self.func("hbm_log_inv_logit", at)?, self.func("hbm_log_inv_logit_diff", at)?)
        };
        let lccdf = self.func("hbm_std_normal_lccdf", at)?;
        let cell = self.temp_buffer("ordinal", ScalarType::F64, 1);
        self.each_index(&shape, &mut |this: &mut Self, idx: &[Value]| {
            let kv = this.operand_elem(&frame, k, idx)?;
            let e = this.operand_elem(&frame, eta, idx)?;
            let e = this.fb.to_f64(e);
            let one = this.fb.i64(1);
            let k0 = this.fb.binary(BinaryOp::Sub, kv, one);
            let k0 = this.range_check(k0, n_cats, at)?;
            // Cutpoint j (0-based) of this element's vector.
            let cut = |this: &mut Self, j: Value| -> LowerResult<Value> {
                let at_j = if per_element { vec![idx[0], j] } else { vec![j] };
                let c = this.elem(cuts, &at_j)?;
                Ok(this.fb.to_f64(c))
            };
            let zero_i = this.fb.i64(0);
            let first = this.fb.cmp(CmpOp::Eq, kv, one);
            let last_k = this.fb.i64(n_cats as i64);
            let last = this.fb.cmp(CmpOp::Eq, kv, last_k);
            // k = 1: ln(1 - F(eta - c1)); for the normal, ln Φ(c1 - eta).
            this.fb.open();
            let c1 = cut(this, zero_i)?;
            let v = if probit {
                let d = this.fb.binary(BinaryOp::Sub, c1, e);
                this.fb.call(lower.clone(), vec![CallArg::Value(d)])
            } else {
                let d = this.fb.binary(BinaryOp::Sub, e, c1);
                this.fb.call(lower.clone(), vec![CallArg::Value(d)])
            };
            this.fb.store(cell, zero_i, v);
            let first_block = this.fb.close();
            // k = K: ln F(eta - c[K-1]).
            this.fb.open();
            let top = this.fb.i64(n_cuts as i64 - 1);
            let c_top = cut(this, top)?;
            let d = this.fb.binary(BinaryOp::Sub, e, c_top);
            let v = this.fb.call(upper.clone(), vec![CallArg::Value(d)]);
            this.fb.store(cell, zero_i, v);
            let last_block = this.fb.close();
            // Otherwise ln(F(eta - c[k-1]) - F(eta - c[k])).
            this.fb.open();
            let two = this.fb.i64(2);
            let j_lo = this.fb.binary(BinaryOp::Sub, kv, two);
            let c_lo = cut(this, j_lo)?;
            let c_hi = cut(this, k0)?;
            let a = this.fb.binary(BinaryOp::Sub, e, c_lo);
            let b = this.fb.binary(BinaryOp::Sub, e, c_hi);
            if probit {
                // Φ(a) - Φ(b) in whichever tail keeps its digits: the
                // upper one, Q(b) - Q(a), when the interval lies above 0.
                let sum = this.fb.binary(BinaryOp::Add, a, b);
                let zero = this.fb.f64(0.0);
                let above = this.fb.cmp(CmpOp::Gt, sum, zero);
                this.fb.open();
                let qa = this.fb.call(lccdf.clone(), vec![CallArg::Value(a)]);
                let qb = this.fb.call(lccdf.clone(), vec![CallArg::Value(b)]);
                let v = this.fb.call(middle.clone(), vec![CallArg::Value(qb), CallArg::Value(qa)]);
                this.fb.store(cell, zero_i, v);
                let upper_tail = this.fb.close();
                this.fb.open();
                let pa = this.fb.call(lower.clone(), vec![CallArg::Value(a)]);
                let pb = this.fb.call(lower.clone(), vec![CallArg::Value(b)]);
                let v = this.fb.call(middle.clone(), vec![CallArg::Value(pa), CallArg::Value(pb)]);
                this.fb.store(cell, zero_i, v);
                let lower_tail = this.fb.close();
                this.fb.emit(Stmt::If { cond: above, then: upper_tail, otherwise: lower_tail });
            } else {
                let v = this.fb.call(middle.clone(), vec![CallArg::Value(a), CallArg::Value(b)]);
                this.fb.store(cell, zero_i, v);
            }
            let middle_block = this.fb.close();
            let not_first = vec![Stmt::If { cond: last, then: last_block, otherwise: middle_block }];
            this.fb.emit(Stmt::If { cond: first, then: first_block, otherwise: not_first });
            let term = this.fb.load(cell, zero_i, ScalarType::F64);
            this.emit_term(sink, term);
            Ok(())
        })
    }

    /// `multinomial(y | theta)` = lgamma(N + 1) - sum(lgamma(y + 1)) +
    /// sum(y .* log(theta)), N = sum(y), with 0 log 0 = 0;
    /// `multinomial_logit(y | gamma)` the same at theta = softmax(gamma):
    /// sum(y .* gamma) - N log_sum_exp(gamma).
    pub(super) fn multinomial_terms(&mut self, name: &str, y: &TypedExpr, probs: &TypedExpr, sink: Sink, at: &TypedExpr) -> LowerResult<()> {
        let (ys, ps) = (self.shape(y)?, self.shape(probs)?);
        let ([n], [k]) = (ys.as_slice(), ps.as_slice()) else {
            return Err(LowerError::unsupported(at.span, format!("`{name}` of an outcome of shape {ys:?} with probabilities of shape {ps:?}")));
        };
        if n != k {
            return Err(LowerError::unsupported(at.span, format!("`{name}` with {n} counts and {k} probabilities")));
        }
        let lse = if name == "multinomial_logit" {
            let call = TypedExpr {
                kind: TypedExprKind::Call { func: "log_sum_exp".into(), args: vec![probs.clone()] },
                ty: Type::real(),
                level: probs.level,
                span: probs.span,
            };
            let v = self.scalar(&call)?;
            Some(self.fb.to_f64(v))
        } else {
            None
        };
        let lgamma = self.func("hbm_lgamma", at)?;
        let lmultiply = self.func("hbm_lmultiply", at)?;
        // [N, sum lgamma(y + 1)] and [kernel]: the data sums in a buffer of
        // their own, which the AD then sees as inactive (no derivative of
        // lgamma(N + 1) in N).
        let counts = self.temp_buffer("multinomial_counts", ScalarType::F64, 2);
        let sums = self.temp_buffer("multinomial", ScalarType::F64, 1);
        let slots: Vec<Value> = (0..2).map(|i| self.fb.i64(i)).collect();
        let zero = self.fb.f64(0.0);
        for s in &slots {
            self.fb.store(counts, *s, zero);
        }
        self.fb.store(sums, slots[0], zero);
        let negative = self.temp_buffer("negative_count", ScalarType::I64, 1);
        let zero_i = self.fb.i64(0);
        self.fb.store(negative, zero_i, zero_i);
        self.loop_n(*k, |this, i| {
            let count = this.elem(y, &[i])?;
            let below = this.fb.cmp(CmpOp::Lt, count, zero_i);
            let was = this.fb.load(negative, zero_i, ScalarType::I64);
            let any = this.fb.binary(BinaryOp::Or, was, below);
            this.fb.store(negative, zero_i, any);
            let c = this.fb.to_f64(count);
            this.fb.accumulate(counts, slots[0], c);
            let one = this.fb.f64(1.0);
            let c1 = this.fb.binary(BinaryOp::Add, c, one);
            let lg = this.fb.call(lgamma.clone(), vec![CallArg::Value(c1)]);
            this.fb.accumulate(counts, slots[1], lg);
            let p = this.elem(probs, &[i])?;
            let p = this.fb.to_f64(p);
            let term = match lse {
                Some(_) => this.fb.binary(BinaryOp::Mul, c, p),
                None => this.fb.call(lmultiply.clone(), vec![CallArg::Value(c), CallArg::Value(p)]),
            };
            this.fb.accumulate(sums, slots[0], term);
            Ok(())
        })?;
        let bad = self.fb.load(negative, zero_i, ScalarType::I64);
        self.reject_if(bad, &format!("{name}: a count is negative"));
        let total = self.fb.load(counts, slots[0], ScalarType::F64);
        let one = self.fb.f64(1.0);
        let t1 = self.fb.binary(BinaryOp::Add, total, one);
        let norm = self.fb.call(lgamma, vec![CallArg::Value(t1)]);
        let lgs = self.fb.load(counts, slots[1], ScalarType::F64);
        let kernel = self.fb.load(sums, slots[0], ScalarType::F64);
        let kernel = match lse {
            Some(l) => {
                let nl = self.fb.binary(BinaryOp::Mul, total, l);
                self.fb.binary(BinaryOp::Sub, kernel, nl)
            }
            None => kernel,
        };
        let a = self.fb.binary(BinaryOp::Sub, norm, lgs);
        let term = self.fb.binary(BinaryOp::Add, a, kernel);
        self.emit_term(sink, term);
        Ok(())
    }
}
