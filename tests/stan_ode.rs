//! The ODE solvers (`integrate_ode_*`, `ode_*`) against closed forms, their
//! errors, and a short fit to a simulated truth. JIT = interpreter and
//! gradient = finite differences for the same programs run with the rest of
//! `tests/stan_corpus/` (`stan_programs.rs`).

mod common;
use common::hbmc;
use hbmc::model::{BoundModel, Engine, Model, ModelError};
use hbmc_stdlib::ChainRng;

fn corpus(name: &str) -> std::path::PathBuf {
    common::root().join("tests/stan_corpus").join(name)
}

fn bind(source: &str, data: &str, engine: Engine) -> Result<BoundModel, String> {
    let model = Model::compile("ode", source).map_err(|e| format!("{e:?}"))?;
    let data = hbmc_compiler::bind::read_source("data.json", data).map_err(|d| format!("{d:?}"))?;
    model.bind(&[data], engine).map_err(|e| match e {
        ModelError::Diagnostics(d) => d.iter().map(|d| d.message.clone()).collect::<Vec<_>>().join("; "),
        other => other.to_string(),
    })
}

fn bind_corpus(name: &str, engine: Engine) -> BoundModel {
    let source = std::fs::read_to_string(corpus(&format!("{name}.stan"))).expect("program");
    let data = std::fs::read_to_string(corpus(&format!("{name}.json"))).expect("data");
    bind(&source, &data, engine).expect("binds")
}

/// The output draw at `theta` as (column name, value) pairs.
fn draw(m: &BoundModel, theta: &[f64]) -> Vec<(String, f64)> {
    let mut out = Vec::new();
    m.evaluator().write_draw(theta, &mut ChainRng::new(1, 0), &mut out).expect("draw");
    m.output_names().iter().cloned().zip(out).collect()
}

fn value(d: &[(String, f64)], name: &str) -> f64 {
    d.iter().find(|(n, _)| n == name).unwrap_or_else(|| panic!("no column {name}")).1
}

#[test]
fn exponential_decay_matches_its_closed_form() {
    let ts: Vec<f64> = (1..=16).map(|i| 0.25 * i as f64).collect();
    for engine in [Engine::Jit, Engine::Interpreter] {
        let m = bind_corpus("ode_decay", engine);
        // k = exp(-0.3), y0 = exp(0.6); sigma irrelevant.
        let (k, y0) = ((-0.3f64).exp(), 0.6f64.exp());
        let d = draw(&m, &[-0.3, 0.6, 0.0]);
        for (t, time) in ts.iter().enumerate() {
            let exact = y0 * (-k * time).exp();
            for col in [format!("y_legacy.{}.1", t + 1), format!("y_modern.{}.1", t + 1)] {
                let got = value(&d, &col);
                assert!((got - exact).abs() < 1e-8, "{engine:?} {col}: {got} vs {exact}");
            }
        }
    }
}

#[test]
fn harmonic_oscillator_matches_its_closed_form_in_every_form() {
    let ts: Vec<f64> = (1..=10).map(|i| 0.4 * i as f64).collect();
    for engine in [Engine::Jit, Engine::Interpreter] {
        let m = bind_corpus("ode_oscillator", engine);
        let (w, y0, v0) = (0.2f64.exp(), 0.8, -0.4);
        let d = draw(&m, &[0.2, y0, v0, 0.0]);
        for (t, time) in ts.iter().enumerate() {
            let exact = [y0 * (w * time).cos() + v0 / w * (w * time).sin(), -y0 * w * (w * time).sin() + v0 * (w * time).cos()];
            for (i, x) in exact.iter().enumerate() {
                for (name, tol) in [("y_sho", 1e-8), ("y_linear", 1e-8), ("y_legacy", 1e-8), ("y_default", 1e-5)] {
                    let col = format!("{name}.{}.{}", t + 1, i + 1);
                    let got = value(&d, &col);
                    assert!((got - x).abs() < tol, "{engine:?} {col}: {got} vs {x}");
                }
            }
        }
    }
}

/// Arguments of every supported kind reach `f` in the right places: the
/// solution equals its closed form at two points (so a wrong packing order,
/// which changes the rate, would show).
#[test]
fn arrays_of_vectors_and_matrices_and_2d_arrays_reach_f_in_place() {
    for engine in [Engine::Jit, Engine::Interpreter] {
        let m = bind_corpus("ode_arguments", engine);
        for theta in [[0.1, -0.4, -3.0], [-0.7, 0.3, -2.9]] {
            let d = draw(&m, &theta);
            let (diff, exact) = (value(&d, "diff"), value(&d, "exact"));
            assert!(diff.abs() < 1e-8 && exact > 0.0 && exact < 1.0, "{engine:?} {theta:?}: diff {diff}, exact {exact}");
        }
    }
}

/// One ODE call in a user function, called with one state and with two:
/// both match the closed form, so each got its own system.
#[test]
fn a_call_in_a_user_function_gets_a_system_per_size() {
    for engine in [Engine::Jit, Engine::Interpreter] {
        let m = bind_corpus("ode_in_function", engine);
        let d = draw(&m, &[-0.2]);
        for col in ["da", "db"] {
            assert!(value(&d, col).abs() < 1e-8, "{engine:?} {col}: {}", value(&d, col));
        }
    }
}

const DECAY: &str = "functions {
  vector decay(real t, vector y, real k) { return -k * y; }
}
data { array[3] real ts; real t0; int steps; }
parameters { real<lower=0> k; }
model {
  array[3] vector[1] y = ode_rk45_tol(decay, [1.0]', t0, ts, 1e-6, 1e-6, steps, k);
  target += -square(y[3][1] - 0.5);
}";

/// Bad times and an exhausted step limit reject the evaluation with the
/// reason, in both engines, and nothing panics.
#[test]
fn solver_errors_reject_the_draw_with_the_reason() {
    let cases = [
        (r#"{"ts": [1, 2, 3], "t0": 1, "steps": 1000}"#, "the initial time t0 must be before the first output time ts[1]"),
        (r#"{"ts": [1, 3, 2], "t0": 0, "steps": 1000}"#, "the output times ts must be strictly increasing"),
        (r#"{"ts": [1, 2, 3000], "t0": 0, "steps": 5}"#, "max_num_steps exceeded"),
        (r#"{"ts": [1, 2, 3], "t0": 0, "steps": 0}"#, "max_num_steps a positive integer"),
    ];
    for engine in [Engine::Jit, Engine::Interpreter] {
        for (data, reason) in cases {
            let m = bind(DECAY, data, engine).expect("binds");
            let err = m.evaluator().log_density(&[0.0]).expect_err("rejected");
            assert!(err.message.contains("ode_rk45_tol(decay, ...)") && err.message.contains(reason), "{engine:?} {data}: {}", err.message);
            let mut g = [0.0];
            assert!(m.evaluator().log_density_gradient(&[0.0], &mut g).is_err());
        }
        let ok = bind(DECAY, r#"{"ts": [1, 2, 3], "t0": 0, "steps": 1000}"#, engine).expect("binds");
        let lp = ok.evaluator().log_density(&[0.0]).expect("solves");
        assert!((lp + (3.0f64.neg_exp() - 0.5).powi(2)).abs() < 1e-6, "{lp}");
    }
}

trait NegExp {
    fn neg_exp(self) -> f64;
}
impl NegExp for f64 {
    fn neg_exp(self) -> f64 {
        (-self).exp()
    }
}

/// What is refused is refused clearly: an argument of the wrong type, a
/// first argument that is not a function, times that depend on parameters.
#[test]
fn bad_ode_calls_are_clear_errors() {
    let check = |src: &str| hbmc_compiler::front_end(src).diagnostics.iter().filter(|d| d.is_error()).map(|d| d.message.clone()).collect::<Vec<_>>().join("; ");
    let wrong_type = "functions { vector f(real t, vector y) { return -y; } }
data { array[2] real ts; }
parameters { real a; }
model { array[2] vector[1] y = ode_rk45(f, {1.0}, 0.0, ts); a ~ normal(0, 1); }";
    let e = check(wrong_type);
    assert!(e.contains("argument 2 of `ode_rk45` must be the initial state `y0`, a `vector`"), "{e}");
    let not_function = "data { array[2] real ts; }
parameters { real a; }
model { array[2] vector[1] y = ode_rk45(1.0, [1.0]', 0.0, ts); a ~ normal(0, 1); }";
    let e = check(not_function);
    assert!(e.contains("the first argument of `ode_rk45` must name a function"), "{e}");
    let param_times = "functions { vector f(real t, vector y) { return -y; } }
parameters { real<lower=0> a; }
model { array[1] vector[1] y = ode_rk45(f, [1.0]', 0.0, {a}); a ~ normal(0, 1); }";
    let e = bind(param_times, "{}", Engine::Jit).expect_err("refused");
    assert!(e.contains("ODE output times `ts` depending on parameters"), "{e}");
    let unknown = "data { array[2] real ts; }
parameters { real a; }
model { array[2] vector[1] y = ode_rk45(g, [1.0]', 0.0, ts); a ~ normal(0, 1); }";
    let e = bind(unknown, r#"{"ts": [1, 2]}"#, Engine::Jit).expect_err("refused");
    assert!(e.contains("`g`, which is not a function of the `functions` block"), "{e}");
}

/// A short fit of the decay model to data simulated at k = 0.7, y0 = 2,
/// sigma = 0.05: each truth within 4 posterior sds.
#[test]
fn decay_fits_its_simulated_truth() {
    let dir = common::scratch("stan-ode-fit");
    let (model, data) = (corpus("ode_decay.stan"), corpus("ode_decay.json"));
    let out = hbmc(
        &dir,
        &["run", &model.display().to_string(), "--data", &data.display().to_string(), "--chains", "2", "--warmup", "300", "--draws", "300", "--seed", "11", "--quiet", "--output", "fit"],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let csvs: Vec<_> = (1..=2).map(|c| hbmc_runtime::read_cmdstan_csv(dir.join(format!("fit_{c}.csv"))).expect("chain")).collect();
    for (name, truth) in [("k", 0.7), ("y0", 2.0), ("sigma", 0.05)] {
        let mut v = Vec::new();
        for csv in &csvs {
            v.extend(csv.draws[csv.column_index(name).expect("column")].iter().copied());
        }
        let mean = v.iter().sum::<f64>() / v.len() as f64;
        let sd = (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (v.len() - 1) as f64).sqrt();
        assert!((mean - truth).abs() < 4.0 * sd, "{name}: mean {mean} sd {sd}, truth {truth}");
    }
}
