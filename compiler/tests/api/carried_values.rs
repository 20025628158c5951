//! Gradients through overwritten and loop-carried values: a corpus of small
//! programs (AR(2), ARMA, GARCH, a Kalman filter, an HMM forward pass,
//! cumulative sums, element-wise recursions, vectors and vector elements
//! carried across iterations, nested carried loops, branches that update a
//! value, straight-line reassignment). Each either passes both oracles —
//! the reference interpreter's gradient equals a 4-point central finite
//! difference of its log density (1e-6 relative), and the JIT's log
//! density and gradient equal the interpreter's (1e-10 relative) — or is
//! refused by the AD with error E5002. Which one is part of each test, so
//! a refusal that starts to compile, or a pattern that starts to be
//! refused, fails it; a wrong gradient always does.

use hbmc_compiler::ad::{differentiate_with_data, AdError};
use hbmc_compiler::bind::{bind_data, read_source};
use hbmc_compiler::codegen;
use hbmc_compiler::front_end;
use hbmc_compiler::interp;
use hbmc_compiler::ir::arenas::Arenas;
use hbmc_compiler::ir::batch::batch_likelihood_loops;
use hbmc_compiler::ir::FunctionKind;
use hbmc_compiler::lower::lower_model;

/// What the AD made of a program.
#[derive(Debug)]
enum Outcome {
    /// Both oracles passed.
    Passed,
    /// The AD refused it.
    Refused(AdError),
}

/// Lowers `source` with `data` (JSON), differentiates it as the CLI does
/// (loop bounds from the data's integers, then the batching pass) and
/// runs both oracles at a few random points. Panics on a wrong gradient.
fn oracles(name: &str, source: &str, data: &str) -> Outcome {
    let fe = front_end(source);
    let program = fe.typed.unwrap_or_else(|| panic!("{name}: model checks: {:?}", fe.diagnostics));
    let src = read_source("data.json", data).unwrap_or_else(|d| panic!("{name}: data reads: {d:?}"));
    let (bound, diags) = bind_data(&program, &[src]);
    let bound = bound.unwrap_or_else(|| panic!("{name}: data bind: {diags:?}"));
    let mut model = lower_model(&program, &bound).unwrap_or_else(|d| panic!("{name}: lowering: {d:?}"));
    if let Err(e) = differentiate_with_data(&mut model.module, &model.data_init, &model.int_data_init) {
        return Outcome::Refused(e);
    }
    let unbatched = model.module.clone();
    batch_likelihood_loops(&mut model.module);
    hbmc_compiler::ir::verify::verify(&model.module).unwrap_or_else(|e| panic!("{name}: IR does not verify: {e:?}"));
    let jit = codegen::compile(&model.module).unwrap_or_else(|e| panic!("{name}: JIT: {e}"));
    let mut arenas = Arenas::new(&model.module.arena_sizes);
    arenas.data[..model.data_init.len()].copy_from_slice(&model.data_init);
    arenas.int_data[..model.int_data_init.len()].copy_from_slice(&model.int_data_init);
    interp::run(&model.module, FunctionKind::TransformedData, &mut arenas, None).expect("transformed data");
    let mut jit_arenas = arenas.clone();
    let mut g = hbmc_stdlib::ChainRng::new(name.len() as u64 * 7919, 0);
    let lp = |arenas: &mut Arenas, x: &[f64]| {
        arenas.params.copy_from_slice(x);
        interp::run(&unbatched, FunctionKind::LogDensity, arenas, None).expect("log density")
    };
    for _ in 0..4 {
        let x: Vec<f64> = (0..model.dim).map(|_| 2.0 * g.uniform() - 1.0).collect();
        arenas.params.copy_from_slice(&x);
        let value = interp::run(&model.module, FunctionKind::Gradient, &mut arenas, None).expect("gradient runs");
        let grad = arenas.grad.clone();
        let at = lp(&mut arenas, &x);
        assert!((value - at).abs() <= 1e-12 * at.abs().max(1.0), "{name}: gradient function's value {value} vs log density {at}");
        jit_arenas.params.copy_from_slice(&x);
        let jit_value = jit.call(FunctionKind::Gradient, &mut jit_arenas, None).expect("JIT gradient runs");
        assert!((jit_value - value).abs() <= 1e-10 * value.abs().max(1.0), "{name}: JIT value {jit_value} vs interpreter {value}");
        for i in 0..model.dim {
            let d = (jit_arenas.grad[i] - grad[i]).abs() / grad[i].abs().max(1.0);
            assert!(d <= 1e-10, "{name}: d/dx[{i}] JIT {} vs interpreter {}", jit_arenas.grad[i], grad[i]);
        }
        for i in 0..model.dim {
            let h = 1e-3 * x[i].abs().max(1.0);
            let mut f = |d: f64| {
                let mut y = x.clone();
                y[i] += d;
                lp(&mut arenas, &y)
            };
            let fd = (8.0 * (f(h) - f(-h)) - (f(2.0 * h) - f(-2.0 * h))) / (12.0 * h);
            let err = (grad[i] - fd).abs() / grad[i].abs().max(fd.abs()).max(1.0);
            assert!(err < 1e-6, "{name}: d/dx[{i}] AD {} vs FD {fd} (relative error {err:e})", grad[i]);
        }
    }
    Outcome::Passed
}

fn passes(name: &str, source: &str, data: &str) {
    match oracles(name, source, data) {
        Outcome::Passed => {}
        Outcome::Refused(e) => panic!("{name}: refused: {e}"),
    }
}

/// Refused with E5002 and a message containing `why`.
fn refused(name: &str, source: &str, data: &str, why: &str) {
    match oracles(name, source, data) {
        Outcome::Refused(e) => {
            assert_eq!(e.code(), "E5002", "{name}");
            assert!(e.message.contains(why), "{name}: {e}");
        }
        Outcome::Passed => panic!("{name}: expected a refusal, but the gradient passed"),
    }
}

/// A deterministic series of `n` values in about [-2, 2].
fn series(n: usize, seed: f64) -> String {
    let v: Vec<String> = (0..n).map(|i| format!("{:.4}", 1.5 * ((i as f64 + 1.0) * seed).sin() + 0.3 * ((i as f64) * 0.37).cos())).collect();
    format!("[{}]", v.join(", "))
}

/// `{"N": n, "y": [...]}`.
fn ts(n: usize) -> String {
    format!(r#"{{"N": {n}, "y": {}}}"#, series(n, 0.77))
}

/// `{"N": n, "K": k, "x": n vectors of k}`.
fn vectors(n: usize, k: usize) -> String {
    let rows: Vec<String> = (0..n).map(|t| series(k, 0.31 + t as f64)).collect();
    format!(r#"{{"N": {n}, "K": {k}, "x": [{}]}}"#, rows.join(", "))
}

const VECTOR_CARRY: &str = "
data { int N; int K; array[N] vector[K] x; }
parameters { real<lower=0, upper=1> phi; }
model {
  vector[K] v = rep_vector(0, K);
  for (t in 1:N) { v = phi * v + x[t]; }
  target += -0.01 * dot_self(v);
}";

#[test]
fn a_small_vector_carried_across_iterations() {
    passes("vector_carry_3", VECTOR_CARRY, &vectors(4, 3));
}

#[test]
fn a_vector_longer_than_64_carried_across_iterations() {
    passes("vector_carry_100", VECTOR_CARRY, &vectors(4, 100));
}

#[test]
fn a_vector_carried_through_nested_loops() {
    let src = "
data { int N; int K; array[N] vector[K] x; }
parameters { real<lower=0, upper=1> phi; real mu; }
model {
  vector[K] v = rep_vector(mu, K);
  mu ~ normal(0, 1);
  for (i in 1:3) {
    for (t in 1:N) { v = phi * v + x[t]; }
    target += -0.01 * dot_self(v - mu);
  }
}";
    passes("nested_vector_carry", src, &vectors(5, 4));
}

#[test]
fn a_vector_element_carried_at_a_fixed_index() {
    let src = "
data { int N; vector[N] y; }
parameters { real<lower=0, upper=1> phi; real a; }
model {
  vector[2] v = rep_vector(a, 2);
  vector[80] w = rep_vector(a, 80);
  a ~ normal(0, 1);
  for (t in 1:N) {
    v[1] = v[1] * phi + y[t];
    w[3] = w[3] * phi - y[t];
    y[t] ~ normal(v[1] + 0.1 * w[3], 2);
  }
}";
    passes("vector_element_carry", src, &ts(12));
}

#[test]
fn several_writes_to_one_carried_cell_per_iteration() {
    let src = "
data { int N; vector[N] y; }
parameters { real<lower=0, upper=1> phi; real a; }
model {
  real s = a;
  a ~ normal(0, 1);
  for (t in 1:N) {
    s = s * phi;
    s = s + y[t];
    y[t] ~ normal(s, 2);
    s = s - 0.5 * a;
  }
}";
    passes("several_writes", src, &ts(10));
}

#[test]
fn element_wise_recursion_over_a_long_vector() {
    let src = "
data { int N; vector[N] y; }
parameters { real<lower=0, upper=1> phi; real<lower=0> sigma; }
model {
  vector[N] mu;
  mu[1] = y[1];
  for (t in 2:N) {
    mu[t] = phi * mu[t - 1] + 0.1 * y[t - 1];
    y[t] ~ normal(mu[t], sigma);
  }
  sigma ~ lognormal(0, 1);
}";
    passes("elementwise_recursion", src, &ts(90));
}

#[test]
fn an_element_read_before_its_own_store_is_taped() {
    // `mu[t]` keeps the previous sweep's value until it is overwritten:
    // not element by element, so the loop keeps each start value.
    let src = "
data { int N; vector[N] y; }
parameters { real<lower=0, upper=1> phi; }
model {
  vector[N] mu = y;
  for (r in 1:3) {
    for (t in 2:N) {
      mu[t] = phi * mu[t] + 0.5 * mu[t - 1];
    }
  }
  target += -0.01 * dot_self(mu);
}";
    passes("read_before_store", src, &ts(70));
}

#[test]
fn garch_with_an_element_wise_volatility() {
    let src = "
data { int N; vector[N] y; }
parameters { real mu; real<lower=0> alpha0; real<lower=0, upper=1> alpha1; real<lower=0, upper=(1 - alpha1)> beta1; }
model {
  vector[N] sigma;
  real r2;
  sigma[1] = 1;
  r2 = square(y[1] - mu);
  for (t in 2:N) {
    sigma[t] = sqrt(alpha0 + alpha1 * r2 + beta1 * square(sigma[t - 1]));
    r2 = square(y[t] - mu);
  }
  y ~ normal(mu, sigma);
}";
    passes("garch11", src, &ts(80));
}

#[test]
fn ar2_and_arma11() {
    let ar2 = "
data { int N; vector[N] y; }
parameters { real alpha; vector[2] beta; real<lower=0> sigma; }
model {
  for (t in 3:N) {
    real mu = alpha;
    for (k in 1:2) mu = mu + beta[k] * y[t - k];
    y[t] ~ normal(mu, sigma);
  }
}";
    passes("ar2", ar2, &ts(30));
    let arma = "
data { int N; vector[N] y; }
parameters { real mu; real<lower=-1, upper=1> phi; real<lower=-1, upper=1> theta; real<lower=0> sigma; }
model {
  real err = y[1] - (mu + phi * mu);
  for (t in 2:N) {
    real nu = mu + phi * y[t - 1] + theta * err;
    err = y[t] - nu;
    err ~ normal(0, sigma);
  }
}";
    passes("arma11", arma, &ts(30));
}

#[test]
fn kalman_filter_of_a_local_level_model() {
    let src = "
data { int N; vector[N] y; }
parameters { real<lower=0> sigma_obs; real<lower=0> sigma_level; }
model {
  real m = 0;
  real P = 10;
  for (t in 1:N) {
    real Pp = P + square(sigma_level);
    real S = Pp + square(sigma_obs);
    real gain = Pp / S;
    y[t] ~ normal(m, sqrt(S));
    m = m + gain * (y[t] - m);
    P = (1 - gain) * Pp;
  }
}";
    passes("local_level", src, &ts(25));
}

#[test]
fn hmm_forward_algorithm() {
    let src = "
data { int N; vector[N] y; }
parameters { simplex[3] theta1; simplex[3] theta2; ordered[3] mu; real<lower=0> sigma; }
model {
  vector[3] lp;
  vector[3] lp_prev;
  vector[3] acc;
  mu ~ normal(0, 2);
  for (k in 1:3) lp[k] = -log(3) + normal_lpdf(y[1] | mu[k], sigma);
  for (t in 2:N) {
    lp_prev = lp;
    for (k in 1:3) {
      for (j in 1:3) {
        real trans = k == 1 ? theta1[j] : theta2[j];
        acc[j] = lp_prev[j] + log(trans);
      }
      lp[k] = log_sum_exp(acc) + normal_lpdf(y[t] | mu[k], sigma);
    }
  }
  target += log_sum_exp(lp);
}";
    passes("hmm_forward", src, &ts(15));
}

#[test]
fn hmm_forward_algorithm_updating_one_vector_in_place() {
    // `gamma` is read whole (by `log_sum_exp`) and rewritten in the same
    // iteration, through a second vector built from it.
    let src = "
data { int N; vector[N] y; }
parameters { real<lower=0, upper=1> stay; ordered[2] mu; }
model {
  vector[2] gamma = rep_vector(-log(2), 2);
  vector[2] next;
  mu ~ normal(0, 2);
  for (t in 1:N) {
    next[1] = log_sum_exp(gamma[1] + log(stay), gamma[2] + log1m(stay)) + normal_lpdf(y[t] | mu[1], 1);
    next[2] = log_sum_exp(gamma[1] + log1m(stay), gamma[2] + log(stay)) + normal_lpdf(y[t] | mu[2], 1);
    gamma = next;
  }
  target += log_sum_exp(gamma);
}";
    passes("hmm_in_place", src, &ts(15));
}

#[test]
fn cumulative_sum_by_hand() {
    let src = "
data { int N; vector[N] y; }
parameters { vector[N] z; real<lower=0> tau; }
model {
  real s = 0;
  vector[N] path;
  z ~ normal(0, 1);
  for (t in 1:N) {
    s = s + tau * z[t];
    path[t] = s;
    y[t] ~ normal(s, 1);
  }
  target += -0.01 * dot_self(path);
}";
    passes("cumulative_sum", src, &ts(12));
}

#[test]
fn straight_line_reassignment() {
    let src = "
data { int N; vector[N] y; }
parameters { real a; real<lower=0> b; }
model {
  real nu = a;
  for (t in 1:N) y[t] ~ normal(nu, 2);
  nu = nu * b + 1;
  for (t in 1:N) y[t] ~ normal(nu, 3);
}";
    passes("reassign", src, &ts(10));
}

#[test]
fn a_branch_that_updates_a_carried_value() {
    let src = "
data { int N; vector[N] y; }
parameters { real<lower=0, upper=1> phi; real a; }
model {
  real s = a;
  for (t in 1:N) {
    if (y[t] > 0) {
      s = s * phi + y[t];
    } else {
      s = s - phi * a;
    }
    y[t] ~ normal(s, 3);
  }
}";
    passes("branch_update_in_loop", src, &ts(14));
}

#[test]
fn a_top_level_branch_that_updates_a_value() {
    let src = "
data { int N; vector[N] y; }
parameters { real<lower=0, upper=1> phi; real a; }
model {
  vector[3] v = rep_vector(a, 3);
  if (N > 2) {
    v[2] = v[2] * phi + v[1];
  }
  y ~ normal(v[2], 2);
}";
    passes("branch_update_top_level", src, &ts(6));
}

#[test]
fn a_matrix_row_recursion() {
    let src = "
data { int N; int K; array[N] vector[K] x; }
parameters { real<lower=0, upper=1> phi; }
model {
  matrix[N, K] s;
  s[1] = x[1]';
  for (t in 2:N) s[t] = phi * s[t - 1] + x[t]';
  target += -0.01 * sum(s .* s);
}";
    passes("matrix_rows", src, &vectors(8, 3));
}

#[test]
fn a_bound_from_a_local_int() {
    let src = "
data { int N; vector[N] y; }
parameters { real<lower=0, upper=1> phi; }
model {
  int M = N - 1;
  real s = 0;
  for (t in 1:M) { s = phi * s + y[t]; }
  target += -0.1 * square(s);
}";
    passes("local_int_bound", src, &ts(9));
}

/// The inner trip count varies with the outer loop variable: the tape is
/// sized for the longest inner loop (N trips), known from the data.
#[test]
fn an_inner_bound_that_depends_on_the_outer_loop() {
    let src = "
data { int N; vector[N] y; }
parameters { real<lower=0, upper=1> phi; }
model {
  real s = 0;
  for (i in 1:N) {
    for (j in 1:i) { s = phi * s + y[j]; }
  }
  target += -0.1 * square(s);
}";
    passes("triangular_carry", src, &ts(6));
    // Inner loops that start late, run backwards over a window, and run
    // zero times for the first outer iterations.
    let src = "
data { int N; vector[N] y; }
parameters { real<lower=0, upper=1> phi; real mu; }
model {
  real s = mu;
  for (i in 1:N) {
    for (j in max(1, i - 2):(i - 1)) { s = phi * s + y[j] - mu; }
    for (j in i:N) { s = 0.5 * phi * s + y[j]; }
  }
  mu ~ normal(0, 1);
  target += -0.01 * square(s);
}";
    passes("window_carry", src, &ts(7));
}

/// A trip count computed in the model from the data (a count made in a
/// loop): no bound on it is known when the data are bound, so the carried
/// value goes on a tape that grows at run time.
#[test]
fn a_trip_count_known_only_at_run_time_uses_a_growable_tape() {
    let src = "
data { int N; vector[N] y; }
parameters { real<lower=0, upper=1> phi; }
model {
  int m = 0;
  for (n in 1:N) { if (y[n] > 0) m += 1; }
  real s = 0;
  for (t in 1:m) { s = phi * s + y[t]; }
  target += -0.1 * square(s);
}";
    passes("run_time_trip_count", src, &ts(6));
}

/// A `while` loop whose values depend on a parameter: the forward sweep
/// counts its iterations and saves the carried value at each evaluation of
/// the condition on a growable tape; the reverse replays them backwards.
#[test]
fn a_while_loop_over_parameters() {
    let src = "
data { int N; vector[N] y; }
parameters { real<lower=0> x; }
model {
  real s = x;
  while (s > 1) { s = s / 2; }
  target += -square(s) - x;
}";
    passes("while_over_parameters", src, &ts(3));
}

/// A `while` loop inside a loop over observations (re-run and replayed by
/// the outer loop's reverse), with a vector element and a scalar carried,
/// and a condition on a parameter-dependent value and a count. (The
/// loop runs until its term is negligible, so the log density is
/// continuous where the trip count changes, as finite differences need.)
#[test]
fn a_while_loop_nested_in_a_for_loop() {
    let src = "
data { int N; vector[N] y; }
parameters { real<lower=0, upper=1> phi; real mu; }
model {
  vector[2] v = [mu, 0]';
  for (t in 1:N) {
    real s = 1 + square(y[t]);
    int k = 0;
    while (s > 1e-15 && k < 500) {
      s *= phi;
      v[2] += s * v[1];
      k += 1;
    }
    v[1] = 0.5 * v[1] + s + y[t];
  }
  target += -0.1 * square(v[2]) - square(v[1]);
}";
    passes("while_nested", src, &ts(6));
}

/// A `while` condition that stores a value depending on parameters (a
/// vector computed in it): the condition's last evaluation, which the
/// reverse does not replay, would leave the store to what follows.
/// Refused, never differentiated wrong.
#[test]
fn a_while_condition_storing_an_active_value_is_refused() {
    let src = "
data { int N; vector[N] y; }
parameters { vector[2] v0; }
model {
  vector[2] v = v0;
  while (dot_self(v * 0.5) > 0.1) { v = v * 0.5; }
  target += -dot_self(v);
}";
    refused("while_condition_store", src, &ts(3), "`while` condition");
}

/// `target()` read into a value that reaches the target: its derivative
/// is the target's own, which the AD does not build. Refused (the value
/// was inactive before, and its share of the gradient silently lost).
#[test]
fn target_read_into_the_target_is_refused() {
    let src = "
data { int N; vector[N] y; }
parameters { real mu; }
model {
  y ~ normal(mu, 1);
  target += 0.01 * target();
}";
    refused("target_in_target", src, &ts(3), "`target()`");
}

/// `target()` read only by a condition or a print has no derivative to
/// build: still differentiated.
#[test]
fn target_read_by_a_condition_is_differentiated() {
    let src = "
data { int N; vector[N] y; }
parameters { real mu; }
model {
  y ~ normal(mu, 1);
  real t = target();
  if (t < -1e300) reject(\"far out: \", t);
  target += -0.5 * square(mu);
}";
    passes("target_in_condition", src, &ts(3));
}

/// `while` loops nested in each other, the inner one's trip count set by
/// the outer one's carried value.
#[test]
fn nested_while_loops() {
    let src = "
data { int N; vector[N] y; }
parameters { real<lower=0.2, upper=0.9> r; }
model {
  real total = 0;
  real m = 1;
  while (m > 0.01) {
    real inner = m;
    while (inner > 0.001) { total += inner * r; inner *= r; }
    m *= r;
  }
  target += -square(total - 2);
}";
    passes("while_in_while", src, &ts(2));
}

/// `break` and `continue` on conditions that depend on parameters, in
/// `for` and `while` loops: jumps become flags and guarded code, and a
/// loop that may `break` replays the iterations it counted.
#[test]
fn break_and_continue_over_parameters() {
    let src = "
data { int N; vector[N] y; }
parameters { real mu; real<lower=0> sigma; }
model {
  real s = 0;
  real c = 0;
  for (n in 1:N) {
    real d = y[n] - mu;
    if (d > 2) break;
    if (d < -1) { c += d; continue; }
    s += square(d / sigma);
    if (s > 10) { s = 10 + log(s - 9); break; }
    c = c * 0.5 + d;
  }
  real w = sigma;
  int k = 0;
  while (1) {
    k += 1;
    if (k > N) break;
    if (y[k] > mu) continue;
    w = w * 0.9 + exp(y[k] - mu) * 0.1;
  }
  target += -0.5 * s - N * log(sigma) - square(c) / 10 - square(w);
}";
    passes("break_continue", src, &ts(8));
}

/// A `break` in an inner loop leaves only that loop; the outer loop, with
/// a `continue` of its own, carries a value across iterations.
#[test]
fn jumps_in_nested_loops() {
    let src = "
data { int N; vector[N] y; }
parameters { real<lower=0, upper=1> phi; }
model {
  real h = 0;
  for (t in 1:N) {
    if (y[t] < -1.5) continue;
    real acc = 0;
    for (j in 1:t) {
      acc += phi ^ j * y[t - j + 1];
      if (fabs(acc) > 2) break;
    }
    h = phi * h + acc;
  }
  target += -square(h);
}";
    passes("nested_jumps", src, &ts(8));
}

#[test]
fn a_bound_from_transformed_data() {
    let src = "
data { int N; vector[N] y; }
transformed data { int M = N - 2; }
parameters { real<lower=0, upper=1> phi; }
model {
  real s = 0;
  for (t in 1:M) { s = phi * s + y[t]; }
  target += -0.1 * square(s);
}";
    passes("transformed_data_bound", src, &ts(9));
}

#[test]
fn scatter_adds_into_a_matrix() {
    // `r[g] += ...` reads the element only to add to it; reading it after
    // the addition needs its value, so that loop keeps a tape.
    let src = "
data { int N; vector[N] y; }
parameters { real<lower=0, upper=1> phi; real a; }
model {
  vector[3] r = rep_vector(0, 3);
  vector[3] q = rep_vector(0, 3);
  for (t in 1:N) {
    r[1 + t % 3] += phi * y[t] + a;
  }
  for (t in 1:N) {
    q[1 + t % 3] += phi * y[t];
    target += -0.05 * square(q[1 + t % 3] - a);
  }
  target += -0.1 * dot_self(r - a);
}";
    passes("scatter_add", src, &ts(11));
}

/// The names of the tapes the AD gives the program's loops.
fn tapes(source: &str, data: &str) -> Vec<String> {
    let program = front_end(source).typed.expect("model checks");
    let src = read_source("data.json", data).expect("data reads");
    let bound = bind_data(&program, &[src]).0.expect("data binds");
    let mut model = lower_model(&program, &bound).expect("lowers");
    differentiate_with_data(&mut model.module, &model.data_init, &model.int_data_init).expect("differentiates");
    model.module.buffers.iter().filter(|b| b.name.ends_with(".carried")).map(|b| b.name.clone()).collect()
}

#[test]
fn a_matrix_filled_two_rows_per_iteration_needs_no_tape() {
    // Per group, a 2 x N matrix (N = 8: too wide to be held in values) is
    // filled by a product whose inner size is small: one loop over its columns storing both rows. Every element is
    // overwritten before any read in each group's iteration, so the group
    // loop carries nothing; the gradient must still be right.
    let src = "
data { int G; int N; }
parameters { array[G] matrix[2, N] z; vector<lower=0>[2] s; real<lower=-1, upper=1> r; }
model {
  s ~ normal(1, 0.5);
  for (g in 1:G) {
    matrix[2, 2] L = cholesky_decompose([[square(s[1]), r * s[1] * s[2]], [r * s[1] * s[2], square(s[2])]]);
    matrix[2, N] e = L * z[g];
    to_vector(z[g]) ~ std_normal();
    target += -0.1 * dot_self(to_vector(e)) + 0.05 * sum(e[1]);
  }
}";
    let data = r#"{"G": 3, "N": 8}"#;
    passes("two_rows_per_iteration", src, data);
    assert_eq!(tapes(src, data), Vec::<String>::new());
}

#[test]
fn a_two_row_fill_that_reads_the_previous_group_keeps_its_tape() {
    // The first row is updated from the value the previous group left, so
    // the group loop carries `e` and needs its tape, even though the loop
    // over columns stores both rows.
    let src = "
data { int G; int N; }
parameters { matrix[G, N] z; real<lower=0, upper=1> phi; }
model {
  matrix[2, N] e = rep_matrix(0, 2, N);
  to_vector(z) ~ std_normal();
  for (g in 1:G) {
    for (j in 1:N) {
      e[1, j] = phi * e[1, j] + z[g, j];
      e[2, j] = phi * z[g, j];
    }
    target += -0.1 * dot_self(to_vector(e));
  }
}";
    let data = r#"{"G": 3, "N": 4}"#;
    passes("reads_the_previous_group", src, data);
    assert!(!tapes(src, data).is_empty());
}
