//! `integrate_1d` against closed-form integrals and their closed-form
//! derivatives, its errors, and xc as Stan defines it. JIT = interpreter
//! and gradient = finite differences for `tests/stan_corpus/integrate_1d.stan`
//! run with the rest of the corpus (`stan_programs.rs`).

use crate::common;
use common::corpus::path as corpus;
use common::oracle::bind_json;
use common::draw_column as value;
use hbmc::model::Engine;
use hbmc_stdlib::ChainRng;

/// The standard normal cdf and erfc: the stdlib's (checked against mpmath
/// in its own tests), independent of `integrate_1d`.
fn phi(z: f64) -> f64 {
    hbmc_stdlib::special::phi(z)
}

fn erfc(x: f64) -> f64 {
    hbmc_stdlib::special::erfc(x)
}

/// The integrals of the corpus program equal their closed forms at two
/// points, in both engines.
#[test]
fn integrals_match_their_closed_forms() {
    let source = std::fs::read_to_string(corpus("integrate_1d.stan")).expect("program");
    let data = std::fs::read_to_string(corpus("integrate_1d.json")).expect("data");
    let c = 0.3;
    for engine in [Engine::Jit, Engine::Interpreter] {
        let m = bind_json("integral", &source, &data, engine).expect("binds");
        for point in [[0.2, -0.4, 0.1, 0.5, 0.3, -0.2], [-1.0, 1.2, -0.6, -0.3, 1.1, 0.7]] {
            let mut out = Vec::new();
            m.evaluator().write_draw(&point, &mut ChainRng::new(1, 0), &mut out).expect("draw");
            let d: Vec<(String, f64)> = m.output_names().iter().cloned().zip(out).collect();
            let (theta, mu, sigma, upper) = (point[0].exp(), point[1], point[2].exp(), point[3].exp());
            let (alpha, beta) = (1.0 + point[4].exp(), 1.0 + point[5].exp());
            let beta_fn = (ln_gamma(alpha) + ln_gamma(beta) - ln_gamma(alpha + beta)).exp();
            let cases = [
                ("i_exp", (theta.exp() - 1.0) / theta, 1e-12),
                ("i_phi", phi((c - mu) / sigma), 1e-10),
                ("i_upper", ((theta * upper).exp() - 1.0) / theta, 1e-12),
                ("i_decay", 2.0 / theta, 1e-12),
                ("i_beta", beta_fn, 1e-10),
            ];
            for (col, exact, tol) in cases {
                let got = value(&d, col);
                assert!((got - exact).abs() <= tol * exact.abs().max(1.0), "{engine:?} {col} at {point:?}: {got} vs {exact}");
            }
        }
    }
}

fn ln_gamma(x: f64) -> f64 {
    hbmc_stdlib::special::lgamma(x)
}

/// Gradients equal the closed forms: d/dtheta of int_0^1 exp(theta x) is
/// (e^theta (theta - 1) + 1) / theta^2; of Phi((c - mu) / sigma) in mu and
/// sigma -phi(z) / sigma and -phi(z) z / sigma; of int_a^b exp(x) in
/// parameter limits a and b, -e^a and e^b.
#[test]
fn gradients_match_the_closed_forms() {
    let exp_model = "functions { real f(real x, real xc, array[] real th, array[] real xr, array[] int xi) { return exp(th[1] * x); } }
parameters { real theta; }
model { target += integrate_1d(f, 0.0, 1.0, {theta}, rep_array(0.0, 0), rep_array(0, 0)); }";
    let phi_model = "functions { real f(real x, real xc, array[] real th, array[] real xr, array[] int xi) { return exp(normal_lpdf(x | th[1], th[2])); } }
data { real c; }
parameters { real mu; real sigma; }
model { target += integrate_1d(f, negative_infinity(), c, {mu, sigma}, rep_array(0.0, 0), rep_array(0, 0), 1e-10); }";
    let limits_model = "functions { real f(real x, real xc, array[] real th, array[] real xr, array[] int xi) { return exp(x); } }
parameters { real a; real b; }
model { target += integrate_1d(f, a, b, rep_array(0.0, 0), rep_array(0.0, 0), rep_array(0, 0)); }";
    for engine in [Engine::Jit, Engine::Interpreter] {
        let m = bind_json("integral", exp_model, "{}", engine).expect("binds");
        for theta in [-2.0f64, 0.5, 3.0] {
            let mut g = [0.0];
            let lp = m.evaluator().log_density_gradient(&[theta], &mut g).expect("integrates");
            assert!((lp - (theta.exp() - 1.0) / theta).abs() < 1e-12, "{engine:?} {theta}: {lp}");
            let exact = (theta.exp() * (theta - 1.0) + 1.0) / (theta * theta);
            assert!((g[0] - exact).abs() < 1e-10, "{engine:?} {theta}: {} vs {exact}", g[0]);
        }
        let m = bind_json("integral", phi_model, r#"{"c": 0.3}"#, engine).expect("binds");
        for (mu, sigma) in [(0.0, 1.0), (1.1, 0.4), (-0.5, 2.5)] {
            let mut g = [0.0; 2];
            let lp = m.evaluator().log_density_gradient(&[mu, sigma], &mut g).expect("integrates");
            let z: f64 = (0.3 - mu) / sigma;
            let density = (-0.5 * z * z).exp() / (2.0 * std::f64::consts::PI).sqrt();
            assert!((lp - phi(z)).abs() < 1e-10, "{engine:?} ({mu}, {sigma}): {lp} vs {}", phi(z));
            assert!((g[0] + density / sigma).abs() < 1e-9, "{engine:?} d/dmu: {} vs {}", g[0], -density / sigma);
            assert!((g[1] + density * z / sigma).abs() < 1e-9, "{engine:?} d/dsigma: {} vs {}", g[1], -density * z / sigma);
        }
        let m = bind_json("integral", limits_model, "{}", engine).expect("binds");
        for (a, b) in [(-1.0f64, 0.5f64), (0.2, 2.0)] {
            let mut g = [0.0; 2];
            let lp = m.evaluator().log_density_gradient(&[a, b], &mut g).expect("integrates");
            assert!((lp - (b.exp() - a.exp())).abs() < 1e-12, "{engine:?}: {lp}");
            assert!((g[0] + a.exp()).abs() < 1e-12 && (g[1] - b.exp()).abs() < 1e-12, "{engine:?}: {g:?}");
        }
    }
}

/// xc is Stan's: a - x where x is nearer a, b - x where nearer b, NaN on an
/// infinite interval. The integrand rejects any other value.
#[test]
fn xc_is_the_complement_stan_defines() {
    let model = "functions {
  real f(real x, real xc, array[] real th, array[] real xr, array[] int xi) {
    real want = x - xr[1] <= xr[2] - x ? xr[1] - x : xr[2] - x;
    if (xr[3] == 1) {
      // NaN is the one value not equal to itself.
      if (xc == xc) reject(\"xc is not NaN on an infinite interval: \", xc);
    } else if (abs(xc - want) > 1e-12) {
      reject(\"xc \", xc, \" at \", x, \", not \", want);
    }
    return exp(-square(x - th[1]));
  }
}
data { array[2] real lim; int infinite; }
parameters { real m; }
model {
  real b = infinite ? positive_infinity() : lim[2];
  target += integrate_1d(f, lim[1], b, {m}, {lim[1], lim[2], infinite}, rep_array(0, 0));
}";
    for engine in [Engine::Jit, Engine::Interpreter] {
        let m = bind_json("integral", model, r#"{"lim": [2, 3], "infinite": 0}"#, engine).expect("binds");
        let lp = m.evaluator().log_density(&[2.5]).expect("xc as Stan's");
        // int_2^3 exp(-(x - 2.5)^2) = sqrt(pi) erf(1/2).
        let exact = std::f64::consts::PI.sqrt() * (1.0 - erfc(0.5));
        assert!((lp - exact).abs() < 1e-10, "{engine:?}: {lp} vs {exact}");
        let m = bind_json("integral", model, r#"{"lim": [0, 0], "infinite": 1}"#, engine).expect("binds");
        // int_0^inf exp(-x^2) = sqrt(pi) / 2.
        let lp = m.evaluator().log_density(&[0.0]).map_err(|e| e.message).expect("xc NaN");
        assert!((lp - std::f64::consts::PI.sqrt() / 2.0).abs() < 1e-10, "{engine:?}: {lp}");
    }
}

/// What fails rejects the draw with the reason; bad calls are clear errors.
#[test]
fn bad_integrals_and_calls_are_clear_errors() {
    let program = |f_body: &str, call_tail: &str| {
        format!(
            "functions {{ real f(real x, real xc, array[] real th, array[] real xr, array[] int xi) {{ {f_body} }} }}
data {{ real a; real b; real tol; }}
parameters {{ real t; }}
model {{ target += integrate_1d(f, a, b, {{t}}, {call_tail}); }}"
        )
    };
    let ok = program("return exp(-th[1] * x);", "rep_array(0.0, 0), rep_array(0, 0), tol");
    let cases = [
        (ok.clone(), r#"{"a": 1, "b": 0, "tol": 1e-8}"#, "the lower limit a must be less than or equal to the upper limit b"),
        (ok.clone(), r#"{"a": 0, "b": 1, "tol": -1}"#, "the relative tolerance must be positive and finite"),
        (program("return 1 / x;", "rep_array(0.0, 0), rep_array(0, 0), tol"), r#"{"a": 0, "b": 1, "tol": 1e-8}"#, "the integral may diverge"),
        (program("if (x > 0.5) reject(\"no\"); return x;", "rep_array(0.0, 0), rep_array(0, 0), tol"), r#"{"a": 0, "b": 1, "tol": 1e-8}"#, "the integrand rejected its arguments"),
        (program("return x > 0.5 ? not_a_number() : x;", "rep_array(0.0, 0), rep_array(0, 0), tol"), r#"{"a": 0, "b": 1, "tol": 1e-8}"#, "the integrand returned NaN or infinity"),
    ];
    for engine in [Engine::Jit, Engine::Interpreter] {
        for (src, data, reason) in &cases {
            let m = bind_json("integral", src, data, engine).expect("binds");
            let err = m.evaluator().log_density(&[0.5]).expect_err("rejected");
            assert!(err.message.contains("integrate_1d(f, ...)") && err.message.contains(reason), "{engine:?} {data}: {}", err.message);
        }
        let m = bind_json("integral", &ok, r#"{"a": 0, "b": 1, "tol": 1e-8}"#, engine).expect("binds");
        let lp = m.evaluator().log_density(&[0.5]).expect("integrates");
        assert!((lp - (1.0 - (-0.5f64).exp()) / 0.5).abs() < 1e-12, "{lp}");
    }
    let check = |src: &str| hbmc_compiler::front_end(src).diagnostics.iter().filter(|d| d.is_error()).map(|d| d.message.clone()).collect::<Vec<_>>().join("; ");
    let e = check(&program("return x;", "{t}, rep_array(0, 0)"));
    assert!(e.contains("argument 5 of `integrate_1d`, the real data `x_r`, an `array[] real`, must be data"), "{e}");
    let e = check(&program("return x;", "rep_array(0.0, 0), rep_array(0, 0), t"));
    assert!(e.contains("argument 7 of `integrate_1d`, the relative tolerance, a `real`, must be data"), "{e}");
    let e = check(&program("return x;", "rep_array(0.0, 0)"));
    assert!(e.contains("`integrate_1d` takes `(f, a, b, theta, x_r, x_i)`, optionally followed by `relative_tolerance`"), "{e}");
    let e = check(&program("return x;", "rep_array(0.0, 0), rep_array(0, 0)").replace("{t}", "t"));
    assert!(e.contains("argument 4 of `integrate_1d` must be the parameters `theta`, an `array[] real`"), "{e}");
    let wrong = "functions { real f(real x, array[] real th) { return x; } }
parameters { real t; }
model { target += integrate_1d(f, 0.0, 1.0, {t}, rep_array(0.0, 0), rep_array(0, 0)); }";
    let e = check(wrong);
    assert!(e.contains("`f` passed to `integrate_1d` takes 2 arguments, but the call gives it 5"), "{e}");
    let e = check(&program("return x;", "rep_array(0.0, 0), rep_array(0, 0)").replace("real xc,", "vector xc,"));
    assert!(e.contains("argument 2 `xc` of `f` is declared `vector`, but `integrate_1d` passes it a `real`"), "{e}");
}
