//! Signatures of every function and distribution of LANGUAGE.md, as rules
//! from argument types to a result type.
//!
//! Most of Stan's library comes in families (elementwise unary math,
//! elementwise binary math, reductions, vectorised densities), so the table
//! is a list of names per family plus explicit rules for the rest. The
//! result keeps dims where the function preserves them: `exp(v)` of a
//! `vector[grade]` is a `vector[grade]`, `rep_vector(0, grade)` too.

use super::broadcast::{self, named_subset, union_named};
use super::typed::{TypedExpr, TypedExprKind};
use super::types::{Axis, ElemType, Type};

/// Elementwise unary functions: int or real in, real out, any shape.
pub const UNARY_MATH: &[&str] = &[
    "exp", "log", "log1p", "expm1", "sqrt", "square", "inv", "inv_sqrt", "inv_square", "inv_logit",
    "logit", "log_inv_logit", "log1m_inv_logit", "log1p_exp", "log1m_exp", "log1m", "lgamma",
    "tgamma", "digamma", "trigamma", "Phi", "Phi_approx", "inv_Phi", "std_normal_qf", "std_normal_log_qf", "lambert_w0", "lambert_wm1", "inv_erfc", "log2", "log10", "exp2", "cbrt",
    "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh",
    "erf", "erfc", "floor", "ceil", "round", "trunc", "inv_cloglog", "fabs", "step",
];

/// Elementwise binary functions of two reals.
pub const BINARY_MATH: &[&str] = &[
    "pow", "fmin", "fmax", "fdim", "fmod", "hypot", "atan2", "beta", "lbeta", "lchoose", "log_diff_exp",
    "log_inv_logit_diff", "lmultiply", "multiply_log", "binary_log_loss", "owens_t", "gamma_p", "gamma_q",
    "bessel_first_kind", "bessel_second_kind", "modified_bessel_first_kind", "modified_bessel_second_kind",
    "log_modified_bessel_first_kind", "log_rising_factorial", "log_falling_factorial", "rising_factorial",
    "falling_factorial",
];

/// The internal function that promotes an `int` container to the `real`
/// one of its shape: Stan's promotion of an `array[] int` argument given
/// for an `array[] real` parameter of a user function (made by
/// `syntax::functions::overloads`; `#` cannot be written in a name).
pub const PROMOTE_TO_REAL: &str = "promote#real";

/// Binary math functions whose second argument is an int in Stan.
pub const INT_SECOND_BINARY_MATH: &[&str] = &["rising_factorial", "falling_factorial"];

/// Binary math functions whose first argument (an order) is an int in Stan.
pub const INT_FIRST_BINARY_MATH: &[&str] =
    &["bessel_first_kind", "bessel_second_kind", "modified_bessel_first_kind", "modified_bessel_second_kind"];

/// The shape a distribution's variate or parameter takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArgShape {
    /// int, real, vector, row_vector, matrix or a 1-D array of int/real.
    Reals,
    /// int or a 1-D int array.
    Ints,
    /// A vector, row vector, or array of them (multivariate variates).
    Vectors,
    /// A square matrix.
    Matrix,
    /// A single real.
    Real,
}

/// A distribution: its parameter names and shapes, and whether it is discrete.
#[derive(Clone, Copy, Debug)]
pub struct Distribution {
    pub name: &'static str,
    pub variate: ArgShape,
    pub params: &'static [(&'static str, ArgShape)],
    pub discrete: bool,
    /// Multivariate densities check shapes by their own rule.
    pub multivariate: bool,
}

const fn uni(name: &'static str, params: &'static [(&'static str, ArgShape)]) -> Distribution {
    Distribution { name, variate: ArgShape::Reals, params, discrete: false, multivariate: false }
}

const fn disc(name: &'static str, params: &'static [(&'static str, ArgShape)]) -> Distribution {
    Distribution { name, variate: ArgShape::Ints, params, discrete: true, multivariate: false }
}

use ArgShape::{Ints, Matrix, Real, Reals, Vectors};

/// Every distribution of LANGUAGE.md.
pub const DISTRIBUTIONS: &[Distribution] = &[
    uni("normal", &[("mu", Reals), ("sigma", Reals)]),
    uni("std_normal", &[]),
    uni("student_t", &[("nu", Reals), ("mu", Reals), ("sigma", Reals)]),
    uni("cauchy", &[("mu", Reals), ("sigma", Reals)]),
    uni("double_exponential", &[("mu", Reals), ("sigma", Reals)]),
    uni("skew_double_exponential", &[("mu", Reals), ("sigma", Reals), ("tau", Reals)]),
    uni("logistic", &[("mu", Reals), ("sigma", Reals)]),
    uni("lognormal", &[("mu", Reals), ("sigma", Reals)]),
    uni("exponential", &[("beta", Reals)]),
    uni("gamma", &[("alpha", Reals), ("beta", Reals)]),
    uni("inv_gamma", &[("alpha", Reals), ("beta", Reals)]),
    uni("weibull", &[("alpha", Reals), ("sigma", Reals)]),
    uni("gumbel", &[("mu", Reals), ("beta", Reals)]),
    uni("rayleigh", &[("sigma", Reals)]),
    uni("skew_normal", &[("xi", Reals), ("omega", Reals), ("alpha", Reals)]),
    uni("exp_mod_normal", &[("mu", Reals), ("sigma", Reals), ("lambda", Reals)]),
    uni("pareto", &[("y_min", Reals), ("alpha", Reals)]),
    uni("pareto_type_2", &[("mu", Reals), ("lambda", Reals), ("alpha", Reals)]),
    uni("frechet", &[("alpha", Reals), ("sigma", Reals)]),
    uni("loglogistic", &[("alpha", Reals), ("beta", Reals)]),
    uni("chi_square", &[("nu", Reals)]),
    uni("inv_chi_square", &[("nu", Reals)]),
    uni("scaled_inv_chi_square", &[("nu", Reals), ("s", Reals)]),
    uni("von_mises", &[("mu", Reals), ("kappa", Reals)]),
    uni("wiener", &[("alpha", Reals), ("tau", Reals), ("beta", Reals), ("delta", Reals)]),
    // Stan's five- and seven-argument `wiener`, under names of their own
    // for the lowering (`hbm_wiener_sv_lpdf`, ...); see [`ARITY_FORMS`].
    uni("wiener_sv", &[("a", Reals), ("t0", Reals), ("w", Reals), ("v", Reals), ("sv", Reals)]),
    uni("wiener_full", &[("a", Reals), ("t0", Reals), ("w", Reals), ("v", Reals), ("sv", Reals), ("sw", Reals), ("st0", Reals)]),
    uni("beta", &[("alpha", Reals), ("beta", Reals)]),
    uni("beta_proportion", &[("mu", Reals), ("kappa", Reals)]),
    uni("uniform", &[("alpha", Reals), ("beta", Reals)]),
    disc("bernoulli", &[("theta", Reals)]),
    disc("bernoulli_logit", &[("alpha", Reals)]),
    disc("binomial", &[("N", Ints), ("theta", Reals)]),
    disc("binomial_logit", &[("N", Ints), ("alpha", Reals)]),
    disc("poisson", &[("lambda", Reals)]),
    disc("poisson_log", &[("alpha", Reals)]),
    disc("neg_binomial_2", &[("mu", Reals), ("phi", Reals)]),
    disc("neg_binomial_2_log", &[("eta", Reals), ("phi", Reals)]),
    disc("beta_binomial", &[("N", Ints), ("alpha", Reals), ("beta", Reals)]),
    disc("neg_binomial", &[("alpha", Reals), ("beta", Reals)]),
    disc("beta_neg_binomial", &[("r", Reals), ("alpha", Reals), ("beta", Reals)]),
    disc("discrete_range", &[("lower", Ints), ("upper", Ints)]),
    disc("hypergeometric", &[("N", Ints), ("a", Ints), ("b", Ints)]),
    Distribution { name: "multi_normal", variate: Vectors, params: &[("mu", Vectors), ("Sigma", Matrix)], discrete: false, multivariate: true },
    Distribution { name: "multi_normal_prec", variate: Vectors, params: &[("mu", Vectors), ("Omega", Matrix)], discrete: false, multivariate: true },
    Distribution { name: "multi_normal_cholesky", variate: Vectors, params: &[("mu", Vectors), ("L", Matrix)], discrete: false, multivariate: true },
    Distribution { name: "multi_student_t", variate: Vectors, params: &[("nu", Real), ("mu", Vectors), ("Sigma", Matrix)], discrete: false, multivariate: true },
    Distribution { name: "multi_student_t_cholesky", variate: Vectors, params: &[("nu", Real), ("mu", Vectors), ("L", Matrix)], discrete: false, multivariate: true },
    Distribution { name: "lkj_corr_cholesky", variate: Matrix, params: &[("eta", Real)], discrete: false, multivariate: true },
    Distribution { name: "lkj_corr", variate: Matrix, params: &[("eta", Real)], discrete: false, multivariate: true },
    Distribution { name: "dirichlet", variate: Vectors, params: &[("alpha", Vectors)], discrete: false, multivariate: true },
    Distribution { name: "categorical", variate: Ints, params: &[("theta", Vectors)], discrete: true, multivariate: true },
    Distribution { name: "categorical_logit", variate: Ints, params: &[("beta", Vectors)], discrete: true, multivariate: true },
    Distribution { name: "ordered_logistic", variate: Ints, params: &[("eta", Reals), ("c", Vectors)], discrete: true, multivariate: true },
    Distribution { name: "ordered_probit", variate: Ints, params: &[("eta", Reals), ("c", Vectors)], discrete: true, multivariate: true },
    Distribution { name: "multinomial", variate: Ints, params: &[("theta", Vectors)], discrete: true, multivariate: true },
    Distribution { name: "dirichlet_multinomial", variate: Ints, params: &[("alpha", Vectors)], discrete: true, multivariate: true },
    Distribution { name: "multinomial_logit", variate: Ints, params: &[("gamma", Vectors)], discrete: true, multivariate: true },
    Distribution { name: "poisson_binomial", variate: Ints, params: &[("theta", Vectors)], discrete: true, multivariate: true },
    Distribution { name: "wishart", variate: Matrix, params: &[("nu", Real), ("Sigma", Matrix)], discrete: false, multivariate: true },
    Distribution { name: "inv_wishart", variate: Matrix, params: &[("nu", Real), ("Sigma", Matrix)], discrete: false, multivariate: true },
    Distribution { name: "wishart_cholesky", variate: Matrix, params: &[("nu", Real), ("L_S", Matrix)], discrete: false, multivariate: true },
    Distribution { name: "inv_wishart_cholesky", variate: Matrix, params: &[("nu", Real), ("L_S", Matrix)], discrete: false, multivariate: true },
    Distribution { name: "lkj_cov", variate: Matrix, params: &[("mu", Reals), ("sigma", Reals), ("eta", Real)], discrete: false, multivariate: true },
    Distribution { name: "multi_gp", variate: Matrix, params: &[("Sigma", Matrix), ("w", Vectors)], discrete: false, multivariate: true },
    Distribution { name: "multi_gp_cholesky", variate: Matrix, params: &[("L", Matrix), ("w", Vectors)], discrete: false, multivariate: true },
];

/// The distributions with a log cdf and log ccdf (`_lcdf`, `_lccdf`,
/// `_cdf`): the ones a `~` may truncate with `T[a, b]`.
pub const WITH_CDF: &[&str] = &[
    "normal", "std_normal", "cauchy", "logistic", "double_exponential", "lognormal", "exponential", "weibull",
    "uniform", "poisson", "gamma", "inv_gamma", "gumbel", "rayleigh", "skew_normal", "exp_mod_normal", "pareto",
    "pareto_type_2", "frechet", "loglogistic", "chi_square", "inv_chi_square", "scaled_inv_chi_square",
    "beta", "student_t", "binomial", "neg_binomial_2", "neg_binomial", "beta_neg_binomial", "beta_proportion",
    "bernoulli", "beta_binomial", "discrete_range", "skew_double_exponential", "von_mises", "poisson_binomial",
];

/// The univariate distributions for which Stan itself defines no
/// `_lcdf`/`_lccdf`/`_cdf` (Stan Functions Reference): their E3014 says so
/// rather than "not yet".
pub const STAN_HAS_NO_CDF: &[&str] =
    &["bernoulli_logit", "binomial_logit", "poisson_log", "neg_binomial_2_log", "hypergeometric"];

/// Whether `dist` has `_lcdf`/`_lccdf` (see [`WITH_CDF`]).
pub fn has_cdf(dist: &str) -> bool {
    WITH_CDF.contains(&dist)
}

/// The distribution with this name (internal names included: the
/// lowering looks the forms of [`ARITY_FORMS`] up by them).
pub fn distribution(name: &str) -> Option<&'static Distribution> {
    DISTRIBUTIONS.iter().find(|d| d.name == name)
}

/// Stan distributions whose name takes more parameter lists than one:
/// (the name, a count of parameters, the internal distribution of that
/// form). A program writes the name; the checker swaps in the form.
pub const ARITY_FORMS: &[(&str, usize, &str)] = &[("wiener", 5, "wiener_sv"), ("wiener", 7, "wiener_full")];

/// The form of `name` that takes `count` parameters, when it has one
/// other than its table entry.
pub fn arity_form(name: &str, count: usize) -> Option<&'static Distribution> {
    ARITY_FORMS.iter().find(|(n, c, _)| *n == name && *c == count).and_then(|(_, _, form)| distribution(form))
}

/// Whether `name` is an internal form of [`ARITY_FORMS`], which programs
/// may not write.
pub fn is_internal_form(name: &str) -> bool {
    ARITY_FORMS.iter().any(|(_, _, form)| *form == name)
}

/// The name a program writes for the distribution `name`.
pub fn written_name(name: &str) -> &str {
    ARITY_FORMS.iter().find(|(_, _, form)| *form == name).map_or(name, |(n, _, _)| n)
}

/// The distributions a program may name, for suggestions.
pub fn written_distributions() -> impl Iterator<Item = &'static str> {
    DISTRIBUTIONS.iter().map(|d| d.name).filter(|n| !is_internal_form(n))
}

/// How a call's name splits into a distribution and a suffix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DensitySuffix {
    Lpdf,
    Lupdf,
    Lpmf,
    Lupmf,
    Rng,
    /// `_lcdf`: ln P(Y <= y).
    Lcdf,
    /// `_lccdf`: ln P(Y > y).
    Lccdf,
    /// `_cdf`: P(Y <= y).
    Cdf,
}

impl DensitySuffix {
    /// The suffix as written, with its underscore.
    pub fn text(self) -> &'static str {
        match self {
            DensitySuffix::Lpdf => "_lpdf",
            DensitySuffix::Lupdf => "_lupdf",
            DensitySuffix::Lpmf => "_lpmf",
            DensitySuffix::Lupmf => "_lupmf",
            DensitySuffix::Rng => "_rng",
            DensitySuffix::Lcdf => "_lcdf",
            DensitySuffix::Lccdf => "_lccdf",
            DensitySuffix::Cdf => "_cdf",
        }
    }

    /// Whether the suffix names a cumulative distribution function.
    pub fn is_cdf(self) -> bool {
        matches!(self, DensitySuffix::Lcdf | DensitySuffix::Lccdf | DensitySuffix::Cdf)
    }
}

/// Splits `normal_lpdf` into (`normal`, Lpdf), when the base is a distribution.
pub fn split_density_name(name: &str) -> Option<(&'static Distribution, DensitySuffix)> {
    use DensitySuffix::*;
    for suffix in [Lupdf, Lupmf, Lpdf, Lpmf, Rng, Lcdf, Lccdf, Cdf] {
        if let Some(base) = name.strip_suffix(suffix.text()) {
            return distribution(base).map(|d| (d, suffix));
        }
    }
    None
}

/// [`split_density_name`] of a name a program wrote: without the internal
/// forms of [`ARITY_FORMS`].
pub fn split_written_density_name(name: &str) -> Option<(&'static Distribution, DensitySuffix)> {
    split_density_name(name).filter(|(d, _)| !is_internal_form(d.name))
}

/// Why a call does not type.
#[derive(Clone, Debug, PartialEq)]
pub enum CallError {
    /// No function of this name.
    Unknown,
    /// The function exists; these are its signatures, in words.
    Mismatch(&'static str),
}

fn is_vector_like(t: &Type) -> bool {
    t.array.is_empty() && matches!(t.elem, ElemType::Vector(_) | ElemType::RowVector(_))
        || (t.array.len() == 1 && t.elem.is_scalar())
}

/// Whether `t` is a vector or a row vector.
fn is_vector(t: &Type) -> bool {
    t.array.is_empty() && matches!(t.elem, ElemType::Vector(_) | ElemType::RowVector(_))
}

/// Whether `t` is a column vector (not an array).
fn is_plain_vector(t: &Type) -> bool {
    t.array.is_empty() && matches!(t.elem, ElemType::Vector(_))
}

/// The one axis of a vector-like value.
fn vector_axis(t: &Type) -> Axis {
    t.axes().first().copied().unwrap_or(Axis::Anon)
}

/// The axis a size argument gives: its dim when it names one.
fn size_axis(arg: &TypedExpr) -> Axis {
    match arg.kind {
        TypedExprKind::DimSize(d) => Axis::Dim(d),
        _ => Axis::Anon,
    }
}

/// Every function [`resolve_function`] knows besides the two elementwise
/// families, for "did you mean" suggestions (a unit test keeps it in step).
pub const OTHER_FUNCTIONS: &[&str] = &[
    "abs", "min", "max", "sum", "prod", "mean", "sd", "variance", "log_sum_exp", "dot_self", "norm1",
    "norm2", "log_mix", "inc_beta", "inv_inc_beta", "size", "num_elements", "rows", "cols", "dot_product", "rows_dot_product",
    "columns_dot_product", "rep_vector", "rep_row_vector", "rep_matrix", "rep_array", "to_vector",
    "to_row_vector", "to_array_1d", "to_matrix", "to_int", "cumulative_sum", "segment", "head", "tail",
    "reverse", "diag_matrix", "diagonal", "col", "row", "block", "append_row", "append_col", "softmax",
    "log_softmax", "diag_pre_multiply", "diag_post_multiply", "multiply_lower_tri_self_transpose",
    "tcrossprod", "crossprod", "cholesky_decompose", "inverse", "inverse_spd", "chol2inv", "log_determinant", "log_determinant_spd",
    "determinant", "trace", "transpose", "non_centered", "non_centered_mvn", "add", "subtract",
    "elt_multiply", "elt_divide", "multiply", "is_inf", "is_nan", "int_step", "choose", "e", "pi",
    "sqrt2", "not_a_number", "positive_infinity", "negative_infinity", "machine_precision", "sub_col", "sub_row",
    "quad_form_diag", "add_diag", "gp_exp_quad_cov", "cov_exp_quad", "quad_form", "quad_form_sym", "trace_quad_form", "trace_gen_quad_form", "gp_dot_prod_cov", "matrix_power",
    "mdivide_left_tri_low", "mdivide_right_tri_low", "linspaced_vector", "linspaced_row_vector", "linspaced_array",
    "one_hot_vector", "one_hot_row_vector", "one_hot_array", "one_hot_int_array", "zeros_vector", "zeros_row_vector",
    "zeros_array", "zeros_int_array", "ones_vector", "ones_row_vector", "ones_array", "ones_int_array", "uniform_simplex",
    "fma", "lmgamma", "rank", "sort_asc", "sort_desc", "eigenvalues_sym", "eigenvectors_sym", "dims",
    "sort_indices_asc", "sort_indices_desc", "linspaced_int_array", "identity_matrix", "rows_dot_self",
    "columns_dot_self", "squared_distance", "distance", "gp_exponential_cov", "gp_matern32_cov", "gp_matern52_cov",
    "gp_periodic_cov", "symmetrize_from_lower_tri", "to_array_2d", "mdivide_left_spd", "mdivide_right_spd", "mdivide_left", "mdivide_right",
    "matrix_exp", "matrix_exp_multiply", "scale_matrix_exp_multiply", "hmm_marginal", "hmm_hidden_state_prob",
    "hmm_latent_rng", "qr_thin_Q", "qr_thin_R", "qr_Q", "qr_R", "singular_values", "svd_U", "svd_V",
    "generalized_inverse", "quantile", "csr_matrix_times_vector", "csr_to_dense_matrix", "csr_extract_w", "csr_extract_v", "csr_extract_u",
];

/// Every function name (densities and `_rng`s aside).
pub fn function_names() -> impl Iterator<Item = &'static str> {
    UNARY_MATH.iter().chain(BINARY_MATH).chain(OTHER_FUNCTIONS).chain(super::complex::COMPLEX_FUNCTIONS).copied()
}

/// The result type of calling the non-density function `name` with `args`.
pub fn resolve_function(name: &str, args: &[TypedExpr]) -> Result<Type, CallError> {
    let tys: Vec<&Type> = args.iter().map(|a| &a.ty).collect();
    let n = tys.len();
    let all_scalar = tys.iter().all(|t| t.is_scalar());
    let mismatch = |sig: &'static str| Err(CallError::Mismatch(sig));
    if let Some(result) = super::complex::resolve(name, &tys) {
        return result;
    }
    if name == PROMOTE_TO_REAL {
        return match tys.as_slice() {
            [t] if t.is_int_valued() => Ok(t.promoted()),
            _ => mismatch("promotes an int container to real"),
        };
    }
    if UNARY_MATH.contains(&name) {
        return match tys.as_slice() {
            [t] => Ok(t.promoted()),
            _ => mismatch("f(T) -> T for int, real, vector, row_vector, matrix or an array of them (int becomes real)"),
        };
    }
    if INT_FIRST_BINARY_MATH.contains(&name) && !tys.first().is_some_and(|t| t.is_int_valued()) {
        return mismatch("f(int n, real x) -> real, and elementwise with containers of matching dims (n an int or int array)");
    }
    if INT_SECOND_BINARY_MATH.contains(&name) && !tys.get(1).is_some_and(|t| t.is_int_valued()) {
        return mismatch("f(real x, int n) -> real, and elementwise with containers of matching dims (n an int or int array)");
    }
    if BINARY_MATH.contains(&name) {
        return match tys.as_slice() {
            [a, b] if a.is_scalar() && b.is_scalar() => Ok(Type::real()),
            [a, b] => match elementwise_pair(a, b) {
                Some(t) => Ok(t),
                None => mismatch("f(real, real) -> real, and elementwise with containers of matching dims"),
            },
            _ => mismatch("f(real, real) -> real, and elementwise with containers of matching dims"),
        };
    }
    let sig = |s: &'static str| s;
    match name {
        "abs" => match tys.as_slice() {
            [t] if t.is_int_valued() => Ok((*t).clone()),
            [t] => Ok(t.promoted()),
            _ => mismatch(sig("abs(T) -> T")),
        },
        "min" | "max" => match tys.as_slice() {
            [a, b] if all_scalar => Ok(if a.is_int_valued() && b.is_int_valued() { Type::int() } else { Type::real() }),
            [t] if !t.is_scalar() => Ok(Type::scalar_or_elem(if t.is_int_valued() { ElemType::INT } else { ElemType::Real })),
            _ => mismatch("min(int, int) -> int, min(real, real) -> real, min(container) -> element"),
        },
        "sum" | "prod" => match tys.as_slice() {
            [t] if t.array.len() <= 1 && t.is_int_valued() && !t.is_scalar() => Ok(Type::int()),
            [t] if !t.is_scalar() && (t.array.len() <= 1) => Ok(Type::real()),
            [t] if t.is_scalar() => Ok((*t).clone()),
            _ => mismatch("sum(container) -> real (int for an int array)"),
        },
        "mean" | "sd" | "variance" | "log_sum_exp" | "dot_self" | "norm1" | "norm2" => match tys.as_slice() {
            [t] if !t.is_scalar() && t.array.len() <= 1 && (name != "dot_self" || is_vector_like(t)) => Ok(Type::real()),
            [a, b] if name == "log_sum_exp" && a.is_scalar() && b.is_scalar() => Ok(Type::real()),
            // Stan Math's elementwise form of two containers (or one and a real).
            [a, b] if name == "log_sum_exp" => elementwise_pair(a, b).ok_or(CallError::Mismatch(
                "log_sum_exp(container) -> real; log_sum_exp(a, b) -> real, and elementwise with containers of matching dims",
            )),
            _ => mismatch("f(vector | row_vector | matrix | array[] real) -> real"),
        },
        "log_mix" => match tys.as_slice() {
            [a, b, c] if a.is_scalar() && b.is_scalar() && c.is_scalar() => Ok(Type::real()),
            // Stan's log_mix(T1 theta, T2 lp) and log_mix(T1 theta, array[] T2 lp).
            [theta, lp] if is_vector_like(theta) && (is_vector_like(lp) || (lp.array.len() == 1 && matches!(lp.elem, ElemType::Vector(_) | ElemType::RowVector(_)))) => {
                Ok(Type::real())
            }
            _ => mismatch("log_mix(real theta, real lp1, real lp2) -> real; log_mix(T1 theta, T2 lp) -> real and log_mix(T1 theta, array[] T3 lp) -> real, T1 and T2 vector, row_vector or array[] real, T3 vector or row_vector"),
        },
        "hmm_marginal" | "hmm_hidden_state_prob" | "hmm_latent_rng" => {
            let sig = "hmm_marginal(matrix[K, N] log_omega, matrix[K, K] Gamma, vector[K] rho) -> real (also hmm_hidden_state_prob -> matrix[K, N], hmm_latent_rng -> array[N] int)";
            let [lo, g, rho] = tys.as_slice() else { return mismatch(sig) };
            if !(lo.array.is_empty() && g.array.is_empty() && rho.array.is_empty()) {
                return mismatch(sig);
            }
            match (lo.elem, g.elem, rho.elem) {
                (ElemType::Matrix(k, n), ElemType::Matrix(r, c), ElemType::Vector(v))
                    if k.compatible(r) && r.compatible(c) && k.compatible(v) =>
                {
                    Ok(match name {
                        "hmm_marginal" => Type::real(),
                        "hmm_hidden_state_prob" => Type::matrix(k, n),
                        _ => Type::array_of(vec![n], ElemType::INT),
                    })
                }
                _ => mismatch(sig),
            }
        }
        "inc_beta" | "inv_inc_beta" => match tys.as_slice() {
            [a, b, c] if a.is_scalar() && b.is_scalar() && c.is_scalar() => Ok(Type::real()),
            _ => mismatch("inc_beta(real a, real b, real x) -> real; inv_inc_beta(real a, real b, real p) -> real, the x with inc_beta(a, b, x) = p"),
        },
        "size" => match tys.as_slice() {
            [t] if !t.is_scalar() => Ok(Type::int()),
            // `size(grade)`: the number of members of a dim.
            [_] if matches!(args[0].kind, TypedExprKind::DimSize(_)) => Ok(Type::int()),
            _ => mismatch("size(array or vector) -> int"),
        },
        "num_elements" => match tys.as_slice() {
            [t] if !t.is_scalar() => Ok(Type::int()),
            _ => mismatch("num_elements(container) -> int"),
        },
        "rows" | "cols" => match tys.as_slice() {
            [t] if t.array.is_empty() && !t.elem.is_scalar() => Ok(Type::int()),
            _ => mismatch("rows(vector | row_vector | matrix) -> int"),
        },
        "dot_product" => match tys.as_slice() {
            [a, b] if is_vector_like(a) && is_vector_like(b) && vector_axis(a).compatible(vector_axis(b)) => Ok(Type::real()),
            _ => mismatch("dot_product(vector, vector) -> real (row vectors and 1-D arrays too; same dim)"),
        },
        "rows_dot_product" | "columns_dot_product" => match tys.as_slice() {
            [a, b] if a.array.is_empty() && b.array.is_empty() && (a.elem == b.elem.erase_dims() || a.accepts(b)) => {
                match (name, a.elem) {
                    ("rows_dot_product", ElemType::Matrix(r, _)) => Ok(Type::vector(r)),
                    ("columns_dot_product", ElemType::Matrix(_, c)) => Ok(Type::row_vector(c)),
                    // A vector's rows are its elements (one product each);
                    // a row vector is one row (one element: the dot product).
                    ("rows_dot_product", ElemType::Vector(n)) => Ok(Type::vector(n)),
                    ("rows_dot_product", ElemType::RowVector(_)) => Ok(Type::vector(Axis::Anon)),
                    ("columns_dot_product", ElemType::RowVector(n)) => Ok(Type::row_vector(n)),
                    ("columns_dot_product", ElemType::Vector(_)) => Ok(Type::row_vector(Axis::Anon)),
                    _ => mismatch("rows_dot_product(matrix, matrix) -> vector"),
                }
            }
            _ => mismatch("rows_dot_product(matrix, matrix) -> vector; columns_dot_product(matrix, matrix) -> row_vector"),
        },
        "rep_vector" | "rep_row_vector" => match tys.as_slice() {
            [x, k] if x.is_scalar() && k.is_int_scalar() => {
                let a = size_axis(&args[1]);
                Ok(if name == "rep_vector" { Type::vector(a) } else { Type::row_vector(a) })
            }
            _ => mismatch("rep_vector(real x, int n) -> vector[n]"),
        },
        "rep_matrix" => match tys.as_slice() {
            [x, m, k] if x.is_scalar() && m.is_int_scalar() && k.is_int_scalar() => {
                Ok(Type::matrix(size_axis(&args[1]), size_axis(&args[2])))
            }
            [v, k] if v.array.is_empty() && k.is_int_scalar() => match v.elem {
                ElemType::Vector(a) => Ok(Type::matrix(a, size_axis(&args[1]))),
                ElemType::RowVector(b) => Ok(Type::matrix(size_axis(&args[1]), b)),
                _ => mismatch("rep_matrix(real, int m, int n), rep_matrix(vector[m], int n), rep_matrix(row_vector[n], int m)"),
            },
            _ => mismatch("rep_matrix(real, int m, int n), rep_matrix(vector[m], int n), rep_matrix(row_vector[n], int m)"),
        },
        "rep_array" => {
            if n >= 2 && n <= 4 && tys[1..].iter().all(|t| t.is_int_scalar()) {
                let mut array: Vec<Axis> = args[1..].iter().map(size_axis).collect();
                array.extend(tys[0].array.iter().copied());
                Ok(Type::array_of(array, tys[0].elem))
            } else {
                mismatch("rep_array(T x, int n) -> array[n] T (up to 3 sizes)")
            }
        }
        "to_vector" | "to_row_vector" => match tys.as_slice() {
            [t] if !t.is_scalar() && t.array.len() <= 1 => {
                let axes = t.axes();
                let a = if axes.len() == 1 { axes[0] } else { Axis::Anon };
                Ok(if name == "to_vector" { Type::vector(a) } else { Type::row_vector(a) })
            }
            _ => mismatch("to_vector(vector | row_vector | matrix | array[] real | array[] int) -> vector"),
        },
        "to_array_1d" => match tys.as_slice() {
            [t] if !t.is_scalar() => {
                let axes = t.axes();
                let a = if axes.len() == 1 { axes[0] } else { Axis::Anon };
                Ok(Type::array_of(vec![a], if t.is_int_valued() { ElemType::INT } else { ElemType::Real }))
            }
            _ => mismatch("to_array_1d(container) -> array[] real"),
        },
        "to_matrix" => match tys.as_slice() {
            [t] if t.array.is_empty() && !t.elem.is_scalar() => Ok(match t.elem {
                ElemType::Matrix(..) => (*t).clone(),
                ElemType::Vector(a) => Type::matrix(a, Axis::Anon),
                _ => Type::matrix(Axis::Anon, vector_axis(t)),
            }),
            // A 2-D array of reals or ints: its rows and columns.
            [t] if t.array.len() == 2 && t.elem.is_scalar() => Ok(Type::matrix(t.array[0], t.array[1])),
            [t, m, k] if !t.is_scalar() && m.is_int_scalar() && k.is_int_scalar() => {
                Ok(Type::matrix(size_axis(&args[1]), size_axis(&args[2])))
            }
            [t, m, k, c] if !t.is_scalar() && m.is_int_scalar() && k.is_int_scalar() && c.is_int_scalar() => {
                Ok(Type::matrix(size_axis(&args[1]), size_axis(&args[2])))
            }
            _ => mismatch("to_matrix(matrix | vector | row_vector | array[,] real | array[,] int), to_matrix(container, int m, int n), to_matrix(container, int m, int n, int col_major)"),
        },
        "to_int" => match tys.as_slice() {
            [t] if t.is_scalar() => Ok(Type::int()),
            _ => mismatch("to_int(real) -> int"),
        },
        "cumulative_sum" => match tys.as_slice() {
            [t] if is_vector_like(t) => Ok((*t).clone()),
            _ => mismatch("cumulative_sum(vector | row_vector | array[] real | array[] int) -> same"),
        },
        "segment" => match tys.as_slice() {
            [t, i, k] if !t.is_scalar() && is_vector_like(t) && i.is_int_scalar() && k.is_int_scalar() => Ok(anon_first(t)),
            _ => mismatch("segment(vector v, int start, int n) -> vector (also row vectors and arrays)"),
        },
        "head" | "tail" => match tys.as_slice() {
            [t, k] if is_vector_like(t) && k.is_int_scalar() => Ok(anon_first(t)),
            _ => mismatch("head(vector v, int n) -> vector (also row vectors and arrays)"),
        },
        "reverse" => match tys.as_slice() {
            [t] if is_vector_like(t) => Ok((*t).clone()),
            _ => mismatch("reverse(vector | row_vector | array[] T) -> same"),
        },
        "diag_matrix" => match tys.as_slice() {
            [t] if t.array.is_empty() && matches!(t.elem, ElemType::Vector(_)) => {
                let a = vector_axis(t);
                Ok(Type::matrix(a, a))
            }
            _ => mismatch("diag_matrix(vector[K]) -> matrix[K, K]"),
        },
        "diagonal" => match tys.as_slice() {
            [t] if t.array.is_empty() => match t.elem {
                ElemType::Matrix(r, c) if r.compatible(c) => Ok(Type::vector(r.meet(c))),
                _ => mismatch("diagonal(matrix) -> vector"),
            },
            _ => mismatch("diagonal(matrix) -> vector"),
        },
        "col" | "row" => match tys.as_slice() {
            [m, k] if m.array.is_empty() && k.is_int_scalar() => match m.elem {
                ElemType::Matrix(r, c) => Ok(if name == "col" { Type::vector(r) } else { Type::row_vector(c) }),
                _ => mismatch("col(matrix, int) -> vector; row(matrix, int) -> row_vector"),
            },
            _ => mismatch("col(matrix, int) -> vector; row(matrix, int) -> row_vector"),
        },
        "block" => match tys.as_slice() {
            [m, a, b, c, d] if matches!(m.elem, ElemType::Matrix(..)) && m.array.is_empty()
                && [a, b, c, d].iter().all(|t| t.is_int_scalar()) => Ok(Type::matrix(Axis::Anon, Axis::Anon)),
            _ => mismatch("block(matrix, int i, int j, int n_rows, int n_cols) -> matrix"),
        },
        "append_row" => append(tys.as_slice(), true).ok_or(CallError::Mismatch(
            "append_row(vector|real, vector|real) -> vector; append_row(matrix|row_vector, matrix|row_vector) -> matrix",
        )),
        "append_col" => append(tys.as_slice(), false).ok_or(CallError::Mismatch(
            "append_col(row_vector|real, row_vector|real) -> row_vector; append_col(matrix|vector, matrix|vector) -> matrix",
        )),
        "softmax" | "log_softmax" => match tys.as_slice() {
            [t] if t.array.is_empty() && matches!(t.elem, ElemType::Vector(_)) => Ok((*t).clone()),
            _ => mismatch("softmax(vector) -> vector"),
        },
        "diag_pre_multiply" => match tys.as_slice() {
            [v, m] if is_vector_like(v) && v.array.is_empty() => match m.elem {
                ElemType::Matrix(r, c) if m.array.is_empty() && vector_axis(v).compatible(r) => Ok(Type::matrix(r.meet(vector_axis(v)), c)),
                _ => mismatch("diag_pre_multiply(vector[K], matrix[K, N]) -> matrix[K, N]"),
            },
            _ => mismatch("diag_pre_multiply(vector[K], matrix[K, N]) -> matrix[K, N]"),
        },
        "diag_post_multiply" => match tys.as_slice() {
            [m, v] if is_vector_like(v) && v.array.is_empty() => match m.elem {
                ElemType::Matrix(r, c) if m.array.is_empty() && vector_axis(v).compatible(c) => Ok(Type::matrix(r, c.meet(vector_axis(v)))),
                _ => mismatch("diag_post_multiply(matrix[N, K], vector[K]) -> matrix[N, K]"),
            },
            _ => mismatch("diag_post_multiply(matrix[N, K], vector[K]) -> matrix[N, K]"),
        },
        "multiply_lower_tri_self_transpose" | "tcrossprod" => match tys.as_slice() {
            [m] if m.array.is_empty() => match m.elem {
                ElemType::Matrix(r, _) => Ok(Type::matrix(r, r)),
                _ => mismatch("multiply_lower_tri_self_transpose(matrix[K, N]) -> matrix[K, K]"),
            },
            _ => mismatch("multiply_lower_tri_self_transpose(matrix[K, N]) -> matrix[K, K]"),
        },
        "crossprod" => match tys.as_slice() {
            [m] if m.array.is_empty() => match m.elem {
                ElemType::Matrix(_, c) => Ok(Type::matrix(c, c)),
                _ => mismatch("crossprod(matrix[N, K]) -> matrix[K, K]"),
            },
            _ => mismatch("crossprod(matrix[N, K]) -> matrix[K, K]"),
        },
        "cholesky_decompose" | "inverse" | "inverse_spd" | "chol2inv" | "matrix_exp" => match tys.as_slice() {
            [m] if m.array.is_empty() => match m.elem {
                ElemType::Matrix(r, c) if r.compatible(c) => Ok((*m).clone()),
                _ => mismatch("cholesky_decompose(matrix[K, K]) -> matrix[K, K]"),
            },
            _ => mismatch("cholesky_decompose(matrix[K, K]) -> matrix[K, K]"),
        },
        "log_determinant" | "log_determinant_spd" | "determinant" | "trace" => match tys.as_slice() {
            [m] if m.array.is_empty() && matches!(m.elem, ElemType::Matrix(..)) => Ok(Type::real()),
            _ => mismatch("log_determinant(matrix) -> real"),
        },
        "transpose" => match tys.as_slice() {
            [t] => transpose(t).ok_or(CallError::Mismatch("transpose(vector | row_vector | matrix)")),
            _ => mismatch("transpose(vector | row_vector | matrix)"),
        },
        "non_centered" => match tys.as_slice() {
            [mu, sigma, z] => {
                let scaled = elementwise_pair(sigma, z);
                match scaled.and_then(|s| elementwise_pair(mu, &s)) {
                    Some(t) => Ok(t),
                    None => mismatch("non_centered(mu, sigma, z) = mu + sigma .* z, with mu, sigma and z reals, vectors or matrices whose dims align by name"),
                }
            }
            _ => mismatch("non_centered(mu, sigma, z) = mu + sigma .* z"),
        },
        "non_centered_mvn" => match tys.as_slice() {
            [mu, tau, l, z] if [mu, tau, l, z].iter().all(|t| t.array.is_empty()) => {
                match (mu.elem, tau.elem, l.elem, z.elem) {
                    (ElemType::Vector(a), ElemType::Vector(b), ElemType::Matrix(r, c), ElemType::Vector(k) | ElemType::Matrix(k, _))
                        if a.compatible(b) && b.compatible(r) && r.compatible(c) && c.compatible(k) => Ok(match z.elem {
                            ElemType::Matrix(_, g) => Type::matrix(a.meet(r), g),
                            _ => Type::vector(a.meet(r)),
                        }),
                    _ => mismatch("non_centered_mvn(vector[K] mu, vector[K] tau, matrix[K, K] L, vector[K] | matrix[K, G] z) = mu + diag_pre_multiply(tau, L) * z"),
                }
            }
            _ => mismatch("non_centered_mvn(vector[K] mu, vector[K] tau, matrix[K, K] L, vector[K] | matrix[K, G] z)"),
        },
        "add" | "subtract" | "elt_multiply" | "elt_divide" => match tys.as_slice() {
            [a, b] => elementwise_pair(a, b).ok_or(CallError::Mismatch("f(T, T) -> T elementwise")),
            _ => mismatch("f(T, T) -> T elementwise"),
        },
        "multiply" => match tys.as_slice() {
            [a, b] => multiply(a, b).ok_or(CallError::Mismatch("multiply(a, b) as `a * b`")),
            _ => mismatch("multiply(a, b) as `a * b`"),
        },
        "is_inf" | "is_nan" => match tys.as_slice() {
            [t] if t.is_scalar() => Ok(Type::int()),
            _ => mismatch("is_inf(real) -> int"),
        },
        "int_step" => match tys.as_slice() {
            [t] if t.is_scalar() => Ok(Type::int()),
            _ => mismatch("int_step(real) -> int"),
        },
        "choose" => match tys.as_slice() {
            [a, b] if a.is_int_scalar() && b.is_int_scalar() => Ok(Type::int()),
            _ => mismatch("choose(int, int) -> int"),
        },
        "linspaced_vector" | "linspaced_row_vector" | "linspaced_array" => match tys.as_slice() {
            [n, lo, hi] if n.is_int_scalar() && lo.is_scalar() && hi.is_scalar() => Ok(sized(name, size_axis(&args[0]))),
            _ => mismatch("linspaced_vector(int n, real low, real high) -> vector[n] (also _row_vector, _array)"),
        },
        "linspaced_int_array" => match tys.as_slice() {
            [n, lo, hi] if n.is_int_scalar() && lo.is_int_scalar() && hi.is_int_scalar() => Ok(sized(name, size_axis(&args[0]))),
            _ => mismatch("linspaced_int_array(int n, int low, int high) -> array[n] int"),
        },
        "symmetrize_from_lower_tri" => match tys.as_slice() {
            [m] if m.array.is_empty() && matches!(m.elem, ElemType::Matrix(..)) => Ok((*m).clone()),
            _ => mismatch("symmetrize_from_lower_tri(matrix[N, N]) -> matrix[N, N]"),
        },
        "to_array_2d" => match tys.as_slice() {
            [m] if m.array.is_empty() => match m.elem {
                ElemType::Matrix(r, c) => Ok(Type::array_of(vec![r, c], ElemType::Real)),
                _ => mismatch("to_array_2d(matrix[M, N]) -> array[M, N] real"),
            },
            _ => mismatch("to_array_2d(matrix[M, N]) -> array[M, N] real"),
        },
        "matrix_power" => match tys.as_slice() {
            [m, n] if m.array.is_empty() && n.is_int_scalar() => match m.elem {
                ElemType::Matrix(r, c) if r.compatible(c) => Ok((*m).clone()),
                _ => mismatch("matrix_power(matrix[K, K] A, int n) -> matrix[K, K]"),
            },
            _ => mismatch("matrix_power(matrix[K, K] A, int n) -> matrix[K, K]"),
        },
        "identity_matrix" => match tys.as_slice() {
            [n] if n.is_int_scalar() => {
                let a = size_axis(&args[0]);
                Ok(Type::matrix(a, a))
            }
            _ => mismatch("identity_matrix(int n) -> matrix[n, n]"),
        },
        "rows_dot_self" | "columns_dot_self" => match tys.as_slice() {
            [x] if x.array.is_empty() => match (name, x.elem) {
                ("rows_dot_self", ElemType::Matrix(r, _) | ElemType::Vector(r)) => Ok(Type::vector(r)),
                ("columns_dot_self", ElemType::Matrix(_, c) | ElemType::RowVector(c)) => Ok(Type::row_vector(c)),
                // A row vector is one row (a vector one column).
                ("rows_dot_self", ElemType::RowVector(_)) => Ok(Type::vector(Axis::Anon)),
                ("columns_dot_self", ElemType::Vector(_)) => Ok(Type::row_vector(Axis::Anon)),
                _ => mismatch("rows_dot_self(matrix) -> vector; columns_dot_self(matrix) -> row_vector"),
            },
            _ => mismatch("rows_dot_self(matrix) -> vector; columns_dot_self(matrix) -> row_vector"),
        },
        "squared_distance" | "distance" => match tys.as_slice() {
            [a, b] if a.is_scalar() && b.is_scalar() => Ok(Type::real()),
            [a, b] if is_vector(a) && is_vector(b) && vector_axis(a).compatible(vector_axis(b)) => Ok(Type::real()),
            _ => mismatch("squared_distance(vector, vector) -> real (row vectors and reals too; same size)"),
        },
        "one_hot_vector" | "one_hot_row_vector" | "one_hot_array" | "one_hot_int_array" => match tys.as_slice() {
            [n, k] if n.is_int_scalar() && k.is_int_scalar() => Ok(sized(name, size_axis(&args[0]))),
            _ => mismatch("one_hot_vector(int n, int k) -> vector[n] (also _row_vector, _array, _int_array)"),
        },
        "zeros_vector" | "zeros_row_vector" | "zeros_array" | "zeros_int_array" | "ones_vector" | "ones_row_vector"
        | "ones_array" | "ones_int_array" | "uniform_simplex" => match tys.as_slice() {
            [n] if n.is_int_scalar() => Ok(sized(name, size_axis(&args[0]))),
            _ => mismatch("zeros_vector(int n) -> vector[n] (also ones_, _row_vector, _array, _int_array; uniform_simplex)"),
        },
        "fma" => match tys.as_slice() {
            [a, b, c] if a.is_scalar() && b.is_scalar() && c.is_scalar() => Ok(Type::real()),
            [a, b, c] => elementwise_pair(a, b)
                .and_then(|ab| elementwise_pair(&ab, c))
                .ok_or(CallError::Mismatch("fma(x, y, z) = x * y + z, elementwise")),
            _ => mismatch("fma(real x, real y, real z) -> real = x * y + z"),
        },
        "lmgamma" => match tys.as_slice() {
            [k, x] if k.is_int_scalar() && x.is_scalar() => Ok(Type::real()),
            _ => mismatch("lmgamma(int k, real x) -> real"),
        },
        "sort_asc" | "sort_desc" => match tys.as_slice() {
            [v] if is_vector_like(v) => Ok(anon_first(v)),
            _ => mismatch("sort_asc(vector | row_vector | array[] real | array[] int) -> same"),
        },
        "qr_thin_Q" | "qr_thin_R" | "qr_Q" | "qr_R" | "singular_values" | "svd_U" | "svd_V" | "generalized_inverse" => {
            const SHAPES: &str = "with A a matrix[M, N] and K = min(M, N): qr_thin_Q(A) -> matrix[M, K], qr_thin_R(A) -> matrix[K, N], \
                qr_Q(A) -> matrix[M, M], qr_R(A) -> matrix[M, N], singular_values(A) -> vector[K], svd_U(A) -> matrix[M, K], \
                svd_V(A) -> matrix[N, K], generalized_inverse(A) -> matrix[N, M]";
            match tys.as_slice() {
                [m] if m.array.is_empty() => match m.elem {
                    ElemType::Matrix(r, c) => Ok(match name {
                        "qr_thin_Q" | "svd_U" => Type::matrix(r, Axis::Anon),
                        "qr_thin_R" => Type::matrix(Axis::Anon, c),
                        "qr_Q" => Type::matrix(r, r),
                        "qr_R" => Type::matrix(r, c),
                        "singular_values" => Type::vector(Axis::Anon),
                        "svd_V" => Type::matrix(c, Axis::Anon),
                        _ => Type::matrix(c, r),
                    }),
                    _ => mismatch(SHAPES),
                },
                _ => mismatch(SHAPES),
            }
        }
        "quantile" => match tys.as_slice() {
            [x, p] if is_vector_like(x) && p.is_scalar() => Ok(Type::real()),
            [x, p] if is_vector_like(x) && is_vector_like(p) && !p.is_int_valued() => Ok(anon_first(p)),
            _ => mismatch("quantile(data vector | row_vector | array[] real x, data real p) -> real; with p a vector, row_vector or array of reals: the same of quantiles"),
        },
        "eigenvalues_sym" | "eigenvectors_sym" => match tys.as_slice() {
            [m] if m.array.is_empty() => match m.elem {
                ElemType::Matrix(r, c) if r.compatible(c) => {
                    let k = r.meet(c);
                    Ok(if name == "eigenvalues_sym" { Type::vector(k) } else { Type::matrix(k, k) })
                }
                _ => mismatch("eigenvalues_sym(matrix[K, K] A) -> vector[K] (ascending); eigenvectors_sym(matrix[K, K] A) -> matrix[K, K] (columns in that order)"),
            },
            _ => mismatch("eigenvalues_sym(matrix[K, K] A) -> vector[K] (ascending); eigenvectors_sym(matrix[K, K] A) -> matrix[K, K] (columns in that order)"),
        },
        "dims" => match tys.as_slice() {
            [_] => Ok(Type::array_of(vec![Axis::Anon], ElemType::INT)),
            _ => mismatch("dims(T x) -> array[] int, the sizes of x's dimensions"),
        },
        "sort_indices_asc" | "sort_indices_desc" => match tys.as_slice() {
            [v] if is_vector_like(v) => Ok(Type::array_of(vec![vector_axis(v)], ElemType::INT)),
            _ => mismatch("sort_indices_asc(vector | row_vector | array[] real | array[] int) -> array[] int"),
        },
        "csr_matrix_times_vector" => match tys.as_slice() {
            [m, n, w, v, u, b] if m.is_int_scalar() && n.is_int_scalar() && is_plain_vector(w) && v.is_int_array_1d() && u.is_int_array_1d() && is_plain_vector(b) => {
                Ok(Type::vector(Axis::Anon))
            }
            _ => mismatch("csr_matrix_times_vector(int m, int n, vector w, array[] int v, array[] int u, vector b) -> vector[m], the m x n sparse matrix (w, v, u) times b"),
        },
        "csr_to_dense_matrix" => match tys.as_slice() {
            [m, n, w, v, u] if m.is_int_scalar() && n.is_int_scalar() && is_plain_vector(w) && v.is_int_array_1d() && u.is_int_array_1d() => {
                Ok(Type::matrix(Axis::Anon, Axis::Anon))
            }
            _ => mismatch("csr_to_dense_matrix(int m, int n, vector w, array[] int v, array[] int u) -> matrix[m, n]"),
        },
        "csr_extract_w" | "csr_extract_v" | "csr_extract_u" => match tys.as_slice() {
            [a] if a.array.is_empty() && matches!(a.elem, ElemType::Matrix(..)) => {
                Ok(if name == "csr_extract_w" { Type::vector(Axis::Anon) } else { Type::array_of(vec![Axis::Anon], ElemType::INT) })
            }
            _ => mismatch("csr_extract_w(matrix a) -> vector (its nonzero values, row by row); csr_extract_v(matrix a) -> array[] int (their columns); csr_extract_u(matrix a) -> array[] int (where each row starts in w)"),
        },
        "rank" => match tys.as_slice() {
            [v, s] if is_vector_like(v) && s.is_int_scalar() => Ok(Type::int()),
            _ => mismatch("rank(vector | row_vector | array[] real | array[] int v, int s) -> int"),
        },
        "quad_form" | "quad_form_sym" | "trace_quad_form" => match tys.as_slice() {
            [a, b] if a.array.is_empty() && b.array.is_empty() => match (a.elem, b.elem) {
                (ElemType::Matrix(r, c), ElemType::Vector(k)) if r.compatible(c) && c.compatible(k) => Ok(Type::real()),
                (ElemType::Matrix(r, c), ElemType::Matrix(k, n)) if r.compatible(c) && c.compatible(k) => {
                    Ok(if name == "trace_quad_form" { Type::real() } else { Type::matrix(n, n) })
                }
                _ => mismatch("quad_form(matrix[K, K] A, vector[K] v) -> real; quad_form(matrix[K, K] A, matrix[K, N] B) -> matrix[N, N] = B' * A * B; trace_quad_form(A, B) -> real"),
            },
            _ => mismatch("quad_form(matrix[K, K] A, vector[K] v) -> real; quad_form(matrix[K, K] A, matrix[K, N] B) -> matrix[N, N] = B' * A * B; trace_quad_form(A, B) -> real"),
        },
        "trace_gen_quad_form" => match tys.as_slice() {
            [d, a, b] if d.array.is_empty() && a.array.is_empty() && b.array.is_empty() => match (d.elem, a.elem, b.elem) {
                (ElemType::Matrix(dr, dc), ElemType::Matrix(r, c), ElemType::Matrix(k, n))
                    if r.compatible(c) && c.compatible(k) && dr.compatible(dc) && dc.compatible(n) =>
                {
                    Ok(Type::real())
                }
                _ => mismatch("trace_gen_quad_form(matrix[N, N] D, matrix[K, K] A, matrix[K, N] B) -> real = trace(D * B' * A * B)"),
            },
            _ => mismatch("trace_gen_quad_form(matrix[N, N] D, matrix[K, K] A, matrix[K, N] B) -> real = trace(D * B' * A * B)"),
        },
        "matrix_exp_multiply" | "scale_matrix_exp_multiply" => {
            let (a, b) = match tys.as_slice() {
                [a, b] if name == "matrix_exp_multiply" => (*a, *b),
                [t, a, b] if t.is_scalar() => (*a, *b),
                _ => return mismatch("matrix_exp_multiply(matrix[K, K] A, matrix[K, N] B) -> matrix[K, N]; scale_matrix_exp_multiply(real t, A, B)"),
            };
            match (a.array.is_empty() && b.array.is_empty(), a.elem, b.elem) {
                (true, ElemType::Matrix(r, c), ElemType::Matrix(k, n)) if r.compatible(c) && c.compatible(k) => Ok(Type::matrix(r, n)),
                _ => mismatch("matrix_exp_multiply(matrix[K, K] A, matrix[K, N] B) -> matrix[K, N]; scale_matrix_exp_multiply(real t, A, B)"),
            }
        }
        "mdivide_left_tri_low" | "mdivide_left_spd" | "mdivide_left" => match tys.as_slice() {
            [l, b] if l.array.is_empty() && b.array.is_empty() => match (l.elem, b.elem) {
                (ElemType::Matrix(r, c), ElemType::Vector(k)) if r.compatible(c) && r.compatible(k) => Ok(Type::vector(c)),
                (ElemType::Matrix(r, c), ElemType::Matrix(k, n)) if r.compatible(c) && r.compatible(k) => Ok(Type::matrix(c, n)),
                _ => mismatch("mdivide_left_tri_low(matrix[K, K] L, vector[K] | matrix[K, N] b) -> L \\ b with L lower triangular (mdivide_left_spd: A \\ b with A symmetric positive definite; mdivide_left: A \\ b with A square)"),
            },
            _ => mismatch("mdivide_left_tri_low(matrix[K, K] L, vector[K] | matrix[K, N] b) -> L \\ b with L lower triangular (mdivide_left_spd: A \\ b with A symmetric positive definite; mdivide_left: A \\ b with A square)"),
        },
        "mdivide_right_tri_low" | "mdivide_right_spd" | "mdivide_right" => match tys.as_slice() {
            [b, l] if l.array.is_empty() && b.array.is_empty() => match (b.elem, l.elem) {
                (ElemType::RowVector(k), ElemType::Matrix(r, c)) if r.compatible(c) && c.compatible(k) => Ok(Type::row_vector(r)),
                (ElemType::Matrix(n, k), ElemType::Matrix(r, c)) if r.compatible(c) && c.compatible(k) => Ok(Type::matrix(n, r)),
                _ => mismatch("mdivide_right_tri_low(row_vector[K] | matrix[N, K] b, matrix[K, K] L) -> b / L with L lower triangular (mdivide_right_spd: b / A with A symmetric positive definite; mdivide_right: b / A with A square)"),
            },
            _ => mismatch("mdivide_right_tri_low(row_vector[K] | matrix[N, K] b, matrix[K, K] L) -> b / L with L lower triangular (mdivide_right_spd: b / A with A symmetric positive definite; mdivide_right: b / A with A square)"),
        },
        "sub_col" | "sub_row" => match tys.as_slice() {
            [m, i, j, k] if m.array.is_empty() && matches!(m.elem, ElemType::Matrix(..)) && [i, j, k].iter().all(|t| t.is_int_scalar()) => {
                Ok(if name == "sub_col" { Type::vector(Axis::Anon) } else { Type::row_vector(Axis::Anon) })
            }
            _ => mismatch("sub_col(matrix x, int i, int j, int n_rows) -> vector; sub_row(matrix x, int i, int j, int n_cols) -> row_vector"),
        },
        "quad_form_diag" => match tys.as_slice() {
            [m, v] if m.array.is_empty() && is_vector_like(v) && v.array.is_empty() => match m.elem {
                ElemType::Matrix(r, c) if r.compatible(c) && vector_axis(v).compatible(r) => {
                    let k = r.meet(c).meet(vector_axis(v));
                    Ok(Type::matrix(k, k))
                }
                _ => mismatch("quad_form_diag(matrix[K, K] m, vector[K] v) -> matrix[K, K] = diag_matrix(v) * m * diag_matrix(v)"),
            },
            _ => mismatch("quad_form_diag(matrix[K, K] m, vector[K] v) -> matrix[K, K] = diag_matrix(v) * m * diag_matrix(v)"),
        },
        "add_diag" => match tys.as_slice() {
            [m, d] if m.array.is_empty() && (d.is_scalar() || (is_vector_like(d) && d.array.is_empty())) => match m.elem {
                ElemType::Matrix(r, c) if r.compatible(c) && (d.is_scalar() || vector_axis(d).compatible(r)) => Ok((*m).clone()),
                _ => mismatch("add_diag(matrix[K, K] m, real | vector[K] d) -> matrix[K, K]"),
            },
            _ => mismatch("add_diag(matrix[K, K] m, real | vector[K] d) -> matrix[K, K]"),
        },
        "gp_exp_quad_cov" | "cov_exp_quad" => {
            let points = |t: &Type| t.array.len() == 1 && matches!(t.elem, ElemType::Real | ElemType::Int { .. } | ElemType::Vector(_));
            let sig = "gp_exp_quad_cov(array[] real | array[] vector x, real alpha, real rho) -> matrix[N, N]; gp_exp_quad_cov(x1, x2, alpha, rho) -> matrix[N1, N2]; with array[] vector points, rho may be an array[] real of one length scale per coordinate";
            // One length scale per coordinate (automatic relevance
            // determination): only points that are vectors have coordinates.
            let ard = |x: &Type, r: &Type| !x.elem.is_scalar() && r.array.len() == 1 && matches!(r.elem, ElemType::Real | ElemType::Int { .. });
            match tys.as_slice() {
                [x, a, r] if points(x) && a.is_scalar() && (r.is_scalar() || ard(x, r)) => Ok(Type::matrix(x.array[0], x.array[0])),
                [x1, x2, a, r] if points(x1) && points(x2) && a.is_scalar() && (r.is_scalar() || (ard(x1, r) && ard(x2, r)))
                    && (x1.elem.is_scalar() == x2.elem.is_scalar()) => Ok(Type::matrix(x1.array[0], x2.array[0])),
                _ => mismatch(sig),
            }
        }
        "gp_exponential_cov" | "gp_matern32_cov" | "gp_matern52_cov" | "gp_periodic_cov" | "gp_dot_prod_cov" => {
            let points = |t: &Type| t.array.len() == 1 && matches!(t.elem, ElemType::Real | ElemType::Int { .. } | ElemType::Vector(_));
            // The periodic kernel takes a period after alpha and rho; the
            // dot-product kernel sigma alone.
            let n_params = match name {
                "gp_periodic_cov" => 3,
                "gp_dot_prod_cov" => 1,
                _ => 2,
            };
            let (pts, params) = tys.split_at(tys.len().saturating_sub(n_params));
            // With vector points, the exponential and Matérn kernels take one
            // length scale per coordinate (rho an array of reals), as Stan.
            let ard_kernel = matches!(name, "gp_exponential_cov" | "gp_matern32_cov" | "gp_matern52_cov");
            let ard_rho = |r: &Type| r.array.len() == 1 && matches!(r.elem, ElemType::Real | ElemType::Int { .. });
            let vector_points = pts.iter().all(|x| !x.elem.is_scalar());
            let params_ok = params.len() == n_params
                && params.iter().enumerate().all(|(i, t)| t.is_scalar() || (ard_kernel && vector_points && i == 1 && ard_rho(t)));
            match pts {
                [x] if params_ok && points(x) => Ok(Type::matrix(x.array[0], x.array[0])),
                [x1, x2] if params_ok && points(x1) && points(x2) && x1.elem.is_scalar() == x2.elem.is_scalar() => {
                    Ok(Type::matrix(x1.array[0], x2.array[0]))
                }
                _ if name == "gp_dot_prod_cov" => {
                    mismatch("gp_dot_prod_cov(array[] real | array[] vector x, real sigma) -> matrix[N, N] (also (x1, x2, sigma))")
                }
                _ if name == "gp_periodic_cov" => mismatch(
                    "gp_periodic_cov(array[] real | array[] vector x, real alpha, real rho, real period) -> matrix[N, N] (also (x1, x2, ...))",
                ),
                _ => mismatch("gp_matern32_cov(array[] real | array[] vector x, real alpha, real rho) -> matrix[N, N] (also (x1, x2, alpha, rho); gp_exponential_cov, gp_matern52_cov; with array[] vector points rho may be an array[] real of one length scale per coordinate)"),
            }
        }
        "e" | "pi" | "sqrt2" | "log2" | "log10" | "not_a_number" | "positive_infinity" | "negative_infinity"
        | "machine_precision" if n == 0 => Ok(Type::real()),
        _ => Err(CallError::Unknown),
    }
}

/// The result of a constructor of size `n` (`zeros_vector`, `one_hot_int_array`, ...).
fn sized(name: &str, n: Axis) -> Type {
    if name.ends_with("row_vector") {
        Type::row_vector(n)
    } else if name.ends_with("int_array") {
        Type::array_of(vec![n], ElemType::INT)
    } else if name.ends_with("array") {
        Type::array_of(vec![n], ElemType::Real)
    } else {
        Type::vector(n)
    }
}

/// The same container with its first axis anonymous (a slice of it).
fn anon_first(t: &Type) -> Type {
    let mut out = t.clone();
    if let Some(a) = out.array.first_mut() {
        *a = Axis::Anon;
    } else {
        out.elem = match out.elem {
            ElemType::Vector(_) => ElemType::Vector(Axis::Anon),
            ElemType::RowVector(_) => ElemType::RowVector(Axis::Anon),
            other => other,
        };
    }
    out
}

/// Elementwise combination of two values (scalars broadcast, dims align).
pub fn elementwise_pair(a: &Type, b: &Type) -> Option<Type> {
    if a.array.is_empty() && b.array.is_empty() {
        return broadcast::align(a, b, false).ok();
    }
    // Arrays combine only with scalars or arrays of the same shape.
    if b.is_scalar() && (a.elem.is_scalar()) {
        return Some(a.promoted());
    }
    if a.is_scalar() && b.elem.is_scalar() {
        return Some(b.promoted());
    }
    (a.promoted().accepts(&b.promoted()) && b.promoted().accepts(&a.promoted())).then(|| a.promoted())
}

/// `v'`: vector and row vector swap, a matrix's dims swap.
pub fn transpose(t: &Type) -> Option<Type> {
    if !t.array.is_empty() {
        return None;
    }
    match t.elem {
        ElemType::Vector(a) => Some(Type::row_vector(a)),
        ElemType::RowVector(a) => Some(Type::vector(a)),
        ElemType::Matrix(r, c) => Some(Type::matrix(c, r)),
        _ => None,
    }
}

/// `a * b` with Stan's matrix algebra; inner dims must agree.
pub fn multiply(a: &Type, b: &Type) -> Option<Type> {
    if !a.array.is_empty() || !b.array.is_empty() {
        return None;
    }
    if a.is_scalar() || b.is_scalar() {
        return broadcast::align(a, b, true).ok();
    }
    use ElemType::*;
    match (a.elem, b.elem) {
        (RowVector(x), Vector(y)) if x.compatible(y) => Some(Type::real()),
        (Vector(x), RowVector(y)) => Some(Type::matrix(x, y)),
        (Matrix(r, k1), Vector(k2)) if k1.compatible(k2) => Some(Type::vector(r)),
        (RowVector(k1), Matrix(k2, c)) if k1.compatible(k2) => Some(Type::row_vector(c)),
        (Matrix(r, k1), Matrix(k2, c)) if k1.compatible(k2) => Some(Type::matrix(r, c)),
        _ => None,
    }
}

/// `A \ b` (Stan's `mdivide_left`): `A` square with rows matching `b`'s;
/// the result runs over `A`'s columns.
pub fn left_divide(a: &Type, b: &Type) -> Option<Type> {
    if !a.array.is_empty() || !b.array.is_empty() {
        return None;
    }
    use ElemType::*;
    match (a.elem, b.elem) {
        (Matrix(r, c), Vector(k)) if r.compatible(c) && r.compatible(k) => Some(Type::vector(c.meet(r))),
        (Matrix(r, c), Matrix(k, m)) if r.compatible(c) && r.compatible(k) => Some(Type::matrix(c.meet(r), m)),
        _ => None,
    }
}

/// The type of `b / A`, `b A^-1` (Stan's `mdivide_right`): a row vector or
/// matrix whose columns run over a square A's rows.
pub fn right_divide(b: &Type, a: &Type) -> Option<Type> {
    if !a.array.is_empty() || !b.array.is_empty() {
        return None;
    }
    use ElemType::*;
    match (b.elem, a.elem) {
        (RowVector(k), Matrix(r, c)) if r.compatible(c) && c.compatible(k) => Some(Type::row_vector(r.meet(c))),
        (Matrix(n, k), Matrix(r, c)) if r.compatible(c) && c.compatible(k) => Some(Type::matrix(n, r.meet(c))),
        _ => None,
    }
}

/// Whether `a * b` fails only because of the inner dims.
pub fn inner_dims_clash(a: &Type, b: &Type) -> bool {
    let erased = multiply(&a.erase_dims(), &b.erase_dims());
    erased.is_some() && multiply(a, b).is_none()
}

fn append(tys: &[&Type], rows: bool) -> Option<Type> {
    let [a, b] = tys else { return None };
    if !a.array.is_empty() || !b.array.is_empty() {
        return None;
    }
    use ElemType::*;
    if rows {
        match (a.elem, b.elem) {
            (Vector(_) | Real | Int { .. }, Vector(_) | Real | Int { .. }) if !(a.is_scalar() && b.is_scalar()) => {
                Some(Type::vector(Axis::Anon))
            }
            (Matrix(_, c) | RowVector(c), Matrix(_, d) | RowVector(d)) if c.compatible(d) => {
                Some(Type::matrix(Axis::Anon, c.meet(d)))
            }
            _ => None,
        }
    } else {
        match (a.elem, b.elem) {
            (RowVector(_) | Real | Int { .. }, RowVector(_) | Real | Int { .. }) if !(a.is_scalar() && b.is_scalar()) => {
                Some(Type::row_vector(Axis::Anon))
            }
            (Matrix(r, _) | Vector(r), Matrix(s, _) | Vector(s)) if r.compatible(s) => {
                Some(Type::matrix(r.meet(s), Axis::Anon))
            }
            _ => None,
        }
    }
}

/// Whether a value fits a distribution argument shape.
pub fn fits_shape(t: &Type, shape: ArgShape) -> bool {
    match shape {
        ArgShape::Reals => t.array.len() <= 1 && (t.array.is_empty() || t.elem.is_scalar()),
        ArgShape::Ints => t.is_int_valued() && t.array.len() <= 1,
        ArgShape::Vectors => {
            t.array.len() <= 1 && matches!(t.elem, ElemType::Vector(_) | ElemType::RowVector(_))
        }
        ArgShape::Matrix => t.array.is_empty() && matches!(t.elem, ElemType::Matrix(..)),
        ArgShape::Real => t.is_scalar(),
    }
}

/// Where the dims of a distribution's arguments fail to align with the
/// variate: the first parameter (by position) whose dims the variate lacks.
pub fn misaligned_param(variate: &Type, params: &[&Type]) -> Option<usize> {
    let v = variate.axes();
    for (i, p) in params.iter().enumerate() {
        let pa = p.axes();
        if pa.is_empty() {
            continue;
        }
        if v.is_empty() {
            // A scalar variate broadcasts; the parameters must align among themselves.
            if params[..i].iter().any(|q| !broadcast::args_align(q, p)) {
                return Some(i);
            }
            continue;
        }
        let ok = match union_named(&v, &pa) {
            Some(_) => named_subset(&pa, &v),
            None => pa.len() == v.len() && pa.iter().zip(&v).all(|(a, b)| a.compatible(*b)),
        };
        if !ok {
            return Some(i);
        }
    }
    None
}

/// The axes of a vectorised `_rng`'s result: the union of its parameters'.
pub fn rng_axes(params: &[&Type]) -> Option<Vec<Axis>> {
    let mut out: Vec<Axis> = Vec::new();
    for p in params {
        let pa = p.axes();
        if pa.is_empty() {
            continue;
        }
        if out.is_empty() {
            out = pa;
            continue;
        }
        match union_named(&out, &pa) {
            Some(u) if named_subset(&pa, &out) || named_subset(&out, &pa) => {
                out = if u.len() == pa.len() && named_subset(&out, &pa) { pa } else { out };
            }
            Some(_) => return None,
            None if pa.len() == out.len() && pa.iter().zip(&out).all(|(a, b)| a.compatible(*b)) => {
                out = out.iter().zip(&pa).map(|(a, b)| a.meet(*b)).collect();
            }
            None => return None,
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_function_is_known() {
        for name in function_names() {
            assert_ne!(resolve_function(name, &[]), Err(CallError::Unknown), "{name}");
        }
        assert_eq!(resolve_function("summ", &[]), Err(CallError::Unknown));
    }
}
