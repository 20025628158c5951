//! Truncation `T[L, U]`, `T[L, ]` and `T[, U]` of user-defined
//! distributions (issue 13), as stanc expands it: the user's `_lpdf`/`_lpmf`
//! minus the log probability of the interval from the user's `_lcdf` and
//! `_lccdf`, and `-inf` outside the bounds.

use crate::common;
use common::corpus;
use hbmc::model::Engine;

/// A hand-written exponential and Poisson truncated in every form (bounds
/// that are parameters, data and expressions) have the log density and
/// gradient of the library's truncated exponential and Poisson.
#[test]
fn truncated_user_densities_equal_the_library_s_truncated_densities() {
    corpus::assert_same_density("truncated_user.stan", "truncated_user_closed.stan", "truncated_user.json", 34, 1e-9);
}

/// An observation outside the bounds makes the log density `-inf` in both
/// engines, as the library's truncation does.
#[test]
fn an_observation_outside_the_bounds_has_log_density_minus_infinity() {
    let data = r#"{"N": 2, "y": [0.5, 5.5], "U": 5.0, "K": 1, "k": [2]}"#;
    for name in ["truncated_user.stan", "truncated_user_closed.stan"] {
        // The program's own bound on U (`lower=max(y)`) would refuse this
        // data, so it is dropped here.
        let source = corpus::source(name).replace("real<lower=max(y)> U;", "real U;");
        for engine in [Engine::Jit, Engine::Interpreter] {
            let bound = common::oracle::bind_json(name, &source, data, engine).expect("binds");
            let mut ev = bound.evaluator();
            let lp = ev.log_density(&vec![0.1; bound.dim()]);
            assert!(matches!(lp, Ok(v) if v == f64::NEG_INFINITY), "{name} {engine:?}: {lp:?}");
        }
    }
}

/// Truncating a user distribution without the cdf its bounds need is
/// E0013, naming the function to define.
#[test]
fn a_truncation_without_the_user_cdf_it_needs_is_error_e0013() {
    let source = "functions {\n  real myexp_lpdf(real y, real lambda) { return log(lambda) - lambda * y; }\n  \
                  real myexp_lcdf(real y, real lambda) { return log1m_exp(-lambda * y); }\n}\n\
                  data { real y; }\nparameters { real<lower=0> lambda; }\n\
                  model {\n  y ~ myexp(lambda) T[0.5, ];\n  y ~ myexp(lambda) T[, 3];\n}\n";
    let errors = corpus::errors(source);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].0, "E0013");
    assert!(errors[0].1.contains("`myexp_lccdf`"), "{}", errors[0].1);
}
