//! C-ABI wrappers of the scalar math functions, called by JIT-compiled code.
//!
//! # Naming scheme (used by every C-ABI symbol of this crate)
//! - `hbm_<f>(x, ...) -> f64` — the value of `<f>` (Stan's name for it).
//! - `hbm_<f>_d<k>(x, ...) -> f64` — the partial derivative of `<f>` with
//!   respect to its k-th argument, counted from 1, taking the same arguments.
//! - `hbm_<f>_grad(x, ..., partials: *mut f64) -> f64` — for functions of
//!   two or more arguments: returns the value and writes all partials, one per
//!   argument in order (cheaper than calling each `_d<k>`).
//! - Densities follow the same pattern (`hbm_normal_lpdf`,
//!   `hbm_normal_lpdf_grad`), see [`crate::dist`]; matrix and vector routines
//!   use `_adj` for accumulate-style reverse-mode rules, see [`crate::linalg`].
//!
//! Functions that are a single machine instruction (add, mul, sqrt, fabs, ...)
//! need no value wrapper, but their derivatives are here where they are not
//! trivial to inline. All wrappers are total: out-of-domain input gives NaN
//! (or ±inf) exactly as the Rust functions in [`crate::special`], never a panic.

#![allow(non_snake_case)] // hbm_Phi keeps Stan's spelling of Phi

use crate::bessel_functions as bf;
use crate::special as sp;
use std::f64::consts::{LN_10, LN_2};

use crate::ffi::write_out;

/// Defines a unary value wrapper and its derivative wrapper.
macro_rules! unary {
    ($name:ident, $d1:ident, $doc:literal, |$x:ident| $val:expr, |$y:ident| $der:expr) => {
        #[doc = $doc]
        pub extern "C" fn $name($x: f64) -> f64 {
            $val
        }
        #[doc = concat!("Derivative of `", stringify!($name), "`.")]
        pub extern "C" fn $d1($y: f64) -> f64 {
            $der
        }
    };
}

unary!(hbm_exp, hbm_exp_d1, "e^x.", |x| x.exp(), |x| x.exp());
unary!(
    hbm_log,
    hbm_log_d1,
    "ln x (NaN for x < 0, -inf at 0).",
    |x| x.ln(),
    |x| 1.0 / x
);
unary!(
    hbm_log1p,
    hbm_log1p_d1,
    "ln(1 + x).",
    |x| x.ln_1p(),
    |x| 1.0 / (1.0 + x)
);
unary!(hbm_expm1, hbm_expm1_d1, "e^x - 1.", |x| x.exp_m1(), |x| x
    .exp());
unary!(hbm_sqrt, hbm_sqrt_d1, "√x.", |x| x.sqrt(), |x| 0.5
    / x.sqrt());
unary!(hbm_square, hbm_square_d1, "x².", |x| x * x, |x| 2.0 * x);
unary!(hbm_inv, hbm_inv_d1, "1/x.", |x| 1.0 / x, |x| -1.0 / (x * x));
unary!(
    hbm_abs,
    hbm_abs_d1,
    "|x| (derivative sign(x), 0 at 0 as Stan).",
    |x| x.abs(),
    |x| {
        if x > 0.0 {
            1.0
        } else if x < 0.0 {
            -1.0
        } else {
            0.0
        }
    }
);
unary!(
    hbm_inv_logit,
    hbm_inv_logit_d1,
    "Logistic sigmoid.",
    |x| sp::inv_logit(x),
    |x| sp::inv_logit_grad(x).1
);
unary!(
    hbm_logit,
    hbm_logit_d1,
    "ln(p/(1-p)).",
    |p| sp::logit(p),
    |p| sp::logit_d1(p)
);
unary!(
    hbm_log_inv_logit,
    hbm_log_inv_logit_d1,
    "ln σ(x).",
    |x| sp::log_inv_logit(x),
    |x| sp::inv_logit(-x)
);
unary!(
    hbm_log1m_inv_logit,
    hbm_log1m_inv_logit_d1,
    "ln(1 - σ(x)).",
    |x| sp::log1m_inv_logit(x),
    |x| -sp::inv_logit(x)
);
unary!(
    hbm_log1p_exp,
    hbm_log1p_exp_d1,
    "ln(1 + e^x) (softplus).",
    |x| sp::log1p_exp(x),
    |x| sp::inv_logit(x)
);
unary!(
    hbm_log1m_exp,
    hbm_log1m_exp_d1,
    "ln(1 - e^x), x < 0.",
    |x| sp::log1m_exp(x),
    |x| sp::log1m_exp_d1(x)
);
unary!(
    hbm_log1m,
    hbm_log1m_d1,
    "ln(1 - x).",
    |x| sp::log1m(x),
    |x| -1.0 / (1.0 - x)
);
unary!(
    hbm_lgamma,
    hbm_lgamma_d1,
    "ln|Γ(x)|; derivative digamma.",
    |x| sp::lgamma(x),
    |x| sp::digamma(x)
);
unary!(
    hbm_digamma,
    hbm_digamma_d1,
    "ψ(x); derivative trigamma.",
    |x| sp::digamma(x),
    |x| sp::trigamma(x)
);
unary!(hbm_erf, hbm_erf_d1, "erf(x).", |x| sp::erf(x), |x| {
    sp::erf_d1(x)
});
unary!(hbm_erfc, hbm_erfc_d1, "erfc(x).", |x| sp::erfc(x), |x| {
    -sp::erf_d1(x)
});
unary!(
    hbm_Phi,
    hbm_Phi_d1,
    "Standard normal CDF (Stan's `Phi`).",
    |x| sp::phi(x),
    |x| sp::phi_d1(x)
);
unary!(
    hbm_inv_Phi,
    hbm_inv_Phi_d1,
    "Standard normal quantile.",
    |p| sp::inv_phi(p),
    |p| sp::inv_phi_d1(p)
);
unary!(
    hbm_lambert_w0,
    hbm_lambert_w0_d1,
    "The principal branch of the Lambert W function.",
    |x| sp::lambert_w0(x),
    |x| sp::lambert_w_d1(sp::lambert_w0(x))
);
unary!(
    hbm_lambert_wm1,
    hbm_lambert_wm1_d1,
    "The lower branch of the Lambert W function.",
    |x| sp::lambert_wm1(x),
    |x| sp::lambert_w_d1(sp::lambert_wm1(x))
);
unary!(
    hbm_std_normal_qf,
    hbm_std_normal_qf_d1,
    "Standard normal quantile (Stan's `std_normal_qf`, `inv_Phi`'s other name).",
    |p| sp::inv_phi(p),
    |p| sp::inv_phi_d1(p)
);
unary!(
    hbm_inv_erfc,
    hbm_inv_erfc_d1,
    "The inverse of the complementary error function.",
    |x| sp::inv_erfc(x),
    |x| sp::inv_erfc_d1(x)
);
unary!(
    hbm_std_normal_log_qf,
    hbm_std_normal_log_qf_d1,
    "Standard normal quantile of a log probability.",
    |lp| sp::inv_phi_log(lp),
    |lp| sp::inv_phi_log_d1(lp)
);

/// Defines a binary value wrapper, its two partial wrappers and a `_grad` form
/// from a function returning the value and one returning both partials.
macro_rules! binary {
    ($name:ident, $d1:ident, $d2:ident, $grad:ident, $doc:literal, $val:expr, $pars:expr) => {
        #[doc = $doc]
        pub extern "C" fn $name(a: f64, b: f64) -> f64 {
            ($val)(a, b)
        }
        #[doc = concat!("∂/∂(first argument) of `", stringify!($name), "`.")]
        pub extern "C" fn $d1(a: f64, b: f64) -> f64 {
            ($pars)(a, b)[0]
        }
        #[doc = concat!("∂/∂(second argument) of `", stringify!($name), "`.")]
        pub extern "C" fn $d2(a: f64, b: f64) -> f64 {
            ($pars)(a, b)[1]
        }
        #[doc = concat!("Value of `", stringify!($name), "`; writes both partials to `partials[0..2]`.")]
        ///
        /// # Safety
        /// `partials` must be null or valid for 2 writes.
        pub unsafe extern "C" fn $grad(a: f64, b: f64, partials: *mut f64) -> f64 {
            let g: [f64; 2] = ($pars)(a, b);
            unsafe { write_out(partials, &g) };
            ($val)(a, b)
        }
    };
}

/// ∂/∂x x^y = y x^(y-1), 0 when y = 0 (no 0·inf NaN at x = 0).
fn pow_d1(x: f64, y: f64) -> f64 {
    if y == 0.0 {
        0.0
    } else {
        y * x.powf(y - 1.0)
    }
}

/// ∂/∂y x^y = x^y ln x given v = x^y, 0 where v = 0 (the limit at x = 0).
fn pow_d2_of(v: f64, x: f64) -> f64 {
    if v == 0.0 {
        0.0
    } else {
        v * x.ln()
    }
}

/// Partials of fmin: the derivative flows to the argument that is returned
/// (NaN arguments are ignored, as C's fmin does).
fn fmin_partials(a: f64, b: f64) -> [f64; 2] {
    if b.is_nan() || a <= b {
        [1.0, 0.0]
    } else {
        [0.0, 1.0]
    }
}

fn fmax_partials(a: f64, b: f64) -> [f64; 2] {
    if b.is_nan() || a >= b {
        [1.0, 0.0]
    } else {
        [0.0, 1.0]
    }
}

/// x^y.
pub extern "C" fn hbm_pow(x: f64, y: f64) -> f64 {
    x.powf(y)
}
/// ∂/∂x of `hbm_pow`: y x^(y-1) alone, no `ln x` (the partial the reverse
/// sweep wants when the exponent is data or a constant).
pub extern "C" fn hbm_pow_d1(x: f64, y: f64) -> f64 {
    pow_d1(x, y)
}
/// ∂/∂y of `hbm_pow`: x^y ln x.
pub extern "C" fn hbm_pow_d2(x: f64, y: f64) -> f64 {
    pow_d2_of(x.powf(y), x)
}
/// Value of `hbm_pow`; writes both partials to `partials[0..2]` (x^y once
/// for the value and the second partial).
///
/// # Safety
/// `partials` must be null or valid for 2 writes.
pub unsafe extern "C" fn hbm_pow_grad(x: f64, y: f64, partials: *mut f64) -> f64 {
    let v = x.powf(y);
    unsafe { write_out(partials, &[pow_d1(x, y), pow_d2_of(v, x)]) };
    v
}
binary!(
    hbm_fmin,
    hbm_fmin_d1,
    hbm_fmin_d2,
    hbm_fmin_grad,
    "min, ignoring NaN.",
    f64::min,
    fmin_partials
);
binary!(
    hbm_fmax,
    hbm_fmax_d1,
    hbm_fmax_d2,
    hbm_fmax_grad,
    "max, ignoring NaN.",
    f64::max,
    fmax_partials
);
binary!(
    hbm_log_sum_exp,
    hbm_log_sum_exp_d1,
    hbm_log_sum_exp_d2,
    hbm_log_sum_exp_grad,
    "ln(e^a + e^b).",
    sp::log_sum_exp,
    sp::log_sum_exp_grad
);
binary!(
    hbm_log_diff_exp,
    hbm_log_diff_exp_d1,
    hbm_log_diff_exp_d2,
    hbm_log_diff_exp_grad,
    "ln(e^a - e^b), a >= b.",
    sp::log_diff_exp,
    sp::log_diff_exp_grad
);
binary!(
    hbm_lbeta,
    hbm_lbeta_d1,
    hbm_lbeta_d2,
    hbm_lbeta_grad,
    "ln B(a, b).",
    sp::lbeta,
    |a, b| [sp::lbeta_d1(a, b), sp::lbeta_d2(a, b)]
);
binary!(
    hbm_beta,
    hbm_beta_d1,
    hbm_beta_d2,
    hbm_beta_grad,
    "B(a, b), the beta function.",
    sp::beta,
    sp::beta_partials
);
binary!(
    hbm_lchoose,
    hbm_lchoose_d1,
    hbm_lchoose_d2,
    hbm_lchoose_grad,
    "ln C(n, k) for real n, k.",
    sp::lchoose,
    |n, k| [sp::lchoose_d1(n, k), sp::lchoose_d2(n, k)]
);

/// A function of three reals with its three partials, as [`binary!`]: the
/// value, `_d1`..`_d3`, and `_grad` writing all three.
macro_rules! ternary {
    ($name:ident, $d1:ident, $d2:ident, $d3:ident, $grad:ident, $doc:literal, $val:path, $pars:path) => {
        #[doc = $doc]
        pub extern "C" fn $name(a: f64, b: f64, c: f64) -> f64 {
            $val(a, b, c)
        }
        #[doc = concat!("∂/∂(first argument) of `", stringify!($name), "`.")]
        pub extern "C" fn $d1(a: f64, b: f64, c: f64) -> f64 {
            $pars(a, b, c)[0]
        }
        #[doc = concat!("∂/∂(second argument) of `", stringify!($name), "`.")]
        pub extern "C" fn $d2(a: f64, b: f64, c: f64) -> f64 {
            $pars(a, b, c)[1]
        }
        #[doc = concat!("∂/∂(third argument) of `", stringify!($name), "`.")]
        pub extern "C" fn $d3(a: f64, b: f64, c: f64) -> f64 {
            $pars(a, b, c)[2]
        }
        #[doc = concat!("Value of `", stringify!($name), "`; writes its three partials to `partials[0..3]`.")]
        ///
        /// # Safety
        /// `partials` must be null or valid for 3 writes.
        pub unsafe extern "C" fn $grad(a: f64, b: f64, c: f64, partials: *mut f64) -> f64 {
            unsafe { write_out(partials, &$pars(a, b, c)) };
            $val(a, b, c)
        }
    };
}

ternary!(
    hbm_log_mix,
    hbm_log_mix_d1,
    hbm_log_mix_d2,
    hbm_log_mix_d3,
    hbm_log_mix_grad,
    "ln(θ e^{lp1} + (1-θ) e^{lp2}) (Stan's `log_mix` with scalar θ).",
    sp::log_mix,
    sp::log_mix_grad
);
ternary!(
    hbm_inc_beta,
    hbm_inc_beta_d1,
    hbm_inc_beta_d2,
    hbm_inc_beta_d3,
    hbm_inc_beta_grad,
    "Stan's `inc_beta(a, b, x)`: the regularized incomplete beta function.",
    crate::inc_beta::inc_beta,
    crate::inc_beta::inc_beta_grad
);
ternary!(
    hbm_inv_inc_beta,
    hbm_inv_inc_beta_d1,
    hbm_inv_inc_beta_d2,
    hbm_inv_inc_beta_d3,
    hbm_inv_inc_beta_grad,
    "Stan's `inv_inc_beta(a, b, p)`: the inverse of `inc_beta` in x.",
    crate::inc_beta::inv_inc_beta,
    crate::inc_beta::inv_inc_beta_grad
);

unary!(hbm_inv_sqrt, hbm_inv_sqrt_d1, "1/√x.", |x| 1.0 / x.sqrt(), |x| -0.5 / (x * x.sqrt()));
unary!(hbm_inv_square, hbm_inv_square_d1, "1/x².", |x| 1.0 / (x * x), |x| -2.0 / (x * x * x));
unary!(hbm_tgamma, hbm_tgamma_d1, "Γ(x); derivative Γ(x) ψ(x).", |x| sp::tgamma(x), |x| sp::tgamma(x) * sp::digamma(x));
unary!(hbm_trigamma, hbm_trigamma_d1, "ψ'(x); derivative ψ''(x).", |x| sp::trigamma(x), |x| sp::tetragamma(x));
unary!(
    hbm_Phi_approx,
    hbm_Phi_approx_d1,
    "Stan's logistic approximation of Φ: inv_logit(0.07056 x³ + 1.5976 x).",
    |x| sp::inv_logit(0.07056 * x * x * x + 1.5976 * x),
    |x| sp::inv_logit_d1(0.07056 * x * x * x + 1.5976 * x) * (0.21168 * x * x + 1.5976)
);
unary!(hbm_log2, hbm_log2_d1, "log₂ x.", |x| x.log2(), |x| 1.0 / (x * LN_2));
unary!(hbm_log10, hbm_log10_d1, "log₁₀ x.", |x| x.log10(), |x| 1.0 / (x * LN_10));
unary!(hbm_exp2, hbm_exp2_d1, "2^x.", |x| x.exp2(), |x| x.exp2() * LN_2);
unary!(hbm_cbrt, hbm_cbrt_d1, "∛x.", |x| x.cbrt(), |x| 1.0 / (3.0 * x.cbrt() * x.cbrt()));
unary!(hbm_sin, hbm_sin_d1, "sin x.", |x| x.sin(), |x| x.cos());
unary!(hbm_cos, hbm_cos_d1, "cos x.", |x| x.cos(), |x| -x.sin());
unary!(hbm_tan, hbm_tan_d1, "tan x.", |x| x.tan(), |x| 1.0 + x.tan() * x.tan());
unary!(hbm_asin, hbm_asin_d1, "arcsin x.", |x| x.asin(), |x| 1.0 / (1.0 - x * x).sqrt());
unary!(hbm_acos, hbm_acos_d1, "arccos x.", |x| x.acos(), |x| -1.0 / (1.0 - x * x).sqrt());
unary!(hbm_atan, hbm_atan_d1, "arctan x.", |x| x.atan(), |x| 1.0 / (1.0 + x * x));
unary!(hbm_sinh, hbm_sinh_d1, "sinh x.", |x| x.sinh(), |x| x.cosh());
unary!(hbm_cosh, hbm_cosh_d1, "cosh x.", |x| x.cosh(), |x| x.sinh());
unary!(hbm_tanh, hbm_tanh_d1, "tanh x.", |x| x.tanh(), |x| 1.0 - x.tanh() * x.tanh());
unary!(hbm_asinh, hbm_asinh_d1, "arsinh x.", |x| x.asinh(), |x| 1.0 / (x * x + 1.0).sqrt());
unary!(hbm_acosh, hbm_acosh_d1, "arcosh x, x >= 1.", |x| x.acosh(), |x| 1.0 / (x * x - 1.0).sqrt());
unary!(hbm_atanh, hbm_atanh_d1, "artanh x.", |x| x.atanh(), |x| 1.0 / (1.0 - x * x));
unary!(
    hbm_inv_cloglog,
    hbm_inv_cloglog_d1,
    "1 - e^{-e^x}.",
    |x| -(-x.exp()).exp_m1(),
    |x| (x - x.exp()).exp()
);
unary!(
    hbm_lgamma_half_diff,
    hbm_lgamma_half_diff_d1,
    "lnΓ(x + ½) - lnΓ(x), without the cancellation of the difference for large x (student_t's normalising term at x = ν/2).",
    |x| crate::dist::continuous::lgamma_half_diff(x),
    |x| sp::digamma(x + 0.5) - sp::digamma(x)
);
/// ln C(n+φ-1, n), the negative binomial's coefficient (the library's own
/// term of `neg_binomial_2`), without the cancellation of lnΓ(n+φ) -
/// lnΓ(φ) for large φ. The count is an integer, so the only partial is in
/// φ ([`hbm_nb_lchoose_d2`]).
pub extern "C" fn hbm_nb_lchoose(n: i64, phi: f64) -> f64 {
    crate::dist::discrete::nb_lchoose(n, phi)
}

/// ∂/∂φ of [`hbm_nb_lchoose`]: ψ(n+φ) - ψ(φ).
pub extern "C" fn hbm_nb_lchoose_d2(n: i64, phi: f64) -> f64 {
    crate::dist::discrete::nb_lchoose_d_phi(n, phi)
}

/// [`hbm_nb_lchoose`] and its partial in φ in one call (the partial written
/// to `partials[0]`): the gradient's forward sweep keeps the partial for
/// its reverse, where `_d2` would be a second call.
///
/// # Safety
/// `partials` is null or points to room for one value.
pub unsafe extern "C" fn hbm_nb_lchoose_grad(n: i64, phi: f64, partials: *mut f64) -> f64 {
    let (value, d_phi) = crate::dist::discrete::nb_lchoose_grad(n, phi);
    // SAFETY: the caller's contract above.
    unsafe { write_out(partials, &[d_phi]) };
    value
}

/// σ(x) and its derivative σ(x) σ(-x) (`partials[0]`) from one `exp`,
/// where `_d1` takes two.
///
/// # Safety
/// `partials` is null or points to room for one value.
pub unsafe extern "C" fn hbm_inv_logit_grad(x: f64, partials: *mut f64) -> f64 {
    let (value, slope) = sp::inv_logit_grad(x);
    // SAFETY: the caller's contract above.
    unsafe { write_out(partials, &[slope]) };
    value
}

/// ln σ(x) = -ln(1 + e^{-x}) and its derivative σ(-x) (`partials[0]`) from
/// one `exp` and one `log1p`.
///
/// # Safety
/// `partials` is null or points to room for one value.
pub unsafe extern "C" fn hbm_log_inv_logit_grad(x: f64, partials: *mut f64) -> f64 {
    let (soft, slope) = sp::log1p_exp_grad(-x);
    // SAFETY: the caller's contract above.
    unsafe { write_out(partials, &[slope]) };
    -soft
}

/// ln(1 - σ(x)) = -ln(1 + e^x) and its derivative -σ(x) (`partials[0]`)
/// from one `exp` and one `log1p`.
///
/// # Safety
/// `partials` is null or points to room for one value.
pub unsafe extern "C" fn hbm_log1m_inv_logit_grad(x: f64, partials: *mut f64) -> f64 {
    let (soft, slope) = sp::log1p_exp_grad(x);
    // SAFETY: the caller's contract above.
    unsafe { write_out(partials, &[-slope]) };
    -soft
}

/// ln(1 + e^x) and its derivative, the inverse logit of x (`partials[0]`),
/// from one `exp` of -|x| and one `log1p`, where the value and `_d1`
/// separately take three calls.
///
/// # Safety
/// `partials` is null or points to room for one value.
pub unsafe extern "C" fn hbm_log1p_exp_grad(x: f64, partials: *mut f64) -> f64 {
    let (value, slope) = sp::log1p_exp_grad(x);
    // SAFETY: the caller's contract above.
    unsafe { write_out(partials, &[slope]) };
    value
}
/// tanh x and its derivative 1 - tanh² x (`partials[0]`) from one `tanh`,
/// where the value and `_d1` take one each: the gradient's forward sweep
/// keeps the partial for the reverse (the LKJ Cholesky factor's transform,
/// a network's hidden layer). Both are [`hbm_tanh`]'s and [`hbm_tanh_d1`]'s
/// to the bit: the same `tanh`, the same arithmetic on it.
///
/// # Safety
/// `partials` is null or points to room for one value.
pub unsafe extern "C" fn hbm_tanh_grad(x: f64, partials: *mut f64) -> f64 {
    let t = x.tanh();
    // SAFETY: the caller's contract above.
    unsafe { write_out(partials, &[1.0 - t * t]) };
    t
}
unary!(hbm_step, hbm_step_d1, "Stan's step: 0 for x < 0, else 1 (derivative 0).", |x| if x < 0.0 { 0.0 } else { 1.0 }, |_x| 0.0);

/// Partials of fdim(a, b) = max(a - b, 0).
fn fdim_partials(a: f64, b: f64) -> [f64; 2] {
    if a > b {
        [1.0, -1.0]
    } else {
        [0.0, 0.0]
    }
}

/// Partials of C's fmod(a, b) = a - trunc(a/b) b.
fn fmod_partials(a: f64, b: f64) -> [f64; 2] {
    [1.0, -(a / b).trunc()]
}

/// ln(σ(x) - σ(y)) for x > y, as x + ln(1 - e^{y-x}) - ln(1 + e^x) - ln(1 + e^y).
fn log_inv_logit_diff(x: f64, y: f64) -> f64 {
    if !(x > y) {
        return if x == y { f64::NEG_INFINITY } else { f64::NAN };
    }
    x + sp::log1m_exp(y - x) - sp::log1p_exp(x) - sp::log1p_exp(y)
}

fn log_inv_logit_diff_partials(x: f64, y: f64) -> [f64; 2] {
    [-1.0 / (y - x).exp_m1() - sp::inv_logit(x), -1.0 / (x - y).exp_m1() - sp::inv_logit(y)]
}

/// x ln y with 0 ln 0 = 0, and its partials (ln y, x / y), 0 where x = 0.
fn multiply_log_partials(x: f64, y: f64) -> [f64; 2] {
    if x == 0.0 && y == 0.0 {
        [0.0, 0.0]
    } else {
        [y.ln(), x / y]
    }
}

/// -(y ln ŷ + (1 - y) ln(1 - ŷ)).
fn binary_log_loss(y: f64, y_hat: f64) -> f64 {
    -(sp::multiply_log(y, y_hat) + sp::multiply_log(1.0 - y, 1.0 - y_hat))
}

fn binary_log_loss_partials(y: f64, y_hat: f64) -> [f64; 2] {
    [-y_hat.ln() + sp::log1m(y_hat), -y / y_hat + (1.0 - y) / (1.0 - y_hat)]
}

binary!(hbm_fdim, hbm_fdim_d1, hbm_fdim_d2, hbm_fdim_grad, "max(a - b, 0).", |a: f64, b: f64| (a - b).max(0.0), fdim_partials);
binary!(hbm_fmod, hbm_fmod_d1, hbm_fmod_d2, hbm_fmod_grad, "C's fmod: a - trunc(a/b) b.", |a: f64, b: f64| a % b, fmod_partials);
binary!(
    hbm_hypot,
    hbm_hypot_d1,
    hbm_hypot_d2,
    hbm_hypot_grad,
    "√(a² + b²) without overflow.",
    f64::hypot,
    |a: f64, b: f64| {
        let h = a.hypot(b);
        [a / h, b / h]
    }
);
binary!(
    hbm_atan2,
    hbm_atan2_d1,
    hbm_atan2_d2,
    hbm_atan2_grad,
    "The angle of (x, y): atan2(y, x).",
    f64::atan2,
    |y: f64, x: f64| {
        let r2 = x * x + y * y;
        [x / r2, -y / r2]
    }
);
binary!(
    hbm_log_inv_logit_diff,
    hbm_log_inv_logit_diff_d1,
    hbm_log_inv_logit_diff_d2,
    hbm_log_inv_logit_diff_grad,
    "ln(inv_logit(x) - inv_logit(y)), x > y.",
    log_inv_logit_diff,
    log_inv_logit_diff_partials
);
binary!(hbm_lmultiply, hbm_lmultiply_d1, hbm_lmultiply_d2, hbm_lmultiply_grad, "x ln y (0 ln 0 = 0).", sp::multiply_log, multiply_log_partials);
binary!(
    hbm_multiply_log,
    hbm_multiply_log_d1,
    hbm_multiply_log_d2,
    hbm_multiply_log_grad,
    "x ln y (0 ln 0 = 0), Stan's older name of `lmultiply`.",
    sp::multiply_log,
    multiply_log_partials
);
binary!(
    hbm_binary_log_loss,
    hbm_binary_log_loss_d1,
    hbm_binary_log_loss_d2,
    hbm_binary_log_loss_grad,
    "The log loss -(y ln ŷ + (1 - y) ln(1 - ŷ)) of an outcome y in {0, 1}.",
    binary_log_loss,
    binary_log_loss_partials
);
binary!(
    hbm_gamma_p,
    hbm_gamma_p_d1,
    hbm_gamma_p_d2,
    hbm_gamma_p_grad,
    "The regularised lower incomplete gamma function P(a, x).",
    sp::gamma_p,
    sp::gamma_p_grad
);
binary!(
    hbm_gamma_q,
    hbm_gamma_q_d1,
    hbm_gamma_q_d2,
    hbm_gamma_q_grad,
    "The regularised upper incomplete gamma function Q(a, x) = 1 - P(a, x).",
    sp::gamma_q,
    |a: f64, x: f64| {
        let [da, dx] = sp::gamma_p_grad(a, x);
        [-da, -dx]
    }
);
binary!(
    hbm_owens_t,
    hbm_owens_t_d1,
    hbm_owens_t_d2,
    hbm_owens_t_grad,
    "Owen's T function T(h, a).",
    sp::owens_t,
    sp::owens_t_grad
);

binary!(
    hbm_bessel_first_kind,
    hbm_bessel_first_kind_d1,
    hbm_bessel_first_kind_d2,
    hbm_bessel_first_kind_grad,
    "Bessel function of the first kind J_n(x) (n an int, as f64).",
    bf::bessel_first_kind,
    bf::bessel_first_kind_partials
);
binary!(
    hbm_bessel_second_kind,
    hbm_bessel_second_kind_d1,
    hbm_bessel_second_kind_d2,
    hbm_bessel_second_kind_grad,
    "Bessel function of the second kind Y_n(x), x > 0 (n an int, as f64).",
    bf::bessel_second_kind,
    bf::bessel_second_kind_partials
);
binary!(
    hbm_modified_bessel_first_kind,
    hbm_modified_bessel_first_kind_d1,
    hbm_modified_bessel_first_kind_d2,
    hbm_modified_bessel_first_kind_grad,
    "Modified Bessel function of the first kind I_n(z) (n an int, as f64).",
    bf::modified_bessel_first_kind,
    bf::modified_bessel_first_kind_partials
);
binary!(
    hbm_modified_bessel_second_kind,
    hbm_modified_bessel_second_kind_d1,
    hbm_modified_bessel_second_kind_d2,
    hbm_modified_bessel_second_kind_grad,
    "Modified Bessel function of the second kind K_n(z), z > 0 (n an int, as f64).",
    bf::modified_bessel_second_kind,
    bf::modified_bessel_second_kind_partials
);
binary!(
    hbm_log_modified_bessel_first_kind,
    hbm_log_modified_bessel_first_kind_d1,
    hbm_log_modified_bessel_first_kind_d2,
    hbm_log_modified_bessel_first_kind_grad,
    "ln I_v(z), the log of the modified Bessel function of the first kind, v >= 0, z >= 0.",
    bf::log_modified_bessel_first_kind,
    bf::log_modified_bessel_first_kind_partials
);

/// Stan's rising and falling factorials from Γ: x^(n) = Γ(x+n)/Γ(x) and
/// (x)_n = Γ(x+1)/Γ(x-n+1), and their logs; NaN outside their domains
/// (x > 0 for the rising, x >= 0 with x - n > -1 for the falling
/// factorials, n >= 0), where Stan rejects (the rising factorial's domain
/// is checked in [`sp::log_rising_factorial`]).
fn falling_ok(x: f64, n: f64) -> bool {
    x >= 0.0 && n >= 0.0 && x - n > -1.0 && x.is_finite() && n.is_finite()
}
/// ln Γ(x+n) - ln Γ(x), the log of the rising factorial (for a whole n up
/// to [`sp::RISING_TERMS_MAX`], the log of the product of its terms).
pub extern "C" fn hbm_log_rising_factorial(x: f64, n: f64) -> f64 {
    sp::log_rising_factorial(x, n)
}
/// ∂/∂x of `hbm_log_rising_factorial`: ψ(x+n) - ψ(x), without `ln` or
/// `digamma` for a whole n up to [`sp::RISING_TERMS_MAX`] (the partial the
/// reverse sweep wants when n is a count).
pub extern "C" fn hbm_log_rising_factorial_d1(x: f64, n: f64) -> f64 {
    sp::log_rising_factorial_d1(x, n)
}
/// ∂/∂n of `hbm_log_rising_factorial`: ψ(x+n).
pub extern "C" fn hbm_log_rising_factorial_d2(x: f64, n: f64) -> f64 {
    sp::log_rising_factorial_d2(x, n)
}
/// Value of `hbm_log_rising_factorial`; writes both partials to `partials[0..2]`.
///
/// # Safety
/// `partials` must be null or valid for 2 writes.
pub unsafe extern "C" fn hbm_log_rising_factorial_grad(x: f64, n: f64, partials: *mut f64) -> f64 {
    let g = [sp::log_rising_factorial_d1(x, n), sp::log_rising_factorial_d2(x, n)];
    unsafe { write_out(partials, &g) };
    sp::log_rising_factorial(x, n)
}
binary!(
    hbm_log_falling_factorial,
    hbm_log_falling_factorial_d1,
    hbm_log_falling_factorial_d2,
    hbm_log_falling_factorial_grad,
    "ln Γ(x+1) - ln Γ(x-n+1), the log of the falling factorial.",
    |x: f64, n: f64| if falling_ok(x, n) { sp::lgamma(x + 1.0) - sp::lgamma(x - n + 1.0) } else { f64::NAN },
    |x: f64, n: f64| if falling_ok(x, n) {
        [sp::digamma(x + 1.0) - sp::digamma(x - n + 1.0), sp::digamma(x - n + 1.0)]
    } else {
        [f64::NAN; 2]
    }
);
binary!(
    hbm_rising_factorial,
    hbm_rising_factorial_d1,
    hbm_rising_factorial_d2,
    hbm_rising_factorial_grad,
    "The rising factorial Γ(x+n)/Γ(x) (n an int, as f64; its partial is 0).",
    |x: f64, n: f64| hbm_log_rising_factorial(x, n.round()).exp(),
    |x: f64, n: f64| {
        let n = n.round();
        let v = hbm_log_rising_factorial(x, n).exp();
        [v * hbm_log_rising_factorial_d1(x, n), 0.0]
    }
);
binary!(
    hbm_falling_factorial,
    hbm_falling_factorial_d1,
    hbm_falling_factorial_d2,
    hbm_falling_factorial_grad,
    "The falling factorial Γ(x+1)/Γ(x-n+1) (n an int, as f64; its partial is 0).",
    |x: f64, n: f64| hbm_log_falling_factorial(x, n.round()).exp(),
    |x: f64, n: f64| {
        let n = n.round();
        let v = hbm_log_falling_factorial(x, n).exp();
        [v * hbm_log_falling_factorial_d1(x, n), 0.0]
    }
);

/// Stan's `to_int`: x truncated toward zero, or `i64::MIN` when x is NaN or
/// outside Stan's 32-bit int (the caller rejects then).
pub extern "C" fn hbm_to_int(x: f64) -> i64 {
    let t = x.trunc();
    if t.is_nan() || t < f64::from(i32::MIN) || t > f64::from(i32::MAX) {
        i64::MIN
    } else {
        // In range: exactly representable.
        t as i64
    }
}
