// data: tests/stan_corpus/ragged_random_intercepts.json
// Random intercepts integrated out: the observations of group g, y[pos[g]
// : pos[g] + n[g] - 1], are jointly normal with mean mu, variance tau^2 +
// sigma^2 and covariance tau^2, groups of 1 to 9 observations. The
// group's vector, its mean vector and its covariance (built by a user
// function from the run-time length) are passed whole to
// multi_normal_cholesky: the statement is compiled once per group size
// the data hold. The same likelihood through the slice y[first[g] :
// last[g]] and multi_normal_lpdf goes in generated quantities, where
// their difference must be 0. make_ragged_whole.py simulated the data
// with mu = 2.0, tau = 0.8, sigma = 0.4.
functions {
  // The Cholesky factor of the covariance of n observations sharing an
  // intercept of scale tau, each with noise of scale sigma.
  matrix shared_intercept_cholesky(int n, real tau, real sigma) {
    return cholesky_decompose(add_diag(rep_matrix(square(tau), n, n), square(sigma)));
  }
}
data {
  int<lower=1> G;
  array[G] int<lower=1> n;
  int<lower=0> N;
  vector[N] y;
  array[G] int<lower=1> first;
  array[G] int<lower=1> last;
}
transformed data {
  array[G] int pos;
  pos[1] = 1;
  for (g in 2:G) pos[g] = pos[g - 1] + n[g - 1];
}
parameters {
  real mu;
  real<lower=0> tau;
  real<lower=0> sigma;
}
model {
  mu ~ normal(0, 5);
  tau ~ normal(0, 2);
  sigma ~ normal(0, 2);
  for (g in 1:G)
    segment(y, pos[g], n[g]) ~ multi_normal_cholesky(rep_vector(mu, n[g]), shared_intercept_cholesky(n[g], tau, sigma));
}
generated quantities {
  real ll_diff = 0;
  // The spread of each group's observations (element by element).
  vector[G] y_sd;
  for (g in 1:G) {
    ll_diff += multi_normal_lpdf(y[first[g]:last[g]] | rep_vector(mu, last[g] - first[g] + 1),
                                 add_diag(rep_matrix(square(tau), last[g] - first[g] + 1, last[g] - first[g] + 1), square(sigma)))
               - multi_normal_cholesky_lpdf(segment(y, pos[g], n[g]) | rep_vector(mu, n[g]), shared_intercept_cholesky(n[g], tau, sigma));
    y_sd[g] = sd(y[first[g]:last[g]]);
  }
}
