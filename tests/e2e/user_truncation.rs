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

/// User densities of a whole vector (and an array of counts) truncated
/// with bounds of one value, vectorised as stanc 2.36 does it (one
/// normalisation per element, or per element of a vector argument), have
/// the log density and gradient of the library's truncated normal and
/// Poisson given the same vectors (E1001 on 76b228b: `<` of a vector).
#[test]
fn truncated_user_densities_of_vectors_equal_the_library_s() {
    corpus::assert_same_density("truncated_user_vector.stan", "truncated_user_vector_closed.stan", "truncated_user_vector.json", 38, 1e-9);
}

/// One element outside the bounds makes the whole vector's log density
/// `-inf`, in both engines and both programs.
#[test]
fn a_vector_with_one_element_outside_the_bounds_has_log_density_minus_infinity() {
    let data = r#"{"N": 3, "x": [0.1, 0.2, 0.3], "y": [0.5, 2.6, 1.0], "L": -1.0, "U": 2.5, "K": 1, "k": [2]}"#;
    for name in ["truncated_user_vector.stan", "truncated_user_vector_closed.stan"] {
        for engine in [Engine::Jit, Engine::Interpreter] {
            let bound = common::oracle::bind_json(name, &corpus::source(name), data, engine).expect("binds");
            let lp = bound.evaluator().log_density(&vec![0.1; bound.dim()]);
            assert!(matches!(lp, Ok(v) if v == f64::NEG_INFINITY), "{name} {engine:?}: {lp:?}");
        }
    }
}

/// A vector truncated by a user density declared with a single-value
/// variate is E0013 naming the rule and the declaration to write (it was
/// E1001, "`<` cannot combine `vector` and `int`", from the expanded bounds
/// test); one value of it still truncates.
#[test]
fn a_vector_truncated_by_a_single_value_density_is_error_e0013() {
    let head = "functions {\n  real my_lpdf(real y, real mu) { return normal_lpdf(y | mu, 1); }\n  \
                real my_lccdf(real y, real mu) { return normal_lccdf(y | mu, 1); }\n}\n\
                data { int N; vector[N] y; }\nparameters { real mu; }\n";
    let errors = corpus::errors(&format!("{head}model {{ y ~ my(mu) T[0, ]; }}\n"));
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].0, "E0013");
    assert!(errors[0].1.contains("a `vector` cannot be truncated by `my`, whose `my_lpdf` takes a single value"), "{}", errors[0].1);
    assert!(corpus::errors(&format!("{head}model {{ y[1] ~ my(mu) T[0, ]; }}\n")).is_empty());
}
