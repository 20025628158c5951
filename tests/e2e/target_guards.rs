//! Guards of target terms (`compiler/src/ad/target_guards.rs`):
//! `target += select(ok, v, -inf)` has its reverse pass the adjoint to `v`
//! without recomputing `ok`, since wherever the log density is finite every
//! guard picked `v`. The oracles (JIT = the reference interpreter, gradient
//! = finite differences) on a model with guards at top level, in fused
//! loops, in a loop with recomputation (a small `multi_normal_cholesky`,
//! whose guard tests the whole density) and in a branch; a count of the
//! gradient's selects, which the old rule exceeds (one `select(ok, g, 0)`
//! more per guard); and the log density where a guard fails, still `-inf`.

use crate::common;

use hbmc::model::Engine;
use hbmc_compiler::ir::FunctionKind;

const MODEL: &str = r#"
data {
  int N;
  vector[N] y;
}
parameters {
  vector<lower=0, upper=1>[N] p;
  vector<lower=0>[N] s;
  real<lower=-1, upper=1> r;
  array[N] vector[2] z;
  real m;
}
model {
  // Fused: the reverse loop computes these terms, guard included.
  p ~ beta(3, 2);
  s ~ lognormal(0, 1);
  for (n in 1:N) {
    // A small factor per iteration: its density is guarded whole.
    matrix[2, 2] L = cholesky_decompose([[square(s[n]) + 0.1, r * s[n]], [r * s[n], 1.0]]);
    z[n] ~ multi_normal_cholesky([m, p[n]]', L);
    if (y[n] > 0) {
      // A guard in a branch.
      p[n] ~ beta(2, 2);
    }
  }
  // Top level.
  (r + 1) / 2 ~ beta(2, 2);
  y ~ normal(m, 1);
}
"#;

const DATA: &str = r#"{"N": 4, "y": [0.3, -1.2, 2.5, -0.1]}"#;

#[test]
fn guarded_terms_pass_the_oracles() {
    common::oracle::check_example_json("target_guards", MODEL, DATA).unwrap_or_else(|e| panic!("{e}"));
}

fn selects(ir: &str) -> usize {
    ir.lines().filter(|l| l.contains("= select ")).count()
}

#[test]
fn the_reverse_tests_no_guard_again() {
    // The forward sweep, or the reverse of a fused loop, computes each
    // guard once; the reverse sweep no select of its own. The old rule had
    // one `select(ok, g, 0)` more per guard: 8 against 4 here.
    let forward = selects(&common::function_ir(MODEL, DATA, FunctionKind::LogDensity));
    let gradient = common::gradient_ir(MODEL, DATA);
    assert!(forward >= 4, "{forward} selects in the log density");
    assert_eq!(selects(&gradient), forward, "the gradient's selects:\n{gradient}");
}

#[test]
fn a_failed_guard_still_gives_minus_infinity() {
    // A variate so far out that its squared residual overflows: the
    // density is -inf, by the JIT and by the interpreter, in the log
    // density and in the gradient's value.
    for engine in [Engine::Jit, Engine::Interpreter] {
        let model = common::oracle::bind_json("target_guards_inf", MODEL, DATA, engine).unwrap_or_else(|e| panic!("{e}"));
        let mut e = model.evaluator();
        let mut x = vec![0.1; model.dim()];
        // z[1][1] is the 10th unconstrained parameter (p, s: 4 each; r).
        x[9] = 1e300;
        let lp = e.log_density(&x).unwrap_or_else(|err| panic!("{}", err.message));
        assert_eq!(lp, f64::NEG_INFINITY, "{engine:?}");
        let mut grad = vec![0.0; x.len()];
        let lg = e.log_density_gradient(&x, &mut grad).unwrap_or_else(|err| panic!("{}", err.message));
        assert_eq!(lg, f64::NEG_INFINITY, "{engine:?}");
    }
}
