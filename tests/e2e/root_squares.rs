//! The square of a multiple of `1 / sqrt(x)` without the root
//! (`compiler/src/ir/root_squares.rs`): `q = 1 / sqrt(x)` becomes
//! `sqrt(1 / x)` and `(a q)²` becomes `a² (1 / x)`, so the next pivot of an
//! unrolled Cholesky factor no longer waits for the first root. The
//! oracles (JIT = the reference interpreter, the gradient's value = the
//! log density, gradient = finite differences) on a model with such
//! factors in a loop (whose reverse sweep recomputes them) and at the top
//! level (`q a` in either order), beside a root that something else reads
//! and a reciprocal root nothing squares, which stay as they were; and the
//! compiled functions' shape: which roots are taken of a reciprocal.

use crate::common;

const MODEL: &str = r#"
data {
  int N;
  vector[N] y;
}
parameters {
  array[N] vector<lower=0>[2] d;
  vector[N] c;
  real<lower=0> s;
}
transformed parameters {
  real lj = 0;
  vector[N] z;
  for (n in 1:N) {
    // The Cholesky factor of [[p11, p21], [p21, p22]], unrolled.
    real p11 = d[n, 1] + s;
    real p21 = c[n];
    real p22 = d[n, 2] + 0.5 + square(c[n]) / p11;
    real i11 = 1 / sqrt(p11);
    real r21 = p21 * i11;
    real i22 = 1 / sqrt(p22 - square(r21));
    z[n] = (y[n] - r21 * i22 * y[n]) * i11;
    lj += log(i11 * i22);
  }
}
model {
  // `q a`, the other order, squared as a product.
  real q = 1 / sqrt(s + 1);
  real m = q * c[1];
  target += -(m * m);
  // A root that a log also reads: left as it was.
  real t = sqrt(s + 2);
  real u = 1 / t;
  real v = u * c[2];
  target += -square(v) - log(t);
  for (n in 1:N) {
    d[n] ~ normal(1, 1);
  }
  c ~ normal(0, 1);
  s ~ normal(1, 1);
  z ~ normal(0, 1);
  target += lj;
}
"#;

const DATA: &str = r#"{"N": 3, "y": [0.3, -1.2, 2.5]}"#;

#[test]
fn squared_reciprocal_roots_pass_the_oracles() {
    common::oracle::check_example_json("root_squares", MODEL, DATA).unwrap_or_else(|e| panic!("{e}"));
}

/// In one function's printed body: (square roots of a division, divisions
/// by a square root), by the lines that define their operands.
fn roots(body: &str) -> (usize, usize) {
    let mut defs = std::collections::HashMap::new();
    for line in body.lines() {
        if let Some((dst, expr)) = line.trim().split_once(" = ") {
            defs.insert(dst.to_string(), expr.to_string());
        }
    }
    let op = |v: &str| defs.get(v).and_then(|e| e.split_whitespace().next()).unwrap_or("").to_string();
    let (mut of_div, mut by_root) = (0, 0);
    for expr in defs.values() {
        let words: Vec<&str> = expr.split([' ', ',']).filter(|w| !w.is_empty()).collect();
        match words.as_slice() {
            ["sqrt", x] if op(x) == "div" => of_div += 1,
            ["div", _, x] if op(x) == "sqrt" => by_root += 1,
            _ => {}
        }
    }
    (of_div, by_root)
}

#[test]
fn squared_reciprocal_roots_are_taken_of_the_reciprocal() {
    // As `hbmc check --emit ir` prints the compiled module. In the log
    // density: the loop's `1 / sqrt(p11)` and the top level's `q` are
    // roots of `1 / x` (before the pass none was); `i22` (nothing squares
    // a multiple of it) and `u` (its root is read by a log) are not.
    let ir = common::emitted_ir("root_squares_ir", MODEL, DATA);
    let body = |name: &str| common::function_body(&ir, name).to_string();
    let density = body("log_density");
    assert_eq!(roots(&density), (2, 2), "log density:\n{density}");
    // The gradient's forward sweep has the same; its reverse sweep
    // recomputes the loop's iterations (too few for a value tape), each
    // with the rewritten root.
    let gradient = body("gradient");
    let (of_div, by_root) = roots(&gradient);
    assert!(of_div >= 3 && by_root >= 2, "({of_div}, {by_root}) in the gradient:\n{gradient}");
}
