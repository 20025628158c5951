// glm_categorical.stan's model with the density written out, one
// categorical_logit per row: the oracle its log density and gradient must
// equal (tests/e2e/glm_categorical.rs).
// data: tests/stan_corpus/glm_categorical.json
data {
  int<lower=1> N;
  int<lower=1> K;
  int<lower=2> C;
  matrix[N, K] x;
  array[N] int<lower=1, upper=C> y;
}
parameters {
  vector[C - 1] alpha_raw;
  matrix[K, C - 1] beta_raw;
}
transformed parameters {
  vector[C] alpha = append_row(0, alpha_raw);
  matrix[K, C] beta = append_col(rep_vector(0, K), beta_raw);
}
model {
  alpha_raw ~ normal(0, 2);
  to_vector(beta_raw) ~ normal(0, 2);
  for (n in 1:N) {
    vector[C] eta = alpha + (x[n] * beta)';
    target += eta[y[n]] - log_sum_exp(eta);
  }
}
