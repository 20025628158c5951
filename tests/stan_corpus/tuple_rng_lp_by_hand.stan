// tuple_rng_lp.stan without tuples or user functions: each call of
// `centred_lp` written out (its terms added once per call: twice), for
// tests/e2e/tuples.rs to compare the two log densities and gradients.
// data: tests/stan_corpus/tuple_rng_lp.json
data {
  int<lower=1> N;
  vector[N] y;
}
parameters {
  real mu;
  real log_sigma;
  vector[N] z;
}
model {
  real sigma = exp(log_sigma);
  vector[N] theta = mu + sigma * z;
  // The terms of the two calls.
  z ~ normal(0, 1);
  target += normal_lpdf(mu | 0, 5);
  z ~ normal(0, 1);
  target += normal_lpdf(mu | 0, 5);
  y ~ normal(theta, sigma + 1);
  y ~ normal(theta, 2);
  target += normal_lpdf(log_sigma | 0, 1);
}
