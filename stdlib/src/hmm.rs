//! Stan's hidden Markov model functions: `hmm_marginal` (the log density
//! of the observations with the hidden states summed out) with its
//! reverse-mode rule, `hmm_hidden_state_prob` (each state's marginal
//! posterior) and `hmm_latent_rng` (a draw of the whole state path from
//! its joint posterior).
//!
//! Arguments as Stan's: `log_omega` is K × N, column n the log densities
//! of observation n under each of the K states; `gamma` is K × K with
//! Γ[i, j] = P(x_n = j | x_{n-1} = i) (every row a simplex); `rho` the
//! distribution of the first state x_1 (a simplex). Matrices are
//! column-major. The marginal is
//! p(y) = Σ_x ρ[x_1] ω[x_1, 1] Π_{n≥2} Γ[x_{n-1}, x_n] ω[x_n, n].
//!
//! The forward algorithm runs on scaled vectors: each column of ω is
//! e^{log_omega - its max} and each forward vector α_n is normalised to sum
//! 1, the logs of both scales summed into ln p(y); the backward vectors β_n
//! are normalised to a maximum of 1. Every quantity read off them is a
//! ratio in which the scales cancel: the state marginals α_n[k] β_n[k] /
//! Σ_k α_n[k] β_n[k] (also ∂ ln p / ∂ log_omega[k, n]), the transition
//! partials Σ_n α_{n-1}[i] ω_n[j] β_n[j] / (α_{n-1}' Γ (ω_n ⊙ β_n)), and
//! the initial ones ω_1[k] β_1[k] / Σ_k ρ_k ω_1[k] β_1[k]. O(N K²) each.

use crate::ffi::{slice, slice_mut};
use crate::rng::ChainRng;
use rand::Rng;

/// Stan's tolerance for a simplex's sum (`CONSTRAINT_TOLERANCE`).
const SIMPLEX_TOLERANCE: f64 = 1e-8;

/// Non-negative elements summing to 1 within [`SIMPLEX_TOLERANCE`].
fn is_simplex(x: impl Iterator<Item = f64> + Clone) -> bool {
    x.clone().all(|v| v >= 0.0) && (x.sum::<f64>() - 1.0).abs() <= SIMPLEX_TOLERANCE
}

/// An HMM's arguments, checked as Stan's `hmm_check` does (ρ and every
/// row of Γ simplexes, at least one state and one observation) and with
/// no NaN or +inf log density.
#[derive(Clone, Copy, Debug)]
pub struct Hmm<'a> {
    log_omega: &'a [f64],
    gamma: &'a [f64],
    rho: &'a [f64],
    k: usize,
    n: usize,
}

impl<'a> Hmm<'a> {
    /// The model of `log_omega` (K × N), `gamma` (K × K) and `rho` (K),
    /// or None when the sizes disagree or Stan would reject the values.
    pub fn new(log_omega: &'a [f64], gamma: &'a [f64], rho: &'a [f64], k: usize, n: usize) -> Option<Self> {
        let sizes_ok = k > 0 && n > 0 && log_omega.len() == k.checked_mul(n)? && gamma.len() == k * k && rho.len() == k;
        let rows_ok = || (0..k).all(|i| is_simplex((0..k).map(|j| gamma[i + j * k])));
        let valid = sizes_ok
            && is_simplex(rho.iter().copied())
            && rows_ok()
            && log_omega.iter().all(|v| *v < f64::INFINITY);
        valid.then_some(Hmm { log_omega, gamma, rho, k, n })
    }

    /// Γ[i, j].
    fn g(&self, i: usize, j: usize) -> f64 {
        self.gamma[i + j * self.k]
    }
}

/// The scaled forward pass: ω and α (K × N, column-major) and ln p(y),
/// -inf when no state path has positive probability (α is then partial).
struct Forward {
    omega: Vec<f64>,
    alpha: Vec<f64>,
    log_p: f64,
}

fn forward(h: &Hmm) -> Forward {
    let (k, n) = (h.k, h.n);
    let mut f = Forward { omega: vec![0.0; k * n], alpha: vec![0.0; k * n], log_p: 0.0 };
    let mut predicted = h.rho.to_vec();
    // The product of the normalising sums not yet in log_p: one log per
    // ~150 orders of magnitude instead of one per step. Each sum is at
    // most about 1 (ω ≤ 1 after the max is taken out, and the predicted
    // distribution sums to 1), so the product only shrinks; it is folded
    // in before it could leave the normal range.
    let mut pending: f64 = 1.0;
    for t in 0..n {
        let col = &h.log_omega[t * k..(t + 1) * k];
        let max = col.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        if max == f64::NEG_INFINITY {
            f.log_p = f64::NEG_INFINITY;
            return f;
        }
        if t > 0 {
            let prev = &f.alpha[(t - 1) * k..t * k];
            for (p, column) in predicted.iter_mut().zip(h.gamma.chunks_exact(k)) {
                *p = prev.iter().zip(column).map(|(a, g)| a * g).sum();
            }
        }
        let (omega, alpha) = (&mut f.omega[t * k..(t + 1) * k], &mut f.alpha[t * k..(t + 1) * k]);
        let mut total = 0.0;
        for (((o, a), l), p) in omega.iter_mut().zip(alpha.iter_mut()).zip(col).zip(&predicted) {
            *o = (l - max).exp();
            *a = *o * p;
            total += *a;
        }
        if !(total > 0.0) {
            f.log_p = f64::NEG_INFINITY;
            return f;
        }
        let inv = 1.0 / total;
        alpha.iter_mut().for_each(|a| *a *= inv);
        f.log_p += max;
        if total < 1e-150 || pending < 1e-150 {
            f.log_p += pending.ln() + total.ln();
            pending = 1.0;
        } else {
            pending *= total;
        }
    }
    f.log_p += pending.ln();
    f
}

/// The scaled backward vectors β_n (K × N, column-major, each column's
/// maximum 1) of a model whose forward pass found ln p(y) > -inf.
fn backward(h: &Hmm, f: &Forward) -> Vec<f64> {
    let (k, n) = (h.k, h.n);
    let mut beta = vec![1.0; k * n];
    let mut weighted = vec![0.0; k];
    for t in (1..n).rev() {
        weigh(f, &beta, t, k, &mut weighted);
        let prev = &mut beta[(t - 1) * k..t * k];
        transition_times(h, &weighted, prev);
        // Positive: p(y) > 0 needs a path through a state with β > 0.
        let max = prev.iter().copied().fold(0.0, f64::max);
        prev.iter_mut().for_each(|b| *b /= max);
    }
    beta
}

/// ω_t ⊙ β_t into `out`.
fn weigh(f: &Forward, beta: &[f64], t: usize, k: usize, out: &mut [f64]) {
    for (j, o) in out.iter_mut().enumerate() {
        *o = f.omega[t * k + j] * beta[t * k + j];
    }
}

/// Γ v into `out`, column by column (Γ is column-major).
fn transition_times(h: &Hmm, v: &[f64], out: &mut [f64]) {
    out.fill(0.0);
    for (vj, column) in v.iter().zip(h.gamma.chunks_exact(h.k)) {
        out.iter_mut().zip(column).for_each(|(o, g)| *o += g * vj);
    }
}

/// ln p(y) of the model (-inf when every state path is impossible).
pub fn hmm_marginal(h: &Hmm) -> f64 {
    forward(h).log_p
}

/// The partials of ln p(y) in log_omega (K × N), Γ (K × K) and ρ (K),
/// each column-major as its argument; all zero when ln p(y) = -inf.
pub struct HmmGrad {
    /// ∂/∂log_omega: the states' marginal posteriors.
    pub log_omega: Vec<f64>,
    /// ∂/∂Γ.
    pub gamma: Vec<f64>,
    /// ∂/∂ρ.
    pub rho: Vec<f64>,
}

/// ln p(y) and its partials.
pub fn hmm_marginal_grad(h: &Hmm) -> (f64, HmmGrad) {
    let (k, n) = (h.k, h.n);
    let mut g = HmmGrad { log_omega: vec![0.0; k * n], gamma: vec![0.0; k * k], rho: vec![0.0; k] };
    let f = forward(h);
    if f.log_p == f64::NEG_INFINITY {
        return (f.log_p, g);
    }
    let beta = backward(h, &f);
    g.log_omega = marginals(h, &f, &beta);
    let (mut weighted, mut back) = (vec![0.0; k], vec![0.0; k]);
    for t in 0..n {
        weigh(&f, &beta, t, k, &mut weighted);
        if t == 0 {
            let z: f64 = h.rho.iter().zip(&weighted).map(|(r, w)| r * w).sum();
            g.rho.iter_mut().zip(&weighted).for_each(|(d, w)| *d = w / z);
            continue;
        }
        let a = &f.alpha[(t - 1) * k..t * k];
        transition_times(h, &weighted, &mut back);
        let z: f64 = a.iter().zip(&back).map(|(a, b)| a * b).sum();
        for (j, w) in weighted.iter().enumerate() {
            for (i, a) in a.iter().enumerate() {
                g.gamma[i + j * k] += a * w / z;
            }
        }
    }
    (f.log_p, g)
}

/// P(x_n = k | y) (K × N, column-major) from the scaled passes.
fn marginals(h: &Hmm, f: &Forward, beta: &[f64]) -> Vec<f64> {
    let k = h.k;
    let mut out = vec![0.0; k * h.n];
    for ((o, a), b) in out.chunks_exact_mut(k).zip(f.alpha.chunks_exact(k)).zip(beta.chunks_exact(k)) {
        let z: f64 = a.iter().zip(b).map(|(x, y)| x * y).sum();
        o.iter_mut().zip(a.iter().zip(b)).for_each(|(o, (x, y))| *o = x * y / z);
    }
    out
}

/// The states' marginal posteriors P(x_n = k | y) (K × N, column-major),
/// or None when every state path is impossible.
pub fn hmm_hidden_state_prob(h: &Hmm) -> Option<Vec<f64>> {
    let f = forward(h);
    (f.log_p > f64::NEG_INFINITY).then(|| marginals(h, &f, &backward(h, &f)))
}

/// One draw of the state path (1-based states) from p(x | y): x_N from
/// the last filtered distribution α_N, then x_{n-1} given x_n from
/// α_{n-1}[i] Γ[i, x_n] (forward filtering, backward sampling). None when
/// every path is impossible.
pub fn hmm_latent_draw<R: Rng + ?Sized>(rng: &mut R, h: &Hmm) -> Option<Vec<i64>> {
    let (k, n) = (h.k, h.n);
    let f = forward(h);
    if f.log_p == f64::NEG_INFINITY {
        return None;
    }
    let mut states = vec![0usize; n];
    states[n - 1] = categorical(rng, &f.alpha[(n - 1) * k..]);
    for t in (0..n - 1).rev() {
        let next = states[t + 1];
        let weights: Vec<f64> = (0..k).map(|i| f.alpha[t * k + i] * h.g(i, next)).collect();
        states[t] = categorical(rng, &weights);
    }
    Some(states.into_iter().map(|s| s as i64 + 1).collect())
}

/// A 0-based index drawn with probability proportional to `weights`
/// (non-negative, with a positive sum).
fn categorical<R: Rng + ?Sized>(rng: &mut R, weights: &[f64]) -> usize {
    let total: f64 = weights.iter().sum();
    let u = rng.random::<f64>() * total;
    let mut acc = 0.0;
    for (i, w) in weights.iter().enumerate() {
        acc += w;
        if u < acc && *w > 0.0 {
            return i;
        }
    }
    // Rounding left u at the total: the last state of positive weight.
    weights.iter().rposition(|w| *w > 0.0).unwrap_or(0)
}

/// The model behind the C arguments, or None for invalid ones.
///
/// # Safety
/// `log_omega` valid for `k * n` values, `gamma` for `k * k`, `rho` for `k`.
unsafe fn model<'a>(log_omega: *const f64, gamma: *const f64, rho: *const f64, k: i64, n: i64) -> Option<Hmm<'a>> {
    let (k, n) = (usize::try_from(k).ok()?, usize::try_from(n).ok()?);
    let kn = k.checked_mul(n)?;
    let kk = k.checked_mul(k)?;
    // SAFETY: caller contract.
    let (lo, g, r) = unsafe { (slice(log_omega, kn)?, slice(gamma, kk)?, slice(rho, k)?) };
    Hmm::new(lo, g, r, k, n)
}

/// C form of [`hmm_marginal`]: NaN for arguments Stan rejects (ρ or a row
/// of Γ not a simplex, no observation, a NaN or +inf log density).
///
/// # Safety
/// `log_omega` valid for `k * n` values, `gamma` for `k * k`, `rho` for `k`.
pub unsafe extern "C" fn hbm_hmm_marginal(log_omega: *const f64, gamma: *const f64, rho: *const f64, k: i64, n: i64) -> f64 {
    // SAFETY: caller contract.
    match unsafe { model(log_omega, gamma, rho, k, n) } {
        Some(h) => hmm_marginal(&h),
        None => f64::NAN,
    }
}

/// Reverse mode of [`hbm_hmm_marginal`]: adds w times the partials to the
/// adjoint buffers that are not null, one buffer at a time (so they may
/// coincide). Status 1 for invalid arguments.
///
/// # Safety
/// As [`hbm_hmm_marginal`]; each adjoint null or valid for its argument's length.
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn hbm_hmm_marginal_adj(
    log_omega: *const f64,
    gamma: *const f64,
    rho: *const f64,
    k: i64,
    n: i64,
    w: f64,
    log_omega_adj: *mut f64,
    gamma_adj: *mut f64,
    rho_adj: *mut f64,
) -> i32 {
    // SAFETY: caller contract.
    let Some(h) = (unsafe { model(log_omega, gamma, rho, k, n) }) else { return 1 };
    let (_, g) = hmm_marginal_grad(&h);
    for (adj, d) in [(log_omega_adj, &g.log_omega), (gamma_adj, &g.gamma), (rho_adj, &g.rho)] {
        // SAFETY: caller contract; the slice lives only for this step.
        if let Some(adj) = unsafe { slice_mut(adj, d.len()) } {
            adj.iter_mut().zip(d).for_each(|(a, d)| *a += w * d);
        }
    }
    0
}

/// C form of [`hmm_hidden_state_prob`] into `out` (K × N): status 1 for
/// invalid arguments or when every path is impossible.
///
/// # Safety
/// As [`hbm_hmm_marginal`]; `out` valid for `k * n` values.
pub unsafe extern "C" fn hbm_hmm_hidden_state_prob(
    log_omega: *const f64,
    gamma: *const f64,
    rho: *const f64,
    k: i64,
    n: i64,
    out: *mut f64,
) -> i32 {
    // SAFETY: caller contract.
    let Some(h) = (unsafe { model(log_omega, gamma, rho, k, n) }) else { return 1 };
    // SAFETY: caller contract.
    match (hmm_hidden_state_prob(&h), unsafe { slice_mut(out, h.k * h.n) }) {
        (Some(p), Some(o)) => {
            o.copy_from_slice(&p);
            0
        }
        _ => 1,
    }
}

/// C form of [`hmm_latent_draw`]: the N states (1-based, as reals) into
/// `out`; status 1 for invalid arguments or when every path is impossible.
///
/// # Safety
/// `rng` a live `ChainRng`; as [`hbm_hmm_marginal`]; `out` valid for `n` values.
pub unsafe extern "C" fn hbm_hmm_latent_rng(
    rng: *mut ChainRng,
    log_omega: *const f64,
    gamma: *const f64,
    rho: *const f64,
    k: i64,
    n: i64,
    out: *mut f64,
) -> i32 {
    // SAFETY: caller contract.
    let Some(h) = (unsafe { model(log_omega, gamma, rho, k, n) }) else { return 1 };
    // SAFETY: caller contract.
    let (Some(r), Some(o)) = (unsafe { rng.as_mut() }, unsafe { slice_mut(out, h.n) }) else { return 1 };
    match hmm_latent_draw(r, &h) {
        Some(states) => {
            o.iter_mut().zip(states).for_each(|(o, s)| *o = s as f64);
            0
        }
        None => 1,
    }
}

#[cfg(test)]
mod tests;
