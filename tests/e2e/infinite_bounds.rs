//! Infinite parameter bounds (issue 13): a lower bound of -inf or an
//! upper bound of +inf, written `negative_infinity()` / `positive_infinity()`
//! or given by the data, is no bound, as Stan's transforms read it; an
//! infinite element of a container of bounds is refused at evaluation with
//! a message, not a NaN density.

use crate::common;
use common::corpus;
use hbmc::model::Engine;

/// The twin with only the finite bounds has the same log density and
/// gradient, in both engines.
#[test]
fn infinite_bounds_are_no_bounds() {
    corpus::assert_same_density("infinite_bounds.stan", "infinite_bounds_closed.stan", "infinite_bounds.json", 34, 1e-12);
}

/// Constraining and unconstraining with infinite bounds dropped give the
/// unconstrained point back.
#[test]
fn draws_under_infinite_bounds_unconstrain_to_their_point() {
    let source = corpus::source("infinite_bounds.stan");
    let bound = common::oracle::bind_json("inf_roundtrip", &source, r#"{"L": "-inf", "U": 2}"#, Engine::Jit).expect("binds");
    let names = bound.output_names().to_vec();
    let mut ev = bound.evaluator();
    let mut g = hbmc_stdlib::ChainRng::new(34, 0);
    let x: Vec<f64> = (0..bound.dim()).map(|_| 3.0 * g.uniform() - 1.5).collect();
    let mut z = Vec::new();
    ev.write_draw(&x, &mut g, &mut z).expect("a draw");
    let back = ev.unconstrain_columns(|c| names.iter().position(|n| n == c).map(|k| z[k])).expect("unconstrains");
    for (a, b) in x.iter().zip(&back) {
        assert!((a - b).abs() < 1e-12, "{x:?} came back as {back:?}");
    }
}

/// A container of bounds with an infinite element rejects the evaluation
/// with a message naming the parameter, in both engines.
#[test]
fn an_infinite_element_of_a_container_bound_rejects_with_a_message() {
    let source = "data { int N; vector[N] L; }\nparameters { vector<lower=L>[N] z; }\nmodel { z ~ normal(0, 1); }\n";
    for engine in [Engine::Jit, Engine::Interpreter] {
        let bound = common::oracle::bind_json("inf_elements", source, r#"{"N": 2, "L": [0, "-inf"]}"#, engine).expect("binds");
        let e = bound.evaluator().log_density(&[0.1, 0.2]).expect_err("rejected");
        assert!(e.message.contains("an element of the lower bound of `z` is -inf"), "{engine:?}: {}", e.message);
        let finite = common::oracle::bind_json("inf_elements", source, r#"{"N": 2, "L": [0, -3]}"#, engine).expect("binds");
        assert!(finite.evaluator().log_density(&[0.1, 0.2]).expect("evaluates").is_finite());
    }
}
