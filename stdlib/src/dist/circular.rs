//! The von Mises distribution on the circle (log density with partials and
//! `_rng`; no cdf yet). See [`crate::dist`] for the conventions on invalid
//! arguments.

use super::{c_lpdf, c_rng_real, finish, reject};
use crate::bessel::{bessel_i1_over_i0, log_bessel_i0};
use crate::rng::{bad, RngError};
use rand::distr::Open01;
use rand::Rng;
use std::f64::consts::PI;

/// von_mises(y | μ, κ) = κ cos(y - μ) - ln(2π I₀(κ)), κ >= 0 (κ = 0 is the
/// uniform distribution on the circle).
pub fn von_mises_lpdf(y: f64, mu: f64, kappa: f64) -> f64 {
    von_mises_lpdf_grad(y, mu, kappa).0
}

/// [`von_mises_lpdf`] and its partials (∂y, ∂μ, ∂κ); ∂κ = cos(y - μ) - I₁(κ)/I₀(κ).
pub fn von_mises_lpdf_grad(y: f64, mu: f64, kappa: f64) -> (f64, [f64; 3]) {
    if !y.is_finite() || !mu.is_finite() || !(kappa >= 0.0) || kappa.is_infinite() {
        return reject();
    }
    let (s, c) = (y - mu).sin_cos();
    finish(kappa * c - (2.0 * PI).ln() - log_bessel_i0(kappa), [-kappa * s, kappa * s, c - bessel_i1_over_i0(kappa)])
}

/// A draw from von_mises(μ, κ) by Best and Fisher's (1979) rejection
/// sampler, in [(μ mod 2π) - π, (μ mod 2π) + π] as Stan's.
pub fn von_mises_rng<R: Rng + ?Sized>(rng: &mut R, mu: f64, kappa: f64) -> Result<f64, RngError> {
    if !mu.is_finite() || !(kappa >= 0.0) || kappa.is_infinite() {
        return Err(bad("von_mises", "location must be finite and concentration non-negative and finite"));
    }
    let center = mu % (2.0 * PI);
    if kappa < 1e-8 {
        // The uniform distribution on the circle (the sampler's ρ is 0/0 here).
        let u: f64 = rng.sample(Open01);
        return Ok(center - PI + 2.0 * PI * u);
    }
    let r = 1.0 + (1.0 + 4.0 * kappa * kappa).sqrt();
    let rho = 0.5 * (r - (2.0 * r).sqrt()) / kappa;
    let s = 0.5 * (1.0 + rho * rho) / rho;
    loop {
        let (u1, u2, u3): (f64, f64, f64) = (rng.sample(Open01), rng.sample(Open01), rng.sample(Open01));
        let z = (PI * u1).cos();
        let w = (1.0 + s * z) / (s + z);
        let y = kappa * (s - w);
        if y * (2.0 - y) - u2 > 0.0 || (y / u2).ln() + 1.0 - y >= 0.0 {
            let angle = w.clamp(-1.0, 1.0).acos();
            return Ok(center + if u3 > 0.5 { angle } else { -angle });
        }
    }
}
c_lpdf!(hbm_von_mises_lpdf, hbm_von_mises_lpdf_grad, von_mises_lpdf, von_mises_lpdf_grad; y, mu, kappa);
c_rng_real!(hbm_von_mises_rng, von_mises_rng; mu, kappa);
