// data: tests/stan_corpus/functions_return_containers.json
// Containers returned early and used inside larger expressions (issue 13):
// each statement using such a value is copied to the function's returns.
// Every kind of statement (a declaration's value, assignments, `~` with a
// library and a user density, `target +=`, `jacobian +=`, `if`
// conditions, `for` bounds, `foreach` ranges, `print`/`reject`), two calls
// in one statement, a call in a loop, a function whose own `return` uses
// one, and vector, row_vector, matrix and array values; the data take
// each function down both of its return paths. tests/e2e/early_returns.rs
// compares the log density and gradient with
// functions_return_containers_closed.stan, which reads the answers from
// the data.
functions {
  // v times the first x above cut (returned from inside the loop), or v.
  vector scale_first(vector v, vector x, real cut) {
    for (i in 1:rows(x)) {
      if (x[i] > cut) return v * x[i];
    }
    return v;
  }
  // a's first two entries when one is above m, or all of a: the sizes
  // differ between the returns.
  array[] int head_until(array[] int a, int m) {
    for (i in 1:size(a)) {
      if (a[i] > m) return a[1:2];
    }
    return a;
  }
  // v as a row, centred unless k is 0.
  row_vector rowed(vector v, int k) {
    if (k == 0) return v';
    row_vector[rows(v)] r = v' - mean(v);
    return r;
  }
  // v v' when k > 0, else diag(v).
  matrix outer_or_diag(vector v, int k) {
    if (k > 0) return v * v';
    matrix[rows(v), rows(v)] d = diag_matrix(v);
    return d;
  }
  // Its own return uses an early-returned vector inside an expression.
  vector doubled(vector v, vector x, real cut) {
    vector[rows(v)] u = v;
    if (cut > 100) return u;
    return 2 * scale_first(u, x, cut);
  }
  real pair_lpdf(vector y, vector mu, real s) {
    return normal_lpdf(y | mu, s);
  }
  real shift_jacobian(vector v, vector x, real cut) {
    jacobian += 0.01 * sum(scale_first(v, x, cut));
    return 0;
  }
}
data {
  int N;
  vector[N] x;
  vector[N] y;
  real cut_lo;
  real cut_hi;
  array[N] int idx;
  int m_lo;
  int m_hi;
}
parameters {
  real alpha;
  real beta;
  real<lower=0> sigma;
  vector[N] z;
}
transformed parameters {
  // A declaration's value, two calls taking both paths.
  vector[N] w = 2 * scale_first(z, x, cut_lo) + scale_first(z, x, cut_hi);
  real s = 0;
  // Compound and indexed assignments.
  w += scale_first(z, x, cut_lo) / 4;
  w[1:2] = head(rowed(z, 1)', 2) * 3;
  s += sum(outer_or_diag(z, 1)) / 10;
  // A `for` bound and a `foreach` range.
  for (i in 1:size(head_until(idx, m_lo))) s += z[i];
  for (i in 1:size(head_until(idx, m_hi))) s += z[i] / 2;
  for (k in head_until(idx, m_lo)) s += square(z[k]) / 20;
  for (k in head_until(idx, m_hi)) s += square(z[k]) / 40;
  // `jacobian +=` of a user `_jacobian` function, whose body uses one.
  real j = shift_jacobian(z, x, cut_lo);
  jacobian += 0.02 * sum(scale_first(z, x, cut_hi));
}
model {
  alpha ~ normal(0, 1);
  beta ~ normal(0, 1);
  sigma ~ lognormal(0, 1);
  z ~ normal(0, 1);
  y ~ normal(alpha + scale_first(z, x, cut_lo) * beta, sigma);
  // A user density, given a value whose function's return uses one.
  y ~ pair(doubled(z, x, cut_lo), sigma + 1);
  target += -0.5 * dot_self(rowed(z, 0)) - 0.1 * sum(outer_or_diag(z, 1) + outer_or_diag(z, 0));
  // An `if` condition: both arms meet smoothly at 0.
  if (sum(scale_first(z, x, cut_lo)) > 0) {
    target += -square(sum(scale_first(z, x, cut_lo))) / 8;
  } else {
    target += -square(sum(scale_first(z, x, cut_lo))) / 4;
  }
  // In a loop of the caller, with a `break` and a `continue` copied into
  // the function's loop (never taken here: the value test takes them).
  for (k in 1:2) {
    target += -0.05 * dot_self(scale_first(z, x, k == 1 ? cut_lo : cut_hi));
    if (max(scale_first(z, x, cut_lo)) > 1e6) break;
    if (min(rowed(z, 1)) < -1e6) continue;
  }
  target += normal_lpdf(w | 0, 3) + normal_lpdf(s | 0, 5);
  if (sigma > 1e10) reject("sigma ", sigma, " and ", scale_first(z, x, cut_lo));
  if (sigma > 1e10) print("sigma ", sigma, " and ", rowed(z, 1));
}
generated quantities {
  vector[N] w_again = 2 * scale_first(z, x, cut_lo) + scale_first(z, x, cut_hi);
}
