//! The DAE solvers `dae` and `dae_tol` (index-1 DAEs `F(t, yy, yp, ...) =
//! 0` by variable-order BDF, `hbmc_stdlib::ode_stiff::dae_sensitivities`)
//! through compiled programs: states against a closed form in both
//! engines, a DAE written as `yp - f` against the ODE solver, and the
//! errors. JIT = interpreter and gradient = finite differences for the
//! corpus program `dae_decay` run with the rest of `tests/stan_corpus/`.

use crate::common;
use common::corpus::path as corpus;
use common::draw_column as value;
use common::oracle::bind_json;
use hbmc::model::{BoundModel, Engine, Model};
use hbmc_stdlib::ChainRng;

/// The output draw at `theta` as (column name, value) pairs.
fn draw(m: &BoundModel, theta: &[f64]) -> Vec<(String, f64)> {
    let mut out = Vec::new();
    m.evaluator().write_draw(theta, &mut ChainRng::new(1, 0), &mut out).expect("draw");
    m.output_names().iter().cloned().zip(out).collect()
}

/// `dae_decay` at a point: y1 = y10 exp(-k1 t) and the algebraic y2 = k2
/// y1 at every output time, in both engines.
#[test]
fn a_decay_with_an_algebraic_state_matches_its_closed_form() {
    let source = std::fs::read_to_string(corpus("dae_decay.stan")).expect("program");
    let data = std::fs::read_to_string(corpus("dae_decay.json")).expect("data");
    let ts = [0.5, 1.0, 2.0, 4.0];
    let (k1, k2, y10) = (0.8f64, 1.7f64, 1.2f64);
    for engine in [Engine::Jit, Engine::Interpreter] {
        let m = bind_json("dae_decay", &source, &data, engine).expect("binds");
        let d = draw(&m, &[k1.ln(), k2.ln(), y10.ln()]);
        for (i, t) in ts.iter().enumerate() {
            let y1 = y10 * (-k1 * t).exp();
            for (j, want) in [y1, k2 * y1].into_iter().enumerate() {
                let got = value(&d, &format!("y.{}.{}", i + 1, j + 1));
                assert!((got - want).abs() <= 1e-9 * want.abs().max(1e-3), "{engine:?} y[{}][{}]: {got} vs {want}", i + 1, j + 1);
            }
        }
    }
}

/// An ODE written as the DAE `yp - f(t, y) = 0` (a damped, forced
/// oscillator) gives the ODE solver's states, and the same log density
/// gradient, at Stan's default tolerances of each.
#[test]
fn an_ode_written_as_a_dae_agrees_with_ode_bdf() {
    let program = |call: &str| {
        format!(
            "functions {{
  vector f(real t, vector y, real w, real c) {{
    return [y[2], -square(w) * y[1] - c * y[2] + cos(2 * t)]';
  }}
  vector res(real t, vector y, vector yp, real w, real c) {{
    return yp - f(t, y, w, c);
  }}
}}
data {{ array[3] real ts; }}
parameters {{ real log_w; real log_c; vector[2] y0; }}
transformed parameters {{
  array[3] vector[2] y = {call};
}}
model {{
  target += -0.5 * (square(y[3][1] - 0.2) + square(y[2][2] + 0.1)) - 0.5 * dot_self(y0);
}}"
        )
    };
    let ode = program("ode_bdf(f, y0, 0.0, ts, exp(log_w), exp(log_c))");
    let dae = program("dae(res, y0, rep_vector(0, 2), 0.0, ts, exp(log_w), exp(log_c))");
    let data = r#"{"ts": [0.5, 1.5, 3.0]}"#;
    let x = [0.5f64, -1.2, 0.8, -0.3];
    for engine in [Engine::Jit, Engine::Interpreter] {
        let a = bind_json("ode", &ode, data, engine).expect("binds");
        let b = bind_json("dae", &dae, data, engine).expect("binds");
        let (mut ga, mut gb) = ([0.0; 4], [0.0; 4]);
        let la = a.evaluator().log_density_gradient(&x, &mut ga).expect("solves");
        let lb = b.evaluator().log_density_gradient(&x, &mut gb).expect("solves");
        assert!((la - lb).abs() < 1e-7, "{engine:?}: {la} vs {lb}");
        for i in 0..4 {
            assert!((ga[i] - gb[i]).abs() < 1e-6 * ga[i].abs().max(1.0), "{engine:?} d/dx[{i}]: ode {} vs dae {}", ga[i], gb[i]);
        }
    }
}

/// Bad times and step limits reject the draw with the reason, naming the
/// call; output times that depend on parameters are refused when the
/// model is compiled (E5001).
#[test]
fn dae_errors_reject_the_draw_or_refuse_the_program() {
    let decay = "functions { vector r(real t, vector y, vector yp, real k) { return yp + k * y; } }
data { array[3] real ts; real t0; int steps; }
parameters { real log_k; }
model {
  array[3] vector[1] y = dae_tol(r, [1.0]', [-exp(log_k)]', t0, ts, 1e-8, 1e-8, steps, exp(log_k));
  target += -square(y[3][1] - 0.5);
}";
    let cases = [
        (r#"{"ts": [1, 2, 3], "t0": 1, "steps": 1000}"#, "the initial time t0 must be before the first output time ts[1]"),
        (r#"{"ts": [1, 3, 2], "t0": 0, "steps": 1000}"#, "the output times ts must be strictly increasing"),
        (r#"{"ts": [1, 2, 3000], "t0": 0, "steps": 5}"#, "max_num_steps exceeded"),
    ];
    for engine in [Engine::Jit, Engine::Interpreter] {
        for (data, reason) in cases {
            let m = bind_json("dae", decay, data, engine).expect("binds");
            let err = m.evaluator().log_density(&[0.0]).expect_err("rejected");
            assert!(err.message.contains("dae_tol(r, ...)") && err.message.contains(reason), "{engine:?} {data}: {}", err.message);
        }
        let ok = bind_json("dae", decay, r#"{"ts": [1, 2, 3], "t0": 0, "steps": 1000}"#, engine).expect("binds");
        let lp = ok.evaluator().log_density(&[0.0]).expect("solves");
        assert!((lp + ((-3.0f64).exp() - 0.5).powi(2)).abs() < 1e-6, "{lp}");
    }
    let moving = "functions { vector r(real t, vector y, vector yp, real k) { return yp + k * y; } }
parameters { real<lower=0> t1; }
model {
  array[1] vector[1] y = dae(r, [1.0]', [-1.0]', 0.0, {t1}, 1.0);
  target += -square(y[1][1] - 0.5);
}";
    let model = Model::compile("dae", moving).expect("checks");
    let err = match model.bind(&[], Engine::Interpreter) {
        Ok(_) => panic!("a DAE with output times that depend on parameters compiled"),
        Err(e) => format!("{e:?}"),
    };
    assert!(err.contains("E5001") && err.contains("depend on parameters"), "{err}");
}
