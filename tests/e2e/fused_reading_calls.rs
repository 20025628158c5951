//! A loop of target terms that passes a buffer to a call which only reads
//! it (`to_vector(w[g]) ~ std_normal()`, a `PtrConstF64` argument) is
//! fused like any other (`compiler/src/ad/reverse.rs`, `fusable`): its
//! reverse loop adds the terms, and the forward sweep no longer runs it.
//! Before, every buffer passed to a call counted as written, so a loop
//! reading the parameters that a transformed-parameter loop also reads
//! (the conditional covariance examples' model block) ran twice.
//!
//! The oracles (JIT = the reference interpreter, the gradient's value =
//! the log density, gradient = finite differences) on a model with such a
//! loop, beside a loop whose local a later call reads (which must stay in
//! the forward sweep: the call reads what it wrote); and the compiled
//! gradient, where the loop's forward call and its adjoint call are in
//! one top-level loop.

use crate::common;

const MODEL: &str = r#"
data {
  int N;
  int G;
  int<lower=3> K;
  vector[N] y;
  array[N] int<lower=1, upper=G> g_of;
}
parameters {
  array[G] vector[K] w;
  vector[G] mu;
  real<lower=0> sigma;
}
transformed parameters {
  vector[G] a;
  for (g in 1:G) {
    a[g] = mu[g] + sigma * w[g, 1] + 0.5 * w[g, 2] * w[g, 3];
  }
}
model {
  vector[N] m;
  mu ~ normal(0, 1);
  sigma ~ normal(0, 1);
  for (g in 1:G) {
    // A call on the parameters, which it only reads (K elements: long
    // enough for the call rather than a loop).
    to_vector(w[g]) ~ std_normal();
    for (k in 1:3) {
      target += -0.1 * square(w[g, k] - mu[g]);
    }
  }
  // A loop of target terms whose local a later call reads.
  for (n in 1:N) {
    m[n] = a[g_of[n]];
    target += -0.05 * square(a[g_of[n]]);
  }
  y ~ normal(m, sigma);
}
"#;

const DATA: &str = r#"{"N": 6, "G": 3, "K": 40, "y": [0.3, -1.2, 2.5, -0.1, 0.7, 1.1], "g_of": [1, 2, 3, 1, 2, 3]}"#;

#[test]
fn loops_with_reading_calls_pass_the_oracles() {
    common::oracle::check_example_json("fused_reading_calls", MODEL, DATA).unwrap_or_else(|e| panic!("{e}"));
}

/// For each line of `body` (a function's lines after its header), the
/// number of the top-level statement it is in, counting only loops.
fn top_level_loops(body: &str) -> Vec<(usize, &str)> {
    let mut depth = 0usize;
    let mut loop_no = 0usize;
    let mut out = Vec::new();
    for line in body.lines() {
        let t = line.trim();
        if t.starts_with('}') {
            depth = depth.saturating_sub(1);
        }
        if depth == 0 && t.starts_with("for ") {
            loop_no += 1;
        }
        out.push((loop_no, t));
        if t.ends_with('{') {
            depth += 1;
        }
    }
    out
}

#[test]
fn the_reading_loop_runs_once_in_the_gradient() {
    let ir = common::emitted_ir("fused_reading_calls_ir", MODEL, DATA);
    let body = common::function_body(&ir, "gradient");
    let body = &body[body.find('\n').map_or(0, |i| i + 1)..];
    let lines = top_level_loops(body);
    let loops_of = |call: &str| -> Vec<usize> { lines.iter().filter(|(_, t)| t.contains(call)).map(|&(n, _)| n).collect() };
    let forward = loops_of("call hbm_normal_sum_vec(");
    let adjoint = loops_of("call hbm_normal_sum_vec_adj(");
    // One forward call, in the loop of its adjoint: not run in a forward
    // loop of its own first.
    assert_eq!(forward.len(), 1, "{body}");
    assert_eq!(adjoint.len(), 1, "{body}");
    assert!(forward[0] > 0 && forward[0] == adjoint[0], "forward call in top-level loop {}, adjoint in {}:\n{body}", forward[0], adjoint[0]);
}
