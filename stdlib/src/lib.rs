//! hbmc's standard library: the plain-Rust math that JIT-compiled models call.
//!
//! The generated gradient code never differentiates through this crate: each
//! function comes with its partial derivatives (or a reverse-mode rule for
//! vector and matrix routines), and [`symbols`] lists every C-ABI entry point
//! with its signature so the JIT can register them by name
//! (`JITBuilder::symbol(name, ptr)`), diffsl-style.
//!
//! Modules, one job each:
//! - [`special`]: scalar special functions and their derivatives (Rust API);
//! - [`scalar`]: C-ABI wrappers of the scalar math and derivative functions
//!   (its docs define the `hbm_<f>`, `hbm_<f>_d<k>`, `hbm_<f>_grad` naming);
//! - [`dist`]: every distribution's log density with partials, and `_rng`;
//! - [`transform`]: Stan's constraint transforms, inverses and adjoints;
//! - [`vmath`]: branch-free `exp`/`log1p` that vectorise, for [`dist::batch`];
//! - [`linalg`]: small dense matrix routines with reverse-mode rules;
//! - [`matrix_exp`]: the matrix exponential with its reverse-mode rule;
//! - [`mixture`]: `log_mix` of containers with its reverse-mode rule;
//! - [`hmm`]: the hidden Markov model functions (`hmm_marginal` with its
//!   reverse-mode rule, the states' posteriors and draws);
//! - [`lu`]: inverse and determinants by LU, and sorting, with reverse-mode rules;
//! - [`ode`]: the adaptive Dormand-Prince RK45 ODE integrator (Stan's `ode_rk45`);
//! - [`ode_stiff`]: the variable-order BDF integrator for stiff systems (Stan's `ode_bdf`);
//! - [`eigen`]: the symmetric eigendecomposition, with reverse-mode rules;
//! - [`bessel_functions`]: Stan's Bessel functions and their derivatives;
//! - [`rng`]: [`ChainRng`], the per-chain generator;
//! - [`ffi`]: C signature descriptions and pointer helpers.
//!
//! Conventions: matrices are column-major `f64` slices; nothing panics on any
//! argument; invalid arguments give `-inf` densities (with zero partials), NaN
//! math values, `Err` from Rust inverse transforms and `_rng`s, or a non-zero
//! status from C routines, as each module documents.

#![allow(clippy::neg_cmp_op_on_partial_ord)] // `!(x > 0.0)` deliberately also rejects NaN

pub mod bessel;
pub mod algebra;
pub mod bessel_functions;
mod cholesky_blocked;
mod cholesky_rev;
mod decomposition_memo;
pub mod dist;
mod dual;
pub mod eigen;
pub mod eigen_general;
pub mod ffi;
pub mod hmm;
pub mod inc_beta;
pub mod linalg;
pub mod lu;
pub mod matrix_exp;
pub mod mixture;
pub mod ode;
pub mod ode_stiff;
pub mod qr;
pub mod gauss_panels;
pub mod quadrature;
pub mod quantile;
pub mod rng;
pub mod scalar;
mod scratch;
pub mod special;
pub mod svd;
pub mod transform;
pub mod vmath;

pub use ffi::CType;
pub use rng::ChainRng;

use ffi::CFn;
use transform::ScalarConstrained;

/// The role of an exported function, for the code generator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SymbolKind {
    /// A real function `f(f64...) -> f64` (or of integer arguments, first,
    /// then reals: `hbm_nb_lchoose(n, φ)`).
    Math,
    /// `∂of/∂(argument wrt)` (0-based), same arguments as `of`.
    Partial {
        /// The value function.
        of: &'static str,
        /// Which argument.
        wrt: u8,
    },
    /// Value of `of` plus all partials written through a trailing `*mut f64`.
    Grad {
        /// The value function.
        of: &'static str,
    },
    /// A scalar log density or mass (`_lpdf` / `_lpmf`).
    Lpdf,
    /// `of`'s value plus one partial per real argument through a trailing `*mut f64`.
    LpdfGrad {
        /// The value function.
        of: &'static str,
    },
    /// The sum of a scalar density `of` over arrays of arguments:
    /// `(len, arrays...) -> sum` (see [`dist::batch`]).
    LpdfBatch {
        /// The scalar value function.
        of: &'static str,
    },
    /// The same with partials: `(len, arrays..., partials) -> sum`, writing
    /// `len` partials of the one real argument of the scalar `_grad` `of`.
    LpdfGradBatch {
        /// The scalar `_grad` function.
        of: &'static str,
    },
    /// An elementwise function `of` (a math function, or its `_grad` form
    /// with one partial) over an array: `(len, x, values[, partials]) ->
    /// 0` (see [`dist::batch::hbm_exp_batch`]), for the compiler's batched
    /// loops; no language function.
    MapBatch {
        /// The scalar function.
        of: &'static str,
    },
    /// A sum of an array, `(x, len) -> f64`, for the compiler's batched
    /// likelihood loops (see [`dist::batch::hbm_sum_batch`]); no language
    /// function.
    Reduce,
    /// A multivariate log density on pointer arguments.
    MultiLpdf,
    /// Reverse mode of a multivariate density: returns the value, accumulates
    /// `w ·` partials into non-null adjoint buffers.
    MultiLpdfAdj {
        /// The value function.
        of: &'static str,
    },
    /// A draw. Real draws return NaN, integer draws -1, vector draws status 1
    /// on invalid parameters.
    Rng,
    /// Scalar bound transform: returns y, writes a [`ScalarConstrained`].
    ScalarConstrain,
    /// Inverse of a scalar bound transform; NaN when the value violates it.
    ScalarUnconstrain {
        /// The forward transform.
        of: &'static str,
    },
    /// Vector/matrix transform `(x, k, out) -> log_jacobian`.
    Constrain,
    /// `(x, k, out_adj, jacobian_weight, grad) -> status`, accumulating.
    ConstrainAdj {
        /// The forward transform.
        of: &'static str,
    },
    /// `(y, k, out) -> status` (0 ok, 1 violated, 2 bad input).
    Unconstrain {
        /// The forward transform.
        of: &'static str,
    },
    /// Whether a value satisfies a constrained type, `(y, rows, cols) ->
    /// status` (0 satisfied, 1 not): reads only, no derivative.
    Check,
    /// An integer-valued function of reals, without derivative (`to_int`).
    IntOfReal,
    /// A vector or matrix routine writing its result through a pointer.
    Linalg,
    /// A vector or matrix routine (writing its result through a pointer or
    /// returning it) that has no reverse-mode rule: called only where
    /// nothing is differentiated (`eigenvalues`/`eigenvectors`, whose
    /// results are complex, in transformed data and generated quantities;
    /// `quantile`, of data only).
    LinalgNoGrad,
    /// Its reverse-mode rule, accumulating into adjoint buffers.
    LinalgAdj {
        /// The forward routine.
        of: &'static str,
    },
    /// The reverse-mode rule of the compiler's ODE calls
    /// ([`ode::hbm_ode_adj`]; [`ode::hbm_ode_times_adj`] when the times
    /// depend on parameters), whose forward solve is not a stdlib symbol
    /// (it calls back into the compiled right-hand side).
    OdeAdj,
}

/// One exported C-ABI function.
#[derive(Debug, Clone, Copy)]
pub struct Symbol {
    /// The name to register and to call from generated code.
    pub name: &'static str,
    /// Its address.
    pub ptr: *const u8,
    /// Number of `f64` arguments.
    pub arity: u8,
    /// What it computes.
    pub kind: SymbolKind,
    /// All argument types in order (derived from the Rust signature).
    pub args: &'static [CType],
    /// Return type.
    pub ret: CType,
}

// SAFETY: `ptr` is the address of a function in this crate's code, immutable
// for the life of the process; sharing it across threads is harmless.
unsafe impl Send for Symbol {}
// SAFETY: as above.
unsafe impl Sync for Symbol {}

impl Symbol {
    /// Describes `f`, whose Rust type fixes the recorded signature.
    pub fn new<F: CFn>(name: &'static str, f: F, kind: SymbolKind) -> Self {
        let arity = F::ARGS.iter().filter(|t| **t == CType::F64).count() as u8;
        Symbol {
            name,
            ptr: f.addr(),
            arity,
            kind,
            args: F::ARGS,
            ret: F::RET,
        }
    }
}

type Ptr = *mut f64;
type CPtr = *const f64;
type Rng = *mut ChainRng;
type Sc = *mut ScalarConstrained;

/// Every C-ABI function of the crate, by name. This table is the single list;
/// tests walk it to check each function's derivatives.
pub fn symbols() -> Vec<Symbol> {
    use dist::batch::*;
    use dist::normal_vec::{hbm_normal_sum_vec, hbm_normal_sum_vec_adj};
    use dist::*;
    use eigen::*;
    use qr::*;
    use quantile::hbm_quantile;
    use svd::*;
    use eigen_general::{hbm_eigenvalues, hbm_eigenvectors};
    use hmm::*;
    use mixture::*;
    use linalg::*;
    use lu::*;
    use matrix_exp::*;
    use ode::{hbm_ode_adj, hbm_ode_times_adj};
    use scalar::*;
    use transform::*;
    use transform::check::*;
    use SymbolKind as K;

    let mut v: Vec<Symbol> = Vec::with_capacity(400);

    macro_rules! push {
        ($f:ident : $ty:ty => $kind:expr) => {
            v.push(Symbol::new(stringify!($f), $f as $ty, $kind))
        };
    }
    macro_rules! unary {
        ($($f:ident / $d:ident),+ $(,)?) => {$(
            push!($f: extern "C" fn(f64) -> f64 => K::Math);
            push!($d: extern "C" fn(f64) -> f64 => K::Partial { of: stringify!($f), wrt: 0 });
        )+};
    }
    macro_rules! binary {
        ($($f:ident / $d1:ident / $d2:ident / $g:ident),+ $(,)?) => {$(
            push!($f: extern "C" fn(f64, f64) -> f64 => K::Math);
            push!($d1: extern "C" fn(f64, f64) -> f64 => K::Partial { of: stringify!($f), wrt: 0 });
            push!($d2: extern "C" fn(f64, f64) -> f64 => K::Partial { of: stringify!($f), wrt: 1 });
            push!($g: unsafe extern "C" fn(f64, f64, Ptr) -> f64 => K::Grad { of: stringify!($f) });
        )+};
    }
    macro_rules! density {
        ($($f:ident / $g:ident ($($t:ty),+)),+ $(,)?) => {$(
            push!($f: extern "C" fn($($t),+) -> f64 => K::Lpdf);
            push!($g: unsafe extern "C" fn($($t,)+ Ptr) -> f64 => K::LpdfGrad { of: stringify!($f) });
        )+};
    }
    macro_rules! rng {
        ($($f:ident ($($t:ty),*) -> $r:ty),+ $(,)?) => {$(
            push!($f: unsafe extern "C" fn(Rng $(, $t)*) -> $r => K::Rng);
        )+};
    }
    macro_rules! vector_transform {
        ($($f:ident / $a:ident / $u:ident),+ $(,)?) => {$(
            push!($f: unsafe extern "C" fn(CPtr, i64, Ptr) -> f64 => K::Constrain);
            push!($a: unsafe extern "C" fn(CPtr, i64, CPtr, f64, Ptr) -> i32 => K::ConstrainAdj { of: stringify!($f) });
            push!($u: unsafe extern "C" fn(CPtr, i64, Ptr) -> i32 => K::Unconstrain { of: stringify!($f) });
        )+};
    }

    macro_rules! matrix_transform {
        ($($f:ident / $a:ident / $u:ident),+ $(,)?) => {$(
            push!($f: unsafe extern "C" fn(CPtr, i64, i64, Ptr) -> f64 => K::Constrain);
            push!($a: unsafe extern "C" fn(CPtr, i64, i64, CPtr, f64, Ptr) -> i32 => K::ConstrainAdj { of: stringify!($f) });
            push!($u: unsafe extern "C" fn(CPtr, i64, i64, Ptr) -> i32 => K::Unconstrain { of: stringify!($f) });
        )+};
    }

    // --- scalar math ---
    unary!(
        hbm_exp / hbm_exp_d1,
        hbm_log / hbm_log_d1,
        hbm_log1p / hbm_log1p_d1,
        hbm_expm1 / hbm_expm1_d1,
        hbm_sqrt / hbm_sqrt_d1,
        hbm_square / hbm_square_d1,
        hbm_inv / hbm_inv_d1,
        hbm_abs / hbm_abs_d1,
        hbm_inv_logit / hbm_inv_logit_d1,
        hbm_logit / hbm_logit_d1,
        hbm_log_inv_logit / hbm_log_inv_logit_d1,
        hbm_log1m_inv_logit / hbm_log1m_inv_logit_d1,
        hbm_log1p_exp / hbm_log1p_exp_d1,
        hbm_log1m_exp / hbm_log1m_exp_d1,
        hbm_log1m / hbm_log1m_d1,
        hbm_lgamma / hbm_lgamma_d1,
        hbm_digamma / hbm_digamma_d1,
        hbm_erf / hbm_erf_d1,
        hbm_erfc / hbm_erfc_d1,
        hbm_Phi / hbm_Phi_d1,
        hbm_inv_Phi / hbm_inv_Phi_d1,
        hbm_inv_sqrt / hbm_inv_sqrt_d1,
        hbm_inv_square / hbm_inv_square_d1,
        hbm_tgamma / hbm_tgamma_d1,
        hbm_trigamma / hbm_trigamma_d1,
        hbm_Phi_approx / hbm_Phi_approx_d1,
        hbm_log2 / hbm_log2_d1,
        hbm_log10 / hbm_log10_d1,
        hbm_exp2 / hbm_exp2_d1,
        hbm_cbrt / hbm_cbrt_d1,
        hbm_sin / hbm_sin_d1,
        hbm_cos / hbm_cos_d1,
        hbm_tan / hbm_tan_d1,
        hbm_asin / hbm_asin_d1,
        hbm_acos / hbm_acos_d1,
        hbm_atan / hbm_atan_d1,
        hbm_sinh / hbm_sinh_d1,
        hbm_cosh / hbm_cosh_d1,
        hbm_tanh / hbm_tanh_d1,
        hbm_asinh / hbm_asinh_d1,
        hbm_acosh / hbm_acosh_d1,
        hbm_atanh / hbm_atanh_d1,
        hbm_inv_cloglog / hbm_inv_cloglog_d1,
        hbm_step / hbm_step_d1,
    );
    binary!(
        hbm_pow / hbm_pow_d1 / hbm_pow_d2 / hbm_pow_grad,
        hbm_fmin / hbm_fmin_d1 / hbm_fmin_d2 / hbm_fmin_grad,
        hbm_fmax / hbm_fmax_d1 / hbm_fmax_d2 / hbm_fmax_grad,
        hbm_log_sum_exp / hbm_log_sum_exp_d1 / hbm_log_sum_exp_d2 / hbm_log_sum_exp_grad,
        hbm_log_diff_exp / hbm_log_diff_exp_d1 / hbm_log_diff_exp_d2 / hbm_log_diff_exp_grad,
        hbm_lbeta / hbm_lbeta_d1 / hbm_lbeta_d2 / hbm_lbeta_grad,
        hbm_lchoose / hbm_lchoose_d1 / hbm_lchoose_d2 / hbm_lchoose_grad,
        hbm_fdim / hbm_fdim_d1 / hbm_fdim_d2 / hbm_fdim_grad,
        hbm_fmod / hbm_fmod_d1 / hbm_fmod_d2 / hbm_fmod_grad,
        hbm_hypot / hbm_hypot_d1 / hbm_hypot_d2 / hbm_hypot_grad,
        hbm_atan2 / hbm_atan2_d1 / hbm_atan2_d2 / hbm_atan2_grad,
        hbm_log_inv_logit_diff / hbm_log_inv_logit_diff_d1 / hbm_log_inv_logit_diff_d2 / hbm_log_inv_logit_diff_grad,
        hbm_lmultiply / hbm_lmultiply_d1 / hbm_lmultiply_d2 / hbm_lmultiply_grad,
        hbm_multiply_log / hbm_multiply_log_d1 / hbm_multiply_log_d2 / hbm_multiply_log_grad,
        hbm_binary_log_loss / hbm_binary_log_loss_d1 / hbm_binary_log_loss_d2 / hbm_binary_log_loss_grad,
        hbm_gamma_p / hbm_gamma_p_d1 / hbm_gamma_p_d2 / hbm_gamma_p_grad,
        hbm_gamma_q / hbm_gamma_q_d1 / hbm_gamma_q_d2 / hbm_gamma_q_grad,
        hbm_owens_t / hbm_owens_t_d1 / hbm_owens_t_d2 / hbm_owens_t_grad,
    );
    push!(hbm_log_mix: extern "C" fn(f64, f64, f64) -> f64 => K::Math);
    push!(hbm_log_mix_d1: extern "C" fn(f64, f64, f64) -> f64 => K::Partial { of: "hbm_log_mix", wrt: 0 });
    push!(hbm_log_mix_d2: extern "C" fn(f64, f64, f64) -> f64 => K::Partial { of: "hbm_log_mix", wrt: 1 });
    push!(hbm_log_mix_d3: extern "C" fn(f64, f64, f64) -> f64 => K::Partial { of: "hbm_log_mix", wrt: 2 });
    push!(hbm_log_mix_grad: unsafe extern "C" fn(f64, f64, f64, Ptr) -> f64 => K::Grad { of: "hbm_log_mix" });
    push!(hbm_inc_beta: extern "C" fn(f64, f64, f64) -> f64 => K::Math);
    push!(hbm_inc_beta_d1: extern "C" fn(f64, f64, f64) -> f64 => K::Partial { of: "hbm_inc_beta", wrt: 0 });
    push!(hbm_inc_beta_d2: extern "C" fn(f64, f64, f64) -> f64 => K::Partial { of: "hbm_inc_beta", wrt: 1 });
    push!(hbm_inc_beta_d3: extern "C" fn(f64, f64, f64) -> f64 => K::Partial { of: "hbm_inc_beta", wrt: 2 });
    push!(hbm_inc_beta_grad: unsafe extern "C" fn(f64, f64, f64, Ptr) -> f64 => K::Grad { of: "hbm_inc_beta" });

    push!(hbm_to_int: extern "C" fn(f64) -> i64 => K::IntOfReal);

    // --- univariate densities ---
    density!(
        hbm_normal_lpdf / hbm_normal_lpdf_grad(f64, f64, f64),
        hbm_std_normal_lpdf / hbm_std_normal_lpdf_grad(f64),
        hbm_student_t_lpdf / hbm_student_t_lpdf_grad(f64, f64, f64, f64),
        hbm_cauchy_lpdf / hbm_cauchy_lpdf_grad(f64, f64, f64),
        hbm_double_exponential_lpdf / hbm_double_exponential_lpdf_grad(f64, f64, f64),
        hbm_skew_double_exponential_lpdf
            / hbm_skew_double_exponential_lpdf_grad(f64, f64, f64, f64),
        hbm_logistic_lpdf / hbm_logistic_lpdf_grad(f64, f64, f64),
        hbm_lognormal_lpdf / hbm_lognormal_lpdf_grad(f64, f64, f64),
        hbm_exponential_lpdf / hbm_exponential_lpdf_grad(f64, f64),
        hbm_gamma_lpdf / hbm_gamma_lpdf_grad(f64, f64, f64),
        hbm_inv_gamma_lpdf / hbm_inv_gamma_lpdf_grad(f64, f64, f64),
        hbm_weibull_lpdf / hbm_weibull_lpdf_grad(f64, f64, f64),
        hbm_gumbel_lpdf / hbm_gumbel_lpdf_grad(f64, f64, f64),
        hbm_rayleigh_lpdf / hbm_rayleigh_lpdf_grad(f64, f64),
        hbm_beta_lpdf / hbm_beta_lpdf_grad(f64, f64, f64),
        hbm_uniform_lpdf / hbm_uniform_lpdf_grad(f64, f64, f64),
        hbm_bernoulli_lpmf / hbm_bernoulli_lpmf_grad(i64, f64),
        hbm_bernoulli_logit_lpmf / hbm_bernoulli_logit_lpmf_grad(i64, f64),
        hbm_binomial_lpmf / hbm_binomial_lpmf_grad(i64, i64, f64),
        hbm_binomial_logit_lpmf / hbm_binomial_logit_lpmf_grad(i64, i64, f64),
        hbm_poisson_lpmf / hbm_poisson_lpmf_grad(i64, f64),
        hbm_poisson_log_lpmf / hbm_poisson_log_lpmf_grad(i64, f64),
        hbm_neg_binomial_2_lpmf / hbm_neg_binomial_2_lpmf_grad(i64, f64, f64),
        hbm_neg_binomial_2_log_lpmf / hbm_neg_binomial_2_log_lpmf_grad(i64, f64, f64),
        hbm_beta_binomial_lpmf / hbm_beta_binomial_lpmf_grad(i64, i64, f64, f64),
        hbm_skew_normal_lpdf / hbm_skew_normal_lpdf_grad(f64, f64, f64, f64),
        hbm_exp_mod_normal_lpdf / hbm_exp_mod_normal_lpdf_grad(f64, f64, f64, f64),
        hbm_wiener_lpdf / hbm_wiener_lpdf_grad(f64, f64, f64, f64, f64),
        hbm_wiener_sv_lpdf / hbm_wiener_sv_lpdf_grad(f64, f64, f64, f64, f64, f64),
        hbm_wiener_full_lpdf / hbm_wiener_full_lpdf_grad(f64, f64, f64, f64, f64, f64, f64, f64),
        hbm_pareto_lpdf / hbm_pareto_lpdf_grad(f64, f64, f64),
        hbm_pareto_type_2_lpdf / hbm_pareto_type_2_lpdf_grad(f64, f64, f64, f64),
        hbm_frechet_lpdf / hbm_frechet_lpdf_grad(f64, f64, f64),
        hbm_loglogistic_lpdf / hbm_loglogistic_lpdf_grad(f64, f64, f64),
        hbm_chi_square_lpdf / hbm_chi_square_lpdf_grad(f64, f64),
        hbm_inv_chi_square_lpdf / hbm_inv_chi_square_lpdf_grad(f64, f64),
        hbm_scaled_inv_chi_square_lpdf / hbm_scaled_inv_chi_square_lpdf_grad(f64, f64, f64),
        hbm_von_mises_lpdf / hbm_von_mises_lpdf_grad(f64, f64, f64),
        hbm_neg_binomial_lpmf / hbm_neg_binomial_lpmf_grad(i64, f64, f64),
        hbm_beta_neg_binomial_lpmf / hbm_beta_neg_binomial_lpmf_grad(i64, f64, f64, f64),
        hbm_beta_proportion_lpdf / hbm_beta_proportion_lpdf_grad(f64, f64, f64),
        hbm_discrete_range_lpmf / hbm_discrete_range_lpmf_grad(i64, i64, i64),
        hbm_hypergeometric_lpmf / hbm_hypergeometric_lpmf_grad(i64, i64, i64, i64),
    );
    // --- log cdfs and log ccdfs (truncation, `_lcdf`/`_lccdf`) ---
    density!(
        hbm_normal_lcdf / hbm_normal_lcdf_grad(f64, f64, f64),
        hbm_normal_lccdf / hbm_normal_lccdf_grad(f64, f64, f64),
        hbm_std_normal_lcdf / hbm_std_normal_lcdf_grad(f64),
        hbm_std_normal_lccdf / hbm_std_normal_lccdf_grad(f64),
        hbm_cauchy_lcdf / hbm_cauchy_lcdf_grad(f64, f64, f64),
        hbm_cauchy_lccdf / hbm_cauchy_lccdf_grad(f64, f64, f64),
        hbm_logistic_lcdf / hbm_logistic_lcdf_grad(f64, f64, f64),
        hbm_logistic_lccdf / hbm_logistic_lccdf_grad(f64, f64, f64),
        hbm_double_exponential_lcdf / hbm_double_exponential_lcdf_grad(f64, f64, f64),
        hbm_double_exponential_lccdf / hbm_double_exponential_lccdf_grad(f64, f64, f64),
        hbm_lognormal_lcdf / hbm_lognormal_lcdf_grad(f64, f64, f64),
        hbm_lognormal_lccdf / hbm_lognormal_lccdf_grad(f64, f64, f64),
        hbm_exponential_lcdf / hbm_exponential_lcdf_grad(f64, f64),
        hbm_exponential_lccdf / hbm_exponential_lccdf_grad(f64, f64),
        hbm_weibull_lcdf / hbm_weibull_lcdf_grad(f64, f64, f64),
        hbm_weibull_lccdf / hbm_weibull_lccdf_grad(f64, f64, f64),
        hbm_uniform_lcdf / hbm_uniform_lcdf_grad(f64, f64, f64),
        hbm_uniform_lccdf / hbm_uniform_lccdf_grad(f64, f64, f64),
        hbm_gamma_lcdf / hbm_gamma_lcdf_grad(f64, f64, f64),
        hbm_gamma_lccdf / hbm_gamma_lccdf_grad(f64, f64, f64),
        hbm_inv_gamma_lcdf / hbm_inv_gamma_lcdf_grad(f64, f64, f64),
        hbm_inv_gamma_lccdf / hbm_inv_gamma_lccdf_grad(f64, f64, f64),
        hbm_poisson_lcdf / hbm_poisson_lcdf_grad(i64, f64),
        hbm_poisson_lccdf / hbm_poisson_lccdf_grad(i64, f64),
        hbm_gumbel_lcdf / hbm_gumbel_lcdf_grad(f64, f64, f64),
        hbm_gumbel_lccdf / hbm_gumbel_lccdf_grad(f64, f64, f64),
        hbm_rayleigh_lcdf / hbm_rayleigh_lcdf_grad(f64, f64),
        hbm_rayleigh_lccdf / hbm_rayleigh_lccdf_grad(f64, f64),
        hbm_skew_normal_lcdf / hbm_skew_normal_lcdf_grad(f64, f64, f64, f64),
        hbm_skew_normal_lccdf / hbm_skew_normal_lccdf_grad(f64, f64, f64, f64),
        hbm_exp_mod_normal_lcdf / hbm_exp_mod_normal_lcdf_grad(f64, f64, f64, f64),
        hbm_exp_mod_normal_lccdf / hbm_exp_mod_normal_lccdf_grad(f64, f64, f64, f64),
        hbm_pareto_lcdf / hbm_pareto_lcdf_grad(f64, f64, f64),
        hbm_pareto_lccdf / hbm_pareto_lccdf_grad(f64, f64, f64),
        hbm_pareto_type_2_lcdf / hbm_pareto_type_2_lcdf_grad(f64, f64, f64, f64),
        hbm_pareto_type_2_lccdf / hbm_pareto_type_2_lccdf_grad(f64, f64, f64, f64),
        hbm_frechet_lcdf / hbm_frechet_lcdf_grad(f64, f64, f64),
        hbm_frechet_lccdf / hbm_frechet_lccdf_grad(f64, f64, f64),
        hbm_loglogistic_lcdf / hbm_loglogistic_lcdf_grad(f64, f64, f64),
        hbm_loglogistic_lccdf / hbm_loglogistic_lccdf_grad(f64, f64, f64),
        hbm_von_mises_lcdf / hbm_von_mises_lcdf_grad(f64, f64, f64),
        hbm_von_mises_lccdf / hbm_von_mises_lccdf_grad(f64, f64, f64),
        hbm_chi_square_lcdf / hbm_chi_square_lcdf_grad(f64, f64),
        hbm_chi_square_lccdf / hbm_chi_square_lccdf_grad(f64, f64),
        hbm_inv_chi_square_lcdf / hbm_inv_chi_square_lcdf_grad(f64, f64),
        hbm_inv_chi_square_lccdf / hbm_inv_chi_square_lccdf_grad(f64, f64),
        hbm_scaled_inv_chi_square_lcdf / hbm_scaled_inv_chi_square_lcdf_grad(f64, f64, f64),
        hbm_scaled_inv_chi_square_lccdf / hbm_scaled_inv_chi_square_lccdf_grad(f64, f64, f64),
        hbm_beta_lcdf / hbm_beta_lcdf_grad(f64, f64, f64),
        hbm_beta_lccdf / hbm_beta_lccdf_grad(f64, f64, f64),
        hbm_student_t_lcdf / hbm_student_t_lcdf_grad(f64, f64, f64, f64),
        hbm_student_t_lccdf / hbm_student_t_lccdf_grad(f64, f64, f64, f64),
        hbm_binomial_lcdf / hbm_binomial_lcdf_grad(i64, i64, f64),
        hbm_binomial_lccdf / hbm_binomial_lccdf_grad(i64, i64, f64),
        hbm_neg_binomial_2_lcdf / hbm_neg_binomial_2_lcdf_grad(i64, f64, f64),
        hbm_neg_binomial_2_lccdf / hbm_neg_binomial_2_lccdf_grad(i64, f64, f64),
        hbm_neg_binomial_lcdf / hbm_neg_binomial_lcdf_grad(i64, f64, f64),
        hbm_neg_binomial_lccdf / hbm_neg_binomial_lccdf_grad(i64, f64, f64),
        hbm_beta_neg_binomial_lcdf / hbm_beta_neg_binomial_lcdf_grad(i64, f64, f64, f64),
        hbm_beta_neg_binomial_lccdf / hbm_beta_neg_binomial_lccdf_grad(i64, f64, f64, f64),
        hbm_beta_proportion_lcdf / hbm_beta_proportion_lcdf_grad(f64, f64, f64),
        hbm_beta_proportion_lccdf / hbm_beta_proportion_lccdf_grad(f64, f64, f64),
        hbm_bernoulli_lcdf / hbm_bernoulli_lcdf_grad(i64, f64),
        hbm_bernoulli_lccdf / hbm_bernoulli_lccdf_grad(i64, f64),
        hbm_beta_binomial_lcdf / hbm_beta_binomial_lcdf_grad(i64, i64, f64, f64),
        hbm_beta_binomial_lccdf / hbm_beta_binomial_lccdf_grad(i64, i64, f64, f64),
        hbm_discrete_range_lcdf / hbm_discrete_range_lcdf_grad(i64, i64, i64),
        hbm_discrete_range_lccdf / hbm_discrete_range_lccdf_grad(i64, i64, i64),
        hbm_skew_double_exponential_lcdf / hbm_skew_double_exponential_lcdf_grad(f64, f64, f64, f64),
        hbm_skew_double_exponential_lccdf / hbm_skew_double_exponential_lccdf_grad(f64, f64, f64, f64),
    );
    rng!(
        hbm_normal_rng(f64, f64) -> f64,
        hbm_std_normal_rng() -> f64,
        hbm_student_t_rng(f64, f64, f64) -> f64,
        hbm_cauchy_rng(f64, f64) -> f64,
        hbm_double_exponential_rng(f64, f64) -> f64,
        hbm_skew_double_exponential_rng(f64, f64, f64) -> f64,
        hbm_logistic_rng(f64, f64) -> f64,
        hbm_lognormal_rng(f64, f64) -> f64,
        hbm_exponential_rng(f64) -> f64,
        hbm_gamma_rng(f64, f64) -> f64,
        hbm_inv_gamma_rng(f64, f64) -> f64,
        hbm_weibull_rng(f64, f64) -> f64,
        hbm_gumbel_rng(f64, f64) -> f64,
        hbm_rayleigh_rng(f64) -> f64,
        hbm_beta_rng(f64, f64) -> f64,
        hbm_uniform_rng(f64, f64) -> f64,
        hbm_bernoulli_rng(f64) -> i64,
        hbm_bernoulli_logit_rng(f64) -> i64,
        hbm_binomial_rng(i64, f64) -> i64,
        hbm_binomial_logit_rng(i64, f64) -> i64,
        hbm_poisson_rng(f64) -> i64,
        hbm_poisson_log_rng(f64) -> i64,
        hbm_neg_binomial_2_rng(f64, f64) -> i64,
        hbm_neg_binomial_2_log_rng(f64, f64) -> i64,
        hbm_beta_binomial_rng(i64, f64, f64) -> i64,
        hbm_skew_normal_rng(f64, f64, f64) -> f64,
        hbm_exp_mod_normal_rng(f64, f64, f64) -> f64,
        hbm_pareto_rng(f64, f64) -> f64,
        hbm_pareto_type_2_rng(f64, f64, f64) -> f64,
        hbm_frechet_rng(f64, f64) -> f64,
        hbm_loglogistic_rng(f64, f64) -> f64,
        hbm_chi_square_rng(f64) -> f64,
        hbm_inv_chi_square_rng(f64) -> f64,
        hbm_scaled_inv_chi_square_rng(f64, f64) -> f64,
        hbm_von_mises_rng(f64, f64) -> f64,
        hbm_neg_binomial_rng(f64, f64) -> i64,
        hbm_beta_neg_binomial_rng(f64, f64, f64) -> i64,
        hbm_beta_proportion_rng(f64, f64) -> f64,
        hbm_discrete_range_rng(i64, i64) -> i64,
        hbm_hypergeometric_rng(i64, i64, i64) -> i64,
        hbm_multi_normal_rng(CPtr, CPtr, i64, Ptr) -> i32,
        hbm_multi_normal_cholesky_rng(CPtr, CPtr, i64, Ptr) -> i32,
        hbm_multi_student_t_rng(f64, CPtr, CPtr, i64, Ptr) -> i32,
        hbm_multi_student_t_cholesky_rng(f64, CPtr, CPtr, i64, Ptr) -> i32,
        hbm_lkj_corr_cholesky_rng(i64, f64, Ptr) -> i32,
        hbm_wishart_rng(f64, CPtr, i64, Ptr) -> i32,
        hbm_inv_wishart_rng(f64, CPtr, i64, Ptr) -> i32,
        hbm_wishart_cholesky_rng(f64, CPtr, i64, Ptr) -> i32,
        hbm_inv_wishart_cholesky_rng(f64, CPtr, i64, Ptr) -> i32,
        hbm_dirichlet_rng(CPtr, i64, Ptr) -> i32,
        hbm_categorical_rng(CPtr, i64) -> i64,
        hbm_poisson_binomial_rng(CPtr, i64) -> i64,
        hbm_categorical_logit_rng(CPtr, i64) -> i64,
        hbm_ordered_logistic_rng(f64, CPtr, i64) -> i64,
        hbm_ordered_probit_rng(f64, CPtr, i64) -> i64,
    );

    // --- batched densities (arrays of arguments, for likelihood loops) ---
    push!(hbm_bernoulli_logit_lpmf_batch: unsafe extern "C" fn(i64, CPtr, CPtr) -> f64
        => K::LpdfBatch { of: "hbm_bernoulli_logit_lpmf" });
    push!(hbm_bernoulli_logit_lpmf_grad_batch: unsafe extern "C" fn(i64, CPtr, CPtr, Ptr) -> f64
        => K::LpdfGradBatch { of: "hbm_bernoulli_logit_lpmf_grad" });
    push!(hbm_poisson_log_lpmf_batch: unsafe extern "C" fn(i64, CPtr, CPtr) -> f64
        => K::LpdfBatch { of: "hbm_poisson_log_lpmf" });
    push!(hbm_poisson_log_lpmf_grad_batch: unsafe extern "C" fn(i64, CPtr, CPtr, Ptr) -> f64
        => K::LpdfGradBatch { of: "hbm_poisson_log_lpmf_grad" });
    push!(hbm_poisson_log_uncounted_lpmf_batch: unsafe extern "C" fn(i64, CPtr, CPtr) -> f64
        => K::LpdfBatch { of: "hbm_poisson_log_uncounted_lpmf" });
    push!(hbm_poisson_log_uncounted_lpmf_grad_batch: unsafe extern "C" fn(i64, CPtr, CPtr, Ptr) -> f64
        => K::LpdfGradBatch { of: "hbm_poisson_log_uncounted_lpmf_grad" });
    push!(hbm_binomial_logit_uncounted_lpmf_batch: unsafe extern "C" fn(i64, CPtr, CPtr, CPtr) -> f64
        => K::LpdfBatch { of: "hbm_binomial_logit_uncounted_lpmf" });
    push!(hbm_binomial_logit_uncounted_lpmf_grad_batch: unsafe extern "C" fn(i64, CPtr, CPtr, CPtr, Ptr) -> f64
        => K::LpdfGradBatch { of: "hbm_binomial_logit_uncounted_lpmf_grad" });
    push!(hbm_exp_batch: unsafe extern "C" fn(i64, CPtr, Ptr) -> f64 => K::MapBatch { of: "hbm_exp" });
    push!(hbm_log1p_exp_grad_batch: unsafe extern "C" fn(i64, CPtr, Ptr, Ptr) -> f64
        => K::MapBatch { of: "hbm_log1p_exp_grad" });
    push!(hbm_log_batch: unsafe extern "C" fn(i64, CPtr, Ptr) -> f64 => K::MapBatch { of: "hbm_log" });
    push!(hbm_log1p_batch: unsafe extern "C" fn(i64, CPtr, Ptr) -> f64 => K::MapBatch { of: "hbm_log1p" });
    push!(hbm_log1p_d1_batch: unsafe extern "C" fn(i64, CPtr, Ptr) -> f64 => K::MapBatch { of: "hbm_log1p_d1" });
    push!(hbm_lgamma_batch: unsafe extern "C" fn(i64, CPtr, Ptr) -> f64 => K::MapBatch { of: "hbm_lgamma" });
    push!(hbm_lgamma_d1_batch: unsafe extern "C" fn(i64, CPtr, Ptr) -> f64 => K::MapBatch { of: "hbm_lgamma_d1" });
    push!(hbm_digamma_batch: unsafe extern "C" fn(i64, CPtr, Ptr) -> f64 => K::MapBatch { of: "hbm_digamma" });
    push!(hbm_sum_batch: unsafe extern "C" fn(CPtr, i64) -> f64 => K::Reduce);

    // --- multivariate densities ---
    push!(hbm_multi_normal_lpdf: unsafe extern "C" fn(CPtr, CPtr, CPtr, i64) -> f64 => K::MultiLpdf);
    push!(hbm_multi_normal_lpdf_adj: unsafe extern "C" fn(CPtr, CPtr, CPtr, i64, f64, Ptr, Ptr, Ptr) -> f64
        => K::MultiLpdfAdj { of: "hbm_multi_normal_lpdf" });
    push!(hbm_multi_normal_cholesky_lpdf: unsafe extern "C" fn(CPtr, CPtr, CPtr, i64) -> f64 => K::MultiLpdf);
    push!(hbm_multi_normal_cholesky_lpdf_adj: unsafe extern "C" fn(CPtr, CPtr, CPtr, i64, f64, Ptr, Ptr, Ptr) -> f64
        => K::MultiLpdfAdj { of: "hbm_multi_normal_cholesky_lpdf" });
    push!(hbm_lkj_corr_cholesky_lpdf: unsafe extern "C" fn(CPtr, i64, f64) -> f64 => K::MultiLpdf);
    push!(hbm_lkj_corr_cholesky_lpdf_adj: unsafe extern "C" fn(CPtr, i64, f64, f64, Ptr, Ptr) -> f64
        => K::MultiLpdfAdj { of: "hbm_lkj_corr_cholesky_lpdf" });

    // --- constraint transforms ---
    push!(hbm_lower_constrain: unsafe extern "C" fn(f64, f64, Sc) -> f64 => K::ScalarConstrain);
    push!(hbm_lower_unconstrain: extern "C" fn(f64, f64) -> f64 => K::ScalarUnconstrain { of: "hbm_lower_constrain" });
    push!(hbm_upper_constrain: unsafe extern "C" fn(f64, f64, Sc) -> f64 => K::ScalarConstrain);
    push!(hbm_upper_unconstrain: extern "C" fn(f64, f64) -> f64 => K::ScalarUnconstrain { of: "hbm_upper_constrain" });
    push!(hbm_lower_upper_constrain: unsafe extern "C" fn(f64, f64, f64, Sc) -> f64 => K::ScalarConstrain);
    push!(hbm_lower_upper_unconstrain: extern "C" fn(f64, f64, f64) -> f64
        => K::ScalarUnconstrain { of: "hbm_lower_upper_constrain" });
    push!(hbm_offset_multiplier_constrain: unsafe extern "C" fn(f64, f64, f64, Sc) -> f64 => K::ScalarConstrain);
    push!(hbm_offset_multiplier_unconstrain: extern "C" fn(f64, f64, f64) -> f64
        => K::ScalarUnconstrain { of: "hbm_offset_multiplier_constrain" });
    vector_transform!(
        hbm_simplex_constrain / hbm_simplex_constrain_adj / hbm_simplex_unconstrain,
        hbm_sum_to_zero_constrain / hbm_sum_to_zero_constrain_adj / hbm_sum_to_zero_unconstrain,
        hbm_ordered_constrain / hbm_ordered_constrain_adj / hbm_ordered_unconstrain,
        hbm_positive_ordered_constrain
            / hbm_positive_ordered_constrain_adj
            / hbm_positive_ordered_unconstrain,
        hbm_unit_vector_constrain / hbm_unit_vector_constrain_adj / hbm_unit_vector_unconstrain,
        hbm_cholesky_factor_corr_constrain
            / hbm_cholesky_factor_corr_constrain_adj
            / hbm_cholesky_factor_corr_unconstrain,
        hbm_cholesky_factor_cov_constrain
            / hbm_cholesky_factor_cov_constrain_adj
            / hbm_cholesky_factor_cov_unconstrain,
        hbm_corr_matrix_constrain / hbm_corr_matrix_constrain_adj / hbm_corr_matrix_unconstrain,
        hbm_cov_matrix_constrain / hbm_cov_matrix_constrain_adj / hbm_cov_matrix_unconstrain,
    );

    // Checks of declared constraints: (y, rows, cols) -> 0 satisfied, 1 not.
    push!(hbm_check_simplex: unsafe extern "C" fn(CPtr, i64, i64) -> i32 => K::Check);
    push!(hbm_check_ordered: unsafe extern "C" fn(CPtr, i64, i64) -> i32 => K::Check);
    push!(hbm_check_positive_ordered: unsafe extern "C" fn(CPtr, i64, i64) -> i32 => K::Check);
    push!(hbm_check_unit_vector: unsafe extern "C" fn(CPtr, i64, i64) -> i32 => K::Check);
    push!(hbm_check_sum_to_zero: unsafe extern "C" fn(CPtr, i64, i64) -> i32 => K::Check);
    push!(hbm_check_cholesky_factor_corr: unsafe extern "C" fn(CPtr, i64, i64) -> i32 => K::Check);
    push!(hbm_check_cholesky_factor_cov: unsafe extern "C" fn(CPtr, i64, i64) -> i32 => K::Check);
    push!(hbm_check_corr_matrix: unsafe extern "C" fn(CPtr, i64, i64) -> i32 => K::Check);
    push!(hbm_check_cov_matrix: unsafe extern "C" fn(CPtr, i64, i64) -> i32 => K::Check);
    push!(hbm_check_sum_to_zero_matrix: unsafe extern "C" fn(CPtr, i64, i64) -> i32 => K::Check);
    push!(hbm_check_column_stochastic_matrix: unsafe extern "C" fn(CPtr, i64, i64) -> i32 => K::Check);
    push!(hbm_check_row_stochastic_matrix: unsafe extern "C" fn(CPtr, i64, i64) -> i32 => K::Check);
    matrix_transform!(
        hbm_sum_to_zero_matrix_constrain
            / hbm_sum_to_zero_matrix_constrain_adj
            / hbm_sum_to_zero_matrix_unconstrain,
        hbm_column_stochastic_matrix_constrain
            / hbm_column_stochastic_matrix_constrain_adj
            / hbm_column_stochastic_matrix_unconstrain,
        hbm_row_stochastic_matrix_constrain
            / hbm_row_stochastic_matrix_constrain_adj
            / hbm_row_stochastic_matrix_unconstrain,
    );

    // --- matrix and vector routines ---
    push!(hbm_cholesky_decompose: unsafe extern "C" fn(CPtr, i64, Ptr) -> i32 => K::Linalg);
    push!(hbm_cholesky_decompose_adj: unsafe extern "C" fn(CPtr, CPtr, i64, Ptr) -> i32
        => K::LinalgAdj { of: "hbm_cholesky_decompose" });
    push!(hbm_multiply: unsafe extern "C" fn(CPtr, CPtr, i64, i64, i64, Ptr) -> i32 => K::Linalg);
    push!(hbm_multiply_adj: unsafe extern "C" fn(CPtr, CPtr, i64, i64, i64, CPtr, Ptr, Ptr) -> i32
        => K::LinalgAdj { of: "hbm_multiply" });
    push!(hbm_multiply_lower_tri_self_transpose: unsafe extern "C" fn(CPtr, i64, Ptr) -> i32 => K::Linalg);
    push!(hbm_multiply_lower_tri_self_transpose_adj: unsafe extern "C" fn(CPtr, i64, CPtr, Ptr) -> i32
        => K::LinalgAdj { of: "hbm_multiply_lower_tri_self_transpose" });
    push!(hbm_diag_pre_multiply: unsafe extern "C" fn(CPtr, CPtr, i64, i64, Ptr) -> i32 => K::Linalg);
    push!(hbm_diag_pre_multiply_adj: unsafe extern "C" fn(CPtr, CPtr, i64, i64, CPtr, Ptr, Ptr) -> i32
        => K::LinalgAdj { of: "hbm_diag_pre_multiply" });
    push!(hbm_mdivide_left_tri_low: unsafe extern "C" fn(CPtr, i64, CPtr, i64, Ptr) -> i32 => K::Linalg);
    push!(hbm_mdivide_left_tri_low_adj: unsafe extern "C" fn(CPtr, i64, CPtr, i64, CPtr, Ptr, Ptr) -> i32
        => K::LinalgAdj { of: "hbm_mdivide_left_tri_low" });
    push!(hbm_log_det_cholesky: unsafe extern "C" fn(CPtr, i64) -> f64 => K::Linalg);
    push!(hbm_log_det_cholesky_adj: unsafe extern "C" fn(CPtr, i64, f64, Ptr) -> i32
        => K::LinalgAdj { of: "hbm_log_det_cholesky" });
    push!(hbm_ode_adj: unsafe extern "C" fn(CPtr, i64, i64, i64, CPtr, Ptr, Ptr) -> i32 => K::OdeAdj);
    push!(hbm_ode_times_adj: unsafe extern "C" fn(CPtr, i64, i64, i64, CPtr, Ptr, Ptr, Ptr, Ptr) -> i32 => K::OdeAdj);
    push!(hbm_softmax: unsafe extern "C" fn(CPtr, i64, Ptr) -> i32 => K::Linalg);
    push!(hbm_softmax_adj: unsafe extern "C" fn(CPtr, i64, CPtr, Ptr) -> i32 => K::LinalgAdj { of: "hbm_softmax" });
    push!(hbm_log_softmax: unsafe extern "C" fn(CPtr, i64, Ptr) -> i32 => K::Linalg);
    push!(hbm_log_softmax_adj: unsafe extern "C" fn(CPtr, i64, CPtr, Ptr) -> i32
        => K::LinalgAdj { of: "hbm_log_softmax" });
    push!(hbm_inverse: unsafe extern "C" fn(CPtr, i64, Ptr) -> i32 => K::Linalg);
    push!(hbm_inverse_adj: unsafe extern "C" fn(CPtr, i64, CPtr, Ptr) -> i32 => K::LinalgAdj { of: "hbm_inverse" });
    push!(hbm_log_determinant: unsafe extern "C" fn(CPtr, i64) -> f64 => K::Linalg);
    push!(hbm_log_determinant_adj: unsafe extern "C" fn(CPtr, i64, f64, Ptr) -> i32 => K::LinalgAdj { of: "hbm_log_determinant" });
    push!(hbm_matrix_exp: unsafe extern "C" fn(CPtr, i64, Ptr) -> i32 => K::Linalg);
    push!(hbm_matrix_exp_adj: unsafe extern "C" fn(CPtr, i64, CPtr, Ptr) -> i32 => K::LinalgAdj { of: "hbm_matrix_exp" });
    push!(hbm_poisson_binomial_lpmf: unsafe extern "C" fn(CPtr, i64, i64) -> f64 => K::Linalg);
    push!(hbm_poisson_binomial_lpmf_adj: unsafe extern "C" fn(CPtr, i64, i64, f64, Ptr) -> i32
        => K::LinalgAdj { of: "hbm_poisson_binomial_lpmf" });
    push!(hbm_poisson_binomial_lcdf: unsafe extern "C" fn(CPtr, i64, i64) -> f64 => K::Linalg);
    push!(hbm_poisson_binomial_lcdf_adj: unsafe extern "C" fn(CPtr, i64, i64, f64, Ptr) -> i32
        => K::LinalgAdj { of: "hbm_poisson_binomial_lcdf" });
    push!(hbm_poisson_binomial_lccdf: unsafe extern "C" fn(CPtr, i64, i64) -> f64 => K::Linalg);
    push!(hbm_poisson_binomial_lccdf_adj: unsafe extern "C" fn(CPtr, i64, i64, f64, Ptr) -> i32
        => K::LinalgAdj { of: "hbm_poisson_binomial_lccdf" });
    push!(hbm_determinant: unsafe extern "C" fn(CPtr, i64) -> f64 => K::Linalg);
    push!(hbm_determinant_adj: unsafe extern "C" fn(CPtr, i64, f64, Ptr) -> i32 => K::LinalgAdj { of: "hbm_determinant" });
    push!(hbm_sort_asc: unsafe extern "C" fn(CPtr, i64, Ptr) -> i32 => K::Linalg);
    push!(hbm_sort_asc_adj: unsafe extern "C" fn(CPtr, i64, CPtr, Ptr) -> i32 => K::LinalgAdj { of: "hbm_sort_asc" });
    push!(hbm_sort_desc: unsafe extern "C" fn(CPtr, i64, Ptr) -> i32 => K::Linalg);
    push!(hbm_sort_desc_adj: unsafe extern "C" fn(CPtr, i64, CPtr, Ptr) -> i32 => K::LinalgAdj { of: "hbm_sort_desc" });
    push!(hbm_eigenvalues_sym: unsafe extern "C" fn(CPtr, i64, Ptr) -> i32 => K::Linalg);
    push!(hbm_eigenvalues_sym_adj: unsafe extern "C" fn(CPtr, i64, CPtr, Ptr) -> i32
        => K::LinalgAdj { of: "hbm_eigenvalues_sym" });
    push!(hbm_eigenvectors_sym: unsafe extern "C" fn(CPtr, i64, Ptr) -> i32 => K::Linalg);
    push!(hbm_eigenvectors_sym_adj: unsafe extern "C" fn(CPtr, i64, CPtr, Ptr) -> i32
        => K::LinalgAdj { of: "hbm_eigenvectors_sym" });
    push!(hbm_qr_thin_q: unsafe extern "C" fn(CPtr, i64, i64, i64, Ptr) -> i32 => K::Linalg);
    push!(hbm_qr_thin_q_adj: unsafe extern "C" fn(CPtr, i64, i64, i64, CPtr, Ptr) -> i32 => K::LinalgAdj { of: "hbm_qr_thin_q" });
    push!(hbm_qr_thin_r: unsafe extern "C" fn(CPtr, i64, i64, i64, Ptr) -> i32 => K::Linalg);
    push!(hbm_qr_thin_r_adj: unsafe extern "C" fn(CPtr, i64, i64, i64, CPtr, Ptr) -> i32 => K::LinalgAdj { of: "hbm_qr_thin_r" });
    push!(hbm_qr_r: unsafe extern "C" fn(CPtr, i64, i64, Ptr) -> i32 => K::Linalg);
    push!(hbm_qr_r_adj: unsafe extern "C" fn(CPtr, i64, i64, CPtr, Ptr) -> i32 => K::LinalgAdj { of: "hbm_qr_r" });
    // No `_adj`: the trailing columns of a tall matrix's full Q are any
    // orthonormal completion, not a differentiable function of it.
    push!(hbm_qr_q: unsafe extern "C" fn(CPtr, i64, i64, Ptr) -> i32 => K::LinalgNoGrad);
    // No `_adj`: `quantile` takes data only, as in Stan.
    push!(hbm_quantile: unsafe extern "C" fn(CPtr, i64, f64) -> f64 => K::LinalgNoGrad);
    push!(hbm_singular_values: unsafe extern "C" fn(CPtr, i64, i64, i64, Ptr) -> i32 => K::Linalg);
    push!(hbm_singular_values_adj: unsafe extern "C" fn(CPtr, i64, i64, i64, CPtr, Ptr) -> i32
        => K::LinalgAdj { of: "hbm_singular_values" });
    push!(hbm_svd_u: unsafe extern "C" fn(CPtr, i64, i64, i64, Ptr) -> i32 => K::Linalg);
    push!(hbm_svd_u_adj: unsafe extern "C" fn(CPtr, i64, i64, i64, CPtr, Ptr) -> i32 => K::LinalgAdj { of: "hbm_svd_u" });
    push!(hbm_svd_v: unsafe extern "C" fn(CPtr, i64, i64, i64, Ptr) -> i32 => K::Linalg);
    push!(hbm_svd_v_adj: unsafe extern "C" fn(CPtr, i64, i64, i64, CPtr, Ptr) -> i32 => K::LinalgAdj { of: "hbm_svd_v" });
    push!(hbm_generalized_inverse: unsafe extern "C" fn(CPtr, i64, i64, Ptr) -> i32 => K::Linalg);
    push!(hbm_generalized_inverse_adj: unsafe extern "C" fn(CPtr, i64, i64, CPtr, Ptr) -> i32
        => K::LinalgAdj { of: "hbm_generalized_inverse" });
    // No `_adj`: complex results exist only where nothing is differentiated.
    push!(hbm_eigenvalues: unsafe extern "C" fn(CPtr, i64, Ptr) -> i32 => K::LinalgNoGrad);
    push!(hbm_eigenvectors: unsafe extern "C" fn(CPtr, i64, Ptr) -> i32 => K::LinalgNoGrad);
    push!(hbm_log_sum_exp_vec: unsafe extern "C" fn(CPtr, i64) -> f64 => K::Linalg);
    push!(hbm_log_sum_exp_vec_adj: unsafe extern "C" fn(CPtr, i64, f64, Ptr) -> f64
        => K::LinalgAdj { of: "hbm_log_sum_exp_vec" });
    push!(hbm_normal_sum_vec: unsafe extern "C" fn(CPtr, i64, f64, f64) -> f64 => K::Linalg);
    push!(hbm_normal_sum_vec_adj: unsafe extern "C" fn(CPtr, i64, f64, f64, f64, Ptr, Ptr, Ptr) -> i32
        => K::LinalgAdj { of: "hbm_normal_sum_vec" });
    // Last, so that tests drawing points symbol by symbol from one stream
    // draw the same points for the symbols above.
    binary!(
        hbm_bessel_first_kind / hbm_bessel_first_kind_d1 / hbm_bessel_first_kind_d2 / hbm_bessel_first_kind_grad,
        hbm_bessel_second_kind / hbm_bessel_second_kind_d1 / hbm_bessel_second_kind_d2 / hbm_bessel_second_kind_grad,
        hbm_modified_bessel_first_kind / hbm_modified_bessel_first_kind_d1 / hbm_modified_bessel_first_kind_d2 / hbm_modified_bessel_first_kind_grad,
        hbm_modified_bessel_second_kind / hbm_modified_bessel_second_kind_d1 / hbm_modified_bessel_second_kind_d2 / hbm_modified_bessel_second_kind_grad,
        hbm_log_modified_bessel_first_kind / hbm_log_modified_bessel_first_kind_d1 / hbm_log_modified_bessel_first_kind_d2 / hbm_log_modified_bessel_first_kind_grad,
        hbm_log_rising_factorial / hbm_log_rising_factorial_d1 / hbm_log_rising_factorial_d2 / hbm_log_rising_factorial_grad,
        hbm_log_falling_factorial / hbm_log_falling_factorial_d1 / hbm_log_falling_factorial_d2 / hbm_log_falling_factorial_grad,
        hbm_rising_factorial / hbm_rising_factorial_d1 / hbm_rising_factorial_d2 / hbm_rising_factorial_grad,
        hbm_falling_factorial / hbm_falling_factorial_d1 / hbm_falling_factorial_d2 / hbm_falling_factorial_grad,
    );

    // After the Bessel functions, for the same reason.
    push!(hbm_log_mix_vec: unsafe extern "C" fn(CPtr, CPtr, i64, i64) -> f64 => K::Linalg);
    push!(hbm_log_mix_vec_adj: unsafe extern "C" fn(CPtr, CPtr, i64, i64, f64, Ptr, Ptr) -> i32
        => K::LinalgAdj { of: "hbm_log_mix_vec" });
    push!(hbm_hmm_marginal: unsafe extern "C" fn(CPtr, CPtr, CPtr, i64, i64) -> f64 => K::Linalg);
    push!(hbm_hmm_marginal_adj: unsafe extern "C" fn(CPtr, CPtr, CPtr, i64, i64, f64, Ptr, Ptr, Ptr) -> i32
        => K::LinalgAdj { of: "hbm_hmm_marginal" });
    // Generated quantities and transformed data only, as in Stan: no `_adj`.
    push!(hbm_hmm_hidden_state_prob: unsafe extern "C" fn(CPtr, CPtr, CPtr, i64, i64, Ptr) -> i32 => K::LinalgNoGrad);
    push!(hbm_hmm_latent_rng: unsafe extern "C" fn(Rng, CPtr, CPtr, CPtr, i64, i64, Ptr) -> i32 => K::Rng);
    // Last, for the same reason as the Bessel functions.
    push!(hbm_inv_inc_beta: extern "C" fn(f64, f64, f64) -> f64 => K::Math);
    push!(hbm_inv_inc_beta_d1: extern "C" fn(f64, f64, f64) -> f64 => K::Partial { of: "hbm_inv_inc_beta", wrt: 0 });
    push!(hbm_inv_inc_beta_d2: extern "C" fn(f64, f64, f64) -> f64 => K::Partial { of: "hbm_inv_inc_beta", wrt: 1 });
    push!(hbm_inv_inc_beta_d3: extern "C" fn(f64, f64, f64) -> f64 => K::Partial { of: "hbm_inv_inc_beta", wrt: 2 });
    push!(hbm_inv_inc_beta_grad: unsafe extern "C" fn(f64, f64, f64, Ptr) -> f64 => K::Grad { of: "hbm_inv_inc_beta" });
    unary!(hbm_lgamma_half_diff / hbm_lgamma_half_diff_d1);
    push!(hbm_nb_lchoose: extern "C" fn(i64, f64) -> f64 => K::Math);
    push!(hbm_nb_lchoose_d2: extern "C" fn(i64, f64) -> f64 => K::Partial { of: "hbm_nb_lchoose", wrt: 1 });
    // Last, for the same reason as the Bessel functions (tests/api/derivatives.rs
    // draws every symbol's test points from one sequence, in this order).
    density!(
        hbm_binomial_uncounted_lpmf / hbm_binomial_uncounted_lpmf_grad(i64, i64, f64),
        hbm_binomial_logit_uncounted_lpmf / hbm_binomial_logit_uncounted_lpmf_grad(i64, i64, f64),
        hbm_poisson_uncounted_lpmf / hbm_poisson_uncounted_lpmf_grad(i64, f64),
        hbm_poisson_log_uncounted_lpmf / hbm_poisson_log_uncounted_lpmf_grad(i64, f64),
    );
    // Value and partial in one call for the gradient's forward sweep.
    push!(hbm_log1p_exp_grad: unsafe extern "C" fn(f64, Ptr) -> f64 => K::Grad { of: "hbm_log1p_exp" });
    push!(hbm_inv_logit_grad: unsafe extern "C" fn(f64, Ptr) -> f64 => K::Grad { of: "hbm_inv_logit" });
    push!(hbm_log_inv_logit_grad: unsafe extern "C" fn(f64, Ptr) -> f64 => K::Grad { of: "hbm_log_inv_logit" });
    push!(hbm_log1m_inv_logit_grad: unsafe extern "C" fn(f64, Ptr) -> f64 => K::Grad { of: "hbm_log1m_inv_logit" });
    push!(hbm_nb_lchoose_grad: unsafe extern "C" fn(i64, f64, Ptr) -> f64 => K::Grad { of: "hbm_nb_lchoose" });
    push!(hbm_tanh_grad: unsafe extern "C" fn(f64, Ptr) -> f64 => K::Grad { of: "hbm_tanh" });
    unary!(
        hbm_std_normal_qf / hbm_std_normal_qf_d1,
        hbm_std_normal_log_qf / hbm_std_normal_log_qf_d1,
        hbm_lambert_w0 / hbm_lambert_w0_d1,
        hbm_lambert_wm1 / hbm_lambert_wm1_d1,
        hbm_inv_erfc / hbm_inv_erfc_d1,
    );
    binary!(hbm_beta / hbm_beta_d1 / hbm_beta_d2 / hbm_beta_grad);
    // A density's partial alone, for the reverse sweep where the value is
    // not used (`partials_alone` in the compiler's `ad/prune.rs`).
    push!(hbm_bernoulli_lpmf_d2: extern "C" fn(i64, f64) -> f64 => K::Partial { of: "hbm_bernoulli_lpmf", wrt: 1 });
    push!(hbm_binomial_uncounted_lpmf_d3: extern "C" fn(i64, i64, f64) -> f64
        => K::Partial { of: "hbm_binomial_uncounted_lpmf", wrt: 2 });
    v
}
