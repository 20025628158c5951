//! Calls of a nested loop the reverse sweep re-runs just before its own
//! reverse, kept from the re-run (`ad::value_tape`'s `find_reruns`).
//!
//! A fused likelihood loop (only in the reverse sweep) whose body sums an
//! inner loop's terms (posteriordb's capture-recapture models: per
//! individual, Bernoulli terms over the occasions, then `log_sum_exp`)
//! re-runs the inner loop when it recomputes the iteration (the sum is
//! read after it), then reverses it, recomputing each inner iteration
//! again: each term's `_grad` call twice. Now the re-run stores value and
//! partials in the inner loop's own slots and the reverse loads them.
//! Checked by the oracles (interpreter and finite differences, which a
//! partial from the wrong slot fails) and by the count of the calls.

use crate::common;

use common::calls;

const MODEL: &str = r#"
data { int M; int T; array[M, T] int<lower=0, upper=1> y; array[M] int s; }
parameters { real<lower=0, upper=1> w; vector[T] a; real b; }
model {
  a ~ normal(0, 1);
  b ~ normal(0, 1);
  for (i in 1:M) {
    if (s[i] > 0) {
      target += bernoulli_lpmf(1 | w) + bernoulli_logit_lpmf(y[i] | a + b * i);
    } else {
      target += log_sum_exp(bernoulli_lpmf(1 | w) + bernoulli_logit_lpmf(y[i] | a + b * i), bernoulli_lpmf(0 | w));
    }
  }
}
"#;

const DATA: &str = r#"{"M": 6, "T": 4,
 "y": [[0, 1, 0, 0], [1, 1, 0, 1], [0, 0, 0, 0], [0, 0, 1, 0], [0, 0, 0, 0], [1, 0, 0, 1]],
 "s": [1, 3, 0, 1, 0, 2]}"#;

#[test]
fn calls_kept_from_a_re_run_pass_the_oracles() {
    common::oracle::check_example_json("rerun_call_tapes", MODEL, DATA).unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn a_re_run_loop_keeps_its_calls_for_its_reverse() {
    let ir = common::gradient_ir(MODEL, DATA);
    assert!(ir.contains("work.tape.calls.rerun."), "no call kept:\n{ir}");
    // One Bernoulli-logit term per occasion in each arm's re-run; its
    // reverse made a second `_grad` call per occasion.
    assert_eq!(calls(&ir, "hbm_bernoulli_logit_lpmf_grad") + calls(&ir, "hbm_bernoulli_logit_lpmf"), 2, "{ir}");
}
