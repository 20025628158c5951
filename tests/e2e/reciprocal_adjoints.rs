//! The reverse sweep's cheaper adjoints (`compiler/src/ad/reciprocals.rs`,
//! `reverse.rs`): `1 / b` differentiated as `-(1/b)²` (no division),
//! `sqrt(x)` next to its reciprocal as half that reciprocal, `log(x)` as one
//! division, `square(x)` as a multiply, and a small `multi_normal_cholesky`
//! by the reciprocals of its factor's diagonal. The oracles (JIT = the
//! reference interpreter, gradient = finite differences) on a model with
//! each pattern at top level, in a loop, and with the reciprocal in a
//! nested block where it must not be reused; and a count of the divisions
//! and square roots the gradient has left, which the old rules exceed.
//! `1 / sqrt(x)` differentiated straight to `x` (one multiply of the
//! adjoint by `y³ / 2`) and `x * x` as `g (x + x)`: the conditional
//! examples' longest chain of dependent arithmetic, which they shorten.

use crate::common;


const MODEL: &str = r#"
data {
  int N;
  vector[N] y;
}
parameters {
  real<lower=0> a;
  real b;
  vector<lower=0>[N] v;
  cholesky_factor_corr[2] L;
  vector<lower=0>[2] tau;
  array[N] vector[2] z;
}
model {
  // Top level: 1 / sqrt, a literal 1.0, log, square.
  real r = 1 / sqrt(a + square(b));
  real q = 1.0 / (a + 2);
  target += log(r) - q + square(b) * r;
  for (n in 1:N) {
    // In a loop: the Cholesky-like pair of the conditional forms.
    real p = v[n] + square(y[n]);
    real s = sqrt(p);
    real i = 1 / s;
    target += -0.5 * square(y[n] * i - b) + log(i) + s * 0.1;
    if (y[n] > 0) {
      // The reciprocal in a nested block: `s` is differentiated without it.
      target += 1 / s;
    }
  }
  v ~ lognormal(0, 1);
  a ~ normal(0, 2);
  b ~ normal(0, 1);
  matrix[2, 2] A = diag_pre_multiply(tau, L);
  tau ~ normal(0, 1);
  L ~ lkj_corr_cholesky(2);
  for (n in 1:N) {
    z[n] ~ multi_normal_cholesky([b, a]', A);
  }
}
"#;

const DATA: &str = r#"{"N": 4, "y": [0.3, -1.2, 2.5, -0.1]}"#;

#[test]
fn cheaper_adjoints_pass_the_oracles() {
    common::oracle::check_example_json("reciprocal_adjoints", MODEL, DATA).unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn the_gradient_divides_only_where_it_must() {
    let text = common::gradient_ir(MODEL, DATA);
    let in_loops = |op: &str| text.lines().filter(|l| l.starts_with("    ") && l.contains(&format!("= {op} "))).count();
    // Inside the loops (indented twice or more) 5 are left: `1 / s` as
    // computed (the loop's terms are computed in its reverse), the nested
    // `1 / s` as computed and again in the nested block's reverse,
    // `log(i)`'s partial, and the partial of `ln v` in `v ~ lognormal(0,
    // 1)`, which is IR (`lower/positive_densities.rs`; the library's call
    // divided inside): 5. The old rules divided again for each `1 / b`,
    // each square root and each multi_normal_cholesky row: 10 (with the
    // library's lognormal).
    let divs = in_loops("div");
    assert!(divs <= 5, "{divs} divisions in the gradient's loops:\n{text}");
    // No square's `_d1`, no log's `_d1`.
    for name in ["hbm_square", "hbm_square_d1", "hbm_log_d1"] {
        assert!(!text.contains(&format!("call {name}(")), "the gradient calls {name}:\n{text}");
    }
}

/// The longest chain of dependent arithmetic (`add`, `sub`, `mul`, `div`,
/// `sqrt`; a negation is folded into its reader, a load, call or constant
/// starts a chain) in the gradient of `hbmc check --emit ir`'s text.
fn longest_chain(ir: &str) -> usize {
    let gradient = ir.split_once("fn gradient").map_or("", |(_, g)| g);
    let mut depth = std::collections::HashMap::new();
    let mut longest = 0;
    for line in gradient.lines() {
        let Some((dst, rhs)) = line.trim().split_once(" = ") else { continue };
        let mut words = rhs.split([' ', ',', '(', ')']).filter(|w| !w.is_empty());
        let op = words.next().unwrap_or("");
        let from = words.filter_map(|w| depth.get(w).copied()).max().unwrap_or(0);
        let d = match op {
            "add" | "sub" | "mul" | "div" | "sqrt" => from + 1,
            "neg" => from,
            _ => 0,
        };
        longest = longest.max(d);
        depth.insert(dst.to_string(), d);
    }
    longest
}

#[test]
fn a_reciprocal_root_reaches_its_radicand_in_one_multiply() {
    // The cell loops' reverse carries each cell's adjoint through
    // `1 / sqrt(p22 - r21²)` and `1 / sqrt(p11)`: three multiplies each
    // before, one now; and through `square(r21)`, whose rule doubles `r21`
    // off the chain. 5 fewer in the longest chain: main 80bbea9 had 31 and
    // 28, with the reciprocal rule alone 27 and 24.
    for (name, at_most) in [("electric_covariance_conditional", 26), ("electric_covariance_lkj_conditional", 23)] {
        let model = format!("examples/{name}.hbm");
        let out = common::hbmc(&common::root(), &["check", &model, "--data", "examples/data/electric.csv", "--emit", "ir"]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let ir = String::from_utf8_lossy(&out.stdout);
        let chain = longest_chain(&ir);
        assert!((5..=at_most).contains(&chain), "{name}: the gradient's longest chain is {chain} operations long, more than {at_most}");
    }
}
