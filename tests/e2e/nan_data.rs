//! NaN and inf in real data, read as Stan reads them (issue 13).
//!
//! Oracles: a program that skips NaN observations with `is_nan` has the
//! log density (and gradient) of the same program on the data with those
//! observations removed, at 20 points, in the JIT and the interpreter (the
//! same with a NaN kept differs); bounds and ints refuse NaN; NaN data
//! reaching a distribution make `hbmc run` say why no initial point has a
//! finite density; an infinite parameter bound from the data is refused
//! (E5001) rather than giving a NaN density.

use crate::common;
use crate::common::corpus::assert_same_density_bound;
use crate::common::oracle::bind_json;
use hbmc::model::Engine;

/// Normal observations, NaN and infinite ones skipped.
const SKIPS_NAN: &str = r#"
data { int N; vector[N] y; }
parameters { real mu; real<lower=0> sigma; }
model {
  mu ~ normal(0, 5);
  sigma ~ lognormal(0, 1);
  for (n in 1:N) {
    if (is_nan(y[n]) || is_inf(y[n])) continue;
    y[n] ~ normal(mu, sigma);
  }
}
"#;

/// The same model without the skip.
const PLAIN: &str = r#"
data { int N; vector[N] y; }
parameters { real mu; real<lower=0> sigma; }
model {
  mu ~ normal(0, 5);
  sigma ~ lognormal(0, 1);
  y ~ normal(mu, sigma);
}
"#;

#[test]
fn skipping_nan_observations_is_removing_them() {
    let with_nan = r#"{"N": 7, "y": [1.2, NaN, -0.3, "nan", 2.1, "-inf", 0.4]}"#;
    let without = r#"{"N": 4, "y": [1.2, -0.3, 2.1, 0.4]}"#;
    for engine in [Engine::Jit, Engine::Interpreter] {
        let a = bind_json("nan_skip", SKIPS_NAN, with_nan, engine).unwrap_or_else(|e| panic!("{e}"));
        let b = bind_json("nan_plain", PLAIN, without, engine).unwrap_or_else(|e| panic!("{e}"));
        assert_same_density_bound(&format!("{engine:?} skipping NaN"), &a, "removed", &b, 13, 1e-10);
    }
    // The oracle can fail: with one more observation kept the two differ.
    let kept = r#"{"N": 5, "y": [1.2, -0.3, 2.1, 0.4, 0.0]}"#;
    let a = bind_json("nan_kept", SKIPS_NAN, kept, Engine::Jit).unwrap_or_else(|e| panic!("{e}"));
    let b = bind_json("nan_plain", PLAIN, without, Engine::Jit).unwrap_or_else(|e| panic!("{e}"));
    let (mut ea, mut eb) = (a.evaluator(), b.evaluator());
    let x = [0.3, -0.2];
    let (la, lb) = (ea.log_density(&x).expect("evaluates"), eb.log_density(&x).expect("evaluates"));
    assert!((la - lb).abs() > 1e-3, "{la} vs {lb}");
}

#[test]
fn nan_data_in_a_bound_or_an_int_is_refused() {
    let e = bind_json("nan_bound", PLAIN.replace("vector[N] y", "vector<lower=0>[N] y").as_str(), r#"{"N": 2, "y": [1, NaN]}"#, Engine::Jit)
        .expect_err("NaN fails a bound");
    assert!(e.contains("`y[2]` in data.json is NaN, which fails its lower bound 0"), "{e}");
    let e = bind_json("nan_int", PLAIN, r#"{"N": NaN, "y": []}"#, Engine::Jit).expect_err("an int cannot be NaN");
    assert!(e.contains("`N` in data.json is NaN, which is not finite, but `N` holds integers"), "{e}");
}

#[test]
fn run_says_nan_data_make_the_density_nan() {
    let dir = common::scratch("nan_data_run");
    std::fs::write(dir.join("m.stan"), PLAIN).expect("writes the model");
    std::fs::write(dir.join("d.json"), r#"{"N": 3, "y": [1.2, NaN, 0.4]}"#).expect("writes the data");
    let out = common::hbmc(&dir, &["run", "m.stan", "--data", "d.json", "--chains", "1", "--warmup", "10", "--draws", "10", "--quiet", "--output", "fit/m"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(stderr.contains("NaN at every point tried") && stderr.contains("is_nan(y[n])"), "{stderr}");
}


/// An upper bound of +inf from the data is no bound, as Stan reads it
/// (the same density as `real<lower=0> sigma`); one of -inf leaves no
/// value within the bounds, an error.
#[test]
fn an_infinite_parameter_bound_from_the_data_is_no_bound() {
    let source = PLAIN.replace("data { int N; vector[N] y; }", "data { int N; vector[N] y; real U; }").replace("real<lower=0> sigma", "real<lower=0, upper=U> sigma");
    let data = r#"{"N": 1, "y": [1], "U": "inf"}"#;
    let unbounded = bind_json("inf_bound", &source, data, Engine::Jit).unwrap_or_else(|e| panic!("{e}"));
    let plain = bind_json("inf_bound_plain", PLAIN, data, Engine::Jit).unwrap_or_else(|e| panic!("{e}"));
    let (mut a, mut b) = (unbounded.evaluator(), plain.evaluator());
    for x in [[0.3, -1.2], [-0.7, 0.8]] {
        let (la, lb) = (a.log_density(&x).expect("evaluates"), b.log_density(&x).expect("evaluates"));
        assert!((la - lb).abs() < 1e-12 && la.is_finite(), "{la} vs {lb}");
    }
    let e = bind_json("inf_bound", &source, r#"{"N": 1, "y": [1], "U": "-inf"}"#, Engine::Jit).expect_err("an upper bound of -inf is refused");
    assert!(e.contains("the upper bound of parameter `sigma` is -inf from the data, so no value lies within its bounds"), "{e}");
    // A finite bound from the data binds.
    bind_json("inf_bound", &source, r#"{"N": 1, "y": [1], "U": 100}"#, Engine::Jit).unwrap_or_else(|e| panic!("{e}"));
}
