//! `lognormal`, `gamma`, `exponential`, `weibull` and `inv_gamma` as IR,
//! not one library call per element (`density_ir.rs` says why).
//!
//! Each is the library's formula (`stdlib` `dist/continuous.rs`) term by
//! term, with its part of the parameters alone written first, so that it
//! is computed once for scalar parameters: `-½ ln 2π - ln σ` of the
//! lognormal, `α ln β - lnΓ(α)` of the gamma and inverse gamma (and, in
//! the gradient, the digamma of α), `ln β` of the exponential, `ln α -
//! ln σ` of the Weibull. Divisions by a scale are multiplications by its
//! reciprocal (taken once for a scalar scale), so a value may differ from
//! the library's by a few ulps. The library's `xlog(c, y)` (`c ln y`, 0
//! when c = 0, even at y = 0) takes the log of 1 instead of y when c = 0,
//! so that neither the value nor its derivative is 0·∞. -∞ where the
//! library gives -∞: a NaN or infinite variate, one outside the support,
//! a shape or scale not positive and finite, a location not finite, or a
//! NaN value.

use super::density_ir::{all, finite, positive_finite};
use super::stmt::Sink;
use super::{LowerResult, Lowerer};
use crate::check::typed::TypedExpr;
use crate::ir::{BinaryOp, CmpOp, Value};
use hbmc_stdlib::special::HALF_LN_2PI;

impl Lowerer<'_> {
    /// The terms of `variate ~ name(params)` for the densities of this
    /// module; `false` (nothing emitted) for any other name.
    pub(super) fn try_positive_density_terms(&mut self, name: &str, variate: &TypedExpr, params: &[TypedExpr], sink: Sink, at: &TypedExpr) -> LowerResult<bool> {
        let density: fn(&mut Lowerer<'_>, Value, &[Value], &TypedExpr) -> LowerResult<(Value, Value)> = match name {
            "lognormal" => lognormal,
            "gamma" => gamma,
            "exponential" => exponential,
            "weibull" => weibull,
            "inv_gamma" => inv_gamma,
            _ => return Ok(false),
        };
        self.ir_density_terms(variate, params, sink, at, &mut |this: &mut Lowerer<'_>, y: Value, theta: &[Value]| {
            let y = this.fb.to_f64(y);
            density(this, y, theta, at)
        })?;
        Ok(true)
    }

    /// `c ln y`, 0 when `c` is 0 (the library's `xlog`): the log is of 1
    /// there, so no 0·(-∞) reaches the value or the gradient.
    pub(super) fn xlog(&mut self, c: Value, y: Value, at: &TypedExpr) -> LowerResult<Value> {
        let zero = self.fb.f64(0.0);
        let one = self.fb.f64(1.0);
        let c_zero = self.fb.cmp(CmpOp::Eq, c, zero);
        let arg = self.fb.select(c_zero, one, y);
        let l = self.lib_call("hbm_log", &[arg], at)?;
        Ok(self.fb.binary(BinaryOp::Mul, c, l))
    }

    /// `1/x`, computed at lowering for a constant (a literal scale).
    pub(super) fn reciprocal(&mut self, x: Value) -> Value {
        if let Some(c) = self.fb.const_f64(x) {
            return self.fb.f64(1.0 / c);
        }
        let one = self.fb.f64(1.0);
        self.fb.binary(BinaryOp::Div, one, x)
    }
}

/// `0 <= y < ∞`: false for NaN.
fn non_negative_finite(l: &mut Lowerer<'_>, y: Value) -> Value {
    let zero = l.fb.f64(0.0);
    let nonneg = l.fb.cmp(CmpOp::Ge, y, zero);
    let fin = finite(&mut l.fb, y);
    l.fb.binary(BinaryOp::And, nonneg, fin)
}

/// lognormal(y | μ, σ) = -½ ln 2π - ln σ - ln y - ½((ln y - μ)/σ)², y > 0.
fn lognormal(l: &mut Lowerer<'_>, y: Value, theta: &[Value], at: &TypedExpr) -> LowerResult<(Value, Value)> {
    let (mu, sigma) = (theta[0], theta[1]);
    let checks = [positive_finite(&mut l.fb, y), finite(&mut l.fb, mu), positive_finite(&mut l.fb, sigma)];
    let ok = all(&mut l.fb, &checks);
    // σ alone.
    let ln_sigma = l.log_of(sigma, at)?;
    let k = l.fb.f64(-HALF_LN_2PI);
    let c = l.fb.binary(BinaryOp::Sub, k, ln_sigma);
    let w = l.reciprocal(sigma);
    // Per element.
    let ly = l.log_of(y, at)?;
    let d = l.fb.binary(BinaryOp::Sub, ly, mu);
    let z = l.fb.binary(BinaryOp::Mul, d, w);
    let half = l.fb.f64(0.5);
    let hz = l.fb.binary(BinaryOp::Mul, half, z);
    let q = l.fb.binary(BinaryOp::Mul, hz, z);
    let lp = l.fb.binary(BinaryOp::Sub, c, ly);
    let lp = l.fb.binary(BinaryOp::Sub, lp, q);
    Ok((ok, lp))
}

/// `α ln β - lnΓ(α)`, the part of the gamma and inverse gamma of their
/// parameters alone.
fn shape_rate_part(l: &mut Lowerer<'_>, alpha: Value, beta: Value, at: &TypedExpr) -> LowerResult<Value> {
    let ln_beta = l.log_of(beta, at)?;
    let a_ln_b = l.fb.binary(BinaryOp::Mul, alpha, ln_beta);
    let lg = l.lgamma_of(alpha, at)?;
    Ok(l.fb.binary(BinaryOp::Sub, a_ln_b, lg))
}

/// gamma(y | α, β) = α ln β - lnΓ(α) + (α-1) ln y - β y, y >= 0.
fn gamma(l: &mut Lowerer<'_>, y: Value, theta: &[Value], at: &TypedExpr) -> LowerResult<(Value, Value)> {
    let (alpha, beta) = (theta[0], theta[1]);
    let checks = [non_negative_finite(l, y), positive_finite(&mut l.fb, alpha), positive_finite(&mut l.fb, beta)];
    let ok = all(&mut l.fb, &checks);
    let c = shape_rate_part(l, alpha, beta, at)?;
    let one = l.fb.f64(1.0);
    let am1 = l.fb.binary(BinaryOp::Sub, alpha, one);
    let xl = l.xlog(am1, y, at)?;
    let by = l.fb.binary(BinaryOp::Mul, beta, y);
    let lp = l.fb.binary(BinaryOp::Add, c, xl);
    let lp = l.fb.binary(BinaryOp::Sub, lp, by);
    Ok((ok, lp))
}

/// inv_gamma(y | α, β) = α ln β - lnΓ(α) - (α+1) ln y - β/y, y > 0.
fn inv_gamma(l: &mut Lowerer<'_>, y: Value, theta: &[Value], at: &TypedExpr) -> LowerResult<(Value, Value)> {
    let (alpha, beta) = (theta[0], theta[1]);
    let checks = [positive_finite(&mut l.fb, y), positive_finite(&mut l.fb, alpha), positive_finite(&mut l.fb, beta)];
    let ok = all(&mut l.fb, &checks);
    let c = shape_rate_part(l, alpha, beta, at)?;
    let one = l.fb.f64(1.0);
    let ap1 = l.fb.binary(BinaryOp::Add, alpha, one);
    let ly = l.log_of(y, at)?;
    let t = l.fb.binary(BinaryOp::Mul, ap1, ly);
    let b_over_y = l.fb.binary(BinaryOp::Div, beta, y);
    let lp = l.fb.binary(BinaryOp::Sub, c, t);
    let lp = l.fb.binary(BinaryOp::Sub, lp, b_over_y);
    Ok((ok, lp))
}

/// exponential(y | β) = ln β - β y, y >= 0.
fn exponential(l: &mut Lowerer<'_>, y: Value, theta: &[Value], at: &TypedExpr) -> LowerResult<(Value, Value)> {
    let beta = theta[0];
    let checks = [non_negative_finite(l, y), positive_finite(&mut l.fb, beta)];
    let ok = all(&mut l.fb, &checks);
    let ln_beta = l.log_of(beta, at)?;
    let by = l.fb.binary(BinaryOp::Mul, beta, y);
    let lp = l.fb.binary(BinaryOp::Sub, ln_beta, by);
    Ok((ok, lp))
}

/// weibull(y | α, σ) = ln α - ln σ + (α-1) ln(y/σ) - (y/σ)^α, y >= 0,
/// with ln(y/σ) = ln y - ln σ and (y/σ)^α = exp(α ln(y/σ)): one log (of
/// the observation: no derivative when it is data) and one exp per
/// element instead of the library's log and `pow`, whose derivatives would
/// take a `pow` and a log again.
fn weibull(l: &mut Lowerer<'_>, y: Value, theta: &[Value], at: &TypedExpr) -> LowerResult<(Value, Value)> {
    let (alpha, sigma) = (theta[0], theta[1]);
    let checks = [non_negative_finite(l, y), positive_finite(&mut l.fb, alpha), positive_finite(&mut l.fb, sigma)];
    let ok = all(&mut l.fb, &checks);
    let ln_alpha = l.log_of(alpha, at)?;
    let ln_sigma = l.log_of(sigma, at)?;
    let c = l.fb.binary(BinaryOp::Sub, ln_alpha, ln_sigma);
    let one = l.fb.f64(1.0);
    let am1 = l.fb.binary(BinaryOp::Sub, alpha, one);
    let zero = l.fb.f64(0.0);
    let am1_zero = l.fb.cmp(CmpOp::Eq, am1, zero);
    // ln(y/σ); -∞ at y = 0, where (y/σ)^α is exp(-∞) = 0.
    let ly = l.log_of(y, at)?;
    let lr = l.fb.binary(BinaryOp::Sub, ly, ln_sigma);
    // xlog(α - 1, y/σ): 0 when α = 1, even at y = 0.
    let lr_or_zero = l.fb.select(am1_zero, zero, lr);
    let xl = l.fb.binary(BinaryOp::Mul, am1, lr_or_zero);
    let alr = l.fb.binary(BinaryOp::Mul, alpha, lr);
    let ra = l.lib_call("hbm_exp", &[alr], at)?;
    let lp = l.fb.binary(BinaryOp::Add, c, xl);
    let lp = l.fb.binary(BinaryOp::Sub, lp, ra);
    Ok((ok, lp))
}
