//! More count distributions of Stan: neg_binomial (shape/rate form),
//! beta_neg_binomial, discrete_range and hypergeometric, with `_lpmf`,
//! partials in the real parameters, `_rng`, and the log cdfs Stan has.
//! Conventions as in [`crate::dist`].

use super::discrete::{lchoose_int, poisson_draw};
use super::{c_lpmf, c_rng_int, finish, pos_finite, reject};
use crate::rng::{bad, RngError};
use crate::special as sp;
use rand::Rng;
use rand_distr::{Distribution, Gamma};

// --- neg_binomial ------------------------------------------------------------------------

/// neg_binomial(n | α, β) = ln C(n+α-1, n) + α ln(β/(1+β)) - n ln(1+β):
/// the same law as neg_binomial_2(n | α/β, α), so the value and partials
/// come from that parameterisation's stable core by the chain rule.
pub fn neg_binomial_lpmf(n: i64, alpha: f64, beta: f64) -> f64 {
    neg_binomial_lpmf_grad(n, alpha, beta).0
}

/// [`neg_binomial_lpmf`] and its partials (∂α, ∂β).
pub fn neg_binomial_lpmf_grad(n: i64, alpha: f64, beta: f64) -> (f64, [f64; 2]) {
    if !pos_finite(alpha) || !pos_finite(beta) || n < 0 {
        return reject();
    }
    let mu = alpha / beta;
    let (v, [dmu, dphi]) = super::neg_binomial_2_lpmf_grad(n, mu, alpha);
    finish(v, [dmu / beta + dphi, -dmu * mu / beta])
}

/// neg_binomial's log cdf and log ccdf from neg_binomial_2's (μ = α/β, φ = α).
fn neg_binomial_tail(n: i64, alpha: f64, beta: f64, upper: bool) -> (f64, [f64; 2]) {
    if !pos_finite(alpha) || !pos_finite(beta) {
        return reject();
    }
    let mu = alpha / beta;
    let (v, [dmu, dphi]) =
        if upper { super::neg_binomial_2_lccdf_grad(n, mu, alpha) } else { super::neg_binomial_2_lcdf_grad(n, mu, alpha) };
    finish(v, [dmu / beta + dphi, -dmu * mu / beta])
}

/// ln P(N <= n) of neg_binomial(α, β).
pub fn neg_binomial_lcdf(n: i64, alpha: f64, beta: f64) -> f64 {
    neg_binomial_tail(n, alpha, beta, false).0
}

/// [`neg_binomial_lcdf`] and its partials (∂α, ∂β).
pub fn neg_binomial_lcdf_grad(n: i64, alpha: f64, beta: f64) -> (f64, [f64; 2]) {
    neg_binomial_tail(n, alpha, beta, false)
}

/// ln P(N > n) of neg_binomial(α, β).
pub fn neg_binomial_lccdf(n: i64, alpha: f64, beta: f64) -> f64 {
    neg_binomial_tail(n, alpha, beta, true).0
}

/// [`neg_binomial_lccdf`] and its partials (∂α, ∂β).
pub fn neg_binomial_lccdf_grad(n: i64, alpha: f64, beta: f64) -> (f64, [f64; 2]) {
    neg_binomial_tail(n, alpha, beta, true)
}

/// A draw from neg_binomial(α, β): a gamma(α, rate β) rate, then a Poisson count.
pub fn neg_binomial_rng<R: Rng + ?Sized>(rng: &mut R, alpha: f64, beta: f64) -> Result<i64, RngError> {
    if !pos_finite(alpha) || !pos_finite(beta) {
        return Err(bad("neg_binomial", "shape and inverse scale must be positive and finite"));
    }
    let g = Gamma::new(alpha, 1.0 / beta).map_err(|_| bad("neg_binomial", "invalid parameters"))?;
    let rate = g.sample(rng);
    poisson_draw(rng, rate, "neg_binomial")
}
c_lpmf!(hbm_neg_binomial_lpmf, hbm_neg_binomial_lpmf_grad, neg_binomial_lpmf, neg_binomial_lpmf_grad; [n]; [alpha, beta]);
c_lpmf!(hbm_neg_binomial_lcdf, hbm_neg_binomial_lcdf_grad, neg_binomial_lcdf, neg_binomial_lcdf_grad; [n]; [alpha, beta]);
c_lpmf!(hbm_neg_binomial_lccdf, hbm_neg_binomial_lccdf_grad, neg_binomial_lccdf, neg_binomial_lccdf_grad; [n]; [alpha, beta]);
c_rng_int!(hbm_neg_binomial_rng, neg_binomial_rng; []; [alpha, beta]);

// --- beta_neg_binomial -------------------------------------------------------------------

/// beta_neg_binomial(n | r, α, β) = ln B(n+r, α+β) - ln B(r, α)
/// + ln Γ(n+β) - ln Γ(n+1) - ln Γ(β): the number of failures before the
/// r-th success when the success probability is beta(α, β).
pub fn beta_neg_binomial_lpmf(n: i64, r: f64, alpha: f64, beta: f64) -> f64 {
    beta_neg_binomial_lpmf_grad(n, r, alpha, beta).0
}

/// [`beta_neg_binomial_lpmf`] and its partials (∂r, ∂α, ∂β).
pub fn beta_neg_binomial_lpmf_grad(n: i64, r: f64, alpha: f64, beta: f64) -> (f64, [f64; 3]) {
    if !pos_finite(r) || !pos_finite(alpha) || !pos_finite(beta) || n < 0 {
        return reject();
    }
    let nf = n as f64;
    let v = sp::lbeta(nf + r, alpha + beta) - sp::lbeta(r, alpha) + sp::lgamma(nf + beta)
        - sp::lgamma(nf + 1.0)
        - sp::lgamma(beta);
    let all = sp::digamma(nf + r + alpha + beta);
    let ra = sp::digamma(r + alpha);
    let ab = sp::digamma(alpha + beta);
    let dr = sp::digamma(nf + r) - all - sp::digamma(r) + ra;
    let da = ab - all - sp::digamma(alpha) + ra;
    let db = ab - all + sp::digamma(nf + beta) - sp::digamma(beta);
    finish(v, [dr, da, db])
}

/// A draw from beta_neg_binomial(r, α, β): p ~ beta(α, β), then the
/// failures before r successes of probability p, neg_binomial(r, p/(1-p)).
pub fn beta_neg_binomial_rng<R: Rng + ?Sized>(rng: &mut R, r: f64, alpha: f64, beta: f64) -> Result<i64, RngError> {
    if !pos_finite(r) || !pos_finite(alpha) || !pos_finite(beta) {
        return Err(bad("beta_neg_binomial", "r, alpha and beta must be positive and finite"));
    }
    let p = super::beta_rng(rng, alpha, beta)?;
    let odds = p / (1.0 - p);
    if !pos_finite(odds) {
        // p rounded to 0 (no success ever: an unbounded count) or to 1 (no failure).
        return if p >= 1.0 { Ok(0) } else { Err(bad("beta_neg_binomial", "success probability underflowed to 0")) };
    }
    neg_binomial_rng(rng, r, odds)
}
c_lpmf!(hbm_beta_neg_binomial_lpmf, hbm_beta_neg_binomial_lpmf_grad, beta_neg_binomial_lpmf, beta_neg_binomial_lpmf_grad; [n]; [r, alpha, beta]);
c_rng_int!(hbm_beta_neg_binomial_rng, beta_neg_binomial_rng; []; [r, alpha, beta]);

// --- discrete_range ----------------------------------------------------------------------

/// discrete_range(y | lower, upper) = -ln(upper - lower + 1) for
/// lower <= y <= upper; lower > upper is invalid.
pub fn discrete_range_lpmf(y: i64, lower: i64, upper: i64) -> f64 {
    if lower > upper || y < lower || y > upper {
        return f64::NEG_INFINITY;
    }
    -((upper as f64) - (lower as f64) + 1.0).ln()
}

/// ln P(Y <= y) of discrete_range(lower, upper).
pub fn discrete_range_lcdf(y: i64, lower: i64, upper: i64) -> f64 {
    if lower > upper || y < lower {
        return f64::NEG_INFINITY;
    }
    if y >= upper {
        return 0.0;
    }
    ((y as f64) - (lower as f64) + 1.0).ln() - ((upper as f64) - (lower as f64) + 1.0).ln()
}

/// ln P(Y > y) of discrete_range(lower, upper).
pub fn discrete_range_lccdf(y: i64, lower: i64, upper: i64) -> f64 {
    if lower > upper || y >= upper {
        return f64::NEG_INFINITY;
    }
    if y < lower {
        return 0.0;
    }
    ((upper as f64) - (y as f64)).ln() - ((upper as f64) - (lower as f64) + 1.0).ln()
}

/// A draw from discrete_range(lower, upper), uniform on the integers.
pub fn discrete_range_rng<R: Rng + ?Sized>(rng: &mut R, lower: i64, upper: i64) -> Result<i64, RngError> {
    if lower > upper {
        return Err(bad("discrete_range", "lower bound must be <= upper bound"));
    }
    Ok(rng.random_range(lower..=upper))
}

// --- hypergeometric ----------------------------------------------------------------------

/// hypergeometric(n | N, a, b) = ln C(a, n) + ln C(b, N-n) - ln C(a+b, N):
/// n successes in N draws without replacement from a successes and b
/// failures; needs 0 <= N <= a + b, a, b >= 0 and max(0, N-b) <= n <= min(a, N).
pub fn hypergeometric_lpmf(n: i64, draws: i64, a: i64, b: i64) -> f64 {
    if a < 0 || b < 0 || draws < 0 || draws > a.saturating_add(b) || n < 0 || n > a || n > draws || draws - n > b {
        return f64::NEG_INFINITY;
    }
    // a + b in f64: it may exceed i64's range.
    lchoose_int(a, n) + lchoose_int(b, draws - n) - sp::lchoose(a as f64 + b as f64, draws as f64)
}

/// The most draws `hypergeometric_rng` simulates one by one.
pub const HYPERGEOMETRIC_MAX_DRAWS: i64 = 1 << 24;

/// A draw from hypergeometric(N, a, b), by N draws without replacement
/// (N up to [`HYPERGEOMETRIC_MAX_DRAWS`]).
pub fn hypergeometric_rng<R: Rng + ?Sized>(rng: &mut R, draws: i64, a: i64, b: i64) -> Result<i64, RngError> {
    let Some(total) = a.checked_add(b) else {
        return Err(bad("hypergeometric", "a + b is too large"));
    };
    if a < 0 || b < 0 || draws < 0 || draws > total {
        return Err(bad("hypergeometric", "need a, b >= 0 and 0 <= N <= a + b"));
    }
    if draws > HYPERGEOMETRIC_MAX_DRAWS {
        return Err(bad("hypergeometric", "N is above 2^24 draws"));
    }
    let (mut good, mut left, mut hits) = (a, total, 0);
    for _ in 0..draws {
        if rng.random_range(0..left) < good {
            good -= 1;
            hits += 1;
        }
        left -= 1;
    }
    Ok(hits)
}

/// C-ABI value and (empty) `_grad` wrappers of a log mass function whose
/// arguments are all integers: nothing to differentiate, but the AD's
/// calling convention still names a `_grad` form.
macro_rules! c_int_only {
    ($cname:ident, $cgrad:ident, $val:ident; $($i:ident),+) => {
        #[doc = concat!("C-ABI form of [`", stringify!($val), "`].")]
        pub extern "C" fn $cname($($i: i64),+) -> f64 {
            $val($($i),+)
        }
        #[doc = concat!("C-ABI `_grad` form of [`", stringify!($val), "`]: no real argument, so no partial is written.")]
        ///
        /// # Safety
        /// Always safe: `partials` is never read or written.
        pub unsafe extern "C" fn $cgrad($($i: i64,)+ _partials: *mut f64) -> f64 {
            $val($($i),+)
        }
    };
}
c_int_only!(hbm_discrete_range_lpmf, hbm_discrete_range_lpmf_grad, discrete_range_lpmf; y, lower, upper);
c_int_only!(hbm_discrete_range_lcdf, hbm_discrete_range_lcdf_grad, discrete_range_lcdf; y, lower, upper);
c_int_only!(hbm_discrete_range_lccdf, hbm_discrete_range_lccdf_grad, discrete_range_lccdf; y, lower, upper);
c_int_only!(hbm_hypergeometric_lpmf, hbm_hypergeometric_lpmf_grad, hypergeometric_lpmf; n, draws, a, b);
c_rng_int!(hbm_discrete_range_rng, discrete_range_rng; [lower, upper]; []);
c_rng_int!(hbm_hypergeometric_rng, hypergeometric_rng; [draws, a, b]; []);
