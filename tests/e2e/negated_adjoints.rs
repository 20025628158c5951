//! The reverse sweep's negations folded into the arithmetic that reads
//! them (`compiler/src/ad/negations.rs`) and, where an adjoint is added
//! to a buffer or the target, into a subtraction (`codegen/lower.rs`).
//! The oracles (JIT = the reference interpreter, gradient = finite
//! differences) on a model whose gradient negates adjoints at top level
//! and in a loop (`a - b`, `1 / b`, `a / b` and a negated term), and a
//! check that no arithmetic of the gradient reads a negation any more
//! (12 operations did before the fold).

use crate::common;

const MODEL: &str = r#"
data {
  int N;
  vector[N] y;
  vector[N] x;
}
parameters {
  real a;
  real<lower=0> s;
  vector[N] w;
}
model {
  real d = 1 / (s + 1);
  target += -(a - d) * (a - 2 * d) - log(d);
  for (n in 1:N) {
    // The conditional forms' cell chain in small: 1 / sqrt, products,
    // differences, and a quotient subtracted.
    real i = 1 / sqrt(s + square(x[n]));
    real r = x[n] * i;
    real e = (y[n] - a * x[n]) * i;
    real u = (e - r * w[n]) * i;
    target += -0.5 * square(u) - (w[n] - a) / (s + 2) + log(i);
  }
  a ~ normal(0, 1);
  s ~ lognormal(0, 1);
  w ~ normal(0, 1);
}
"#;

const DATA: &str = r#"{"N": 3, "y": [0.5, -1.0, 2.0], "x": [1.0, 0.3, -0.7]}"#;

#[test]
fn folded_negations_pass_the_oracles() {
    common::oracle::check_example_json("negated_adjoints", MODEL, DATA).unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn no_arithmetic_reads_a_negation() {
    let text = common::gradient_ir(MODEL, DATA);
    // `vN = neg vM` lines, then every `add`/`sub`/`mul`/`div` reading one.
    let negs: std::collections::HashSet<&str> =
        text.lines().filter_map(|l| l.trim().split_once(" = neg ").map(|(d, _)| d)).collect();
    assert!(!negs.is_empty(), "the gradient negates something (an accumulated adjoint):\n{text}");
    let reads: Vec<&str> = text
        .lines()
        .filter(|l| {
            let Some((_, rhs)) = l.trim().split_once(" = ") else { return false };
            let mut words = rhs.split([' ', ',']).filter(|w| !w.is_empty());
            matches!(words.next(), Some("add" | "sub" | "mul" | "div")) && words.any(|w| negs.contains(w))
        })
        .collect();
    assert!(reads.is_empty(), "arithmetic reads a negation: {reads:?}\n{text}");
}
