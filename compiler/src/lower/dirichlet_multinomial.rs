//! `dirichlet_multinomial(n | alpha)` lowered to IR over the stdlib's
//! scalar `lbeta` and `log` (so the AD differentiates it), in Stan's form:
//!
//! ```text
//! lp = ln N - sum_{n_k > 0} ln n_k + lbeta(sum alpha, N) - sum_{n_k > 0} lbeta(alpha_k, n_k)
//! ```
//!
//! with N = sum n (0 when N = 0). The first two terms are the constant
//! Stan drops under `propto` ([`Lowerer::dirichlet_multinomial_constant`]).
//! Categories with no count contribute nothing; their `lbeta` is taken
//! at a count of 1 and discarded, so that no infinite value (or NaN
//! partial) reaches the gradient.

use super::stmt::Sink;
use super::{LowerError, LowerResult, Lowerer};
use crate::check::typed::TypedExpr;
use crate::ir::{BinaryOp, CallArg, CmpOp, ScalarType, Value};

impl Lowerer<'_> {
    /// The size of one count array and its concentration vector, checked.
    fn dirichlet_multinomial_size(&mut self, n: &TypedExpr, alpha: &TypedExpr, at: &TypedExpr) -> LowerResult<usize> {
        let (ns, alphas) = (self.shape(n)?, self.shape(alpha)?);
        match (ns.as_slice(), alphas.as_slice()) {
            ([k], [j]) if k == j => Ok(*k),
            _ => Err(LowerError::sizes(
                at.span,
                format!("`dirichlet_multinomial` of counts of shape {ns:?} with concentrations of shape {alphas:?} (one array of counts and one vector of the same size)"),
            )),
        }
    }

    /// `ln N - sum_{n_k > 0} ln n_k` and N, rejecting a negative count.
    pub(super) fn dirichlet_multinomial_constant(&mut self, n: &TypedExpr, k: usize, at: &TypedExpr) -> LowerResult<(Value, Value)> {
        let log = self.func("hbm_log", at)?;
        // [N, sum ln n_k]
        let sums = self.temp_buffer("dirichlet_multinomial_counts", ScalarType::F64, 2);
        let (s0, s1) = (self.fb.i64(0), self.fb.i64(1));
        let zero = self.fb.f64(0.0);
        self.fb.store(sums, s0, zero);
        self.fb.store(sums, s1, zero);
        self.loop_n(k, |this, i| {
            let count = this.elem(n, &[i])?;
            let zero_i = this.fb.i64(0);
            let negative = this.fb.cmp(CmpOp::Lt, count, zero_i);
            this.reject_if(negative, "dirichlet_multinomial: a count is negative");
            let c = this.fb.to_f64(count);
            this.fb.accumulate(sums, s0, c);
            let one = this.fb.f64(1.0);
            let safe = this.fb.binary(BinaryOp::Max, c, one);
            let ln = this.fb.call(log.clone(), vec![CallArg::Value(safe)]);
            this.fb.accumulate(sums, s1, ln);
            Ok(())
        })?;
        let total = self.fb.load(sums, s0, ScalarType::F64);
        let one = self.fb.f64(1.0);
        let safe_total = self.fb.binary(BinaryOp::Max, total, one);
        let ln_total = self.fb.call(log, vec![CallArg::Value(safe_total)]);
        let logs = self.fb.load(sums, s1, ScalarType::F64);
        Ok((self.fb.binary(BinaryOp::Sub, ln_total, logs), total))
    }

    /// The log mass of one count array (see the module doc).
    pub(super) fn dirichlet_multinomial_terms(&mut self, n: &TypedExpr, alpha: &TypedExpr, sink: Sink, at: &TypedExpr) -> LowerResult<()> {
        let k = self.dirichlet_multinomial_size(n, alpha, at)?;
        let (constant, total) = self.dirichlet_multinomial_constant(n, k, at)?;
        let lbeta = self.func("hbm_lbeta", at)?;
        // [sum alpha, sum_{n_k > 0} lbeta(alpha_k, n_k)]
        let sums = self.temp_buffer("dirichlet_multinomial", ScalarType::F64, 2);
        let (s0, s1) = (self.fb.i64(0), self.fb.i64(1));
        let zero = self.fb.f64(0.0);
        self.fb.store(sums, s0, zero);
        self.fb.store(sums, s1, zero);
        self.loop_n(k, |this, i| {
            let a = this.elem(alpha, &[i])?;
            let a = this.fb.to_f64(a);
            let positive = this.fb.f64(0.0);
            let bad = this.fb.cmp(CmpOp::Le, a, positive);
            this.reject_if(bad, "dirichlet_multinomial: every concentration must be positive");
            this.fb.accumulate(sums, s0, a);
            let count = this.elem(n, &[i])?;
            let c = this.fb.to_f64(count);
            let one = this.fb.f64(1.0);
            let safe = this.fb.binary(BinaryOp::Max, c, one);
            let lb = this.fb.call(lbeta.clone(), vec![CallArg::Value(a), CallArg::Value(safe)]);
            let zero = this.fb.f64(0.0);
            let counted = this.fb.cmp(CmpOp::Gt, c, zero);
            let lb = this.fb.select(counted, lb, zero);
            this.fb.accumulate(sums, s1, lb);
            Ok(())
        })?;
        let a_sum = self.fb.load(sums, s0, ScalarType::F64);
        let one = self.fb.f64(1.0);
        let safe_total = self.fb.binary(BinaryOp::Max, total, one);
        let top = self.fb.call(lbeta, vec![CallArg::Value(a_sum), CallArg::Value(safe_total)]);
        let parts = self.fb.load(sums, s1, ScalarType::F64);
        let kernel = self.fb.binary(BinaryOp::Sub, top, parts);
        let lp = self.fb.binary(BinaryOp::Add, constant, kernel);
        let zero = self.fb.f64(0.0);
        let any = self.fb.cmp(CmpOp::Gt, total, zero);
        let lp = self.fb.select(any, lp, zero);
        self.emit_term(sink, lp);
        Ok(())
    }
}
