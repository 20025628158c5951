//! Draws from the ordinal distributions `ordered_logistic(eta, c)` and
//! `ordered_probit(eta, c)` through their latent variable: y* = eta + ε
//! with ε standard logistic (or normal), and the outcome is 1 plus the
//! number of cutpoints below y*, so P(outcome <= k) = F(c_k - eta) as the
//! densities define. (The densities themselves are lowered to IR.)

use crate::ffi::slice;
use crate::rng::{bad, ChainRng, RngError};
use crate::special as sp;
use rand::distr::Open01;
use rand::Rng;
use rand_distr::{Distribution, StandardNormal};

/// A valid ordinal argument list: finite eta and finite increasing cutpoints.
fn cutpoints_ok(eta: f64, c: &[f64]) -> bool {
    eta.is_finite() && c.iter().all(|x| x.is_finite()) && c.windows(2).all(|w| w[0] < w[1])
}

/// 1 plus the number of cutpoints below `latent`.
fn category(latent: f64, c: &[f64]) -> i64 {
    1 + c.iter().filter(|&&x| x < latent).count() as i64
}

/// A draw from ordered_logistic(eta, c): 1..=K with K = c.len() + 1.
pub fn ordered_logistic_rng<R: Rng + ?Sized>(rng: &mut R, eta: f64, c: &[f64]) -> Result<i64, RngError> {
    if !cutpoints_ok(eta, c) {
        return Err(bad("ordered_logistic", "eta must be finite and the cutpoints finite and increasing"));
    }
    let u: f64 = rng.sample(Open01);
    Ok(category(eta + sp::logit(u), c))
}

/// A draw from ordered_probit(eta, c): 1..=K with K = c.len() + 1.
pub fn ordered_probit_rng<R: Rng + ?Sized>(rng: &mut R, eta: f64, c: &[f64]) -> Result<i64, RngError> {
    if !cutpoints_ok(eta, c) {
        return Err(bad("ordered_probit", "eta must be finite and the cutpoints finite and increasing"));
    }
    let z: f64 = StandardNormal.sample(rng);
    Ok(category(eta + z, c))
}

macro_rules! c_ordinal_rng {
    ($cname:ident, $rust:ident) => {
        #[doc = concat!("C form of [`", stringify!($rust), "`]: the outcome, or -1 for invalid arguments.")]
        ///
        /// # Safety
        /// `rng` null or a live `ChainRng`; `c` null or valid for `k` values.
        pub unsafe extern "C" fn $cname(rng: *mut ChainRng, eta: f64, c: *const f64, k: i64) -> i64 {
            let Ok(k) = usize::try_from(k) else { return -1 };
            // SAFETY: caller contract.
            unsafe {
                match (rng.as_mut(), slice(c, k)) {
                    (Some(r), Some(c)) => $rust(r, eta, c).unwrap_or(-1),
                    _ => -1,
                }
            }
        }
    };
}
c_ordinal_rng!(hbm_ordered_logistic_rng, ordered_logistic_rng);
c_ordinal_rng!(hbm_ordered_probit_rng, ordered_probit_rng);
