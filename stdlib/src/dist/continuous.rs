//! Continuous univariate distributions: log density, partials (variate first,
//! then the parameters in Stan's order) and `_rng`. See [`crate::dist`] for
//! the conventions on invalid arguments.

use super::{c_lpdf, c_rng_real, finish, no_nan, pos_finite, reject, xdiv, xlog};
use crate::rng::{bad, RngError};
use crate::special::{self as sp, HALF_LN_2PI, LN_PI};
use rand::distr::Open01;
use rand::Rng;
use rand_distr::{Beta, Distribution, Exp1, Gamma, StandardNormal, StudentT, Weibull};
use std::f64::consts::LN_2;

/// A location must be finite, a scale positive and finite, a variate not NaN.
fn loc_scale_ok(y: f64, mu: f64, sigma: f64) -> bool {
    !y.is_nan() && mu.is_finite() && pos_finite(sigma)
}

// --- normal -----------------------------------------------------------------

/// normal(y | μ, σ) = -½((y-μ)/σ)² - ln σ - ½ ln 2π.
pub fn normal_lpdf(y: f64, mu: f64, sigma: f64) -> f64 {
    if !loc_scale_ok(y, mu, sigma) || y.is_infinite() {
        return f64::NEG_INFINITY;
    }
    let z = (y - mu) / sigma;
    no_nan(-0.5 * z * z - sigma.ln() - HALF_LN_2PI)
}

/// [`normal_lpdf`] and its partials (∂y, ∂μ, ∂σ).
pub fn normal_lpdf_grad(y: f64, mu: f64, sigma: f64) -> (f64, [f64; 3]) {
    if !loc_scale_ok(y, mu, sigma) || y.is_infinite() {
        return reject();
    }
    let z = (y - mu) / sigma;
    let dy = -z / sigma;
    finish(
        -0.5 * z * z - sigma.ln() - HALF_LN_2PI,
        [dy, -dy, (z * z - 1.0) / sigma],
    )
}

/// A draw from normal(μ, σ).
pub fn normal_rng<R: Rng + ?Sized>(rng: &mut R, mu: f64, sigma: f64) -> Result<f64, RngError> {
    if !mu.is_finite() || !pos_finite(sigma) {
        return Err(bad(
            "normal",
            "location must be finite and scale positive and finite",
        ));
    }
    let z: f64 = rng.sample(StandardNormal);
    Ok(mu + sigma * z)
}
c_lpdf!(hbm_normal_lpdf, hbm_normal_lpdf_grad, normal_lpdf, normal_lpdf_grad; y, mu, sigma);
c_rng_real!(hbm_normal_rng, normal_rng; mu, sigma);

// --- std_normal --------------------------------------------------------------

/// std_normal(y) = -½ y² - ½ ln 2π.
pub fn std_normal_lpdf(y: f64) -> f64 {
    if !y.is_finite() {
        return f64::NEG_INFINITY;
    }
    no_nan(-0.5 * y * y - HALF_LN_2PI)
}

/// [`std_normal_lpdf`] and its partial (∂y).
pub fn std_normal_lpdf_grad(y: f64) -> (f64, [f64; 1]) {
    if !y.is_finite() {
        return reject();
    }
    finish(-0.5 * y * y - HALF_LN_2PI, [-y])
}

/// A draw from std_normal().
pub fn std_normal_rng<R: Rng + ?Sized>(rng: &mut R) -> Result<f64, RngError> {
    Ok(rng.sample(StandardNormal))
}
c_lpdf!(hbm_std_normal_lpdf, hbm_std_normal_lpdf_grad, std_normal_lpdf, std_normal_lpdf_grad; y);
c_rng_real!(hbm_std_normal_rng, std_normal_rng;);

// --- student_t ---------------------------------------------------------------

/// lnΓ(a + ½) - lnΓ(a), without the inf - inf of the direct form at huge a
/// (Stirling parts cancelled analytically).
pub(crate) fn lgamma_half_diff(a: f64) -> f64 {
    if a < 10.0 {
        return sp::lgamma(a + 0.5) - sp::lgamma(a);
    }
    a * (0.5 / a).ln_1p() - 0.5 + 0.5 * a.ln() + sp::lgamma_stirling_diff(a + 0.5)
        - sp::lgamma_stirling_diff(a)
}

/// student_t(y | ν, μ, σ) = lnΓ((ν+1)/2) - lnΓ(ν/2) - ½ ln(νπ) - ln σ
/// - (ν+1)/2 ln(1 + z²/ν), z = (y-μ)/σ.
pub fn student_t_lpdf(y: f64, nu: f64, mu: f64, sigma: f64) -> f64 {
    if !loc_scale_ok(y, mu, sigma) || !pos_finite(nu) || y.is_infinite() {
        return f64::NEG_INFINITY;
    }
    let z = (y - mu) / sigma;
    no_nan(
        lgamma_half_diff(0.5 * nu)
            - 0.5 * (nu.ln() + LN_PI)
            - sigma.ln()
            - 0.5 * (nu + 1.0) * (z * z / nu).ln_1p(),
    )
}

/// [`student_t_lpdf`] and its partials (∂y, ∂ν, ∂μ, ∂σ).
pub fn student_t_lpdf_grad(y: f64, nu: f64, mu: f64, sigma: f64) -> (f64, [f64; 4]) {
    if !loc_scale_ok(y, mu, sigma) || !pos_finite(nu) || y.is_infinite() {
        return reject();
    }
    let z = (y - mu) / sigma;
    let z2 = z * z;
    let t = z2 / nu;
    let log1p_t = t.ln_1p();
    let v = lgamma_half_diff(0.5 * nu)
        - 0.5 * (nu.ln() + LN_PI)
        - sigma.ln()
        - 0.5 * (nu + 1.0) * log1p_t;
    let dy = -(nu + 1.0) * z / (sigma * (nu + z2));
    let dsigma = (-1.0 + (nu + 1.0) * z2 / (nu + z2)) / sigma;
    let dnu =
        0.5 * (sp::digamma(0.5 * (nu + 1.0)) - sp::digamma(0.5 * nu)) - 0.5 / nu - 0.5 * log1p_t
            + 0.5 * (nu + 1.0) * z2 / (nu * (nu + z2));
    finish(v, [dy, dnu, -dy, dsigma])
}

/// A draw from student_t(ν, μ, σ).
pub fn student_t_rng<R: Rng + ?Sized>(
    rng: &mut R,
    nu: f64,
    mu: f64,
    sigma: f64,
) -> Result<f64, RngError> {
    if !pos_finite(nu) || !mu.is_finite() || !pos_finite(sigma) {
        return Err(bad(
            "student_t",
            "ν and σ must be positive finite, μ finite",
        ));
    }
    let t = StudentT::new(nu).map_err(|_| bad("student_t", "invalid degrees of freedom"))?;
    Ok(mu + sigma * t.sample(rng))
}
c_lpdf!(hbm_student_t_lpdf, hbm_student_t_lpdf_grad, student_t_lpdf, student_t_lpdf_grad; y, nu, mu, sigma);
c_rng_real!(hbm_student_t_rng, student_t_rng; nu, mu, sigma);

// --- cauchy ------------------------------------------------------------------

/// cauchy(y | μ, σ) = -ln π - ln σ - ln(1 + z²).
pub fn cauchy_lpdf(y: f64, mu: f64, sigma: f64) -> f64 {
    if !loc_scale_ok(y, mu, sigma) || y.is_infinite() {
        return f64::NEG_INFINITY;
    }
    let z = (y - mu) / sigma;
    no_nan(-LN_PI - sigma.ln() - (z * z).ln_1p())
}

/// [`cauchy_lpdf`] and its partials (∂y, ∂μ, ∂σ).
pub fn cauchy_lpdf_grad(y: f64, mu: f64, sigma: f64) -> (f64, [f64; 3]) {
    if !loc_scale_ok(y, mu, sigma) || y.is_infinite() {
        return reject();
    }
    let z = (y - mu) / sigma;
    let z2 = z * z;
    let dy = -2.0 * z / (sigma * (1.0 + z2));
    let dsigma = (-1.0 + 2.0 * z2 / (1.0 + z2)) / sigma;
    finish(-LN_PI - sigma.ln() - z2.ln_1p(), [dy, -dy, dsigma])
}

/// A draw from cauchy(μ, σ) by inversion.
pub fn cauchy_rng<R: Rng + ?Sized>(rng: &mut R, mu: f64, sigma: f64) -> Result<f64, RngError> {
    if !mu.is_finite() || !pos_finite(sigma) {
        return Err(bad(
            "cauchy",
            "location must be finite and scale positive and finite",
        ));
    }
    let u: f64 = rng.sample(Open01);
    Ok(mu + sigma * (std::f64::consts::PI * (u - 0.5)).tan())
}
c_lpdf!(hbm_cauchy_lpdf, hbm_cauchy_lpdf_grad, cauchy_lpdf, cauchy_lpdf_grad; y, mu, sigma);
c_rng_real!(hbm_cauchy_rng, cauchy_rng; mu, sigma);

// --- double_exponential --------------------------------------------------------

/// double_exponential(y | μ, σ) = -ln 2 - ln σ - |y-μ|/σ (Laplace).
pub fn double_exponential_lpdf(y: f64, mu: f64, sigma: f64) -> f64 {
    if !loc_scale_ok(y, mu, sigma) || y.is_infinite() {
        return f64::NEG_INFINITY;
    }
    no_nan(-LN_2 - sigma.ln() - (y - mu).abs() / sigma)
}

/// [`double_exponential_lpdf`] and its partials (∂y, ∂μ, ∂σ); at y = μ the
/// kink gets derivative 0 in y and μ, as Stan's `sign(0) = 0`.
pub fn double_exponential_lpdf_grad(y: f64, mu: f64, sigma: f64) -> (f64, [f64; 3]) {
    if !loc_scale_ok(y, mu, sigma) || y.is_infinite() {
        return reject();
    }
    let d = y - mu;
    let s = if d > 0.0 {
        1.0
    } else if d < 0.0 {
        -1.0
    } else {
        0.0
    };
    let dy = -s / sigma;
    let dsigma = (-1.0 + d.abs() / sigma) / sigma;
    finish(-LN_2 - sigma.ln() - d.abs() / sigma, [dy, -dy, dsigma])
}

/// A draw from double_exponential(μ, σ): μ + σ (E1 - E2) with E standard exponential.
pub fn double_exponential_rng<R: Rng + ?Sized>(
    rng: &mut R,
    mu: f64,
    sigma: f64,
) -> Result<f64, RngError> {
    if !mu.is_finite() || !pos_finite(sigma) {
        return Err(bad(
            "double_exponential",
            "location must be finite and scale positive and finite",
        ));
    }
    let e1: f64 = rng.sample(Exp1);
    let e2: f64 = rng.sample(Exp1);
    Ok(mu + sigma * (e1 - e2))
}
c_lpdf!(hbm_double_exponential_lpdf, hbm_double_exponential_lpdf_grad, double_exponential_lpdf, double_exponential_lpdf_grad; y, mu, sigma);
c_rng_real!(hbm_double_exponential_rng, double_exponential_rng; mu, sigma);

// --- skew_double_exponential ---------------------------------------------------

/// The weighted distance of Stan's skew double exponential:
/// (1-τ)(μ-y) below μ, τ(y-μ) above.
fn sde_dist(y: f64, mu: f64, tau: f64) -> f64 {
    if y < mu {
        (1.0 - tau) * (mu - y)
    } else {
        tau * (y - mu)
    }
}

/// skew_double_exponential(y | μ, σ, τ) =
/// ln 2 + ln τ + ln(1-τ) - ln σ - (2/σ)[(1-τ)(μ-y) if y < μ else τ(y-μ)],
/// τ ∈ (0, 1): Stan's parameterisation (τ is the quantile at μ: P(Y < μ) = τ).
pub fn skew_double_exponential_lpdf(y: f64, mu: f64, sigma: f64, tau: f64) -> f64 {
    if !loc_scale_ok(y, mu, sigma) || y.is_infinite() || !(tau > 0.0 && tau < 1.0) {
        return f64::NEG_INFINITY;
    }
    no_nan(LN_2 + tau.ln() + sp::log1m(tau) - sigma.ln() - 2.0 * sde_dist(y, mu, tau) / sigma)
}

/// [`skew_double_exponential_lpdf`] and its partials (∂y, ∂μ, ∂σ, ∂τ).
pub fn skew_double_exponential_lpdf_grad(y: f64, mu: f64, sigma: f64, tau: f64) -> (f64, [f64; 4]) {
    if !loc_scale_ok(y, mu, sigma) || y.is_infinite() || !(tau > 0.0 && tau < 1.0) {
        return reject();
    }
    let e = sde_dist(y, mu, tau);
    let (dy, de_dtau) = if y < mu {
        (2.0 * (1.0 - tau) / sigma, -(mu - y))
    } else {
        (-2.0 * tau / sigma, y - mu)
    };
    let dsigma = (-1.0 + 2.0 * e / sigma) / sigma;
    let dtau = 1.0 / tau - 1.0 / (1.0 - tau) - 2.0 * de_dtau / sigma;
    let v = LN_2 + tau.ln() + sp::log1m(tau) - sigma.ln() - 2.0 * e / sigma;
    finish(v, [dy, -dy, dsigma, dtau])
}

/// A draw from skew_double_exponential(μ, σ, τ) by inverting its CDF
/// F(y) = τ e^{-2(1-τ)(μ-y)/σ} below μ and 1 - (1-τ) e^{-2τ(y-μ)/σ} above.
pub fn skew_double_exponential_rng<R: Rng + ?Sized>(
    rng: &mut R,
    mu: f64,
    sigma: f64,
    tau: f64,
) -> Result<f64, RngError> {
    if !(mu.is_finite() && pos_finite(sigma) && tau > 0.0 && tau < 1.0) {
        return Err(bad(
            "skew_double_exponential",
            "need finite μ, positive finite σ and τ in (0, 1)",
        ));
    }
    let u: f64 = rng.sample(Open01);
    Ok(if u < tau {
        mu + sigma / (2.0 * (1.0 - tau)) * (u / tau).ln()
    } else {
        mu - sigma / (2.0 * tau) * ((1.0 - u) / (1.0 - tau)).ln()
    })
}
c_lpdf!(hbm_skew_double_exponential_lpdf, hbm_skew_double_exponential_lpdf_grad, skew_double_exponential_lpdf, skew_double_exponential_lpdf_grad; y, mu, sigma, tau);
c_rng_real!(hbm_skew_double_exponential_rng, skew_double_exponential_rng; mu, sigma, tau);

/// ln P(Y <= y) (`upper` false) or ln P(Y > y) (`upper` true) of
/// skew_double_exponential(μ, σ, τ), with partials (∂y, ∂μ, ∂σ, ∂τ), from
/// F(y) = τ e^{-2(1-τ)(μ-y)/σ} below μ and 1 - (1-τ) e^{-2τ(y-μ)/σ} above:
/// on the exponential side of each tail the log is linear; on the other
/// it is log1m of an exponential.
fn sde_cumulative(y: f64, mu: f64, sigma: f64, tau: f64, upper: bool) -> (f64, [f64; 4]) {
    let valid = mu.is_finite() && pos_finite(sigma) && tau > 0.0 && tau < 1.0;
    if y.is_nan() || !valid {
        return reject();
    }
    if y.is_infinite() {
        // The whole mass lies below +∞ and none below -∞.
        let all = (y > 0.0) != upper;
        return (if all { 0.0 } else { f64::NEG_INFINITY }, [0.0; 4]);
    }
    let (s2, s) = (sigma * sigma, sigma);
    if y < mu {
        let m = mu - y;
        let rate = 2.0 * (1.0 - tau) / s;
        if !upper {
            let v = tau.ln() - rate * m;
            return finish(v, [rate, -rate, 2.0 * (1.0 - tau) * m / s2, 1.0 / tau + 2.0 * m / s]);
        }
        // ln(1 - p), p = τ e^{-rate m}
        let p = tau * (-rate * m).exp();
        let w = -1.0 / (1.0 - p);
        let dp = [p * rate, -p * rate, p * 2.0 * (1.0 - tau) * m / s2, (-rate * m).exp() + 2.0 * m * p / s];
        finish(sp::log1m(p), dp.map(|d| w * d))
    } else {
        let d = y - mu;
        let rate = 2.0 * tau / s;
        if upper {
            let v = sp::log1m(tau) - rate * d;
            return finish(v, [-rate, rate, 2.0 * tau * d / s2, -1.0 / (1.0 - tau) - 2.0 * d / s]);
        }
        // ln(1 - q), q = (1-τ) e^{-rate d}
        let e = (-rate * d).exp();
        let q = (1.0 - tau) * e;
        let w = -1.0 / (1.0 - q);
        let dq = [-rate * q, rate * q, 2.0 * tau * d * q / s2, -e - 2.0 * d * q / s];
        finish(sp::log1m(q), dq.map(|x| w * x))
    }
}

/// ln P(Y <= y) of skew_double_exponential(μ, σ, τ).
pub fn skew_double_exponential_lcdf(y: f64, mu: f64, sigma: f64, tau: f64) -> f64 {
    sde_cumulative(y, mu, sigma, tau, false).0
}
/// [`skew_double_exponential_lcdf`] and its partials (∂y, ∂μ, ∂σ, ∂τ).
pub fn skew_double_exponential_lcdf_grad(y: f64, mu: f64, sigma: f64, tau: f64) -> (f64, [f64; 4]) {
    sde_cumulative(y, mu, sigma, tau, false)
}
/// ln P(Y > y) of skew_double_exponential(μ, σ, τ).
pub fn skew_double_exponential_lccdf(y: f64, mu: f64, sigma: f64, tau: f64) -> f64 {
    sde_cumulative(y, mu, sigma, tau, true).0
}
/// [`skew_double_exponential_lccdf`] and its partials (∂y, ∂μ, ∂σ, ∂τ).
pub fn skew_double_exponential_lccdf_grad(y: f64, mu: f64, sigma: f64, tau: f64) -> (f64, [f64; 4]) {
    sde_cumulative(y, mu, sigma, tau, true)
}
c_lpdf!(hbm_skew_double_exponential_lcdf, hbm_skew_double_exponential_lcdf_grad, skew_double_exponential_lcdf, skew_double_exponential_lcdf_grad; y, mu, sigma, tau);
c_lpdf!(hbm_skew_double_exponential_lccdf, hbm_skew_double_exponential_lccdf_grad, skew_double_exponential_lccdf, skew_double_exponential_lccdf_grad; y, mu, sigma, tau);

// --- logistic ------------------------------------------------------------------

/// logistic(y | μ, σ) = -z - ln σ - 2 ln(1 + e^{-z}), z = (y-μ)/σ.
pub fn logistic_lpdf(y: f64, mu: f64, sigma: f64) -> f64 {
    if !loc_scale_ok(y, mu, sigma) || y.is_infinite() {
        return f64::NEG_INFINITY;
    }
    let z = (y - mu) / sigma;
    no_nan(-z - sigma.ln() - 2.0 * sp::log1p_exp(-z))
}

/// [`logistic_lpdf`] and its partials (∂y, ∂μ, ∂σ).
pub fn logistic_lpdf_grad(y: f64, mu: f64, sigma: f64) -> (f64, [f64; 3]) {
    if !loc_scale_ok(y, mu, sigma) || y.is_infinite() {
        return reject();
    }
    let z = (y - mu) / sigma;
    // d/dz = 1 - 2σ(z) = σ(-z) - σ(z), accurate in both tails.
    let dz = sp::inv_logit(-z) - sp::inv_logit(z);
    let dy = dz / sigma;
    let v = -z - sigma.ln() - 2.0 * sp::log1p_exp(-z);
    finish(v, [dy, -dy, (-1.0 - z * dz) / sigma])
}

/// A draw from logistic(μ, σ) by inversion.
pub fn logistic_rng<R: Rng + ?Sized>(rng: &mut R, mu: f64, sigma: f64) -> Result<f64, RngError> {
    if !mu.is_finite() || !pos_finite(sigma) {
        return Err(bad(
            "logistic",
            "location must be finite and scale positive and finite",
        ));
    }
    let u: f64 = rng.sample(Open01);
    Ok(mu + sigma * sp::logit(u))
}
c_lpdf!(hbm_logistic_lpdf, hbm_logistic_lpdf_grad, logistic_lpdf, logistic_lpdf_grad; y, mu, sigma);
c_rng_real!(hbm_logistic_rng, logistic_rng; mu, sigma);

// --- lognormal -------------------------------------------------------------------

/// lognormal(y | μ, σ) = -½ ln 2π - ln σ - ln y - ½((ln y - μ)/σ)², y > 0
/// (-inf at y = 0, as Stan).
pub fn lognormal_lpdf(y: f64, mu: f64, sigma: f64) -> f64 {
    if !loc_scale_ok(y, mu, sigma) || y <= 0.0 || y.is_infinite() {
        return f64::NEG_INFINITY;
    }
    let ly = y.ln();
    let z = (ly - mu) / sigma;
    no_nan(-HALF_LN_2PI - sigma.ln() - ly - 0.5 * z * z)
}

/// [`lognormal_lpdf`] and its partials (∂y, ∂μ, ∂σ).
pub fn lognormal_lpdf_grad(y: f64, mu: f64, sigma: f64) -> (f64, [f64; 3]) {
    if !loc_scale_ok(y, mu, sigma) || y <= 0.0 || y.is_infinite() {
        return reject();
    }
    let ly = y.ln();
    let z = (ly - mu) / sigma;
    let dmu = z / sigma;
    let v = -HALF_LN_2PI - sigma.ln() - ly - 0.5 * z * z;
    finish(v, [-(1.0 + dmu) / y, dmu, (z * z - 1.0) / sigma])
}

/// A draw from lognormal(μ, σ).
pub fn lognormal_rng<R: Rng + ?Sized>(rng: &mut R, mu: f64, sigma: f64) -> Result<f64, RngError> {
    if !mu.is_finite() || !pos_finite(sigma) {
        return Err(bad(
            "lognormal",
            "location must be finite and scale positive and finite",
        ));
    }
    let z: f64 = rng.sample(StandardNormal);
    Ok((mu + sigma * z).exp())
}
c_lpdf!(hbm_lognormal_lpdf, hbm_lognormal_lpdf_grad, lognormal_lpdf, lognormal_lpdf_grad; y, mu, sigma);
c_rng_real!(hbm_lognormal_rng, lognormal_rng; mu, sigma);

// --- exponential -----------------------------------------------------------------

/// exponential(y | β) = ln β - β y, y >= 0 (β is the rate).
pub fn exponential_lpdf(y: f64, beta: f64) -> f64 {
    if y.is_nan() || !pos_finite(beta) || y < 0.0 || y.is_infinite() {
        return f64::NEG_INFINITY;
    }
    no_nan(beta.ln() - beta * y)
}

/// [`exponential_lpdf`] and its partials (∂y, ∂β).
pub fn exponential_lpdf_grad(y: f64, beta: f64) -> (f64, [f64; 2]) {
    if y.is_nan() || !pos_finite(beta) || y < 0.0 || y.is_infinite() {
        return reject();
    }
    finish(beta.ln() - beta * y, [-beta, 1.0 / beta - y])
}

/// A draw from exponential(β).
pub fn exponential_rng<R: Rng + ?Sized>(rng: &mut R, beta: f64) -> Result<f64, RngError> {
    if !pos_finite(beta) {
        return Err(bad("exponential", "rate must be positive and finite"));
    }
    let e: f64 = rng.sample(Exp1);
    Ok(e / beta)
}
c_lpdf!(hbm_exponential_lpdf, hbm_exponential_lpdf_grad, exponential_lpdf, exponential_lpdf_grad; y, beta);
c_rng_real!(hbm_exponential_rng, exponential_rng; beta);

// --- gamma -----------------------------------------------------------------------

/// gamma(y | α, β) = α ln β - lnΓ(α) + (α-1) ln y - β y, y >= 0 (β is the rate).
pub fn gamma_lpdf(y: f64, alpha: f64, beta: f64) -> f64 {
    if y.is_nan() || !pos_finite(alpha) || !pos_finite(beta) || y < 0.0 || y.is_infinite() {
        return f64::NEG_INFINITY;
    }
    no_nan(alpha * beta.ln() - sp::lgamma(alpha) + xlog(alpha - 1.0, y) - beta * y)
}

/// [`gamma_lpdf`] and its partials (∂y, ∂α, ∂β).
pub fn gamma_lpdf_grad(y: f64, alpha: f64, beta: f64) -> (f64, [f64; 3]) {
    if y.is_nan() || !pos_finite(alpha) || !pos_finite(beta) || y < 0.0 || y.is_infinite() {
        return reject();
    }
    let lb = beta.ln();
    let v = alpha * lb - sp::lgamma(alpha) + xlog(alpha - 1.0, y) - beta * y;
    let dy = xdiv(alpha - 1.0, y) - beta;
    let dalpha = lb - sp::digamma(alpha) + y.ln();
    finish(v, [dy, dalpha, alpha / beta - y])
}

/// A draw from gamma(α, β) (shape α, rate β).
pub fn gamma_rng<R: Rng + ?Sized>(rng: &mut R, alpha: f64, beta: f64) -> Result<f64, RngError> {
    if !pos_finite(alpha) || !pos_finite(beta) {
        return Err(bad("gamma", "shape and rate must be positive and finite"));
    }
    let g = Gamma::new(alpha, 1.0 / beta).map_err(|_| bad("gamma", "invalid shape or rate"))?;
    Ok(g.sample(rng))
}
c_lpdf!(hbm_gamma_lpdf, hbm_gamma_lpdf_grad, gamma_lpdf, gamma_lpdf_grad; y, alpha, beta);
c_rng_real!(hbm_gamma_rng, gamma_rng; alpha, beta);

// --- inv_gamma -------------------------------------------------------------------

/// inv_gamma(y | α, β) = α ln β - lnΓ(α) - (α+1) ln y - β/y, y > 0.
pub fn inv_gamma_lpdf(y: f64, alpha: f64, beta: f64) -> f64 {
    if y.is_nan() || !pos_finite(alpha) || !pos_finite(beta) || y <= 0.0 || y.is_infinite() {
        return f64::NEG_INFINITY;
    }
    no_nan(alpha * beta.ln() - sp::lgamma(alpha) - (alpha + 1.0) * y.ln() - beta / y)
}

/// [`inv_gamma_lpdf`] and its partials (∂y, ∂α, ∂β).
pub fn inv_gamma_lpdf_grad(y: f64, alpha: f64, beta: f64) -> (f64, [f64; 3]) {
    if y.is_nan() || !pos_finite(alpha) || !pos_finite(beta) || y <= 0.0 || y.is_infinite() {
        return reject();
    }
    let lb = beta.ln();
    let ly = y.ln();
    let v = alpha * lb - sp::lgamma(alpha) - (alpha + 1.0) * ly - beta / y;
    let dy = (-(alpha + 1.0) + beta / y) / y;
    finish(
        v,
        [dy, lb - sp::digamma(alpha) - ly, alpha / beta - 1.0 / y],
    )
}

/// A draw from inv_gamma(α, β): the reciprocal of a gamma(α, β) draw.
pub fn inv_gamma_rng<R: Rng + ?Sized>(rng: &mut R, alpha: f64, beta: f64) -> Result<f64, RngError> {
    if !pos_finite(alpha) || !pos_finite(beta) {
        return Err(bad(
            "inv_gamma",
            "shape and scale must be positive and finite",
        ));
    }
    let g =
        Gamma::new(alpha, 1.0 / beta).map_err(|_| bad("inv_gamma", "invalid shape or scale"))?;
    Ok(1.0 / g.sample(rng))
}
c_lpdf!(hbm_inv_gamma_lpdf, hbm_inv_gamma_lpdf_grad, inv_gamma_lpdf, inv_gamma_lpdf_grad; y, alpha, beta);
c_rng_real!(hbm_inv_gamma_rng, inv_gamma_rng; alpha, beta);

// --- weibull ---------------------------------------------------------------------

/// weibull(y | α, σ) = ln α - ln σ + (α-1)(ln y - ln σ) - (y/σ)^α, y >= 0
/// (shape α, scale σ).
pub fn weibull_lpdf(y: f64, alpha: f64, sigma: f64) -> f64 {
    if y.is_nan() || !pos_finite(alpha) || !pos_finite(sigma) || y < 0.0 || y.is_infinite() {
        return f64::NEG_INFINITY;
    }
    let r = y / sigma;
    no_nan(alpha.ln() - sigma.ln() + xlog(alpha - 1.0, r) - r.powf(alpha))
}

/// [`weibull_lpdf`] and its partials (∂y, ∂α, ∂σ).
pub fn weibull_lpdf_grad(y: f64, alpha: f64, sigma: f64) -> (f64, [f64; 3]) {
    if y.is_nan() || !pos_finite(alpha) || !pos_finite(sigma) || y < 0.0 || y.is_infinite() {
        return reject();
    }
    let r = y / sigma;
    let ra = r.powf(alpha);
    let lr = r.ln();
    let v = alpha.ln() - sigma.ln() + xlog(alpha - 1.0, r) - ra;
    let dy = xdiv(alpha - 1.0, y) - alpha * ra / y.max(f64::MIN_POSITIVE);
    let dalpha = 1.0 / alpha + lr - if ra == 0.0 { 0.0 } else { ra * lr };
    let dsigma = alpha * (ra - 1.0) / sigma;
    finish(v, [dy, dalpha, dsigma])
}

/// A draw from weibull(α, σ).
pub fn weibull_rng<R: Rng + ?Sized>(rng: &mut R, alpha: f64, sigma: f64) -> Result<f64, RngError> {
    if !pos_finite(alpha) || !pos_finite(sigma) {
        return Err(bad(
            "weibull",
            "shape and scale must be positive and finite",
        ));
    }
    let w = Weibull::new(sigma, alpha).map_err(|_| bad("weibull", "invalid shape or scale"))?;
    Ok(w.sample(rng))
}
c_lpdf!(hbm_weibull_lpdf, hbm_weibull_lpdf_grad, weibull_lpdf, weibull_lpdf_grad; y, alpha, sigma);
c_rng_real!(hbm_weibull_rng, weibull_rng; alpha, sigma);

// --- beta ------------------------------------------------------------------------

/// beta(y | a, b) = (a-1) ln y + (b-1) ln(1-y) - ln B(a, b), y ∈ [0, 1].
pub fn beta_lpdf(y: f64, a: f64, b: f64) -> f64 {
    if y.is_nan() || !pos_finite(a) || !pos_finite(b) || !(0.0..=1.0).contains(&y) {
        return f64::NEG_INFINITY;
    }
    no_nan(xlog(a - 1.0, y) + xlog(b - 1.0, 1.0 - y) - sp::lbeta(a, b))
}

/// [`beta_lpdf`] and its partials (∂y, ∂a, ∂b).
pub fn beta_lpdf_grad(y: f64, a: f64, b: f64) -> (f64, [f64; 3]) {
    if y.is_nan() || !pos_finite(a) || !pos_finite(b) || !(0.0..=1.0).contains(&y) {
        return reject();
    }
    let l1my = sp::log1m(y);
    let v = xlog(a - 1.0, y) + if b == 1.0 { 0.0 } else { (b - 1.0) * l1my } - sp::lbeta(a, b);
    let dy = xdiv(a - 1.0, y) - xdiv(b - 1.0, 1.0 - y);
    let dab = sp::digamma(a + b);
    finish(
        v,
        [
            dy,
            y.ln() - sp::digamma(a) + dab,
            l1my - sp::digamma(b) + dab,
        ],
    )
}

/// A draw from beta(a, b).
pub fn beta_rng<R: Rng + ?Sized>(rng: &mut R, a: f64, b: f64) -> Result<f64, RngError> {
    if !pos_finite(a) || !pos_finite(b) {
        return Err(bad("beta", "shapes must be positive and finite"));
    }
    let d = Beta::new(a, b).map_err(|_| bad("beta", "invalid shapes"))?;
    Ok(d.sample(rng))
}
c_lpdf!(hbm_beta_lpdf, hbm_beta_lpdf_grad, beta_lpdf, beta_lpdf_grad; y, a, b);
c_rng_real!(hbm_beta_rng, beta_rng; a, b);

// --- uniform ---------------------------------------------------------------------

/// uniform(y | a, b) = -ln(b - a) for a <= y <= b, -inf outside; a < b finite.
pub fn uniform_lpdf(y: f64, a: f64, b: f64) -> f64 {
    if y.is_nan() || !a.is_finite() || !b.is_finite() || a >= b || y < a || y > b {
        return f64::NEG_INFINITY;
    }
    no_nan(-(b - a).ln())
}

/// [`uniform_lpdf`] and its partials (∂y, ∂a, ∂b).
pub fn uniform_lpdf_grad(y: f64, a: f64, b: f64) -> (f64, [f64; 3]) {
    if y.is_nan() || !a.is_finite() || !b.is_finite() || a >= b || y < a || y > b {
        return reject();
    }
    let w = b - a;
    finish(-w.ln(), [0.0, 1.0 / w, -1.0 / w])
}

/// A draw from uniform(a, b).
pub fn uniform_rng<R: Rng + ?Sized>(rng: &mut R, a: f64, b: f64) -> Result<f64, RngError> {
    if !a.is_finite() || !b.is_finite() || a >= b {
        return Err(bad("uniform", "bounds must be finite with lower < upper"));
    }
    let u: f64 = rng.random();
    Ok(a + (b - a) * u)
}
c_lpdf!(hbm_uniform_lpdf, hbm_uniform_lpdf_grad, uniform_lpdf, uniform_lpdf_grad; y, a, b);
c_rng_real!(hbm_uniform_rng, uniform_rng; a, b);

// --- gumbel ----------------------------------------------------------------------

/// gumbel(y | μ, β) = -ln β - z - e^{-z}, z = (y - μ)/β (location μ, scale β).
pub fn gumbel_lpdf(y: f64, mu: f64, beta: f64) -> f64 {
    gumbel_lpdf_grad(y, mu, beta).0
}

/// [`gumbel_lpdf`] and its partials (∂y, ∂μ, ∂β).
pub fn gumbel_lpdf_grad(y: f64, mu: f64, beta: f64) -> (f64, [f64; 3]) {
    if !y.is_finite() || !mu.is_finite() || !pos_finite(beta) {
        return reject();
    }
    let z = (y - mu) / beta;
    let e = (-z).exp();
    // d/dz of (-z - e^{-z}) is e^{-z} - 1.
    let dz = e - 1.0;
    finish(-beta.ln() - z - e, [dz / beta, -dz / beta, -(1.0 + z * dz) / beta])
}

/// A draw from gumbel(μ, β): μ - β ln(-ln U).
pub fn gumbel_rng<R: Rng + ?Sized>(rng: &mut R, mu: f64, beta: f64) -> Result<f64, RngError> {
    if !mu.is_finite() || !pos_finite(beta) {
        return Err(bad("gumbel", "location must be finite and scale positive and finite"));
    }
    let u: f64 = rng.sample(Open01);
    Ok(mu - beta * (-u.ln()).ln())
}
c_lpdf!(hbm_gumbel_lpdf, hbm_gumbel_lpdf_grad, gumbel_lpdf, gumbel_lpdf_grad; y, mu, beta);
c_rng_real!(hbm_gumbel_rng, gumbel_rng; mu, beta);

// --- rayleigh --------------------------------------------------------------------

/// rayleigh(y | σ) = ln y - 2 ln σ - y²/(2σ²), y >= 0 (scale σ).
pub fn rayleigh_lpdf(y: f64, sigma: f64) -> f64 {
    rayleigh_lpdf_grad(y, sigma).0
}

/// [`rayleigh_lpdf`] and its partials (∂y, ∂σ).
pub fn rayleigh_lpdf_grad(y: f64, sigma: f64) -> (f64, [f64; 2]) {
    if !y.is_finite() || y < 0.0 || !pos_finite(sigma) {
        return reject();
    }
    let s2 = sigma * sigma;
    finish(y.ln() - 2.0 * sigma.ln() - 0.5 * y * y / s2, [1.0 / y - y / s2, -2.0 / sigma + y * y / (s2 * sigma)])
}

/// A draw from rayleigh(σ): σ √(-2 ln U).
pub fn rayleigh_rng<R: Rng + ?Sized>(rng: &mut R, sigma: f64) -> Result<f64, RngError> {
    if !pos_finite(sigma) {
        return Err(bad("rayleigh", "scale must be positive and finite"));
    }
    let u: f64 = rng.sample(Open01);
    Ok(sigma * (-2.0 * u.ln()).sqrt())
}
c_lpdf!(hbm_rayleigh_lpdf, hbm_rayleigh_lpdf_grad, rayleigh_lpdf, rayleigh_lpdf_grad; y, sigma);
c_rng_real!(hbm_rayleigh_rng, rayleigh_rng; sigma);
