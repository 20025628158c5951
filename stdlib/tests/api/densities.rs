//! Univariate densities: values against direct formulas, normalisation by
//! quadrature or summation, moments that pin down the parameterisation, and
//! the invalid-argument contract.
#![allow(clippy::excessive_precision)] // reference values keep their mpmath digits
use crate::common;
use common::*;
use hbmc_stdlib::dist::*;
use hbmc_stdlib::special::{lbeta, lgamma};
use std::f64::consts::{LN_2, PI};

#[test]
fn values_match_direct_formulas() {
    assert_close(
        normal_lpdf(0.0, 0.0, 1.0),
        -0.9189385332046727,
        1e-15,
        "normal(0|0,1)",
    );
    assert_close(
        std_normal_lpdf(1.0),
        -1.4189385332046727,
        1e-15,
        "std_normal(1)",
    );
    let pdf = |v: f64| v.ln();
    // normal
    let (y, m, s) = (1.3, -0.4, 2.1);
    let z: f64 = (y - m) / s;
    assert_close(
        normal_lpdf(y, m, s),
        pdf((-0.5 * z * z).exp() / (s * (2.0 * PI).sqrt())),
        1e-14,
        "normal",
    );
    assert_close(
        cauchy_lpdf(y, m, s),
        pdf(1.0 / (PI * s * (1.0 + z * z))),
        1e-14,
        "cauchy",
    );
    assert_close(
        double_exponential_lpdf(y, m, s),
        pdf((-(y - m).abs() / s).exp() / (2.0 * s)),
        1e-14,
        "laplace",
    );
    assert_close(
        logistic_lpdf(y, m, s),
        pdf((-z).exp() / (s * (1.0 + (-z).exp()).powi(2))),
        1e-14,
        "logistic",
    );
    let nu: f64 = 3.5;
    let t = (lgamma((nu + 1.0) / 2.0) - lgamma(nu / 2.0)).exp() / ((nu * PI).sqrt() * s)
        * (1.0 + z * z / nu).powf(-(nu + 1.0) / 2.0);
    assert_close(student_t_lpdf(y, nu, m, s), pdf(t), 1e-14, "student_t");
    // Stan's skew double exponential: 2τ(1-τ)/σ exp(-2/σ [(1-τ)(μ-y) or τ(y-μ)])
    let tau: f64 = 0.3;
    assert_close(
        skew_double_exponential_lpdf(y, m, s, tau),
        pdf(2.0 * tau * (1.0 - tau) / s * (-2.0 / s * tau * (y - m)).exp()),
        1e-14,
        "skew_de above",
    );
    assert_close(
        skew_double_exponential_lpdf(-2.0, m, s, tau),
        pdf(2.0 * tau * (1.0 - tau) / s * (-2.0 / s * (1.0 - tau) * (m + 2.0)).exp()),
        1e-14,
        "skew_de below",
    );
    let ly: f64 = y.ln();
    assert_close(
        lognormal_lpdf(y, m, s),
        pdf((-0.5 * ((ly - m) / s).powi(2)).exp() / (y * s * (2.0 * PI).sqrt())),
        1e-14,
        "lognormal",
    );
    assert_close(
        exponential_lpdf(y, 2.5),
        pdf(2.5 * (-2.5 * y).exp()),
        1e-14,
        "exponential",
    );
    let (a, b) = (2.7, 1.9);
    assert_close(
        gamma_lpdf(y, a, b),
        pdf(b.powf(a) / lgamma(a).exp() * y.powf(a - 1.0) * (-b * y).exp()),
        1e-13,
        "gamma",
    );
    assert_close(
        inv_gamma_lpdf(y, a, b),
        pdf(b.powf(a) / lgamma(a).exp() * y.powf(-a - 1.0) * (-b / y).exp()),
        1e-13,
        "inv_gamma",
    );
    assert_close(
        weibull_lpdf(y, a, b),
        pdf(a / b * (y / b).powf(a - 1.0) * (-(y / b).powf(a)).exp()),
        1e-13,
        "weibull",
    );
    assert_close(
        gumbel_lpdf(y, a, b),
        pdf((-(y - a) / b - (-(y - a) / b).exp()).exp() / b),
        1e-13,
        "gumbel",
    );
    assert_close(rayleigh_lpdf(y, b), pdf(y / (b * b) * (-y * y / (2.0 * b * b)).exp()), 1e-13, "rayleigh");
    assert_close(
        beta_lpdf(0.3, a, b),
        pdf(0.3f64.powf(a - 1.0) * 0.7f64.powf(b - 1.0) / lbeta(a, b).exp()),
        1e-13,
        "beta",
    );
    assert_close(uniform_lpdf(0.5, -1.0, 3.0), -(4f64).ln(), 1e-15, "uniform");
    assert_eq!(uniform_lpdf(3.5, -1.0, 3.0), f64::NEG_INFINITY);
    // discrete
    assert_close(bernoulli_lpmf(1, 0.3), 0.3f64.ln(), 1e-15, "bernoulli");
    assert_close(
        bernoulli_logit_lpmf(0, 0.4),
        (1.0 - 1.0 / (1.0 + (-0.4f64).exp())).ln(),
        1e-14,
        "bernoulli_logit",
    );
    assert_close(
        binomial_lpmf(3, 10, 0.4),
        (120.0 * 0.4f64.powi(3) * 0.6f64.powi(7)).ln(),
        1e-14,
        "binomial",
    );
    assert_close(
        binomial_logit_lpmf(3, 10, 0.4f64.ln() - 0.6f64.ln()),
        binomial_lpmf(3, 10, 0.4),
        1e-13,
        "binomial_logit",
    );
    assert_close(
        poisson_lpmf(4, 2.5),
        (2.5f64.powi(4) * (-2.5f64).exp() / 24.0).ln(),
        1e-14,
        "poisson",
    );
    assert_close(
        poisson_log_lpmf(4, 2.5f64.ln()),
        poisson_lpmf(4, 2.5),
        1e-14,
        "poisson_log",
    );
    // NB2: Γ(n+φ)/(n! Γ(φ)) (μ/(μ+φ))^n (φ/(μ+φ))^φ
    let (n, mu, phi) = (7i64, 3.2, 1.7);
    let nb = lgamma(n as f64 + phi) - lgamma(8.0) - lgamma(phi)
        + 7.0 * (mu / (mu + phi)).ln()
        + phi * (phi / (mu + phi)).ln();
    assert_close(neg_binomial_2_lpmf(n, mu, phi), nb, 1e-13, "neg_binomial_2");
    assert_close(
        neg_binomial_2_log_lpmf(n, mu.ln(), phi),
        nb,
        1e-13,
        "neg_binomial_2_log",
    );
    // Poisson limit keeps its precision at huge φ
    assert_close(
        neg_binomial_2_lpmf(4, 2.5, 1e12),
        poisson_lpmf(4, 2.5),
        1e-10,
        "nb2 -> poisson",
    );
    assert_close(
        poisson_log_lpmf(0, -800.0),
        -(-800f64).exp(),
        1e-15,
        "poisson_log tiny rate",
    );
    assert_eq!(poisson_lpmf(0, 0.0), 0.0);
    assert_eq!(poisson_lpmf(1, 0.0), f64::NEG_INFINITY);
    assert_eq!(bernoulli_logit_lpmf(1, 800.0), 0.0);
    assert_close(
        bernoulli_logit_lpmf(0, 800.0),
        -800.0,
        1e-15,
        "bernoulli_logit tail",
    );
}

/// ∫ e^{lpdf} over the support, and ∫ g(y) e^{lpdf}.
fn moment(lp: &dyn Fn(f64) -> f64, g: &dyn Fn(f64) -> f64, a: f64, b: f64) -> f64 {
    integrate(|y| g(y) * lp(y).exp(), a, b)
}

#[test]
fn continuous_densities_integrate_to_one() {
    let inf = f64::INFINITY;
    type Case = (&'static str, Box<dyn Fn(f64) -> f64>, f64, f64);
    let cases: Vec<Case> = vec![
        ("normal", Box::new(|y| normal_lpdf(y, 1.0, 2.0)), -inf, inf),
        ("std_normal", Box::new(std_normal_lpdf), -inf, inf),
        (
            "student_t",
            Box::new(|y| student_t_lpdf(y, 3.0, -1.0, 0.5)),
            -inf,
            inf,
        ),
        (
            "student_t2",
            Box::new(|y| student_t_lpdf(y, 0.7, 0.0, 2.0)),
            -inf,
            inf,
        ),
        ("cauchy", Box::new(|y| cauchy_lpdf(y, 0.5, 3.0)), -inf, inf),
        (
            "double_exponential",
            Box::new(|y| double_exponential_lpdf(y, 0.0, 1.5)),
            -inf,
            0.0,
        ),
        (
            "skew_de",
            Box::new(|y| skew_double_exponential_lpdf(y, 1.0, 2.0, 0.2)),
            -inf,
            1.0,
        ),
        (
            "logistic",
            Box::new(|y| logistic_lpdf(y, 2.0, 0.7)),
            -inf,
            inf,
        ),
        (
            "lognormal",
            Box::new(|y| lognormal_lpdf(y, 0.3, 0.8)),
            0.0,
            inf,
        ),
        (
            "exponential",
            Box::new(|y| exponential_lpdf(y, 2.0)),
            0.0,
            inf,
        ),
        ("gamma", Box::new(|y| gamma_lpdf(y, 2.5, 1.5)), 0.0, inf),
        ("gamma<1", Box::new(|y| gamma_lpdf(y, 0.5, 3.0)), 0.0, inf),
        (
            "inv_gamma",
            Box::new(|y| inv_gamma_lpdf(y, 3.0, 2.0)),
            0.0,
            inf,
        ),
        ("weibull", Box::new(|y| weibull_lpdf(y, 1.7, 2.2)), 0.0, inf),
        ("gumbel", Box::new(|y| gumbel_lpdf(y, 0.5, 1.3)), -inf, inf),
        ("rayleigh", Box::new(|y| rayleigh_lpdf(y, 1.7)), 0.0, inf),
        ("beta", Box::new(|y| beta_lpdf(y, 2.5, 0.7)), 0.0, 1.0),
        (
            "uniform",
            Box::new(|y| uniform_lpdf(y, -1.0, 3.0)),
            -1.0,
            3.0,
        ),
    ];
    for (name, lp, a, b) in &cases {
        let mut total = moment(lp.as_ref(), &|_| 1.0, *a, *b);
        // densities with a kink at the location: integrate the other half too
        if *name == "double_exponential" {
            total += moment(lp.as_ref(), &|_| 1.0, 0.0, inf);
        }
        if *name == "skew_de" {
            // P(Y < μ) = τ in Stan's parameterisation
            assert_close(total, 0.2, 1e-9, "skew_de mass below mu");
            total += moment(lp.as_ref(), &|_| 1.0, 1.0, inf);
        }
        assert_close(total, 1.0, 1e-8, &format!("{name} integrates to {total}"));
    }
}

#[test]
fn moments_pin_the_parameterisation() {
    let inf = f64::INFINITY;
    let id = |y: f64| y;
    assert_close(
        moment(&|y| gamma_lpdf(y, 2.5, 1.5), &id, 0.0, inf),
        2.5 / 1.5,
        1e-8,
        "gamma mean = α/β (rate)",
    );
    assert_close(
        moment(&|y| inv_gamma_lpdf(y, 3.0, 2.0), &id, 0.0, inf),
        1.0,
        1e-8,
        "inv_gamma mean = β/(α-1)",
    );
    assert_close(
        moment(&|y| exponential_lpdf(y, 2.0), &id, 0.0, inf),
        0.5,
        1e-8,
        "exponential mean = 1/β",
    );
    assert_close(
        moment(&|y| weibull_lpdf(y, 1.7, 2.2), &id, 0.0, inf),
        2.2 * lgamma(1.0 + 1.0 / 1.7).exp(),
        1e-8,
        "weibull mean = σ Γ(1+1/α)",
    );
    assert_close(
        moment(&|y| gumbel_lpdf(y, 0.5, 1.3), &id, -inf, inf),
        0.5 + 1.3 * 0.5772156649015328606,
        1e-8,
        "gumbel mean = μ + β γ (location, scale)",
    );
    assert_close(
        moment(&|y| rayleigh_lpdf(y, 1.7), &id, 0.0, inf),
        1.7 * (std::f64::consts::PI / 2.0).sqrt(),
        1e-8,
        "rayleigh mean = σ √(π/2)",
    );
    assert_close(
        moment(&|y| lognormal_lpdf(y, 0.3, 0.8), &id, 0.0, inf),
        (0.3f64 + 0.32).exp(),
        1e-8,
        "lognormal mean",
    );
    assert_close(
        moment(&|y| beta_lpdf(y, 2.5, 0.7), &id, 0.0, 1.0),
        2.5 / 3.2,
        1e-8,
        "beta mean",
    );
    assert_close(
        moment(
            &|y| logistic_lpdf(y, 2.0, 0.7),
            &|y| (y - 2.0).powi(2),
            -inf,
            inf,
        ),
        PI * PI * 0.49 / 3.0,
        1e-8,
        "logistic variance",
    );
}

#[test]
fn mass_functions_sum_to_one() {
    let sum = |f: &dyn Fn(i64) -> f64, hi: i64| (0..=hi).map(|n| f(n).exp()).sum::<f64>();
    assert_close(sum(&|n| bernoulli_lpmf(n, 0.3), 1), 1.0, 1e-15, "bernoulli");
    assert_close(
        sum(&|n| bernoulli_logit_lpmf(n, -1.2), 1),
        1.0,
        1e-15,
        "bernoulli_logit",
    );
    assert_close(
        sum(&|n| binomial_lpmf(n, 25, 0.37), 25),
        1.0,
        1e-13,
        "binomial",
    );
    assert_close(
        sum(&|n| binomial_logit_lpmf(n, 25, 0.8), 25),
        1.0,
        1e-13,
        "binomial_logit",
    );
    assert_close(sum(&|n| poisson_lpmf(n, 7.5), 200), 1.0, 1e-13, "poisson");
    assert_close(
        sum(&|n| poisson_log_lpmf(n, 1.1), 200),
        1.0,
        1e-13,
        "poisson_log",
    );
    assert_close(
        sum(&|n| neg_binomial_2_lpmf(n, 6.0, 2.5), 2000),
        1.0,
        1e-12,
        "neg_binomial_2",
    );
    assert_close(
        sum(&|n| neg_binomial_2_log_lpmf(n, 1.0, 0.8), 5000),
        1.0,
        1e-10,
        "neg_binomial_2_log",
    );
    let mean = (0..=2000)
        .map(|n| n as f64 * neg_binomial_2_lpmf(n, 6.0, 2.5).exp())
        .sum::<f64>();
    assert_close(mean, 6.0, 1e-10, "neg_binomial_2 mean = μ");
    let var = (0..=2000)
        .map(|n| (n as f64 - 6.0).powi(2) * neg_binomial_2_lpmf(n, 6.0, 2.5).exp())
        .sum::<f64>();
    assert_close(
        var,
        6.0 + 36.0 / 2.5,
        1e-9,
        "neg_binomial_2 variance = μ + μ²/φ",
    );
}

#[test]
fn invalid_arguments_give_neg_inf_and_zero_partials() {
    let ninf = f64::NEG_INFINITY;
    assert_eq!(normal_lpdf(0.0, 0.0, 0.0), ninf);
    assert_eq!(normal_lpdf(0.0, 0.0, -1.0), ninf);
    assert_eq!(normal_lpdf(0.0, f64::INFINITY, 1.0), ninf);
    assert_eq!(normal_lpdf_grad(0.0, 0.0, -1.0), (ninf, [0.0; 3]));
    assert_eq!(student_t_lpdf(0.0, 0.0, 0.0, 1.0), ninf);
    assert_eq!(lognormal_lpdf(0.0, 0.0, 1.0), ninf);
    assert_eq!(lognormal_lpdf(-1.0, 0.0, 1.0), ninf);
    assert_eq!(exponential_lpdf(-0.1, 1.0), ninf);
    assert_eq!(gamma_lpdf(-0.1, 1.0, 1.0), ninf);
    assert_eq!(inv_gamma_lpdf(0.0, 1.0, 1.0), ninf);
    assert_eq!(beta_lpdf(1.1, 1.0, 1.0), ninf);
    assert_eq!(beta_lpdf(0.5, 0.0, 1.0), ninf);
    assert_eq!(skew_double_exponential_lpdf(0.0, 0.0, 1.0, 1.0), ninf);
    assert_eq!(uniform_lpdf(0.0, 1.0, 1.0), ninf);
    assert_eq!(bernoulli_lpmf(2, 0.5), ninf);
    assert_eq!(bernoulli_lpmf(1, 1.5), ninf);
    assert_eq!(binomial_lpmf(6, 5, 0.5), ninf);
    assert_eq!(binomial_lpmf(-1, 5, 0.5), ninf);
    assert_eq!(poisson_lpmf(-1, 1.0), ninf);
    assert_eq!(poisson_lpmf(1, f64::INFINITY), ninf);
    assert_eq!(neg_binomial_2_lpmf(1, 0.0, 1.0), ninf);
    assert_eq!(neg_binomial_2_log_lpmf(1, 0.0, -1.0), (ninf));
    assert_eq!(neg_binomial_2_log_lpmf_grad(1, 0.0, -1.0), (ninf, [0.0; 2]));
    // limits at the edge of the support stay NaN-free
    assert_close(
        gamma_lpdf(0.0, 1.0, 2.0),
        LN_2,
        1e-15,
        "gamma(0|1,2) = ln 2",
    );
    assert_eq!(gamma_lpdf(0.0, 2.0, 2.0), ninf);
    assert_eq!(gamma_lpdf(0.0, 0.5, 2.0), f64::INFINITY);
    assert_close(beta_lpdf(0.0, 1.0, 3.0), 3f64.ln(), 1e-15, "beta(0|1,3)");
    assert_close(weibull_lpdf(0.0, 1.0, 2.0), -LN_2, 1e-15, "weibull(0|1,2)");
    assert_eq!(bernoulli_lpmf_grad(0, 0.0), (0.0, [-1.0]));
}
