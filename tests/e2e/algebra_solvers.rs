//! The algebraic solvers (`solve_newton`, `solve_powell`, their `_tol`
//! forms, `algebra_solver`, `algebra_solver_newton`) against closed-form
//! roots and their closed-form gradients, their errors, and a fit that
//! recovers a parameter through a solver. JIT = interpreter and gradient =
//! finite differences for `tests/stan_corpus/algebra_solvers.stan` run with
//! the rest of the corpus (`stan_programs.rs`).

use crate::common;
use common::hbmc;
use common::corpus::path as corpus;
use common::oracle::bind_json;
use common::draw_column as value;
use hbmc::model::Engine;
use hbmc_stdlib::ChainRng;

/// The roots of every form equal their closed forms: sqrt(theta), A^{-1} b
/// and the nonlinear chain (sqrt(2 phi1), phi2 / x1, log(x2)).
#[test]
fn roots_match_their_closed_forms_in_every_form() {
    let source = std::fs::read_to_string(corpus("algebra_solvers.stan")).expect("program");
    let data = std::fs::read_to_string(corpus("algebra_solvers.json")).expect("data");
    let a = [[4.0, 1.0, 0.5], [1.0, 3.0, -1.0], [0.0, 2.0, 5.0]];
    for engine in [Engine::Jit, Engine::Interpreter] {
        let m = bind_json("algebra", &source, &data, engine).expect("binds");
        for point in [[0.3, -0.2, 0.5, 1.0, -2.0, 0.5, 0.0], [-1.2, 1.1, -0.9, 0.0, 0.3, -0.7, 0.0]] {
            let mut out = Vec::new();
            m.evaluator().write_draw(&point, &mut ChainRng::new(1, 0), &mut out).expect("draw");
            let d: Vec<(String, f64)> = m.output_names().iter().cloned().zip(out).collect();
            let (theta, phi) = (point[0].exp(), [point[1].exp(), point[2].exp()]);
            for col in ["r_newton.1", "r_newton_tol.1", "r_powell_tol.1"] {
                let got = value(&d, col);
                assert!((got - theta.sqrt()).abs() < 1e-12, "{engine:?} {col}: {got} vs {}", theta.sqrt());
            }
            let b = &point[3..6];
            for k in 0..3 {
                let ax: f64 = (0..3).map(|j| a[k][j] * value(&d, &format!("x_linear.{}", j + 1))).sum();
                assert!((ax - b[k]).abs() < 1e-12, "{engine:?} row {k}: {ax} vs {}", b[k]);
            }
            let x1 = (2.0 * phi[0]).sqrt();
            let exact = [x1, phi[1] / x1, (phi[1] / x1).ln()];
            for name in ["x_chain", "x_chain_newton"] {
                for (k, x) in exact.iter().enumerate() {
                    let got = value(&d, &format!("{name}.{}", k + 1));
                    assert!((got - x).abs() < 1e-12, "{engine:?} {name}.{}: {got} vs {x}", k + 1);
                }
            }
        }
    }
}

/// Gradients through the root equal the closed form: with theta = exp(u),
/// `target += sqrt(theta)` through `solve_newton` has d/du = sqrt(theta)/2
/// + 1 (the Jacobian of the lower bound); through the chain, d x3 / d phi2
/// = 1 / phi2 and d x3 / d phi1 = -1 / (2 phi1).
#[test]
fn gradients_match_the_closed_form() {
    let sqrt_model = "functions { vector f(vector y, real theta) { return [square(y[1]) - theta]'; } }
parameters { real<lower=0> theta; }
model { vector[1] r = solve_newton(f, [1.0]', theta); target += r[1]; }";
    let chain_model = "functions {
  vector chain(vector y, vector theta, data array[] real x_r, array[] int x_i) {
    return [square(y[1]) - x_r[1] * theta[1], y[1] * y[2] - theta[2], exp(y[3]) - x_i[1] * y[2]]';
  }
}
parameters { vector[2] phi; }
model { vector[3] x = algebra_solver(chain, [1, 1, 0]', phi, {2.0}, {1}); target += x[3]; }";
    for engine in [Engine::Jit, Engine::Interpreter] {
        let m = bind_json("algebra", sqrt_model, "{}", engine).expect("binds");
        for u in [-1.0, 0.2, 1.5] {
            let mut g = [0.0];
            let lp = m.evaluator().log_density_gradient(&[u], &mut g).expect("solves");
            let theta: f64 = u.exp();
            assert!((lp - (theta.sqrt() + u)).abs() < 1e-12, "{engine:?} {u}: {lp}");
            assert!((g[0] - (theta.sqrt() / 2.0 + 1.0)).abs() < 1e-10, "{engine:?} {u}: {}", g[0]);
        }
        let m = bind_json("algebra", chain_model, "{}", engine).expect("binds");
        for phi in [[0.5, 2.0], [3.0, 0.4]] {
            let mut g = [0.0; 2];
            let lp = m.evaluator().log_density_gradient(&phi, &mut g).expect("solves");
            let x3 = (phi[1] / (2.0 * phi[0]).sqrt()).ln();
            assert!((lp - x3).abs() < 1e-12, "{engine:?} {phi:?}: {lp} vs {x3}");
            assert!((g[0] + 0.5 / phi[0]).abs() < 1e-10 && (g[1] - 1.0 / phi[1]).abs() < 1e-10, "{engine:?} {phi:?}: {g:?}");
        }
    }
}

const NO_ROOT: &str = "functions { vector f(vector y, real c) { return [square(y[1]) + c]'; } }
data { real c; int steps; }
parameters { real a; }
model { vector[1] r = solve_powell_tol(f, [0.5]', 1e-10, 1e-6, steps, a); target += -square(r[1]) + c; }";

/// A solve that fails rejects the evaluation with the reason, never gives
/// a value: no real root (y^2 + a with a > 0), a bad step limit, a guess
/// of NaN, a system that rejects.
#[test]
fn failed_solves_reject_the_draw_with_the_reason() {
    for engine in [Engine::Jit, Engine::Interpreter] {
        let m = bind_json("algebra", NO_ROOT, r#"{"c": 1, "steps": 100}"#, engine).expect("binds");
        let err = m.evaluator().log_density(&[2.0]).expect_err("no root");
        assert!(
            err.message.contains("solve_powell_tol(f, ...)") && (err.message.contains("no root found") || err.message.contains("max_num_steps exceeded")),
            "{engine:?}: {}",
            err.message
        );
        let mut g = [0.0];
        assert!(m.evaluator().log_density_gradient(&[2.0], &mut g).is_err());
        // a = -4 has the root 2 from the guess 0.5.
        let lp = m.evaluator().log_density(&[-4.0]).expect("solves");
        assert!((lp - (-4.0 + 1.0)).abs() < 1e-10, "{engine:?}: {lp}");
        let m = bind_json("algebra", NO_ROOT, r#"{"c": 1, "steps": 0}"#, engine).expect("binds");
        let err = m.evaluator().log_density(&[-4.0]).expect_err("bad controls");
        assert!(err.message.contains("max_num_steps a positive integer"), "{engine:?}: {}", err.message);
        let guess = NO_ROOT.replace("[0.5]'", "[c / 0.0 * 0.0]'");
        let m = bind_json("algebra", &guess, r#"{"c": 1, "steps": 100}"#, engine).expect("binds");
        let err = m.evaluator().log_density(&[-4.0]).expect_err("NaN guess");
        assert!(err.message.contains("the initial guess must be finite"), "{engine:?}: {}", err.message);
        let rejecting = NO_ROOT.replace("return [square(y[1]) + c]';", "if (c < 0) reject(\"c is \", c); return [square(y[1]) + c]';");
        let m = bind_json("algebra", &rejecting, r#"{"c": 1, "steps": 100}"#, engine).expect("binds");
        let err = m.evaluator().log_density(&[-4.0]).expect_err("rejects");
        assert!(err.message.contains("the algebraic system rejected its arguments"), "{engine:?}: {}", err.message);
    }
}

/// What is refused is refused clearly: a wrong argument type, a parameter
/// in the legacy form's data `x_r`, parameter controls, a wrong count, a
/// system of the wrong signature, a name that is not a function.
#[test]
fn bad_solver_calls_are_clear_errors() {
    let check = |src: &str| hbmc_compiler::front_end(src).diagnostics.iter().filter(|d| d.is_error()).map(|d| d.message.clone()).collect::<Vec<_>>().join("; ");
    let legacy = |x_r: &str| {
        format!(
            "functions {{ vector f(vector y, vector theta, data array[] real x_r, array[] int x_i) {{ return y - theta; }} }}
parameters {{ vector[1] t; }}
model {{ vector[1] r = algebra_solver(f, [1.0]', t, {x_r}, {{0}}); target += r[1]; }}"
        )
    };
    let e = check(&legacy("{t[1]}"));
    assert!(e.contains("argument 4 of `algebra_solver`, the real data `x_r`, an `array[] real`, must be data"), "{e}");
    assert!(check(&legacy("{1.0}")).is_empty(), "{}", check(&legacy("{1.0}")));
    let e = check(&legacy("{1.0}").replace("[1.0]'", "{1.0}"));
    assert!(e.contains("argument 2 of `algebra_solver` must be the initial guess `y_guess`, a `vector`, found"), "{e}");
    let e = check(&legacy("{1.0}").replace("{0})", "{0}, 1e-10)"));
    assert!(e.contains("`algebra_solver` takes `(f, y_guess, theta, x_r, x_i)`, optionally followed by `rel_tol, f_tol, max_steps`"), "{e}");
    let variadic = "functions { vector f(vector y, real a) { return y - a; } }
parameters { real a; }
model { vector[1] r = solve_newton_tol(f, [1.0]', a, 1e-6, 100, a); target += r[1]; }";
    let e = check(variadic);
    assert!(e.contains("argument 3 of `solve_newton_tol`, the scaling step `scaling_step`, a `real`, must be data"), "{e}");
    let e = check(&variadic.replace("solve_newton_tol(f, [1.0]', a, 1e-6, 100, a)", "solve_powell(2.0, [1.0]', a)"));
    assert!(e.contains("the first argument of `solve_powell` must name a function"), "{e}");
    // Systems whose signature does not fit the call, when checked.
    let wrong = "functions { real f(vector y, real a) { return y[1] - a; } }
parameters { real a; }
model { vector[1] r = solve_newton(f, [1.0]', a); target += r[1]; }";
    let e = check(wrong);
    assert!(e.contains("`f` passed to `solve_newton` must return a `vector`, not `real`"), "{e}");
    let e = check(&wrong.replace("real f(vector y, real a) { return y[1] - a; }", "vector f(vector y, vector a) { return y - a; }"));
    assert!(e.contains("argument 2 `a` of `f` is declared `vector`, but `solve_newton` passes it a `real`"), "{e}");
    let e = check(&wrong.replace("real f(vector y, real a) { return y[1] - a; }", "vector f(vector y) { return y; }"));
    assert!(e.contains("`f` passed to `solve_newton` takes 1 arguments, but the call gives it 2"), "{e}");
    let e = check(&legacy("{1.0}").replace("data array[] real x_r", "data array[] int x_r"));
    assert!(e.contains("argument 3 `x_r` of `f` is declared `array[] int`, but `algebra_solver` passes it a"), "{e}");
    // A system that fits the signature but cannot be compiled (a vector of
    // the wrong length) is refused when the model is compiled, naming it.
    let short = "functions { vector f(vector y, real a) { return [y[1] - a, 1]'; } }
parameters { real a; }
model { vector[1] r = solve_newton(f, [1.0]', a); target += r[1]; }";
    let e = bind_json("algebra", short, "{}", Engine::Jit).expect_err("refused");
    assert!(e.contains("the algebraic system `f` of `solve_newton`") && e.contains("a value of sizes [2] assigned to a place of sizes [1]"), "{e}");
    let unknown = "parameters { real a; }
model { vector[1] r = solve_newton(g, [1.0]', a); target += r[1]; }";
    let e = bind_json("algebra", unknown, "{}", Engine::Jit).expect_err("refused");
    assert!(e.contains("`g`, which is not a function of the `functions` block (the algebraic system must be one)"), "{e}");
}

/// A fit recovers a parameter seen only through a root: y ~ normal(x, 0.1)
/// where x solves x^3 + x = theta; data simulated at theta = 10 (x = 2).
#[test]
fn a_fit_recovers_a_parameter_through_the_solver() {
    let dir = common::scratch("algebra-fit");
    let model = dir.join("cubic.stan");
    std::fs::write(
        &model,
        "functions { vector cubic(vector x, real theta) { return [x[1]^3 + x[1] - theta]'; } }
data { int N; vector[N] y; }
parameters { real<lower=0> theta; }
transformed parameters { real x = solve_powell(cubic, [1.0]', theta)[1]; }
model { theta ~ lognormal(2, 1); y ~ normal(x, 0.1); }",
    )
    .expect("scratch model");
    let data = dir.join("cubic.json");
    // Draws of normal(2, 0.1) (fixed, so the test is deterministic).
    let y = [2.05, 1.93, 2.11, 1.98, 2.02, 1.87, 2.09, 2.01, 1.96, 2.04, 1.99, 2.08, 1.95, 2.0, 2.03];
    let mean_y = y.iter().sum::<f64>() / y.len() as f64;
    std::fs::write(&data, format!("{{\"N\": {}, \"y\": {:?}}}", y.len(), y)).expect("scratch data");
    let out = hbmc(
        &dir,
        &["run", &model.display().to_string(), "--data", &data.display().to_string(), "--chains", "2", "--warmup", "300", "--draws", "500", "--seed", "5", "--quiet", "--output", "fit"],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let csvs: Vec<_> = (1..=2).map(|c| hbmc_runtime::read_cmdstan_csv(dir.join(format!("fit_{c}.csv"))).expect("chain")).collect();
    let column = |name: &str| -> Vec<f64> { csvs.iter().flat_map(|c| c.draws[c.column_index(name).expect("column")].clone()).collect() };
    let (theta, x) = (column("theta"), column("x"));
    for (t, x) in theta.iter().zip(&x) {
        assert!((x.powi(3) + x - t).abs() < 1e-8, "x = {x} is not the root for theta = {t}");
    }
    // The posterior of x is about normal(mean y, 0.1 / sqrt(N)); theta = x^3 + x.
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let sd_x = 0.1 / (y.len() as f64).sqrt();
    assert!((mean(&x) - mean_y).abs() < 4.0 * sd_x, "x mean {} vs {mean_y}", mean(&x));
    let truth = mean_y.powi(3) + mean_y;
    let sd_theta = (3.0 * mean_y * mean_y + 1.0) * sd_x;
    assert!((mean(&theta) - truth).abs() < 4.0 * sd_theta, "theta mean {} vs {truth} (sd {sd_theta})", mean(&theta));
}
