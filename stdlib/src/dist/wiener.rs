//! The Wiener first passage time density (`wiener`, Stan's four-parameter
//! drift diffusion model): the time `y` at which a diffusion of drift δ,
//! started at β α between absorbing boundaries 0 and α, first hits the
//! upper boundary, shifted by the non-decision time τ. A response at the
//! lower boundary is the same density with `1 - β` and `-δ`, as in Stan.
//!
//! With `x = y - τ`, `u = x / α²`, and the lower-boundary parameters
//! `w = 1 - β`, `v = -δ` (Navarro & Fuss 2009):
//! `ln p = -2 ln α - v α w - v² x / 2 + ln f(u | w)`, where f is the
//! standard density, computed from its small-time series below u = 1,
//! `f = (2π u³)^-½ Σ_k (w + 2k) e^{-(w + 2k)² / 2u}`, and its large-time
//! series above, `f = π Σ_{k≥1} k e^{-k²π²u / 2} sin(kπw)`; seventeen and
//! ten terms bring either below 1e-17 of its sum there. Each series is
//! summed with its leading exponential factored out, so ln f does not
//! underflow at extreme times. The partials are those of the same series.
//! See [`crate::dist`] for the conventions on invalid arguments.

use super::{c_lpdf, finish, pos_finite, reject};
use std::f64::consts::PI;

/// Below this normalised time the small-time series is used.
const SMALL_TIME: f64 = 1.0;
/// Terms -K..=K of the small-time series.
const SMALL_TERMS: i32 = 8;
/// Terms 1..=K of the large-time series.
const LARGE_TERMS: i32 = 10;

/// `(ln f, ∂ ln f / ∂u, ∂ ln f / ∂w)` of the standard density at `u > 0`,
/// `0 < w < 1`.
pub(crate) fn log_standard_density(u: f64, w: f64) -> (f64, f64, f64) {
    if u < SMALL_TIME {
        // f = (2π)^-½ u^-3/2 e^{-w²/2u} S, S = Σ (w+2k) e^{-((w+2k)² - w²)/2u}.
        let (mut s, mut s_u, mut s_w) = (0.0, 0.0, 0.0);
        for k in -SMALL_TERMS..=SMALL_TERMS {
            let z = w + 2.0 * k as f64;
            let e = (-(z * z - w * w) / (2.0 * u)).exp();
            // ∂/∂u of z e^{...}: z e (z² - w²) / 2u²; ∂/∂w: e (1 - z (z - w) / u).
            s += z * e;
            s_u += z * e * (z * z - w * w) / (2.0 * u * u);
            s_w += e * (1.0 - z * (z - w) / u);
        }
        let log_f = -0.5 * (2.0 * PI).ln() - 1.5 * u.ln() - w * w / (2.0 * u) + s.ln();
        let d_u = -1.5 / u + w * w / (2.0 * u * u) + s_u / s;
        let d_w = -w / u + s_w / s;
        (log_f, d_u, d_w)
    } else {
        // f = π e^{-π²u/2} L, L = Σ k e^{-(k² - 1)π²u/2} sin(kπw).
        let (mut l, mut l_u, mut l_w) = (0.0, 0.0, 0.0);
        for k in 1..=LARGE_TERMS {
            let kf = k as f64;
            let c = (kf * kf - 1.0) * PI * PI / 2.0;
            let e = (-c * u).exp();
            let (sin, cos) = (kf * PI * w).sin_cos();
            l += kf * e * sin;
            l_u -= kf * c * e * sin;
            l_w += kf * kf * PI * e * cos;
        }
        let log_f = PI.ln() - PI * PI * u / 2.0 + l.ln();
        (log_f, -PI * PI / 2.0 + l_u / l, l_w / l)
    }
}

/// wiener(y | α, τ, β, δ): the log density of an upper-boundary response
/// at time y (see the module doc).
pub fn wiener_lpdf(y: f64, alpha: f64, tau: f64, beta: f64, delta: f64) -> f64 {
    wiener_lpdf_grad(y, alpha, tau, beta, delta).0
}

/// [`wiener_lpdf`] and its partials (∂y, ∂α, ∂τ, ∂β, ∂δ).
pub fn wiener_lpdf_grad(y: f64, alpha: f64, tau: f64, beta: f64, delta: f64) -> (f64, [f64; 5]) {
    let valid = y.is_finite() && y > 0.0 && pos_finite(alpha) && tau.is_finite() && tau >= 0.0 && beta > 0.0 && beta < 1.0
        && delta.is_finite();
    if !valid || y <= tau {
        return reject();
    }
    let x = y - tau;
    let u = x / (alpha * alpha);
    let (w, v) = (1.0 - beta, -delta);
    let (log_f, f_u, f_w) = log_standard_density(u, w);
    let value = -2.0 * alpha.ln() - v * alpha * w - v * v * x / 2.0 + log_f;
    let dy = -v * v / 2.0 + f_u / (alpha * alpha);
    let dalpha = -2.0 / alpha - v * w - 2.0 * u * f_u / alpha;
    // β = 1 - w and δ = -v flip the signs of the w- and v-partials.
    let dbeta = v * alpha - f_w;
    let ddelta = alpha * w + v * x;
    finish(value, [dy, dalpha, -dy, dbeta, ddelta])
}

c_lpdf!(hbm_wiener_lpdf, hbm_wiener_lpdf_grad, wiener_lpdf, wiener_lpdf_grad; y, alpha, tau, beta, delta);
