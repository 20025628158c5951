//! The ODE solvers (`integrate_ode_*`, `ode_*`) against closed forms, their
//! errors, and a short fit to a simulated truth. JIT = interpreter and
//! gradient = finite differences for the same programs run with the rest of
//! `tests/stan_corpus/` (`stan_programs.rs`).

use crate::common;
use common::hbmc;
use common::corpus::path as corpus;
use common::oracle::bind_json;
use common::draw_column as value;
use hbmc::model::{BoundModel, Engine};
use hbmc_stdlib::ChainRng;

fn bind_corpus(name: &str, engine: Engine) -> BoundModel {
    let source = std::fs::read_to_string(corpus(&format!("{name}.stan"))).expect("program");
    let data = std::fs::read_to_string(corpus(&format!("{name}.json"))).expect("data");
    bind_json("ode", &source, &data, engine).expect("binds")
}

/// The output draw at `theta` as (column name, value) pairs.
fn draw(m: &BoundModel, theta: &[f64]) -> Vec<(String, f64)> {
    let mut out = Vec::new();
    m.evaluator().write_draw(theta, &mut ChainRng::new(1, 0), &mut out).expect("draw");
    m.output_names().iter().cloned().zip(out).collect()
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
            let m = bind_json("ode", DECAY, data, engine).expect("binds");
            let err = m.evaluator().log_density(&[0.0]).expect_err("rejected");
            assert!(err.message.contains("ode_rk45_tol(decay, ...)") && err.message.contains(reason), "{engine:?} {data}: {}", err.message);
            let mut g = [0.0];
            assert!(m.evaluator().log_density_gradient(&[0.0], &mut g).is_err());
        }
        let ok = bind_json("ode", DECAY, r#"{"ts": [1, 2, 3], "t0": 0, "steps": 1000}"#, engine).expect("binds");
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
/// first argument that is not a function, a right-hand side that is not a
/// function of the `functions` block.
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
    let unknown = "data { array[2] real ts; }
parameters { real a; }
model { array[2] vector[1] y = ode_rk45(g, [1.0]', 0.0, ts); a ~ normal(0, 1); }";
    let e = bind_json("ode", unknown, r#"{"ts": [1, 2]}"#, Engine::Jit).expect_err("refused");
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

/// `ode_adjoint_tol_ctl` is the same solve as `ode_bdf_tol` with its
/// forward tolerances: the corpus program `ode_adjoint` written both ways
/// (its `use_adjoint` switch) gives the same log density and gradient at
/// several points, in both engines.
#[test]
fn adjoint_solver_matches_bdf_with_the_same_tolerances() {
    let source = std::fs::read_to_string(corpus("ode_adjoint.stan")).expect("program");
    let data = std::fs::read_to_string(corpus("ode_adjoint.json")).expect("data");
    assert!(data.contains("\"use_adjoint\": 1"), "the corpus data select the adjoint form");
    let bdf_data = data.replace("\"use_adjoint\": 1", "\"use_adjoint\": 0");
    for engine in [Engine::Jit, Engine::Interpreter] {
        let adjoint = bind_json("ode", &source, &data, engine).expect("binds");
        let bdf = bind_json("ode", &source, &bdf_data, engine).expect("binds");
        for point in [[0.1, 0.2, -0.3, 1.0, 0.0, -1.0], [-0.4, 0.5, 0.8, 0.3, -0.6, -2.0]] {
            let (mut ga, mut gb) = ([0.0; 6], [0.0; 6]);
            let la = adjoint.evaluator().log_density_gradient(&point, &mut ga).expect("adjoint solves");
            let lb = bdf.evaluator().log_density_gradient(&point, &mut gb).expect("bdf solves");
            assert!(la.is_finite() && (la - lb).abs() <= 1e-12 * lb.abs().max(1.0), "{engine:?} {point:?}: {la} vs {lb}");
            for (i, (a, b)) in ga.iter().zip(&gb).enumerate() {
                assert!((a - b).abs() <= 1e-9 * b.abs().max(1.0), "{engine:?} {point:?} d/dx[{i}]: {a} vs {b}");
            }
            assert!(ga.iter().any(|g| g.abs() > 1e-3), "a gradient that can differ");
        }
    }
}

/// The adjoint solver's controls are checked as Stan checks them: wrong
/// types and parameter controls when the program is checked, bad values
/// when it runs (the draw is rejected with the control's name).
#[test]
fn adjoint_solver_controls_are_checked() {
    let program = |controls: &str| {
        format!(
            "functions {{ vector f(real t, vector y, real k) {{ return -k * y; }} }}
data {{ array[2] real ts; real rtol; vector[1] atol; int steps; int checkpoints; int interp; int sf; int sb; }}
parameters {{ real<lower=0> k; }}
model {{ array[2] vector[1] y = ode_adjoint_tol_ctl(f, [1.0]', 0.0, ts, {controls}, k); target += -square(y[2][1] - 0.5); }}"
        )
    };
    let good = "rtol, atol, rtol, atol, rtol, rtol, steps, checkpoints, interp, sf, sb";
    let data = |rtol: f64, atol: f64, steps: i64, checkpoints: i64, interp: i64, sf: i64, sb: i64| {
        format!(
            r#"{{"ts": [1, 2], "rtol": {rtol:e}, "atol": [{atol:e}], "steps": {steps}, "checkpoints": {checkpoints}, "interp": {interp}, "sf": {sf}, "sb": {sb}}}"#
        )
    };
    for engine in [Engine::Jit, Engine::Interpreter] {
        let ok = bind_json("ode", &program(good), &data(1e-10, 1e-10, 10000, 100, 1, 2, 1), engine).expect("binds");
        let lp = ok.evaluator().log_density(&[0.0]).expect("solves");
        assert!((lp + (2.0f64.neg_exp() - 0.5).powi(2)).abs() < 1e-8, "{lp}");
        let cases = [
            (data(-1e-6, 1e-10, 10000, 100, 1, 2, 1), "rel_tol_forward must be positive and finite"),
            (data(1e-6, 0.0, 10000, 100, 1, 2, 1), "abs_tol_forward must be positive and finite"),
            (data(1e-6, 1e-6, 0, 100, 1, 2, 1), "max_num_steps must be a positive integer"),
            (data(1e-6, 1e-6, 100, 0, 1, 2, 1), "num_steps_between_checkpoints must be a positive integer"),
            (data(1e-6, 1e-6, 100, 10, 3, 2, 1), "interpolation_polynomial must be 1 or 2"),
            (data(1e-6, 1e-6, 100, 10, 1, 0, 1), "solver_forward must be 1 or 2"),
            (data(1e-6, 1e-6, 100, 10, 1, 1, 5), "solver_backward must be 1 or 2"),
        ];
        for (d, reason) in cases {
            let m = bind_json("ode", &program(good), &d, engine).expect("binds");
            let err = m.evaluator().log_density(&[0.0]).expect_err("rejected");
            assert!(err.message.contains("ode_adjoint_tol_ctl(f, ...)") && err.message.contains(reason), "{engine:?} {d}: {}", err.message);
        }
    }
    let check = |src: &str| hbmc_compiler::front_end(src).diagnostics.iter().filter(|d| d.is_error()).map(|d| d.message.clone()).collect::<Vec<_>>().join("; ");
    let e = check(&program("rtol, rtol, rtol, atol, rtol, rtol, steps, checkpoints, interp, sf, sb"));
    assert!(e.contains("argument 6 of `ode_adjoint_tol_ctl` must be the forward absolute tolerances `abs_tol_forward`, a `vector`"), "{e}");
    let e = check(&program("rtol, atol, rtol, atol, rtol, rtol, 1.5, checkpoints, interp, sf, sb"));
    assert!(e.contains("argument 11 of `ode_adjoint_tol_ctl` must be the maximum number of steps `max_num_steps`, an `int`"), "{e}");
    let e = check(&program("k, atol, rtol, atol, rtol, rtol, steps, checkpoints, interp, sf, sb"));
    assert!(e.contains("argument 5 of `ode_adjoint_tol_ctl`, the forward relative tolerance `rel_tol_forward`, a `real`, must be data"), "{e}");
    let e = check(&program("rtol, atol, rtol, atol, rtol"));
    assert!(e.contains("`ode_adjoint_tol_ctl` takes `(f, y0, t0, ts, rel_tol_forward"), "{e}");
    let short = program(good).replace("vector[1] atol", "vector[2] atol");
    let e = bind_json("ode", &short, r#"{"ts": [1, 2], "rtol": 1e-6, "atol": [1e-6, 1e-6], "steps": 10, "checkpoints": 10, "interp": 1, "sf": 1, "sb": 1}"#, Engine::Jit)
        .expect_err("refused");
    assert!(e.contains("`abs_tol_forward` of size 2 for 1 states"), "{e}");
}

/// Exponential decay `y' = -k y` started at `t0` and read at `ts[i] = s *
/// tau[i] - lag`, with `k`, `y0`, `t0`, `lag` and `s` all parameters: the
/// density `sum w[i] y(ts[i])` and its gradient equal the closed form
/// `y(t) = y0 exp(-k (t - t0))` and its derivatives (in `t0`: `k y`; in
/// `ts[i]`: `-k y`, so in `lag` `k y` and in `s` `-k y tau[i]`, which a
/// mix-up of the output times would change), for every solver form, in
/// both engines.
const DECAY_TIMES: &str = "functions {
  vector decay(real t, vector y, real k) { return -k * y; }
  array[] real decay_legacy(real t, array[] real y, array[] real theta, array[] real x_r, array[] int x_i) {
    return { -theta[1] * y[1] };
  }
}
data { int T; array[T] real tau; vector[T] w; vector[1] atol; }
parameters { real k; real y0; real t0; real lag; real s; }
model {
  array[T] real ts;
  for (i in 1:T) ts[i] = s * tau[i] - lag;
  array[T] vector[1] y = SOLVE;
  for (i in 1:T) target += w[i] * y[i][1];
}";

#[test]
fn times_that_depend_on_parameters_have_the_closed_form_gradient() {
    let solves = [
        ("ode_rk45_tol", "ode_rk45_tol(decay, [y0]', t0, ts, 1e-10, 1e-10, 100000, k)", 1e-8),
        ("ode_ckrk", "ode_ckrk(decay, [y0]', t0, ts, k)", 1e-5),
        ("ode_bdf_tol", "ode_bdf_tol(decay, [y0]', t0, ts, 1e-10, 1e-10, 100000, k)", 1e-8),
        ("ode_adams", "ode_adams(decay, [y0]', t0, ts, k)", 1e-5),
        (
            "ode_adjoint_tol_ctl",
            "ode_adjoint_tol_ctl(decay, [y0]', t0, ts, 1e-10, atol, 1e-10, atol, 1e-10, 1e-10, 100000, 150, 1, 2, 2, k)",
            1e-8,
        ),
        (
            "integrate_ode_rk45",
            "integrate_ode_rk45(decay_legacy, {y0}, t0, ts, {k}, rep_array(0.0, 0), rep_array(0, 0), 1e-10, 1e-10, 100000)",
            1e-8,
        ),
        (
            "integrate_ode_bdf",
            "integrate_ode_bdf(decay_legacy, {y0}, t0, ts, {k}, rep_array(0.0, 0), rep_array(0, 0), 1e-10, 1e-10, 100000)",
            1e-8,
        ),
    ];
    let tau = [1.0, 1.5, 2.5, 4.0];
    let w = [0.7, -1.3, 2.1, 0.4];
    let data = r#"{"T": 4, "tau": [1.0, 1.5, 2.5, 4.0], "w": [0.7, -1.3, 2.1, 0.4], "atol": [1e-10]}"#;
    for (name, call, tol) in solves {
        // The legacy forms return arrays of arrays: read their rows as vectors.
        let source = if name.starts_with("integrate_") {
            let rows = format!("array[T, 1] real ya = {call};\n  array[T] vector[1] y;\n  for (i in 1:T) y[i] = to_vector(ya[i]);");
            DECAY_TIMES.replace("array[T] vector[1] y = SOLVE;", &rows)
        } else {
            DECAY_TIMES.replace("SOLVE", call)
        };
        for engine in [Engine::Jit, Engine::Interpreter] {
            let m = bind_json("ode", &source, data, engine).unwrap_or_else(|e| panic!("{name}: {e}"));
            for [k, y0, t0, lag, s] in [[0.7f64, 2.0, -0.5, 0.3, 1.0], [1.3, -0.8, 0.2, -0.4, 0.8], [0.2, 1.5, 0.6, 0.1, 1.3]] {
                let x = [k, y0, t0, lag, s];
                let (mut lp, mut g) = (0.0, [0.0; 5]);
                for i in 0..4 {
                    let t = s * tau[i] - lag;
                    let y = y0 * (-k * (t - t0)).exp();
                    lp += w[i] * y;
                    g[0] += w[i] * y * -(t - t0);
                    g[1] += w[i] * y / y0;
                    g[2] += w[i] * k * y;
                    g[3] += w[i] * k * y;
                    g[4] += w[i] * -k * y * tau[i];
                }
                let mut got = [0.0; 5];
                let value = m.evaluator().log_density_gradient(&x, &mut got).unwrap_or_else(|e| panic!("{name} {engine:?} {x:?}: {}", e.message));
                assert!((value - lp).abs() <= tol * lp.abs().max(1.0), "{name} {engine:?} {x:?}: {value} vs {lp}");
                for (i, (a, b)) in got.iter().zip(&g).enumerate() {
                    assert!((a - b).abs() <= tol * b.abs().max(1.0), "{name} {engine:?} {x:?} d/dx[{i}]: {a} vs {b}");
                }
            }
        }
    }
}

/// Times that depend on parameters are checked at each draw as data times
/// are: a lag that moves `ts[1]` to `t0` or before, or a stretch that
/// reverses `ts`, rejects the draw with the reason, in both engines.
#[test]
fn bad_times_from_parameters_reject_the_draw_with_the_reason() {
    let source = DECAY_TIMES.replace("SOLVE", "ode_rk45(decay, [y0]', t0, ts, k)");
    let data = r#"{"T": 3, "tau": [1.0, 2.0, 3.0], "w": [1, 1, 1], "atol": [1e-10]}"#;
    for engine in [Engine::Jit, Engine::Interpreter] {
        let m = bind_json("ode", &source, data, engine).expect("binds");
        for (x, reason) in [
            ([0.5, 1.0, 0.0, 1.0, 1.0], "the initial time t0 must be before the first output time ts[1]"),
            ([0.5, 1.0, 2.0, 0.0, 1.0], "the initial time t0 must be before the first output time ts[1]"),
            ([0.5, 1.0, -9.0, 0.0, -1.0], "the output times ts must be strictly increasing"),
        ] {
            let mut g = [0.0; 5];
            let err = m.evaluator().log_density_gradient(&x, &mut g).expect_err("rejected");
            assert!(err.message.contains("ode_rk45(decay, ...)") && err.message.contains(reason), "{engine:?} {x:?}: {}", err.message);
        }
        let mut g = [0.0; 5];
        assert!(m.evaluator().log_density_gradient(&[0.5, 1.0, 0.0, 0.5, 1.0], &mut g).is_ok());
    }
}

/// A short fit of the lag-time pharmacokinetic model (`ode_lag`, output
/// times `ts - tlag`) to its data, simulated at ka = 1.2, ke = 0.25, tlag
/// = 0.3, sigma = 0.1: each truth within 4 posterior sds, and the lag
/// resolved (posterior sd below a fifth of its prior's range).
#[test]
fn lag_time_fits_its_simulated_truth() {
    let dir = common::scratch("stan-ode-lag-fit");
    let (model, data) = (corpus("ode_lag.stan"), corpus("ode_lag.json"));
    let out = hbmc(
        &dir,
        &["run", &model.display().to_string(), "--data", &data.display().to_string(), "--chains", "2", "--warmup", "300", "--draws", "300", "--seed", "26", "--quiet", "--output", "fit"],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let csvs: Vec<_> = (1..=2).map(|c| hbmc_runtime::read_cmdstan_csv(dir.join(format!("fit_{c}.csv"))).expect("chain")).collect();
    for (name, truth) in [("tlag", 0.3), ("ka", 1.2), ("ke", 0.25), ("sigma", 0.1)] {
        let mut v = Vec::new();
        for csv in &csvs {
            v.extend(csv.draws[csv.column_index(name).expect("column")].iter().copied());
        }
        let mean = v.iter().sum::<f64>() / v.len() as f64;
        let sd = (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (v.len() - 1) as f64).sqrt();
        assert!((mean - truth).abs() < 4.0 * sd, "{name}: mean {mean} sd {sd}, truth {truth}");
        if name == "tlag" {
            assert!(sd < 0.1, "tlag: sd {sd}");
        }
    }
}

/// Empty containers of any dimension reach `f` with their types and sizes:
/// `f` scales the decay by `cols(m) + dims(a)[2] + dims(ii)[1] + size(v)`
/// (2 + 3 + 2 + 0 for `matrix[0, 2]`, `array[0, 3] real`, `array[2, 0] int`
/// and `array[0] vector[4]`), so the solution is `y0 exp(-7 k t)` only if
/// every size arrived; both engines, value and gradient in `k`.
#[test]
fn empty_containers_of_any_dimension_reach_f_with_their_sizes() {
    let source = "functions {
  vector f(real t, vector y, real k, matrix m, array[,] real a, array[,] int ii, array[] vector v) {
    return -k * (cols(m) + dims(a)[2] + dims(ii)[1] + size(v)) * y;
  }
}
data { array[2] real ts; }
transformed data {
  matrix[0, 2] m = rep_matrix(0.0, 0, 2);
  array[0, 3] real a = rep_array(0.0, 0, 3);
  array[2, 0] int ii = rep_array(0, 2, 0);
  array[0] vector[4] v = rep_array(rep_vector(0.0, 4), 0);
}
parameters { real k; }
model {
  array[2] vector[1] y = ode_rk45_tol(f, [1.0]', 0.0, ts, 1e-10, 1e-10, 100000, k, m, a, ii, v);
  target += y[1][1] + y[2][1];
}";
    for engine in [Engine::Jit, Engine::Interpreter] {
        let m = bind_json("ode", source, r#"{"ts": [0.5, 1.5]}"#, engine).unwrap_or_else(|e| panic!("{engine:?}: {e}"));
        let k = 0.3f64;
        let exact: f64 = [0.5f64, 1.5].iter().map(|t| (-7.0 * k * t).exp()).sum();
        let d_k: f64 = [0.5f64, 1.5].iter().map(|t| -7.0 * t * (-7.0 * k * t).exp()).sum();
        let mut g = [0.0];
        let lp = m.evaluator().log_density_gradient(&[k], &mut g).expect("solves");
        assert!((lp - exact).abs() < 1e-8 && (g[0] - d_k).abs() < 1e-8, "{engine:?}: {lp} vs {exact}, {} vs {d_k}", g[0]);
    }
}
