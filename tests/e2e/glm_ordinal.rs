//! `binomial_logit_glm` and `ordered_logistic_glm` end to end: equal to
//! the two densities written out in plain Stan, JIT = interpreter and
//! gradient = finite differences, a simulated data set fitted back, every
//! form Stan has against the density of its linear predictor, and the
//! errors of bad calls.

use crate::common;
use common::corpus::{self, errors, source};
use hbmc::model::{Engine, Model, ModelError};
use hbmc_compiler::bind::read_source;

/// glm_ordinal.stan and glm_ordinal_by_hand.stan (the binomial and
/// ordered logistic log densities written out with `lchoose`,
/// `log1p_exp` and `inv_logit`) have the same parameters: equal log
/// densities and gradients at 20 points, in both engines.
#[test]
fn the_glms_equal_their_densities_written_out() {
    corpus::assert_same_density("glm_ordinal.stan", "glm_ordinal_by_hand.stan", "glm_ordinal.json", 5, 1e-10);
}

/// JIT = interpreter and gradient = finite differences at 20 points.
#[test]
fn the_glms_pass_the_oracles() {
    common::oracle::check_example("glm_ordinal", &source("glm_ordinal.stan"), &[corpus::path("glm_ordinal.json")]).expect("oracles");
}

/// The coefficients and cutpoints make_glm_ordinal.py simulated with are
/// recovered (each within 4 posterior sds of its posterior mean), and at
/// every draw each other form of the two GLMs (one row vector, one
/// outcome for every row, one row for every outcome, a vector `alpha`)
/// equals the density of its linear predictor.
#[test]
fn a_simulated_binomial_and_ordinal_regression_is_recovered() {
    let fit = corpus::fit("glm_ordinal.stan", "glm_ordinal.json");
    fit.assert_recovers(&[
        ("alpha", -0.3), ("beta.1", 0.8), ("beta.2", 0.4), ("gamma.1", 1.0), ("gamma.2", -0.5),
        ("cuts.1", -1.0), ("cuts.2", 0.5), ("cuts.3", 2.0),
    ]);
    for check in ["one_bin", "rows_bin", "one_ord", "same_y_ord", "same_x_ord"] {
        let v = fit.column(check);
        assert!(v.iter().all(|d| d.abs() < 1e-9), "{check}: {:?}", &v[..3]);
    }
}

fn edited(from: &str, to: &str) -> String {
    let s = source("glm_ordinal.stan");
    assert!(s.contains(from), "{from}");
    s.replacen(from, to, 1)
}

#[test]
fn bad_glm_calls_are_refused() {
    // The trials left out.
    let e = errors(&edited("binomial_logit_glm(trials, x, alpha, beta);", "binomial_logit_glm(x, alpha, beta);"));
    assert!(e.len() == 1 && e[0].0 == "E1002" && e[0].1.contains("takes 4 arguments after `|`, but 3 are given"), "{e:?}");
    // An intercept given to ordered_logistic_glm, which has none.
    let e = errors(&edited("ordered_logistic_glm_lupmf(y_ord | x, gamma, cuts)", "ordered_logistic_glm_lupmf(y_ord | x, alpha, gamma, cuts)"));
    assert!(e.len() == 1 && e[0].0 == "E1002" && e[0].1.contains("takes 3 arguments"), "{e:?}");
    // x a vector.
    let e = errors(&edited("ordered_logistic_glm_lupmf(y_ord | x, gamma, cuts)", "ordered_logistic_glm_lupmf(y_ord | gamma, gamma, cuts)"));
    assert!(e.len() == 1 && e[0].1.contains("it must be a matrix"), "{e:?}");
    // Stan has no draw from a GLM.
    let e = errors(&edited("real one_bin =", "array[N] int draw = binomial_logit_glm_rng(trials, x, alpha, beta);\n  real one_bin ="));
    assert!(e.len() == 1 && e[0].0 == "E1003" && e[0].1.contains("Stan has no draw from a GLM"), "{e:?}");
}

/// Sizes that disagree, known once the data are bound, are refused before
/// sampling (E5003): coefficients that do not match the columns of `x`,
/// and outcomes that do not match its rows.
#[test]
fn sizes_that_disagree_are_refused_with_the_data() {
    let data = read_source("d.json", &std::fs::read_to_string(corpus::path("glm_ordinal.json")).expect("data")).expect("reads");
    let refused = |src: &str| {
        let model = Model::compile("m", src).expect("checks");
        match model.bind(std::slice::from_ref(&data), Engine::Interpreter) {
            Err(ModelError::Diagnostics(d)) => d.iter().map(|d| (d.code, d.message.clone())).collect::<Vec<_>>(),
            _ => panic!("not refused"),
        }
    };
    let d = refused(&edited("vector[K] gamma;", "vector[K + 1] gamma;"));
    assert!(d.iter().any(|(c, m)| *c == "E5003" && m.contains("columns")), "{d:?}");
    let d = refused(&edited("y_bin ~ binomial_logit_glm(trials, x, alpha, beta);", "y_bin[2:N] ~ binomial_logit_glm(trials[2:N], x, alpha, beta);"));
    assert!(d.iter().any(|(c, _)| *c == "E5003"), "{d:?}");
    let d = refused(&edited("ordered_logistic_glm_lupmf(y_ord | x, gamma, cuts)", "ordered_logistic_glm_lupmf(y_ord[2:N] | x, gamma, cuts)"));
    assert!(d.iter().any(|(c, _)| *c == "E5003"), "{d:?}");
}
