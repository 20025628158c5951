// data: tests/stan_corpus/pdb/counts.json
// poisson_log_glm and neg_binomial_2_log_glm with an offset as the
// intercept vector
data {
  int<lower=0> N;
  vector[N] x;
  array[N] int<lower=0> y;
  vector<lower=0>[N] exposure;
}
transformed data {
  matrix[N, 1] X = to_matrix(x, N, 1);
  vector[N] offset = log(exposure);
}
parameters {
  real alpha;
  vector[1] beta;
  real<lower=0> phi;
}
model {
  alpha ~ normal(0, 2);
  beta ~ normal(0, 1);
  phi ~ exponential(1);
  target += 0.5 * poisson_log_glm_lpmf(y | X, alpha + offset, beta);
  target += 0.5 * neg_binomial_2_log_glm_lpmf(y | X, alpha + offset, beta, phi);
}
