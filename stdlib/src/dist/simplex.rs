//! Draws on the simplex and from it: `dirichlet_rng`, `categorical_rng`,
//! `categorical_logit_rng`. (Their densities are lowered to IR arithmetic
//! on `lgamma` and `log`, so the gradient code differentiates them like any
//! expression; only the draws need library routines.)

use crate::ffi::{slice, slice_mut};
use crate::rng::{bad, ChainRng, RngError};
use rand::Rng;
use rand_distr::{Distribution, Gamma};

/// A draw from dirichlet(α) into `out`: independent gamma(α_k, 1) draws
/// normalised by their sum (each α_k positive and finite). For small α the
/// gamma draws are taken in logs (Marsaglia and Tsang's boost:
/// gamma(α) = gamma(α + 1) U^{1/α}), so the normalisation neither
/// underflows nor divides by zero.
pub fn dirichlet_rng<R: Rng + ?Sized>(rng: &mut R, alpha: &[f64], out: &mut [f64]) -> Result<(), RngError> {
    if alpha.is_empty() || out.len() != alpha.len() || !alpha.iter().all(|a| a.is_finite() && *a > 0.0) {
        return Err(bad("dirichlet", "every concentration must be positive and finite"));
    }
    let mut max = f64::NEG_INFINITY;
    for (o, &a) in out.iter_mut().zip(alpha) {
        let g = Gamma::new(a + 1.0, 1.0).map_err(|_| bad("dirichlet", "invalid concentration"))?;
        let u: f64 = rng.random::<f64>().max(f64::MIN_POSITIVE);
        *o = g.sample(rng).ln() + u.ln() / a;
        max = max.max(*o);
    }
    let mut total = 0.0;
    for o in out.iter_mut() {
        *o = (*o - max).exp();
        total += *o;
    }
    out.iter_mut().for_each(|o| *o /= total);
    Ok(())
}

/// A draw from categorical(θ), 1-based: θ a simplex (non-negative, summing
/// to 1 within 1e-8, as Stan checks).
pub fn categorical_rng<R: Rng + ?Sized>(rng: &mut R, theta: &[f64]) -> Result<i64, RngError> {
    let total: f64 = theta.iter().sum();
    if theta.is_empty() || !theta.iter().all(|t| t.is_finite() && *t >= 0.0) || (total - 1.0).abs() > 1e-8 {
        return Err(bad("categorical", "the probabilities must be a simplex"));
    }
    let u: f64 = rng.random::<f64>() * total;
    let mut acc = 0.0;
    for (k, t) in theta.iter().enumerate() {
        acc += t;
        if u < acc {
            return Ok(k as i64 + 1);
        }
    }
    // u < total, so only rounding in the running sum ends here: the last
    // category with positive probability.
    Ok(theta.iter().rposition(|t| *t > 0.0).map_or(theta.len(), |k| k + 1) as i64)
}

/// A draw from categorical_logit(β) = categorical(softmax(β)).
pub fn categorical_logit_rng<R: Rng + ?Sized>(rng: &mut R, beta: &[f64]) -> Result<i64, RngError> {
    if beta.is_empty() || !beta.iter().all(|b| b.is_finite()) {
        return Err(bad("categorical_logit", "the log odds must be finite"));
    }
    let max = beta.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let w: Vec<f64> = beta.iter().map(|b| (b - max).exp()).collect();
    let total: f64 = w.iter().sum();
    let theta: Vec<f64> = w.iter().map(|x| x / total).collect();
    let u: f64 = rng.random::<f64>();
    let mut acc = 0.0;
    for (k, t) in theta.iter().enumerate() {
        acc += t;
        if u < acc {
            return Ok(k as i64 + 1);
        }
    }
    Ok(theta.len() as i64)
}

/// C form of [`dirichlet_rng`]: 0 ok, 1 invalid concentrations or pointers.
///
/// # Safety
/// `rng` null or a live `ChainRng`; `alpha` and `out` null or valid for `k` values.
pub unsafe extern "C" fn hbm_dirichlet_rng(rng: *mut ChainRng, alpha: *const f64, k: i64, out: *mut f64) -> i32 {
    let Ok(k) = usize::try_from(k) else { return 1 };
    // SAFETY: caller contract.
    unsafe {
        match (rng.as_mut(), slice(alpha, k), slice_mut(out, k)) {
            (Some(r), Some(a), Some(o)) => i32::from(dirichlet_rng(r, a, o).is_err()),
            _ => 1,
        }
    }
}

/// C form of [`categorical_rng`]: the category, or -1 when θ is not a simplex.
///
/// # Safety
/// `rng` null or a live `ChainRng`; `theta` null or valid for `k` values.
pub unsafe extern "C" fn hbm_categorical_rng(rng: *mut ChainRng, theta: *const f64, k: i64) -> i64 {
    let Ok(k) = usize::try_from(k) else { return -1 };
    // SAFETY: caller contract.
    unsafe {
        match (rng.as_mut(), slice(theta, k)) {
            (Some(r), Some(t)) => categorical_rng(r, t).unwrap_or(-1),
            _ => -1,
        }
    }
}

/// C form of [`categorical_logit_rng`]: the category, or -1 for a non-finite β.
///
/// # Safety
/// `rng` null or a live `ChainRng`; `beta` null or valid for `k` values.
pub unsafe extern "C" fn hbm_categorical_logit_rng(rng: *mut ChainRng, beta: *const f64, k: i64) -> i64 {
    let Ok(k) = usize::try_from(k) else { return -1 };
    // SAFETY: caller contract.
    unsafe {
        match (rng.as_mut(), slice(beta, k)) {
            (Some(r), Some(b)) => categorical_logit_rng(r, b).unwrap_or(-1),
            _ => -1,
        }
    }
}
