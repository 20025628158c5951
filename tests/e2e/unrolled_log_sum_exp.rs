//! `log_sum_exp` and `categorical_logit` of a small container (at most 16
//! elements, `lower/unrolled.rs`) take each element once, as values: a
//! row of logits `(x[n] * beta)'` is computed once per observation, not
//! once per pass over it. On a 1,000-observation multinomial logit with 4
//! outcomes and 3 predictors: 5.2x fewer instructions per gradient
//! (BENCHMARKS.md, "Small log_sum_exp and categorical_logit unrolled").
//! Each program is checked by the JIT = interpreter and gradient = finite
//! difference oracles and against the density written out.

use crate::common;

use hbmc::model::Engine;

use common::calls;

const DATA: &str = r#"{"N": 5, "x": [[1, 0.3], [1, -1.1], [1, 0.8], [1, 2.0], [1, -0.4]], "y": [1, 3, 2, 3, 1]}"#;

const DECLS: &str = "data { int N; matrix[N, 2] x; array[N] int y; }
parameters { matrix[2, 3] beta; vector[3] alpha; }";

fn program(statement: &str) -> String {
    format!("{DECLS}\nmodel {{ to_vector(beta) ~ normal(0, 1); alpha ~ normal(0, 1);\n  {statement}\n}}\n")
}

/// Both engines give the density of `a` that `b` writes out, with the same
/// gradient, and `a` passes both oracles.
fn assert_written_out(name: &str, a: &str, b: &str, data: &str) {
    common::oracle::check_example_json(name, a, data).unwrap_or_else(|e| panic!("{a}: {e}"));
    for engine in [Engine::Jit, Engine::Interpreter] {
        let bind = |s: &str| common::oracle::bind_json(name, s, data, engine).unwrap_or_else(|e| panic!("{e}"));
        common::corpus::assert_same_density_bound(&format!("{engine:?} {a}"), &bind(a), b, &bind(b), 11, 1e-9);
    }
}

/// A row of three logits per observation: three `exp` calls and one `log`
/// in the whole gradient, no loop over the outcomes.
#[test]
fn categorical_logit_of_a_row_takes_each_logit_once() {
    let written = program("for (n in 1:N) y[n] ~ categorical_logit((x[n] * beta)' + alpha);");
    let out = program("for (n in 1:N) { vector[3] eta = (x[n] * beta)' + alpha; target += eta[y[n]] - log(sum(exp(eta))); }");
    assert_written_out("unrolled_categorical_logit", &written, &out, DATA);
    let ir = common::gradient_ir(&written, DATA);
    assert_eq!(calls(&ir, "hbm_exp"), 3, "one exp per outcome:\n{ir}");
    assert_eq!(calls(&ir, "hbm_log"), 1, "one log per observation:\n{ir}");
    assert!(!ir.contains("argbest"), "the largest logit found by a loop:\n{ir}");
}

/// `categorical_logit_glm` with a matrix of predictors: the same, row by row.
#[test]
fn categorical_logit_glm_takes_each_logit_once() {
    let written = program("y ~ categorical_logit_glm(x, alpha, beta);");
    let out = program("for (n in 1:N) { row_vector[3] eta = x[n] * beta + alpha'; target += eta[y[n]] - log(sum(exp(eta))); }");
    assert_written_out("unrolled_categorical_glm", &written, &out, DATA);
    let ir = common::gradient_ir(&written, DATA);
    assert_eq!(calls(&ir, "hbm_exp"), 3, "one exp per outcome:\n{ir}");
    assert!(!ir.contains("work.tmp.row") && !ir.contains("argbest"), "the row through a buffer or a loop:\n{ir}");
}

/// Past 16 outcomes the row goes once into a buffer for one library call
/// (`hbm_log_sum_exp_vec`, with its adjoint rule) and the outcome's load.
#[test]
fn categorical_logit_glm_with_many_outcomes_calls_the_library_once_per_row() {
    let data = r#"{"N": 4, "x": [[1, 0.3], [1, -1.1], [1, 0.8], [1, 2.0]], "y": [1, 18, 7, 12]}"#;
    let decls = "data { int N; matrix[N, 2] x; array[N] int y; }
parameters { matrix[2, 18] beta; vector[18] alpha; }
model { to_vector(beta) ~ normal(0, 1); alpha ~ normal(0, 1);\n";
    let written = format!("{decls}  y ~ categorical_logit_glm(x, alpha, beta);\n}}\n");
    let out = format!(
        "{decls}  for (n in 1:N) {{ row_vector[18] eta = x[n] * beta + alpha'; target += eta[y[n]] - log(sum(exp(eta))); }}\n}}\n"
    );
    assert_written_out("many_outcomes_categorical_glm", &written, &out, data);
    let ir = common::gradient_ir(&written, data);
    assert_eq!(calls(&ir, "hbm_log_sum_exp_vec"), 1, "one call per row in the forward loop:\n{ir}");
    assert_eq!(calls(&ir, "hbm_log_sum_exp_vec_adj"), 1, "its adjoint once per row in the reverse loop:\n{ir}");
    assert!(!ir.contains("argbest"), "the largest logit found by a loop:\n{ir}");
}

/// Large values do not overflow (the largest is taken out first), an
/// element of `-inf` adds nothing, and all `-inf` gives `-inf`, not NaN;
/// also past 16 elements (one library call).
#[test]
fn log_sum_exp_of_large_and_infinite_values() {
    let written = program(
        "target += log_sum_exp([alpha[1] + 1000, alpha[1] + 1000, negative_infinity()]') - 1000 - log(2);
  target += log_sum_exp(rep_vector(negative_infinity(), 3)) == negative_infinity() ? 0 : 1000;
  target += log_sum_exp(rep_vector(negative_infinity(), 20)) == negative_infinity() ? 0 : 1000;
  target += log_sum_exp(beta) + log_sum_exp(alpha);
  target += log_sum_exp(append_row(alpha * 2, rep_vector(negative_infinity(), 17)));",
    );
    let out = program(
        "target += alpha[1];
  target += log(sum(exp(to_vector(beta)))) + log(exp(alpha[1]) + exp(alpha[2]) + exp(alpha[3]));
  target += log(sum(exp(alpha * 2)));",
    );
    assert_written_out("unrolled_log_sum_exp", &written, &out, DATA);
    let ir = common::gradient_ir(&written, DATA);
    assert!(!ir.contains("argbest"), "the largest element found by a loop:\n{ir}");
}
