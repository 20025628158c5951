// reduce_sum.stan's model written without reduce_sum: the oracle its
// log density and gradient must equal (tests/e2e/reduce_sum.rs).
// data: tests/stan_corpus/reduce_sum.json
data {
  int<lower=1> N;
  vector[N] x;
  array[N] int<lower=0, upper=1> y_bin;
  array[N] real y_real;
  int<lower=1> grainsize;
}
parameters {
  vector[2] beta;
  real a;
  real b;
  real<lower=0> sigma;
}
model {
  beta ~ normal(0, 2);
  a ~ normal(0, 5);
  b ~ normal(0, 5);
  sigma ~ exponential(1);
  target += bernoulli_logit_lupmf(y_bin | beta[1] + beta[2] * x);
  target += normal_lpdf(y_real | a + b * x, sigma);
}
