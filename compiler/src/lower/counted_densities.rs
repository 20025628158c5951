//! Count densities whose count term depends on the data alone: `poisson`,
//! `poisson_log` (−ln n!), `binomial` and `binomial_logit` (ln C(N, n)).
//!
//! hbmc samples with every constant of a density (docs/language.md), and
//! the library's call computes the count term's `lgamma`s for every
//! observation at every gradient, though they depend on the counts alone
//! (Stan's `~` drops them). Here each element is the library's density
//! without that term (`hbm_*_uncounted_lpmf`, batched like the full one
//! by `ir::batch`) plus the term as IR of its own, which `ir::data_tables`
//! then computes once, when the data are bound, wherever the counts are
//! data read in a loop. The sum is the library's full density up to
//! rounding; where the density rejects an argument the term adds 0 to its
//! -∞.

use super::stmt::Sink;
use super::{LowerResult, Lowerer};
use crate::check::signatures::Distribution;
use crate::check::typed::TypedExpr;
use crate::ir::{BinaryOp, CallArg, CmpOp, UnaryOp, Value};

impl Lowerer<'_> {
    /// The terms of `variate ~ dist(params)` when `dist` is a count density
    /// with a data-only count term (see the module docs), sent to `sink`;
    /// `false` (nothing lowered) for other distributions.
    pub(super) fn try_counted_terms(&mut self, dist: &Distribution, variate: &TypedExpr, params: &[TypedExpr], sink: Sink, at: &TypedExpr) -> LowerResult<bool> {
        let binomial = match dist.name {
            "poisson" | "poisson_log" => false,
            "binomial" | "binomial_logit" => true,
            _ => return Ok(false),
        };
        let uncounted = self.func(&format!("hbm_{}_uncounted_lpmf", dist.name), at)?;
        let (frame, shape) = self.density_frame(variate, params, at)?;
        self.each_index(&shape, &mut |this: &mut Self, idx: &[Value]| {
            let n = this.operand_elem(&frame, variate, idx)?;
            let mut args = vec![CallArg::Value(n)];
            args.extend(this.param_args(dist, &frame, params, idx)?);
            let trials = match args.get(1) {
                Some(CallArg::Value(big_n)) if binomial => Some(*big_n),
                _ => None,
            };
            let term = this.fb.call(uncounted.clone(), args);
            this.emit_term(sink, term);
            let count = this.count_term(n, trials, at)?;
            this.emit_term(sink, count);
            Ok(())
        })?;
        Ok(true)
    }

    /// The count term of count `n` (of `trials`, for a binomial): ln C(N, n)
    /// for 0 <= n <= N, −ln n! for a Poisson count n >= 0, else 0 (the
    /// density itself is -∞ there).
    fn count_term(&mut self, n: Value, trials: Option<Value>, at: &TypedExpr) -> LowerResult<Value> {
        let zero_i = self.fb.i64(0);
        let valid = self.fb.cmp(CmpOp::Ge, n, zero_i);
        let nf = self.fb.to_f64(n);
        let (valid, term) = match trials {
            Some(big_n) => {
                let within = self.fb.cmp(CmpOp::Le, n, big_n);
                let valid = self.fb.binary(BinaryOp::And, valid, within);
                let big_nf = self.fb.to_f64(big_n);
                (valid, self.lib_call("hbm_lchoose", &[big_nf, nf], at)?)
            }
            None => {
                let one = self.fb.f64(1.0);
                let n1 = self.fb.binary(BinaryOp::Add, nf, one);
                let lf = self.lib_call("hbm_lgamma", &[n1], at)?;
                (valid, self.fb.unary(UnaryOp::Neg, lf))
            }
        };
        let zero = self.fb.f64(0.0);
        Ok(self.fb.select(valid, term, zero))
    }
}
