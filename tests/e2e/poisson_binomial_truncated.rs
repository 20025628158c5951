//! Truncation of `poisson_binomial` (`T[L, U]`, `T[L, ]`, `T[, U]`): equal
//! to the normalisation written out through its cdfs, JIT = interpreter and
//! gradient = finite differences, equal to the closed form by enumerating
//! every outcome of the trials, an outcome outside the bounds rejected, and
//! simulated outcomes within the bounds.

use crate::common;
use common::corpus::{self, source};
use hbmc::model::{Engine, Model};
use hbmc_compiler::bind::read_source;

/// poisson_binomial_truncated.stan and its by-hand twin have equal log
/// densities and gradients at 20 points, in the JIT and the interpreter.
#[test]
fn the_truncations_equal_their_cdfs_written_out() {
    corpus::assert_same_density(
        "poisson_binomial_truncated.stan",
        "poisson_binomial_truncated_by_hand.stan",
        "poisson_binomial_truncated.json",
        23,
        1e-10,
    );
}

/// JIT = interpreter and gradient = finite differences at 20 points.
#[test]
fn the_truncations_pass_the_oracles() {
    common::oracle::check_example(
        "poisson_binomial_truncated",
        &source("poisson_binomial_truncated.stan"),
        &[corpus::path("poisson_binomial_truncated.json")],
    )
    .expect("oracles");
}

/// P(K = k) for K the number of successes of independent Bernoulli(theta_i)
/// trials, by enumerating all 2^n outcomes.
fn mass(theta: &[f64]) -> Vec<f64> {
    let n = theta.len();
    let mut p = vec![0.0; n + 1];
    for outcome in 0..(1u32 << n) {
        let mut prob = 1.0;
        for (i, t) in theta.iter().enumerate() {
            prob *= if outcome & (1 << i) != 0 { *t } else { 1.0 - t };
        }
        p[outcome.count_ones() as usize] += prob;
    }
    p
}

/// With the probabilities as the parameters (no Jacobian), the log density
/// is `sum log P(y) - M log P(L <= K <= U)` by enumeration, for each form
/// of bounds; an outcome outside them gives `-inf`.
#[test]
fn truncated_densities_are_the_closed_form() {
    let theta = [0.2, 0.55, 0.7, 0.9];
    let x: Vec<f64> = theta.iter().map(|t: &f64| (t / (1.0 - t)).ln()).collect();
    let p = mass(&theta);
    let ys = [1, 2, 2, 3];
    for (bounds, lo, hi) in [("T[1, 2]", 1, 2), ("T[2, ]", 2, 4), ("T[, 2]", 0, 2), ("T[1, 3]", 1, 3)] {
        let src = format!(
            "data {{ int M; array[M] int y; }}
parameters {{ vector<lower=0, upper=1>[4] theta; }}
model {{ y ~ poisson_binomial(theta) {bounds}; }}"
        );
        let inside: Vec<i32> = ys.iter().copied().filter(|&y| y >= lo && y <= hi).collect();
        let data = format!("{{\"M\": {}, \"y\": {:?}}}", inside.len(), inside);
        let source = read_source("d.json", &data).expect("data");
        let model = Model::compile("pbt", &src).expect("compiles");
        for engine in [Engine::Jit, Engine::Interpreter] {
            let m = model.bind_with_jacobian(std::slice::from_ref(&source), engine, false).expect("binds");
            let lp = m.evaluator().log_density(&x).expect("evaluates");
            let interval: f64 = p[lo as usize..=hi as usize].iter().sum();
            let want: f64 = inside.iter().map(|&y| p[y as usize].ln() - interval.ln()).sum();
            assert!((lp - want).abs() < 1e-12 * want.abs().max(1.0), "{bounds} {engine:?}: {lp} vs {want}");
        }
    }
    // An outcome below the lower bound.
    let src = "data { int M; array[M] int y; }
parameters { vector<lower=0, upper=1>[4] theta; }
model { y ~ poisson_binomial(theta) T[2, 3]; }";
    let source = read_source("d.json", r#"{"M": 2, "y": [2, 1]}"#).expect("data");
    let m = Model::compile("pbt", src).expect("compiles").bind_with_jacobian(&[source], Engine::Jit, false).expect("binds");
    let lp = m.evaluator().log_density(&x);
    assert!(matches!(lp, Ok(v) if v == f64::NEG_INFINITY) || lp.is_err(), "{lp:?}");
}

/// `hbmc simulate` draws truncated outcomes within their bounds.
#[test]
fn simulated_outcomes_lie_within_the_bounds() {
    let dir = common::scratch("pb-truncated-simulate");
    let data = corpus::path("poisson_binomial_truncated.json").display().to_string();
    let model = corpus::path("poisson_binomial_truncated.stan").display().to_string();
    let out = common::hbmc(&dir, &["simulate", &model, "--data", &data, "--seed", "8", "--output", "sim.json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let sim: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(dir.join("sim.json")).expect("reads")).expect("json");
    let ints = |k: &str| -> Vec<i64> { serde_json::from_value(sim[k].clone()).expect(k) };
    assert!(ints("y_both").iter().all(|y| (1..=4).contains(y)), "{:?}", ints("y_both"));
    assert!(ints("y_low").iter().all(|y| (2..=6).contains(y)), "{:?}", ints("y_low"));
    assert!(ints("y_high").iter().all(|y| (0..=3).contains(y)), "{:?}", ints("y_high"));
}

/// Truncation still refuses a distribution over vectors.
#[test]
fn a_multivariate_outcome_is_not_truncated() {
    let e = corpus::errors(
        "parameters { vector[2] v; } model { v ~ multi_normal([0, 0]', [[1, 0], [0, 1]]) T[0, 1]; }",
    );
    assert!(e.iter().any(|(c, m)| *c == "E3014" && m.contains("multivariate")), "{e:?}");
}
