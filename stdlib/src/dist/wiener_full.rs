//! Stan's five- and seven-argument Wiener densities (Stan 2.35+):
//! `wiener(y | a, t0, w, v, sv)` and `wiener(y | a, t0, w, v, sv, sw, st0)`,
//! the first passage time of an upper-boundary response, as Stan's
//! four-argument form, whose arguments they extend in the same order
//! (boundary separation, non-decision time, relative start, drift).
//!
//! - `sv`: the drift varies across trials as N(v, sv²). Integrating the
//!   drift out is a Gaussian integral (Henrich et al. 2023): with the
//!   lower-boundary parameters `w' = 1 - w`, `v' = -v`, decision time `t`
//!   and `S = 1 + sv² t`,
//!   `ln p5 = -2 ln a + ln f(t/a² | w') + (sv² a² w'² - 2 a v' w' - v'² t) / 2S - ½ ln S`,
//!   f the standard density of [`super::wiener`]. At sv = 0 it is the
//!   four-argument density.
//! - `sw`: the start point varies uniformly over `[w - sw/2, w + sw/2]`,
//!   which must lie inside (0, 1); `st0`: the non-decision time varies
//!   uniformly over `[t0, t0 + st0]`. Their density is the average of p5
//!   over both, computed numerically: adaptive Gauss–Legendre panels
//!   ([`crate::gauss_panels`]) over the non-decision time, and for each of
//!   its nodes over the start point, to 1e-9 of the integral.
//!
//! The partials of the average are averages of p5's partials, taken
//! under the integral with the same nodes: `w` shifts the window, `sw`
//! stretches it about `w` (the start point `w + sw z`, z in [-½, ½], has
//! ∂/∂sw = z), `st0` stretches the other (`t0 + st0 r`, ∂/∂st0 = r). Where
//! st0 > y - t0 only the part of the window before y counts (the density
//! is 0 there after), and the moving end adds nothing since p5 vanishes
//! at zero decision time. At sw = 0 or st0 = 0 the partial is the
//! one-sided limit (0 for sw; -½ ∂/∂y for st0).
//! See [`crate::dist`] for the conventions on invalid arguments.

use super::wiener::log_standard_density;
use super::{c_lpdf, finish, pos_finite, reject};

/// The quadrature's relative tolerance (of its 10-point sums: the
/// 20-point sums it keeps are far more accurate).
const REL_TOL: f64 = 1e-9;
/// Its absolute tolerance, for integrands divided by about their largest
/// value (see `scale` below): parts of the windows where the density is
/// below 1e-12 of its peak need no relative accuracy of their own.
const ABS_TOL: f64 = 1e-12;

/// `ln p5` of an upper-boundary response at decision time `t > 0` and its
/// partials (∂t, ∂a, ∂w, ∂v, ∂sv), Stan's parameterisation.
fn log_p5(t: f64, a: f64, w: f64, v: f64, sv: f64) -> (f64, [f64; 5]) {
    // The lower-boundary density of the mirrored process.
    let (wl, vl) = (1.0 - w, -v);
    let u = t / (a * a);
    let (log_f, f_u, f_w) = log_standard_density(u, wl);
    let sv2 = sv * sv;
    let s = 1.0 + sv2 * t;
    let n = sv2 * a * a * wl * wl - 2.0 * a * vl * wl - vl * vl * t;
    let value = -2.0 * a.ln() + log_f + n / (2.0 * s) - 0.5 * s.ln();
    let d_t = f_u / (a * a) + (-vl * vl * s - n * sv2) / (2.0 * s * s) - sv2 / (2.0 * s);
    let d_a = -2.0 / a - 2.0 * u * f_u / a + (sv2 * a * wl * wl - vl * wl) / s;
    let d_wl = f_w + (sv2 * a * a * wl - a * vl) / s;
    let d_vl = (-a * wl - vl * t) / s;
    let d_sv = (2.0 * sv * a * a * wl * wl * s - n * 2.0 * sv * t) / (2.0 * s * s) - sv * t / s;
    // w' = 1 - w and v' = -v flip the signs of their partials.
    (value, [d_t, d_a, -d_wl, -d_vl, d_sv])
}

/// Whether the arguments shared by both forms are valid (Stan's checks:
/// y > 0, a > 0, t0 >= 0, 0 < w < 1, v finite, sv >= 0, all finite).
fn valid5(y: f64, a: f64, t0: f64, w: f64, v: f64, sv: f64) -> bool {
    y.is_finite() && y > 0.0 && pos_finite(a) && t0.is_finite() && t0 >= 0.0 && w > 0.0 && w < 1.0 && v.is_finite()
        && sv.is_finite() && sv >= 0.0
}

/// Why Stan rejects these arguments of the seven-argument form, in
/// Stan's words, or `None` when they are valid (the five-argument form is
/// the case `sw = st0 = 0`). The density is `-inf` exactly when this is
/// `Some`, or when `y <= t0` (a response before the non-decision time).
pub fn wiener_full_domain_error(y: f64, a: f64, t0: f64, w: f64, v: f64, sv: f64, sw: f64, st0: f64) -> Option<String> {
    let checks: [(bool, &str, f64, &str); 8] = [
        (y.is_finite() && y > 0.0, "Random variable", y, "positive finite"),
        (pos_finite(a), "Boundary separation", a, "positive finite"),
        (t0.is_finite() && t0 >= 0.0, "Nondecision time", t0, "nonnegative and finite"),
        (w > 0.0 && w < 1.0, "A-priori bias", w, "in the interval (0, 1)"),
        (v.is_finite(), "Drift rate", v, "finite"),
        (sv.is_finite() && sv >= 0.0, "Inter-trial variability in drift rate", sv, "nonnegative and finite"),
        (sw.is_finite() && (0.0..1.0).contains(&sw), "Inter-trial variability in A-priori bias", sw, "in the interval [0, 1)"),
        (st0.is_finite() && st0 >= 0.0, "Inter-trial variability in Nondecision time", st0, "nonnegative and finite"),
    ];
    if let Some((_, what, x, must)) = checks.iter().find(|c| !c.0) {
        return Some(format!("wiener_lpdf: {what} is {x}, but must be {must}"));
    }
    if w - sw / 2.0 <= 0.0 || w + sw / 2.0 >= 1.0 {
        return Some(format!(
            "wiener_lpdf: the start point varies over [w - sw/2, w + sw/2] = [{}, {}], which must lie inside (0, 1): sw must be smaller than 2 w and 2 (1 - w)",
            w - sw / 2.0,
            w + sw / 2.0
        ));
    }
    None
}

/// wiener(y | a, t0, w, v, sv): the log density of an upper-boundary
/// response with drift N(v, sv²) (see the module doc).
pub fn wiener_sv_lpdf(y: f64, a: f64, t0: f64, w: f64, v: f64, sv: f64) -> f64 {
    wiener_sv_lpdf_grad(y, a, t0, w, v, sv).0
}

/// [`wiener_sv_lpdf`] and its partials (∂y, ∂a, ∂t0, ∂w, ∂v, ∂sv).
pub fn wiener_sv_lpdf_grad(y: f64, a: f64, t0: f64, w: f64, v: f64, sv: f64) -> (f64, [f64; 6]) {
    if !valid5(y, a, t0, w, v, sv) || y <= t0 {
        return reject();
    }
    let (value, [d_t, d_a, d_w, d_v, d_sv]) = log_p5(y - t0, a, w, v, sv);
    finish(value, [d_t, d_a, -d_t, d_w, d_v, d_sv])
}

/// wiener(y | a, t0, w, v, sv, sw, st0): the log density of an
/// upper-boundary response with drift N(v, sv²), start point
/// U(w - sw/2, w + sw/2) and non-decision time U(t0, t0 + st0).
pub fn wiener_full_lpdf(y: f64, a: f64, t0: f64, w: f64, v: f64, sv: f64, sw: f64, st0: f64) -> f64 {
    wiener_full_lpdf_grad(y, a, t0, w, v, sv, sw, st0).0
}

/// [`wiener_full_lpdf`] and its partials (∂y, ∂a, ∂t0, ∂w, ∂v, ∂sv, ∂sw, ∂st0).
#[allow(clippy::too_many_arguments)]
pub fn wiener_full_lpdf_grad(y: f64, a: f64, t0: f64, w: f64, v: f64, sv: f64, sw: f64, st0: f64) -> (f64, [f64; 8]) {
    if wiener_full_domain_error(y, a, t0, w, v, sv, sw, st0).is_some() || y <= t0 {
        return reject();
    }
    let x = y - t0;
    // The part of the non-decision time's window before the response.
    let s_max = st0.min(x);
    // A log scale near the integrand's largest value, so that the
    // integrand neither overflows nor underflows: the largest of a few
    // probes over both windows.
    let mut scale = f64::NEG_INFINITY;
    for i in 0..5 {
        let t = x - s_max * i as f64 / 5.0;
        for z in [-0.45, 0.0, 0.45] {
            scale = scale.max(log_p5(t, a, w + sw * z, v, sv).0);
        }
    }
    if !scale.is_finite() {
        return reject();
    }
    // The eight integrands at start point ω and non-decision time
    // t0 + s: p5 and p5 times its partials in (t, a, w, v, sv), and the
    // stretches of both windows (see the module doc).
    let integrand = |s: f64, omega: f64| -> [f64; 8] {
        let t = x - s;
        if t <= 0.0 {
            return [0.0; 8];
        }
        let (lp, [d_t, d_a, d_w, d_v, d_sv]) = log_p5(t, a, omega, v, sv);
        let e = (lp - scale).exp();
        if e == 0.0 {
            // Partials may be huge where p5 underflows; their product is 0.
            return [0.0; 8];
        }
        let z = if sw > 0.0 { (omega - w) / sw } else { 0.0 };
        // r = s / st0; at st0 = 0 its average ½ (the one-sided limit).
        let r = if st0 > 0.0 { s / st0 } else { 0.5 };
        [e, e * d_t, e * d_a, e * d_w, e * d_v, e * d_sv, e * d_w * z, -e * d_t * r]
    };
    // The average over the start point's window at one s.
    let over_start = |s: f64| -> [f64; 8] {
        if sw > 0.0 {
            let sum = crate::gauss_panels::integrate(|omega| integrand(s, omega), w - sw / 2.0, w + sw / 2.0, REL_TOL, ABS_TOL * sw);
            sum.map(|c| c / sw)
        } else {
            integrand(s, w)
        }
    };
    let total = if st0 > 0.0 {
        let sum = crate::gauss_panels::integrate(over_start, 0.0, s_max, REL_TOL, ABS_TOL * s_max);
        sum.map(|c| c / st0)
    } else {
        over_start(0.0)
    };
    let p = total[0];
    if !(p > 0.0 && p.is_finite()) {
        return reject();
    }
    let value = scale + p.ln();
    let g = |k: usize| total[k] / p;
    finish(value, [g(1), g(2), -g(1), g(3), g(4), g(5), g(6), g(7)])
}

c_lpdf!(hbm_wiener_sv_lpdf, hbm_wiener_sv_lpdf_grad, wiener_sv_lpdf, wiener_sv_lpdf_grad; y, a, t0, w, v, sv);
c_lpdf!(hbm_wiener_full_lpdf, hbm_wiener_full_lpdf_grad, wiener_full_lpdf, wiener_full_lpdf_grad; y, a, t0, w, v, sv, sw, st0);
