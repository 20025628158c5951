//! Count densities with their count terms computed once
//! (`compiler/src/lower/counted_densities.rs`, `compiler/src/ir/data_tables.rs`):
//! `poisson`, `poisson_log`, `binomial` and `binomial_logit`, in every way a
//! program writes them, give the library's full log mass (the stdlib's
//! scalar densities, summed here), in the JIT and in the interpreter; an
//! invalid count still rejects; and the gradient no longer takes an `lgamma`
//! or `lchoose` per observation.

use crate::common;

use common::oracle::bind_json;
use hbmc::model::Engine;
use hbmc_compiler::ir::FunctionKind;
use hbmc_stdlib::dist::{binomial_logit_lpmf, binomial_lpmf, poisson_log_lpmf, poisson_lpmf};

/// Counts, trials and a covariate for `n` observations (deterministic).
fn data(n: usize) -> (Vec<i64>, Vec<i64>, Vec<f64>, String) {
    let x: Vec<f64> = (0..n).map(|i| ((i * 37 % 101) as f64 / 50.0) - 1.0).collect();
    let y: Vec<i64> = (0..n).map(|i| ((i * 13 + 5) % 23) as i64).collect();
    let trials: Vec<i64> = y.iter().enumerate().map(|(i, &k)| k + (i % 7) as i64).collect();
    let json = format!(r#"{{"N": {n}, "y": {y:?}, "T": {trials:?}, "x": {x:?}}}"#);
    (y, trials, x, json)
}

const DATA_BLOCK: &str = "data { int N; array[N] int y; array[N] int T; vector[N] x; }
parameters { real a; real b; }
";

/// Each way of writing each density, with the library's full log mass of
/// one observation `(count, trials, linear predictor)`.
fn forms() -> Vec<(&'static str, fn(i64, i64, f64) -> f64)> {
    vec![
        ("model { y ~ poisson_log(a + b * x); }", |n, _, eta| poisson_log_lpmf(n, eta)),
        ("model { target += poisson_log_lpmf(y | a + b * x); }", |n, _, eta| poisson_log_lpmf(n, eta)),
        ("model { for (n in 1:N) target += poisson_lpmf(y[n] | exp(a + b * x[n])); }", |n, _, eta| poisson_lpmf(n, eta.exp())),
        ("model { for (n in 1:N) y[n] ~ poisson(exp(a + b * x[n])); }", |n, _, eta| poisson_lpmf(n, eta.exp())),
        ("model { y ~ binomial_logit(T, a + b * x); }", |n, t, eta| binomial_logit_lpmf(n, t, eta)),
        ("model { target += binomial_logit_lupmf(y | T, a + b * x); }", |n, t, eta| binomial_logit_lpmf(n, t, eta)),
        ("model { for (n in 1:N) y[n] ~ binomial(T[n], inv_logit(a + b * x[n])); }", |n, t, eta| {
            binomial_lpmf(n, t, 1.0 / (1.0 + (-eta).exp()))
        }),
        ("model { target += binomial_lpmf(y | T, inv_logit(a + b * x)); }", |n, t, eta| binomial_lpmf(n, t, 1.0 / (1.0 + (-eta).exp()))),
    ]
}

#[test]
fn every_form_is_the_library_full_log_mass() {
    let (y, trials, x, json) = data(300);
    for (model, mass) in forms() {
        let source = format!("{DATA_BLOCK}{model}");
        for engine in [Engine::Jit, Engine::Interpreter] {
            let bound = bind_json("count_densities", &source, &json, engine).unwrap_or_else(|e| panic!("{model}: {e}"));
            let mut eval = bound.evaluator();
            for (a, b) in [(0.3, -0.4), (-1.2, 0.8), (1.5, 0.1)] {
                let expected: f64 = (0..y.len()).map(|i| mass(y[i], trials[i], a + b * x[i])).sum();
                let got = eval.log_density(&[a, b]).unwrap_or_else(|e| panic!("{model}: {}", e.message));
                assert!((got - expected).abs() <= 1e-12 * expected.abs(), "{engine:?} {model} at ({a}, {b}): {got} against the library's {expected}");
            }
        }
    }
}

#[test]
fn an_invalid_count_still_rejects() {
    let (mut y, trials, x, _) = data(40);
    y[7] = -1;
    let json = format!(r#"{{"N": 40, "y": {y:?}, "T": {trials:?}, "x": {x:?}}}"#);
    for (model, _) in forms() {
        let source = format!("{DATA_BLOCK}{model}");
        for engine in [Engine::Jit, Engine::Interpreter] {
            let bound = bind_json("count_densities_invalid", &source, &json, engine).unwrap_or_else(|e| panic!("{model}: {e}"));
            let got = bound.evaluator().log_density(&[0.1, 0.2]);
            assert!(matches!(got, Ok(v) if v == f64::NEG_INFINITY) || got.is_err(), "{engine:?} {model}: {got:?} for a count of -1");
        }
    }
}

#[test]
fn the_count_terms_leave_the_log_density_and_its_gradient() {
    let (_, _, _, json) = data(1000);
    for (model, _) in forms() {
        let source = format!("{DATA_BLOCK}{model}");
        let td = common::function_ir(&source, &json, FunctionKind::TransformedData);
        assert!(td.contains("call hbm_lgamma(") || td.contains("call hbm_lchoose("), "{model}: the count terms are not computed with the data:\n{td}");
        for kind in [FunctionKind::LogDensity, FunctionKind::Gradient] {
            let ir = common::function_ir(&source, &json, kind);
            for per_observation in ["hbm_lgamma", "hbm_lchoose"] {
                assert!(!ir.contains(per_observation), "{kind:?} of {model} still calls {per_observation}:\n{ir}");
            }
            // Summed when the data are bound: nothing per observation.
            assert!(ir.contains("load data.data_sum#"), "{kind:?} of {model} does not add the counts' sum:\n{ir}");
        }
    }
    // The vectorised Poisson, written either way, runs the batched kernel
    // (`hbmc check --emit ir` prints the module as the engines run it).
    let dir = common::scratch("count_densities_batched");
    std::fs::write(dir.join("d.json"), &json).expect("scratch data");
    for (i, model) in ["model { y ~ poisson_log(a + b * x); }", "model { target += poisson_log_lpmf(y | a + b * x); }"].iter().enumerate() {
        let file = format!("m{i}.stan");
        std::fs::write(dir.join(&file), format!("{DATA_BLOCK}{model}")).expect("scratch model");
        let out = common::hbmc(&dir, &["check", &file, "--data", "d.json", "--emit", "ir"]);
        let ir = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{model}: {}", String::from_utf8_lossy(&out.stderr));
        assert!(ir.contains("call hbm_poisson_log_uncounted_lpmf_grad_batch("), "{model} is not batched:\n{ir}");
    }
}

/// binomial_logit, written as a loop, vectorised or as `target +=`, runs
/// the batched kernel (`hbm_binomial_logit_uncounted_lpmf_grad_batch`, the
/// trials its second array) instead of one scalar call per observation,
/// and passes both oracles (JIT = interpreter, gradient = finite
/// differences) at 20 points. With the kernel missing from the stdlib's
/// table, the IR check fails (the loop keeps its scalar `_grad` call).
#[test]
fn binomial_logit_likelihoods_run_the_batched_kernel() {
    let (_, _, _, json) = data(700);
    let dir = common::scratch("count_densities_binomial_batched");
    std::fs::write(dir.join("d.json"), &json).expect("scratch data");
    let forms = [
        "model { a ~ normal(0, 1); b ~ normal(0, 1); y ~ binomial_logit(T, a + b * x); }",
        "model { a ~ normal(0, 1); target += binomial_logit_lupmf(y | T, a + b * x); }",
        "model { for (n in 1:N) y[n] ~ binomial_logit(T[n], a + b * x[n]); }",
        "model { for (n in 1:N) target += binomial_logit_lpmf(y[n] | T[n], a * x[n] - b); }",
    ];
    for (i, model) in forms.iter().enumerate() {
        let source = format!("{DATA_BLOCK}{model}");
        let file = format!("m{i}.stan");
        std::fs::write(dir.join(&file), &source).expect("scratch model");
        let out = common::hbmc(&dir, &["check", &file, "--data", "d.json", "--emit", "ir"]);
        let ir = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{model}: {}", String::from_utf8_lossy(&out.stderr));
        assert!(ir.contains("call hbm_binomial_logit_uncounted_lpmf_grad_batch("), "{model} is not batched:\n{ir}");
        assert!(!ir.contains("call hbm_binomial_logit_uncounted_lpmf_grad("), "{model} keeps a scalar call:\n{ir}");
        common::oracle::check_example_json(&format!("binomial_batched_{i}"), &source, &json).unwrap_or_else(|e| panic!("{model}: {e}"));
    }
}
