//! Stan's `reduce_sum` and `reduce_sum_static` end to end: equal to the
//! same model written without them (their value is the partial sum over
//! the whole array), JIT = interpreter and gradient = finite differences,
//! a simulated regression fitted back, and the errors of bad calls.

use crate::common;
use common::corpus::{self, errors, source};
use hbmc::model::{Engine, Model};
use hbmc_compiler::bind::read_source;

/// reduce_sum.stan and reduce_sum_by_hand.stan have the same parameters:
/// equal log densities and gradients at 20 points, in both engines.
#[test]
fn reduce_sum_equals_the_same_model_in_plain_stan() {
    corpus::assert_same_density("reduce_sum.stan", "reduce_sum_by_hand.stan", "reduce_sum.json", 7, 1e-10);
}

/// JIT = interpreter and gradient = finite differences at 20 points.
#[test]
fn reduce_sum_passes_the_oracles() {
    common::oracle::check_example("reduce_sum", &source("reduce_sum.stan"), &[corpus::path("reduce_sum.json")]).expect("oracles");
}

/// The regression of make_reduce_sum.py (beta = (0.3, -1.2), a = 1, b =
/// 0.5, sigma = 0.7) is recovered: each truth within 4 posterior sds of
/// its posterior mean. The generated quantities' `reduce_sum` of a
/// normalised `_lpdf` equals `normal_lpdf` of the whole array at every draw.
#[test]
fn a_simulated_regression_through_reduce_sum_is_recovered() {
    let fit = corpus::fit("reduce_sum.stan", "reduce_sum.json");
    fit.assert_recovers(&[("beta.1", 0.3), ("beta.2", -1.2), ("a", 1.0), ("b", 0.5), ("sigma", 0.7)]);
    let check = fit.column("ll_check");
    assert!(check.iter().all(|v| v.abs() < 1e-9), "reduce_sum of normal_lpdf vs normal_lpdf: {:?}", &check[..3]);
}

/// reduce_sum.stan with `from` replaced by `to` (which must occur).
fn edited(from: &str, to: &str) -> String {
    let s = source("reduce_sum.stan");
    assert!(s.contains(from), "{from}");
    s.replacen(from, to, 1)
}

#[test]
fn a_partial_sum_with_the_wrong_signature_is_refused() {
    let cases = [
        // start as a real
        (edited("y_slice, int start, int end, vector x, vector beta", "y_slice, real start, int end, vector x, vector beta"), "start and end"),
        // the slice not an array
        (edited("real partial_normal(array[] real y_slice", "real partial_normal(real y_slice"), "must be an array"),
        // one shared argument too many
        (edited("y_real, 1, x, a, b, sigma", "y_real, 1, x, a, b, sigma, sigma"), "takes 4 shared argument(s)"),
        // a vector result
        (edited("real partial_normal(", "vector partial_normal(").replace("return normal_lpdf(y_slice | a + b * x[start:end], sigma);", "return x;"), "must return `real`"),
    ];
    for (src, why) in cases {
        let e = errors(&src);
        assert_eq!(e.len(), 1, "{e:?}");
        assert_eq!(e[0].0, "E0013", "{e:?}");
        assert!(e[0].1.contains(why), "{why}: {}", e[0].1);
    }
}

#[test]
fn shared_arguments_must_have_the_declared_types() {
    // `beta` (a vector) where `real a` is declared: refused as such, not
    // as whatever the body then does with it.
    let e = errors(&edited("y_real, 1, x, a, b, sigma", "y_real, 1, x, beta, b, sigma"));
    assert_eq!(e.len(), 1, "{e:?}");
    assert_eq!(e[0].0, "E1002");
    assert!(e[0].1.contains("declares `real a`"), "{}", e[0].1);
    // The sliced array of the wrong element type.
    let e = errors(&edited("reduce_sum(partial_bernoulli_lupmf, y_bin,", "reduce_sum(partial_bernoulli_lupmf, y_real,"));
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(e[0].1.contains("sliced argument") && e[0].1.contains("array[] int"), "{}", e[0].1);
    // A real grainsize.
    let e = errors(&edited("y_real, 1, x", "y_real, 1.5, x"));
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(e[0].1.contains("grainsize") && e[0].1.contains("`int`"), "{}", e[0].1);
}

#[test]
fn bad_calls_are_refused() {
    // A grainsize below 1 written in the program.
    let e = errors(&edited("y_real, 1, x", "y_real, 0, x"));
    assert!(e.len() == 1 && e[0].1.contains("at least 1, but is 0"), "{e:?}");
    // Not a user function.
    let e = errors(&edited("reduce_sum_static(partial_normal,", "reduce_sum_static(normal_lpdf,"));
    assert!(e.len() == 1 && e[0].1.contains("must name a function of the `functions` block"), "{e:?}");
    // `_lupdf` outside the model block.
    let e = errors(&edited("reduce_sum(partial_normal_lpdf,", "reduce_sum(partial_normal_lupdf,"));
    assert!(e.len() == 1 && e[0].0 == "E0013" && e[0].1.contains("only in the model block"), "{e:?}");
    // Too few arguments.
    let e = errors(&edited("reduce_sum_static(partial_normal, y_real, 1, x, a, b, sigma)", "reduce_sum_static(partial_normal, y_real)"));
    assert!(e.len() == 1 && e[0].1.contains("takes `(f, x, grainsize, ...)`"), "{e:?}");
}

/// A grainsize from the data below 1 rejects the evaluation with Stan's
/// reason, in both engines.
#[test]
fn a_grainsize_below_one_in_the_data_rejects_the_evaluation() {
    let model = Model::compile("g", &edited("int<lower=1> grainsize;", "int grainsize;")).expect("compiles");
    let json = std::fs::read_to_string(corpus::path("reduce_sum.json")).expect("data").replace("\"grainsize\": 16", "\"grainsize\": 0");
    let data = read_source("d.json", &json).expect("reads");
    for engine in [Engine::Jit, Engine::Interpreter] {
        let bound = model.bind(std::slice::from_ref(&data), engine).expect("binds");
        let err = bound.evaluator().log_density(&vec![0.1; bound.dim()]).expect_err("rejected");
        assert!(err.message.contains("reduce_sum: grainsize must be at least 1, but is 0"), "{engine:?}: {}", err.message);
    }
}
