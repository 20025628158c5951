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

use crate::special as sp;

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
    |x| sp::inv_logit_d1(x)
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

/// Partials of x^y: y x^(y-1) and x^y ln x, with the limits at x = 0 and y = 0
/// taken so that no 0·inf NaN appears where the function is smooth.
fn pow_partials(x: f64, y: f64) -> [f64; 2] {
    let d1 = if y == 0.0 { 0.0 } else { y * x.powf(y - 1.0) };
    let v = x.powf(y);
    let d2 = if v == 0.0 { 0.0 } else { v * x.ln() };
    [d1, d2]
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

binary!(
    hbm_pow,
    hbm_pow_d1,
    hbm_pow_d2,
    hbm_pow_grad,
    "x^y.",
    f64::powf,
    pow_partials
);
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
    hbm_lchoose,
    hbm_lchoose_d1,
    hbm_lchoose_d2,
    hbm_lchoose_grad,
    "ln C(n, k) for real n, k.",
    sp::lchoose,
    |n, k| [sp::lchoose_d1(n, k), sp::lchoose_d2(n, k)]
);

/// ln(θ e^{lp1} + (1-θ) e^{lp2}) (Stan's `log_mix` with scalar θ).
pub extern "C" fn hbm_log_mix(theta: f64, lp1: f64, lp2: f64) -> f64 {
    sp::log_mix(theta, lp1, lp2)
}
/// ∂/∂θ of `hbm_log_mix`.
pub extern "C" fn hbm_log_mix_d1(theta: f64, lp1: f64, lp2: f64) -> f64 {
    sp::log_mix_grad(theta, lp1, lp2)[0]
}
/// ∂/∂lp1 of `hbm_log_mix`.
pub extern "C" fn hbm_log_mix_d2(theta: f64, lp1: f64, lp2: f64) -> f64 {
    sp::log_mix_grad(theta, lp1, lp2)[1]
}
/// ∂/∂lp2 of `hbm_log_mix`.
pub extern "C" fn hbm_log_mix_d3(theta: f64, lp1: f64, lp2: f64) -> f64 {
    sp::log_mix_grad(theta, lp1, lp2)[2]
}
/// Value of `hbm_log_mix`; writes its three partials to `partials[0..3]`.
///
/// # Safety
/// `partials` must be null or valid for 3 writes.
pub unsafe extern "C" fn hbm_log_mix_grad(
    theta: f64,
    lp1: f64,
    lp2: f64,
    partials: *mut f64,
) -> f64 {
    unsafe { write_out(partials, &sp::log_mix_grad(theta, lp1, lp2)) };
    sp::log_mix(theta, lp1, lp2)
}
