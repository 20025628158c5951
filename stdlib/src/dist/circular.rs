//! The von Mises distribution on the circle: log density, log cdf and log
//! ccdf with partials, and `_rng`. See [`crate::dist`] for the conventions
//! on invalid arguments.

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

// --- cdf ---------------------------------------------------------------------------

/// A value and its partials with respect to (y, μ, κ). Stan's von Mises cdf
/// is a series (κ < 50) or a normal approximation (κ >= 50) with no
/// closed-form κ-partial, so the partials are carried through the same
/// arithmetic, as Stan's autodiff does through its own.
type Dual = crate::dual::Dual<3>;

/// The cdf at `x` in (-π, π) of the von Mises distribution of mean 0, by
/// the series scipy's and Stan's use for κ < 50.
fn cdf_series(x: Dual, k: Dual) -> Dual {
    // Stan's term count, truncated to an integer as its `int p = ...`.
    let p = (28.0 + 0.5 * k.v - 100.0 / (k.v + 5.0) + 1.0) as i64;
    let (s, c) = (x.sin(), x.cos());
    let px = x.scale(p as f64);
    let (mut sn, mut cn) = (px.sin(), px.cos());
    let (mut r, mut v) = (Dual::constant(0.0), Dual::constant(0.0));
    for n in 1..p {
        let m = (p - n) as f64;
        let sn_next = sn.mul(c).sub(cn.mul(s));
        cn = cn.mul(c).add(sn.mul(s));
        sn = sn_next;
        r = Dual::constant(2.0 * m).div(k).add(r).recip();
        v = r.mul(sn.scale(1.0 / m).add(v));
    }
    x.scale(1.0 / (2.0 * PI)).add(v.scale(1.0 / PI)).shift(0.5)
}

/// The cdf at `x` in (-π, π) of the von Mises distribution of mean 0 by
/// the normal approximation Stan's uses for κ >= 50: Φ(b sin(x/2)) with
/// b = √(2/π) e^κ / I₀(κ).
fn cdf_normal_approx(x: Dual, k: Dual) -> Dual {
    // ln(e^κ / I₀(κ)) = κ - ln I₀(κ), whose derivative is 1 - I₁(κ)/I₀(κ).
    let log_ratio = k.chain(k.v - log_bessel_i0(k.v), 1.0 - bessel_i1_over_i0(k.v));
    let b = log_ratio.chain(log_ratio.v.exp(), log_ratio.v.exp()).scale((2.0 / PI).sqrt());
    let z = b.mul(x.scale(0.5).sin());
    z.chain(crate::special::phi(z.v), crate::special::phi_d1(z.v))
}

/// The cdf at `x` in (-π, π) of the von Mises distribution of mean 0, as
/// Stan's `von_mises_cdf_centered`: the series below κ = 49, the normal
/// approximation from κ = 50, and between them their blend.
fn cdf_centered(x: Dual, k: Dual) -> Dual {
    if k.v < 49.0 {
        let f = cdf_series(x, k);
        if f.v < 0.0 {
            Dual::constant(0.0)
        } else if f.v > 1.0 {
            Dual::constant(1.0)
        } else {
            f
        }
    } else if k.v < 50.0 {
        let series = cdf_series(x, Dual::constant(49.0));
        let approx = cdf_normal_approx(x, Dual::constant(50.0));
        Dual::constant(50.0).sub(k).mul(series).add(k.shift(-49.0).mul(approx))
    } else {
        cdf_normal_approx(x, k)
    }
}

/// `x` moved by a whole number of turns into [-π, π), as Stan's.
fn wrap(x: Dual) -> Dual {
    let shifted = x.shift(PI);
    let turns = (shifted.v / (2.0 * PI)).floor();
    shifted.shift(-turns * 2.0 * PI - PI)
}

/// P(Y <= y) for y in [-π, π] (Stan's support) with partials (∂y, ∂μ, ∂κ),
/// by Stan's algorithm: the centered cdf of `y - μ` less that of the lower
/// end -π, both moved into (-π, π).
fn von_mises_cdf_dual(y: f64, mu: f64, kappa: f64) -> Dual {
    if y == -PI {
        return Dual::constant(0.0);
    }
    if y == PI {
        return Dual::constant(1.0);
    }
    let k = Dual::arg(kappa, 2);
    let x = wrap(Dual::arg(y, 0).sub(Dual::arg(mu, 1)));
    let m = wrap(Dual::arg(mu, 1));
    let (cut, bound) = if m.v < 0.0 { (m.shift(PI), Dual::constant(-PI).sub(m)) } else { (m.shift(-PI), Dual::constant(PI).sub(m)) };
    let below = cdf_centered(bound, k);
    let at = cdf_centered(x, k);
    let cdf = if y <= cut.v { at.sub(below) } else { at.shift(1.0).sub(below) };
    if cdf.v < 0.0 {
        Dual::constant(0.0)
    } else {
        cdf
    }
}

/// ln P(Y <= y) (`upper` false) or ln P(Y > y) (`upper` true) of
/// von_mises(μ, κ) on [-π, π] and partials (∂y, ∂μ, ∂κ). Stan requires
/// y in [-π, π], μ finite and κ > 0; anything else is rejected.
fn von_mises_tail(y: f64, mu: f64, kappa: f64, upper: bool) -> (f64, [f64; 3]) {
    if !(-PI..=PI).contains(&y) || !mu.is_finite() || !(kappa > 0.0) || kappa.is_infinite() {
        return reject();
    }
    let f = von_mises_cdf_dual(y, mu, kappa);
    let (p, sign) = if upper { (1.0 - f.v, -1.0) } else { (f.v, 1.0) };
    let v = if upper { (-f.v).ln_1p() } else { f.v.ln() };
    finish(v, f.d.map(|d| sign * d / p))
}

/// ln P(Y <= y) of von_mises(μ, κ) on [-π, π].
pub fn von_mises_lcdf(y: f64, mu: f64, kappa: f64) -> f64 {
    von_mises_tail(y, mu, kappa, false).0
}

/// [`von_mises_lcdf`] and its partials (∂y, ∂μ, ∂κ).
pub fn von_mises_lcdf_grad(y: f64, mu: f64, kappa: f64) -> (f64, [f64; 3]) {
    von_mises_tail(y, mu, kappa, false)
}

/// ln P(Y > y) of von_mises(μ, κ) on [-π, π].
pub fn von_mises_lccdf(y: f64, mu: f64, kappa: f64) -> f64 {
    von_mises_tail(y, mu, kappa, true).0
}

/// [`von_mises_lccdf`] and its partials (∂y, ∂μ, ∂κ).
pub fn von_mises_lccdf_grad(y: f64, mu: f64, kappa: f64) -> (f64, [f64; 3]) {
    von_mises_tail(y, mu, kappa, true)
}

c_lpdf!(hbm_von_mises_lcdf, hbm_von_mises_lcdf_grad, von_mises_lcdf, von_mises_lcdf_grad; y, mu, kappa);
c_lpdf!(hbm_von_mises_lccdf, hbm_von_mises_lccdf_grad, von_mises_lccdf, von_mises_lccdf_grad; y, mu, kappa);
