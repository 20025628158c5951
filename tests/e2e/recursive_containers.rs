//! Recursive user functions on vectors and arrays with loops in their
//! bodies (issue 13; E0012 on 7aac5c9), expanded at each call down to a
//! depth (`compiler/src/syntax/functions/unrolled.rs`): the B-spline
//! regression of Kharratzadeh's case study (`tests/stan_corpus/
//! b_splines.stan`, whose oracles the corpus test also runs) builds a basis
//! that sums to 1 inside the knots; recursion on parameters has the value
//! and gradient of the same function written as a loop; data asking for
//! more levels than are expanded reject with a message naming the function.

use crate::common;
use common::corpus;
use hbmc::model::Engine;

/// The cubic B-spline basis built in transformed data by the recursive
/// `build_b_spline` sums to 1 at every point (a partition of unity), in the
/// JIT and the interpreter; each basis function is in [0, 1].
#[test]
fn the_b_spline_basis_sums_to_one_inside_the_knots() {
    let source = corpus::source("b_splines.stan");
    let data = std::fs::read_to_string(corpus::path("b_splines.json")).expect("data");
    // 11 basis coefficients, a0, sigma, tau.
    let x: Vec<f64> = (0..14).map(|k| 0.05 * k as f64 - 0.3).collect();
    for (engine, out) in common::oracle::draw_in_both_engines("b-splines", &source, &data, &x, 1) {
        for n in 1..=80 {
            let s = out.value(&format!("basis_sum.{n}"));
            assert!((s - 1.0).abs() < 1e-12, "{engine:?}: point {n}: {s}");
        }
    }
}

/// The spline fits the curve it was simulated from: the posterior mean of
/// the fitted values tracks sin(x) + 0.3 x within the noise.
#[test]
fn the_b_spline_regression_fits_its_curve() {
    let fit = corpus::fit("b_splines.stan", "b_splines.json");
    let sigma = fit.column("sigma");
    let mean = sigma.iter().sum::<f64>() / sigma.len() as f64;
    // Simulated with noise sd 0.2; 80 points, 11 coefficients.
    assert!((mean - 0.2).abs() < 0.06, "sigma {mean}");
}

/// Recursion on parameters (the parameter case), with a loop and an early
/// `return` in the bodies, has the log density and gradient of the same
/// functions written as loops, in the JIT and the interpreter.
#[test]
fn recursion_on_parameters_equals_its_loop() {
    let recursive = "functions {
          vector times(vector v, int n) {
            vector[rows(v)] out;
            if (n == 1) { for (i in 1:rows(v)) out[i] = v[i]; }
            else out = times(v, n - 1) + v;
            return out;
          }
          array[] real halves(array[] real x, int k) {
            if (k == 0) return x;
            array[size(x)] real y;
            for (i in 1:size(x)) y[i] = x[i] / 2;
            return halves(y, k - 1);
          }
          real depth(vector v, int n) { return n == 0 ? sum(v) : 1 + depth(v, n - 1); }
        }
        data { int K; }
        parameters { vector[3] b; }
        model {
          target += -0.5 * dot_self(times(b, K)) / K^2;
          target += sum(halves(to_array_1d(b), K)) + depth(b, K);
        }";
    let looped = "data { int K; }
        parameters { vector[3] b; }
        model {
          vector[3] t = rep_vector(0, 3);
          for (k in 1:K) t += b;
          target += -0.5 * dot_self(t) / K^2;
          target += sum(to_array_1d(b)) / 2^K + K + sum(b);
        }";
    let data = r#"{"K": 3}"#;
    for engine in [Engine::Jit, Engine::Interpreter] {
        let a = common::oracle::bind_json("recursive", recursive, data, engine).unwrap_or_else(|e| panic!("binds: {e}"));
        let b = common::oracle::bind_json("looped", looped, data, engine).unwrap_or_else(|e| panic!("binds: {e}"));
        corpus::assert_same_density_bound(&format!("{engine:?} recursive"), &a, "looped", &b, 7, 1e-10);
    }
}

/// Data that ask for more levels than are expanded (a spline of degree
/// 8: 9 levels, 8 expanded) are refused with a message naming the
/// function, never computed wrongly.
#[test]
fn recursion_deeper_than_expanded_is_refused_by_name() {
    let source = corpus::source("b_splines.stan");
    let data = std::fs::read_to_string(corpus::path("b_splines.json")).expect("data").replace("\"spline_degree\": 3", "\"spline_degree\": 8");
    assert!(data.contains("\"spline_degree\": 8"));
    let err = common::oracle::bind_json("b-splines-deep", &source, &data, Engine::Jit).err().expect("refused");
    assert!(err.contains("the recursive function `build_b_spline` is expanded at each call 8 levels deep, and these data ask for more"), "{err}");
}
