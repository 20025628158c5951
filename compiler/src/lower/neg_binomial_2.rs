//! `neg_binomial_2(n | μ, φ)` and `neg_binomial_2_log(n | η, φ)` as IR,
//! not one library call per element.
//!
//! The library's mass function (`stdlib` `nb2_log_core`) is, with
//! x = η - ln φ (η = ln μ) and s = log1p_exp(x) = ln(1 + μ/φ),
//! `ln C(n+φ-1, n) + n(x - s) - φ s`: the form that keeps its precision
//! as φ → ∞ (the Poisson limit). Here it is the same formula, term by
//! term, with the coefficient the library's own routine
//! (`hbm_nb_lchoose`, whose one partial, ∂φ, sums 1/(φ+k) for small n
//! instead of taking two digammas): ln φ, the one term of φ alone, leaves the loop over
//! observations when φ is a scalar, and each observation keeps no more
//! than its `log1p_exp` and the coefficient, and in the gradient their
//! derivatives (the library's call computes its partials in η and φ at
//! every element). The value is -∞ where the library gives -∞: n < 0,
//! φ not positive and finite, η not finite (μ not positive and finite),
//! or a NaN value.

use super::density_ir::{all, finite, positive_finite};
use super::stmt::Sink;
use super::{LowerResult, Lowerer};
use crate::check::typed::TypedExpr;
use crate::ir::{BinaryOp, CmpOp, Value};

impl Lowerer<'_> {
    /// The terms of `n ~ neg_binomial_2(μ, φ)` (`log_scale` false) or
    /// `n ~ neg_binomial_2_log(η, φ)` (true).
    pub(super) fn neg_binomial_2_terms(&mut self, log_scale: bool, variate: &TypedExpr, params: &[TypedExpr], sink: Sink, at: &TypedExpr) -> LowerResult<()> {
        self.ir_density_terms(variate, params, sink, at, &mut |this: &mut Lowerer<'_>, n: Value, theta: &[Value]| {
            let (loc, phi) = (theta[0], theta[1]);
            let zero_i = this.fb.i64(0);
            let n_ok = this.fb.cmp(CmpOp::Ge, n, zero_i);
            let phi_ok = positive_finite(&mut this.fb, phi);
            let (eta, loc_ok) = if log_scale {
                (loc, finite(&mut this.fb, loc))
            } else {
                let ok = positive_finite(&mut this.fb, loc);
                (this.log_of(loc, at)?, ok)
            };
            let ok = all(&mut this.fb, &[phi_ok, loc_ok, n_ok]);
            let nf = this.fb.to_f64(n);
            // φ alone: its log (the same in every iteration for a scalar φ).
            let ln_phi = this.log_of(phi, at)?;
            let coefficient = this.lib_call("hbm_nb_lchoose", &[n, phi], at)?;
            let x = this.fb.binary(BinaryOp::Sub, eta, ln_phi);
            let s = this.lib_call("hbm_log1p_exp", &[x], at)?;
            // ln C + n(x - s) - φ s, in the library's order.
            let xs = this.fb.binary(BinaryOp::Sub, x, s);
            let nxs = this.fb.binary(BinaryOp::Mul, nf, xs);
            let lp = this.fb.binary(BinaryOp::Add, coefficient, nxs);
            let phis = this.fb.binary(BinaryOp::Mul, phi, s);
            let lp = this.fb.binary(BinaryOp::Sub, lp, phis);
            Ok((ok, lp))
        })
    }
}
