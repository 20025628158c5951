//! Multivariate densities: multi_normal, multi_normal_cholesky and
//! lkj_corr_cholesky, with reverse-mode (`_adj`) rules and `_rng`s.
//!
//! Vectors have length K, matrices are column-major K × K slices. The `_adj`
//! forms return the log density and *accumulate* `w · ∂lp/∂arg` into each
//! adjoint buffer that is `Some` (non-null in C), matching the fused adjoint
//! design: `w` is the adjoint of the log density (1 for `target +=`).
//! Matrix adjoints land in the lower triangle only, because the densities
//! read only the lower triangle (Σ is checked for symmetry, as in Stan).
//! Invalid arguments give `-inf` and leave the adjoints untouched.

use crate::dist::{no_nan, pos_finite};
use crate::ffi::{size, slice, slice_mut};
use crate::linalg::{check_symmetric, cholesky_lower, CONSTRAINT_TOLERANCE};
use crate::scratch::with_scratch;
use crate::rng::{bad, ChainRng, RngError};
use crate::special::{digamma, lbeta, HALF_LN_2PI};
use rand::Rng;
use rand_distr::{Beta, Distribution, StandardNormal};
use std::f64::consts::LN_2;

/// Checks the sizes and finiteness shared by the normal densities; returns K.
fn normal_args_ok(y: &[f64], mu: &[f64], m: &[f64]) -> Option<usize> {
    let k = y.len();
    if mu.len() != k || m.len() != k * k {
        return None;
    }
    if y.iter().chain(mu).chain(m).any(|v| !v.is_finite()) {
        return None;
    }
    Some(k)
}

/// z = L⁻¹ (y - μ) for a lower-triangular L with positive diagonal.
fn whiten(y: &[f64], mu: &[f64], l: &[f64], k: usize, z: &mut [f64]) {
    for i in 0..k {
        let mut s = y[i] - mu[i];
        for j in 0..i {
            s -= l[i + j * k] * z[j];
        }
        z[i] = s / l[i + i * k];
    }
}

/// Lᵀ w = z solved for w (back substitution), in place: `w` holds z on entry.
fn back_solve(l: &[f64], k: usize, w: &mut [f64]) {
    for i in (0..k).rev() {
        let mut s = w[i];
        for j in i + 1..k {
            s -= l[j + i * k] * w[j];
        }
        w[i] = s / l[i + i * k];
    }
}

/// The lpdf given a valid Cholesky factor; leaves z = L⁻¹(y-μ) in `z`.
fn mvn_chol_value(y: &[f64], mu: &[f64], l: &[f64], k: usize, z: &mut [f64]) -> f64 {
    whiten(y, mu, l, k, z);
    let log_det: f64 = (0..k).map(|i| l[i + i * k].ln()).sum();
    -(k as f64) * HALF_LN_2PI - log_det - 0.5 * z.iter().map(|v| v * v).sum::<f64>()
}

/// ȳ += -w u and μ̄ += w u, the adjoints shared by both normals (u = Σ⁻¹(y-μ)).
fn add_location_adjoints(u: &[f64], w: f64, y_adj: Option<&mut [f64]>, mu_adj: Option<&mut [f64]>) {
    if let Some(ya) = y_adj {
        ya.iter_mut().zip(u).for_each(|(a, ui)| *a -= w * ui);
    }
    if let Some(ma) = mu_adj {
        ma.iter_mut().zip(u).for_each(|(a, ui)| *a += w * ui);
    }
}

/// True when L's diagonal is positive (L is then a valid Cholesky factor; its
/// upper triangle is ignored).
fn diag_positive(l: &[f64], k: usize) -> bool {
    (0..k).all(|i| l[i + i * k] > 0.0)
}

/// multi_normal_cholesky(y | μ, L) = -K/2 ln 2π - Σ ln L_ii - ½‖L⁻¹(y-μ)‖².
pub fn multi_normal_cholesky_lpdf(y: &[f64], mu: &[f64], l: &[f64]) -> f64 {
    match normal_args_ok(y, mu, l) {
        Some(k) if diag_positive(l, k) => with_scratch(k, |z| mvn_chol_value(y, mu, l, k, z)),
        _ => f64::NEG_INFINITY,
    }
}

/// [`multi_normal_cholesky_lpdf`] and its reverse mode: with z = L⁻¹(y-μ) and
/// v = L⁻ᵀz, ȳ += -w v, μ̄ += w v, L̄ += w (lower(v zᵀ) - diag(1/L_ii)).
pub fn multi_normal_cholesky_lpdf_adj(
    y: &[f64],
    mu: &[f64],
    l: &[f64],
    w: f64,
    y_adj: Option<&mut [f64]>,
    mu_adj: Option<&mut [f64]>,
    l_adj: Option<&mut [f64]>,
) -> f64 {
    let Some(k) = normal_args_ok(y, mu, l).filter(|k| diag_positive(l, *k)) else {
        return f64::NEG_INFINITY;
    };
    if !adj_sizes_ok(k, &y_adj, &mu_adj, &l_adj) {
        return f64::NEG_INFINITY;
    }
    with_scratch(2 * k, |scratch| {
        let (z, u) = scratch.split_at_mut(k);
        let v = mvn_chol_value(y, mu, l, k, z);
        if !v.is_finite() {
            return no_nan(v);
        }
        u.copy_from_slice(z);
        back_solve(l, k, u);
        add_location_adjoints(u, w, y_adj, mu_adj);
        if let Some(la) = l_adj {
            for j in 0..k {
                for i in j..k {
                    la[i + j * k] += w * u[i] * z[j];
                }
                la[j + j * k] -= w / l[j + j * k];
            }
        }
        v
    })
}

/// Checks the lengths of the optional adjoint buffers.
fn adj_sizes_ok(
    k: usize,
    a: &Option<&mut [f64]>,
    b: &Option<&mut [f64]>,
    m: &Option<&mut [f64]>,
) -> bool {
    a.as_ref().is_none_or(|s| s.len() == k)
        && b.as_ref().is_none_or(|s| s.len() == k)
        && m.as_ref().is_none_or(|s| s.len() == k * k)
}

/// multi_normal(y | μ, Σ) via the Cholesky factor of Σ; -inf when Σ is not
/// symmetric positive definite (Stan throws).
pub fn multi_normal_lpdf(y: &[f64], mu: &[f64], sigma: &[f64]) -> f64 {
    let Some(k) = normal_args_ok(y, mu, sigma) else {
        return f64::NEG_INFINITY;
    };
    with_scratch(k * k + k, |scratch| {
        let (l, z) = scratch.split_at_mut(k * k);
        if check_symmetric(sigma, k).is_err() || cholesky_lower(sigma, k, l).is_err() {
            return f64::NEG_INFINITY;
        }
        mvn_chol_value(y, mu, l, k, z)
    })
}

/// [`multi_normal_lpdf`] and its reverse mode. With u = Σ⁻¹(y-μ),
/// ∂lp/∂Σ (symmetric) = ½(u uᵀ - Σ⁻¹); as only the lower triangle of Σ is
/// read, off-diagonal entries receive twice that and the upper triangle nothing.
pub fn multi_normal_lpdf_adj(
    y: &[f64],
    mu: &[f64],
    sigma: &[f64],
    w: f64,
    y_adj: Option<&mut [f64]>,
    mu_adj: Option<&mut [f64]>,
    sigma_adj: Option<&mut [f64]>,
) -> f64 {
    let Some(k) = normal_args_ok(y, mu, sigma) else {
        return f64::NEG_INFINITY;
    };
    if !adj_sizes_ok(k, &y_adj, &mu_adj, &sigma_adj) {
        return f64::NEG_INFINITY;
    }
    with_scratch(k * k + 5 * k, |scratch| {
        let (l, rest) = scratch.split_at_mut(k * k);
        let (z, rest) = rest.split_at_mut(k);
        let (u, rest) = rest.split_at_mut(k);
        let (e, rest) = rest.split_at_mut(k);
        let (zero, col) = rest.split_at_mut(k);
        if check_symmetric(sigma, k).is_err() || cholesky_lower(sigma, k, l).is_err() {
            return f64::NEG_INFINITY;
        }
        let v = mvn_chol_value(y, mu, l, k, z);
        if !v.is_finite() {
            return no_nan(v);
        }
        u.copy_from_slice(z);
        back_solve(l, k, u);
        add_location_adjoints(u, w, y_adj, mu_adj);
        if let Some(sa) = sigma_adj {
            // Σ⁻¹ column by column: solve L Lᵀ x = e_j.
            for j in 0..k {
                e.fill(0.0);
                e[j] = 1.0;
                whiten(e, zero, l, k, col);
                back_solve(l, k, col);
                for i in j..k {
                    let g = 0.5 * (u[i] * u[j] - col[i]);
                    sa[i + j * k] += w * if i == j { g } else { 2.0 * g };
                }
            }
        }
        v
    })
}

/// mu + L z with z standard normal (L lower triangular).
fn mvn_draw<R: Rng + ?Sized>(rng: &mut R, mu: &[f64], l: &[f64], out: &mut [f64]) {
    let k = mu.len();
    let z: Vec<f64> = (0..k).map(|_| rng.sample(StandardNormal)).collect();
    for i in 0..k {
        out[i] = mu[i] + (0..=i).map(|j| l[i + j * k] * z[j]).sum::<f64>();
    }
}

/// A draw from multi_normal_cholesky(μ, L) into `out`.
pub fn multi_normal_cholesky_rng<R: Rng + ?Sized>(
    rng: &mut R,
    mu: &[f64],
    l: &[f64],
    out: &mut [f64],
) -> Result<(), RngError> {
    let k = mu.len();
    if l.len() != k * k || out.len() != k || mu.iter().chain(l).any(|v| !v.is_finite()) {
        return Err(bad(
            "multi_normal_cholesky",
            "sizes must agree and entries be finite",
        ));
    }
    mvn_draw(rng, mu, l, out);
    Ok(())
}

/// A draw from multi_normal(μ, Σ) into `out`.
pub fn multi_normal_rng<R: Rng + ?Sized>(
    rng: &mut R,
    mu: &[f64],
    sigma: &[f64],
    out: &mut [f64],
) -> Result<(), RngError> {
    let k = mu.len();
    if sigma.len() != k * k || out.len() != k || mu.iter().any(|v| !v.is_finite()) {
        return Err(bad(
            "multi_normal",
            "sizes must agree and the mean be finite",
        ));
    }
    let mut l = vec![0.0; k * k];
    if check_symmetric(sigma, k).is_err() || cholesky_lower(sigma, k, &mut l).is_err() {
        return Err(bad(
            "multi_normal",
            "covariance must be symmetric positive definite",
        ));
    }
    mvn_draw(rng, mu, &l, out);
    Ok(())
}

// --- lkj_corr_cholesky ------------------------------------------------------------

/// ln of the LKJ normalising constant and its η-derivative (Lewandowski,
/// Kurowicka & Joe 2009): -Σ_{i=1}^{K-1} [(2η-2+K-i)(K-i) ln 2 + (K-i) ln B(b_i, b_i)],
/// b_i = η + (K-i-1)/2.
fn lkj_log_constant(eta: f64, k: usize) -> (f64, f64) {
    let mut c = 0.0;
    let mut dc = 0.0;
    for i in 1..k {
        let m = (k - i) as f64;
        let b = eta + 0.5 * (m - 1.0);
        c -= (2.0 * eta - 2.0 + m) * m * LN_2 + m * lbeta(b, b);
        dc -= 2.0 * m * LN_2 + m * 2.0 * (digamma(b) - digamma(2.0 * b));
    }
    (c, dc)
}

/// Checks a Cholesky factor of a correlation matrix as Stan's
/// lkj_corr_cholesky does (lower triangular, positive diagonal) plus
/// finiteness; returns K.
fn lkj_args_ok(l: &[f64], eta: f64) -> Option<usize> {
    let k = (l.len() as f64).sqrt().round() as usize;
    if k * k != l.len() || !pos_finite(eta) || l.iter().any(|v| !v.is_finite()) {
        return None;
    }
    for j in 0..k {
        for i in 0..j {
            if l[i + j * k] != 0.0 {
                return None;
            }
        }
        if !(l[j + j * k] > 0.0) {
            return None;
        }
    }
    Some(k)
}

/// lkj_corr_cholesky(L | η) = ln c_K(η) + Σ_{i=1}^{K-1} (K - i - 1 + 2η - 2) ln L_ii
/// (0-based i): the LKJ density of Ω = L Lᵀ times the Jacobian of Ω ↦ L.
pub fn lkj_corr_cholesky_lpdf(l: &[f64], eta: f64) -> f64 {
    let Some(k) = lkj_args_ok(l, eta) else {
        return f64::NEG_INFINITY;
    };
    let (c, _) = lkj_log_constant(eta, k);
    no_nan(
        c + (1..k)
            .map(|i| ((k - i - 1) as f64 + 2.0 * eta - 2.0) * l[i + i * k].ln())
            .sum::<f64>(),
    )
}

/// [`lkj_corr_cholesky_lpdf`] and its reverse mode: L̄_ii += w c_i / L_ii and
/// η̄ += w (∂ ln c_K/∂η + 2 Σ_{i>=1} ln L_ii).
pub fn lkj_corr_cholesky_lpdf_adj(
    l: &[f64],
    eta: f64,
    w: f64,
    l_adj: Option<&mut [f64]>,
    eta_adj: Option<&mut f64>,
) -> f64 {
    let Some(k) = lkj_args_ok(l, eta) else {
        return f64::NEG_INFINITY;
    };
    if l_adj.as_ref().is_some_and(|s| s.len() != k * k) {
        return f64::NEG_INFINITY;
    }
    let (c, dc) = lkj_log_constant(eta, k);
    let mut v = c;
    let mut sum_log = 0.0;
    for i in 1..k {
        let ll = l[i + i * k].ln();
        v += ((k - i - 1) as f64 + 2.0 * eta - 2.0) * ll;
        sum_log += ll;
    }
    if !v.is_finite() {
        return no_nan(v);
    }
    if let Some(la) = l_adj {
        for i in 1..k {
            la[i + i * k] += w * ((k - i - 1) as f64 + 2.0 * eta - 2.0) / l[i + i * k];
        }
    }
    if let Some(ea) = eta_adj {
        *ea += w * (dc + 2.0 * sum_log);
    }
    v
}

/// A draw from lkj_corr_cholesky(K, η) into `out` (K × K), by Stan's onion-free
/// method: partial correlations 2·Beta(α, α) - 1 with α falling by ½ per column.
pub fn lkj_corr_cholesky_rng<R: Rng + ?Sized>(
    rng: &mut R,
    k: usize,
    eta: f64,
    out: &mut [f64],
) -> Result<(), RngError> {
    if !pos_finite(eta) || out.len() != k * k {
        return Err(bad(
            "lkj_corr_cholesky",
            "η must be positive finite and the output K × K",
        ));
    }
    let mut cpcs = Vec::with_capacity(k * k.saturating_sub(1) / 2);
    let mut alpha = eta + 0.5 * (k as f64 - 1.0);
    for i in 0..k.saturating_sub(1) {
        alpha -= 0.5;
        let b = Beta::new(alpha, alpha).map_err(|_| bad("lkj_corr_cholesky", "invalid shape"))?;
        for _ in i + 1..k {
            // Keep strictly inside (-1, 1) so the factor stays positive definite.
            let z: f64 = 2.0 * b.sample(rng) - 1.0;
            cpcs.push(z.clamp(-1.0 + CONSTRAINT_TOLERANCE, 1.0 - CONSTRAINT_TOLERANCE));
        }
    }
    crate::transform::read_corr_l(&cpcs, k, out);
    Ok(())
}

// --- C ABI ---------------------------------------------------------------------------

/// C form of [`multi_normal_cholesky_lpdf`]; -inf on bad input.
///
/// # Safety
/// `y`, `mu` valid for `k` values, `l` for `k*k`.
pub unsafe extern "C" fn hbm_multi_normal_cholesky_lpdf(
    y: *const f64,
    mu: *const f64,
    l: *const f64,
    k: i64,
) -> f64 {
    let Some(k) = size(k) else {
        return f64::NEG_INFINITY;
    };
    // SAFETY: caller contract.
    match unsafe { (slice(y, k), slice(mu, k), slice(l, k * k)) } {
        (Some(y), Some(mu), Some(l)) => multi_normal_cholesky_lpdf(y, mu, l),
        _ => f64::NEG_INFINITY,
    }
}

/// C form of [`multi_normal_cholesky_lpdf_adj`] (null adjoints skipped).
///
/// # Safety
/// As [`hbm_multi_normal_cholesky_lpdf`], adjoints sized like their primals.
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn hbm_multi_normal_cholesky_lpdf_adj(
    y: *const f64,
    mu: *const f64,
    l: *const f64,
    k: i64,
    w: f64,
    y_adj: *mut f64,
    mu_adj: *mut f64,
    l_adj: *mut f64,
) -> f64 {
    let Some(k) = size(k) else {
        return f64::NEG_INFINITY;
    };
    // SAFETY: caller contract.
    unsafe {
        match (slice(y, k), slice(mu, k), slice(l, k * k)) {
            (Some(y), Some(mu), Some(l)) => multi_normal_cholesky_lpdf_adj(
                y,
                mu,
                l,
                w,
                slice_mut(y_adj, k),
                slice_mut(mu_adj, k),
                slice_mut(l_adj, k * k),
            ),
            _ => f64::NEG_INFINITY,
        }
    }
}

/// C form of [`multi_normal_lpdf`]; -inf on bad input.
///
/// # Safety
/// `y`, `mu` valid for `k` values, `sigma` for `k*k`.
pub unsafe extern "C" fn hbm_multi_normal_lpdf(
    y: *const f64,
    mu: *const f64,
    sigma: *const f64,
    k: i64,
) -> f64 {
    let Some(k) = size(k) else {
        return f64::NEG_INFINITY;
    };
    // SAFETY: caller contract.
    match unsafe { (slice(y, k), slice(mu, k), slice(sigma, k * k)) } {
        (Some(y), Some(mu), Some(s)) => multi_normal_lpdf(y, mu, s),
        _ => f64::NEG_INFINITY,
    }
}

/// C form of [`multi_normal_lpdf_adj`] (null adjoints skipped).
///
/// # Safety
/// As [`hbm_multi_normal_lpdf`], adjoints sized like their primals.
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn hbm_multi_normal_lpdf_adj(
    y: *const f64,
    mu: *const f64,
    sigma: *const f64,
    k: i64,
    w: f64,
    y_adj: *mut f64,
    mu_adj: *mut f64,
    sigma_adj: *mut f64,
) -> f64 {
    let Some(k) = size(k) else {
        return f64::NEG_INFINITY;
    };
    // SAFETY: caller contract.
    unsafe {
        match (slice(y, k), slice(mu, k), slice(sigma, k * k)) {
            (Some(y), Some(mu), Some(s)) => multi_normal_lpdf_adj(
                y,
                mu,
                s,
                w,
                slice_mut(y_adj, k),
                slice_mut(mu_adj, k),
                slice_mut(sigma_adj, k * k),
            ),
            _ => f64::NEG_INFINITY,
        }
    }
}

/// C form of [`lkj_corr_cholesky_lpdf`]; -inf on bad input.
///
/// # Safety
/// `l` valid for `k*k` values.
pub unsafe extern "C" fn hbm_lkj_corr_cholesky_lpdf(l: *const f64, k: i64, eta: f64) -> f64 {
    let Some(k) = size(k) else {
        return f64::NEG_INFINITY;
    };
    // SAFETY: caller contract.
    match unsafe { slice(l, k * k) } {
        Some(l) => lkj_corr_cholesky_lpdf(l, eta),
        None => f64::NEG_INFINITY,
    }
}

/// C form of [`lkj_corr_cholesky_lpdf_adj`] (null adjoints skipped).
///
/// # Safety
/// `l`, `l_adj` valid for `k*k` values, `eta_adj` for one.
pub unsafe extern "C" fn hbm_lkj_corr_cholesky_lpdf_adj(
    l: *const f64,
    k: i64,
    eta: f64,
    w: f64,
    l_adj: *mut f64,
    eta_adj: *mut f64,
) -> f64 {
    let Some(k) = size(k) else {
        return f64::NEG_INFINITY;
    };
    // SAFETY: caller contract.
    unsafe {
        match slice(l, k * k) {
            Some(l) => {
                lkj_corr_cholesky_lpdf_adj(l, eta, w, slice_mut(l_adj, k * k), eta_adj.as_mut())
            }
            None => f64::NEG_INFINITY,
        }
    }
}

/// A draw from multi_student_t_cholesky(ν, μ, L) into `out`: μ + L z √(ν / w)
/// with z standard normal and w ~ χ²(ν), the normal scale mixture.
pub fn multi_student_t_cholesky_rng<R: Rng + ?Sized>(
    rng: &mut R,
    nu: f64,
    mu: &[f64],
    l: &[f64],
    out: &mut [f64],
) -> Result<(), RngError> {
    if !super::pos_finite(nu) {
        return Err(bad("multi_student_t_cholesky", "nu must be positive and finite"));
    }
    let zero = vec![0.0; mu.len()];
    multi_normal_cholesky_rng(rng, &zero, l, out)?;
    student_t_scale(rng, nu, mu, out)
}

/// A draw from multi_student_t(ν, μ, Σ) into `out` (see
/// [`multi_student_t_cholesky_rng`]; Σ must be symmetric positive definite).
pub fn multi_student_t_rng<R: Rng + ?Sized>(
    rng: &mut R,
    nu: f64,
    mu: &[f64],
    sigma: &[f64],
    out: &mut [f64],
) -> Result<(), RngError> {
    if !super::pos_finite(nu) {
        return Err(bad("multi_student_t", "nu must be positive and finite"));
    }
    let zero = vec![0.0; mu.len()];
    multi_normal_rng(rng, &zero, sigma, out)?;
    student_t_scale(rng, nu, mu, out)
}

/// `out <- mu + out √(ν / w)`, w ~ χ²(ν) (ν must be finite, as in Stan).
fn student_t_scale<R: Rng + ?Sized>(rng: &mut R, nu: f64, mu: &[f64], out: &mut [f64]) -> Result<(), RngError> {
    if mu.iter().any(|v| !v.is_finite()) {
        return Err(bad("multi_student_t", "the location must be finite"));
    }
    let scale = (nu / super::chi_square::chi_square_rng(rng, nu)?).sqrt();
    for (o, m) in out.iter_mut().zip(mu) {
        *o = m + *o * scale;
    }
    Ok(())
}

/// C form of [`multi_student_t_rng`]: 0 ok, 1 invalid parameters.
///
/// # Safety
/// `rng` a live `ChainRng`; `mu`, `out` valid for `k`, `sigma` for `k*k` values.
pub unsafe extern "C" fn hbm_multi_student_t_rng(
    rng: *mut ChainRng,
    nu: f64,
    mu: *const f64,
    sigma: *const f64,
    k: i64,
    out: *mut f64,
) -> i32 {
    // SAFETY: forwarded caller contract.
    unsafe { mvn_rng_c(rng, mu, sigma, k, out, |r, m, s, o| multi_student_t_rng(r, nu, m, s, o)) }
}

/// C form of [`multi_student_t_cholesky_rng`]: 0 ok, 1 invalid parameters.
///
/// # Safety
/// `rng` a live `ChainRng`; `mu`, `out` valid for `k`, `l` for `k*k` values.
pub unsafe extern "C" fn hbm_multi_student_t_cholesky_rng(
    rng: *mut ChainRng,
    nu: f64,
    mu: *const f64,
    l: *const f64,
    k: i64,
    out: *mut f64,
) -> i32 {
    // SAFETY: forwarded caller contract.
    unsafe { mvn_rng_c(rng, mu, l, k, out, |r, m, s, o| multi_student_t_cholesky_rng(r, nu, m, s, o)) }
}

/// C form of [`multi_normal_cholesky_rng`]: 0 ok, 1 invalid parameters.
///
/// # Safety
/// `rng` a live `ChainRng`; `mu`, `out` valid for `k`, `l` for `k*k` values.
pub unsafe extern "C" fn hbm_multi_normal_cholesky_rng(
    rng: *mut ChainRng,
    mu: *const f64,
    l: *const f64,
    k: i64,
    out: *mut f64,
) -> i32 {
    // SAFETY: forwarded caller contract.
    unsafe { mvn_rng_c(rng, mu, l, k, out, multi_normal_cholesky_rng) }
}

/// C form of [`multi_normal_rng`]: 0 ok, 1 invalid parameters.
///
/// # Safety
/// `rng` a live `ChainRng`; `mu`, `out` valid for `k`, `sigma` for `k*k` values.
pub unsafe extern "C" fn hbm_multi_normal_rng(
    rng: *mut ChainRng,
    mu: *const f64,
    sigma: *const f64,
    k: i64,
    out: *mut f64,
) -> i32 {
    // SAFETY: forwarded caller contract.
    unsafe { mvn_rng_c(rng, mu, sigma, k, out, multi_normal_rng) }
}

/// The C-ABI body shared by the multivariate normal draws: checks the
/// pointers and size, then calls `draw(rng, mu, matrix, out)`; 0 ok, 1 invalid.
///
/// # Safety
/// `rng` a live `ChainRng`; `mu`, `out` valid for `k`, `matrix` for `k*k` values.
unsafe fn mvn_rng_c(
    rng: *mut ChainRng,
    mu: *const f64,
    matrix: *const f64,
    k: i64,
    out: *mut f64,
    draw: impl Fn(&mut ChainRng, &[f64], &[f64], &mut [f64]) -> Result<(), RngError>,
) -> i32 {
    let Some(k) = size(k) else { return 1 };
    // SAFETY: caller contract.
    unsafe {
        match (rng.as_mut(), slice(mu, k), slice(matrix, k * k), slice_mut(out, k)) {
            (Some(r), Some(mu), Some(m), Some(o)) => i32::from(draw(r, mu, m, o).is_err()),
            _ => 1,
        }
    }
}

/// C form of [`lkj_corr_cholesky_rng`]: 0 ok, 1 invalid parameters.
///
/// # Safety
/// `rng` a live `ChainRng`; `out` valid for `k*k` values.
pub unsafe extern "C" fn hbm_lkj_corr_cholesky_rng(
    rng: *mut ChainRng,
    k: i64,
    eta: f64,
    out: *mut f64,
) -> i32 {
    let Some(k) = size(k) else { return 1 };
    // SAFETY: caller contract.
    unsafe {
        match (rng.as_mut(), slice_mut(out, k * k)) {
            (Some(r), Some(o)) => i32::from(lkj_corr_cholesky_rng(r, k, eta, o).is_err()),
            _ => 1,
        }
    }
}
