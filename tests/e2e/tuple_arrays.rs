//! Arrays of tuples among the outputs (`tests/stan_corpus/tuple_arrays.stan`):
//! the density is that of the same program with one array per tuple
//! element, the columns are CmdStan's (each array element's slots together,
//! the array's indices before the slot's `:`, column-major over the array),
//! each column holds what the program put there, and a fit's columns and
//! CmdStan-style initial values (objects with keys "1", "2") go back to
//! the unconstrained point.

use crate::common;
use common::corpus::{self, source};
use hbmc::model::{Engine, Model};

/// tuple_arrays.stan and tuple_arrays_by_hand.stan have equal log
/// densities and gradients at 20 points, in the JIT and the interpreter.
#[test]
fn arrays_of_tuples_have_the_density_of_their_elements_written_out() {
    corpus::assert_same_density("tuple_arrays.stan", "tuple_arrays_by_hand.stan", "tuple_arrays.json", 19, 1e-10);
}

/// JIT = interpreter and gradient = finite differences at 20 points.
#[test]
fn the_tuple_array_program_passes_the_oracles() {
    common::oracle::check_example("tuple_arrays", &source("tuple_arrays.stan"), &[corpus::path("tuple_arrays.json")])
        .expect("oracles");
}

/// The column names CmdStan 2.33+ writes for these declarations (as its
/// guide's "Stan CSV File Format" describes and stanio's reader of
/// CmdStan's files expects: `arr_2d_pair.1.1:1, arr_2d_pair.1.1:2,
/// arr_2d_pair.2.1:1, ...`), and at every draw each column holds what the
/// program assigned to it.
#[test]
fn tuple_array_columns_are_cmdstans_and_hold_their_values() {
    let fit = corpus::fit("tuple_arrays.stan", "tuple_arrays.json");
    let names: Vec<&str> = fit.csvs[0].column_names.iter().map(String::as_str).filter(|n| !n.ends_with("__")).collect();
    let mut want = vec!["mu".to_string()];
    for j in 1..=3 {
        want.extend([format!("th.{j}:1"), format!("th.{j}:2.1"), format!("th.{j}:2.2")]);
    }
    for j in 1..=3 {
        want.extend([format!("scaled.{j}:1"), format!("scaled.{j}:2")]);
    }
    want.extend((1..=3).map(|j| format!("lo.{j}")));
    want.extend((1..=3).map(|j| format!("hi.{j}")));
    // array[2, J]: the first index fastest.
    for j in 1..=3 {
        for i in 1..=2 {
            want.extend([format!("grid.{i}.{j}:1"), format!("grid.{i}.{j}:2")]);
        }
    }
    for j in 1..=3 {
        want.extend([format!("nested.{j}:1"), format!("nested.{j}:2:1"), format!("nested.{j}:2:2.1"), format!("nested.{j}:2:2.2")]);
    }
    want.push("spread".into());
    assert_eq!(names, want);
    let col = |name: &str| fit.column(name);
    let mu = col("mu");
    let close = |a: &[f64], b: &[f64], what: &str| {
        assert!(a.iter().zip(b).all(|(x, y)| (x - y).abs() <= 1e-12 * y.abs().max(1.0)), "{what}");
    };
    for j in 1..=3 {
        let t1 = col(&format!("th.{j}:1"));
        let (t21, t22) = (col(&format!("th.{j}:2.1")), col(&format!("th.{j}:2.2")));
        assert!(t1.iter().all(|t| *t > 0.0), "th[{j}].1 has <lower=0>");
        let sum: Vec<f64> = t21.iter().zip(&t22).map(|(a, b)| a + b).collect();
        let shifted: Vec<f64> = mu.iter().zip(&t1).map(|(m, t)| m + t).collect();
        close(&col(&format!("scaled.{j}:1")), &shifted, "scaled.1 = mu + th.1");
        close(&col(&format!("scaled.{j}:2")), &sum, "scaled.2 = sum(th.2)");
        let lo: Vec<f64> = mu.iter().zip(&t1).map(|(m, t)| m - t).collect();
        let hi: Vec<f64> = mu.iter().zip(&t1).map(|(m, t)| m + 2.0 * t).collect();
        close(&col(&format!("lo.{j}")), &lo, "lo = mu - th.1");
        close(&col(&format!("hi.{j}")), &hi, "hi = mu + 2 th.1");
        close(&col(&format!("nested.{j}:1")), &sum, "nested.1 = scaled.2");
        assert!(col(&format!("nested.{j}:2:1")).iter().all(|v| *v == j as f64), "nested[{j}].2.1 = {j}");
        let doubled: Vec<f64> = t22.iter().map(|t| 2.0 * t).collect();
        close(&col(&format!("nested.{j}:2:2.2")), &doubled, "nested.2.2 = 2 th.2");
        for i in 1..=2 {
            assert!(col(&format!("grid.{i}.{j}:1")).iter().all(|v| *v == (10 * i + j) as f64), "grid[{i}, {j}].1");
            let want: Vec<f64> = mu.iter().map(|m| i as f64 * m + j as f64).collect();
            close(&col(&format!("grid.{i}.{j}:2")), &want, "grid.2 = i mu + j");
        }
    }
}

fn bound() -> hbmc::model::BoundModel {
    Model::compile("tuple_arrays", &source("tuple_arrays.stan"))
        .expect("compiles")
        .bind_files(&[corpus::path("tuple_arrays.json")], Engine::Jit)
        .expect("binds")
}

/// A draw's columns give back the unconstrained point it was made from
/// (what `hbmc predict` does with a fit), read by a fresh evaluator whose
/// last draw was elsewhere.
#[test]
fn a_draw_of_tuple_arrays_unconstrains_to_its_point() {
    let m = bound();
    let theta: Vec<f64> = (0..m.dim()).map(|i| 0.1 * i as f64 - 0.35).collect();
    let mut rng = hbmc_stdlib::ChainRng::new(3, 0);
    let mut draw = Vec::new();
    m.evaluator().write_draw(&theta, &mut rng, &mut draw).expect("draw");
    let mut other = m.evaluator();
    let elsewhere = vec![1.0; m.dim()];
    let mut scratch = Vec::new();
    other.write_draw(&elsewhere, &mut rng, &mut scratch).expect("draw");
    let names = m.output_names();
    let back = other.unconstrain_columns(|c| names.iter().position(|n| n == c).map(|k| draw[k])).expect("unconstrains");
    for (a, b) in back.iter().zip(&theta) {
        assert!((a - b).abs() < 1e-12, "{back:?} vs {theta:?}");
    }
}

/// Initial values in CmdStan's JSON for an array of tuples (a list of
/// objects with keys "1", "2") set each element.
#[test]
fn tuple_array_initial_values_are_cmdstans_json() {
    let m = bound();
    let mut eval = m.evaluator();
    let mut rng = hbmc_stdlib::ChainRng::new(5, 0);
    let base = vec![0.2; m.dim()];
    let inits = serde_json::json!({
        "mu": 0.5,
        "th": [{"1": 0.5, "2": [1, 2]}, {"1": 1.5, "2": [3, 4]}, {"1": 2.5, "2": [5, 6]}]
    });
    let x = eval.unconstrain_json(&inits, &base, &mut rng).expect("inits unconstrain");
    let mut draw = Vec::new();
    eval.write_draw(&x, &mut rng, &mut draw).expect("draw");
    let col = |name: &str| draw[m.output_names().iter().position(|n| n == name).expect("column")];
    for (name, want) in [("mu", 0.5), ("th.1:1", 0.5), ("th.2:1", 1.5), ("th.3:2.1", 5.0), ("th.3:2.2", 6.0), ("th.1:2.2", 2.0)] {
        assert!((col(name) - want).abs() < 1e-12, "{name}: {} vs {want}", col(name));
    }
    let bad = serde_json::json!({ "th": [{"1": 0.5}] });
    let err = eval.unconstrain_json(&bad, &base, &mut rng).expect_err("missing slot refused");
    assert!(err.message.contains("th"), "{}", err.message);
}
