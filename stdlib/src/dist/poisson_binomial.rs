//! The Poisson binomial distribution: the number of successes of N
//! independent trials with success probabilities θ_1..θ_N.
//!
//! ln P(K = y) by the log-space recursion over trials F_j(k) = P(k
//! successes in the first j trials). Its partial in θ_i is
//! (P⁻ⁱ(y-1) - P⁻ⁱ(y)) / P(y), with P⁻ⁱ the distribution of the other N-1
//! trials, read off the forward table F_{i-1} and the backward table
//! B_{i+1} (the trials after i) as P⁻ⁱ(m) = Σ_a F_{i-1}(a) B_{i+1}(m-a):
//! O(N²) for the value and every partial.

use crate::ffi::{size, slice, slice_mut};
use crate::rng::{bad, ChainRng, RngError};
use crate::special::log_sum_exp;
use rand::Rng;

/// Whether θ is a vector of probabilities.
fn valid(theta: &[f64]) -> bool {
    theta.iter().all(|t| (0.0..=1.0).contains(t))
}

/// Log-space tables: `tables[j][k]` = ln P(k successes among the trials
/// `order` yields first j of).
fn tables(theta: &[f64], order: impl Iterator<Item = usize>) -> Vec<Vec<f64>> {
    let n = theta.len();
    let mut t = vec![vec![f64::NEG_INFINITY; n + 1]; n + 1];
    t[0][0] = 0.0;
    for (j, i) in order.enumerate() {
        let (lp, lq) = (theta[i].ln(), (-theta[i]).ln_1p());
        for k in 0..=j + 1 {
            let fail = if k <= j { t[j][k] + lq } else { f64::NEG_INFINITY };
            let success = if k > 0 { t[j][k - 1] + lp } else { f64::NEG_INFINITY };
            t[j + 1][k] = log_sum_exp(fail, success);
        }
    }
    t
}

/// ln P(m successes) of the trials other than i: the forward table of the
/// i trials before it and the backward table of the n-1-i after it.
fn log_without(forward: &[Vec<f64>], backward: &[Vec<f64>], i: usize, n: usize, m: i64) -> f64 {
    if m < 0 {
        return f64::NEG_INFINITY;
    }
    let m = m as usize;
    let (before, after) = (&forward[i], &backward[n - 1 - i]);
    let mut acc = f64::NEG_INFINITY;
    for a in 0..=m.min(i) {
        if m - a <= n - 1 - i {
            acc = log_sum_exp(acc, before[a] + after[m - a]);
        }
    }
    acc
}

/// ln P(K = y) for K ~ poisson_binomial(θ), and its partials in θ.
pub fn poisson_binomial_lpmf_grad(y: i64, theta: &[f64]) -> (f64, Vec<f64>) {
    let n = theta.len();
    if !valid(theta) || y < 0 || y as usize > n {
        return (f64::NEG_INFINITY, vec![0.0; n]);
    }
    let forward = tables(theta, 0..n);
    let backward = tables(theta, (0..n).rev());
    let value = forward[n][y as usize];
    if value == f64::NEG_INFINITY {
        return (value, vec![0.0; n]);
    }
    let grad = (0..n)
        .map(|i| {
            let below = log_without(&forward, &backward, i, n, y - 1);
            let at = log_without(&forward, &backward, i, n, y);
            (below - value).exp() - (at - value).exp()
        })
        .collect();
    (value, grad)
}

/// ln P(K = y) for K ~ poisson_binomial(θ).
pub fn poisson_binomial_lpmf(y: i64, theta: &[f64]) -> f64 {
    let n = theta.len();
    if !valid(theta) || y < 0 || y as usize > n {
        return f64::NEG_INFINITY;
    }
    tables(theta, 0..n)[n][y as usize]
}

/// ln P(K <= y) (or ln P(K > y), `upper`) and its partials in θ. Adding
/// trial i moves mass from m to m + 1 successes with probability θ_i, so
/// ∂P(K <= y)/∂θ_i = -P⁻ⁱ(y): the partial of the log tail is ∓P⁻ⁱ(y)
/// over the tail.
pub fn poisson_binomial_tail_grad(y: i64, theta: &[f64], upper: bool) -> (f64, Vec<f64>) {
    let n = theta.len();
    if !valid(theta) {
        return (f64::NEG_INFINITY, vec![0.0; n]);
    }
    // Below 0 or from N on, the tail is all or nothing.
    let (empty, full) = if upper { (0.0, f64::NEG_INFINITY) } else { (f64::NEG_INFINITY, 0.0) };
    if y < 0 {
        return (empty, vec![0.0; n]);
    }
    if y as usize >= n {
        return (full, vec![0.0; n]);
    }
    let forward = tables(theta, 0..n);
    let backward = tables(theta, (0..n).rev());
    let y = y as usize;
    let terms = if upper { &forward[n][y + 1..] } else { &forward[n][..=y] };
    let value = terms.iter().fold(f64::NEG_INFINITY, |acc, &t| log_sum_exp(acc, t));
    if value == f64::NEG_INFINITY {
        return (value, vec![0.0; n]);
    }
    let sign = if upper { 1.0 } else { -1.0 };
    let grad = (0..n).map(|i| sign * (log_without(&forward, &backward, i, n, y as i64) - value).exp()).collect();
    (value, grad)
}

/// A draw: the number of successes of N Bernoulli(θ_i) trials.
pub fn poisson_binomial_rng<R: Rng + ?Sized>(rng: &mut R, theta: &[f64]) -> Result<i64, RngError> {
    if !valid(theta) {
        return Err(bad("poisson_binomial", "the probabilities must lie in [0, 1]"));
    }
    Ok(theta.iter().filter(|&&t| rng.random::<f64>() < t).count() as i64)
}

/// C form of [`poisson_binomial_lpmf`] (θ of length n).
///
/// # Safety
/// `theta` valid for `n` values.
pub unsafe extern "C" fn hbm_poisson_binomial_lpmf(theta: *const f64, n: i64, y: i64) -> f64 {
    let Some(n) = size(n) else { return f64::NAN };
    // SAFETY: caller contract.
    match unsafe { slice(theta, n) } {
        Some(t) => poisson_binomial_lpmf(y, t),
        None => f64::NAN,
    }
}

/// Reverse mode of [`hbm_poisson_binomial_lpmf`]: adds w·∂/∂θ to `theta_adj`.
///
/// # Safety
/// `theta` and `theta_adj` valid for `n` values.
pub unsafe extern "C" fn hbm_poisson_binomial_lpmf_adj(theta: *const f64, n: i64, y: i64, w: f64, theta_adj: *mut f64) -> i32 {
    let Some(n) = size(n) else { return 1 };
    // SAFETY: caller contract.
    match unsafe { (slice(theta, n), slice_mut(theta_adj, n)) } {
        (Some(t), Some(adj)) => {
            let (_, g) = poisson_binomial_lpmf_grad(y, t);
            for (a, d) in adj.iter_mut().zip(g) {
                *a += w * d;
            }
            0
        }
        _ => 1,
    }
}

macro_rules! c_tail {
    ($c:ident, $cadj:ident, $upper:expr, $what:literal) => {
        #[doc = concat!("C form of ", $what, " of [`poisson_binomial_tail_grad`] (θ of length n).")]
        ///
        /// # Safety
        /// `theta` valid for `n` values.
        pub unsafe extern "C" fn $c(theta: *const f64, n: i64, y: i64) -> f64 {
            let Some(n) = size(n) else { return f64::NAN };
            // SAFETY: caller contract.
            match unsafe { slice(theta, n) } {
                Some(t) => poisson_binomial_tail_grad(y, t, $upper).0,
                None => f64::NAN,
            }
        }
        #[doc = concat!("Reverse mode of [`", stringify!($c), "`]: adds w·∂/∂θ to `theta_adj`.")]
        ///
        /// # Safety
        /// `theta` and `theta_adj` valid for `n` values.
        pub unsafe extern "C" fn $cadj(theta: *const f64, n: i64, y: i64, w: f64, theta_adj: *mut f64) -> i32 {
            let Some(n) = size(n) else { return 1 };
            // SAFETY: caller contract.
            match unsafe { (slice(theta, n), slice_mut(theta_adj, n)) } {
                (Some(t), Some(adj)) => {
                    let (_, g) = poisson_binomial_tail_grad(y, t, $upper);
                    for (a, d) in adj.iter_mut().zip(g) {
                        *a += w * d;
                    }
                    0
                }
                _ => 1,
            }
        }
    };
}
c_tail!(hbm_poisson_binomial_lcdf, hbm_poisson_binomial_lcdf_adj, false, "ln P(K <= y)");
c_tail!(hbm_poisson_binomial_lccdf, hbm_poisson_binomial_lccdf_adj, true, "ln P(K > y)");

/// C form of [`poisson_binomial_rng`]: the draw, or -1 for invalid θ.
///
/// # Safety
/// `rng` a live `ChainRng`; `theta` valid for `n` values.
pub unsafe extern "C" fn hbm_poisson_binomial_rng(rng: *mut ChainRng, theta: *const f64, n: i64) -> i64 {
    let Some(n) = size(n) else { return -1 };
    // SAFETY: caller contract.
    unsafe {
        match (rng.as_mut(), slice(theta, n)) {
            (Some(r), Some(t)) => poisson_binomial_rng(r, t).unwrap_or(-1),
            _ => -1,
        }
    }
}
