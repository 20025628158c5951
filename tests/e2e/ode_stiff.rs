//! The stiff solvers (`ode_bdf`, `ode_bdf_tol`, `integrate_ode_bdf`,
//! `ode_adjoint_tol_ctl`: variable-order BDF, `hbmc_stdlib::ode_stiff`)
//! through compiled programs: Robertson's kinetics against published
//! values, a stiff linear system's value and gradient against their closed
//! forms, a step limit that BDF meets and RK45 exhausts, and the solver's
//! errors. JIT = interpreter and gradient = finite differences for the
//! corpus program `ode_stiff` run with the rest of `tests/stan_corpus/`.

use crate::common;
use common::corpus::path as corpus;
use common::draw_column as value;
use common::oracle::bind_json;
use hbmc::model::{BoundModel, Engine};
use hbmc_stdlib::ChainRng;

/// The output draw at `theta` as (column name, value) pairs.
fn draw(m: &BoundModel, theta: &[f64]) -> Vec<(String, f64)> {
    let mut out = Vec::new();
    m.evaluator().write_draw(theta, &mut ChainRng::new(1, 0), &mut out).expect("draw");
    m.output_names().iter().cloned().zip(out).collect()
}

/// Robertson's kinetics at the published rates (the corpus program at its
/// unconstrained origin): the states at t = 0.4 and t = 40 are the
/// reference values (Hairer & Wanner; the CVODES example cvsRoberts prints
/// 9.8517e-01 3.3864e-05 1.4794e-02 and 7.1583e-01 9.1855e-06 2.8416e-01),
/// and the total concentration stays 1.
#[test]
fn robertson_kinetics_match_published_values_in_both_engines() {
    let source = std::fs::read_to_string(corpus("ode_stiff.stan")).expect("program");
    let data = std::fs::read_to_string(corpus("ode_stiff.json")).expect("data");
    let reference = [(1, [0.98517, 3.3864e-5, 0.014794]), (5, [0.7158271, 9.185535e-6, 0.2841637])];
    for engine in [Engine::Jit, Engine::Interpreter] {
        let m = bind_json("ode_stiff", &source, &data, engine).expect("binds");
        let d = draw(&m, &[0.0, 0.0, 0.0]);
        for (t, want) in reference {
            let mut total = 0.0;
            for (i, w) in want.iter().enumerate() {
                let got = value(&d, &format!("y.{t}.{}", i + 1));
                // The references carry 5 and 7 significant digits.
                let digits = if t == 1 { 5e-5 } else { 1e-6 };
                assert!((got - w).abs() <= digits * w, "{engine:?} y[{t}][{}]: {got} vs {w}", i + 1);
                total += got;
            }
            assert!((total - 1.0).abs() < 1e-12, "{engine:?} t index {t}: total {total}");
        }
    }
}

/// Robertson's kinetics to t = 40 at Stan's default tolerances (1e-6)
/// within a step limit of 2000 between output times: `ode_bdf_tol`
/// solves it, `ode_rk45_tol` (held to steps of ~1e-3 by the fast rates:
/// some 47,000) exhausts the limit and rejects the draw.
#[test]
fn bdf_meets_a_step_limit_that_rk45_exhausts() {
    let program = |solver: &str| {
        format!(
            "functions {{
  vector robertson(real t, vector y, real k1, real k2, real k3) {{
    return [-k1 * y[1] + k3 * y[2] * y[3], k1 * y[1] - k3 * y[2] * y[3] - k2 * square(y[2]), k2 * square(y[2])]';
  }}
}}
data {{ array[3] real ts; }}
parameters {{ real<offset=-3.2, multiplier=0.1> log_k1; }}
transformed parameters {{
  array[3] vector[3] y = {solver}(robertson, [1, 0, 0]', 0.0, ts, 1e-6, 1e-6, 2000, exp(log_k1), 3e7, 1e4);
}}
model {{ target += -square(y[3][1] - 0.7); }}"
        )
    };
    let data = r#"{"ts": [0.4, 4, 40]}"#;
    // log_k1 = -3.2 + 0.1 x: x = -0.18879 gives k1 = 0.04.
    let x = [((0.04f64).ln() + 3.2) / 0.1];
    for engine in [Engine::Jit, Engine::Interpreter] {
        let bdf = bind_json("robertson_bdf", &program("ode_bdf_tol"), data, engine).expect("binds");
        let d = draw(&bdf, &x);
        let y1 = value(&d, "y.3.1");
        assert!((y1 - 0.7158271).abs() < 1e-4, "{engine:?}: y1(40) = {y1}");
        let mut g = [0.0];
        let lp = bdf.evaluator().log_density_gradient(&x, &mut g).expect("bdf solves");
        assert!(lp.is_finite() && g[0].is_finite() && g[0] != 0.0, "{engine:?}: {lp} {g:?}");
        let rk45 = bind_json("robertson_rk45", &program("ode_rk45_tol"), data, engine).expect("binds");
        let err = rk45.evaluator().log_density(&x).expect_err("rk45 exhausts the limit");
        assert!(
            err.message.contains("ode_rk45_tol(robertson, ...): max_num_steps exceeded") && err.message.contains("use ode_bdf if the system is stiff"),
            "{engine:?}: {}",
            err.message
        );
    }
}

/// `y1' = -k1 y1`, `y2' = k1 y1 - k2 y2` with k2 = 10^4 k1 (eigenvalues
/// -k1 and -k2): the log density is `y2(t)` and its gradient in the log
/// rates is `k dy2/dk`, both in closed form, through `ode_bdf` (default
/// tolerances 1e-10) and the legacy `integrate_ode_bdf`.
#[test]
fn stiff_linear_chain_value_and_gradient_match_the_closed_form() {
    let source = "functions {
  vector chain(real t, vector y, vector k) {
    return [-k[1] * y[1], k[1] * y[1] - k[2] * y[2]]';
  }
  array[] real chain_legacy(real t, array[] real y, array[] real k, array[] real x_r, array[] int x_i) {
    return {-k[1] * y[1], k[1] * y[1] - k[2] * y[2]};
  }
}
data { array[2] real ts; int legacy; }
parameters { vector[2] log_k; }
model {
  real y2;
  if (legacy) {
    array[2, 2] real y = integrate_ode_bdf(chain_legacy, {2.0, 0.5}, 0.0, ts, to_array_1d(exp(log_k)), rep_array(0.0, 0), rep_array(0, 0));
    y2 = y[2, 2];
  } else {
    array[2] vector[2] y = ode_bdf(chain, [2.0, 0.5]', 0.0, ts, exp(log_k));
    y2 = y[2][2];
  }
  target += y2;
}";
    let t = 1.5;
    let closed = |k1: f64, k2: f64| {
        let (e1, e2) = ((-k1 * t).exp(), (-k2 * t).exp());
        let (y10, y20) = (2.0, 0.5);
        let r = k1 / (k2 - k1);
        let d = (k2 - k1) * (k2 - k1);
        let y2 = y20 * e2 + y10 * r * (e1 - e2);
        let dk1 = y10 * (k2 / d * (e1 - e2) - r * t * e1);
        let dk2 = -t * y20 * e2 + y10 * (-k1 / d * (e1 - e2) + r * t * e2);
        (y2, [k1 * dk1, k2 * dk2])
    };
    for legacy in [0, 1] {
        let data = format!(r#"{{"ts": [0.001, {t}], "legacy": {legacy}}}"#);
        for engine in [Engine::Jit, Engine::Interpreter] {
            let m = bind_json("chain", source, &data, engine).expect("binds");
            for x in [[0.0, 4.0f64 * 10f64.ln()], [-0.5, 3.5 * 10f64.ln()], [0.7, 5.0 * 10f64.ln()]] {
                let (want, want_g) = closed(x[0].exp(), x[1].exp());
                let mut g = [0.0; 2];
                let lp = m.evaluator().log_density_gradient(&x, &mut g).expect("solves");
                assert!((lp - want).abs() < 1e-8, "legacy {legacy} {engine:?} {x:?}: {lp} vs {want}");
                for i in 0..2 {
                    assert!((g[i] - want_g[i]).abs() < 1e-7 * want_g[i].abs().max(1.0), "legacy {legacy} {engine:?} {x:?} d/dx[{i}]: {} vs {}", g[i], want_g[i]);
                }
            }
        }
    }
}

/// The stiff solvers' bad inputs reject the draw with the same reasons as
/// RK45's, naming the call.
#[test]
fn bdf_solver_errors_reject_the_draw_with_the_reason() {
    let decay = "functions { vector decay(real t, vector y, real k) { return -k * y; } }
data { array[3] real ts; real t0; int steps; }
parameters { real log_k; }
model {
  array[3] vector[1] y = ode_bdf_tol(decay, [1.0]', t0, ts, 1e-8, 1e-8, steps, exp(log_k));
  target += -square(y[3][1] - 0.5);
}";
    let cases = [
        (r#"{"ts": [1, 2, 3], "t0": 1, "steps": 1000}"#, "the initial time t0 must be before the first output time ts[1]"),
        (r#"{"ts": [1, 3, 2], "t0": 0, "steps": 1000}"#, "the output times ts must be strictly increasing"),
        (r#"{"ts": [1, 2, 3000], "t0": 0, "steps": 5}"#, "max_num_steps exceeded"),
        (r#"{"ts": [1, 2, 3], "t0": 0, "steps": 0}"#, "max_num_steps a positive integer"),
    ];
    for engine in [Engine::Jit, Engine::Interpreter] {
        for (data, reason) in cases {
            let m = bind_json("ode", decay, data, engine).expect("binds");
            let err = m.evaluator().log_density(&[0.0]).expect_err("rejected");
            assert!(err.message.contains("ode_bdf_tol(decay, ...)") && err.message.contains(reason), "{engine:?} {data}: {}", err.message);
            assert!(!err.message.contains("use ode_bdf"), "{engine:?} {data}: {}", err.message);
            let mut g = [0.0];
            assert!(m.evaluator().log_density_gradient(&[0.0], &mut g).is_err());
        }
        let ok = bind_json("ode", decay, r#"{"ts": [1, 2, 3], "t0": 0, "steps": 1000}"#, engine).expect("binds");
        let lp = ok.evaluator().log_density(&[0.0]).expect("solves");
        assert!((lp + ((-3.0f64).exp() - 0.5).powi(2)).abs() < 1e-7, "{lp}");
    }
    // A right-hand side that rejects (from some time on): the draw is
    // rejected, naming the call, not retried to a step size underflow.
    let rejecting = "functions { vector f(real t, vector y, real k) { if (t > 0.5) reject(\"k too large: \", k); return -k * y; } }
data { array[1] real ts; }
parameters { real k; }
model { array[1] vector[1] y = ode_bdf(f, [1.0]', 0.0, ts, k); }";
    for engine in [Engine::Jit, Engine::Interpreter] {
        let m = bind_json("ode", rejecting, r#"{"ts": [1]}"#, engine).expect("binds");
        let err = m.evaluator().log_density(&[0.3]).expect_err("rejected");
        assert!(err.message.contains("ode_bdf(f, ...)") && err.message.contains("the right-hand side"), "{engine:?}: {}", err.message);
    }
}
