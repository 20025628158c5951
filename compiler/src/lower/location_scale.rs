//! `cauchy`, `double_exponential`, `skew_double_exponential`, `logistic`
//! and `gumbel` as IR, not one library call per element (`density_ir.rs`
//! says why).
//!
//! Each is the library's formula (`stdlib` `dist/continuous.rs`) in terms
//! of z = (y - μ)/σ, with the constant and `ln σ` written first so that
//! they are computed once for a scalar scale, and z taken with the
//! reciprocal of σ (once for a scalar σ; a value may differ from the
//! library's by a few ulps). `double_exponential`'s |y - μ| is (y - μ)
//! times its sign, so that its derivative at y = μ is 0, as the library's
//! (`sign(0) = 0`). -∞ where the library gives -∞: y or μ not finite, σ
//! not positive and finite, or a NaN value.

use super::density_ir::{all, finite, positive_finite};
use super::stmt::Sink;
use super::{LowerResult, Lowerer};
use crate::check::typed::TypedExpr;
use crate::ir::{BinaryOp, CmpOp, UnaryOp, Value};
use hbmc_stdlib::special::LN_PI;
use std::f64::consts::LN_2;

/// The parts every density of this module starts from.
struct Standardised {
    /// The library's checks.
    ok: Value,
    /// ln σ.
    ln_sigma: Value,
    /// z = (y - μ)/σ, as (y - μ)·(1/σ).
    z: Value,
}

impl Lowerer<'_> {
    /// The terms of `variate ~ name(params)` for the densities of this
    /// module; `false` (nothing emitted) for any other name.
    pub(super) fn try_location_scale_terms(&mut self, name: &str, variate: &TypedExpr, params: &[TypedExpr], sink: Sink, at: &TypedExpr) -> LowerResult<bool> {
        if name == "skew_double_exponential" {
            return self.skew_double_exponential_terms(variate, params, sink, at).map(|()| true);
        }
        let density: fn(&mut Lowerer<'_>, &Standardised, &TypedExpr) -> LowerResult<Value> = match name {
            "cauchy" => cauchy,
            "double_exponential" => double_exponential,
            "logistic" => logistic,
            "gumbel" => gumbel,
            _ => return Ok(false),
        };
        self.ir_density_terms(variate, params, sink, at, &mut |this: &mut Lowerer<'_>, y: Value, theta: &[Value]| {
            let y = this.fb.to_f64(y);
            let (mu, sigma) = (theta[0], theta[1]);
            let checks = [finite(&mut this.fb, y), finite(&mut this.fb, mu), positive_finite(&mut this.fb, sigma)];
            let ok = all(&mut this.fb, &checks);
            let ln_sigma = this.log_of(sigma, at)?;
            let w = this.reciprocal(sigma);
            let d = this.fb.binary(BinaryOp::Sub, y, mu);
            let z = this.fb.binary(BinaryOp::Mul, d, w);
            let parts = Standardised { ok, ln_sigma, z };
            let lp = density(this, &parts, at)?;
            Ok((parts.ok, lp))
        })?;
        Ok(true)
    }

    /// skew_double_exponential(y | μ, σ, τ) = ln 2 + ln τ + ln(1 - τ) - ln σ
    /// - (2/σ) e, with e = (1 - τ)(μ - y) below μ and τ(y - μ) from μ up
    /// (the library's branch at y = μ, so the same partials there). The
    /// parts of τ and σ alone come first, so that a scalar τ and σ (a
    /// quantile regression) cost one compare, select and a few products per
    /// observation. -∞ where the library gives it: y not finite, μ not
    /// finite, σ not positive and finite, τ outside (0, 1), or NaN.
    fn skew_double_exponential_terms(&mut self, variate: &TypedExpr, params: &[TypedExpr], sink: Sink, at: &TypedExpr) -> LowerResult<()> {
        self.ir_density_terms(variate, params, sink, at, &mut |this: &mut Lowerer<'_>, y: Value, theta: &[Value]| {
            let y = this.fb.to_f64(y);
            let (mu, sigma, tau) = (theta[0], theta[1], theta[2]);
            let (zero, one) = (this.fb.f64(0.0), this.fb.f64(1.0));
            let tau_above = this.fb.cmp(CmpOp::Gt, tau, zero);
            let tau_below = this.fb.cmp(CmpOp::Lt, tau, one);
            let checks = [finite(&mut this.fb, y), finite(&mut this.fb, mu), positive_finite(&mut this.fb, sigma), tau_above, tau_below];
            let ok = all(&mut this.fb, &checks);
            let ln_tau = this.log_of(tau, at)?;
            let ln_1m_tau = this.lib_call("hbm_log1m", &[tau], at)?;
            let ln_sigma = this.log_of(sigma, at)?;
            let ln2 = this.fb.f64(LN_2);
            let a = this.fb.binary(BinaryOp::Add, ln2, ln_tau);
            let b = this.fb.binary(BinaryOp::Add, a, ln_1m_tau);
            let c = this.fb.binary(BinaryOp::Sub, b, ln_sigma);
            let w = this.reciprocal(sigma);
            let two = this.fb.f64(2.0);
            let two_w = this.fb.binary(BinaryOp::Mul, two, w);
            let one_m_tau = this.fb.binary(BinaryOp::Sub, one, tau);
            let below_slope = this.fb.unary(UnaryOp::Neg, one_m_tau);
            let d = this.fb.binary(BinaryOp::Sub, y, mu);
            let below = this.fb.cmp(CmpOp::Lt, y, mu);
            let slope = this.fb.select(below, below_slope, tau);
            let e = this.fb.binary(BinaryOp::Mul, slope, d);
            let scaled = this.fb.binary(BinaryOp::Mul, two_w, e);
            Ok((ok, this.fb.binary(BinaryOp::Sub, c, scaled)))
        })
    }

    /// `k - ln σ` (a constant of the distribution and the scale's log: the
    /// part of σ alone).
    fn constant_minus(&mut self, k: f64, ln_sigma: Value) -> Value {
        let k = self.fb.f64(k);
        self.fb.binary(BinaryOp::Sub, k, ln_sigma)
    }
}

/// cauchy(y | μ, σ) = -ln π - ln σ - ln(1 + z²).
fn cauchy(l: &mut Lowerer<'_>, p: &Standardised, at: &TypedExpr) -> LowerResult<Value> {
    let c = l.constant_minus(-LN_PI, p.ln_sigma);
    let z2 = l.fb.binary(BinaryOp::Mul, p.z, p.z);
    let t = l.lib_call("hbm_log1p", &[z2], at)?;
    Ok(l.fb.binary(BinaryOp::Sub, c, t))
}

/// double_exponential(y | μ, σ) = -ln 2 - ln σ - |y - μ|/σ.
fn double_exponential(l: &mut Lowerer<'_>, p: &Standardised, _at: &TypedExpr) -> LowerResult<Value> {
    let c = l.constant_minus(-LN_2, p.ln_sigma);
    let (zero, one, minus_one) = (l.fb.f64(0.0), l.fb.f64(1.0), l.fb.f64(-1.0));
    let pos = l.fb.cmp(CmpOp::Gt, p.z, zero);
    let neg = l.fb.cmp(CmpOp::Lt, p.z, zero);
    let s = l.fb.select(neg, minus_one, zero);
    let sign = l.fb.select(pos, one, s);
    let abs_z = l.fb.binary(BinaryOp::Mul, p.z, sign);
    Ok(l.fb.binary(BinaryOp::Sub, c, abs_z))
}

/// logistic(y | μ, σ) = -z - ln σ - 2 ln(1 + e^{-z}).
fn logistic(l: &mut Lowerer<'_>, p: &Standardised, at: &TypedExpr) -> LowerResult<Value> {
    let minus_z = l.fb.unary(UnaryOp::Neg, p.z);
    let a = l.fb.binary(BinaryOp::Sub, minus_z, p.ln_sigma);
    let soft = l.lib_call("hbm_log1p_exp", &[minus_z], at)?;
    let two = l.fb.f64(2.0);
    let t = l.fb.binary(BinaryOp::Mul, two, soft);
    Ok(l.fb.binary(BinaryOp::Sub, a, t))
}

/// gumbel(y | μ, β) = -ln β - z - e^{-z}.
fn gumbel(l: &mut Lowerer<'_>, p: &Standardised, at: &TypedExpr) -> LowerResult<Value> {
    let c = l.fb.unary(UnaryOp::Neg, p.ln_sigma);
    let a = l.fb.binary(BinaryOp::Sub, c, p.z);
    let minus_z = l.fb.unary(UnaryOp::Neg, p.z);
    let e = l.lib_call("hbm_exp", &[minus_z], at)?;
    Ok(l.fb.binary(BinaryOp::Sub, a, e))
}
