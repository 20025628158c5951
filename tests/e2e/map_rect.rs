//! Stan's `map_rect` end to end: equal to the same model written without
//! it (the concatenation of the jobs' results), JIT = interpreter and
//! gradient = finite differences, and the errors of bad calls.

use crate::common;
use common::corpus::{self, errors, source};
use hbmc::model::{Engine, Model};
use hbmc_compiler::bind::read_source;

/// map_rect.stan and map_rect_by_hand.stan have the same parameters:
/// equal log densities and gradients at 20 points, in both engines.
#[test]
fn map_rect_equals_the_same_model_in_plain_stan() {
    corpus::assert_same_density("map_rect.stan", "map_rect_by_hand.stan", "map_rect.json", 11, 1e-10);
}

/// JIT = interpreter and gradient = finite differences at 20 points.
#[test]
fn map_rect_passes_the_oracles() {
    common::oracle::check_example("map_rect", &source("map_rect.stan"), &[corpus::path("map_rect.json")]).expect("oracles");
}

/// map_rect.stan with `from` replaced by `to` (which must occur).
fn edited(from: &str, to: &str) -> String {
    let s = source("map_rect.stan");
    assert!(s.contains(from), "{from}");
    s.replacen(from, to, 1)
}

#[test]
fn a_mapped_function_with_the_wrong_signature_is_refused() {
    for (from, to) in [
        ("vector group_lp(vector phi", "real group_lp(vector phi"),
        ("vector group_lp(vector phi, vector theta", "vector group_lp(vector phi, real theta"),
        ("data array[] real x_r, data array[] int x_i) {\n    return", "data array[] real x_r) {\n    array[1] int x_i = {1};\n    return"),
    ] {
        let e = errors(&edited(from, to));
        assert_eq!(e.len(), 1, "{to}: {e:?}");
        assert_eq!(e[0].0, "E0013");
        assert!(e[0].1.contains("cannot be mapped by `map_rect`"), "{}", e[0].1);
    }
}

#[test]
fn arguments_of_the_wrong_type_or_not_data_are_refused() {
    // The counts given as the real data's place and the exposures as the
    // int data's: the marker names the argument.
    let e = errors(&edited("thetas, expo, y));\n  target += 0.1", "thetas, expo, expo));\n  target += 0.1"));
    assert!(e.iter().any(|(c, m)| *c == "E1002" && m.contains("argument 5 of `map_rect` must be the integer data `x_is`")), "{e:?}");
    // Parameters where data must be.
    let src = edited("array[G] vector[1] thetas;", "array[G] vector[1] thetas;\n  array[G, n] real scaled = expo;\n  scaled[1, 1] = mu;")
        .replacen("thetas, expo, y));\n  target += 0.1", "thetas, scaled, y));\n  target += 0.1", 1);
    let e = errors(&src);
    assert!(e.iter().any(|(c, m)| *c == "E1002" && m.contains("real data `x_rs`") && m.contains("must be data")), "{e:?}");
    // Not a user function.
    let e = errors(&edited("map_rect(group_lp,", "map_rect(normal_lpdf,"));
    assert!(e.len() == 1 && e[0].1.contains("must name a function of the `functions` block"), "{e:?}");
}

/// Job parameters and data of different numbers of jobs reject the
/// evaluation, naming the three sizes, in both engines.
#[test]
fn jobs_that_do_not_match_reject_the_evaluation() {
    let src = edited("array[G, n] real<lower=0> expo;", "array[G - 1, n] real<lower=0> expo;");
    let model = Model::compile("m", &src).expect("compiles");
    let json = std::fs::read_to_string(corpus::path("map_rect.json")).expect("data").replace(", [1.3, 0.9, 1.0]]", "]");
    let data = read_source("d.json", &json).expect("reads");
    for engine in [Engine::Jit, Engine::Interpreter] {
        let bound = model.bind(std::slice::from_ref(&data), engine).expect("binds");
        let err = bound.evaluator().log_density(&vec![0.1; bound.dim()]).expect_err("rejected");
        assert!(err.message.contains("map_rect: the job parameters, real data and int data must have as many jobs, but they have 4, 3 and 4"), "{engine:?}: {}", err.message);
    }
}

/// A job whose result's size depends on its data is refused when the
/// model is compiled with its data (E5001): every job must return as many
/// values as the first.
#[test]
fn a_result_sized_by_the_job_data_is_refused() {
    let src = edited("return [poisson_log_lpmf(x_i | theta[1] + log(to_vector(x_r)))]';", "return rep_vector(theta[1], x_i[1]);");
    let model = Model::compile("m", &src).expect("checks");
    let data = read_source("d.json", &std::fs::read_to_string(corpus::path("map_rect.json")).expect("data")).expect("reads");
    let Err(hbmc::model::ModelError::Diagnostics(d)) = model.bind(&[data], Engine::Interpreter) else { panic!("refused") };
    assert!(d.iter().any(|d| d.code == "E5001"), "{d:?}");
}
