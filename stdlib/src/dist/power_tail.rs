//! Families with power-law tails whose cdfs are closed forms: `pareto`,
//! `pareto_type_2`, `frechet` and `loglogistic` (log density, log cdf and
//! log ccdf with partials, `_rng`). See [`crate::dist`] for the conventions
//! on invalid arguments; a variate below the support has lcdf `-inf` and
//! lccdf 0.

use super::cdf::one_minus_exp;
use super::{c_lpdf, c_rng_real, finish, pos_finite, reject};
use crate::rng::{bad, RngError};
use crate::special as sp;
use rand::distr::Open01;
use rand::Rng;

/// The result of a cdf below the support (`below`) or above it.
fn edge<const N: usize>(upper: bool, below: bool) -> (f64, [f64; N]) {
    let v = if upper == below { 0.0 } else { f64::NEG_INFINITY };
    (v, [0.0; N])
}

// --- pareto ------------------------------------------------------------------------

/// pareto(y | y_min, α) = ln α + α ln y_min - (α+1) ln y for y >= y_min.
pub fn pareto_lpdf(y: f64, y_min: f64, alpha: f64) -> f64 {
    pareto_lpdf_grad(y, y_min, alpha).0
}

/// [`pareto_lpdf`] and its partials (∂y, ∂y_min, ∂α).
pub fn pareto_lpdf_grad(y: f64, y_min: f64, alpha: f64) -> (f64, [f64; 3]) {
    if y.is_nan() || !pos_finite(y_min) || !pos_finite(alpha) || y < y_min || y.is_infinite() {
        return reject();
    }
    let (ly, lm) = (y.ln(), y_min.ln());
    finish(alpha.ln() + alpha * lm - (alpha + 1.0) * ly, [-(alpha + 1.0) / y, alpha / y_min, 1.0 / alpha + lm - ly])
}

/// P(Y > y) = (y_min/y)^α: t = α ln(y/y_min), lccdf = -t, lcdf = ln(1 - e^-t).
fn pareto_cdf(y: f64, y_min: f64, alpha: f64, upper: bool) -> (f64, [f64; 3]) {
    if y.is_nan() || !pos_finite(y_min) || !pos_finite(alpha) {
        return reject();
    }
    if y <= y_min {
        return edge(upper, true);
    }
    if y.is_infinite() {
        return edge(upper, false);
    }
    let l = (y / y_min).ln();
    let (v, d) = one_minus_exp(alpha * l, upper);
    finish(v, [d * alpha / y, -d * alpha / y_min, d * l])
}

/// A draw from pareto(y_min, α): y_min U^{-1/α}.
pub fn pareto_rng<R: Rng + ?Sized>(rng: &mut R, y_min: f64, alpha: f64) -> Result<f64, RngError> {
    if !pos_finite(y_min) || !pos_finite(alpha) {
        return Err(bad("pareto", "scale and shape must be positive and finite"));
    }
    let u: f64 = rng.sample(Open01);
    Ok(y_min * (-u.ln() / alpha).exp())
}

// --- pareto_type_2 ---------------------------------------------------------------------

/// pareto_type_2(y | μ, λ, α) = ln α - ln λ - (α+1) ln(1 + (y-μ)/λ), y >= μ.
pub fn pareto_type_2_lpdf(y: f64, mu: f64, lambda: f64, alpha: f64) -> f64 {
    pareto_type_2_lpdf_grad(y, mu, lambda, alpha).0
}

/// [`pareto_type_2_lpdf`] and its partials (∂y, ∂μ, ∂λ, ∂α).
pub fn pareto_type_2_lpdf_grad(y: f64, mu: f64, lambda: f64, alpha: f64) -> (f64, [f64; 4]) {
    if y.is_nan() || !mu.is_finite() || !pos_finite(lambda) || !pos_finite(alpha) || y < mu || y.is_infinite() {
        return reject();
    }
    let x = (y - mu) / lambda;
    let s = 1.0 + x;
    let dy = -(alpha + 1.0) / (lambda * s);
    finish(
        alpha.ln() - lambda.ln() - (alpha + 1.0) * x.ln_1p(),
        [dy, -dy, (-1.0 + (alpha + 1.0) * x / s) / lambda, 1.0 / alpha - x.ln_1p()],
    )
}

/// P(Y > y) = (1 + (y-μ)/λ)^{-α}: t = α ln(1 + (y-μ)/λ).
fn pareto_type_2_cdf(y: f64, mu: f64, lambda: f64, alpha: f64, upper: bool) -> (f64, [f64; 4]) {
    if y.is_nan() || !mu.is_finite() || !pos_finite(lambda) || !pos_finite(alpha) {
        return reject();
    }
    if y <= mu {
        return edge(upper, true);
    }
    if y.is_infinite() {
        return edge(upper, false);
    }
    let x = (y - mu) / lambda;
    let s = 1.0 + x;
    let (v, d) = one_minus_exp(alpha * x.ln_1p(), upper);
    let dy = d * alpha / (lambda * s);
    finish(v, [dy, -dy, -dy * x, d * x.ln_1p()])
}

/// A draw from pareto_type_2(μ, λ, α): μ + λ (U^{-1/α} - 1).
pub fn pareto_type_2_rng<R: Rng + ?Sized>(rng: &mut R, mu: f64, lambda: f64, alpha: f64) -> Result<f64, RngError> {
    if !mu.is_finite() || !pos_finite(lambda) || !pos_finite(alpha) {
        return Err(bad("pareto_type_2", "location must be finite, scale and shape positive and finite"));
    }
    let u: f64 = rng.sample(Open01);
    Ok(mu + lambda * (-u.ln() / alpha).exp_m1())
}

// --- frechet -------------------------------------------------------------------------

/// frechet(y | α, σ) = ln α + α ln σ - (α+1) ln y - (y/σ)^{-α}, y > 0
/// (shape α, scale σ).
pub fn frechet_lpdf(y: f64, alpha: f64, sigma: f64) -> f64 {
    frechet_lpdf_grad(y, alpha, sigma).0
}

/// [`frechet_lpdf`] and its partials (∂y, ∂α, ∂σ).
pub fn frechet_lpdf_grad(y: f64, alpha: f64, sigma: f64) -> (f64, [f64; 3]) {
    if y.is_nan() || !pos_finite(alpha) || !pos_finite(sigma) || y <= 0.0 || y.is_infinite() {
        return reject();
    }
    let l = (y / sigma).ln();
    let t = (-alpha * l).exp();
    finish(
        alpha.ln() + alpha * sigma.ln() - (alpha + 1.0) * y.ln() - t,
        [(-(alpha + 1.0) + alpha * t) / y, 1.0 / alpha - l + t * l, alpha * (1.0 - t) / sigma],
    )
}

/// P(Y <= y) = e^{-t}, t = (y/σ)^{-α}: lcdf = -t, lccdf = ln(1 - e^{-t}).
fn frechet_cdf(y: f64, alpha: f64, sigma: f64, upper: bool) -> (f64, [f64; 3]) {
    if y.is_nan() || !pos_finite(alpha) || !pos_finite(sigma) {
        return reject();
    }
    if y <= 0.0 {
        return edge(upper, true);
    }
    if y.is_infinite() {
        return edge(upper, false);
    }
    let l = (y / sigma).ln();
    let t = (-alpha * l).exp();
    // one_minus_exp's lower form is the frechet's upper tail, and the reverse.
    let (v, d) = one_minus_exp(t, !upper);
    finish(v, [-d * alpha * t / y, -d * t * l, d * alpha * t / sigma])
}

/// A draw from frechet(α, σ): σ (-ln U)^{-1/α}.
pub fn frechet_rng<R: Rng + ?Sized>(rng: &mut R, alpha: f64, sigma: f64) -> Result<f64, RngError> {
    if !pos_finite(alpha) || !pos_finite(sigma) {
        return Err(bad("frechet", "shape and scale must be positive and finite"));
    }
    let u: f64 = rng.sample(Open01);
    Ok(sigma * (-(-u.ln()).ln() / alpha).exp())
}

// --- loglogistic ---------------------------------------------------------------------

/// loglogistic(y | α, β) = ln β - ln α + (β-1) ln(y/α) - 2 ln(1 + (y/α)^β),
/// y > 0 (scale α, shape β), as Stan's.
pub fn loglogistic_lpdf(y: f64, alpha: f64, beta: f64) -> f64 {
    loglogistic_lpdf_grad(y, alpha, beta).0
}

/// [`loglogistic_lpdf`] and its partials (∂y, ∂α, ∂β).
pub fn loglogistic_lpdf_grad(y: f64, alpha: f64, beta: f64) -> (f64, [f64; 3]) {
    if y.is_nan() || !pos_finite(alpha) || !pos_finite(beta) || y <= 0.0 || y.is_infinite() {
        return reject();
    }
    let l = (y / alpha).ln();
    // p = t/(1+t) with t = (y/α)^β, from the log odds β l.
    let p = sp::inv_logit(beta * l);
    finish(
        beta.ln() - alpha.ln() + (beta - 1.0) * l - 2.0 * sp::log1p_exp(beta * l),
        [(beta - 1.0 - 2.0 * beta * p) / y, (-beta + 2.0 * beta * p) / alpha, 1.0 / beta + l - 2.0 * l * p],
    )
}

/// P(Y <= y) = inv_logit(β ln(y/α)).
fn loglogistic_cdf(y: f64, alpha: f64, beta: f64, upper: bool) -> (f64, [f64; 3]) {
    if y.is_nan() || !pos_finite(alpha) || !pos_finite(beta) {
        return reject();
    }
    if y <= 0.0 {
        return edge(upper, true);
    }
    if y.is_infinite() {
        return edge(upper, false);
    }
    let l = (y / alpha).ln();
    let x = beta * l;
    let (v, d) = if upper { (sp::log1m_inv_logit(x), -sp::inv_logit(x)) } else { (sp::log_inv_logit(x), sp::inv_logit(-x)) };
    finish(v, [d * beta / y, -d * beta / alpha, d * l])
}

/// A draw from loglogistic(α, β): α (U/(1-U))^{1/β}.
pub fn loglogistic_rng<R: Rng + ?Sized>(rng: &mut R, alpha: f64, beta: f64) -> Result<f64, RngError> {
    if !pos_finite(alpha) || !pos_finite(beta) {
        return Err(bad("loglogistic", "scale and shape must be positive and finite"));
    }
    let u: f64 = rng.sample(Open01);
    Ok(alpha * (sp::logit(u) / beta).exp())
}

/// The `_lcdf`/`_lccdf` pair of a family from its shared cdf routine.
macro_rules! cdf_pair {
    ($cdf:ident; $lcdf:ident / $lcdf_grad:ident / $c:ident / $cg:ident, $lccdf:ident / $lccdf_grad:ident / $cc:ident / $ccg:ident; $n:literal; $($a:ident),+) => {
        #[doc = concat!("ln P(Y <= y) (see `", stringify!($cdf), "`).")]
        pub fn $lcdf($($a: f64),+) -> f64 {
            $cdf($($a,)+ false).0
        }
        #[doc = concat!("[`", stringify!($lcdf), "`] and its partials, variate first.")]
        pub fn $lcdf_grad($($a: f64),+) -> (f64, [f64; $n]) {
            $cdf($($a,)+ false)
        }
        #[doc = concat!("ln P(Y > y) (see `", stringify!($cdf), "`).")]
        pub fn $lccdf($($a: f64),+) -> f64 {
            $cdf($($a,)+ true).0
        }
        #[doc = concat!("[`", stringify!($lccdf), "`] and its partials, variate first.")]
        pub fn $lccdf_grad($($a: f64),+) -> (f64, [f64; $n]) {
            $cdf($($a,)+ true)
        }
        c_lpdf!($c, $cg, $lcdf, $lcdf_grad; $($a),+);
        c_lpdf!($cc, $ccg, $lccdf, $lccdf_grad; $($a),+);
    };
}


cdf_pair!(pareto_cdf; pareto_lcdf / pareto_lcdf_grad / hbm_pareto_lcdf / hbm_pareto_lcdf_grad,
    pareto_lccdf / pareto_lccdf_grad / hbm_pareto_lccdf / hbm_pareto_lccdf_grad; 3; y, y_min, alpha);
cdf_pair!(pareto_type_2_cdf; pareto_type_2_lcdf / pareto_type_2_lcdf_grad / hbm_pareto_type_2_lcdf / hbm_pareto_type_2_lcdf_grad,
    pareto_type_2_lccdf / pareto_type_2_lccdf_grad / hbm_pareto_type_2_lccdf / hbm_pareto_type_2_lccdf_grad; 4; y, mu, lambda, alpha);
cdf_pair!(frechet_cdf; frechet_lcdf / frechet_lcdf_grad / hbm_frechet_lcdf / hbm_frechet_lcdf_grad,
    frechet_lccdf / frechet_lccdf_grad / hbm_frechet_lccdf / hbm_frechet_lccdf_grad; 3; y, alpha, sigma);
cdf_pair!(loglogistic_cdf; loglogistic_lcdf / loglogistic_lcdf_grad / hbm_loglogistic_lcdf / hbm_loglogistic_lcdf_grad,
    loglogistic_lccdf / loglogistic_lccdf_grad / hbm_loglogistic_lccdf / hbm_loglogistic_lccdf_grad; 3; y, alpha, beta);

c_lpdf!(hbm_pareto_lpdf, hbm_pareto_lpdf_grad, pareto_lpdf, pareto_lpdf_grad; y, y_min, alpha);
c_lpdf!(hbm_pareto_type_2_lpdf, hbm_pareto_type_2_lpdf_grad, pareto_type_2_lpdf, pareto_type_2_lpdf_grad; y, mu, lambda, alpha);
c_lpdf!(hbm_frechet_lpdf, hbm_frechet_lpdf_grad, frechet_lpdf, frechet_lpdf_grad; y, alpha, sigma);
c_lpdf!(hbm_loglogistic_lpdf, hbm_loglogistic_lpdf_grad, loglogistic_lpdf, loglogistic_lpdf_grad; y, alpha, beta);
c_rng_real!(hbm_pareto_rng, pareto_rng; y_min, alpha);
c_rng_real!(hbm_pareto_type_2_rng, pareto_type_2_rng; mu, lambda, alpha);
c_rng_real!(hbm_frechet_rng, frechet_rng; alpha, sigma);
c_rng_real!(hbm_loglogistic_rng, loglogistic_rng; alpha, beta);
