//! `x ^ 2` and `pow(x, 2)` are lowered as `x * x` (as `square`), not as a call of `pow`
//! with its `_grad` partials: on `variance_components`, whose likelihood
//! computes `sigma_y ^ 2 + z * sigma_eta ^ 2` per observation, that was
//! 84% of the gradient (BENCHMARKS.md). The oracles (JIT = the reference
//! interpreter, gradient = finite differences) on a model with `^ 2` and
//! `pow(_, 2)` on parameters, vectors, integers and a literal `2.0`
//! (posteriordb's GARCH models square by `pow`: libm's `pow` was 69% of
//! garch11's gradient, BENCHMARKS.md), next to an exponent
//! that stays a `pow` call; and the gradient's calls.

use crate::common;


const MODEL: &str = r#"
data {
  int N;
  int K;
  vector[N] z;
  vector[N] y;
}
parameters {
  real<lower=0> s1;
  real<lower=0> s2;
  real mu;
  vector[N] w;
}
model {
  s1 ~ normal(0, 1);
  s2 ~ normal(0, 1);
  mu ~ normal(0, 1);
  w ~ normal(0, 1);
  y ~ normal(mu + w .^ 2 * 0.1, sqrt(s1 ^ 2 + z * s2 ^ 2.0));
  target += -0.01 * K ^ 2 * mu ^ 2 - 0.1 * s1 ^ 3;
  target += -0.02 * pow(mu - w[2], 2) - 0.03 * pow(s2, 2.0) + 0.001 * pow(K, 2);
}
"#;

const DATA: &str = r#"{"N": 5, "K": 3, "z": [0, 1, 0, 1, 1], "y": [0.3, -1.2, 2.5, -0.1, 0.7]}"#;

#[test]
fn squares_by_exponent_pass_the_oracles() {
    common::oracle::check_example_json("square_exponent", MODEL, DATA).unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn only_other_exponents_call_pow() {
    // The lowering relies on pow(x, 2) and x * x being the same number
    // (both correctly rounded); check it on the platform's pow.
    for x in [0.1_f64, -3.7, 1e-160, 1e154, 7.25, -0.0, f64::INFINITY] {
        assert_eq!(x.powf(2.0).to_bits(), (x * x).to_bits(), "pow({x}, 2)");
    }
    let text = common::gradient_ir(MODEL, DATA);
    // Only `s1 ^ 3` is left: its value in the forward sweep and its
    // `_grad` in the reverse (each `^ 2` or `pow(_, 2)` as a call would add
    // at least one more, the likelihood's two in its loop).
    let pows = text.lines().filter(|l| l.contains("call hbm_pow")).count();
    assert_eq!(pows, 2, "{pows} calls of pow in the gradient:\n{text}");
}
