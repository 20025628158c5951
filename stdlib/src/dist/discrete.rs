//! Discrete distributions: log mass, partials with respect to the real
//! parameters, and `_rng`. See [`crate::dist`] for the conventions on invalid
//! arguments; a count outside the support gives `-inf`.

use super::{c_lpmf, c_rng_int, finish, pos_finite, reject};
use crate::rng::{bad, RngError};
use crate::special as sp;
use rand::Rng;
use rand_distr::{Binomial, Distribution, Gamma, Poisson};

/// Largest Poisson rate accepted by the `_rng`s (Stan's limit, 2^30).
const POISSON_MAX_RATE: f64 = 1_073_741_824.0;

/// ln n! for a count n >= 0.
fn lfactorial(n: i64) -> f64 {
    sp::lgamma(n as f64 + 1.0)
}

// --- bernoulli -------------------------------------------------------------------

/// bernoulli(n | θ) = ln θ if n = 1, ln(1-θ) if n = 0.
pub fn bernoulli_lpmf(n: i64, theta: f64) -> f64 {
    bernoulli_lpmf_grad(n, theta).0
}

/// [`bernoulli_lpmf`] and its partial (∂θ).
pub fn bernoulli_lpmf_grad(n: i64, theta: f64) -> (f64, [f64; 1]) {
    if !(0.0..=1.0).contains(&theta) || !(0..=1).contains(&n) {
        return reject();
    }
    if n == 1 {
        finish(theta.ln(), [1.0 / theta])
    } else {
        finish(sp::log1m(theta), [-1.0 / (1.0 - theta)])
    }
}

/// A draw from bernoulli(θ).
pub fn bernoulli_rng<R: Rng + ?Sized>(rng: &mut R, theta: f64) -> Result<i64, RngError> {
    if !(0.0..=1.0).contains(&theta) {
        return Err(bad("bernoulli", "probability must be in [0, 1]"));
    }
    let u: f64 = rng.random();
    Ok(i64::from(u < theta))
}
c_lpmf!(hbm_bernoulli_lpmf, hbm_bernoulli_lpmf_grad, bernoulli_lpmf, bernoulli_lpmf_grad; [n]; [theta]);

/// [`bernoulli_lpmf_grad`]'s partial alone, without the logarithm of its
/// value: what the reverse sweep calls where it needs only the partial
/// (`ad/prune.rs`, `partials_alone`). The same number, 0 included where
/// the value is not finite.
pub extern "C" fn hbm_bernoulli_lpmf_d2(n: i64, theta: f64) -> f64 {
    if !(0.0..=1.0).contains(&theta) || !(0..=1).contains(&n) {
        return 0.0;
    }
    match n {
        1 if theta > 0.0 => 1.0 / theta,
        0 if theta < 1.0 => -1.0 / (1.0 - theta),
        _ => 0.0,
    }
}
c_rng_int!(hbm_bernoulli_rng, bernoulli_rng; []; [theta]);

// --- bernoulli_logit -----------------------------------------------------------------

/// bernoulli_logit(n | α) = bernoulli(n | inv_logit(α)), stable for large |α|.
pub fn bernoulli_logit_lpmf(n: i64, alpha: f64) -> f64 {
    bernoulli_logit_lpmf_grad(n, alpha).0
}

/// [`bernoulli_logit_lpmf`] and its partial (∂α).
pub fn bernoulli_logit_lpmf_grad(n: i64, alpha: f64) -> (f64, [f64; 1]) {
    if alpha.is_nan() || !(0..=1).contains(&n) {
        return reject();
    }
    if n == 1 {
        finish(sp::log_inv_logit(alpha), [sp::inv_logit(-alpha)])
    } else {
        finish(sp::log1m_inv_logit(alpha), [-sp::inv_logit(alpha)])
    }
}

/// A draw from bernoulli_logit(α).
pub fn bernoulli_logit_rng<R: Rng + ?Sized>(rng: &mut R, alpha: f64) -> Result<i64, RngError> {
    if alpha.is_nan() {
        return Err(bad("bernoulli_logit", "log-odds must not be NaN"));
    }
    bernoulli_rng(rng, sp::inv_logit(alpha))
}
c_lpmf!(hbm_bernoulli_logit_lpmf, hbm_bernoulli_logit_lpmf_grad, bernoulli_logit_lpmf, bernoulli_logit_lpmf_grad; [n]; [alpha]);
c_rng_int!(hbm_bernoulli_logit_rng, bernoulli_logit_rng; []; [alpha]);

// --- binomial ----------------------------------------------------------------------

/// ln C(N, n) for 0 <= n <= N.
pub(super) fn lchoose_int(big_n: i64, n: i64) -> f64 {
    sp::lchoose(big_n as f64, n as f64)
}

/// binomial(n | N, θ) = ln C(N, n) + n ln θ + (N-n) ln(1-θ), 0 <= n <= N.
pub fn binomial_lpmf(n: i64, big_n: i64, theta: f64) -> f64 {
    binomial_lpmf_grad(n, big_n, theta).0
}

/// [`binomial_lpmf`] and its partial (∂θ).
pub fn binomial_lpmf_grad(n: i64, big_n: i64, theta: f64) -> (f64, [f64; 1]) {
    with_count_term(binomial_uncounted_lpmf_grad(n, big_n, theta), || lchoose_int(big_n, n))
}

/// [`binomial_lpmf_grad`] without its count term ln C(N, n), which depends
/// on the data alone: the compiler adds it as a term of its own
/// (`lower/counted_densities.rs`), computed once when the data are bound.
pub fn binomial_uncounted_lpmf_grad(n: i64, big_n: i64, theta: f64) -> (f64, [f64; 1]) {
    if !(0.0..=1.0).contains(&theta) || n < 0 || big_n < 0 || n > big_n {
        return reject();
    }
    let (nf, mf) = (n as f64, (big_n - n) as f64);
    let v = sp::multiply_log(nf, theta)
        + if mf == 0.0 {
            0.0
        } else {
            mf * sp::log1m(theta)
        };
    let d = super::xdiv(nf, theta) - super::xdiv(mf, 1.0 - theta);
    finish(v, [d])
}

/// [`binomial_uncounted_lpmf_grad`]'s value.
pub fn binomial_uncounted_lpmf(n: i64, big_n: i64, theta: f64) -> f64 {
    binomial_uncounted_lpmf_grad(n, big_n, theta).0
}
c_lpmf!(hbm_binomial_uncounted_lpmf, hbm_binomial_uncounted_lpmf_grad, binomial_uncounted_lpmf, binomial_uncounted_lpmf_grad; [n, big_n]; [theta]);

/// [`binomial_uncounted_lpmf_grad`]'s partial alone, without the two
/// logarithms of its value (see [`hbm_bernoulli_lpmf_d2`]): 0 where the
/// value is not finite (`n > 0` at θ = 0, `N - n > 0` at θ = 1).
pub extern "C" fn hbm_binomial_uncounted_lpmf_d3(n: i64, big_n: i64, theta: f64) -> f64 {
    if !(0.0..=1.0).contains(&theta) || n < 0 || big_n < 0 || n > big_n {
        return 0.0;
    }
    let (nf, mf) = (n as f64, (big_n - n) as f64);
    if (nf > 0.0 && theta == 0.0) || (mf > 0.0 && theta == 1.0) {
        return 0.0;
    }
    super::xdiv(nf, theta) - super::xdiv(mf, 1.0 - theta)
}

/// A density without its count term, plus the term (`count`, finite for
/// every count the density accepts); an invalid argument's -∞ stays.
fn with_count_term(uncounted: (f64, [f64; 1]), count: impl FnOnce() -> f64) -> (f64, [f64; 1]) {
    let (v, g) = uncounted;
    if v.is_finite() {
        finish(count() + v, g)
    } else {
        (v, g)
    }
}

/// A draw from binomial(N, θ).
pub fn binomial_rng<R: Rng + ?Sized>(rng: &mut R, big_n: i64, theta: f64) -> Result<i64, RngError> {
    if !(0.0..=1.0).contains(&theta) || big_n < 0 {
        return Err(bad("binomial", "need N >= 0 and probability in [0, 1]"));
    }
    let d =
        Binomial::new(big_n as u64, theta).map_err(|_| bad("binomial", "invalid parameters"))?;
    // A draw is at most N, which fits in i64.
    Ok(d.sample(rng) as i64)
}
c_lpmf!(hbm_binomial_lpmf, hbm_binomial_lpmf_grad, binomial_lpmf, binomial_lpmf_grad; [n, big_n]; [theta]);
c_rng_int!(hbm_binomial_rng, binomial_rng; [big_n]; [theta]);

// --- binomial_logit ------------------------------------------------------------------

/// binomial_logit(n | N, α) = binomial(n | N, inv_logit(α)), stable for large |α|.
pub fn binomial_logit_lpmf(n: i64, big_n: i64, alpha: f64) -> f64 {
    binomial_logit_lpmf_grad(n, big_n, alpha).0
}

/// [`binomial_logit_lpmf`] and its partial (∂α).
pub fn binomial_logit_lpmf_grad(n: i64, big_n: i64, alpha: f64) -> (f64, [f64; 1]) {
    with_count_term(binomial_logit_uncounted_lpmf_grad(n, big_n, alpha), || lchoose_int(big_n, n))
}

/// [`binomial_logit_lpmf_grad`] without its count term ln C(N, n) (see
/// [`binomial_uncounted_lpmf_grad`]).
pub fn binomial_logit_uncounted_lpmf_grad(n: i64, big_n: i64, alpha: f64) -> (f64, [f64; 1]) {
    if alpha.is_nan() || n < 0 || big_n < 0 || n > big_n {
        return reject();
    }
    let (nf, mf) = (n as f64, (big_n - n) as f64);
    // ln σ(α), ln(1 - σ(α)), σ(α) and σ(-α) from one `exp` and one `log1p`:
    // with e = e^{-|α|} and t = ln(1 + e), the forms `log_inv_logit`,
    // `log1m_inv_logit` and `inv_logit` take (so the same bits).
    let e = (-alpha.abs()).exp();
    let t = e.ln_1p();
    let (upper, lower) = (1.0 / (1.0 + e), e / (1.0 + e));
    let (log_p, log_q, p, q) = if alpha >= 0.0 { (-t, -alpha - t, upper, lower) } else { (alpha - t, -t, lower, upper) };
    let a = if nf == 0.0 { 0.0 } else { nf * log_p };
    let b = if mf == 0.0 { 0.0 } else { mf * log_q };
    let d = nf * q - mf * p;
    finish(a + b, [d])
}

/// [`binomial_logit_uncounted_lpmf_grad`]'s value.
pub fn binomial_logit_uncounted_lpmf(n: i64, big_n: i64, alpha: f64) -> f64 {
    binomial_logit_uncounted_lpmf_grad(n, big_n, alpha).0
}
c_lpmf!(hbm_binomial_logit_uncounted_lpmf, hbm_binomial_logit_uncounted_lpmf_grad, binomial_logit_uncounted_lpmf, binomial_logit_uncounted_lpmf_grad; [n, big_n]; [alpha]);

/// A draw from binomial_logit(N, α).
pub fn binomial_logit_rng<R: Rng + ?Sized>(
    rng: &mut R,
    big_n: i64,
    alpha: f64,
) -> Result<i64, RngError> {
    if alpha.is_nan() {
        return Err(bad("binomial_logit", "log-odds must not be NaN"));
    }
    binomial_rng(rng, big_n, sp::inv_logit(alpha))
}
c_lpmf!(hbm_binomial_logit_lpmf, hbm_binomial_logit_lpmf_grad, binomial_logit_lpmf, binomial_logit_lpmf_grad; [n, big_n]; [alpha]);
c_rng_int!(hbm_binomial_logit_rng, binomial_logit_rng; [big_n]; [alpha]);

// --- poisson -----------------------------------------------------------------------

/// poisson(n | λ) = n ln λ - λ - ln n!, n >= 0, λ >= 0 finite.
pub fn poisson_lpmf(n: i64, lambda: f64) -> f64 {
    poisson_lpmf_grad(n, lambda).0
}

/// [`poisson_lpmf`] and its partial (∂λ).
pub fn poisson_lpmf_grad(n: i64, lambda: f64) -> (f64, [f64; 1]) {
    with_count_term(poisson_uncounted_lpmf_grad(n, lambda), || -lfactorial(n))
}

/// [`poisson_lpmf_grad`] without its count term -ln n! (see
/// [`binomial_uncounted_lpmf_grad`]).
pub fn poisson_uncounted_lpmf_grad(n: i64, lambda: f64) -> (f64, [f64; 1]) {
    if !(lambda >= 0.0) || lambda.is_infinite() || n < 0 {
        return reject();
    }
    let nf = n as f64;
    let v = sp::multiply_log(nf, lambda) - lambda;
    finish(v, [super::xdiv(nf, lambda) - 1.0])
}

/// [`poisson_uncounted_lpmf_grad`]'s value.
pub fn poisson_uncounted_lpmf(n: i64, lambda: f64) -> f64 {
    poisson_uncounted_lpmf_grad(n, lambda).0
}
c_lpmf!(hbm_poisson_uncounted_lpmf, hbm_poisson_uncounted_lpmf_grad, poisson_uncounted_lpmf, poisson_uncounted_lpmf_grad; [n]; [lambda]);

/// Draws Poisson(λ) for 0 <= λ <= 2^30.
pub(super) fn poisson_draw<R: Rng + ?Sized>(
    rng: &mut R,
    lambda: f64,
    name: &'static str,
) -> Result<i64, RngError> {
    if !(lambda >= 0.0) || lambda > POISSON_MAX_RATE {
        return Err(bad(name, "rate must be in [0, 2^30]"));
    }
    if lambda == 0.0 {
        return Ok(0);
    }
    let d = Poisson::new(lambda).map_err(|_| bad(name, "invalid rate"))?;
    // Draws are far below 2^53 for rates up to 2^30, so the cast is exact.
    Ok(d.sample(rng) as i64)
}

/// A draw from poisson(λ), λ <= 2^30 as in Stan.
pub fn poisson_rng<R: Rng + ?Sized>(rng: &mut R, lambda: f64) -> Result<i64, RngError> {
    poisson_draw(rng, lambda, "poisson")
}
c_lpmf!(hbm_poisson_lpmf, hbm_poisson_lpmf_grad, poisson_lpmf, poisson_lpmf_grad; [n]; [lambda]);
c_rng_int!(hbm_poisson_rng, poisson_rng; []; [lambda]);

// --- poisson_log ---------------------------------------------------------------------

/// poisson_log(n | α) = n α - e^α - ln n! (poisson with λ = e^α).
pub fn poisson_log_lpmf(n: i64, alpha: f64) -> f64 {
    poisson_log_lpmf_grad(n, alpha).0
}

/// [`poisson_log_lpmf`] and its partial (∂α).
pub fn poisson_log_lpmf_grad(n: i64, alpha: f64) -> (f64, [f64; 1]) {
    with_count_term(poisson_log_uncounted_lpmf_grad(n, alpha), || -lfactorial(n))
}

/// [`poisson_log_lpmf_grad`] without its count term -ln n! (see
/// [`binomial_uncounted_lpmf_grad`]).
pub fn poisson_log_uncounted_lpmf_grad(n: i64, alpha: f64) -> (f64, [f64; 1]) {
    if alpha.is_nan() || alpha == f64::INFINITY || n < 0 {
        return reject();
    }
    if alpha == f64::NEG_INFINITY {
        // λ = 0: all mass at 0.
        return if n == 0 { (0.0, [0.0]) } else { reject() };
    }
    let nf = n as f64;
    let e = alpha.exp();
    finish(nf * alpha - e, [nf - e])
}

/// [`poisson_log_uncounted_lpmf_grad`]'s value.
pub fn poisson_log_uncounted_lpmf(n: i64, alpha: f64) -> f64 {
    poisson_log_uncounted_lpmf_grad(n, alpha).0
}
c_lpmf!(hbm_poisson_log_uncounted_lpmf, hbm_poisson_log_uncounted_lpmf_grad, poisson_log_uncounted_lpmf, poisson_log_uncounted_lpmf_grad; [n]; [alpha]);

/// A draw from poisson_log(α).
pub fn poisson_log_rng<R: Rng + ?Sized>(rng: &mut R, alpha: f64) -> Result<i64, RngError> {
    if alpha.is_nan() {
        return Err(bad("poisson_log", "log rate must not be NaN"));
    }
    poisson_draw(rng, alpha.exp(), "poisson_log")
}
c_lpmf!(hbm_poisson_log_lpmf, hbm_poisson_log_lpmf_grad, poisson_log_lpmf, poisson_log_lpmf_grad; [n]; [alpha]);
c_rng_int!(hbm_poisson_log_rng, poisson_log_rng; []; [alpha]);

// --- neg_binomial_2 / neg_binomial_2_log -----------------------------------------------

/// ψ(n+φ) - ψ(φ), summed exactly for small n (no cancellation when φ is large).
fn digamma_diff(n: i64, phi: f64) -> f64 {
    if n < 64 {
        (0..n).map(|k| 1.0 / (phi + k as f64)).sum()
    } else {
        sp::digamma(n as f64 + phi) - sp::digamma(phi)
    }
}

/// Largest count whose negative binomial coefficient [`nb_lchoose`] takes
/// as a product of its factors rather than through `lbeta`.
const NB_PRODUCT_MAX_N: i64 = 32;

/// ln C(n+φ-1, n) as the log of `Π_{k<n} (φ+k) / n!` for the small counts
/// of most count data (1 ≤ n ≤ 32, 1e-100 ≤ φ ≤ 1e8), with Σ_{k<n} 1/(φ+k)
/// (its partial in φ) summed in the same pass when `RECIPROCALS`; `None`
/// outside that range. There the product stays within (1e-100, 1e257) and
/// n! below 3e35, so nothing overflows or underflows, and its n roundings
/// leave the log within about 1e-14 of the exact value.
fn nb_lchoose_product<const RECIPROCALS: bool>(n: i64, phi: f64) -> Option<(f64, f64)> {
    if !(1..=NB_PRODUCT_MAX_N).contains(&n) || !(1e-100..=1e8).contains(&phi) {
        return None;
    }
    let (mut rising, mut factorial, mut d_phi) = (phi, 1.0, if RECIPROCALS { 1.0 / phi } else { 0.0 });
    for k in 1..n {
        let k = k as f64;
        rising *= phi + k;
        factorial *= k + 1.0;
        if RECIPROCALS {
            d_phi += 1.0 / (phi + k);
        }
    }
    Some(((rising / factorial).ln(), d_phi))
}

/// ln C(n+φ-1, n), the negative binomial's coefficient (0 at n = 0): a
/// product of its factors for small counts ([`nb_lchoose_product`], one
/// `ln` where `lbeta` takes three `lgamma`s), otherwise
/// -ln(n+φ) - ln B(φ, n+1), accurate when φ is large.
pub fn nb_lchoose(n: i64, phi: f64) -> f64 {
    if n == 0 {
        0.0
    } else if let Some((value, _)) = nb_lchoose_product::<false>(n, phi) {
        value
    } else {
        let nf = n as f64;
        -(nf + phi).ln() - sp::lbeta(phi, nf + 1.0)
    }
}

/// [`nb_lchoose`] and [`nb_lchoose_d_phi`] together: on the product path
/// one pass over the factors gives the product and the sum of their
/// reciprocals.
pub fn nb_lchoose_grad(n: i64, phi: f64) -> (f64, f64) {
    nb_lchoose_product::<true>(n, phi).unwrap_or_else(|| (nb_lchoose(n, phi), nb_lchoose_d_phi(n, phi)))
}

/// ∂/∂φ of [`nb_lchoose`]: ψ(n+φ) - ψ(φ), summed exactly for small n.
pub fn nb_lchoose_d_phi(n: i64, phi: f64) -> f64 {
    digamma_diff(n, phi)
}

/// Core of both parameterisations, in terms of η = ln μ:
/// ln C(n+φ-1, n) + n(η - ln(μ+φ)) + φ(ln φ - ln(μ+φ)), written with
/// s = ln(1 + μ/φ) so that φ → ∞ (the Poisson limit) keeps its precision.
/// Returns (value, ∂η, ∂φ).
fn nb2_log_core(n: i64, eta: f64, phi: f64) -> (f64, [f64; 2]) {
    let nf = n as f64;
    let ln_phi = phi.ln();
    let x = eta - ln_phi; // ln(μ/φ)
    let s = sp::log1p_exp(x); // ln(1 + μ/φ)
    let p = sp::inv_logit(x); // μ/(μ+φ)
                              // ln C(n+φ-1, n) = -ln(n+φ) - ln B(φ, n+1)
    let lchoose = nb_lchoose(n, phi);
    let v = lchoose + nf * (x - s) - phi * s;
    let deta = nf * sp::inv_logit(-x) - phi * p;
    let dphi = digamma_diff(n, phi) - s + (p - nf * sp::inv_logit(-x) / phi);
    (v, [deta, dphi])
}

/// neg_binomial_2(n | μ, φ): mean μ, variance μ + μ²/φ (Stan's parameterisation).
pub fn neg_binomial_2_lpmf(n: i64, mu: f64, phi: f64) -> f64 {
    neg_binomial_2_lpmf_grad(n, mu, phi).0
}

/// [`neg_binomial_2_lpmf`] and its partials (∂μ, ∂φ).
pub fn neg_binomial_2_lpmf_grad(n: i64, mu: f64, phi: f64) -> (f64, [f64; 2]) {
    if !pos_finite(mu) || !pos_finite(phi) || n < 0 {
        return reject();
    }
    let (v, [deta, dphi]) = nb2_log_core(n, mu.ln(), phi);
    finish(v, [deta / mu, dphi])
}

/// neg_binomial_2_log(n | η, φ) = neg_binomial_2(n | e^η, φ).
pub fn neg_binomial_2_log_lpmf(n: i64, eta: f64, phi: f64) -> f64 {
    neg_binomial_2_log_lpmf_grad(n, eta, phi).0
}

/// [`neg_binomial_2_log_lpmf`] and its partials (∂η, ∂φ).
pub fn neg_binomial_2_log_lpmf_grad(n: i64, eta: f64, phi: f64) -> (f64, [f64; 2]) {
    if !eta.is_finite() || !pos_finite(phi) || n < 0 {
        return reject();
    }
    let (v, g) = nb2_log_core(n, eta, phi);
    finish(v, g)
}

/// Gamma–Poisson mixture draw shared by both parameterisations.
fn nb2_draw<R: Rng + ?Sized>(
    rng: &mut R,
    mu: f64,
    phi: f64,
    name: &'static str,
) -> Result<i64, RngError> {
    if !pos_finite(mu) || !pos_finite(phi) {
        return Err(bad(
            name,
            "location and precision must be positive and finite",
        ));
    }
    let g = Gamma::new(phi, mu / phi).map_err(|_| bad(name, "invalid parameters"))?;
    let rate = g.sample(rng);
    poisson_draw(rng, rate, name)
}

/// A draw from neg_binomial_2(μ, φ).
pub fn neg_binomial_2_rng<R: Rng + ?Sized>(
    rng: &mut R,
    mu: f64,
    phi: f64,
) -> Result<i64, RngError> {
    nb2_draw(rng, mu, phi, "neg_binomial_2")
}

/// A draw from neg_binomial_2_log(η, φ).
pub fn neg_binomial_2_log_rng<R: Rng + ?Sized>(
    rng: &mut R,
    eta: f64,
    phi: f64,
) -> Result<i64, RngError> {
    nb2_draw(rng, eta.exp(), phi, "neg_binomial_2_log")
}
c_lpmf!(hbm_neg_binomial_2_lpmf, hbm_neg_binomial_2_lpmf_grad, neg_binomial_2_lpmf, neg_binomial_2_lpmf_grad; [n]; [mu, phi]);
c_rng_int!(hbm_neg_binomial_2_rng, neg_binomial_2_rng; []; [mu, phi]);
c_lpmf!(hbm_neg_binomial_2_log_lpmf, hbm_neg_binomial_2_log_lpmf_grad, neg_binomial_2_log_lpmf, neg_binomial_2_log_lpmf_grad; [n]; [eta, phi]);
c_rng_int!(hbm_neg_binomial_2_log_rng, neg_binomial_2_log_rng; []; [eta, phi]);

// --- beta_binomial ---------------------------------------------------------------------

/// beta_binomial(n | N, α, β) = ln C(N, n) + ln B(n + α, N - n + β) - ln B(α, β),
/// 0 <= n <= N, α and β positive and finite.
pub fn beta_binomial_lpmf(n: i64, big_n: i64, alpha: f64, beta: f64) -> f64 {
    beta_binomial_lpmf_grad(n, big_n, alpha, beta).0
}

/// [`beta_binomial_lpmf`] and its partials (∂α, ∂β):
/// ψ(n+α) - ψ(N+α+β) - ψ(α) + ψ(α+β) and ψ(N-n+β) - ψ(N+α+β) - ψ(β) + ψ(α+β).
pub fn beta_binomial_lpmf_grad(n: i64, big_n: i64, alpha: f64, beta: f64) -> (f64, [f64; 2]) {
    if !pos_finite(alpha) || !pos_finite(beta) || n < 0 || big_n < 0 || n > big_n {
        return reject();
    }
    let (nf, mf) = (n as f64, (big_n - n) as f64);
    let v = lchoose_int(big_n, n) + sp::lbeta(nf + alpha, mf + beta) - sp::lbeta(alpha, beta);
    let total = sp::digamma(big_n as f64 + alpha + beta);
    let ab = sp::digamma(alpha + beta);
    let da = sp::digamma(nf + alpha) - total - sp::digamma(alpha) + ab;
    let db = sp::digamma(mf + beta) - total - sp::digamma(beta) + ab;
    finish(v, [da, db])
}

/// A draw from beta_binomial(N, α, β): θ ~ beta(α, β), then binomial(N, θ).
pub fn beta_binomial_rng<R: Rng + ?Sized>(rng: &mut R, big_n: i64, alpha: f64, beta: f64) -> Result<i64, RngError> {
    if !pos_finite(alpha) || !pos_finite(beta) || big_n < 0 {
        return Err(bad("beta_binomial", "need N >= 0 and positive finite shapes"));
    }
    let theta = super::beta_rng(rng, alpha, beta)?;
    binomial_rng(rng, big_n, theta)
}
c_lpmf!(hbm_beta_binomial_lpmf, hbm_beta_binomial_lpmf_grad, beta_binomial_lpmf, beta_binomial_lpmf_grad; [n, big_n]; [alpha, beta]);
c_rng_int!(hbm_beta_binomial_rng, beta_binomial_rng; [big_n]; [alpha, beta]);

#[cfg(test)]
mod tests {
    use super::*;

    /// The partial-alone forms give exactly the `_grad` forms' partial,
    /// at the edges of the support and outside it too.
    #[test]
    fn partials_alone_equal_the_grad_forms_partial() {
        let thetas = [0.0, 1e-300, 0.3, 0.5, 1.0 - 1e-16, 1.0, -0.1, 1.1, f64::NAN];
        for &theta in &thetas {
            for n in -1..=2 {
                let g = bernoulli_lpmf_grad(n, theta).1[0];
                let d = hbm_bernoulli_lpmf_d2(n, theta);
                assert!(g == d || (g.is_nan() && d.is_nan()), "bernoulli({n} | {theta}): {g} vs {d}");
                for big_n in [0, 1, 2, 7] {
                    let g = binomial_uncounted_lpmf_grad(n, big_n, theta).1[0];
                    let d = hbm_binomial_uncounted_lpmf_d3(n, big_n, theta);
                    assert!(g == d || (g.is_nan() && d.is_nan()), "binomial({n} | {big_n}, {theta}): {g} vs {d}");
                }
            }
        }
    }
}
