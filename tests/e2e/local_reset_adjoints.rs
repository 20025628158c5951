//! A buffer overwritten with a constant and then rebuilt inside a loop
//! (`vector[2] mu = rep_vector(0, 2); for (p in 1:P) mu += ...;` in the
//! loop over time, the VAR(P) pattern). The reverse of the constant store
//! must clear the adjoint of what it overwrote; it was skipped because a
//! store of a constant did not count as touching an active buffer, so the
//! adjoint of one iteration leaked into the next and the gradient was
//! silently wrong (`compiler/src/ad/activity.rs`, `Active::touches`).
//! Each program passes the oracles (JIT = the reference interpreter,
//! gradient = finite differences); all but `c` failed the gradient check
//! before the fix.

use crate::common;

const DATA: &str = r#"{"T": 8, "P": 2, "y": [[0.095, 1.25], [-0.931, 0.992], [-0.259, -0.262], [1.9, 0.158], [-0.043, 0.729], [1.127, -0.031], [0.588, -0.974], [-0.367, -0.438]]}"#;

fn check(name: &str, source: &str) {
    common::oracle::check_example_json(name, source, DATA).unwrap_or_else(|e| panic!("{name}: {e}"));
}

/// `vector[2] mu = rep_vector(0, 2); for (p in 1:P) mu += Phi[p] * y[t - p];` inside the loop over t (VAR(P)).
#[test]
fn vector_local_accumulated_in_an_inner_loop() {
    check(
        "vector_local_accumulated_in_an_inner_loop",
        r#"
data { int T; int P; array[T] vector[2] y; }
parameters { array[P] matrix[2, 2] Phi; real<lower=0> s; }
model {
  for (p in 1:P) to_vector(Phi[p]) ~ normal(0, 1);
  s ~ normal(0, 1);
  for (t in (P + 1):T) {
    vector[2] mu = rep_vector(0, 2);
    for (p in 1:P) mu += Phi[p] * y[t - p];
    y[t] ~ normal(mu, s);
  }
}
"#,
    );
}

/// `mu` declared once in the model block, reset with a constant and rebuilt with `mu = mu + b[p] .* y[t - p]` in every iteration.
#[test]
fn local_declared_before_the_loop_reset_in_it() {
    check(
        "local_declared_before_the_loop_reset_in_it",
        r#"
data { int T; int P; array[T] vector[2] y; }
parameters { array[P] vector[2] b; }
model {
  vector[2] mu;
  for (p in 1:P) b[p] ~ normal(0, 1);
  for (t in (P + 1):T) {
    mu = rep_vector(0.1, 2);
    for (p in 1:P) mu = mu + b[p] .* y[t - p];
    y[t] ~ normal(mu, 1);
  }
}
"#,
    );
}

/// a transformed parameter element reset with a constant and accumulated in a branch (was right before the fix: the reset is the only writer of its element).
#[test]
fn transformed_parameter_element_reset_then_accumulated() {
    check(
        "transformed_parameter_element_reset_then_accumulated",
        r#"
data { int T; int P; array[T] vector[2] y; }
parameters { array[P] matrix[2, 2] Phi; }
transformed parameters {
  array[T] vector[2] m;
  for (t in 1:T) {
    m[t] = rep_vector(0, 2);
    if (t > P) {
      for (p in 1:P) m[t] += Phi[p] * y[t - p];
    }
  }
}
model {
  for (p in 1:P) to_vector(Phi[p]) ~ normal(0, 1);
  for (t in (P + 1):T) y[t] ~ normal(m[t], 1);
}
"#,
    );
}

/// the same accumulation in a user function called once per time step.
#[test]
fn user_function_local_accumulated() {
    check(
        "user_function_local_accumulated",
        r#"
functions {
  vector var_mean(array[] matrix Phi, array[] vector y, int t) {
    vector[2] mu = rep_vector(0, 2);
    for (p in 1:size(Phi)) mu += Phi[p] * y[t - p];
    return mu;
  }
}
data { int T; int P; array[T] vector[2] y; }
parameters { array[P] matrix[2, 2] Phi; }
model {
  for (p in 1:P) to_vector(Phi[p]) ~ normal(0, 1);
  for (t in (P + 1):T) y[t] ~ normal(var_mean(Phi, y, t), 1);
}
"#,
    );
}

/// a matrix local reset and accumulated, feeding `multi_normal`.
#[test]
fn matrix_local_accumulated() {
    check(
        "matrix_local_accumulated",
        r#"
data { int T; int P; array[T] vector[2] y; }
parameters { array[P] vector[2] b; cov_matrix[2] S0; }
model {
  for (p in 1:P) b[p] ~ normal(0, 1);
  S0 ~ wishart(4, diag_matrix(rep_vector(1, 2)));
  for (t in (P + 1):T) {
    matrix[2, 2] S = rep_matrix(0, 2, 2);
    for (p in 1:P) S += b[p] * b[p]' * 0.1;
    y[t] ~ multi_normal(rep_vector(0, 2), S + S0);
  }
}
"#,
    );
}
