//! Skewed location-scale families built on the normal: `skew_normal` and
//! `exp_mod_normal` (log density, log cdf and log ccdf with partials, `_rng`).
//! See [`crate::dist`] for the conventions on invalid arguments.

use super::{c_lpdf, c_rng_real, finish, pos_finite, reject};
use crate::rng::{bad, RngError};
use crate::special::{self as sp, HALF_LN_2PI};
use rand::Rng;
use rand_distr::{Distribution, Exp1, StandardNormal};
use std::f64::consts::{LN_2, PI};

/// A location must be finite, a scale positive and finite, a variate not NaN.
fn loc_scale_ok(y: f64, mu: f64, sigma: f64) -> bool {
    !y.is_nan() && mu.is_finite() && pos_finite(sigma)
}

// --- skew_normal -------------------------------------------------------------------

/// skew_normal(y | ξ, ω, α) = ln 2 - ½ ln 2π - ln ω - z²/2 + ln Φ(α z),
/// z = (y - ξ)/ω (Stan's location ξ, scale ω, shape α).
pub fn skew_normal_lpdf(y: f64, xi: f64, omega: f64, alpha: f64) -> f64 {
    skew_normal_lpdf_grad(y, xi, omega, alpha).0
}

/// [`skew_normal_lpdf`] and its partials (∂y, ∂ξ, ∂ω, ∂α).
pub fn skew_normal_lpdf_grad(y: f64, xi: f64, omega: f64, alpha: f64) -> (f64, [f64; 4]) {
    if !loc_scale_ok(y, xi, omega) || y.is_infinite() || !alpha.is_finite() {
        return reject();
    }
    let z = (y - xi) / omega;
    let r = sp::log_phi_d1(alpha * z);
    let dz = -z + alpha * r;
    let v = LN_2 - HALF_LN_2PI - omega.ln() - 0.5 * z * z + sp::log_phi(alpha * z);
    finish(v, [dz / omega, -dz / omega, -(1.0 + dz * z) / omega, z * r])
}

/// ln P(Y <= y) (or ln P(Y > y), `upper`) of the skew normal from
/// F(z) = Φ(z) - 2 T(z, α) (Owen's T), as Stan's. dF/dz is the density
/// 2 φ(z) Φ(αz) and dF/dα = -e^{-z²(1+α²)/2} / (π(1+α²)).
fn skew_normal_cdf(y: f64, xi: f64, omega: f64, alpha: f64, upper: bool) -> (f64, [f64; 4]) {
    if !loc_scale_ok(y, xi, omega) || !alpha.is_finite() {
        return reject();
    }
    let (below, above) = if upper { (0.0, f64::NEG_INFINITY) } else { (f64::NEG_INFINITY, 0.0) };
    if y == f64::NEG_INFINITY {
        return (below, [0.0; 4]);
    }
    if y == f64::INFINITY {
        return (above, [0.0; 4]);
    }
    let z = (y - xi) / omega;
    let t2 = 2.0 * sp::owens_t(z, alpha);
    // The tail taken: Φ(z) - 2T below, Φ(-z) + 2T above.
    let (normal_tail, p) = if upper { (sp::phi(-z), sp::phi(-z) + t2) } else { (sp::phi(z), sp::phi(z) - t2) };
    // Where the skewness thins the tail taken (above with α < 0, below with
    // α > 0), p is a difference of two nearly equal numbers: with fewer than
    // three digits left, integrate the density instead (in logs: the tail
    // may underflow). Below with (z, α) is above with (-z, -α).
    let log_p = if p > 1e-3 * normal_tail {
        p.ln()
    } else if upper {
        log_thin_upper_tail(z, alpha)
    } else {
        log_thin_upper_tail(-z, -alpha)
    };
    if log_p == f64::NEG_INFINITY || log_p.is_nan() {
        return (f64::NEG_INFINITY, [0.0; 4]);
    }
    let sign = if upper { -1.0 } else { 1.0 };
    let log_density_z = LN_2 - HALF_LN_2PI - 0.5 * z * z + sp::log_phi(alpha * z);
    let dz = sign * (log_density_z - log_p).exp();
    let q = 1.0 + alpha * alpha;
    let dalpha = -sign * (-0.5 * z * z * q - log_p).exp() / (PI * q);
    finish(log_p, [dz / omega, -dz / omega, -dz * z / omega, dalpha])
}

/// ln P(Z > z) for Z ~ skew_normal(0, 1, α) with α < 0 < z, where Φ(-z) +
/// 2T(z, α) cancels: the integral of the log-concave density g from z on,
/// as g(z) plus the log of ∫₀^∞ e^{g(z + s/k) - g(z)} ds / k with k = -g'(z)
/// (the integrand is at most e^{-s}, so s <= 40 suffices), by 10-point
/// Gauss-Legendre on panels that widen as the integrand falls.
fn log_thin_upper_tail(z: f64, alpha: f64) -> f64 {
    let g = |t: f64| LN_2 - HALF_LN_2PI - 0.5 * t * t + sp::log_phi(alpha * t);
    let g0 = g(z);
    let k = z - alpha * sp::log_phi_d1(alpha * z);
    if !(k > 0.0) || !g0.is_finite() {
        return f64::NAN;
    }
    const PANELS: [f64; 8] = [0.0, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 40.0];
    let mut sum = 0.0;
    for w in PANELS.windows(2) {
        let (mid, half) = (0.5 * (w[0] + w[1]), 0.5 * (w[1] - w[0]));
        for (x, weight) in GAUSS_LEGENDRE_10 {
            for s in [mid - half * x, mid + half * x] {
                sum += half * weight * (g(z + s / k) - g0).exp();
            }
        }
    }
    g0 + (sum / k).ln()
}

/// The positive nodes of 10-point Gauss-Legendre on [-1, 1] and their
/// weights (each node is used with its mirror).
const GAUSS_LEGENDRE_10: [(f64, f64); 5] = [
    (0.148_874_338_981_631_2, 0.295_524_224_714_752_9),
    (0.433_395_394_129_247_2, 0.269_266_719_309_996_4),
    (0.679_409_568_299_024_4, 0.219_086_362_515_982_04),
    (0.865_063_366_688_984_5, 0.149_451_349_150_580_6),
    (0.973_906_528_517_171_7, 0.066_671_344_308_688_14),
];

/// ln P(Y <= y) for Y ~ skew_normal(ξ, ω, α).
pub fn skew_normal_lcdf(y: f64, xi: f64, omega: f64, alpha: f64) -> f64 {
    skew_normal_cdf(y, xi, omega, alpha, false).0
}
/// [`skew_normal_lcdf`] and its partials (∂y, ∂ξ, ∂ω, ∂α).
pub fn skew_normal_lcdf_grad(y: f64, xi: f64, omega: f64, alpha: f64) -> (f64, [f64; 4]) {
    skew_normal_cdf(y, xi, omega, alpha, false)
}
/// ln P(Y > y) for Y ~ skew_normal(ξ, ω, α).
pub fn skew_normal_lccdf(y: f64, xi: f64, omega: f64, alpha: f64) -> f64 {
    skew_normal_cdf(y, xi, omega, alpha, true).0
}
/// [`skew_normal_lccdf`] and its partials (∂y, ∂ξ, ∂ω, ∂α).
pub fn skew_normal_lccdf_grad(y: f64, xi: f64, omega: f64, alpha: f64) -> (f64, [f64; 4]) {
    skew_normal_cdf(y, xi, omega, alpha, true)
}

/// A draw from skew_normal(ξ, ω, α): with δ = α/√(1+α²) and independent
/// standard normals u, v, the variate δ|u| + √(1-δ²) v is skew normal(0, 1, α).
pub fn skew_normal_rng<R: Rng + ?Sized>(rng: &mut R, xi: f64, omega: f64, alpha: f64) -> Result<f64, RngError> {
    if !xi.is_finite() || !pos_finite(omega) || !alpha.is_finite() {
        return Err(bad("skew_normal", "location and shape must be finite and scale positive and finite"));
    }
    let delta = alpha / (1.0 + alpha * alpha).sqrt();
    let u: f64 = StandardNormal.sample(rng);
    let v: f64 = StandardNormal.sample(rng);
    Ok(xi + omega * (delta * u.abs() + (1.0 - delta * delta).sqrt() * v))
}
c_lpdf!(hbm_skew_normal_lpdf, hbm_skew_normal_lpdf_grad, skew_normal_lpdf, skew_normal_lpdf_grad; y, xi, omega, alpha);
c_lpdf!(hbm_skew_normal_lcdf, hbm_skew_normal_lcdf_grad, skew_normal_lcdf, skew_normal_lcdf_grad; y, xi, omega, alpha);
c_lpdf!(hbm_skew_normal_lccdf, hbm_skew_normal_lccdf_grad, skew_normal_lccdf, skew_normal_lccdf_grad; y, xi, omega, alpha);
c_rng_real!(hbm_skew_normal_rng, skew_normal_rng; xi, omega, alpha);

// --- exp_mod_normal ------------------------------------------------------------------

/// A valid exp_mod_normal argument list (rate λ positive and finite).
fn emg_ok(y: f64, mu: f64, sigma: f64, lambda: f64) -> bool {
    loc_scale_ok(y, mu, sigma) && pos_finite(lambda)
}

/// exp_mod_normal(y | μ, σ, λ) = ln λ + λ(μ + λσ²/2 - y) + ln Φ((y - μ)/σ - λσ):
/// a normal(μ, σ) plus an exponential(λ).
pub fn exp_mod_normal_lpdf(y: f64, mu: f64, sigma: f64, lambda: f64) -> f64 {
    exp_mod_normal_lpdf_grad(y, mu, sigma, lambda).0
}

/// [`exp_mod_normal_lpdf`] and its partials (∂y, ∂μ, ∂σ, ∂λ).
pub fn exp_mod_normal_lpdf_grad(y: f64, mu: f64, sigma: f64, lambda: f64) -> (f64, [f64; 4]) {
    if !emg_ok(y, mu, sigma, lambda) || y.is_infinite() {
        return reject();
    }
    let u = (y - mu) / sigma;
    let v = u - lambda * sigma;
    let r = sp::log_phi_d1(v);
    let value = lambda.ln() + lambda * (mu + 0.5 * lambda * sigma * sigma - y) + sp::log_phi(v);
    let dy = -lambda + r / sigma;
    let dsigma = lambda * lambda * sigma - r * (u / sigma + lambda);
    let dlambda = 1.0 / lambda + mu + lambda * sigma * sigma - y - r * sigma;
    finish(value, [dy, -dy, dsigma, dlambda])
}

/// ln P(Y <= y) (or ln P(Y > y), `upper`): F = Φ(u) - e^w with u = (y-μ)/σ,
/// w = -λ(y-μ) + λ²σ²/2 + ln Φ(u - λσ); so 1 - F = Φ(-u) + e^w, both in logs.
/// The partials of F: ∂y = λ e^w (the density), ∂μ = -∂y,
/// ∂σ = λ φ(u) - λ²σ e^w, ∂λ = (y - μ - λσ²) e^w + σ φ(u).
fn exp_mod_normal_cdf(y: f64, mu: f64, sigma: f64, lambda: f64, upper: bool) -> (f64, [f64; 4]) {
    if !emg_ok(y, mu, sigma, lambda) {
        return reject();
    }
    let (below, above) = if upper { (0.0, f64::NEG_INFINITY) } else { (f64::NEG_INFINITY, 0.0) };
    if y == f64::NEG_INFINITY {
        return (below, [0.0; 4]);
    }
    if y == f64::INFINITY {
        return (above, [0.0; 4]);
    }
    let u = (y - mu) / sigma;
    let w = -lambda * (y - mu) + 0.5 * lambda * lambda * sigma * sigma + sp::log_phi(u - lambda * sigma);
    let (lp, sign) = if upper { (sp::log_sum_exp(sp::log_phi(-u), w), -1.0) } else { (sp::log_diff_exp(sp::log_phi(u), w), 1.0) };
    if !lp.is_finite() {
        // NaN (inf - inf at an extreme scale) rejects, as everywhere.
        return finish(lp, [0.0; 4]);
    }
    let ew = (w - lp).exp();
    let phi_u = (-0.5 * u * u - HALF_LN_2PI - lp).exp();
    let dy = sign * lambda * ew;
    let dsigma = sign * (lambda * phi_u - lambda * lambda * sigma * ew);
    let dlambda = sign * ((y - mu - lambda * sigma * sigma) * ew + sigma * phi_u);
    finish(lp, [dy, -dy, dsigma, dlambda])
}

/// ln P(Y <= y) for Y ~ exp_mod_normal(μ, σ, λ).
pub fn exp_mod_normal_lcdf(y: f64, mu: f64, sigma: f64, lambda: f64) -> f64 {
    exp_mod_normal_cdf(y, mu, sigma, lambda, false).0
}
/// [`exp_mod_normal_lcdf`] and its partials (∂y, ∂μ, ∂σ, ∂λ).
pub fn exp_mod_normal_lcdf_grad(y: f64, mu: f64, sigma: f64, lambda: f64) -> (f64, [f64; 4]) {
    exp_mod_normal_cdf(y, mu, sigma, lambda, false)
}
/// ln P(Y > y) for Y ~ exp_mod_normal(μ, σ, λ).
pub fn exp_mod_normal_lccdf(y: f64, mu: f64, sigma: f64, lambda: f64) -> f64 {
    exp_mod_normal_cdf(y, mu, sigma, lambda, true).0
}
/// [`exp_mod_normal_lccdf`] and its partials (∂y, ∂μ, ∂σ, ∂λ).
pub fn exp_mod_normal_lccdf_grad(y: f64, mu: f64, sigma: f64, lambda: f64) -> (f64, [f64; 4]) {
    exp_mod_normal_cdf(y, mu, sigma, lambda, true)
}

/// A draw from exp_mod_normal(μ, σ, λ): normal(μ, σ) + exponential(λ).
pub fn exp_mod_normal_rng<R: Rng + ?Sized>(rng: &mut R, mu: f64, sigma: f64, lambda: f64) -> Result<f64, RngError> {
    if !mu.is_finite() || !pos_finite(sigma) || !pos_finite(lambda) {
        return Err(bad("exp_mod_normal", "location must be finite, scale and rate positive and finite"));
    }
    let z: f64 = StandardNormal.sample(rng);
    let e: f64 = Exp1.sample(rng);
    Ok(mu + sigma * z + e / lambda)
}
c_lpdf!(hbm_exp_mod_normal_lpdf, hbm_exp_mod_normal_lpdf_grad, exp_mod_normal_lpdf, exp_mod_normal_lpdf_grad; y, mu, sigma, lambda);
c_lpdf!(hbm_exp_mod_normal_lcdf, hbm_exp_mod_normal_lcdf_grad, exp_mod_normal_lcdf, exp_mod_normal_lcdf_grad; y, mu, sigma, lambda);
c_lpdf!(hbm_exp_mod_normal_lccdf, hbm_exp_mod_normal_lccdf_grad, exp_mod_normal_lccdf, exp_mod_normal_lccdf_grad; y, mu, sigma, lambda);
c_rng_real!(hbm_exp_mod_normal_rng, exp_mod_normal_rng; mu, sigma, lambda);
