//! The chi-square family as reparameterised gammas: `chi_square(ν)` is
//! gamma(ν/2, 1/2), `inv_chi_square(ν)` is inv_gamma(ν/2, 1/2) and
//! `scaled_inv_chi_square(ν, s)` is inv_gamma(ν/2, ν s²/2). Each function
//! maps its partials through the chain rule from the gamma's (∂y, ∂α, ∂β).

use super::{c_lpdf, c_rng_real, finish, pos_finite, reject};
use super::{gamma_lcdf_grad, gamma_lccdf_grad, gamma_lpdf_grad, gamma_rng};
use super::{inv_gamma_lcdf_grad, inv_gamma_lccdf_grad, inv_gamma_lpdf_grad, inv_gamma_rng};
use crate::rng::{bad, RngError};
use rand::Rng;

/// A gamma-family function of (y, α, β) with its partials.
type GammaFn = fn(f64, f64, f64) -> (f64, [f64; 3]);

/// f(y | ν/2, 1/2) with partials (∂y, ∂ν).
fn by_dof(f: GammaFn, y: f64, nu: f64) -> (f64, [f64; 2]) {
    if !pos_finite(nu) {
        return reject();
    }
    let (v, [dy, da, _]) = f(y, 0.5 * nu, 0.5);
    finish(v, [dy, 0.5 * da])
}

/// f(y | ν/2, ν s²/2) with partials (∂y, ∂ν, ∂s).
fn by_dof_scale(f: GammaFn, y: f64, nu: f64, s: f64) -> (f64, [f64; 3]) {
    if !pos_finite(nu) || !pos_finite(s) {
        return reject();
    }
    let (v, [dy, da, db]) = f(y, 0.5 * nu, 0.5 * nu * s * s);
    finish(v, [dy, 0.5 * da + 0.5 * s * s * db, nu * s * db])
}

macro_rules! dof_functions {
    ($($name:ident / $grad:ident / $c:ident / $cg:ident = $base:ident: $doc:literal),+ $(,)?) => {$(
        #[doc = $doc]
        pub fn $name(y: f64, nu: f64) -> f64 {
            $grad(y, nu).0
        }
        #[doc = concat!("[`", stringify!($name), "`] and its partials (∂y, ∂ν).")]
        pub fn $grad(y: f64, nu: f64) -> (f64, [f64; 2]) {
            by_dof($base, y, nu)
        }
        c_lpdf!($c, $cg, $name, $grad; y, nu);
    )+};
}

macro_rules! dof_scale_functions {
    ($($name:ident / $grad:ident / $c:ident / $cg:ident = $base:ident: $doc:literal),+ $(,)?) => {$(
        #[doc = $doc]
        pub fn $name(y: f64, nu: f64, s: f64) -> f64 {
            $grad(y, nu, s).0
        }
        #[doc = concat!("[`", stringify!($name), "`] and its partials (∂y, ∂ν, ∂s).")]
        pub fn $grad(y: f64, nu: f64, s: f64) -> (f64, [f64; 3]) {
            by_dof_scale($base, y, nu, s)
        }
        c_lpdf!($c, $cg, $name, $grad; y, nu, s);
    )+};
}

dof_functions!(
    chi_square_lpdf / chi_square_lpdf_grad / hbm_chi_square_lpdf / hbm_chi_square_lpdf_grad = gamma_lpdf_grad:
        "chi_square(y | ν) = gamma(y | ν/2, 1/2).",
    chi_square_lcdf / chi_square_lcdf_grad / hbm_chi_square_lcdf / hbm_chi_square_lcdf_grad = gamma_lcdf_grad:
        "ln P(Y <= y) for Y ~ chi_square(ν).",
    chi_square_lccdf / chi_square_lccdf_grad / hbm_chi_square_lccdf / hbm_chi_square_lccdf_grad = gamma_lccdf_grad:
        "ln P(Y > y) for Y ~ chi_square(ν).",
    inv_chi_square_lpdf / inv_chi_square_lpdf_grad / hbm_inv_chi_square_lpdf / hbm_inv_chi_square_lpdf_grad = inv_gamma_lpdf_grad:
        "inv_chi_square(y | ν) = inv_gamma(y | ν/2, 1/2).",
    inv_chi_square_lcdf / inv_chi_square_lcdf_grad / hbm_inv_chi_square_lcdf / hbm_inv_chi_square_lcdf_grad = inv_gamma_lcdf_grad:
        "ln P(Y <= y) for Y ~ inv_chi_square(ν).",
    inv_chi_square_lccdf / inv_chi_square_lccdf_grad / hbm_inv_chi_square_lccdf / hbm_inv_chi_square_lccdf_grad = inv_gamma_lccdf_grad:
        "ln P(Y > y) for Y ~ inv_chi_square(ν).",
);

dof_scale_functions!(
    scaled_inv_chi_square_lpdf / scaled_inv_chi_square_lpdf_grad / hbm_scaled_inv_chi_square_lpdf
        / hbm_scaled_inv_chi_square_lpdf_grad = inv_gamma_lpdf_grad:
        "scaled_inv_chi_square(y | ν, s) = inv_gamma(y | ν/2, ν s²/2).",
    scaled_inv_chi_square_lcdf / scaled_inv_chi_square_lcdf_grad / hbm_scaled_inv_chi_square_lcdf
        / hbm_scaled_inv_chi_square_lcdf_grad = inv_gamma_lcdf_grad:
        "ln P(Y <= y) for Y ~ scaled_inv_chi_square(ν, s).",
    scaled_inv_chi_square_lccdf / scaled_inv_chi_square_lccdf_grad / hbm_scaled_inv_chi_square_lccdf
        / hbm_scaled_inv_chi_square_lccdf_grad = inv_gamma_lccdf_grad:
        "ln P(Y > y) for Y ~ scaled_inv_chi_square(ν, s).",
);

/// A draw from chi_square(ν): a gamma(ν/2, 1/2) draw.
pub fn chi_square_rng<R: Rng + ?Sized>(rng: &mut R, nu: f64) -> Result<f64, RngError> {
    if !pos_finite(nu) {
        return Err(bad("chi_square", "degrees of freedom must be positive and finite"));
    }
    gamma_rng(rng, 0.5 * nu, 0.5)
}

/// A draw from inv_chi_square(ν): an inv_gamma(ν/2, 1/2) draw.
pub fn inv_chi_square_rng<R: Rng + ?Sized>(rng: &mut R, nu: f64) -> Result<f64, RngError> {
    if !pos_finite(nu) {
        return Err(bad("inv_chi_square", "degrees of freedom must be positive and finite"));
    }
    inv_gamma_rng(rng, 0.5 * nu, 0.5)
}

/// A draw from scaled_inv_chi_square(ν, s): an inv_gamma(ν/2, ν s²/2) draw.
pub fn scaled_inv_chi_square_rng<R: Rng + ?Sized>(rng: &mut R, nu: f64, s: f64) -> Result<f64, RngError> {
    if !pos_finite(nu) || !pos_finite(s) {
        return Err(bad("scaled_inv_chi_square", "degrees of freedom and scale must be positive and finite"));
    }
    inv_gamma_rng(rng, 0.5 * nu, 0.5 * nu * s * s)
}
c_rng_real!(hbm_chi_square_rng, chi_square_rng; nu);
c_rng_real!(hbm_inv_chi_square_rng, inv_chi_square_rng; nu);
c_rng_real!(hbm_scaled_inv_chi_square_rng, scaled_inv_chi_square_rng; nu, s);
