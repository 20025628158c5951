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
struct Standardised<'a> {
    /// The library's checks of y, μ and σ.
    ok: Value,
    /// ln σ.
    ln_sigma: Value,
    /// y and μ.
    y: Value,
    mu: Value,
    /// y - μ.
    diff: Value,
    /// 1/σ.
    inv_sigma: Value,
    /// z = (y - μ)/σ, as (y - μ)·(1/σ).
    z: Value,
    /// The parameters after σ (skew_double_exponential's τ).
    rest: &'a [Value],
}

/// One density of this module: its checks (`ok` and its own) and value.
type Density = fn(&mut Lowerer<'_>, &Standardised<'_>, &TypedExpr) -> LowerResult<(Value, Value)>;

impl Lowerer<'_> {
    /// The terms of `variate ~ name(params)` for the densities of this
    /// module; `false` (nothing emitted) for any other name.
    pub(super) fn try_location_scale_terms(&mut self, name: &str, variate: &TypedExpr, params: &[TypedExpr], sink: Sink, at: &TypedExpr) -> LowerResult<bool> {
        let density: Density = match name {
            "cauchy" => cauchy,
            "double_exponential" => double_exponential,
            "skew_double_exponential" => skew_double_exponential,
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
            let inv_sigma = this.reciprocal(sigma);
            let diff = this.fb.binary(BinaryOp::Sub, y, mu);
            let z = this.fb.binary(BinaryOp::Mul, diff, inv_sigma);
            let parts = Standardised { ok, ln_sigma, y, mu, diff, inv_sigma, z, rest: &theta[2..] };
            density(this, &parts, at)
        })?;
        Ok(true)
    }

    /// `k - ln σ` (a constant of the distribution and the scale's log: the
    /// part of σ alone).
    fn constant_minus(&mut self, k: f64, ln_sigma: Value) -> Value {
        let k = self.fb.f64(k);
        self.fb.binary(BinaryOp::Sub, k, ln_sigma)
    }
}

/// cauchy(y | μ, σ) = -ln π - ln σ - ln(1 + z²).
fn cauchy(l: &mut Lowerer<'_>, p: &Standardised<'_>, at: &TypedExpr) -> LowerResult<(Value, Value)> {
    let c = l.constant_minus(-LN_PI, p.ln_sigma);
    let z2 = l.fb.binary(BinaryOp::Mul, p.z, p.z);
    let t = l.lib_call("hbm_log1p", &[z2], at)?;
    Ok((p.ok, l.fb.binary(BinaryOp::Sub, c, t)))
}

/// double_exponential(y | μ, σ) = -ln 2 - ln σ - |y - μ|/σ.
fn double_exponential(l: &mut Lowerer<'_>, p: &Standardised<'_>, _at: &TypedExpr) -> LowerResult<(Value, Value)> {
    let c = l.constant_minus(-LN_2, p.ln_sigma);
    let (zero, one, minus_one) = (l.fb.f64(0.0), l.fb.f64(1.0), l.fb.f64(-1.0));
    let pos = l.fb.cmp(CmpOp::Gt, p.z, zero);
    let neg = l.fb.cmp(CmpOp::Lt, p.z, zero);
    let s = l.fb.select(neg, minus_one, zero);
    let sign = l.fb.select(pos, one, s);
    let abs_z = l.fb.binary(BinaryOp::Mul, p.z, sign);
    Ok((p.ok, l.fb.binary(BinaryOp::Sub, c, abs_z)))
}

/// logistic(y | μ, σ) = -z - ln σ - 2 ln(1 + e^{-z}).
fn logistic(l: &mut Lowerer<'_>, p: &Standardised<'_>, at: &TypedExpr) -> LowerResult<(Value, Value)> {
    let minus_z = l.fb.unary(UnaryOp::Neg, p.z);
    let a = l.fb.binary(BinaryOp::Sub, minus_z, p.ln_sigma);
    let soft = l.lib_call("hbm_log1p_exp", &[minus_z], at)?;
    let two = l.fb.f64(2.0);
    let t = l.fb.binary(BinaryOp::Mul, two, soft);
    Ok((p.ok, l.fb.binary(BinaryOp::Sub, a, t)))
}

/// gumbel(y | μ, β) = -ln β - z - e^{-z}.
fn gumbel(l: &mut Lowerer<'_>, p: &Standardised<'_>, at: &TypedExpr) -> LowerResult<(Value, Value)> {
    let c = l.fb.unary(UnaryOp::Neg, p.ln_sigma);
    let a = l.fb.binary(BinaryOp::Sub, c, p.z);
    let minus_z = l.fb.unary(UnaryOp::Neg, p.z);
    let e = l.lib_call("hbm_exp", &[minus_z], at)?;
    Ok((p.ok, l.fb.binary(BinaryOp::Sub, a, e)))
}

/// skew_double_exponential(y | μ, σ, τ) = ln 2 + ln τ + ln(1 - τ) - ln σ
/// - (2/σ) e, with e = (1 - τ)(μ - y) below μ and τ(y - μ) from μ up (the
/// library's branch at y = μ, so the same partials there). The parts of τ
/// and σ alone come first, so that a scalar τ and σ (a quantile
/// regression) cost one compare, select and a few products per
/// observation. Also -∞ for τ outside (0, 1).
fn skew_double_exponential(l: &mut Lowerer<'_>, p: &Standardised<'_>, at: &TypedExpr) -> LowerResult<(Value, Value)> {
    let tau = p.rest[0];
    let (zero, one) = (l.fb.f64(0.0), l.fb.f64(1.0));
    let tau_above = l.fb.cmp(CmpOp::Gt, tau, zero);
    let tau_below = l.fb.cmp(CmpOp::Lt, tau, one);
    let ok = all(&mut l.fb, &[p.ok, tau_above, tau_below]);
    let ln_tau = l.log_of(tau, at)?;
    let ln_1m_tau = l.lib_call("hbm_log1m", &[tau], at)?;
    let ln2 = l.fb.f64(LN_2);
    let a = l.fb.binary(BinaryOp::Add, ln2, ln_tau);
    let b = l.fb.binary(BinaryOp::Add, a, ln_1m_tau);
    let c = l.fb.binary(BinaryOp::Sub, b, p.ln_sigma);
    let two = l.fb.f64(2.0);
    let two_w = l.fb.binary(BinaryOp::Mul, two, p.inv_sigma);
    let one_m_tau = l.fb.binary(BinaryOp::Sub, one, tau);
    let below_slope = l.fb.unary(UnaryOp::Neg, one_m_tau);
    let below = l.fb.cmp(CmpOp::Lt, p.y, p.mu);
    let slope = l.fb.select(below, below_slope, tau);
    let e = l.fb.binary(BinaryOp::Mul, slope, p.diff);
    let scaled = l.fb.binary(BinaryOp::Mul, two_w, e);
    Ok((ok, l.fb.binary(BinaryOp::Sub, c, scaled)))
}
