//! Table-driven derivative checks over the exported symbol table: every scalar
//! math function and every univariate density is called through its C-ABI
//! pointer, exactly as JIT code calls it, and each partial (`_d<k>`, `_grad`,
//! `_lpdf_grad`) is compared with central finite differences of the value.
//! Adding a function to `symbols()` without a domain here fails the test.
#![allow(clippy::excessive_precision)] // reference values keep their mpmath digits
use crate::common;
use common::*;
use hbmc_stdlib::{symbols, CType, Symbol, SymbolKind};
use std::collections::HashMap;

#[derive(Clone, Copy)]
enum Arg {
    /// A real argument drawn from [lo, hi).
    R(f64, f64),
    /// An integer argument drawn from lo..=hi.
    I(i64, i64),
}
use Arg::{I, R};

/// Boxes of test points for each value function (alternatives for kinks).
fn domains() -> HashMap<&'static str, Vec<Vec<Arg>>> {
    let mut d: HashMap<&'static str, Vec<Vec<Arg>>> = HashMap::new();
    let mut add = |n: &'static str, boxes: Vec<Vec<Arg>>| {
        d.insert(n, boxes);
    };
    add("hbm_exp", vec![vec![R(-5.0, 5.0)]]);
    add("hbm_log", vec![vec![R(0.1, 10.0)]]);
    add("hbm_log1p", vec![vec![R(-0.5, 5.0)]]);
    add("hbm_expm1", vec![vec![R(-5.0, 5.0)]]);
    add("hbm_sqrt", vec![vec![R(0.1, 10.0)]]);
    add("hbm_square", vec![vec![R(-5.0, 5.0)]]);
    add("hbm_inv", vec![vec![R(0.5, 5.0)], vec![R(-5.0, -0.5)]]);
    add("hbm_abs", vec![vec![R(0.5, 5.0)], vec![R(-5.0, -0.5)]]);
    add("hbm_inv_logit", vec![vec![R(-10.0, 10.0)]]);
    add("hbm_logit", vec![vec![R(0.01, 0.99)]]);
    add("hbm_log_inv_logit", vec![vec![R(-20.0, 20.0)]]);
    add("hbm_log1m_inv_logit", vec![vec![R(-20.0, 20.0)]]);
    add("hbm_log1p_exp", vec![vec![R(-30.0, 30.0)]]);
    add("hbm_log1m_exp", vec![vec![R(-10.0, -0.01)]]);
    add("hbm_log1m", vec![vec![R(-5.0, 0.99)]]);
    add(
        "hbm_lgamma",
        vec![vec![R(0.05, 3.0)], vec![R(3.0, 50.0)], vec![R(-3.9, -3.1)]],
    );
    add(
        "hbm_digamma",
        vec![vec![R(0.05, 3.0)], vec![R(3.0, 50.0)], vec![R(-2.9, -2.1)]],
    );
    add("hbm_erf", vec![vec![R(-3.0, 3.0)]]);
    add("hbm_erfc", vec![vec![R(-3.0, 5.0)]]);
    add("hbm_Phi", vec![vec![R(-8.0, 8.0)]]);
    add("hbm_inv_Phi", vec![vec![R(0.001, 0.999)]]);
    // Not near 1: at p = 0.984 the differences' own error is 1e-5 (the
    // derivative there, 25.1763544872228, agrees with mpmath's
    // sqrt(2 pi) exp(q^2 / 2) to 15 digits).
    add("hbm_std_normal_qf", vec![vec![R(0.01, 0.95)]]);
    // Both branches of the log-probability quantile: e^lp, 1 - e^lp, and
    // the Newton steps on ln Phi below -680.
    add("hbm_std_normal_log_qf", vec![vec![R(-5.0, -0.8)], vec![R(-0.6, -0.001)], vec![R(-2000.0, -700.0)]]);
    add("hbm_lambert_w0", vec![vec![R(-0.3, 0.5)], vec![R(0.5, 50.0)]]);
    add("hbm_inv_erfc", vec![vec![R(0.001, 1.0)], vec![R(1.0, 1.999)]]);
    add("hbm_lambert_wm1", vec![vec![R(-0.35, -0.3)], vec![R(-0.3, -0.001)]]);
    // Narrower than inv_Phi's box: at p = 0.984 the differences' own error
    // is 1e-5 (the derivative there, 25.1763544872228, agrees with mpmath's
    // sqrt(2 pi) exp(q^2 / 2) to 15 digits).
    add("hbm_std_normal_qf", vec![vec![R(0.01, 0.95)]]);
    // Both branches of the log-probability quantile: e^lp, 1 - e^lp, and
    // the Newton steps on ln Phi below -680.
    add("hbm_std_normal_log_qf", vec![vec![R(-5.0, -0.8)], vec![R(-0.6, -0.001)], vec![R(-2000.0, -700.0)]]);
    add("hbm_pow", vec![vec![R(0.1, 5.0), R(-3.0, 3.0)]]);
    add(
        "hbm_fmin",
        vec![
            vec![R(0.0, 1.0), R(2.0, 3.0)],
            vec![R(2.0, 3.0), R(0.0, 1.0)],
        ],
    );
    add(
        "hbm_fmax",
        vec![
            vec![R(0.0, 1.0), R(2.0, 3.0)],
            vec![R(2.0, 3.0), R(0.0, 1.0)],
        ],
    );
    add(
        "hbm_log_sum_exp",
        vec![vec![R(-10.0, 10.0), R(-10.0, 10.0)]],
    );
    add("hbm_log_diff_exp", vec![vec![R(1.0, 5.0), R(-5.0, 0.5)]]);
    add(
        "hbm_lbeta",
        vec![
            vec![R(0.1, 50.0), R(0.1, 50.0)],
            vec![R(0.5, 5.0), R(20.0, 500.0)],
        ],
    );
    add("hbm_lchoose", vec![vec![R(10.0, 50.0), R(1.0, 9.0)]]);
    add("hbm_beta", vec![vec![R(0.1, 20.0), R(0.1, 20.0)], vec![R(0.5, 5.0), R(20.0, 200.0)]]);
    add(
        "hbm_log_mix",
        vec![vec![R(0.01, 0.99), R(-5.0, 5.0), R(-5.0, 5.0)]],
    );

    let loc_scale = vec![vec![R(-5.0, 5.0), R(-3.0, 3.0), R(0.2, 4.0)]];
    add("hbm_normal_lpdf", loc_scale.clone());
    add("hbm_std_normal_lpdf", vec![vec![R(-5.0, 5.0)]]);
    add(
        "hbm_student_t_lpdf",
        vec![vec![R(-5.0, 5.0), R(0.5, 30.0), R(-3.0, 3.0), R(0.2, 4.0)]],
    );
    add("hbm_cauchy_lpdf", loc_scale.clone());
    add(
        "hbm_logistic_lpdf",
        vec![vec![R(-10.0, 10.0), R(-3.0, 3.0), R(0.2, 4.0)]],
    );
    add(
        "hbm_double_exponential_lpdf",
        vec![
            vec![R(-5.0, -1.0), R(0.0, 3.0), R(0.2, 4.0)],
            vec![R(3.0, 6.0), R(-2.0, 2.0), R(0.2, 4.0)],
        ],
    );
    add(
        "hbm_skew_double_exponential_lpdf",
        vec![
            vec![R(-5.0, -1.0), R(0.0, 3.0), R(0.2, 4.0), R(0.05, 0.95)],
            vec![R(3.0, 6.0), R(-2.0, 2.0), R(0.2, 4.0), R(0.05, 0.95)],
        ],
    );
    add(
        "hbm_lognormal_lpdf",
        vec![vec![R(0.05, 10.0), R(-2.0, 2.0), R(0.2, 3.0)]],
    );
    add(
        "hbm_exponential_lpdf",
        vec![vec![R(0.1, 10.0), R(0.1, 5.0)]],
    );
    add(
        "hbm_gamma_lpdf",
        vec![vec![R(0.1, 10.0), R(0.2, 10.0), R(0.1, 5.0)]],
    );
    add(
        "hbm_inv_gamma_lpdf",
        vec![vec![R(0.1, 10.0), R(0.2, 10.0), R(0.1, 5.0)]],
    );
    add(
        "hbm_weibull_lpdf",
        vec![vec![R(0.1, 5.0), R(0.3, 5.0), R(0.3, 5.0)]],
    );
    add("hbm_gumbel_lpdf", vec![vec![R(-5.0, 5.0), R(-2.0, 2.0), R(0.3, 4.0)]]);
    add("hbm_rayleigh_lpdf", vec![vec![R(0.1, 5.0), R(0.3, 4.0)]]);
    add(
        "hbm_beta_lpdf",
        vec![vec![R(0.05, 0.95), R(0.2, 10.0), R(0.2, 10.0)]],
    );
    add(
        "hbm_uniform_lpdf",
        vec![vec![R(0.1, 0.9), R(-2.0, 0.0), R(1.0, 3.0)]],
    );
    add("hbm_bernoulli_lpmf", vec![vec![I(0, 1), R(0.05, 0.95)]]);
    add(
        "hbm_bernoulli_logit_lpmf",
        vec![vec![I(0, 1), R(-10.0, 10.0)]],
    );
    add(
        "hbm_binomial_lpmf",
        vec![vec![I(0, 5), I(5, 20), R(0.05, 0.95)]],
    );
    add(
        "hbm_binomial_logit_lpmf",
        vec![vec![I(0, 5), I(5, 20), R(-5.0, 5.0)]],
    );
    add("hbm_poisson_lpmf", vec![vec![I(0, 30), R(0.1, 30.0)]]);
    add("hbm_poisson_log_lpmf", vec![vec![I(0, 30), R(-3.0, 4.0)]]);
    // The densities without their count terms (lower/counted_densities.rs).
    add(
        "hbm_binomial_uncounted_lpmf",
        vec![vec![I(0, 5), I(5, 20), R(0.05, 0.95)]],
    );
    add(
        "hbm_binomial_logit_uncounted_lpmf",
        vec![vec![I(0, 5), I(5, 20), R(-5.0, 5.0)]],
    );
    add("hbm_poisson_uncounted_lpmf", vec![vec![I(0, 30), R(0.1, 30.0)]]);
    add("hbm_poisson_log_uncounted_lpmf", vec![vec![I(0, 30), R(-3.0, 4.0)]]);
    add(
        "hbm_neg_binomial_2_lpmf",
        vec![
            vec![I(0, 50), R(0.1, 30.0), R(0.1, 50.0)],
            vec![I(0, 200), R(1.0, 20.0), R(1e3, 1e6)],
        ],
    );
    add(
        "hbm_neg_binomial_2_log_lpmf",
        vec![
            vec![I(0, 50), R(-3.0, 3.0), R(0.1, 50.0)],
            vec![I(70, 200), R(0.0, 3.0), R(0.5, 5.0)],
        ],
    );
    add("hbm_beta_binomial_lpmf", vec![vec![I(0, 5), I(5, 20), R(0.2, 10.0), R(0.2, 10.0)]]);
    // Count and proportion distributions of the wider library (issue 13).
    for n in ["hbm_neg_binomial_lpmf", "hbm_neg_binomial_lcdf", "hbm_neg_binomial_lccdf"] {
        add(n, vec![vec![I(0, 30), R(0.3, 20.0), R(0.1, 5.0)]]);
    }
    for n in ["hbm_beta_neg_binomial_lpmf", "hbm_beta_neg_binomial_lcdf", "hbm_beta_neg_binomial_lccdf"] {
        add(n, vec![vec![I(0, 10), R(0.5, 5.0), R(1.0, 5.0), R(0.5, 5.0)]]);
    }
    for n in ["hbm_beta_proportion_lpdf", "hbm_beta_proportion_lcdf", "hbm_beta_proportion_lccdf"] {
        add(n, vec![vec![R(0.05, 0.95), R(0.1, 0.9), R(0.5, 30.0)]]);
    }
    for n in ["hbm_bernoulli_lcdf", "hbm_bernoulli_lccdf"] {
        add(n, vec![vec![I(0, 0), R(0.05, 0.95)]]);
    }
    for n in ["hbm_beta_binomial_lcdf", "hbm_beta_binomial_lccdf"] {
        add(n, vec![vec![I(0, 9), I(10, 40), R(0.2, 10.0), R(0.2, 10.0)]]);
    }
    for n in ["hbm_discrete_range_lpmf", "hbm_discrete_range_lcdf", "hbm_discrete_range_lccdf"] {
        add(n, vec![vec![I(3, 5), I(0, 2), I(6, 9)]]);
    }
    add("hbm_hypergeometric_lpmf", vec![vec![I(1, 2), I(3, 4), I(3, 5), I(3, 5)]]);
    // Elementary and special functions of the wider library (issue 13).
    add("hbm_inv_sqrt", vec![vec![R(0.1, 10.0)]]);
    add("hbm_inv_square", vec![vec![R(0.5, 5.0)], vec![R(-5.0, -0.5)]]);
    add("hbm_tgamma", vec![vec![R(0.1, 6.0)], vec![R(-2.9, -2.1)]]);
    add("hbm_trigamma", vec![vec![R(0.1, 3.0)], vec![R(3.0, 40.0)], vec![R(-1.9, -1.1)]]);
    add("hbm_Phi_approx", vec![vec![R(-5.0, 5.0)]]);
    add("hbm_log2", vec![vec![R(0.1, 10.0)]]);
    add("hbm_log10", vec![vec![R(0.1, 10.0)]]);
    add("hbm_exp2", vec![vec![R(-5.0, 5.0)]]);
    add("hbm_cbrt", vec![vec![R(0.1, 10.0)], vec![R(-10.0, -0.1)]]);
    for n in ["hbm_sin", "hbm_cos", "hbm_atan", "hbm_sinh", "hbm_cosh", "hbm_tanh", "hbm_asinh"] {
        add(n, vec![vec![R(-3.0, 3.0)]]);
    }
    add("hbm_tan", vec![vec![R(-1.4, 1.4)]]);
    for n in ["hbm_asin", "hbm_acos", "hbm_atanh"] {
        add(n, vec![vec![R(-0.9, 0.9)]]);
    }
    add("hbm_acosh", vec![vec![R(1.1, 10.0)]]);
    add("hbm_inv_cloglog", vec![vec![R(-5.0, 2.0)]]);
    add("hbm_lgamma_half_diff", vec![vec![R(0.2, 9.5)], vec![R(10.5, 400.0)]]);
    add("hbm_nb_lchoose", vec![vec![I(0, 20), R(0.2, 9.5)], vec![I(70, 300), R(10.5, 4000.0)]]);
    add("hbm_step", vec![vec![R(0.1, 3.0)], vec![R(-3.0, -0.1)]]);
    add("hbm_fdim", vec![vec![R(2.0, 3.0), R(0.0, 1.0)], vec![R(0.0, 1.0), R(2.0, 3.0)]]);
    add("hbm_fmod", vec![vec![R(2.1, 2.9), R(1.05, 1.95)], vec![R(-5.9, -5.1), R(2.05, 2.5)]]);
    add("hbm_hypot", vec![vec![R(-5.0, 5.0), R(0.5, 5.0)]]);
    add("hbm_atan2", vec![vec![R(-5.0, 5.0), R(0.5, 5.0)], vec![R(0.5, 5.0), R(-5.0, 5.0)]]);
    add("hbm_log_inv_logit_diff", vec![vec![R(1.0, 5.0), R(-5.0, 0.5)]]);
    for n in ["hbm_lmultiply", "hbm_multiply_log"] {
        add(n, vec![vec![R(-3.0, 3.0), R(0.1, 5.0)]]);
    }
    // Bessel functions: the int orders arrive as f64 (their partial is 0).
    add("hbm_bessel_first_kind", vec![vec![R(0.0, 0.0), R(0.1, 5.0)], vec![R(2.0, 2.0), R(0.5, 10.0)]]);
    add("hbm_bessel_second_kind", vec![vec![R(1.0, 1.0), R(0.5, 10.0)]]);
    add("hbm_modified_bessel_first_kind", vec![vec![R(3.0, 3.0), R(-5.0, 20.0)]]);
    add("hbm_modified_bessel_second_kind", vec![vec![R(2.0, 2.0), R(0.1, 20.0)], vec![R(0.0, 0.0), R(0.05, 3.0)]]);
    add("hbm_log_modified_bessel_first_kind", vec![vec![R(0.0, 5.0), R(0.1, 30.0)], vec![R(0.0, 3.0), R(550.0, 900.0)]]);
    add("hbm_log_rising_factorial", vec![vec![R(0.2, 8.0), R(0.0, 6.0)]]);
    add("hbm_log_falling_factorial", vec![vec![R(3.0, 9.0), R(0.0, 3.5)]]);
    add("hbm_rising_factorial", vec![vec![R(0.2, 4.0), R(3.0, 3.0)]]);
    add("hbm_falling_factorial", vec![vec![R(3.0, 7.0), R(2.0, 2.0)]]);
    add("hbm_binary_log_loss", vec![vec![R(0.0, 1.0), R(0.05, 0.95)]]);
    add("hbm_owens_t", vec![vec![R(-3.0, 3.0), R(-1.0, 1.0)], vec![R(-3.0, 3.0), R(1.0, 10.0)], vec![R(3.0, 9.0), R(-0.9, 0.9)]]);
    for n in ["hbm_gamma_p", "hbm_gamma_q"] {
        add(n, vec![vec![R(0.3, 5.0), R(0.1, 4.0)], vec![R(2.0, 20.0), R(5.0, 30.0)], vec![R(50.0, 100.0), R(40.0, 120.0)]]);
    }
    // Log cdfs and ccdfs: both tails and the middle.
    let tails = vec![
        vec![R(-5.0, 5.0), R(-3.0, 3.0), R(0.2, 4.0)],
        vec![R(-60.0, -40.0), R(-1.0, 1.0), R(0.5, 1.0)],
        vec![R(40.0, 60.0), R(-1.0, 1.0), R(0.5, 1.0)],
    ];
    for name in ["hbm_normal", "hbm_cauchy", "hbm_logistic", "hbm_double_exponential"] {
        for suffix in ["_lcdf", "_lccdf"] {
            let n: &'static str = Box::leak(format!("{name}{suffix}").into_boxed_str());
            add(n, tails.clone());
        }
    }
    for n in ["hbm_std_normal_lcdf", "hbm_std_normal_lccdf"] {
        add(n, vec![vec![R(-5.0, 5.0)], vec![R(-45.0, -25.0)], vec![R(25.0, 45.0)]]);
    }
    for n in ["hbm_lognormal_lcdf", "hbm_lognormal_lccdf"] {
        add(n, vec![vec![R(0.05, 10.0), R(-2.0, 2.0), R(0.2, 3.0)]]);
    }
    for n in ["hbm_exponential_lcdf", "hbm_exponential_lccdf"] {
        add(n, vec![vec![R(0.01, 10.0), R(0.1, 5.0)]]);
    }
    for n in ["hbm_weibull_lcdf", "hbm_weibull_lccdf"] {
        add(n, vec![vec![R(0.1, 5.0), R(0.3, 5.0), R(0.3, 5.0)]]);
    }
    for n in ["hbm_uniform_lcdf", "hbm_uniform_lccdf"] {
        add(n, vec![vec![R(0.1, 0.9), R(-2.0, 0.0), R(1.0, 3.0)]]);
    }
    for n in ["hbm_gamma_lcdf", "hbm_gamma_lccdf", "hbm_inv_gamma_lcdf", "hbm_inv_gamma_lccdf"] {
        add(n, vec![vec![R(0.1, 10.0), R(0.2, 10.0), R(0.1, 5.0)], vec![R(0.5, 3.0), R(20.0, 60.0), R(5.0, 20.0)]]);
    }
    for n in ["hbm_poisson_lcdf", "hbm_poisson_lccdf"] {
        add(n, vec![vec![I(0, 30), R(0.1, 30.0)], vec![I(0, 3), R(50.0, 200.0)], vec![I(100, 200), R(1.0, 10.0)]]);
    }
    // Distributions added for Stan programs: densities and both tails.
    let skew = vec![vec![R(-3.0, 3.0), R(-1.0, 1.0), R(0.3, 3.0), R(-4.0, 4.0)]];
    let emg = vec![vec![R(-3.0, 6.0), R(-1.0, 1.0), R(0.3, 3.0), R(0.2, 3.0)]];
    for suffix in ["_lpdf", "_lcdf", "_lccdf"] {
        let leak = |n: String| -> &'static str { Box::leak(n.into_boxed_str()) };
        add(leak(format!("hbm_skew_normal{suffix}")), skew.clone());
        add(leak(format!("hbm_exp_mod_normal{suffix}")), emg.clone());
        add(leak(format!("hbm_pareto{suffix}")), vec![vec![R(2.1, 9.0), R(0.3, 2.0), R(0.2, 5.0)]]);
        add(leak(format!("hbm_pareto_type_2{suffix}")), vec![vec![R(1.1, 9.0), R(-1.0, 1.0), R(0.3, 3.0), R(0.2, 5.0)]]);
        add(leak(format!("hbm_frechet{suffix}")), vec![vec![R(0.2, 6.0), R(0.3, 5.0), R(0.3, 4.0)]]);
        add(leak(format!("hbm_loglogistic{suffix}")), vec![vec![R(0.1, 6.0), R(0.3, 4.0), R(0.3, 5.0)]]);
        add(leak(format!("hbm_chi_square{suffix}")), vec![vec![R(0.1, 10.0), R(0.3, 10.0)]]);
        add(leak(format!("hbm_inv_chi_square{suffix}")), vec![vec![R(0.1, 10.0), R(0.3, 10.0)]]);
        add(leak(format!("hbm_scaled_inv_chi_square{suffix}")), vec![vec![R(0.1, 10.0), R(0.3, 10.0), R(0.2, 3.0)]]);
    }
    for n in ["hbm_gumbel_lcdf", "hbm_gumbel_lccdf"] {
        add(n, vec![vec![R(-5.0, 5.0), R(-2.0, 2.0), R(0.3, 4.0)]]);
    }
    for n in ["hbm_skew_double_exponential_lcdf", "hbm_skew_double_exponential_lccdf"] {
        // Both sides of μ, τ away from 0 and 1.
        add(n, vec![vec![R(-4.0, 4.0), R(-1.0, 1.0), R(0.3, 3.0), R(0.05, 0.95)]]);
    }
    for n in ["hbm_rayleigh_lcdf", "hbm_rayleigh_lccdf"] {
        add(n, vec![vec![R(0.1, 5.0), R(0.3, 4.0)]]);
    }
    add("hbm_von_mises_lpdf", vec![vec![R(-3.0, 3.0), R(-1.0, 1.0), R(0.1, 20.0)], vec![R(-3.0, 3.0), R(-1.0, 1.0), R(25.0, 200.0)]]);
    add("hbm_wiener_lpdf", vec![vec![R(0.5, 3.0), R(0.5, 2.5), R(0.0, 0.4), R(0.1, 0.9), R(-2.0, 2.0)], vec![R(0.45, 0.6), R(1.5, 3.0), R(0.3, 0.4), R(0.05, 0.95), R(-4.0, 4.0)]]);
    // (y, a, t0, w, v, sv): both series of the standard density.
    add("hbm_wiener_sv_lpdf", vec![vec![R(0.5, 3.0), R(0.5, 2.5), R(0.0, 0.4), R(0.1, 0.9), R(-2.0, 2.0), R(0.0, 2.0)]]);
    // (y, a, t0, w, v, sv, sw, st0): st0 within y - t0, then past it.
    add(
        "hbm_wiener_full_lpdf",
        vec![
            vec![R(0.8, 2.0), R(0.7, 2.0), R(0.0, 0.3), R(0.35, 0.65), R(-1.5, 1.5), R(0.0, 1.5), R(0.0, 0.6), R(0.0, 0.4)],
            vec![R(0.5, 0.7), R(0.7, 1.5), R(0.1, 0.2), R(0.35, 0.65), R(-1.5, 1.5), R(0.0, 1.5), R(0.05, 0.6), R(0.6, 0.9)],
        ],
    );
    for n in ["hbm_von_mises_lcdf", "hbm_von_mises_lccdf"] {
        // The series, the blend of series and normal approximation (49 <=
        // κ < 50), and the approximation, each within about 2.7 standard
        // deviations (1/√κ) of the mean, where neither tail's log is flat
        // (farther, a log tail near 0 changes by less than the finite
        // difference resolves). Like Stan's, each tail is one minus the
        // other, so a tail below about 1e-10 keeps few digits (at κ = 16.7,
        // 2.14 from the mean, the log ccdf's slope is -10.7 against
        // quadrature's -13.2): the full circle only for κ below 4.
        let near = |k0, k1| vec![R(-0.15, 0.15), R(-0.1, 0.1), R(k0, k1)];
        add(
            n,
            vec![
                vec![R(-3.0, 3.0), R(-1.0, 1.0), R(0.1, 4.0)],
                vec![R(-0.4, 0.4), R(-0.2, 0.2), R(4.0, 20.0)],
                // The difference stencil reaches 2 · 1e-3 κ (0.1) either side:
                // it must not cross 49 or 50, where the blend has kinks.
                near(49.11, 49.89),
                near(52.0, 200.0),
            ],
        );
    }
    add("hbm_inv_inc_beta", vec![vec![R(0.5, 5.0), R(0.5, 5.0), R(0.05, 0.95)], vec![R(20.0, 80.0), R(20.0, 80.0), R(0.2, 0.8)]]);
    add("hbm_inc_beta", vec![vec![R(0.3, 10.0), R(0.3, 10.0), R(0.02, 0.98)], vec![R(50.0, 300.0), R(50.0, 300.0), R(0.3, 0.6)]]);
    for n in ["hbm_beta_lcdf", "hbm_beta_lccdf"] {
        add(n, vec![vec![R(0.02, 0.98), R(0.3, 10.0), R(0.3, 10.0)], vec![R(0.3, 0.6), R(50.0, 300.0), R(50.0, 300.0)]]);
    }
    for n in ["hbm_student_t_lcdf", "hbm_student_t_lccdf"] {
        add(n, vec![vec![R(-6.0, 6.0), R(0.5, 30.0), R(-1.0, 1.0), R(0.3, 3.0)], vec![R(-60.0, -20.0), R(1.0, 5.0), R(-1.0, 1.0), R(0.5, 1.0)]]);
    }
    for n in ["hbm_binomial_lcdf", "hbm_binomial_lccdf"] {
        add(n, vec![vec![I(0, 9), I(10, 40), R(0.05, 0.95)]]);
    }
    for n in ["hbm_neg_binomial_2_lcdf", "hbm_neg_binomial_2_lccdf"] {
        add(n, vec![vec![I(0, 30), R(0.3, 20.0), R(0.3, 30.0)]]);
    }
    d
}

/// Calls a scalar symbol with integer and real arguments (in that order) and
/// an optional trailing output pointer.
///
/// # Safety
/// `sym.args` must describe the function; `out` must have room for its partials.
unsafe fn call(sym: &Symbol, ints: &[i64], reals: &[f64], out: *mut f64) -> f64 {
    use CType::{PtrF64 as P, F64 as F, I64 as N};
    type Pp = *mut f64;
    let p = sym.ptr;
    let (i, r) = (ints, reals);
    unsafe {
        match sym.args {
            [F] => std::mem::transmute::<*const u8, extern "C" fn(f64) -> f64>(p)(r[0]),
            [F, F] => {
                std::mem::transmute::<*const u8, extern "C" fn(f64, f64) -> f64>(p)(r[0], r[1])
            }
            [F, F, F] => std::mem::transmute::<*const u8, extern "C" fn(f64, f64, f64) -> f64>(p)(
                r[0], r[1], r[2],
            ),
            [F, F, F, F] => std::mem::transmute::<
                *const u8,
                extern "C" fn(f64, f64, f64, f64) -> f64,
            >(p)(r[0], r[1], r[2], r[3]),
            [F, P] => std::mem::transmute::<*const u8, extern "C" fn(f64, Pp) -> f64>(p)(r[0], out),
            [F, F, P] => std::mem::transmute::<*const u8, extern "C" fn(f64, f64, Pp) -> f64>(p)(
                r[0], r[1], out,
            ),
            [F, F, F, P] => {
                std::mem::transmute::<*const u8, extern "C" fn(f64, f64, f64, Pp) -> f64>(p)(
                    r[0], r[1], r[2], out,
                )
            }
            [F, F, F, F, P] => std::mem::transmute::<
                *const u8,
                extern "C" fn(f64, f64, f64, f64, Pp) -> f64,
            >(p)(r[0], r[1], r[2], r[3], out),
            [F, F, F, F, F] => std::mem::transmute::<*const u8, extern "C" fn(f64, f64, f64, f64, f64) -> f64>(p)(
                r[0], r[1], r[2], r[3], r[4],
            ),
            [F, F, F, F, F, P] => std::mem::transmute::<*const u8, extern "C" fn(f64, f64, f64, f64, f64, Pp) -> f64>(p)(
                r[0], r[1], r[2], r[3], r[4], out,
            ),
            [F, F, F, F, F, F] => std::mem::transmute::<*const u8, extern "C" fn(f64, f64, f64, f64, f64, f64) -> f64>(p)(
                r[0], r[1], r[2], r[3], r[4], r[5],
            ),
            [F, F, F, F, F, F, P] => std::mem::transmute::<*const u8, extern "C" fn(f64, f64, f64, f64, f64, f64, Pp) -> f64>(p)(
                r[0], r[1], r[2], r[3], r[4], r[5], out,
            ),
            [F, F, F, F, F, F, F, F] => std::mem::transmute::<
                *const u8,
                extern "C" fn(f64, f64, f64, f64, f64, f64, f64, f64) -> f64,
            >(p)(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7]),
            [F, F, F, F, F, F, F, F, P] => std::mem::transmute::<
                *const u8,
                extern "C" fn(f64, f64, f64, f64, f64, f64, f64, f64, Pp) -> f64,
            >(p)(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], out),
            [N, F] => {
                std::mem::transmute::<*const u8, extern "C" fn(i64, f64) -> f64>(p)(i[0], r[0])
            }
            [N, F, F] => std::mem::transmute::<*const u8, extern "C" fn(i64, f64, f64) -> f64>(p)(
                i[0], r[0], r[1],
            ),
            [N, N, F] => std::mem::transmute::<*const u8, extern "C" fn(i64, i64, f64) -> f64>(p)(
                i[0], i[1], r[0],
            ),
            [N, F, P] => std::mem::transmute::<*const u8, extern "C" fn(i64, f64, Pp) -> f64>(p)(
                i[0], r[0], out,
            ),
            [N, F, F, P] => {
                std::mem::transmute::<*const u8, extern "C" fn(i64, f64, f64, Pp) -> f64>(p)(
                    i[0], r[0], r[1], out,
                )
            }
            [N, N, F, F] => std::mem::transmute::<*const u8, extern "C" fn(i64, i64, f64, f64) -> f64>(p)(
                i[0], i[1], r[0], r[1],
            ),
            [N, N, F, F, P] => std::mem::transmute::<*const u8, extern "C" fn(i64, i64, f64, f64, Pp) -> f64>(p)(
                i[0], i[1], r[0], r[1], out,
            ),
            [N, N, F, P] => {
                std::mem::transmute::<*const u8, extern "C" fn(i64, i64, f64, Pp) -> f64>(p)(
                    i[0], i[1], r[0], out,
                )
            }
            [N, F, F, F] => std::mem::transmute::<*const u8, extern "C" fn(i64, f64, f64, f64) -> f64>(p)(
                i[0], r[0], r[1], r[2],
            ),
            [N, F, F, F, P] => std::mem::transmute::<*const u8, extern "C" fn(i64, f64, f64, f64, Pp) -> f64>(p)(
                i[0], r[0], r[1], r[2], out,
            ),
            [N, N, N] => std::mem::transmute::<*const u8, extern "C" fn(i64, i64, i64) -> f64>(p)(i[0], i[1], i[2]),
            [N, N, N, P] => {
                std::mem::transmute::<*const u8, extern "C" fn(i64, i64, i64, Pp) -> f64>(p)(i[0], i[1], i[2], out)
            }
            [N, N, N, N] => std::mem::transmute::<*const u8, extern "C" fn(i64, i64, i64, i64) -> f64>(p)(
                i[0], i[1], i[2], i[3],
            ),
            [N, N, N, N, P] => std::mem::transmute::<*const u8, extern "C" fn(i64, i64, i64, i64, Pp) -> f64>(p)(
                i[0], i[1], i[2], i[3], out,
            ),
            other => panic!(
                "{}: signature {other:?} not handled by the test caller",
                sym.name
            ),
        }
    }
}

/// Draws a test point from a box.
fn point(rng: &mut impl rand::Rng, bx: &[Arg]) -> (Vec<i64>, Vec<f64>) {
    let mut ints = vec![];
    let mut reals = vec![];
    for a in bx {
        match *a {
            R(lo, hi) => reals.push(unif(rng, lo, hi)),
            I(lo, hi) => ints.push(rng.random_range(lo..=hi)),
        }
    }
    (ints, reals)
}

fn is_value(k: &SymbolKind) -> bool {
    matches!(k, SymbolKind::Math | SymbolKind::Lpdf)
}

#[test]
fn symbol_table_is_consistent() {
    let syms = symbols();
    let mut seen = std::collections::HashSet::new();
    for s in &syms {
        assert!(
            s.name.starts_with("hbm_"),
            "{} breaks the naming scheme",
            s.name
        );
        assert!(seen.insert(s.name), "{} listed twice", s.name);
        assert!(!s.ptr.is_null());
        assert_eq!(
            s.arity as usize,
            s.args.iter().filter(|t| **t == CType::F64).count()
        );
    }
    // every derived entry points at an existing value function
    for s in &syms {
        let of = match s.kind {
            SymbolKind::Partial { of, .. }
            | SymbolKind::Grad { of }
            | SymbolKind::LpdfGrad { of }
            | SymbolKind::MultiLpdfAdj { of }
            | SymbolKind::ScalarUnconstrain { of }
            | SymbolKind::ConstrainAdj { of }
            | SymbolKind::Unconstrain { of }
            | SymbolKind::LinalgAdj { of }
            | SymbolKind::LpdfBatch { of }
            | SymbolKind::LpdfGradBatch { of } => of,
            _ => continue,
        };
        assert!(seen.contains(of), "{} refers to missing {of}", s.name);
    }
    // every scalar value function has a partial for each real argument or a grad form
    for s in syms.iter().filter(|s| is_value(&s.kind)) {
        let has_grad = syms.iter().any(|g| matches!(g.kind, SymbolKind::Grad { of } | SymbolKind::LpdfGrad { of } if of == s.name));
        let partials = syms
            .iter()
            .filter(|g| matches!(g.kind, SymbolKind::Partial { of, .. } if of == s.name))
            .count();
        assert!(
            has_grad || partials == s.arity as usize,
            "{} lacks derivatives",
            s.name
        );
    }
}

#[test]
fn every_partial_matches_finite_differences() {
    let syms = symbols();
    let doms = domains();
    let mut checked = 0;
    for s in syms.iter().filter(|s| is_value(&s.kind)) {
        // Each function's points come from its name, so a new symbol in the
        // table leaves every other function's points as they were.
        let mut rng = test_rng(s.name.bytes().fold(20240601u64, |h, b| (h ^ b as u64).wrapping_mul(0x100000001b3)));
        let boxes = doms.get(s.name).unwrap_or_else(|| {
            panic!(
                "no test domain for {}: add one in tests/api/derivatives.rs",
                s.name
            )
        });
        let derived: Vec<&Symbol> = syms
            .iter()
            .filter(|g| match g.kind {
                SymbolKind::Partial { of, .. }
                | SymbolKind::Grad { of }
                | SymbolKind::LpdfGrad { of } => of == s.name,
                _ => false,
            })
            .collect();
        for bx in boxes {
            for _ in 0..6 {
                let (ints, reals) = point(&mut rng, bx);
                let f = |x: &[f64]| unsafe { call(s, &ints, x, std::ptr::null_mut()) };
                let v = f(&reals);
                assert!(v.is_finite(), "{} at {ints:?} {reals:?} = {v}", s.name);
                let num = fd_grad(&f, &reals);
                // The analytic partial against the differences, and against
                // differences of a tenth of the step where the first miss
                // (within 0.1 of a pole or of inv_Phi's p = 1 they do).
                let agrees = |a: f64, k: usize| close(a, num[k], 1e-6) || close(a, fd_partial_scaled(&f, &reals, k, 0.1), 1e-6);
                for g in &derived {
                    match g.kind {
                        SymbolKind::Partial { wrt, .. } => {
                            let a = unsafe { call(g, &ints, &reals, std::ptr::null_mut()) };
                            // `wrt` counts every argument; the integer
                            // ones come first and have no differences.
                            let n = num[wrt as usize - ints.len()];
                            assert!(
                                agrees(a, wrt as usize - ints.len()),
                                "{} at {ints:?} {reals:?}: {a:e} vs FD {n:e}",
                                g.name
                            );
                        }
                        _ => {
                            let mut out = vec![f64::NAN; reals.len()];
                            let gv = unsafe { call(g, &ints, &reals, out.as_mut_ptr()) };
                            assert!(
                                close(gv, v, 1e-14),
                                "{} value {gv} differs from {} = {v}",
                                g.name,
                                s.name
                            );
                            for k in 0..reals.len() {
                                assert!(
                                    agrees(out[k], k),
                                    "{} ∂/∂arg{k} at {ints:?} {reals:?}: {:e} vs FD {:e}",
                                    g.name,
                                    out[k],
                                    num[k]
                                );
                            }
                        }
                    }
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 500, "only {checked} checks ran");
}

#[test]
fn densities_never_nan_on_bad_arguments() {
    let syms = symbols();
    let doms = domains();
    let mut rng = test_rng(7);
    let bad = [
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        -1.0,
        0.0,
        1e308,
        -1e308,
        2.0,
    ];
    for s in syms.iter().filter(|s| s.kind == SymbolKind::Lpdf) {
        let grad = syms
            .iter()
            .find(|g| g.kind == SymbolKind::LpdfGrad { of: s.name })
            .expect("grad form");
        let (ints, reals) = point(&mut rng, &doms[s.name][0]);
        for k in 0..reals.len() {
            for &b in &bad {
                let mut r = reals.clone();
                r[k] = b;
                let v = unsafe { call(s, &ints, &r, std::ptr::null_mut()) };
                let mut out = vec![0.0; r.len()];
                let gv = unsafe { call(grad, &ints, &r, out.as_mut_ptr()) };
                assert!(
                    !v.is_nan() && !gv.is_nan(),
                    "{} at {ints:?} {r:?} gave NaN",
                    s.name
                );
                if b.is_nan() {
                    assert_eq!(v, f64::NEG_INFINITY, "{} with NaN argument {k}", s.name);
                }
                assert!(
                    out.iter().all(|g| !g.is_nan()),
                    "{} partials NaN at {r:?}",
                    s.name
                );
                if !gv.is_finite() {
                    assert!(
                        out.iter().all(|g| *g == 0.0),
                        "{} non-zero partials at -inf",
                        s.name
                    );
                }
            }
        }
        for i in 0..ints.len() {
            for b in [-1i64, -100, i64::MAX, i64::MIN] {
                let mut n = ints.clone();
                n[i] = b;
                let v = unsafe { call(s, &n, &reals, std::ptr::null_mut()) };
                assert!(!v.is_nan(), "{} at {n:?} gave NaN", s.name);
            }
        }
    }
}
