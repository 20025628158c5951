//! Square roots and divisions of loop iterations kept by the forward sweep
//! for the reverse (`compiler/src/ad/value_tape.rs`): a loop nest whose
//! inner bounds come from transformed data (the conditional covariance
//! examples' cells), an inner loop with the same range in every outer
//! iteration (slots must tell the outer iterations apart), a loop of too
//! few iterations for a tape (`pg`, per group), a division by a
//! square root with no reciprocal (the root is kept too), a loop whose
//! range is known only at run time (recomputed, no tape) and a fused loop
//! (only in the reverse sweep, no tape). The oracles (JIT = the reference
//! interpreter, gradient = finite differences, which a value read from
//! the wrong slot fails); and a count of the square roots and divisions
//! the gradient computes, which recomputation exceeds.

use crate::common;

const MODEL: &str = r#"
data {
  int N;
  int G;
  array[N] int<lower=1, upper=G> grp;
  vector[N] y;
}
transformed data {
  // Rows of group g: first[g]..last[g] (the data are sorted by group).
  array[G] int first;
  array[G] int last;
  for (g in 1:G) {
    first[g] = N + 1;
    last[g] = 0;
  }
  for (n in 1:N) {
    first[grp[n]] = min(first[grp[n]], n);
    last[grp[n]] = max(last[grp[n]], n);
  }
}
parameters {
  vector<lower=0>[G] s;
  real<lower=0> a;
  real b;
  vector[N] z;
}
transformed parameters {
  vector[N] u;
  vector[G] v;
  vector[G] w;
  real lj = 0;
  for (g in 1:G) {
    real pg = 1 / (s[g] + a);
    for (n in first[g]:last[g]) {
      // A 2x2 Cholesky factor's reciprocal diagonal, as in the examples.
      real p11 = 1 + a + square(z[n]) + pg;
      real i11 = 1 / sqrt(p11);
      real r21 = b * i11;
      real i22 = 1 / sqrt(1 + a + s[g] + square(b) - square(r21));
      real q = r21 / sqrt(a + 1);
      u[n] = (y[n] - b) * i11 + q * i22;
      lj += log(i11 * i22);
    }
    real t = 0;
    for (j in 1:6) {
      real d = s[g] / (j + a);
      t += d / sqrt(1 + square(b * j));
    }
    v[g] = t;
  }
  {
    // A bound the data do not fix before the model runs.
    int m = 0;
    while (m < G) {
      m += 1;
    }
    for (k in 1:m) {
      w[k] = 1 / sqrt(s[k] + 1);
    }
  }
}
model {
  for (n in 1:N) {
    target += -0.1 * square(z[n]) / sqrt(1 + a);
  }
  v ~ normal(0, 1);
  w ~ normal(0, 1);
  y ~ normal(u, 1);
  target += lj;
  s ~ lognormal(0, 1);
  a ~ lognormal(0, 1);
  b ~ normal(0, 1);
}
"#;

const DATA: &str = r#"{"N": 7, "G": 3, "grp": [1, 1, 2, 2, 2, 3, 3], "y": [0.3, -1.2, 2.5, -0.1, 0.8, 1.7, -0.6]}"#;

#[test]
fn kept_values_pass_the_oracles() {
    common::oracle::check_example_json("loop_value_tapes", MODEL, DATA).unwrap_or_else(|e| panic!("{e}"));
}

/// Lines of a printed function that compute `op`.
fn count(function_text: &str, op: &str) -> usize {
    function_text.lines().filter(|l| l.contains(&format!("= {op} "))).count()
}

#[test]
fn the_reverse_sweep_loads_what_the_forward_sweep_divided() {
    // What the tapes save, without `ir::tabulate`: it would take the
    // group loop's `sqrt(1 + square(b * j))`, which varies with `j` alone,
    // into a 6-entry table before that loop (tests/e2e/loop_invariants.rs).
    let without_tables = hbmc_compiler::lower::LowerOptions { tabulate_inner_invariants: false, ..Default::default() };
    let gradient = common::function_ir_with(MODEL, DATA, hbmc_compiler::ir::FunctionKind::Gradient, without_tables);
    assert!(gradient.contains("load work.tape.values"), "no loop values kept:\n{gradient}");
    // The log density's 6 square roots, each once (the fused loop's only
    // in the reverse sweep), and again only the loop over `1:m`'s, whose
    // range is not known when the gradient is made. Recomputing every
    // iteration in the reverse sweep took 12.
    let log_density = log_density_ir();
    assert_eq!(count(&log_density, "sqrt"), 6, "{log_density}");
    let sqrts = count(&gradient, "sqrt");
    assert_eq!(sqrts, 7, "square roots in the gradient:\n{gradient}");
    // Divisions: the log density's 8, the ones recomputed over `1:m` and
    // per group (`pg`: 3 iterations, too few for a tape), and the reverse
    // rules' own (`g / b` of the divisions by a value that is not a
    // reciprocal's square root, `log`'s partial), and the partial of `ln s`
    // in `s ~ lognormal(0, 1)`, which is IR (`lower/positive_densities.rs`;
    // the library's call divided inside): 19. Recomputation took 25 (with
    // the library's lognormal).
    assert_eq!(count(&log_density, "div"), 8, "{log_density}");
    let divs = count(&gradient, "div");
    assert!(divs <= 19, "{divs} divisions in the gradient:\n{gradient}");
}

/// The log density function's IR as text.
fn log_density_ir() -> String {
    use hbmc_compiler::bind::{bind_data, read_source};
    use hbmc_compiler::ir::FunctionKind;
    use hbmc_compiler::lower::{lower_model_with, LowerOptions};
    let fe = hbmc_compiler::front_end(MODEL);
    let program = fe.typed.expect("the model checks");
    let src = read_source("d.json", DATA).expect("the data read");
    let (bound, diags) = bind_data(&program, &[src]);
    let bound = bound.unwrap_or_else(|| panic!("data bind: {diags:?}"));
    let options = LowerOptions { tabulate_inner_invariants: false, ..LowerOptions::default() };
    let m = lower_model_with(&program, &bound, options).expect("the model lowers");
    let f = m.module.function(FunctionKind::LogDensity).expect("a log density");
    hbmc_compiler::ir::print::function_to_string(&m.module, f)
}
