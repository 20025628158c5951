//! beta_proportion(y | μ, κ): the beta distribution by its mean μ ∈ (0, 1)
//! and precision κ > 0, i.e. beta(y | μκ, (1-μ)κ). Value, cdfs and draws
//! come from the beta ones; the partials by the chain rule
//! ∂μ = κ(∂a - ∂b), ∂κ = μ ∂a + (1-μ) ∂b.

use super::{c_lpdf, c_rng_real, finish, pos_finite, reject};
use crate::rng::{bad, RngError};
use rand::Rng;

/// Whether (μ, κ) is a valid mean and precision (Stan: 0 < μ < 1, κ > 0 finite).
fn valid(mu: f64, kappa: f64) -> bool {
    mu > 0.0 && mu < 1.0 && pos_finite(kappa)
}

/// Maps a beta result (∂y, ∂a, ∂b) to (∂y, ∂μ, ∂κ).
fn from_beta(mu: f64, kappa: f64, (v, [dy, da, db]): (f64, [f64; 3])) -> (f64, [f64; 3]) {
    finish(v, [dy, kappa * (da - db), mu * da + (1.0 - mu) * db])
}

/// ln of the beta_proportion density.
pub fn beta_proportion_lpdf(y: f64, mu: f64, kappa: f64) -> f64 {
    beta_proportion_lpdf_grad(y, mu, kappa).0
}

/// [`beta_proportion_lpdf`] and its partials (∂y, ∂μ, ∂κ).
pub fn beta_proportion_lpdf_grad(y: f64, mu: f64, kappa: f64) -> (f64, [f64; 3]) {
    if !valid(mu, kappa) {
        return reject();
    }
    from_beta(mu, kappa, super::beta_lpdf_grad(y, mu * kappa, (1.0 - mu) * kappa))
}

/// ln P(Y <= y) of beta_proportion(μ, κ).
pub fn beta_proportion_lcdf(y: f64, mu: f64, kappa: f64) -> f64 {
    beta_proportion_lcdf_grad(y, mu, kappa).0
}

/// [`beta_proportion_lcdf`] and its partials (∂y, ∂μ, ∂κ).
pub fn beta_proportion_lcdf_grad(y: f64, mu: f64, kappa: f64) -> (f64, [f64; 3]) {
    if !valid(mu, kappa) {
        return reject();
    }
    from_beta(mu, kappa, super::beta_lcdf_grad(y, mu * kappa, (1.0 - mu) * kappa))
}

/// ln P(Y > y) of beta_proportion(μ, κ).
pub fn beta_proportion_lccdf(y: f64, mu: f64, kappa: f64) -> f64 {
    beta_proportion_lccdf_grad(y, mu, kappa).0
}

/// [`beta_proportion_lccdf`] and its partials (∂y, ∂μ, ∂κ).
pub fn beta_proportion_lccdf_grad(y: f64, mu: f64, kappa: f64) -> (f64, [f64; 3]) {
    if !valid(mu, kappa) {
        return reject();
    }
    from_beta(mu, kappa, super::beta_lccdf_grad(y, mu * kappa, (1.0 - mu) * kappa))
}

/// A draw from beta_proportion(μ, κ).
pub fn beta_proportion_rng<R: Rng + ?Sized>(rng: &mut R, mu: f64, kappa: f64) -> Result<f64, RngError> {
    if !valid(mu, kappa) {
        return Err(bad("beta_proportion", "need 0 < mu < 1 and a positive finite precision"));
    }
    super::beta_rng(rng, mu * kappa, (1.0 - mu) * kappa)
}
c_lpdf!(hbm_beta_proportion_lpdf, hbm_beta_proportion_lpdf_grad, beta_proportion_lpdf, beta_proportion_lpdf_grad; y, mu, kappa);
c_lpdf!(hbm_beta_proportion_lcdf, hbm_beta_proportion_lcdf_grad, beta_proportion_lcdf, beta_proportion_lcdf_grad; y, mu, kappa);
c_lpdf!(hbm_beta_proportion_lccdf, hbm_beta_proportion_lccdf_grad, beta_proportion_lccdf, beta_proportion_lccdf_grad; y, mu, kappa);
c_rng_real!(hbm_beta_proportion_rng, beta_proportion_rng; mu, kappa);
