//! Library calls of loop iterations kept by the forward sweep for the
//! reverse (`compiler/src/ad/value_tape.rs`, "calls"), and branches not
//! re-run before their own reverse (`ad::reverse`, `rerun_redundant`).
//!
//! A loop the forward sweep runs (it fills a transformed parameter that a
//! later statement reads), of a range known once the data are bound,
//! calls each term's `_grad` form there and stores value and partials in
//! the iteration's slot; the reverse sweep, which called the `_grad` form
//! (or the `_d<k>` partial) again when it recomputed the iteration, loads
//! them. A fused likelihood loop (only in the reverse sweep) with a
//! branch per observation recomputed the branch taken once for the
//! iteration and again for the branch's own reverse; now once. The
//! oracles (JIT = the reference interpreter, gradient = finite
//! differences, which a partial read from the wrong slot fails) and a
//! count of the calls the gradient makes, which the recomputation
//! exceeded.

use crate::common;

use common::calls;

/// `lp[n]` from a branch per observation, in a loop of 20 iterations
/// (a tape needs 16 slots) the forward sweep runs: the model's
/// `log_sum_exp(lp)` reads it.
const FORWARD_MODEL: &str = r#"
data { int N; array[N] int y; vector[N] x; }
parameters { real a; real b; }
transformed parameters {
  vector[N] lp;
  for (n in 1:N) {
    if (y[n] > 0) {
      lp[n] = log1p_exp(a + b * x[n]) + inv_logit(b - x[n]);
    } else {
      lp[n] = log_inv_logit(a - b * x[n]);
    }
  }
}
model {
  a ~ normal(0, 1);
  b ~ normal(0, 1);
  target += log_sum_exp(lp);
}
"#;

/// A fused loop with a branch per observation, as posteriordb's Mh_model.
const FUSED_MODEL: &str = r#"
data { int N; array[N] int y; vector[N] x; }
parameters { real a; real b; real<lower=0, upper=1> w; }
model {
  a ~ normal(0, 1);
  b ~ normal(0, 1);
  for (n in 1:N) {
    if (y[n] > 0) {
      target += bernoulli_lpmf(1 | w) + log1p_exp(a + b * x[n]);
    } else {
      target += log_sum_exp(bernoulli_lpmf(1 | w) + log1p_exp(a - b * x[n]), bernoulli_lpmf(0 | w));
    }
  }
}
"#;

const DATA: &str = r#"{"N": 20,
 "y": [0, 1, 3, 0, 2, 0, 0, 1, 4, 0, 1, 0, 2, 2, 0, 1, 0, 0, 3, 1],
 "x": [0.3, -1.1, 0.8, 2.0, -0.4, 1.3, 0.1, -0.7, 1.9, -2.2, 0.5, 0.0, -1.4, 0.9, 1.1, -0.2, 0.6, -0.9, 1.6, -1.8]}"#;

#[test]
fn kept_calls_pass_the_oracles() {
    common::oracle::check_example_json("call_tapes_forward", FORWARD_MODEL, DATA).unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn the_reverse_sweep_loads_the_partials_the_forward_sweep_computed() {
    let ir = common::gradient_ir(FORWARD_MODEL, DATA);
    assert!(ir.contains("work.tape.calls."), "no call kept:\n{ir}");
    // Each of the three calls once, in the forward sweep, as its `_grad`
    // form; recomputing the iterations called each again (`_grad` where
    // the reverse needed the value, `_d1` where only the partial).
    for f in ["hbm_log1p_exp", "hbm_inv_logit", "hbm_log_inv_logit"] {
        let all = calls(&ir, f) + calls(&ir, &format!("{f}_grad")) + calls(&ir, &format!("{f}_d1"));
        assert_eq!(all, 1, "calls of `{f}` in the gradient:\n{ir}");
        assert_eq!(calls(&ir, &format!("{f}_grad")), 1, "`{f}_grad` in the forward sweep:\n{ir}");
    }
}

#[test]
fn a_fused_loop_with_branches_passes_the_oracles() {
    common::oracle::check_example_json("call_tapes_fused", FUSED_MODEL, DATA).unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn a_branch_of_a_fused_loop_is_computed_once_per_iteration() {
    let ir = common::gradient_ir(FUSED_MODEL, DATA);
    // One `log_sum_exp` and one `log1p_exp` per arm, in the branch's
    // reverse; re-running the branch before its reverse made two.
    assert_eq!(calls(&ir, "hbm_log_sum_exp_grad") + calls(&ir, "hbm_log_sum_exp"), 1, "{ir}");
    let log1p_exp = calls(&ir, "hbm_log1p_exp_grad") + calls(&ir, "hbm_log1p_exp") + calls(&ir, "hbm_log1p_exp_d1");
    assert_eq!(log1p_exp, 2, "{ir}");
}
