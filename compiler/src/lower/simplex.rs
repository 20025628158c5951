//! Densities on and over the simplex, lowered to IR arithmetic so that the
//! gradient code differentiates them like any expression:
//! `dirichlet(theta | alpha) = lgamma(sum(alpha)) - sum(lgamma(alpha))
//! + sum((alpha - 1) .* log(theta))`, `categorical(y | theta) =
//! log(theta[y])` and `categorical_logit(y | beta) = beta[y] -
//! log_sum_exp(beta)`; also `poisson_binomial(y | theta)` over a vector of
//! probabilities, one stdlib call (with its reverse rule) per outcome, and
//! its truncation `T[a, b]` by its cdfs.

use super::stmt::Sink;
use super::{LowerError, LowerResult, Lowerer};
use crate::check::typed::TypedExpr;
use crate::ir::{BinaryOp, CallArg, ScalarType, Value};

impl Lowerer<'_> {
    /// One dirichlet term per vector of the variate (a vector, or an array
    /// of them), each with the matching vector of `alpha` (or the one).
    pub(super) fn dirichlet_terms(&mut self, variate: &TypedExpr, alpha: &TypedExpr, sink: Sink, at: &TypedExpr) -> LowerResult<()> {
        let (count, k) = vectors_shape(&self.shape(variate)?, variate);
        let (alpha_count, alpha_k) = vectors_shape(&self.shape(alpha)?, alpha);
        if count == 0 {
            return Err(LowerError::unsupported(at.span, "`dirichlet` of an empty array of simplexes"));
        }
        if k != alpha_k || !(alpha_count == count || alpha_count == 1) {
            let msg = format!("`dirichlet` with {count} simplexes of size {k} and {alpha_count} concentration vectors of size {alpha_k}");
            return Err(LowerError::sizes(at.span, msg));
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
            [n, k] if name == "categorical_logit" => return self.categorical_logit_rows(y, probs, *n, *k, sink, at),
            s => return Err(LowerError::unsupported(at.span, format!("`{name}` with probabilities of shape {s:?}"))),
        };
        // The logits once (as values, or in a buffer), which both the
        // normaliser and each outcome's term read.
        let logits = if name == "categorical_logit" && k > 0 {
            let logits = self.logits_once(probs, &[], k)?;
            let lse = self.logits_log_sum_exp(&logits, at)?;
            Some((logits, lse))
        } else {
            None
        };
        let log = self.func("hbm_log", at)?;
        let shape = self.shape(y)?;
        self.each_index(&shape, &mut |this: &mut Self, idx: &[Value]| {
            let yi = this.elem(y, idx)?;
            let one = this.fb.i64(1);
            let y0 = this.fb.binary(BinaryOp::Sub, yi, one);
            let y0 = this.range_check(y0, k, at)?;
            let term = match &logits {
                Some((logits, lse)) => {
                    let p = this.logit_at(logits, y0, at)?;
                    this.fb.binary(BinaryOp::Sub, p, *lse)
                }
                None => {
                    let p = this.elem(probs, &[y0])?;
                    let p = this.fb.to_f64(p);
                    this.fb.call(log.clone(), vec![CallArg::Value(p)])
                }
            };
            this.emit_term(sink, term);
            Ok(())
        })
    }

    /// `categorical_logit(y | eta)` with a matrix of logits, one row per
    /// outcome (`categorical_logit_glm` with a matrix `x`; see
    /// `check::glm_categorical`): `eta[n, y[n]] - log_sum_exp(eta[n])` for
    /// each row n, with `y` one int for every row or one per row.
    fn categorical_logit_rows(&mut self, y: &TypedExpr, eta: &TypedExpr, n: usize, k: usize, sink: Sink, at: &TypedExpr) -> LowerResult<()> {
        let per_row = match self.shape(y)?.as_slice() {
            [] => false,
            [m] if *m == n => true,
            [m] => {
                return Err(LowerError::sizes(
                    at.span,
                    format!("`categorical_logit_glm` with {m} outcomes but {n} rows of `x`: give one row of predictors per outcome"),
                ))
            }
            s => return Err(LowerError::unsupported(at.span, format!("`categorical_logit_glm` with outcomes of shape {s:?}"))),
        };
        let y_once = if per_row { None } else { Some(self.scalar(y)?) };
        self.loop_n(n, |this, i| {
            let yi = match y_once {
                Some(v) => v,
                None => this.elem(y, &[i])?,
            };
            let one = this.fb.i64(1);
            let y0 = this.fb.binary(BinaryOp::Sub, yi, one);
            let y0 = this.range_check(y0, k, at)?;
            let row = this.logits_once(eta, &[i], k)?;
            let lse = this.logits_log_sum_exp(&row, at)?;
            let logit = this.logit_at(&row, y0, at)?;
            let term = this.fb.binary(BinaryOp::Sub, logit, lse);
            this.emit_term(sink, term);
            Ok(())
        })
    }

    /// `categorical_rng(theta)` / `categorical_logit_rng(beta)` /
    /// `poisson_binomial_rng(theta)`: one library call on the vector; -1
    /// (invalid probabilities) rejects.
    /// With a matrix of logits (`categorical_logit_glm`'s, one row per
    /// outcome), the draw at `idx = [n]` is from row n.
    pub(super) fn categorical_draw(&mut self, func: &str, probs: &TypedExpr, idx: &[Value], at: &TypedExpr) -> LowerResult<Value> {
        if let ([_, k], "categorical_logit_rng") = (self.shape(probs)?.as_slice(), func) {
            let k = *k;
            let &[n] = idx else {
                let msg = "a draw of one outcome from `categorical_logit_glm` with a matrix `x`: draw one outcome per row of `x` into an int array";
                return Err(LowerError::unsupported(at.span, msg));
            };
            // The row, copied: a matrix is stored by column.
            let row = self.temp_buffer("categorical_row", ScalarType::F64, k);
            self.loop_n(k, |this, j| {
                let v = this.elem(probs, &[n, j])?;
                let v = this.fb.to_f64(v);
                this.fb.store(row, j, v);
                Ok(())
            })?;
            let f = self.func("hbm_categorical_logit_rng", at)?;
            let kv = self.fb.i64(k as i64);
            let at0 = self.fb.i64(0);
            let draw = self.fb.call(f, vec![CallArg::Rng, CallArg::Buffer { buf: row, offset: at0 }, CallArg::Value(kv)]);
            return Ok(self.reject_bad_draw(func, draw));
        }
        let p = self.pointer_arg(probs)?;
        let k = match p.shape.as_slice() {
            [k] => *k,
            s => return Err(LowerError::unsupported(at.span, format!("`{func}` of a container of shape {s:?}"))),
        };
        let f = self.func(&format!("hbm_{func}"), at)?;
        let kv = self.fb.i64(k as i64);
        let draw = self.fb.call(f, vec![CallArg::Rng, p.arg(), CallArg::Value(kv)]);
        Ok(self.reject_bad_draw(func, draw))
    }

    /// Rejects when a categorical draw returned -1 (invalid probabilities).
    fn reject_bad_draw(&mut self, func: &str, draw: Value) -> Value {
        let zero = self.fb.i64(0);
        let bad = self.fb.cmp(crate::ir::CmpOp::Lt, draw, zero);
        let what = match func {
            "categorical_rng" => "the probabilities are not a simplex",
            "poisson_binomial_rng" => "the probabilities must lie in [0, 1]",
            _ => "the log odds are not finite",
        };
        self.reject_if(bad, &format!("{func}: {what}"));
        draw
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

    /// `y ~ poisson_binomial(theta) T[lower, upper]`, as Stan truncates a
    /// discrete distribution: each outcome's log mass minus the log of the
    /// interval's probability (`log_diff_exp(lcdf(upper), lcdf(lower -
    /// 1))`, `lccdf(lower - 1)` or `lcdf(upper)`, computed once: the one
    /// vector of probabilities and the bounds are the same for every
    /// outcome); an outcome outside the bounds makes the target `-inf`.
    /// The cdfs' library calls have their AD rules in theta.
    pub(super) fn poisson_binomial_truncated(
        &mut self,
        y: &TypedExpr,
        theta: &TypedExpr,
        lower: Option<&TypedExpr>,
        upper: Option<&TypedExpr>,
        drop_density: bool,
        at: &TypedExpr,
    ) -> LowerResult<()> {
        let p = self.pointer_arg(theta)?;
        let n = match p.shape.as_slice() {
            [n] => *n,
            s => return Err(LowerError::unsupported(at.span, format!("`poisson_binomial` with probabilities of shape {s:?}"))),
        };
        let nv = self.fb.i64(n as i64);
        let lo = match lower {
            Some(b) => Some(self.scalar(b)?),
            None => None,
        };
        let hi = match upper {
            Some(b) => Some(self.scalar(b)?),
            None => None,
        };
        let tail = |this: &mut Self, symbol: &str, k: Value| -> LowerResult<Value> {
            let f = this.func(symbol, at)?;
            Ok(this.fb.call(f, vec![p.arg(), CallArg::Value(nv), CallArg::Value(k)]))
        };
        let below = match lo {
            Some(l) => {
                let one = self.fb.i64(1);
                Some(self.fb.binary(BinaryOp::Sub, l, one))
            }
            None => None,
        };
        let normaliser = match (below, hi) {
            (Some(b), Some(h)) => {
                let top = tail(self, "hbm_poisson_binomial_lcdf", h)?;
                let bottom = tail(self, "hbm_poisson_binomial_lcdf", b)?;
                let diff = self.func("hbm_log_diff_exp", at)?;
                self.fb.call(diff, vec![CallArg::Value(top), CallArg::Value(bottom)])
            }
            (Some(b), None) => tail(self, "hbm_poisson_binomial_lccdf", b)?,
            (None, Some(h)) => tail(self, "hbm_poisson_binomial_lcdf", h)?,
            (None, None) => self.fb.f64(0.0),
        };
        let lpmf = self.func("hbm_poisson_binomial_lpmf", at)?;
        let shape = self.shape(y)?;
        self.each_index(&shape, &mut |this: &mut Self, idx: &[Value]| {
            let yi = this.elem(y, idx)?;
            let lp = if drop_density { this.fb.f64(0.0) } else { this.fb.call(lpmf.clone(), vec![p.arg(), CallArg::Value(nv), CallArg::Value(yi)]) };
            let inside = this.fb.binary(BinaryOp::Sub, lp, normaliser);
            let mut outside = this.fb.i64(0);
            if let Some(l) = lo {
                let c = this.fb.cmp(crate::ir::CmpOp::Lt, yi, l);
                outside = this.fb.binary(BinaryOp::Or, outside, c);
            }
            if let Some(h) = hi {
                let c = this.fb.cmp(crate::ir::CmpOp::Gt, yi, h);
                outside = this.fb.binary(BinaryOp::Or, outside, c);
            }
            let minus_inf = this.fb.f64(f64::NEG_INFINITY);
            let term = this.fb.select(outside, minus_inf, inside);
            this.emit_term(Sink::Target, term);
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
