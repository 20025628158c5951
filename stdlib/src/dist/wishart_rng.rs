//! Draws from the Wishart family by Bartlett's decomposition: with A lower
//! triangular, A_ii = √χ²(ν - i) (i from 0) and A_ij ~ N(0, 1) below the
//! diagonal, F A Aᵀ Fᵀ ~ Wishart(ν, F Fᵀ) for any factor F. So, with
//! S = L Lᵀ:
//!
//! - `wishart_cholesky_rng(ν, L)` = L A (lower triangular, positive diagonal);
//! - `wishart_rng(ν, S)` = (L A)(L A)ᵀ;
//! - `inv_wishart_rng(ν, S)` = B Bᵀ with B = L A⁻ᵀ: the inverse of a
//!   Wishart(ν, S⁻¹) draw, taking F = L⁻ᵀ (F Fᵀ = S⁻¹), is
//!   (L⁻ᵀ A Aᵀ L⁻¹)⁻¹ = L A⁻ᵀ A⁻¹ Lᵀ;
//! - `inv_wishart_cholesky_rng(ν, L)` = the Cholesky factor of that draw.
//!
//! Matrices are column-major K × K. ν must exceed K - 1; S must be
//! symmetric positive definite (L a Cholesky factor: lower triangular with a
//! positive diagonal).

use crate::dist::pos_finite;
use crate::ffi::{size, slice, slice_mut};
use crate::linalg::{cholesky_decompose, cholesky_lower};
use crate::rng::{bad, ChainRng, RngError};
use rand::Rng;
use rand_distr::{ChiSquared, Distribution, StandardNormal};

/// Which member of the family a draw is from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WishartKind {
    /// `wishart_rng(nu, S)`.
    Wishart,
    /// `inv_wishart_rng(nu, S)`.
    InvWishart,
    /// `wishart_cholesky_rng(nu, L_S)`.
    WishartCholesky,
    /// `inv_wishart_cholesky_rng(nu, L_S)`.
    InvWishartCholesky,
}

impl WishartKind {
    fn name(self) -> &'static str {
        match self {
            WishartKind::Wishart => "wishart",
            WishartKind::InvWishart => "inv_wishart",
            WishartKind::WishartCholesky => "wishart_cholesky",
            WishartKind::InvWishartCholesky => "inv_wishart_cholesky",
        }
    }

    fn takes_factor(self) -> bool {
        matches!(self, WishartKind::WishartCholesky | WishartKind::InvWishartCholesky)
    }
}

/// Bartlett's lower-triangular A for ν degrees of freedom.
fn bartlett<R: Rng + ?Sized>(rng: &mut R, nu: f64, k: usize) -> Result<Vec<f64>, RngError> {
    let mut a = vec![0.0; k * k];
    for j in 0..k {
        let chi = ChiSquared::new(nu - j as f64).map_err(|_| bad("wishart", "ν must exceed K - 1"))?;
        a[j + j * k] = chi.sample(rng).sqrt();
        for i in j + 1..k {
            a[i + j * k] = StandardNormal.sample(rng);
        }
    }
    Ok(a)
}

/// The product of two lower-triangular K × K matrices.
fn lower_product(l: &[f64], a: &[f64], k: usize, out: &mut [f64]) {
    for j in 0..k {
        for i in 0..k {
            out[i + j * k] = if i < j { 0.0 } else { (j..=i).map(|m| l[i + m * k] * a[m + j * k]).sum() };
        }
    }
}

/// M Mᵀ of a K × K matrix.
fn self_outer(m: &[f64], k: usize, out: &mut [f64]) {
    for j in 0..k {
        for i in 0..k {
            out[i + j * k] = (0..k).map(|c| m[i + c * k] * m[j + c * k]).sum();
        }
    }
}

/// A draw of `kind` with ν degrees of freedom and scale `s` (a Cholesky
/// factor for the `_cholesky` kinds) into `out`.
pub fn wishart_family_rng<R: Rng + ?Sized>(
    rng: &mut R,
    kind: WishartKind,
    nu: f64,
    s: &[f64],
    k: usize,
    out: &mut [f64],
) -> Result<(), RngError> {
    if !pos_finite(nu) || nu <= k as f64 - 1.0 || s.len() != k * k || out.len() != k * k {
        return Err(bad(kind.name(), "ν must be finite and exceed K - 1, and the scale K × K"));
    }
    let mut l = vec![0.0; k * k];
    if kind.takes_factor() {
        for j in 0..k {
            for i in 0..k {
                let v = s[i + j * k];
                let ok = if i < j { v == 0.0 } else if i == j { v > 0.0 && v.is_finite() } else { v.is_finite() };
                if !ok {
                    return Err(bad(kind.name(), "the scale must be a Cholesky factor (lower triangular, positive diagonal)"));
                }
                l[i + j * k] = v;
            }
        }
    } else {
        cholesky_decompose(s, k, &mut l).map_err(|_| bad(kind.name(), "the scale must be symmetric positive definite"))?;
    }
    let a = bartlett(rng, nu, k)?;
    match kind {
        WishartKind::WishartCholesky => lower_product(&l, &a, k, out),
        WishartKind::Wishart => {
            let mut m = vec![0.0; k * k];
            lower_product(&l, &a, k, &mut m);
            self_outer(&m, k, out);
        }
        WishartKind::InvWishart | WishartKind::InvWishartCholesky => {
            // A⁻¹ (lower triangular) by forward substitution, column by column.
            let mut a_inv = vec![0.0; k * k];
            for j in 0..k {
                for i in j..k {
                    let rhs = if i == j { 1.0 } else { 0.0 };
                    let sum: f64 = (j..i).map(|m| a[i + m * k] * a_inv[m + j * k]).sum();
                    a_inv[i + j * k] = (rhs - sum) / a[i + i * k];
                }
            }
            // B = L A⁻ᵀ.
            let mut b = vec![0.0; k * k];
            for j in 0..k {
                for i in 0..k {
                    b[i + j * k] = (0..k).map(|m| l[i + m * k] * a_inv[j + m * k]).sum();
                }
            }
            if kind == WishartKind::InvWishart {
                self_outer(&b, k, out);
            } else {
                let mut w = vec![0.0; k * k];
                self_outer(&b, k, &mut w);
                cholesky_lower(&w, k, out).map_err(|_| bad(kind.name(), "the draw is not positive definite"))?;
            }
        }
    }
    Ok(())
}

/// The C-ABI body of the four draws: 0 ok, 1 invalid arguments.
///
/// # Safety
/// `rng` a live `ChainRng`; `s` and `out` valid for `k*k` values.
unsafe fn wishart_rng_c(rng: *mut ChainRng, kind: WishartKind, nu: f64, s: *const f64, k: i64, out: *mut f64) -> i32 {
    let Some(k) = size(k) else { return 1 };
    // SAFETY: caller contract.
    unsafe {
        match (rng.as_mut(), slice(s, k * k), slice_mut(out, k * k)) {
            (Some(r), Some(s), Some(o)) => i32::from(wishart_family_rng(r, kind, nu, s, k, o).is_err()),
            _ => 1,
        }
    }
}

macro_rules! wishart_c {
    ($name:ident, $kind:expr, $doc:literal) => {
        #[doc = $doc]
        ///
        /// # Safety
        /// `rng` a live `ChainRng`; `s` and `out` valid for `k*k` values.
        pub unsafe extern "C" fn $name(rng: *mut ChainRng, nu: f64, s: *const f64, k: i64, out: *mut f64) -> i32 {
            // SAFETY: forwarded caller contract.
            unsafe { wishart_rng_c(rng, $kind, nu, s, k, out) }
        }
    };
}

wishart_c!(hbm_wishart_rng, WishartKind::Wishart, "C form of `wishart_rng(nu, S)`: 0 ok, 1 invalid.");
wishart_c!(hbm_inv_wishart_rng, WishartKind::InvWishart, "C form of `inv_wishart_rng(nu, S)`: 0 ok, 1 invalid.");
wishart_c!(hbm_wishart_cholesky_rng, WishartKind::WishartCholesky, "C form of `wishart_cholesky_rng(nu, L_S)`: 0 ok, 1 invalid.");
wishart_c!(
    hbm_inv_wishart_cholesky_rng,
    WishartKind::InvWishartCholesky,
    "C form of `inv_wishart_cholesky_rng(nu, L_S)`: 0 ok, 1 invalid."
);
