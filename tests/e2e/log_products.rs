//! Sums of logs in loops as the log of one product
//! (`compiler/src/ir/log_products.rs`): a loop that adds `log(x)` into one
//! element (a log-Jacobian) or into the target keeps the product of the
//! `x`, rescaled by powers of two, and takes one `log` after the loop.
//! The oracles (JIT = the reference interpreter, gradient = finite
//! differences) on a model with such sums in a nested loop, in a branch,
//! beside other terms and into the target; the log density against the
//! sum of the logs computed here, where the factors underflow and overflow
//! any product (the rescaling path), and at zero, infinite and negative
//! factors; and the loop's `log` calls gone from the compiled functions.

use crate::common;

use hbmc::model::Engine;

const MODEL: &str = r#"
data {
  int N;
  int G;
  vector[N] y;
}
parameters {
  vector<lower=0>[G] s;
  vector[N] z;
  real m;
}
transformed parameters {
  real log_jacobian = 0;
  for (g in 1:G) {
    for (n in 1:N) {
      real a = 1 / sqrt(s[g] + square(z[n]));
      // A log beside other terms, into one element.
      log_jacobian += log(a * s[g]) + 0.5 * square(z[n]);
      if (y[n] > 0) {
        // And in a branch.
        log_jacobian += log(1 + square(z[n] - m));
      }
    }
  }
}
model {
  s ~ normal(1, 1);
  z ~ normal(m, 1);
  m ~ normal(0, 1);
  for (n in 1:N) {
    // Into the target, two logs in one term.
    target += log(s[1] + square(z[n])) + log(2 + square(y[n] * m));
  }
  target += log_jacobian;
}
"#;

const DATA: &str = r#"{"N": 5, "G": 3, "y": [0.3, -1.2, 2.5, -0.1, 0.7]}"#;

#[test]
fn summed_logs_pass_the_oracles() {
    common::oracle::check_example_json("log_products", MODEL, DATA).unwrap_or_else(|e| panic!("{e}"));
}

/// `target += log(x[n] * s)` over data factors: the log density is
/// `N log s + Σ log x[n] + log N(s | 1, 1)`.
const FACTORS: &str = r#"
data {
  int N;
  vector[N] x;
}
parameters {
  real<lower=0> s;
}
model {
  for (n in 1:N) {
    target += log(x[n] * s);
  }
}
"#;

fn json(x: &[f64]) -> String {
    let items: Vec<String> = x.iter().map(|v| format!("{v:e}")).collect();
    format!(r#"{{"N": {}, "x": [{}]}}"#, x.len(), items.join(", "))
}

/// The log density at `s = 1` (unconstrained 0, whose Jacobian is 0) by
/// both engines, from the log density and from the gradient's value.
fn densities(x: &[f64]) -> Vec<f64> {
    densities_at(x, 0.0)
}

/// [`densities`] at the unconstrained point `u` (`s = e^u`).
fn densities_at(x: &[f64], u: f64) -> Vec<f64> {
    let mut out = Vec::new();
    for engine in [Engine::Jit, Engine::Interpreter] {
        let model = common::oracle::bind_json("log_products_factors", FACTORS, &json(x), engine).unwrap_or_else(|e| panic!("{e}"));
        let mut e = model.evaluator();
        let lp = e.log_density(&[u]).unwrap_or_else(|err| panic!("{}", err.message));
        // (The gradient is the AD's `x / (x s)`, which the pass leaves.)
        let mut grad = [0.0];
        let lg = e.log_density_gradient(&[u], &mut grad).unwrap_or_else(|err| panic!("{}", err.message));
        out.extend([lp, lg]);
    }
    out
}

#[test]
fn extreme_factors_give_the_sum_of_their_logs() {
    // Products of these underflow or overflow within a few factors (one is
    // subnormal): the rescaled product must still give the sum.
    let x: [f64; 14] = [1e-300, 1e-300, 5e-324, 1e300, 3.5, 1e-250, 1e308, 1e308, 1e308, 2e-310, 0.5, 1e200, 7.0, 1e-100];
    let want: f64 = x.iter().map(|v| v.ln()).sum();
    for got in densities(&x) {
        assert!((got - want).abs() <= 1e-13 * want.abs(), "{got} against the sum of logs {want}");
    }
    // Many moderate factors: the fast path alone.
    let x: Vec<f64> = (1..200).map(|i| 0.37 + (i as f64) * 0.011).collect();
    let want: f64 = x.iter().map(|v| v.ln()).sum();
    for got in densities(&x) {
        assert!((got - want).abs() <= 1e-13 * want.abs().max(1.0), "{got} against the sum of logs {want}");
    }
}

#[test]
fn special_factors_give_what_the_sum_gives() {
    for got in densities(&[2.0, 0.0, 3.0]) {
        assert_eq!(got, f64::NEG_INFINITY);
    }
    // At s = e, 1e308 s overflows: an infinite factor.
    for got in densities_at(&[2.0, 1e308, 1e-300], 1.0) {
        assert_eq!(got, f64::INFINITY);
    }
    // A negative factor's log is NaN, even when a second one would make
    // the product positive.
    for got in densities(&[2.0, -3.0, -1.0, 4.0]) {
        assert!(got.is_nan(), "{got}");
    }
    for got in densities_at(&[0.0, 1e308], 1.0) {
        assert!(got.is_nan(), "{got}");
    }
}

#[test]
fn the_loops_call_log_once_after_them() {
    // In the compiled module (as `hbmc check --emit ir` prints it): the
    // log density and the gradient each take the log of three products
    // (the nested loop's, the branch's, the target's two logs in one),
    // outside every loop; before the pass the loops called it per term.
    let ir = common::emitted_ir("log_products_ir", MODEL, DATA);
    for name in ["log_density", "gradient"] {
        let body = common::function_body(&ir, name);
        // The open blocks, innermost last: whether each is a loop.
        let mut open: Vec<bool> = Vec::new();
        let mut logs_in_loops = 0;
        for line in body.lines().skip(1) {
            let t = line.trim();
            if t.starts_with('}') {
                open.pop();
            }
            if t.contains("call hbm_log(") && open.contains(&true) {
                logs_in_loops += 1;
            }
            if t.ends_with('{') {
                open.push(t.starts_with("for "));
            }
        }
        assert_eq!(logs_in_loops, 0, "{name}:\n{body}");
        assert!(body.matches("log_product#").count() >= 3, "{name}:\n{body}");
    }
}
