//! A parameter's lower bound must be below its upper bound, as Stan's
//! `lub_constrain` checks: bounds the data fix in the wrong order are an
//! error naming them when the data are bound (E4033); bounds given per
//! element or by parameters are checked at each evaluation, which rejects
//! with a message naming the parameter (before, each gave a NaN density
//! and `hbmc run` blamed NaN data).

use crate::common::oracle::bind_json;
use hbmc::model::{Engine, Model, ModelError};

const SCALAR: &str = "data { real lo; real hi; } parameters { real<lower=lo, upper=hi> x; } model { x ~ normal(0, 1); }";

#[test]
fn scalar_bounds_from_the_data_in_the_wrong_order_are_an_error() {
    for data in [r#"{"lo": 2, "hi": 1}"#, r#"{"lo": 1, "hi": 1}"#] {
        let e = bind_json("bounds_order", SCALAR, data, Engine::Jit).expect_err("bounds out of order are refused");
        assert!(e.contains("the bounds of parameter `x` are lower = ") && e.contains("must be less than the upper"), "{data}: {e}");
    }
    // The code, E4033: the data are wrong, not the program.
    let model = Model::compile("bounds_order", SCALAR).unwrap_or_else(|e| panic!("{e:?}"));
    let data = hbmc_compiler::bind::read_source("d.json", r#"{"lo": 2, "hi": 1}"#).expect("valid JSON");
    match model.bind(&[data], Engine::Jit) {
        Err(ModelError::Diagnostics(d)) => assert!(d.iter().any(|d| d.code == "E4033"), "{d:?}"),
        other => panic!("expected E4033, got {:?}", other.err()),
    }
    let b = bind_json("bounds_order", SCALAR, r#"{"lo": 1, "hi": 2}"#, Engine::Jit).unwrap_or_else(|e| panic!("{e}"));
    let v = b.evaluator().log_density(&[0.3]).unwrap_or_else(|e| panic!("{}", e.message));
    assert!(v.is_finite(), "{v}");
}

#[test]
fn bounds_per_element_or_of_parameters_reject_each_evaluation_out_of_order() {
    let per_element = "data { vector[2] lo; vector[2] hi; } parameters { vector<lower=lo, upper=hi>[2] b; } model { b ~ normal(0, 1); }";
    let of_parameters = "parameters { real a; real d; real<lower=a, upper=a + d> y; } model { a ~ normal(0, 1); d ~ normal(0, 1); y ~ normal(a, 1); }";
    // (source, data, a point in order, a point out of order, the name)
    let cases = [
        (per_element, r#"{"lo": [0, 1], "hi": [2, 3]}"#, r#"{"lo": [0, 3], "hi": [2, 2]}"#, [0.1, 0.2, 0.0], "`b`"),
        (of_parameters, "{}", "{}", [0.1, 0.5, 0.2], "`y`"),
    ];
    for (source, good, bad, x, name) in cases {
        for engine in [Engine::Jit, Engine::Interpreter] {
            let n = if name == "`b`" { 2 } else { 3 };
            let b = bind_json("bounds_order_run", source, good, engine).unwrap_or_else(|e| panic!("{e}"));
            let v = b.evaluator().log_density(&x[..n]).unwrap_or_else(|e| panic!("{source} {engine:?}: {}", e.message));
            assert!(v.is_finite(), "{source} {engine:?}: {v}");
            let b = bind_json("bounds_order_run", source, bad, engine).unwrap_or_else(|e| panic!("{e}"));
            // Out of order: the data's second element, or d < 0.
            let x_bad = if name == "`b`" { x } else { [0.1, -0.5, 0.2] };
            let e = b.evaluator().log_density(&x_bad[..n]).expect_err("bounds out of order reject");
            assert!(e.message.contains(&format!("the lower bound of {name}")) && e.message.contains("must be less than its upper bound"), "{source} {engine:?}: {}", e.message);
        }
    }
}
