//! Recursive user functions on `int`/`real` values given values that
//! depend on parameters (issue 13; E0012 on 76b228b). Their calls on data
//! stay calls of a function compiled on its own; the calls the checker
//! finds given parameters are expanded at the call to a depth instead, as
//! recursion on vectors is (`compiler/src/syntax/functions/unrolled.rs`),
//! the levels the data do not reach compiled to nothing. The corpus
//! program `functions_recursive_parameters` (whose oracles, JIT =
//! interpreter and gradient = finite differences, run with the corpus)
//! has the density and gradient of its twin written with loops; data
//! asking for more levels than are expanded reject the evaluation with a
//! message naming the function.

use crate::common;
use common::corpus;
use hbmc::model::Engine;

/// A recursion K levels deep (K from the data), one halving its
/// exponent, and one as deep as its parameter decides, equal the same
/// computations written as loops, value and gradient, in both engines.
#[test]
fn recursion_on_parameters_equals_its_loops() {
    corpus::assert_same_density(
        "functions_recursive_parameters.stan",
        "functions_recursive_parameters_closed.stan",
        "functions_recursive_parameters.json",
        37,
        1e-9,
    );
}

/// Only the calls given parameters are expanded: the call on data in
/// transformed data stays a call of the compiled function (one function
/// in the typed program), and a call with a parameter is expanded only
/// as deep as the data ask (no `reject` of the depth limit is left).
#[test]
fn only_calls_given_parameters_are_expanded_as_deep_as_the_data_ask() {
    let source = corpus::source("functions_recursive_parameters.stan");
    let front = hbmc_compiler::front_end(&source);
    let typed = front.typed.unwrap_or_else(|| panic!("checks: {:?}", front.diagnostics));
    let names: Vec<&str> = typed.functions.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["discounted", "power_of", "scaled_down"]);
    let dir = common::scratch("recursive-scalars-ir");
    let model = "functions {
  real discounted(real r, real x, int n) {
    if (n == 0) return x;
    return x + r * discounted(r, x, n - 1);
  }
}
data { int K; }
parameters { real<lower=0, upper=1> r; }
model { target += -square(discounted(r, 1, K) - 2); }
";
    std::fs::write(dir.join("m.stan"), model).expect("model");
    std::fs::write(dir.join("d.json"), r#"{"K": 5}"#).expect("data");
    let out = common::hbmc(&dir, &["check", "m.stan", "--data", "d.json", "--emit", "ir"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let ir = String::from_utf8_lossy(&out.stdout);
    assert!(!ir.contains("levels deep"), "{ir}");
}

/// Data asking for more levels than are expanded (24 for a function
/// calling itself once) reject the evaluation with a message naming the
/// function, in the JIT and the interpreter; 24 levels evaluate.
#[test]
fn recursion_on_parameters_deeper_than_expanded_rejects_by_name() {
    let source = corpus::source("functions_recursive_parameters.stan");
    for engine in [Engine::Jit, Engine::Interpreter] {
        let ok = common::oracle::bind_json("deep", &source, r#"{"N": 1, "K": 23, "y": [1.0]}"#, engine).expect("binds");
        assert!(ok.evaluator().log_density(&[0.1, 0.2, 0.3]).is_ok(), "{engine:?}");
        let deep = common::oracle::bind_json("deep", &source, r#"{"N": 1, "K": 24, "y": [1.0]}"#, engine);
        // Transformed data's own call is compiled, so binding succeeds.
        let deep = deep.expect("binds");
        let err = deep.evaluator().log_density(&[0.1, 0.2, 0.3]).expect_err("rejected");
        assert!(err.message.contains("the recursive function `discounted` is expanded at each call 24 levels deep, and these data ask for more"), "{engine:?}: {}", err.message);
    }
}
