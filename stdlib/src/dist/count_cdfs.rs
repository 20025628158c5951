//! Log cdfs and ccdfs of count distributions without a closed form in the
//! incomplete beta function: bernoulli, beta_binomial and
//! beta_neg_binomial. The tails of the last two are finite sums of the
//! mass function, walked with the ratio of consecutive terms (and of their
//! partials), so they cost O(n) and involve no hypergeometric 3F2.
//! Partials in the real parameters, as in [`crate::dist::beta_cdf`].

use super::{discrete_pair, finish, pos_finite, reject};
use crate::special as sp;

/// A cdf value and its partials.
type Out<const N: usize> = (f64, [f64; N]);

/// The most terms a tail sum walks (about 50 ms); a tail needing more
/// is refused as an invalid argument (-inf, see [`crate::dist`]).
pub const MAX_TAIL_TERMS: i64 = 1 << 22;

/// A running ln Σ exp(lp_k) with its partials Σ w_k ∂lp_k (w_k the
/// normalised weights), rescaled whenever a larger term arrives.
struct LogSum<const N: usize> {
    max: f64,
    sum: f64,
    grad: [f64; N],
}

impl<const N: usize> LogSum<N> {
    fn new() -> Self {
        LogSum { max: f64::NEG_INFINITY, sum: 0.0, grad: [0.0; N] }
    }

    fn add(&mut self, lp: f64, d: &[f64; N]) {
        if lp == f64::NEG_INFINITY {
            return;
        }
        if lp > self.max {
            let scale = (self.max - lp).exp();
            self.sum *= scale;
            for g in &mut self.grad {
                *g *= scale;
            }
            self.max = lp;
        }
        let w = (lp - self.max).exp();
        self.sum += w;
        for (g, di) in self.grad.iter_mut().zip(d) {
            *g += w * di;
        }
    }

    fn result(&self) -> Out<N> {
        if !self.max.is_finite() {
            return (f64::NEG_INFINITY, [0.0; N]);
        }
        (self.max + self.sum.ln(), self.grad.map(|g| g / self.sum))
    }
}

/// ln(1 - F) and its partials from ln F and ∂ ln F:
/// ∂ ln(1 - F) = -F/(1 - F) ∂ ln F. Loses relative precision where F
/// rounds to 1.
fn complement<const N: usize>((lf, g): Out<N>) -> Out<N> {
    let v = sp::log1m_exp(lf.min(0.0));
    let w = -(lf - v).exp();
    finish(v, g.map(|x| w * x))
}

// --- bernoulli ---------------------------------------------------------------------------

/// Bernoulli(θ): P(N <= 0) = 1 - θ; partial (∂θ).
fn bernoulli_tail(n: i64, theta: f64, upper: bool) -> Out<1> {
    if !(0.0..=1.0).contains(&theta) {
        return reject();
    }
    match (n, upper) {
        (n, false) if n < 0 => (f64::NEG_INFINITY, [0.0]),
        (n, true) if n < 0 => (0.0, [0.0]),
        (0, false) => finish(sp::log1m(theta), [-1.0 / (1.0 - theta)]),
        (0, true) => finish(theta.ln(), [1.0 / theta]),
        (_, false) => (0.0, [0.0]),
        (_, true) => (f64::NEG_INFINITY, [0.0]),
    }
}

// --- beta_binomial -----------------------------------------------------------------------

/// beta_binomial(N, α, β): ln P(X <= n) or ln P(X > n) as the sum of the
/// mass over k <= n or k > n; partials (∂α, ∂β). When both sides are
/// longer than [`MAX_TAIL_TERMS`] the point is refused.
fn beta_binomial_tail(n: i64, trials: i64, alpha: f64, beta: f64, upper: bool) -> Out<2> {
    if trials < 0 || !pos_finite(alpha) || !pos_finite(beta) {
        return reject();
    }
    if n < 0 {
        return if upper { (0.0, [0.0; 2]) } else { (f64::NEG_INFINITY, [0.0; 2]) };
    }
    if n >= trials {
        return if upper { (f64::NEG_INFINITY, [0.0; 2]) } else { (0.0, [0.0; 2]) };
    }
    // Sum the side asked for; when it is too long and the other side is
    // short, sum that one and take the complement.
    let lower_terms = n + 1;
    let upper_terms = trials - n;
    let direct = if upper { upper_terms } else { lower_terms };
    if direct <= MAX_TAIL_TERMS {
        let (first, last) = if upper { (n + 1, trials) } else { (0, n) };
        return finish_tail(beta_binomial_sum(first, last, trials, alpha, beta));
    }
    let other = if upper { lower_terms } else { upper_terms };
    if other > MAX_TAIL_TERMS {
        return reject();
    }
    let (first, last) = if upper { (0, n) } else { (n + 1, trials) };
    complement(beta_binomial_sum(first, last, trials, alpha, beta))
}

/// Clamps a summed log probability to <= 0 (rounding) and zeroes
/// non-finite partials.
fn finish_tail<const N: usize>((v, g): Out<N>) -> Out<N> {
    finish(v.min(0.0), g)
}

/// ln Σ_{k=first}^{last} beta_binomial(k | N, α, β) and its partials.
fn beta_binomial_sum(first: i64, last: i64, trials: i64, alpha: f64, beta: f64) -> Out<2> {
    let (mut lp, mut d) = super::beta_binomial_lpmf_grad(first, trials, alpha, beta);
    let mut acc = LogSum::new();
    acc.add(lp, &d);
    for k in first..last {
        // p_{k+1}/p_k = (N-k)(k+α) / ((k+1)(N-k-1+β)).
        let (kf, rest) = (k as f64, (trials - k - 1) as f64);
        lp += (rest + 1.0).ln() + (kf + alpha).ln() - (kf + 1.0).ln() - (rest + beta).ln();
        d[0] += 1.0 / (kf + alpha);
        d[1] -= 1.0 / (rest + beta);
        acc.add(lp, &d);
    }
    acc.result()
}

// --- beta_neg_binomial -------------------------------------------------------------------

/// beta_neg_binomial(r, α, β): ln P(X <= n) as the sum of the mass over
/// k <= n; ln P(X > n) as ln(1 - that), partials (∂r, ∂α, ∂β). The upper
/// tail loses relative precision where the cdf rounds to 1; a count of
/// [`MAX_TAIL_TERMS`] or more is refused.
fn beta_neg_binomial_tail(n: i64, r: f64, alpha: f64, beta: f64, upper: bool) -> Out<3> {
    if !pos_finite(r) || !pos_finite(alpha) || !pos_finite(beta) {
        return reject();
    }
    if n < 0 {
        return if upper { (0.0, [0.0; 3]) } else { (f64::NEG_INFINITY, [0.0; 3]) };
    }
    if n >= MAX_TAIL_TERMS {
        return reject();
    }
    let (mut lp, mut d) = super::beta_neg_binomial_lpmf_grad(0, r, alpha, beta);
    let mut acc = LogSum::new();
    acc.add(lp, &d);
    for k in 0..n {
        // p_{k+1}/p_k = (k+r)(k+β) / ((k+1)(k+r+α+β)).
        let kf = k as f64;
        let all = kf + r + alpha + beta;
        lp += (kf + r).ln() + (kf + beta).ln() - (kf + 1.0).ln() - all.ln();
        d[0] += 1.0 / (kf + r) - 1.0 / all;
        d[1] -= 1.0 / all;
        d[2] += 1.0 / (kf + beta) - 1.0 / all;
        acc.add(lp, &d);
    }
    if upper {
        complement(acc.result())
    } else {
        finish_tail(acc.result())
    }
}

discrete_pair!(bernoulli_tail, 1; bernoulli_lcdf / bernoulli_lcdf_grad / hbm_bernoulli_lcdf / hbm_bernoulli_lcdf_grad,
    bernoulli_lccdf / bernoulli_lccdf_grad / hbm_bernoulli_lccdf / hbm_bernoulli_lccdf_grad; [n]; [theta]);
discrete_pair!(beta_binomial_tail, 2; beta_binomial_lcdf / beta_binomial_lcdf_grad / hbm_beta_binomial_lcdf
    / hbm_beta_binomial_lcdf_grad, beta_binomial_lccdf / beta_binomial_lccdf_grad / hbm_beta_binomial_lccdf
    / hbm_beta_binomial_lccdf_grad; [n, trials]; [alpha, beta]);
discrete_pair!(beta_neg_binomial_tail, 3; beta_neg_binomial_lcdf / beta_neg_binomial_lcdf_grad
    / hbm_beta_neg_binomial_lcdf / hbm_beta_neg_binomial_lcdf_grad, beta_neg_binomial_lccdf
    / beta_neg_binomial_lccdf_grad / hbm_beta_neg_binomial_lccdf / hbm_beta_neg_binomial_lccdf_grad;
    [n]; [r, alpha, beta]);
