//! `categorical_logit_glm` end to end: equal to `categorical_logit` of
//! each row's logits written out, JIT = interpreter and gradient = finite
//! differences, a simulated data set fitted back, every form Stan has
//! against the density of its rows' logits, stable at extreme logits,
//! outcomes simulated from it, and the errors of bad calls.

use crate::common;
use common::corpus::{self, errors, source};
use hbmc::model::{Engine, Model, ModelError};
use hbmc_compiler::bind::read_source;

/// glm_categorical.stan (half its rows by `~`, half by `_lupmf`) and
/// glm_categorical_by_hand.stan (`eta[y[n]] - log_sum_exp(eta)` per row)
/// have the same parameters: equal log densities and gradients at 20
/// points, in both engines.
#[test]
fn the_glm_equals_its_density_written_out() {
    corpus::assert_same_density("glm_categorical.stan", "glm_categorical_by_hand.stan", "glm_categorical.json", 7, 1e-10);
}

/// JIT = interpreter and gradient = finite differences at 20 points.
#[test]
fn the_glm_passes_the_oracles() {
    common::oracle::check_example("glm_categorical", &source("glm_categorical.stan"), &[corpus::path("glm_categorical.json")])
        .expect("oracles");
}

/// The coefficients make_glm_categorical.py simulated with are recovered
/// (each within 4 posterior sds of its posterior mean), and at every draw
/// each other form (one row vector, one outcome for every row, one row for
/// every outcome, an array of outcomes) equals categorical_logit of the
/// rows' logits.
#[test]
fn a_simulated_categorical_regression_is_recovered() {
    let fit = corpus::fit("glm_categorical.stan", "glm_categorical.json");
    fit.assert_recovers(&[
        ("alpha.2", 0.5), ("alpha.3", -0.5), ("beta.1.2", 1.0), ("beta.2.2", -0.5), ("beta.1.3", -1.0), ("beta.2.3", 0.8),
    ]);
    for check in ["one_row", "same_x", "same_y", "rows"] {
        let v = fit.column(check);
        assert!(v.iter().all(|d| d.abs() < 1e-9), "{check}: {:?}", &v[..3]);
    }
}

/// Logits of +-1000, where exp overflows: the density is still the
/// closed form, `l[y] - log_sum_exp(l)`, computed from the largest logit.
#[test]
fn extreme_logits_give_the_closed_form() {
    let src = "data { matrix[2, 1] x; }
parameters { real z; }
model { z ~ std_normal(); }
generated quantities {
  // Row 1 has logits (1000, 0, -1000), row 2 (-1000, 0, 1000).
  real both = categorical_logit_glm_lpmf({2, 3} | x, [0, 0, 0]', [[1000, 0, -1000]]);
  real second = categorical_logit_glm_lpmf(1 | x[2], [0, 0, 0]', [[1000, 0, -1000]]);
}";
    let dir = common::scratch("glm-categorical-extreme");
    std::fs::write(dir.join("m.stan"), src).expect("writes");
    std::fs::write(dir.join("d.json"), r#"{"x": [[1], [-1]]}"#).expect("writes");
    let out = common::hbmc(&dir, &["run", "m.stan", "--data", "d.json", "--chains", "1", "--warmup", "20", "--draws", "5", "--quiet", "--output", "fit"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let csv = hbmc_runtime::read_cmdstan_csv(dir.join("fit_1.csv")).expect("reads");
    let col = |name: &str| csv.draws[csv.column_index(name).expect("column")].clone();
    // Row 1, y = 2: 0 - (1000 + log(1 + e^-1000 + e^-2000)) = -1000;
    // row 2, y = 3: 1000 - 1000 = 0.
    for v in col("both") {
        assert!((v + 1000.0).abs() < 1e-9, "{v}");
    }
    // Row 2 alone, y = 1: -1000 - 1000.
    for v in col("second") {
        assert!((v + 2000.0).abs() < 1e-9, "{v}");
    }
}

/// `hbmc simulate` draws each outcome from its row's categorical: with the
/// coefficients fixed at make_glm_categorical.py's, each category's count
/// over the 300 rows lies within 4 sds of its expectation, the sum over
/// rows of its softmax probability.
#[test]
fn outcomes_are_simulated_row_by_row() {
    let dir = common::scratch("glm-categorical-simulate");
    let src = source("glm_categorical_by_hand.stan");
    let model = src.replace(
        "  for (n in 1:N) {\n    vector[C] eta = alpha + (x[n] * beta)';\n    target += eta[y[n]] - log_sum_exp(eta);\n  }\n",
        "  y ~ categorical_logit_glm(x, alpha, beta);\n",
    );
    assert_ne!(model, src, "the by-hand likelihood was replaced");
    std::fs::write(dir.join("m.stan"), model).expect("writes");
    let data = corpus::path("glm_categorical.json").display().to_string();
    let out = common::hbmc(
        &dir,
        &["simulate", "m.stan", "--data", &data, "--fix", "alpha_raw=[0.5,-0.5]", "--fix", "beta_raw=[[1,-1],[-0.5,0.8]]", "--seed", "4", "--output", "sim.json"],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let sim: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(dir.join("sim.json")).expect("reads")).expect("json");
    let x: Vec<Vec<f64>> = serde_json::from_value(sim["x"].clone()).expect("x");
    let y: Vec<usize> = serde_json::from_value(sim["y"].clone()).expect("y");
    let (alpha, beta) = ([0.0, 0.5, -0.5], [[0.0, 1.0, -1.0], [0.0, -0.5, 0.8]]);
    let mut expected = [0.0; 3];
    let mut variance = [0.0; 3];
    for row in &x {
        let logits: Vec<f64> = (0..3).map(|c| alpha[c] + row[0] * beta[0][c] + row[1] * beta[1][c]).collect();
        let total: f64 = logits.iter().map(|l| l.exp()).sum();
        for c in 0..3 {
            let p = logits[c].exp() / total;
            expected[c] += p;
            variance[c] += p * (1.0 - p);
        }
    }
    for c in 0..3 {
        let count = y.iter().filter(|&&v| v == c + 1).count() as f64;
        assert!((count - expected[c]).abs() < 4.0 * variance[c].sqrt(), "category {}: {count} drawn, {} expected", c + 1, expected[c]);
    }
}

fn edited(from: &str, to: &str) -> String {
    let s = source("glm_categorical.stan");
    assert!(s.contains(from), "{from}");
    s.replacen(from, to, 1)
}

#[test]
fn bad_glm_calls_are_refused() {
    let call = "categorical_logit_glm(x[1:150], alpha, beta);";
    let refused = |to: &str, code: &str, words: &str| {
        let e = errors(&edited(call, to));
        assert!(e.len() == 1 && e[0].0 == code && e[0].1.contains(words), "{to}: {e:?}");
    };
    refused("categorical_logit_glm(x[1:150], beta);", "E1002", "takes 3 arguments after `|`, but 2 are given");
    refused("categorical_logit_glm(alpha, alpha, beta);", "E1002", "`x`");
    refused("categorical_logit_glm(x[1:150], beta, beta);", "E1002", "`alpha`");
    refused("categorical_logit_glm(x[1:150], alpha, alpha);", "E1002", "`beta`");
    // A real outcome.
    let e = errors(&edited("y[1:150] ~ categorical_logit_glm", "to_vector(y[1:150]) ~ categorical_logit_glm"));
    assert!(e.len() == 1 && e[0].1.contains("outcome"), "{e:?}");
    // Stan's categorical_logit itself takes one vector, never a matrix.
    let e = errors(&edited("real one_row =", "real m = categorical_logit_lpmf(y | x * beta);\n  real one_row ="));
    assert!(e.len() == 1 && e[0].0 == "E1002", "{e:?}");
    // Stan has no draw from a GLM.
    let e = errors(&edited("real one_row =", "array[N] int draw = categorical_logit_glm_rng(x, alpha, beta);\n  real one_row ="));
    assert!(e.len() == 1 && e[0].0 == "E1003" && e[0].1.contains("Stan has no draw from a GLM"), "{e:?}");
}

/// Sizes that disagree, known once the data are bound, are refused before
/// sampling (E5003): outcomes that do not match the rows of `x`, and
/// coefficients that do not match its columns or the intercepts.
#[test]
fn sizes_that_disagree_are_refused_with_the_data() {
    let data = read_source("d.json", &std::fs::read_to_string(corpus::path("glm_categorical.json")).expect("data")).expect("reads");
    let refused = |src: &str| {
        let model = Model::compile("m", src).expect("checks");
        match model.bind(std::slice::from_ref(&data), Engine::Interpreter) {
            Err(ModelError::Diagnostics(d)) => d.iter().map(|d| (d.code, d.message.clone())).collect::<Vec<_>>(),
            _ => panic!("not refused"),
        }
    };
    let d = refused(&edited("y[1:150] ~", "y[2:150] ~"));
    assert!(d.iter().any(|(c, m)| *c == "E5003" && m.contains("149 outcomes but 150 rows")), "{d:?}");
    let d = refused(&edited("categorical_logit_glm(x[1:150], alpha, beta)", "categorical_logit_glm(x[1:150], alpha[1:2], beta)"));
    assert!(d.iter().any(|(c, _)| *c == "E5003"), "{d:?}");
    let d = refused(&edited("categorical_logit_glm(x[1:150], alpha, beta)", "categorical_logit_glm(x[1:150, 1:1], alpha, beta)"));
    assert!(d.iter().any(|(c, _)| *c == "E5003"), "{d:?}");
}
