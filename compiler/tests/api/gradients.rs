//! Reverse-mode AD checked against finite differences: for each model, at
//! random unconstrained points, the `Gradient` function (run by the
//! reference interpreter) returns the log density's value and a gradient
//! equal to a 4-point central difference of `LogDensity` (truncation error
//! O(h^4), so about 1e-9 relative here; the tolerance is 1e-6 relative).

use hbmc_compiler::ad::differentiate;
use hbmc_compiler::bind::{bind_data, read_source};
use hbmc_compiler::front_end;
use hbmc_compiler::interp;
use hbmc_compiler::ir::arenas::Arenas;
use hbmc_compiler::ir::batch::batch_likelihood_loops;
use hbmc_compiler::ir::FunctionKind;
use hbmc_compiler::lower::lower_model;


/// Lowers, differentiates and checks a model's gradient at `points` points.
///
/// The gradient checked is the one the CLI runs: after the batching pass
/// (`ir::batch`). Finite differences are taken of the log density as
/// lowered (unbatched), and the batched log density and gradient values
/// must equal it. Returns how many loops the pass split.
fn check(name: &str, source: &str, data_name: &str, data: &str, points: usize) -> usize {
    let fe = front_end(source);
    let program = fe.typed.unwrap_or_else(|| panic!("{name}: model checks: {:?}", fe.diagnostics));
    let src = read_source(data_name, data).unwrap_or_else(|d| panic!("{name}: data reads: {d:?}"));
    let (bound, diags) = bind_data(&program, &[src]);
    let bound = bound.unwrap_or_else(|| panic!("{name}: data bind: {diags:?}"));
    let mut model = lower_model(&program, &bound).unwrap_or_else(|d| panic!("{name}: lowering: {d:?}"));
    differentiate(&mut model.module).unwrap_or_else(|e| panic!("{name}: AD: {e}"));
    let unbatched = model.module.clone();
    let split = batch_likelihood_loops(&mut model.module);
    hbmc_compiler::ir::verify::verify(&model.module).unwrap_or_else(|e| panic!("{name}: IR does not verify: {e:?}"));
    let mut arenas = Arenas::new(&model.module.arena_sizes);
    arenas.data[..model.data_init.len()].copy_from_slice(&model.data_init);
    arenas.int_data[..model.int_data_init.len()].copy_from_slice(&model.int_data_init);
    interp::run(&model.module, FunctionKind::TransformedData, &mut arenas, None).expect("transformed data");
    let mut g = hbmc_stdlib::ChainRng::new(name.len() as u64 * 7919, 0);
    let lp = |arenas: &mut Arenas, x: &[f64]| {
        arenas.params.copy_from_slice(x);
        interp::run(&unbatched, FunctionKind::LogDensity, arenas, None).expect("log density")
    };
    for _ in 0..points {
        let x: Vec<f64> = (0..model.dim).map(|_| 3.0 * g.uniform() - 1.5).collect();
        arenas.params.copy_from_slice(&x);
        let value = interp::run(&model.module, FunctionKind::Gradient, &mut arenas, None).expect("gradient runs");
        let grad = arenas.grad.clone();
        let at = lp(&mut arenas, &x);
        assert!(
            (value - at).abs() <= 1e-12 * at.abs().max(1.0),
            "{name}: gradient function's value {value} differs from the log density {at}"
        );
        let batched = interp::run(&model.module, FunctionKind::LogDensity, &mut arenas, None).expect("log density");
        assert!(
            (batched - at).abs() <= 1e-12 * at.abs().max(1.0),
            "{name}: the batched log density {batched} differs from the unbatched one {at}"
        );
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
    split
}

const ELECTRIC_MODEL: &str = include_str!("../../../examples/electric_intercept.hbm");
const ELECTRIC_CSV: &str = include_str!("../../../examples/data/electric.csv");

#[test]
fn electric_intercept_gradient_matches_finite_differences() {
    check("electric_intercept", ELECTRIC_MODEL, "electric.csv", ELECTRIC_CSV, 3);
}

#[test]
fn bounds_and_affine_transforms() {
    let model = r#"
data { int N; vector[N] y; real lo; }
parameters {
  real<lower=lo> a;
  real<upper=3> b;
  real<lower=-1, upper=2> c;
  real<offset=1, multiplier=2> d;
  vector<lower=0>[N] s;
}
model {
  a ~ normal(0, 2);
  b ~ student_t(3, 0, 1);
  c ~ logistic(0.5, 1);
  d ~ normal(1, 2);
  s ~ gamma(2, 1);
  y ~ normal(a + b * c, s);
}
"#;
    check("transforms", model, "d.json", r#"{"N": 3, "y": [0.5, -1.2, 2.0], "lo": -2.5}"#, 4);
}

#[test]
fn local_variables_loops_reductions_and_branches() {
    let model = r#"
data { int N; vector[N] x; array[N] int<lower=0, upper=1> z; array[N] int<lower=0> k; }
parameters { real alpha; real beta; vector[3] w; real<lower=0> tau; }
transformed parameters {
  vector[N] eta;
  for (i in 1:N) {
    real lin = alpha + beta * x[i];
    if (z[i] == 1) {
      eta[i] = lin + w[1];
    } else {
      eta[i] = lin / (1 + tau);
    }
  }
}
model {
  real total = 0;
  for (i in 1:N) {
    total += square(eta[i]) * 0.01;
  }
  target += -total;
  w ~ normal(0, tau);
  tau ~ exponential(1);
  target += -0.5 * dot_self(w) + log_sum_exp(w) - sd(w) + mean(w) * max(w);
  z ~ bernoulli_logit(eta);
  k ~ poisson_log(eta / 4);
  alpha ~ cauchy(0, 2.5);
  beta ~ double_exponential(0, 1);
  target += sum(exp(w) ./ (1 + exp(w))) + pow(tau, 1.5) + sqrt(tau + 1) + fmin(alpha, beta) + fabs(beta);
}
"#;
    let data = r#"{"N": 5, "x": [0.1, -0.5, 1.3, 2.0, -1.1], "z": [1, 0, 1, 1, 0], "k": [0, 2, 1, 5, 3]}"#;
    check("locals", model, "d.json", data, 4);
}

/// Branches whose adjoints of outer values (loop-invariant parameters,
/// a local of the enclosing loop, values from two loops out) go straight
/// into the enclosing block's cells: both arms of one branch, a branch in
/// a branch, a branch in a nested loop and one at the top level.
#[test]
fn branches_in_loops_accumulate_outer_adjoints() {
    let model = r#"
data { int N; vector[N] x; array[N] int<lower=0, upper=2> z; }
parameters { real a; real<lower=0> s; vector[2] m; }
transformed parameters {
  real acc = 0;
  for (i in 1:N) {
    real lin = a + x[i] * m[1];
    if (z[i] == 0) {
      acc += square(lin) * s;
    } else {
      if (z[i] == 1) {
        acc += lin * m[2] - log1p(s);
      } else {
        acc += exp(-square(lin - m[2]));
      }
    }
    for (j in 1:2) {
      if (j == z[i]) {
        acc += m[j] * lin * a;
      }
    }
  }
}
model {
  target += -0.1 * acc;
  if (N > 2) {
    target += -square(a) - square(m[1] - s);
  } else {
    target += -s;
  }
  m ~ normal(0, 1);
  s ~ exponential(1);
}
"#;
    let data = r#"{"N": 6, "x": [0.1, -0.5, 1.3, 2.0, -1.1, 0.7], "z": [0, 1, 2, 1, 0, 2]}"#;
    check("branches", model, "d.json", data, 4);
}

#[test]
fn dims_broadcasting_and_zipped_indexing() {
    let model = r#"
dims { obs; grade; pair; }
data {
  array[obs] grade g;
  array[obs] pair p;
  vector[obs] y;
}
parameters {
  vector[grade] mu;
  vector<lower=0>[grade] sigma;
  matrix[pair, grade] z;
  real<lower=0> s;
}
transformed parameters {
  matrix[pair, grade] a = non_centered(mu, sigma, z);
  vector[grade] m2 = rep_vector(1, grade) .* mu;
}
model {
  to_vector(z) ~ std_normal();
  mu ~ normal(0, 1);
  sigma ~ lognormal(0, 1);
  s ~ inv_gamma(3, 2);
  y ~ normal(a[p, g] + m2[g], s);
  for (k in grade) {
    target += -0.1 * square(mu[k] - sum(col(a, k)) / 2);
  }
}
"#;
    let data = r#"{"g": [1, 2, 3, 1, 2, 3], "p": [1, 1, 1, 2, 2, 2], "y": [0.1, 0.4, -0.3, 1.0, 0.2, -0.5],
                   "dims": {"grade": 3, "pair": 2}}"#;
    check("dims", model, "d.json", data, 4);
}

#[test]
fn recursion_through_a_vector_and_matrix_products() {
    let model = r#"
data { int N; vector[N] y; matrix[2, 3] X; }
parameters { real<lower=-1, upper=1> phi; real<lower=0> sigma; vector[3] b; }
transformed parameters {
  vector[N] mu;
  mu[1] = 0;
  for (t in 2:N) {
    mu[t] = phi * y[t - 1] + 0.5 * phi * mu[t - 1];
  }
  vector[2] lin = X * b;
}
model {
  y ~ normal(mu, sigma);
  sigma ~ weibull(2, 1);
  b ~ normal(0, 1);
  target += normal_lpdf(lin | 0, 3) + beta_lpdf((phi + 1) / 2 | 2, 2);
  target += log_mix(0.3, normal_lpdf(b[1] | 0, 1), normal_lpdf(b[1] | 1, 2));
}
"#;
    let data = r#"{"N": 6, "y": [0.3, 0.1, -0.4, 0.8, 1.1, 0.2], "X": [[1, 0.5, -1], [0.2, 2, 0.3]]}"#;
    check("recursion", model, "d.json", data, 4);
}

#[test]
fn vector_constraint_types_and_softmax() {
    let model = r#"
data { vector[3] a; }
parameters {
  simplex[3] p;
  array[2] simplex[4] q;
  ordered[3] o;
  array[2] positive_ordered[2] po;
  unit_vector[3] u;
}
model {
  target += dot_product(a, log(p));
  for (j in 1:2) {
    target += j * sum(log(q[j]));
    po[j] ~ lognormal(0, 1);
  }
  o ~ normal(0, 2);
  target += dot_product(a, log_softmax(o)) + sum(softmax(o) .* a);
  target += dot_product(a, u) + 0.3 * square(u[2]);
}
"#;
    check("vector_constraints", model, "d.json", r#"{"a": [0.5, 1.5, -0.7]}"#, 4);
}

#[test]
fn matrix_constraint_types() {
    let model = r#"
data { int N; array[N] vector[3] y; array[N] vector[2] w; }
parameters {
  cholesky_factor_corr[3] Lc;
  array[2] cholesky_factor_corr[2] Lcs;
  cholesky_factor_cov[3] Lv;
  cholesky_factor_cov[4, 2] Lr;
  array[2] cholesky_factor_cov[3, 1] Lrs;
  corr_matrix[3] R;
  array[2] cov_matrix[2] S;
  vector[3] mu;
}
model {
  Lc ~ lkj_corr_cholesky(2);
  for (j in 1:2) {
    Lcs[j] ~ lkj_corr_cholesky(1.5);
    w ~ multi_normal(rep_vector(0.1 * j, 2), S[j]);
    target += -0.2 * dot_self(to_vector(S[j]));
  }
  y ~ multi_normal_cholesky(mu, Lv);
  y ~ multi_normal(mu, R);
  to_vector(Lr) ~ normal(0.5, 1);
  target += -dot_self(to_vector(Lrs[1])) + 0.3 * sum(Lrs[2]) + log(Lr[2, 2]);
  target += 0.5 * sum(Lc) + dot_self(to_vector(Lcs[2])) - 0.1 * sum(R);
  mu ~ normal(0, 1);
}
"#;
    let data = r#"{"N": 3, "y": [[0.1, -0.3, 0.4], [1.0, 0.2, -0.5], [-0.4, 0.6, 0.0]],
                   "w": [[0.3, -0.2], [1.1, 0.4], [-0.5, -0.9]]}"#;
    check("matrix_constraints", model, "d.json", data, 3);
}

#[test]
fn cholesky_decompose_and_multi_normal_cholesky() {
    let model = r#"
data { int N; array[N] vector[2] y; }
parameters { vector[2] mu; real<lower=0> s1; real<lower=0> s2; real<lower=-1, upper=1> r; }
transformed parameters {
  matrix[2, 2] S = [[square(s1), r * s1 * s2], [r * s1 * s2, square(s2)]];
  matrix[2, 2] L = cholesky_decompose(S);
}
model {
  y ~ multi_normal_cholesky(mu, L);
  target += 0.5 * multi_normal_cholesky_lpdf(y[1] | mu, L);
  mu ~ normal(0, 1);
  s1 ~ lognormal(0, 1);
  s2 ~ lognormal(0, 1);
}
"#;
    let data = r#"{"N": 3, "y": [[0.1, -0.3], [1.0, 0.2], [-0.4, 0.6]]}"#;
    check("cholesky_mvn", model, "d.json", data, 4);
}

#[test]
fn lkj_and_non_centered_mvn() {
    let model = r#"
parameters {
  vector[3] mu;
  vector<lower=0>[3] tau;
  cholesky_factor_corr[3] L;
  matrix[3, 4] z;
  vector[3] zv;
  real<lower=0> eta;
}
transformed parameters {
  matrix[3, 4] u = non_centered_mvn(mu, tau, L, z);
  vector[3] v = non_centered_mvn(mu, tau, L, zv);
}
model {
  L ~ lkj_corr_cholesky(eta);
  eta ~ gamma(2, 1);
  to_vector(z) ~ std_normal();
  zv ~ std_normal();
  tau ~ normal(0, 1);
  mu ~ normal(0, 1);
  to_vector(u) ~ normal(0.3, 1.5);
  v ~ normal(-0.2, 2);
}
"#;
    check("lkj_non_centered_mvn", model, "d.json", "{}", 4);
}

#[test]
fn multi_normal_with_array_locations() {
    let model = r#"
data { int N; array[N] vector[3] y; }
parameters { array[N] vector[3] mu; cholesky_factor_cov[3] L; }
transformed parameters {
  matrix[3, 3] Sigma = multiply_lower_tri_self_transpose(L);
}
model {
  y ~ multi_normal(mu, Sigma);
  target += multi_normal_lpdf(y[2] | mu[1], Sigma);
  for (i in 1:N) {
    mu[i] ~ normal(0, 1);
  }
}
"#;
    let data = r#"{"N": 2, "y": [[0.1, -0.3, 0.4], [1.0, 0.2, -0.5]]}"#;
    check("multi_normal", model, "d.json", data, 4);
}

/// Sizes and loop bounds from transformed data (computed once, before the
/// parameters are laid out): a random walk over `K = N - 1` steps.
#[test]
fn sizes_from_transformed_data() {
    let model = r#"
data { int N; vector[N] y; }
transformed data {
  int K = N - 1;
  array[2] int M = {K, 2};
}
parameters { vector[K] step; real<lower=0> s; matrix[M[2], M[1]] c; }
transformed parameters {
  vector[K] level;
  level[1] = step[1];
  for (i in 2:K) {
    level[i] = level[i - 1] + step[i];
  }
}
model {
  vector[K] resid;
  for (i in 1:K) {
    resid[i] = y[i + 1] - y[1] - level[i];
  }
  resid ~ normal(0, s);
  step ~ normal(0, 1);
  s ~ lognormal(0, 1);
  to_vector(c) ~ normal(sum(rep_vector(0.1, K)), 2);
}
generated quantities { vector[K] level_rep = level + 1; }
"#;
    let data = r#"{"N": 5, "y": [0.3, 0.1, -0.4, 0.8, 1.1]}"#;
    check("transformed_data_sizes", model, "d.json", data, 4);
}

/// Nested loops in the reverse sweep: a scratch vector reused per outer
/// iteration (its loop must be re-run before the loop that reads it), a
/// recursion inside the inner loop (reads what it writes), and a last
/// inner loop whose whole re-run the AD leaves out.
#[test]
fn nested_loops_with_scratch_recursion_and_plain_stores() {
    let model = r#"
parameters { matrix[3, 4] a; vector[4] b; real<lower=-1, upper=1> phi; }
transformed parameters {
  matrix[3, 4] c;
  matrix[3, 4] m;
  for (i in 1:3) {
    vector[4] tmp;
    for (j in 1:4) {
      tmp[j] = a[i, j] * b[j];
    }
    for (j in 1:4) {
      c[i, j] = tmp[j] * tmp[j] + a[i, j];
    }
  }
  for (i in 1:3) {
    m[i, 1] = a[i, 1];
    for (t in 2:4) {
      m[i, t] = phi * m[i, t - 1] + c[i, t];
    }
  }
}
model {
  to_vector(m) ~ normal(0, 2);
  to_vector(a) ~ normal(0, 1);
  b ~ normal(0, 1);
}
"#;
    check("nested_loops", model, "d.json", "{}", 4);
}

const ELECTRIC_COV_MODEL: &str = include_str!("../../../examples/electric_covariance.hbm");
const ELECTRIC_LKJ_MODEL: &str = include_str!("../../../examples/electric_covariance_lkj.hbm");

#[test]
fn electric_covariance_gradient_matches_finite_differences() {
    check("electric_covariance", ELECTRIC_COV_MODEL, "electric.csv", ELECTRIC_CSV, 2);
}

#[test]
fn electric_covariance_lkj_gradient_matches_finite_differences() {
    check("electric_covariance_lkj", ELECTRIC_LKJ_MODEL, "electric.csv", ELECTRIC_CSV, 2);
}

/// The structured transforms' inverses: the constrained draw `Generate`
/// writes, turned back into an unconstrained point by `Unconstrain`,
/// constrains to the same draw (unit vectors are not one-to-one, so the
/// draws are compared rather than the points).
#[test]
fn structured_parameters_round_trip_through_unconstrain() {
    let model = r#"
parameters {
  simplex[3] p;
  array[2] ordered[3] o;
  positive_ordered[2] po;
  unit_vector[3] u;
  array[2] cholesky_factor_corr[3] Lc;
  cholesky_factor_cov[3] Lv;
  cholesky_factor_cov[4, 2] Lr;
  array[2] cholesky_factor_cov[3, 1] Lrs;
  corr_matrix[3] R;
  cov_matrix[2] S;
}
model {
}
"#;
    let fe = front_end(model);
    let program = fe.typed.expect("model checks");
    let (bound, diags) = bind_data(&program, &[read_source("d.json", "{}").expect("data")]);
    let bound = bound.unwrap_or_else(|| panic!("data bind: {diags:?}"));
    let model = lower_model(&program, &bound).expect("lowers");
    hbmc_compiler::ir::verify::verify(&model.module).expect("IR verifies");
    let mut arenas = Arenas::new(&model.module.arena_sizes);
    let mut g = hbmc_stdlib::ChainRng::new(11, 0);
    for _ in 0..3 {
        let x: Vec<f64> = (0..model.dim).map(|_| 3.0 * g.uniform() - 1.5).collect();
        arenas.params.copy_from_slice(&x);
        interp::run(&model.module, FunctionKind::Generate, &mut arenas, None).expect("generate");
        let draw = arenas.out.clone();
        arenas.params.iter_mut().for_each(|v| *v = f64::NAN);
        interp::run(&model.module, FunctionKind::Unconstrain, &mut arenas, None).expect("unconstrain");
        interp::run(&model.module, FunctionKind::Generate, &mut arenas, None).expect("generate again");
        for (i, (a, b)) in draw.iter().zip(&arenas.out).enumerate() {
            assert!((a - b).abs() <= 1e-9 * a.abs().max(1.0), "output {i}: {a} vs {b} after the round trip");
        }
    }
    // A value that is not of its type is rejected, naming the parameter.
    arenas.out.iter_mut().for_each(|v| *v = 0.5);
    let err = interp::run(&model.module, FunctionKind::Unconstrain, &mut arenas, None).expect_err("rejects");
    assert!(format!("{err:?}").contains("`p` is not a valid simplex"), "{err:?}");
}

/// What the stdlib has no routine for is refused with a diagnostic, never
/// lowered to something wrong.
#[test]
fn unsupported_structures_are_reported() {
    let cases = [
        (
            "generated quantities { vector[2] y = 2 * multi_normal_rng(rep_vector(0, 2), diag_matrix(rep_vector(1, 2))); }",
            "inside a larger expression",
        ),
    ];
    for (source, expected) in cases {
        let fe = front_end(source);
        let program = fe.typed.unwrap_or_else(|| panic!("{source}: model checks: {:?}", fe.diagnostics));
        let (bound, _) = bind_data(&program, &[read_source("d.json", "{}").expect("data")]);
        let diags = lower_model(&program, &bound.expect("binds")).expect_err(source);
        assert!(diags.iter().any(|d| d.code == "E5001" && d.message.contains(expected)), "{source}: {diags:?}");
    }
}

#[test]
fn matrix_products_and_array_literals_inside_vectorised_statements() {
    // Each product is computed once before its statement's element loop
    // (lower/hoist.rs); the gradient must flow back through the buffer.
    let model = r#"
dims { obs; covariate; }
data { matrix[obs, covariate] X; vector[obs] y; }
parameters { vector[covariate] b; real a; real<lower=0> sigma; }
transformed parameters { vector[obs] mu = a + X * b; }
model {
  b ~ normal(0, 1);
  {a, sigma} ~ normal(0, 2);
  y ~ normal(X * b + a, sigma);
  target += normal_lpdf(mu | 0, 3);
  to_vector({a, b[1]}) ~ normal(0, 1);
}
"#;
    let data = r#"{"X": [[1, 0.5], [0.2, -2], [0.7, 0.3], [-1.1, 0.4]], "y": [0.3, -0.1, 0.8, 1.2]}"#;
    check("hoisted_products", model, "d.json", data, 6);
}

/// `n` observations of a logit model over `groups` groups, made by a fixed
/// generator: JSON with `N`, `G`, `g` (1-based), `x`, `y`.
fn logit_data(n: usize, groups: usize) -> String {
    let mut s = 0x2545_F491_4F6C_DD1Du64;
    let mut next = move || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        (s >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut g = Vec::new();
    let mut x = Vec::new();
    let mut y = Vec::new();
    for _ in 0..n {
        g.push(1 + (next() * groups as f64) as usize % groups);
        x.push(format!("{:?}", 4.0 * next() - 2.0));
        y.push(usize::from(next() < 0.4));
    }
    let list = |v: Vec<String>| v.join(",");
    format!(
        r#"{{"N": {n}, "G": {groups}, "g": [{}], "x": [{}], "y": [{}]}}"#,
        list(g.iter().map(|v| v.to_string()).collect()),
        list(x),
        list(y.iter().map(|v| v.to_string()).collect())
    )
}

/// The batched likelihood path (`ir::batch`): the observation loops
/// (`bernoulli_logit`, `poisson_log`) split
/// into blocks (300 observations: a full block of 256 and a partial one),
/// with a group index scattered into group adjoints, index checks in the
/// prefix (plain Stan integer indices), loop-invariant scalars, and a
/// second likelihood nested in a loop over groups.
#[test]
fn batched_likelihood_loops_match_finite_differences() {
    let model = r#"
data { int N; int G; array[N] int<lower=1, upper=G> g; vector[N] x; array[N] int<lower=0, upper=1> y; }
parameters { real a0; real b; vector[G] a; real<lower=0> s; }
model {
  a0 ~ normal(0, 1);
  b ~ normal(0, 1);
  a ~ normal(0, s);
  s ~ exponential(1);
  y ~ bernoulli_logit(a0 + a[g] + b * x);
  y ~ poisson_log(b * x - s + a[g]);
  for (k in 1:G) {
    for (i in 1:N) {
      if (g[i] == k) target += 0;
    }
    y[1:20] ~ bernoulli_logit(a[k] * x[1:20] - s);
  }
}
"#;
    let split = check("batched_logit", model, "d.json", &logit_data(300, 7), 3);
    assert!(split >= 3, "the two observation loops and the nested one were split ({split} loops)");
}

/// Group-level factors of a batched loop's coefficients summed per group
/// (`ir::batch`, `factor_group_terms`): two group indices (`g` and a
/// transformed-data `h`), coefficients on either side of the product, no
/// group intercept to share the sums with, and a `poisson_log` loop. The
/// gradient matches finite differences and the unbatched log density, and
/// the pass did make per-group sums (at least for g and h in the first
/// loop; whether the second loop's term is a product with a plain load
/// depends on how AD orders `0.5 * b * z[h]`).
#[test]
fn group_level_factors_summed_per_group_match_finite_differences() {
    let model = r#"
data { int N; int G; array[N] int<lower=1, upper=G> g; vector[N] x; array[N] int<lower=0, upper=1> y; }
transformed data {
  vector[G] z;
  vector[G] w;
  array[N] int h;
  for (k in 1:G) { z[k] = 0.3 * k - 1; w[k] = 1.0 / k; }
  for (i in 1:N) h[i] = G + 1 - g[i];
}
parameters { real b; real c; real d; }
model {
  b ~ normal(0, 1);
  c ~ normal(0, 1);
  d ~ normal(0, 1);
  y ~ bernoulli_logit(z[g] * b + c * w[h] + d * x);
  y ~ poisson_log(0.5 * b * z[h] - 1);
}
"#;
    let split = check("group_factors", model, "d.json", &logit_data(300, 7), 3);
    assert!(split >= 2, "both observation loops were split ({split} loops)");
    let module = batched_module("group_factors", model, "d.json", &logit_data(300, 7));
    let groups = module.buffers.iter().filter(|b| b.name.starts_with("batch.") && b.name.contains(".group")).count();
    assert!(groups >= 2, "per-group sums for g and h in the first loop ({groups} made)");
}

/// Group-level arithmetic of a batched loop's linear predictor (the
/// non-centered intercept `abar + tau * z_a[g]` and `c * w[g]`) is
/// computed once per group into tables before the loop (`ir::group_tables`);
/// the batched log density and gradient equal the unbatched model's and
/// match finite differences, with the index check left in the loop (no
/// upper bound on `g`) and without it. With about as many groups as
/// observations no table is made.
#[test]
fn group_level_arithmetic_from_tables_matches_finite_differences() {
    let model = |bound: &str| {
        format!(
            r#"
data {{ int N; int G; array[N] int<lower=1{bound}> g; vector[N] x; array[N] int<lower=0, upper=1> y; }}
transformed data {{ vector[G] w; for (k in 1:G) w[k] = 0.3 * k - 1; }}
parameters {{ real abar; real<lower=0> tau; vector[G] z_a; real b; real c; }}
model {{
  abar ~ normal(0, 1);
  tau ~ exponential(1);
  z_a ~ std_normal();
  b ~ normal(0, 1);
  c ~ normal(0, 1);
  y ~ bernoulli_logit(abar + tau * z_a[g] + b * x + c * w[g]);
}}
"#
        )
    };
    let tables = |m: &hbmc_compiler::ir::Module| m.buffers.iter().filter(|b| b.name.starts_with("batch.") && b.name.contains(".table")).count();
    for bound in ["", ", upper=G"] {
        let source = model(bound);
        let data = logit_data(300, 7);
        check("group_tables", &source, "d.json", &data, 3);
        let made = tables(&batched_module("group_tables", &source, "d.json", &data));
        assert!(made >= 2, "tables for tau * z_a[g] (or abar + tau * z_a[g]) and c * w[g] (bound {bound:?}: {made} made)");
        let data = logit_data(40, 40);
        check("group_tables_many_groups", &source, "d.json", &data, 2);
        let made = tables(&batched_module("group_tables_many_groups", &source, "d.json", &data));
        assert_eq!(made, 0, "no table when groups are not fewer than a quarter of the observations");
    }
}

/// Plain Stan's loop-filled local, `rep_matrix` transformed parameter and
/// data-proven indices (lowered to one fused pass) differentiate like the
/// model as written.
#[test]
fn plain_stan_electric_gradient_matches_finite_differences() {
    let source = include_str!("../../../examples/stan/electric_intercept.stan");
    let data = include_str!("../../../examples/stan/electric.json");
    check("electric_intercept_stan", source, "electric.json", data, 2);
}

#[test]
fn loop_filled_locals_with_updates_match_finite_differences() {
    let source = r#"
data { int N; int J; array[N] int<lower=1, upper=J> g; vector[N] x; vector[N] y; }
parameters { vector[J] a; real b; real<lower=0> s; vector[J] c; }
transformed parameters { matrix[2, J] m = rep_matrix(c', 2) + rep_matrix(a', 2) .* rep_matrix(a', 2); }
model {
  vector[N] mu;
  a ~ normal(0, 1);
  c ~ normal(0, 1);
  b ~ normal(0, 1);
  s ~ normal(0, 1);
  for (n in 1:N) mu[n] = a[g[n]] * b + exp(0.3 * x[n] * b) + m[1, g[n]];
  mu -= 0.5 * x * b;
  y ~ normal(2 * mu, s);
}
"#;
    let data = r#"{"N": 7, "J": 3, "g": [1, 2, 3, 3, 1, 2, 2], "x": [0.5, -1.0, 2.0, 0.1, 0.0, 1.5, -0.3],
      "y": [0.3, -0.2, 1.1, 0.7, -1.4, 0.9, 0.0]}"#;
    check("loop_filled_locals", source, "d.json", data, 3);
}

#[test]
fn locals_declared_with_an_elementwise_value_match_finite_differences() {
    let source = r#"
data { int N; int J; array[N] int<lower=1, upper=J> g; vector[N] x; vector[N] y; }
parameters { vector[J] a; real b; real<lower=0> s; }
model {
  vector[N] mu = a[g] .* exp(b * x) + rep_vector(b, N);
  a ~ normal(0, 1);
  b ~ normal(0, 1);
  s ~ normal(0, 1);
  mu += square(x) * b;
  y ~ normal(mu, s);
}
"#;
    let data = r#"{"N": 5, "J": 2, "g": [1, 2, 2, 1, 2], "x": [0.5, -1.0, 2.0, 0.1, 0.0], "y": [0.3, -0.2, 1.1, 0.7, -1.4]}"#;
    check("declared_elementwise_locals", source, "d.json", data, 3);
}

/// The module as the CLI runs it: lowered, differentiated, batched.
fn batched_module(name: &str, source: &str, data_name: &str, data: &str) -> hbmc_compiler::ir::Module {
    let fe = front_end(source);
    let program = fe.typed.unwrap_or_else(|| panic!("{name}: model checks: {:?}", fe.diagnostics));
    let src = read_source(data_name, data).unwrap_or_else(|d| panic!("{name}: data reads: {d:?}"));
    let (bound, diags) = bind_data(&program, &[src]);
    let bound = bound.unwrap_or_else(|| panic!("{name}: data bind: {diags:?}"));
    let mut model = lower_model(&program, &bound).unwrap_or_else(|d| panic!("{name}: lowering: {d:?}"));
    differentiate(&mut model.module).unwrap_or_else(|e| panic!("{name}: AD: {e}"));
    batch_likelihood_loops(&mut model.module);
    model.module
}

/// Plain Stan's Mundlak logit reads and checks `g[i]` three times per
/// observation and has three scalar coefficients. After batching, the
/// argument pass checks `g[i]` at most once (lowering leaves the check
/// out when the data prove the index in range), the scatter pass accumulates into no
/// gradient element directly (bxy's terms go to scratch and `hbm_sum_batch`
/// adds each block's sum once; bzy's and buy's, products of the partial with
/// the group-level z[g] and xbar[g], are summed per group: one accumulation
/// of the partial per observation, shared with a's adjoint), and the
/// gradient matches finite differences.
#[test]
fn batched_loops_check_once_and_sum_scalar_terms_per_block() {
    use hbmc_compiler::ir::{Arena, Module, Stmt};
    const MODEL: &str = include_str!("../../../examples/stan/mundlak_logit.stan");
    const DATA: &str = include_str!("../../../examples/stan/confounded.json");
    check("mundlak_logit_stan", MODEL, "confounded.json", DATA, 1);
    let module = batched_module("mundlak_logit_stan", MODEL, "confounded.json", DATA);
    let name = |m: &Module, b: hbmc_compiler::ir::BufferId| m.buffers[b.0 as usize].name.clone();
    #[derive(Default)]
    struct Seen {
        argument_passes: usize,
        scatter_passes: usize,
        sum_calls: usize,
        /// Accumulations into `batch.*.group*` in the scatter pass.
        group_accumulations: usize,
        /// Loads of `z` or `xbar` in the scatter pass.
        group_loads: usize,
    }
    fn walk(m: &Module, stmts: &[Stmt], seen: &mut Seen, name: &dyn Fn(&Module, hbmc_compiler::ir::BufferId) -> String) {
        for s in stmts {
            match s {
                Stmt::For { body, .. } => {
                    let stores_to = |part: &str| body.iter().any(|s| matches!(s, Stmt::Store { buf, .. } if name(m, *buf).starts_with("batch.") && name(m, *buf).contains(part)));
                    if stores_to(".arg") {
                        seen.argument_passes += 1;
                        let checks = body.iter().filter(|s| matches!(s, Stmt::If { .. })).count();
                        assert!(checks <= 1, "the argument pass checks g[i] at most once (not at all when the data prove it in range), found {checks} checks");
                    }
                    if stores_to(".sum") {
                        seen.scatter_passes += 1;
                        let direct = body.iter().filter(|s| matches!(s, Stmt::Accumulate { buf, .. } if m.buffers[buf.0 as usize].arena == Arena::Grad)).count();
                        assert_eq!(direct, 0, "no accumulation into a gradient element in the scatter pass");
                        seen.group_accumulations += body.iter().filter(|s| matches!(s, Stmt::Accumulate { buf, .. } if name(m, *buf).contains(".group"))).count();
                        seen.group_loads += body
                            .iter()
                            .filter(|s| matches!(s, Stmt::Let { expr: hbmc_compiler::ir::Expr::Load { buf, .. }, .. } if ["z", "xbar"].contains(&name(m, *buf).as_str())))
                            .count();
                    }
                    walk(m, body, seen, name);
                }
                Stmt::Call { func, .. } if func.symbol == "hbm_sum_batch" => seen.sum_calls += 1,
                Stmt::If { then, otherwise, .. } => {
                    walk(m, then, seen, name);
                    walk(m, otherwise, seen, name);
                }
                _ => {}
            }
        }
    }
    let gradient = module.functions.iter().find(|f| f.kind == FunctionKind::Gradient).expect("a gradient function");
    let mut seen = Seen::default();
    walk(&module, &gradient.body, &mut seen, &name);
    assert_eq!(seen.argument_passes, 1, "one batched observation loop");
    assert_eq!(seen.scatter_passes, 1, "its scatter pass sums the scalar terms");
    assert_eq!(seen.sum_calls, 1, "one block sum for bxy (x varies per observation)");
    assert_eq!(seen.group_accumulations, 1, "one per-group sum of the partial in the scatter pass");
    assert_eq!(seen.group_loads, 0, "the scatter pass loads no group-level value (z, xbar)");
}

/// How many calls of `symbol` the module's functions make (call sites,
/// nested statements included).
fn calls_of(module: &hbmc_compiler::ir::Module, symbol: &str) -> usize {
    fn walk(stmts: &[hbmc_compiler::ir::Stmt], symbol: &str, n: &mut usize) {
        use hbmc_compiler::ir::Stmt;
        for s in stmts {
            match s {
                Stmt::Call { func, .. } if func.symbol == symbol => *n += 1,
                Stmt::For { body, .. } => walk(body, symbol, n),
                Stmt::If { then, otherwise, .. } => {
                    walk(then, symbol, n);
                    walk(otherwise, symbol, n);
                }
                Stmt::While { cond_block, body, .. } => {
                    walk(cond_block, symbol, n);
                    walk(body, symbol, n);
                }
                _ => {}
            }
        }
    }
    let mut n = 0;
    for f in &module.functions {
        walk(&f.body, symbol, &mut n);
    }
    n
}

/// Elementwise functions with a batched form (`exp`, `log1p_exp` with its
/// derivative) in loops without a batched density (`ir::batch`, a site of
/// `SymbolKind::MapBatch`): the loop is split at the call, its values (and
/// derivative) read from scratch by the rest of the body, which still adds
/// to the target and scatters adjoints. A scale per observation
/// `exp(c + d x)` with a group intercept, a logistic density (its
/// `log1p_exp` as IR), an `exp` whose value is used twice, and a loop with
/// both a batched density and an `exp` (the density's batch wins, the
/// `exp` stays a scalar call). The gradient matches finite differences and
/// the unbatched log density.
#[test]
fn elementwise_functions_in_loops_are_batched_and_match_finite_differences() {
    let model = r#"
data { int N; int G; array[N] int<lower=1, upper=G> g; vector[N] x; array[N] int<lower=0, upper=1> y; }
parameters { real a; vector[G] u; real c; real d; real<lower=0> s; }
model {
  a ~ normal(0, 1); u ~ normal(0, 1); c ~ normal(0, 1); d ~ normal(0, 1); s ~ exponential(1);
  for (n in 1:N) x[n] ~ normal(a + u[g[n]], exp(c + d * y[n]));
  for (n in 1:N) x[n] ~ logistic(a + d * y[n], s);
  for (n in 1:N) {
    real e = exp(c * x[n] - 1);
    target += -e + 0.5 * log1p(e) * u[g[n]];
  }
  for (n in 1:N) y[n] ~ bernoulli_logit(a + exp(d * x[n]));
}
"#;
    let split = check("batched_maps", model, "d.json", &logit_data(300, 7), 3);
    assert!(split >= 4, "the four observation loops were split ({split} loops)");
    let module = batched_module("batched_maps", model, "d.json", &logit_data(300, 7));
    assert!(calls_of(&module, "hbm_exp_batch") >= 2, "the scale's and the third loop's exp are batched");
    assert!(calls_of(&module, "hbm_log1p_exp_grad_batch") >= 1, "the logistic density's log1p_exp is batched");
    assert!(calls_of(&module, "hbm_bernoulli_logit_lpmf_grad_batch") >= 1, "the density's batch is kept where there is one");
}

/// Loops with several elementwise calls per observation, some of whose
/// arguments depend on others' values (a categorical logit's `exp`s and
/// the `log` of their sum; a Cauchy scale `exp` and the `log1p` of a ratio
/// with it, with `log1p`'s derivative in the reverse part; a gamma's two
/// `exp`s feeding `lgamma` and its derivative): every batchable call is
/// batched, a dependent one in a pass after the one it reads, and the
/// gradient matches finite differences of the unbatched log density.
#[test]
fn several_elementwise_calls_per_loop_are_batched_and_match_finite_differences() {
    let model = r#"
data { int N; int G; array[N] int<lower=1, upper=G> g; vector[N] x; array[N] int<lower=0, upper=1> y; }
parameters { vector[3] a; vector[3] b; real c; real d; }
model {
  a ~ normal(0, 1); b ~ normal(0, 1); c ~ normal(0, 1); d ~ normal(0, 1);
  for (n in 1:N) g[n] ~ categorical_logit(a + b * x[n]);
  for (n in 1:N) x[n] ~ cauchy(c + d * y[n], exp(c - d * x[n]));
  for (n in 1:N) target += gamma_lpdf(x[n] + 3 | exp(c + 0.5 * d * y[n]), exp(d - c * y[n]));
}
"#;
    let data = logit_data(300, 3);
    let split = check("batched_map_chains", model, "d.json", &data, 3);
    assert!(split >= 6, "the three observation loops of both functions were split ({split} loops)");
    let module = batched_module("batched_map_chains", model, "d.json", &data);
    // Per function (log density and gradient): three exps of the
    // categorical loop (one logit is fixed at 0 by the lowering or not:
    // at least three), one of the Cauchy loop, two of the gamma loop.
    assert!(calls_of(&module, "hbm_exp_batch") >= 2 * 6, "every exp is batched ({})", calls_of(&module, "hbm_exp_batch"));
    // The second level: the categorical's log of the sum of exps, the
    // Cauchy's log1p of the squared ratio with its scale (and log1p's
    // derivative in the gradient), the gamma's lgamma of its shape (and
    // digamma in the gradient).
    for (symbol, least) in [("hbm_log_batch", 2), ("hbm_log1p_batch", 2), ("hbm_log1p_d1_batch", 1), ("hbm_lgamma_batch", 1), ("hbm_lgamma_d1_batch", 1)] {
        assert!(calls_of(&module, symbol) >= least, "{symbol}: {} calls, expected at least {least}", calls_of(&module, symbol));
    }
    // The observation count is data: each split loop is kept as it was
    // next to the split, for fewer than 64 observations; with 20 that
    // loop runs, and matches finite differences too.
    check("batched_map_chains_few", model, "d.json", &logit_data(20, 3), 3);
}

/// A normal with a scale per observation takes ln σ behind its σ > 0
/// guard, which `ir::log_products` cannot take as a sum of logs: in a
/// loop of a known trip count it is batched (examples/variance_components'
/// likelihood), and the gradient matches finite differences.
#[test]
fn a_log_read_by_more_than_additions_is_batched() {
    let model = r#"
data { int N; int G; array[N] int g; vector[N] x; array[N] int y; }
parameters { real a; real<lower=0> s; real<lower=0> t; }
model {
  a ~ normal(0, 1); s ~ normal(0, 1); t ~ normal(0, 1);
  x ~ normal(a, sqrt(square(s) + square(t) * square(x)));
}
"#;
    let data = logit_data(300, 3);
    let split = check("batched_scale_logs", model, "d.json", &data, 3);
    assert!(split >= 2, "the observation loop of both functions was split ({split} loops)");
    let module = batched_module("batched_scale_logs", model, "d.json", &data);
    assert!(calls_of(&module, "hbm_log_batch") >= 2, "ln σ is batched in both functions ({})", calls_of(&module, "hbm_log_batch"));
}
