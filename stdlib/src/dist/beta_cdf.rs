//! Log cdfs and ccdfs built on the regularized incomplete beta function
//! ([`crate::inc_beta`]): beta, student_t, binomial and neg_binomial_2, with
//! partials in the densities' order (variate first for continuous ones; the
//! real parameters only for the discrete ones). Conventions as in
//! [`crate::dist::cdf`].

use super::{c_lpdf, discrete_pair, finish, pos_finite, reject};
use crate::inc_beta::log_inc_beta;
use crate::special as sp;
use std::f64::consts::LN_2;

/// A cdf value and its partials.
type Out<const N: usize> = (f64, [f64; N]);

/// The result beyond the support: lcdf -inf below and 0 above, lccdf the reverse.
fn edge<const N: usize>(upper: bool, below: bool) -> Out<N> {
    (if upper == below { 0.0 } else { f64::NEG_INFINITY }, [0.0; N])
}

// --- beta ----------------------------------------------------------------------------

/// Beta(α, β): P(Y <= y) = I_y(α, β); partials (∂y, ∂α, ∂β).
fn beta_tail(y: f64, a: f64, b: f64, upper: bool) -> Out<3> {
    if y.is_nan() || !pos_finite(a) || !pos_finite(b) {
        return reject();
    }
    if y <= 0.0 {
        return edge(upper, true);
    }
    if y >= 1.0 {
        return edge(upper, false);
    }
    let Some(r) = log_inc_beta(a, b, y, 1.0 - y) else { return reject() };
    let (v, [da, db, dx]) = if upper { r.upper } else { r.lower };
    finish(v, [dx, da, db])
}

// --- student_t -----------------------------------------------------------------------

/// Student's t(ν, μ, σ): with t = (y-μ)/σ, the tail beyond |t| is
/// I_x(ν/2, 1/2)/2 with x = ν/(ν+t²). Partials (∂y, ∂ν, ∂μ, ∂σ): ∂y from
/// the density, ∂ν through a = ν/2 and x.
fn student_t_tail(y: f64, nu: f64, mu: f64, sigma: f64, upper: bool) -> Out<4> {
    if y.is_nan() || !pos_finite(nu) || !mu.is_finite() || !pos_finite(sigma) {
        return reject();
    }
    if y == f64::NEG_INFINITY {
        return edge(upper, true);
    }
    if y == f64::INFINITY {
        return edge(upper, false);
    }
    let t = (y - mu) / sigma;
    let t2 = t * t;
    let q = nu + t2;
    // The small tail P(T beyond |t|) = I/2 and the big one 1 - I/2, in logs,
    // with their ν-partials.
    let (small, big) = if t == 0.0 {
        ((-LN_2, 0.0), (-LN_2, 0.0))
    } else {
        let Some(r) = log_inc_beta(0.5 * nu, 0.5, nu / q, t2 / q) else { return reject() };
        let (li, [da, _, dx]) = r.lower;
        let dnu = 0.5 * da + dx * t2 / (q * q);
        let small = li - LN_2;
        // ln(1 - I/2) = ln((1 + (1 - I))/2).
        let big = sp::log_sum_exp(0.0, r.upper.0) - LN_2;
        (( small, dnu), (big, -(small - big).exp() * dnu))
    };
    // The lower tail is the small one when t < 0.
    let ((v, dnu), sign) = match (t < 0.0, upper) {
        (true, false) | (false, true) => (small, if upper { -1.0 } else { 1.0 }),
        _ => (big, if upper { -1.0 } else { 1.0 }),
    };
    let dy = sign * (super::student_t_lpdf(y, nu, mu, sigma) - v).exp();
    finish(v, [dy, dnu, -dy, -dy * t])
}

// --- binomial --------------------------------------------------------------------------

/// Binomial(N, θ): P(X <= n) = I_{1-θ}(N - n, n + 1); partial (∂θ).
fn binomial_tail(n: i64, trials: i64, theta: f64, upper: bool) -> Out<1> {
    if trials < 0 || !(0.0..=1.0).contains(&theta) {
        return reject();
    }
    if n < 0 {
        return edge(upper, true);
    }
    if n >= trials {
        return edge(upper, false);
    }
    if theta == 0.0 || theta == 1.0 {
        // All mass at 0 or at N.
        return edge(upper, theta == 1.0);
    }
    let Some(r) = log_inc_beta((trials - n) as f64, n as f64 + 1.0, 1.0 - theta, theta) else { return reject() };
    let (v, [_, _, dx]) = if upper { r.upper } else { r.lower };
    finish(v, [-dx])
}

// --- neg_binomial_2 ----------------------------------------------------------------------

/// neg_binomial_2(μ, φ): P(Y <= n) = I_p(φ, n + 1), p = φ/(μ+φ); partials (∂μ, ∂φ).
fn neg_binomial_2_tail(n: i64, mu: f64, phi: f64, upper: bool) -> Out<2> {
    if !pos_finite(mu) || !pos_finite(phi) {
        return reject();
    }
    if n < 0 {
        return edge(upper, true);
    }
    let s = mu + phi;
    let Some(r) = log_inc_beta(phi, n as f64 + 1.0, phi / s, mu / s) else { return reject() };
    let (v, [da, _, dx]) = if upper { r.upper } else { r.lower };
    finish(v, [-dx * phi / (s * s), da + dx * mu / (s * s)])
}

/// The `_lcdf`/`_lccdf` pair of a continuous family from its cdf routine.
macro_rules! continuous_pair {
    ($cdf:ident, $n:literal; $lcdf:ident / $lcdf_grad:ident / $c:ident / $cg:ident,
     $lccdf:ident / $lccdf_grad:ident / $cc:ident / $ccg:ident; $($a:ident),+) => {
        #[doc = concat!("ln P(Y <= y) (see `", stringify!($cdf), "`).")]
        pub fn $lcdf($($a: f64),+) -> f64 {
            $cdf($($a,)+ false).0
        }
        #[doc = concat!("[`", stringify!($lcdf), "`] and its partials, variate first.")]
        pub fn $lcdf_grad($($a: f64),+) -> Out<$n> {
            $cdf($($a,)+ false)
        }
        #[doc = concat!("ln P(Y > y) (see `", stringify!($cdf), "`).")]
        pub fn $lccdf($($a: f64),+) -> f64 {
            $cdf($($a,)+ true).0
        }
        #[doc = concat!("[`", stringify!($lccdf), "`] and its partials, variate first.")]
        pub fn $lccdf_grad($($a: f64),+) -> Out<$n> {
            $cdf($($a,)+ true)
        }
        c_lpdf!($c, $cg, $lcdf, $lcdf_grad; $($a),+);
        c_lpdf!($cc, $ccg, $lccdf, $lccdf_grad; $($a),+);
    };
}

continuous_pair!(beta_tail, 3; beta_lcdf / beta_lcdf_grad / hbm_beta_lcdf / hbm_beta_lcdf_grad,
    beta_lccdf / beta_lccdf_grad / hbm_beta_lccdf / hbm_beta_lccdf_grad; y, a, b);
continuous_pair!(student_t_tail, 4; student_t_lcdf / student_t_lcdf_grad / hbm_student_t_lcdf / hbm_student_t_lcdf_grad,
    student_t_lccdf / student_t_lccdf_grad / hbm_student_t_lccdf / hbm_student_t_lccdf_grad; y, nu, mu, sigma);
discrete_pair!(binomial_tail, 1; binomial_lcdf / binomial_lcdf_grad / hbm_binomial_lcdf / hbm_binomial_lcdf_grad,
    binomial_lccdf / binomial_lccdf_grad / hbm_binomial_lccdf / hbm_binomial_lccdf_grad; [n, trials]; [theta]);
discrete_pair!(neg_binomial_2_tail, 2; neg_binomial_2_lcdf / neg_binomial_2_lcdf_grad / hbm_neg_binomial_2_lcdf
    / hbm_neg_binomial_2_lcdf_grad, neg_binomial_2_lccdf / neg_binomial_2_lccdf_grad / hbm_neg_binomial_2_lccdf
    / hbm_neg_binomial_2_lccdf_grad; [n]; [mu, phi]);
