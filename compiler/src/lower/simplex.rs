//! Densities on and over the simplex, lowered to IR arithmetic so that the
//! gradient code differentiates them like any expression:
//! `dirichlet(theta | alpha) = lgamma(sum(alpha)) - sum(lgamma(alpha))
//! + sum((alpha - 1) .* log(theta))`, `categorical(y | theta) =
//! log(theta[y])` and `categorical_logit(y | beta) = beta[y] -
//! log_sum_exp(beta)`; also `poisson_binomial(y | theta)` over a vector of
//! probabilities, one stdlib call (with its reverse rule) per outcome.

use super::stmt::Sink;
use super::{LowerError, LowerResult, Lowerer};
use crate::check::typed::{TypedExpr, TypedExprKind};
use crate::check::types::Type;
use crate::ir::{BinaryOp, CallArg, ScalarType, Value};

impl Lowerer<'_> {
    /// One dirichlet term per vector of the variate (a vector, or an array
    /// of them), each with the matching vector of `alpha` (or the one).
    pub(super) fn dirichlet_terms(&mut self, variate: &TypedExpr, alpha: &TypedExpr, sink: Sink, at: &TypedExpr) -> LowerResult<()> {
        let (count, k) = vectors_shape(&self.shape(variate)?, variate);
        let (alpha_count, alpha_k) = vectors_shape(&self.shape(alpha)?, alpha);
        if k != alpha_k || !(alpha_count == count || alpha_count == 1) || count == 0 {
            let msg = format!("`dirichlet` with {count} simplexes of size {k} and {alpha_count} concentration vectors of size {alpha_k}");
            return Err(LowerError::unsupported(at.span, msg));
        }
        let lgamma = self.func("hbm_lgamma", at)?;
        let log = self.func("hbm_log", at)?;
        let sums = self.temp_buffer("dirichlet", ScalarType::F64, 3);
        let at0 = self.fb.i64(0);
        let (at1, at2) = (self.fb.i64(1), self.fb.i64(2));
        self.repeat(count, |this, m| {
            let zero = this.fb.f64(0.0);
            for slot in [at0, at1, at2] {
                this.fb.store(sums, slot, zero);
            }
            this.loop_n(k, |this, i| {
                let a_idx = if alpha.ty.array.is_empty() { vec![i] } else { vec![if alpha_count == 1 { at0 } else { m }, i] };
                let t_idx = if variate.ty.array.is_empty() { vec![i] } else { vec![m, i] };
                let a = this.elem(alpha, &a_idx)?;
                let a = this.fb.to_f64(a);
                let t = this.elem(variate, &t_idx)?;
                let t = this.fb.to_f64(t);
                this.fb.accumulate(sums, at0, a);
                let lg = this.fb.call(lgamma.clone(), vec![CallArg::Value(a)]);
                this.fb.accumulate(sums, at1, lg);
                let one = this.fb.f64(1.0);
                let am1 = this.fb.binary(BinaryOp::Sub, a, one);
                let lt = this.fb.call(log.clone(), vec![CallArg::Value(t)]);
                let term = this.fb.binary(BinaryOp::Mul, am1, lt);
                this.fb.accumulate(sums, at2, term);
                Ok(())
            })?;
            let total = this.fb.load(sums, at0, ScalarType::F64);
            let norm = this.fb.call(lgamma.clone(), vec![CallArg::Value(total)]);
            let lgs = this.fb.load(sums, at1, ScalarType::F64);
            let kernel = this.fb.load(sums, at2, ScalarType::F64);
            let a = this.fb.binary(BinaryOp::Sub, norm, lgs);
            let term = this.fb.binary(BinaryOp::Add, a, kernel);
            this.emit_term(sink, term);
            Ok(())
        })
    }

    /// One term per element of `y`: `log(theta[y])`, or `beta[y] -
    /// log_sum_exp(beta)` for the logit form (its normaliser computed once).
    /// An outcome outside `1..=K` rejects the draw, as Stan.
    pub(super) fn categorical_terms(&mut self, name: &str, y: &TypedExpr, probs: &TypedExpr, sink: Sink, at: &TypedExpr) -> LowerResult<()> {
        let k = match self.shape(probs)?.as_slice() {
            [k] => *k,
            s => return Err(LowerError::unsupported(at.span, format!("`{name}` with probabilities of shape {s:?}"))),
        };
        let normaliser = if name == "categorical_logit" {
            let lse = TypedExpr {
                kind: TypedExprKind::Call { func: "log_sum_exp".into(), args: vec![probs.clone()] },
                ty: Type::real(),
                level: probs.level,
                span: probs.span,
            };
            let v = self.scalar(&lse)?;
            Some(self.fb.to_f64(v))
        } else {
            None
        };
        let log = self.func("hbm_log", at)?;
        let shape = self.shape(y)?;
        self.each_index(&shape, &mut |this: &mut Self, idx: &[Value]| {
            let yi = this.elem(y, idx)?;
            let one = this.fb.i64(1);
            let y0 = this.fb.binary(BinaryOp::Sub, yi, one);
            this.range_check(y0, k, at)?;
            let p = this.elem(probs, &[y0])?;
            let p = this.fb.to_f64(p);
            let term = match normaliser {
                Some(lse) => this.fb.binary(BinaryOp::Sub, p, lse),
                None => this.fb.call(log.clone(), vec![CallArg::Value(p)]),
            };
            this.emit_term(sink, term);
            Ok(())
        })
    }

    /// `categorical_rng(theta)` / `categorical_logit_rng(beta)` /
    /// `poisson_binomial_rng(theta)`: one library call on the vector; -1
    /// (invalid probabilities) rejects.
    pub(super) fn categorical_draw(&mut self, func: &str, probs: &TypedExpr, at: &TypedExpr) -> LowerResult<Value> {
        let p = self.pointer_arg(probs)?;
        let k = match p.shape.as_slice() {
            [k] => *k,
            s => return Err(LowerError::unsupported(at.span, format!("`{func}` of a container of shape {s:?}"))),
        };
        let f = self.func(&format!("hbm_{func}"), at)?;
        let kv = self.fb.i64(k as i64);
        let draw = self.fb.call(f, vec![CallArg::Rng, p.arg(), CallArg::Value(kv)]);
        let zero = self.fb.i64(0);
        let bad = self.fb.cmp(crate::ir::CmpOp::Lt, draw, zero);
        let what = match func {
            "categorical_rng" => "the probabilities are not a simplex",
            "poisson_binomial_rng" => "the probabilities must lie in [0, 1]",
            _ => "the log odds are not finite",
        };
        self.reject_if(bad, &format!("{func}: {what}"));
        Ok(draw)
    }
}

impl Lowerer<'_> {
    /// `poisson_binomial(y | theta)` (or its `_lcdf`/`_lccdf`, `symbol`):
    /// one library call per outcome (an int or each of an int array) on the
    /// one vector of probabilities (whose AD rule gives the partials in
    /// theta).
    pub(super) fn poisson_binomial_terms(&mut self, symbol: &str, y: &TypedExpr, theta: &TypedExpr, sink: Sink, at: &TypedExpr) -> LowerResult<()> {
        let p = self.pointer_arg(theta)?;
        let n = match p.shape.as_slice() {
            [n] => *n,
            s => return Err(LowerError::unsupported(at.span, format!("`poisson_binomial` with probabilities of shape {s:?}"))),
        };
        let f = self.func(symbol, at)?;
        let shape = self.shape(y)?;
        self.each_index(&shape, &mut |this: &mut Self, idx: &[Value]| {
            let yi = this.elem(y, idx)?;
            let nv = this.fb.i64(n as i64);
            let term = this.fb.call(f.clone(), vec![p.arg(), CallArg::Value(nv), CallArg::Value(yi)]);
            this.emit_term(sink, term);
            Ok(())
        })
    }

    /// `ordered_logistic_rng(eta, c)` / `ordered_probit_rng(eta, c)`: one
    /// library call on the cutpoints; -1 (invalid arguments) rejects.
    pub(super) fn ordinal_draw(&mut self, func: &str, eta: &TypedExpr, cuts: &TypedExpr, at: &TypedExpr) -> LowerResult<Value> {
        let c = self.pointer_arg(cuts)?;
        let k = match c.shape.as_slice() {
            [k] => *k,
            s => return Err(LowerError::unsupported(at.span, format!("`{func}` with cutpoints of shape {s:?}"))),
        };
        let eta = self.scalar(eta)?;
        let eta = self.fb.to_f64(eta);
        let f = self.func(&format!("hbm_{func}"), at)?;
        let kv = self.fb.i64(k as i64);
        let draw = self.fb.call(f, vec![CallArg::Rng, CallArg::Value(eta), c.arg(), CallArg::Value(kv)]);
        let zero = self.fb.i64(0);
        let bad = self.fb.cmp(crate::ir::CmpOp::Lt, draw, zero);
        self.reject_if(bad, &format!("{func}: eta must be finite and the cutpoints finite and increasing"));
        Ok(draw)
    }
}

/// (number of vectors, their size) of a vector or an array of vectors.
fn vectors_shape(shape: &[usize], e: &TypedExpr) -> (usize, usize) {
    match (shape, e.ty.array.is_empty()) {
        ([k], true) => (1, *k),
        ([m, k], false) => (*m, *k),
        _ => (0, 0),
    }
}
