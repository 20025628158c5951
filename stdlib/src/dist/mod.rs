//! Log densities and mass functions with their partial derivatives, and the
//! `_rng` draws, one module per family.
//!
//! For every distribution `d` of the language there are:
//! - `d_lpdf(y, θ...) -> f64` (or `_lpmf`): the full, normalised log density
//!   (Stan's `_lpdf` with `propto = false`);
//! - `d_lpdf_grad(y, θ...) -> (f64, [f64; N])`: the value and the partial
//!   derivative with respect to every real argument, variate first;
//! - `d_rng(rng, θ...) -> Result<_, RngError>`;
//! - the C-ABI forms `hbm_d_lpdf`, `hbm_d_lpdf_grad(..., partials: *mut f64)`
//!   and `hbm_d_rng(rng: *mut ChainRng, θ...)` registered in [`crate::symbols`].
//!
//! # Invalid arguments
//! Where Stan throws (a scale <= 0, a probability outside [0, 1], a NaN or an
//! infinite parameter) the value is `-inf` and all partials are 0: the sampler
//! treats the point as a rejected proposal. A variate outside the support is
//! also `-inf` with zero partials (Stan returns `LOG_ZERO` there). Whenever the
//! value is not finite the partials are 0, so nothing downstream sees a NaN.
//! `_rng` with invalid parameters returns `Err`; its C form returns NaN (real
//! draws) or -1 (integer draws, all supports are >= 0).
//!
//! Integer arguments (counts, trial sizes) are `i64`, real ones `f64`; integer
//! arguments come first and have no partials.

pub mod batch;
pub mod beta_cdf;
pub mod beta_proportion;
pub mod count_cdfs;
pub mod counts;
pub mod cdf;
pub mod chi_square;
pub mod circular;
pub mod continuous;
pub mod discrete;
pub mod multivariate;
pub mod normal_vec;
pub mod ordinal_rng;
pub mod poisson_binomial;
pub mod power_tail;
pub mod simplex;
pub mod skewed;
pub mod wiener;
pub mod wiener_full;
pub mod wishart_rng;

pub use beta_cdf::*;
pub use beta_proportion::*;
pub use count_cdfs::*;
pub use counts::*;
pub use cdf::*;
pub use chi_square::*;
pub use circular::*;
pub use continuous::*;
pub use discrete::*;
pub use multivariate::*;
pub use ordinal_rng::*;
pub use poisson_binomial::*;
pub use power_tail::*;
pub use simplex::*;
pub use skewed::*;
pub use wiener::*;
pub use wiener_full::*;
pub use wishart_rng::*;

/// The result for invalid arguments: `-inf` with zero partials.
pub(crate) fn reject<const N: usize>() -> (f64, [f64; N]) {
    (f64::NEG_INFINITY, [0.0; N])
}

/// Zeroes the partials unless the value is finite (documented contract above).
pub(crate) fn finish<const N: usize>(v: f64, g: [f64; N]) -> (f64, [f64; N]) {
    if v.is_finite() && g.iter().all(|x| !x.is_nan()) {
        (v, g)
    } else if v.is_nan() {
        reject()
    } else {
        (v, [0.0; N])
    }
}

/// A value function's result with NaN (from inf - inf at extreme but valid
/// arguments) mapped to `-inf`, the documented rejection value.
pub(crate) fn no_nan(v: f64) -> f64 {
    if v.is_nan() {
        f64::NEG_INFINITY
    } else {
        v
    }
}

/// True when `x` is finite and > 0 (Stan's `check_positive_finite`).
pub(crate) fn pos_finite(x: f64) -> bool {
    x.is_finite() && x > 0.0
}

/// `c ln y` with the convention that a zero coefficient contributes 0 even
/// at y = 0 (so that e.g. gamma(0 | 1, β) is finite).
pub(crate) fn xlog(c: f64, y: f64) -> f64 {
    if c == 0.0 {
        0.0
    } else {
        c * y.ln()
    }
}

/// `c / y` with the same convention as [`xlog`].
pub(crate) fn xdiv(c: f64, y: f64) -> f64 {
    if c == 0.0 {
        0.0
    } else {
        c / y
    }
}

/// C-ABI value and `_grad` wrappers of a continuous log density.
macro_rules! c_lpdf {
    ($cname:ident, $cgrad:ident, $val:ident, $grad:ident; $($a:ident),+) => {
        #[doc = concat!("C-ABI form of [`", stringify!($val), "`].")]
        pub extern "C" fn $cname($($a: f64),+) -> f64 {
            $val($($a),+)
        }
        #[doc = concat!("C-ABI form of [`", stringify!($grad), "`]: returns the log density and writes one partial per argument, in argument order, to `partials`.")]
        ///
        /// # Safety
        /// `partials` must be null or valid for one write per argument.
        pub unsafe extern "C" fn $cgrad($($a: f64,)+ partials: *mut f64) -> f64 {
            let (v, g) = $grad($($a),+);
            // SAFETY: forwarded caller contract.
            unsafe { crate::ffi::write_out(partials, &g) };
            v
        }
    };
}

/// C-ABI value and `_grad` wrappers of a log mass function (integer
/// arguments first; partials only for the real arguments).
macro_rules! c_lpmf {
    ($cname:ident, $cgrad:ident, $val:ident, $grad:ident; [$($i:ident),+]; [$($a:ident),+]) => {
        #[doc = concat!("C-ABI form of [`", stringify!($val), "`].")]
        pub extern "C" fn $cname($($i: i64,)+ $($a: f64),+) -> f64 {
            $val($($i,)+ $($a),+)
        }
        #[doc = concat!("C-ABI form of [`", stringify!($grad), "`]: returns the log mass and writes one partial per real argument, in order, to `partials`.")]
        ///
        /// # Safety
        /// `partials` must be null or valid for one write per real argument.
        pub unsafe extern "C" fn $cgrad($($i: i64,)+ $($a: f64,)+ partials: *mut f64) -> f64 {
            let (v, g) = $grad($($i,)+ $($a),+);
            // SAFETY: forwarded caller contract.
            unsafe { crate::ffi::write_out(partials, &g) };
            v
        }
    };
}

/// C-ABI wrapper of a real-valued `_rng` (NaN on invalid parameters or a null rng).
macro_rules! c_rng_real {
    ($cname:ident, $rust:ident; $($a:ident),*) => {
        #[doc = concat!("C-ABI form of [`", stringify!($rust), "`]; NaN on invalid parameters.")]
        ///
        /// # Safety
        /// `rng` must be null or point to a live `ChainRng` not aliased elsewhere.
        pub unsafe extern "C" fn $cname(rng: *mut crate::rng::ChainRng $(, $a: f64)*) -> f64 {
            // SAFETY: caller contract.
            match unsafe { rng.as_mut() } {
                Some(r) => $rust(r $(, $a)*).unwrap_or(f64::NAN),
                None => f64::NAN,
            }
        }
    };
}

/// C-ABI wrapper of an integer-valued `_rng` (-1 on invalid parameters or a null rng).
macro_rules! c_rng_int {
    ($cname:ident, $rust:ident; [$($i:ident),*]; [$($a:ident),*]) => {
        #[doc = concat!("C-ABI form of [`", stringify!($rust), "`]; -1 on invalid parameters.")]
        ///
        /// # Safety
        /// `rng` must be null or point to a live `ChainRng` not aliased elsewhere.
        pub unsafe extern "C" fn $cname(rng: *mut crate::rng::ChainRng $(, $i: i64)* $(, $a: f64)*) -> i64 {
            // SAFETY: caller contract.
            match unsafe { rng.as_mut() } {
                Some(r) => $rust(r $(, $i)* $(, $a)*).unwrap_or(-1),
                None => -1,
            }
        }
    };
}

/// The `_lcdf`/`_lccdf` pair of a discrete family (integer arguments first)
/// from its tail routine `$cdf(ints..., reals..., upper) -> (value, partials)`,
/// with the C-ABI forms.
macro_rules! discrete_pair {
    ($cdf:ident, $n:literal; $lcdf:ident / $lcdf_grad:ident / $c:ident / $cg:ident,
     $lccdf:ident / $lccdf_grad:ident / $cc:ident / $ccg:ident; [$($i:ident),+]; [$($a:ident),+]) => {
        #[doc = concat!("ln P(N <= n) (see `", stringify!($cdf), "`).")]
        pub fn $lcdf($($i: i64,)+ $($a: f64),+) -> f64 {
            $cdf($($i,)+ $($a,)+ false).0
        }
        #[doc = concat!("[`", stringify!($lcdf), "`] and its partials in the real parameters.")]
        pub fn $lcdf_grad($($i: i64,)+ $($a: f64),+) -> (f64, [f64; $n]) {
            $cdf($($i,)+ $($a,)+ false)
        }
        #[doc = concat!("ln P(N > n) (see `", stringify!($cdf), "`).")]
        pub fn $lccdf($($i: i64,)+ $($a: f64),+) -> f64 {
            $cdf($($i,)+ $($a,)+ true).0
        }
        #[doc = concat!("[`", stringify!($lccdf), "`] and its partials in the real parameters.")]
        pub fn $lccdf_grad($($i: i64,)+ $($a: f64),+) -> (f64, [f64; $n]) {
            $cdf($($i,)+ $($a,)+ true)
        }
        $crate::dist::c_lpmf!($c, $cg, $lcdf, $lcdf_grad; [$($i),+]; [$($a),+]);
        $crate::dist::c_lpmf!($cc, $ccg, $lccdf, $lccdf_grad; [$($i),+]; [$($a),+]);
    };
}

pub(crate) use {c_lpdf, c_lpmf, c_rng_int, c_rng_real, discrete_pair};
