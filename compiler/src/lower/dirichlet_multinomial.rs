//! `dirichlet_multinomial(n | alpha)` lowered to IR over the stdlib's
//! scalar `log_rising_factorial` and `lgamma` (so the AD differentiates
//! it). Stan's form
//!
//! ```text
//! lp = ln N - sum_{n_k > 0} ln n_k + lbeta(A, N) - sum_{n_k > 0} lbeta(alpha_k, n_k)
//! ```
//!
//! (N = sum n, A = sum alpha; 0 when N = 0) is, with lbeta(a, n) =
//! ln Γ(n) - ln a^(n) for a whole n >= 1 (a^(n) = a (a+1) ... (a+n-1), the
//! rising factorial),
//!
//! ```text
//! lp = ln N! - sum_k ln n_k! + sum_k ln alpha_k^(n_k) - ln A^(N)
//! ```
//!
//! The factorials are data (tabulated), and for counts up to
//! `RISING_TERMS_MAX` the stdlib's `log_rising_factorial` is the log of a
//! product of n factors and its derivative a sum of n reciprocals: no
//! `lgamma` or `digamma` of a parameter. A category with no count
//! contributes ln 0! = ln a^(0) = 0 exactly, and N = 0 gives 0.
//! The first two terms of Stan's form are the constant Stan drops under
//! `propto` ([`Lowerer::dirichlet_multinomial_constant`]).

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
        let rising = self.func("hbm_log_rising_factorial", at)?;
        let lgamma = self.func("hbm_lgamma", at)?;
        // [N, sum ln n_k!], [sum alpha] and [sum ln a_k^(n_k)], each sum
        // in a buffer of its own: the AD then sees the data sums as
        // inactive (no derivative of ln N!, nor of ln A^(N) in N), and the
        // reverse sweep, which recomputes an iteration for A alone, drops
        // the rising factorials' sum it does not read.
        let counts = self.temp_buffer("dirichlet_multinomial_counts", ScalarType::F64, 2);
        let a_sums = self.temp_buffer("dirichlet_multinomial_alpha", ScalarType::F64, 1);
        let rising_sums = self.temp_buffer("dirichlet_multinomial", ScalarType::F64, 1);
        let slots: Vec<Value> = (0..2).map(|i| self.fb.i64(i)).collect();
        let zero = self.fb.f64(0.0);
        for (buf, len) in [(counts, 2), (a_sums, 1), (rising_sums, 1)] {
            for &slot in &slots[..len] {
                self.fb.store(buf, slot, zero);
            }
        }
        self.loop_n(k, |this, i| {
            let count = this.elem(n, &[i])?;
            let zero_i = this.fb.i64(0);
            let negative = this.fb.cmp(CmpOp::Lt, count, zero_i);
            this.reject_if(negative, "dirichlet_multinomial: a count is negative");
            let a = this.elem(alpha, &[i])?;
            let a = this.fb.to_f64(a);
            let positive = this.fb.f64(0.0);
            let bad = this.fb.cmp(CmpOp::Le, a, positive);
            this.reject_if(bad, "dirichlet_multinomial: every concentration must be positive");
            let c = this.fb.to_f64(count);
            this.fb.accumulate(counts, slots[0], c);
            // Data alone: `ir::data_tables` fills a table of it once.
            let one = this.fb.f64(1.0);
            let c1 = this.fb.binary(BinaryOp::Add, c, one);
            let ln_fact = this.fb.call(lgamma.clone(), vec![CallArg::Value(c1)]);
            this.fb.accumulate(counts, slots[1], ln_fact);
            this.fb.accumulate(a_sums, slots[0], a);
            let rf = this.fb.call(rising.clone(), vec![CallArg::Value(a), CallArg::Value(c)]);
            this.fb.accumulate(rising_sums, slots[0], rf);
            Ok(())
        })?;
        let mut load = |buf, i: usize| self.fb.load(buf, slots[i], ScalarType::F64);
        let (total, ln_facts, a_sum, parts) = (load(counts, 0), load(counts, 1), load(a_sums, 0), load(rising_sums, 0));
        let one = self.fb.f64(1.0);
        let total1 = self.fb.binary(BinaryOp::Add, total, one);
        let ln_total_fact = self.fb.call(lgamma, vec![CallArg::Value(total1)]);
        let constant = self.fb.binary(BinaryOp::Sub, ln_total_fact, ln_facts);
        let top = self.fb.call(rising, vec![CallArg::Value(a_sum), CallArg::Value(total)]);
        let kernel = self.fb.binary(BinaryOp::Sub, parts, top);
        let lp = self.fb.binary(BinaryOp::Add, constant, kernel);
        self.emit_term(sink, lp);
        Ok(())
    }
}
