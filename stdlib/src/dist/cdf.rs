//! Log cumulative distribution functions (`_lcdf`, ln P(Y <= y)) and log
//! complementary ones (`_lccdf`, ln P(Y > y)), with partials in the order of
//! the densities' (variate first, then the parameters). They normalise
//! truncated distributions (`y ~ normal(mu, sigma) T[a, b]`) and are
//! callable as Stan's `normal_lcdf(y | mu, sigma)`.
//!
//! Conventions as for the densities ([`crate::dist`]): invalid parameters
//! (a scale <= 0, a NaN) give `-inf` with zero partials; partials are zero
//! wherever the value is not finite. A variate beyond the support is not an
//! error here: below it the lcdf is `-inf` and the lccdf 0, above it the
//! reverse (with zero partials), as Stan's.

use super::{c_lpdf, c_lpmf, finish, pos_finite, reject};
use crate::special as sp;

/// A cdf value and its partials, zero partials where they are not needed.
type Out<const N: usize> = (f64, [f64; N]);

/// ln F and its derivative in z for a standardised location-scale family.
type StdCdf = fn(f64) -> (f64, f64);

/// The lcdf of a location-scale family at (y - μ)/σ from its standard
/// form: partials (∂y, ∂μ, ∂σ) = (d/σ, -d/σ, -d z/σ).
fn loc_scale(y: f64, mu: f64, sigma: f64, f: StdCdf) -> Out<3> {
    if y.is_nan() || !mu.is_finite() || !pos_finite(sigma) {
        return reject();
    }
    let z = (y - mu) / sigma;
    let (v, d) = f(z);
    if !v.is_finite() || z.is_infinite() {
        return (v, [0.0; 3]);
    }
    finish(v, [d / sigma, -d / sigma, -d * z / sigma])
}

fn std_normal_lcdf_z(z: f64) -> (f64, f64) {
    (sp::log_phi(z), sp::log_phi_d1(z))
}
fn std_normal_lccdf_z(z: f64) -> (f64, f64) {
    (sp::log_phi(-z), -sp::log_phi_d1(-z))
}

/// ln F of the standard Cauchy, 1/2 + atan(z)/π, written as atan(-1/z)/π
/// for z < 0 so that the lower tail keeps its digits.
fn cauchy_lcdf_z(z: f64) -> (f64, f64) {
    let f = if z < 0.0 { (-1.0 / z).atan() / std::f64::consts::PI } else { 0.5 + z.atan() / std::f64::consts::PI };
    (f.ln(), 1.0 / (std::f64::consts::PI * (1.0 + z * z) * f))
}
fn cauchy_lccdf_z(z: f64) -> (f64, f64) {
    let (v, d) = cauchy_lcdf_z(-z);
    (v, -d)
}

fn logistic_lcdf_z(z: f64) -> (f64, f64) {
    (sp::log_inv_logit(z), sp::inv_logit(-z))
}
fn logistic_lccdf_z(z: f64) -> (f64, f64) {
    (sp::log1m_inv_logit(z), -sp::inv_logit(z))
}

/// Laplace: F(z) = e^z / 2 below 0, 1 - e^-z / 2 above.
fn double_exponential_lcdf_z(z: f64) -> (f64, f64) {
    if z < 0.0 {
        (z - std::f64::consts::LN_2, 1.0)
    } else {
        let t = 0.5 * (-z).exp();
        (sp::log1m(t), t / (1.0 - t))
    }
}
fn double_exponential_lccdf_z(z: f64) -> (f64, f64) {
    let (v, d) = double_exponential_lcdf_z(-z);
    (v, -d)
}

macro_rules! loc_scale_cdfs {
    ($($lcdf:ident / $lcdf_grad:ident / $c:ident / $cg:ident = $std:ident),+ $(,)?) => {$(
        #[doc = concat!("The ", stringify!($lcdf), " of (y - μ)/σ (a location-scale family).")]
        pub fn $lcdf(y: f64, mu: f64, sigma: f64) -> f64 {
            $lcdf_grad(y, mu, sigma).0
        }
        #[doc = concat!("[`", stringify!($lcdf), "`] and its partials (∂y, ∂μ, ∂σ).")]
        pub fn $lcdf_grad(y: f64, mu: f64, sigma: f64) -> Out<3> {
            loc_scale(y, mu, sigma, $std)
        }
        c_lpdf!($c, $cg, $lcdf, $lcdf_grad; y, mu, sigma);
    )+};
}

loc_scale_cdfs!(
    normal_lcdf / normal_lcdf_grad / hbm_normal_lcdf / hbm_normal_lcdf_grad = std_normal_lcdf_z,
    normal_lccdf / normal_lccdf_grad / hbm_normal_lccdf / hbm_normal_lccdf_grad = std_normal_lccdf_z,
    cauchy_lcdf / cauchy_lcdf_grad / hbm_cauchy_lcdf / hbm_cauchy_lcdf_grad = cauchy_lcdf_z,
    cauchy_lccdf / cauchy_lccdf_grad / hbm_cauchy_lccdf / hbm_cauchy_lccdf_grad = cauchy_lccdf_z,
    logistic_lcdf / logistic_lcdf_grad / hbm_logistic_lcdf / hbm_logistic_lcdf_grad = logistic_lcdf_z,
    logistic_lccdf / logistic_lccdf_grad / hbm_logistic_lccdf / hbm_logistic_lccdf_grad = logistic_lccdf_z,
    double_exponential_lcdf / double_exponential_lcdf_grad / hbm_double_exponential_lcdf
        / hbm_double_exponential_lcdf_grad = double_exponential_lcdf_z,
    double_exponential_lccdf / double_exponential_lccdf_grad / hbm_double_exponential_lccdf
        / hbm_double_exponential_lccdf_grad = double_exponential_lccdf_z,
);

// --- std_normal ------------------------------------------------------------------

/// ln Φ(y).
pub fn std_normal_lcdf(y: f64) -> f64 {
    std_normal_lcdf_grad(y).0
}
/// [`std_normal_lcdf`] and its partial (∂y).
pub fn std_normal_lcdf_grad(y: f64) -> Out<1> {
    let (v, g) = normal_lcdf_grad(y, 0.0, 1.0);
    (v, [g[0]])
}
/// ln(1 - Φ(y)).
pub fn std_normal_lccdf(y: f64) -> f64 {
    std_normal_lccdf_grad(y).0
}
/// [`std_normal_lccdf`] and its partial (∂y).
pub fn std_normal_lccdf_grad(y: f64) -> Out<1> {
    let (v, g) = normal_lccdf_grad(y, 0.0, 1.0);
    (v, [g[0]])
}
c_lpdf!(hbm_std_normal_lcdf, hbm_std_normal_lcdf_grad, std_normal_lcdf, std_normal_lcdf_grad; y);
c_lpdf!(hbm_std_normal_lccdf, hbm_std_normal_lccdf_grad, std_normal_lccdf, std_normal_lccdf_grad; y);

// --- lognormal -------------------------------------------------------------------

/// The lognormal's: the normal's at ln y; ∂y gains the factor 1/y.
fn lognormal(y: f64, mu: f64, sigma: f64, upper: bool) -> Out<3> {
    if y.is_nan() || !mu.is_finite() || !pos_finite(sigma) {
        return reject();
    }
    if y <= 0.0 {
        return (if upper { 0.0 } else { f64::NEG_INFINITY }, [0.0; 3]);
    }
    let f = if upper { std_normal_lccdf_z } else { std_normal_lcdf_z };
    let (v, g) = loc_scale(y.ln(), mu, sigma, f);
    if !v.is_finite() {
        return (v, [0.0; 3]);
    }
    finish(v, [g[0] / y, g[1], g[2]])
}
/// ln P(Y <= y) for Y ~ lognormal(μ, σ).
pub fn lognormal_lcdf(y: f64, mu: f64, sigma: f64) -> f64 {
    lognormal(y, mu, sigma, false).0
}
/// [`lognormal_lcdf`] and its partials (∂y, ∂μ, ∂σ).
pub fn lognormal_lcdf_grad(y: f64, mu: f64, sigma: f64) -> Out<3> {
    lognormal(y, mu, sigma, false)
}
/// ln P(Y > y) for Y ~ lognormal(μ, σ).
pub fn lognormal_lccdf(y: f64, mu: f64, sigma: f64) -> f64 {
    lognormal(y, mu, sigma, true).0
}
/// [`lognormal_lccdf`] and its partials (∂y, ∂μ, ∂σ).
pub fn lognormal_lccdf_grad(y: f64, mu: f64, sigma: f64) -> Out<3> {
    lognormal(y, mu, sigma, true)
}
c_lpdf!(hbm_lognormal_lcdf, hbm_lognormal_lcdf_grad, lognormal_lcdf, lognormal_lcdf_grad; y, mu, sigma);
c_lpdf!(hbm_lognormal_lccdf, hbm_lognormal_lccdf_grad, lognormal_lccdf, lognormal_lccdf_grad; y, mu, sigma);

// --- exponential and weibull -------------------------------------------------------

/// ln(1 - e^-t) and ln e^-t = -t, with their derivatives in t, for t >= 0.
pub(super) fn one_minus_exp(t: f64, upper: bool) -> (f64, f64) {
    if upper {
        (-t, -1.0)
    } else {
        (sp::log1m_exp(-t), 1.0 / t.exp_m1())
    }
}

/// Exponential: t = β y, partials (∂y, ∂β).
fn exponential(y: f64, beta: f64, upper: bool) -> Out<2> {
    if y.is_nan() || !pos_finite(beta) {
        return reject();
    }
    if y <= 0.0 {
        return (if upper { 0.0 } else { f64::NEG_INFINITY }, [0.0; 2]);
    }
    if y.is_infinite() {
        return (if upper { f64::NEG_INFINITY } else { 0.0 }, [0.0; 2]);
    }
    let (v, d) = one_minus_exp(beta * y, upper);
    finish(v, [d * beta, d * y])
}
/// ln(1 - e^{-βy}).
pub fn exponential_lcdf(y: f64, beta: f64) -> f64 {
    exponential(y, beta, false).0
}
/// [`exponential_lcdf`] and its partials (∂y, ∂β).
pub fn exponential_lcdf_grad(y: f64, beta: f64) -> Out<2> {
    exponential(y, beta, false)
}
/// -βy.
pub fn exponential_lccdf(y: f64, beta: f64) -> f64 {
    exponential(y, beta, true).0
}
/// [`exponential_lccdf`] and its partials (∂y, ∂β).
pub fn exponential_lccdf_grad(y: f64, beta: f64) -> Out<2> {
    exponential(y, beta, true)
}
c_lpdf!(hbm_exponential_lcdf, hbm_exponential_lcdf_grad, exponential_lcdf, exponential_lcdf_grad; y, beta);
c_lpdf!(hbm_exponential_lccdf, hbm_exponential_lccdf_grad, exponential_lccdf, exponential_lccdf_grad; y, beta);

/// Weibull: t = (y/σ)^α, partials (∂y, ∂α, ∂σ).
fn weibull(y: f64, alpha: f64, sigma: f64, upper: bool) -> Out<3> {
    if y.is_nan() || !pos_finite(alpha) || !pos_finite(sigma) {
        return reject();
    }
    if y <= 0.0 {
        return (if upper { 0.0 } else { f64::NEG_INFINITY }, [0.0; 3]);
    }
    if y.is_infinite() {
        return (if upper { f64::NEG_INFINITY } else { 0.0 }, [0.0; 3]);
    }
    let r = y / sigma;
    let t = r.powf(alpha);
    let (v, d) = one_minus_exp(t, upper);
    finish(v, [d * alpha * t / y, d * t * r.ln(), -d * alpha * t / sigma])
}
/// ln(1 - e^{-(y/σ)^α}).
pub fn weibull_lcdf(y: f64, alpha: f64, sigma: f64) -> f64 {
    weibull(y, alpha, sigma, false).0
}
/// [`weibull_lcdf`] and its partials (∂y, ∂α, ∂σ).
pub fn weibull_lcdf_grad(y: f64, alpha: f64, sigma: f64) -> Out<3> {
    weibull(y, alpha, sigma, false)
}
/// -(y/σ)^α.
pub fn weibull_lccdf(y: f64, alpha: f64, sigma: f64) -> f64 {
    weibull(y, alpha, sigma, true).0
}
/// [`weibull_lccdf`] and its partials (∂y, ∂α, ∂σ).
pub fn weibull_lccdf_grad(y: f64, alpha: f64, sigma: f64) -> Out<3> {
    weibull(y, alpha, sigma, true)
}
c_lpdf!(hbm_weibull_lcdf, hbm_weibull_lcdf_grad, weibull_lcdf, weibull_lcdf_grad; y, alpha, sigma);
c_lpdf!(hbm_weibull_lccdf, hbm_weibull_lccdf_grad, weibull_lccdf, weibull_lccdf_grad; y, alpha, sigma);

// --- uniform ---------------------------------------------------------------------

/// Uniform(a, b): ln((y-a)/(b-a)) or ln((b-y)/(b-a)), partials (∂y, ∂a, ∂b).
fn uniform(y: f64, a: f64, b: f64, upper: bool) -> Out<3> {
    if y.is_nan() || !a.is_finite() || !b.is_finite() || !(a < b) {
        return reject();
    }
    let (below, above) = if upper { (0.0, f64::NEG_INFINITY) } else { (f64::NEG_INFINITY, 0.0) };
    if y <= a {
        return (below, [0.0; 3]);
    }
    if y >= b {
        return (above, [0.0; 3]);
    }
    let w = b - a;
    if upper {
        finish(((b - y) / w).ln(), [-1.0 / (b - y), 1.0 / w, 1.0 / (b - y) - 1.0 / w])
    } else {
        finish(((y - a) / w).ln(), [1.0 / (y - a), 1.0 / w - 1.0 / (y - a), -1.0 / w])
    }
}
/// ln((y - a)/(b - a)) on (a, b).
pub fn uniform_lcdf(y: f64, a: f64, b: f64) -> f64 {
    uniform(y, a, b, false).0
}
/// [`uniform_lcdf`] and its partials (∂y, ∂a, ∂b).
pub fn uniform_lcdf_grad(y: f64, a: f64, b: f64) -> Out<3> {
    uniform(y, a, b, false)
}
/// ln((b - y)/(b - a)) on (a, b).
pub fn uniform_lccdf(y: f64, a: f64, b: f64) -> f64 {
    uniform(y, a, b, true).0
}
/// [`uniform_lccdf`] and its partials (∂y, ∂a, ∂b).
pub fn uniform_lccdf_grad(y: f64, a: f64, b: f64) -> Out<3> {
    uniform(y, a, b, true)
}
c_lpdf!(hbm_uniform_lcdf, hbm_uniform_lcdf_grad, uniform_lcdf, uniform_lcdf_grad; y, a, b);
c_lpdf!(hbm_uniform_lccdf, hbm_uniform_lccdf_grad, uniform_lccdf, uniform_lccdf_grad; y, a, b);

// --- poisson ---------------------------------------------------------------------

/// P(N <= n) = Q(n + 1, λ); d/dλ P(N <= n) = -poisson(n | λ), so
/// ∂λ ln P(N <= n) = -e^{lpmf(n) - lcdf(n)} (and + for the lccdf).
fn poisson(n: i64, lambda: f64, upper: bool) -> Out<1> {
    if !(lambda >= 0.0) || lambda.is_infinite() {
        return reject();
    }
    if n < 0 {
        return (if upper { 0.0 } else { f64::NEG_INFINITY }, [0.0]);
    }
    if lambda == 0.0 {
        return (if upper { f64::NEG_INFINITY } else { 0.0 }, [0.0]);
    }
    let (lp, lq) = sp::log_gamma_pq(n as f64 + 1.0, lambda);
    let lpmf = super::poisson_lpmf(n, lambda);
    if upper {
        finish(lp, [(lpmf - lp).exp()])
    } else {
        finish(lq, [-(lpmf - lq).exp()])
    }
}
/// ln P(N <= n) for N ~ poisson(λ).
pub fn poisson_lcdf(n: i64, lambda: f64) -> f64 {
    poisson(n, lambda, false).0
}
/// [`poisson_lcdf`] and its partial (∂λ).
pub fn poisson_lcdf_grad(n: i64, lambda: f64) -> Out<1> {
    poisson(n, lambda, false)
}
/// ln P(N > n) for N ~ poisson(λ).
pub fn poisson_lccdf(n: i64, lambda: f64) -> f64 {
    poisson(n, lambda, true).0
}
/// [`poisson_lccdf`] and its partial (∂λ).
pub fn poisson_lccdf_grad(n: i64, lambda: f64) -> Out<1> {
    poisson(n, lambda, true)
}
c_lpmf!(hbm_poisson_lcdf, hbm_poisson_lcdf_grad, poisson_lcdf, poisson_lcdf_grad; [n]; [lambda]);
c_lpmf!(hbm_poisson_lccdf, hbm_poisson_lccdf_grad, poisson_lccdf, poisson_lccdf_grad; [n]; [lambda]);

// --- gamma and inv_gamma -------------------------------------------------------------

/// ln P(α, x) or ln Q(α, x) (`upper`) with partials (∂α, ∂x): the values
/// from the incomplete gamma in logs, the partials from ∂P/∂a (series) and
/// ∂P/∂x = x^{α-1} e^{-x} / Γ(α), divided by the tail's probability.
fn log_gamma_tail(alpha: f64, x: f64, upper: bool) -> (f64, [f64; 2]) {
    let (lp, lq) = sp::log_gamma_pq(alpha, x);
    let v = if upper { lq } else { lp };
    if !v.is_finite() {
        return (v, [0.0; 2]);
    }
    // ∂P/∂x / tail, in logs so that neither underflows.
    let dx = ((alpha - 1.0) * x.ln() - x - sp::lgamma(alpha) - v).exp();
    if upper && lq < -5.0 {
        // A small upper tail: its own derivative (the series for ∂P/∂a
        // would lose Q's digits to cancellation).
        return (v, [sp::log_gamma_q_d_a(alpha, x), -dx]);
    }
    let [da, _] = sp::gamma_p_grad(alpha, x);
    let da = da / v.exp();
    if upper {
        (v, [-da, -dx])
    } else {
        (v, [da, dx])
    }
}

/// Gamma(α, β) (rate β): P(Y <= y) = P(α, β y); partials (∂y, ∂α, ∂β).
fn gamma(y: f64, alpha: f64, beta: f64, upper: bool) -> Out<3> {
    if y.is_nan() || !pos_finite(alpha) || !pos_finite(beta) {
        return reject();
    }
    if y <= 0.0 {
        return (if upper { 0.0 } else { f64::NEG_INFINITY }, [0.0; 3]);
    }
    if y.is_infinite() {
        return (if upper { f64::NEG_INFINITY } else { 0.0 }, [0.0; 3]);
    }
    let (v, [da, dx]) = log_gamma_tail(alpha, beta * y, upper);
    finish(v, [dx * beta, da, dx * y])
}
/// ln P(Y <= y) for Y ~ gamma(α, β).
pub fn gamma_lcdf(y: f64, alpha: f64, beta: f64) -> f64 {
    gamma(y, alpha, beta, false).0
}
/// [`gamma_lcdf`] and its partials (∂y, ∂α, ∂β).
pub fn gamma_lcdf_grad(y: f64, alpha: f64, beta: f64) -> Out<3> {
    gamma(y, alpha, beta, false)
}
/// ln P(Y > y) for Y ~ gamma(α, β).
pub fn gamma_lccdf(y: f64, alpha: f64, beta: f64) -> f64 {
    gamma(y, alpha, beta, true).0
}
/// [`gamma_lccdf`] and its partials (∂y, ∂α, ∂β).
pub fn gamma_lccdf_grad(y: f64, alpha: f64, beta: f64) -> Out<3> {
    gamma(y, alpha, beta, true)
}
c_lpdf!(hbm_gamma_lcdf, hbm_gamma_lcdf_grad, gamma_lcdf, gamma_lcdf_grad; y, alpha, beta);
c_lpdf!(hbm_gamma_lccdf, hbm_gamma_lccdf_grad, gamma_lccdf, gamma_lccdf_grad; y, alpha, beta);

/// Inverse gamma(α, β) (scale β): P(Y <= y) = Q(α, β / y); partials (∂y, ∂α, ∂β).
fn inv_gamma(y: f64, alpha: f64, beta: f64, upper: bool) -> Out<3> {
    if y.is_nan() || !pos_finite(alpha) || !pos_finite(beta) {
        return reject();
    }
    if y <= 0.0 {
        return (if upper { 0.0 } else { f64::NEG_INFINITY }, [0.0; 3]);
    }
    if y.is_infinite() {
        return (if upper { f64::NEG_INFINITY } else { 0.0 }, [0.0; 3]);
    }
    let x = beta / y;
    // Y <= y is X = β/Y >= x: the upper tail of the gamma at x.
    let (v, [da, dx]) = log_gamma_tail(alpha, x, !upper);
    finish(v, [-dx * x / y, da, dx / y])
}
/// ln P(Y <= y) for Y ~ inv_gamma(α, β).
pub fn inv_gamma_lcdf(y: f64, alpha: f64, beta: f64) -> f64 {
    inv_gamma(y, alpha, beta, false).0
}
/// [`inv_gamma_lcdf`] and its partials (∂y, ∂α, ∂β).
pub fn inv_gamma_lcdf_grad(y: f64, alpha: f64, beta: f64) -> Out<3> {
    inv_gamma(y, alpha, beta, false)
}
/// ln P(Y > y) for Y ~ inv_gamma(α, β).
pub fn inv_gamma_lccdf(y: f64, alpha: f64, beta: f64) -> f64 {
    inv_gamma(y, alpha, beta, true).0
}
/// [`inv_gamma_lccdf`] and its partials (∂y, ∂α, ∂β).
pub fn inv_gamma_lccdf_grad(y: f64, alpha: f64, beta: f64) -> Out<3> {
    inv_gamma(y, alpha, beta, true)
}
c_lpdf!(hbm_inv_gamma_lcdf, hbm_inv_gamma_lcdf_grad, inv_gamma_lcdf, inv_gamma_lcdf_grad; y, alpha, beta);
c_lpdf!(hbm_inv_gamma_lccdf, hbm_inv_gamma_lccdf_grad, inv_gamma_lccdf, inv_gamma_lccdf_grad; y, alpha, beta);

// --- gumbel and rayleigh -------------------------------------------------------------

/// Gumbel: F(z) = exp(-e^{-z}), so ln F = -e^{-z}.
fn gumbel_lcdf_z(z: f64) -> (f64, f64) {
    let t = (-z).exp();
    (-t, t)
}
/// ln(1 - exp(-t)) at t = e^{-z}; d/dz = -t / (e^t - 1).
fn gumbel_lccdf_z(z: f64) -> (f64, f64) {
    let t = (-z).exp();
    let (v, d) = one_minus_exp(t, false);
    (v, -d * t)
}

loc_scale_cdfs!(
    gumbel_lcdf / gumbel_lcdf_grad / hbm_gumbel_lcdf / hbm_gumbel_lcdf_grad = gumbel_lcdf_z,
    gumbel_lccdf / gumbel_lccdf_grad / hbm_gumbel_lccdf / hbm_gumbel_lccdf_grad = gumbel_lccdf_z,
);

/// Rayleigh: P(Y > y) = e^{-t}, t = y²/(2σ²); partials (∂y, ∂σ).
fn rayleigh(y: f64, sigma: f64, upper: bool) -> Out<2> {
    if y.is_nan() || !pos_finite(sigma) {
        return reject();
    }
    if y <= 0.0 {
        return (if upper { 0.0 } else { f64::NEG_INFINITY }, [0.0; 2]);
    }
    if y.is_infinite() {
        return (if upper { f64::NEG_INFINITY } else { 0.0 }, [0.0; 2]);
    }
    let s2 = sigma * sigma;
    let (v, d) = one_minus_exp(0.5 * y * y / s2, upper);
    finish(v, [d * y / s2, -d * y * y / (s2 * sigma)])
}
/// ln(1 - e^{-y²/(2σ²)}).
pub fn rayleigh_lcdf(y: f64, sigma: f64) -> f64 {
    rayleigh(y, sigma, false).0
}
/// [`rayleigh_lcdf`] and its partials (∂y, ∂σ).
pub fn rayleigh_lcdf_grad(y: f64, sigma: f64) -> Out<2> {
    rayleigh(y, sigma, false)
}
/// -y²/(2σ²).
pub fn rayleigh_lccdf(y: f64, sigma: f64) -> f64 {
    rayleigh(y, sigma, true).0
}
/// [`rayleigh_lccdf`] and its partials (∂y, ∂σ).
pub fn rayleigh_lccdf_grad(y: f64, sigma: f64) -> Out<2> {
    rayleigh(y, sigma, true)
}
c_lpdf!(hbm_rayleigh_lcdf, hbm_rayleigh_lcdf_grad, rayleigh_lcdf, rayleigh_lcdf_grad; y, sigma);
c_lpdf!(hbm_rayleigh_lccdf, hbm_rayleigh_lccdf_grad, rayleigh_lccdf, rayleigh_lccdf_grad; y, sigma);
