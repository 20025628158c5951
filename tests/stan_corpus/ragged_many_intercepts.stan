// data: tests/stan_corpus/ragged_many_intercepts.json
// Random intercepts integrated out over 60 groups of 60 distinct sizes
// (1 to 60 observations): the observations of group g are jointly normal
// with mean mu, variance tau^2 + sigma^2 and covariance tau^2, passed
// whole to multi_normal_cholesky with a covariance built from the
// run-time length. Compiled once per group size (docs/language.md,
// "Run-time lengths"). The scales are on the log scale with flat priors,
// so the log density is the likelihood alone, which has a closed form
// (e2e ragged_many_lengths). make_ragged_many.py simulated the data with
// mu = 2.0, tau = 0.8, sigma = 0.4.
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
}
transformed data {
  array[G] int pos;
  pos[1] = 1;
  for (g in 2:G) pos[g] = pos[g - 1] + n[g - 1];
}
parameters {
  real mu;
  real log_tau;
  real log_sigma;
}
model {
  for (g in 1:G)
    target += multi_normal_cholesky_lpdf(segment(y, pos[g], n[g]) | rep_vector(mu, n[g]),
                                         shared_intercept_cholesky(n[g], exp(log_tau), exp(log_sigma)));
}
