//! Partials of top-level library calls taken by the forward sweep
//! (`ad::reverse`, `Gen::call_with_partials`), and `tanh` in its `_grad`
//! form (`hbm_tanh_grad`: value and partial from one `tanh`).
//!
//! At the top level nothing is recomputed: the reverse reads the forward
//! sweep's values. But it took a call's partials by calling the `_grad`
//! form or `_d<k>` again, so a bounded scalar's transform (`inv_logit`,
//! `log_inv_logit`, `log1m_inv_logit` of the unconstrained value) and a
//! prior's density were evaluated twice per gradient. Now the forward
//! sweep makes each call in its `_grad` form and the reverse reads the
//! partials it wrote. `tanh` had no `_grad` form, so neither this nor a
//! loop's call tape (`ad::value_tape`) could keep its partial: the
//! reverse called `tanh_d1`, a second `tanh`.
//!
//! The checks: the reference interpreter and finite differences
//! (`common::oracle`), which a partial of the wrong argument or value
//! fails, and the count of each function's calls in the gradient, which
//! the second evaluation exceeded.

use crate::common;

use common::calls;

/// Bounded scalars, priors at the top level, and a `tanh` of a parameter.
const TOP_MODEL: &str = r#"
data { int N; vector[N] x; vector[N] y; }
parameters {
  real<lower=0, upper=1> w;
  real<lower=0> s;
  real a;
}
transformed parameters {
  real t = tanh(a);
}
model {
  s ~ lognormal(a, w);
  w ~ beta(2, 3);
  a ~ normal(0, 1);
  y ~ normal(t * w * x, s);
}
"#;

/// `tanh` per element in a loop of 20 iterations the forward sweep runs
/// (a later statement reads what it fills), as a network's hidden layer.
const LOOP_MODEL: &str = r#"
data { int N; vector[N] x; vector[N] y; }
parameters { real a; real b; real<lower=0> s; }
transformed parameters {
  vector[N] h;
  for (n in 1:N) h[n] = tanh(a + b * x[n]);
}
model {
  a ~ normal(0, 1);
  b ~ normal(0, 1);
  s ~ exponential(1);
  y ~ normal(h, s);
}
"#;

const DATA: &str = r#"{"N": 20,
 "x": [0.3, -1.1, 0.8, 2.0, -0.4, 1.3, 0.1, -0.7, 1.9, -2.2, 0.5, 0.0, -1.4, 0.9, 1.1, -0.2, 0.6, -0.9, 1.6, -1.8],
 "y": [0.2, -0.8, 0.5, 0.9, -0.1, 0.7, 0.3, -0.6, 0.8, -0.9, 0.4, 0.1, -0.7, 0.6, 0.5, -0.3, 0.2, -0.5, 0.9, -0.8]}"#;

/// Every call of `f` in `ir`: plain, `_grad` and `_d1`.
fn all_calls(ir: &str, f: &str) -> usize {
    calls(ir, f) + calls(ir, &format!("{f}_grad")) + calls(ir, &format!("{f}_d1"))
}

#[test]
fn top_level_partials_pass_the_oracles() {
    common::oracle::check_example_json("top_level_partials", TOP_MODEL, DATA).unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn a_top_level_call_is_made_once_with_its_partials() {
    let ir = common::gradient_ir(TOP_MODEL, DATA);
    // The bounded `w`'s transform and log Jacobian, and `tanh`: once each,
    // in the forward sweep, as `_grad`; the reverse called `_d1` again.
    for f in ["hbm_inv_logit", "hbm_log_inv_logit", "hbm_log1m_inv_logit", "hbm_tanh"] {
        assert_eq!(all_calls(&ir, f), 1, "calls of `{f}` in the gradient:\n{ir}");
        assert_eq!(calls(&ir, &format!("{f}_grad")), 1, "`{f}_grad` in the forward sweep:\n{ir}");
    }
    // A density of parameters only (a library call; `beta` is lowered
    // as IR): one evaluation (the reverse made a second, in `_grad` form,
    // for the partials). One with a constant argument keeps its plain
    // call: its `_grad` would compute that argument's partial too.
    let n = calls(&ir, "hbm_lognormal_lpdf") + calls(&ir, "hbm_lognormal_lpdf_grad");
    assert_eq!(n, 1, "calls of `lognormal_lpdf` in the gradient:\n{ir}");
}

#[test]
fn tanh_in_a_loop_passes_the_oracles() {
    common::oracle::check_example_json("top_level_partials_tanh_loop", LOOP_MODEL, DATA).unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn a_loop_keeps_the_partial_of_tanh() {
    let ir = common::gradient_ir(LOOP_MODEL, DATA);
    assert!(ir.contains("work.tape.calls."), "no call kept:\n{ir}");
    // One `tanh` per iteration, in the forward sweep; the reverse's
    // recomputation called `tanh_d1`, a second.
    assert_eq!(all_calls(&ir, "hbm_tanh"), 1, "calls of `tanh` in the gradient:\n{ir}");
    assert_eq!(calls(&ir, "hbm_tanh_grad"), 1, "{ir}");
}
