// reduce_sum and reduce_sum_static (issue 13), as the Stan User's Guide
// writes them: a partial sum passed as `_lupmf` (constants dropped), a
// plain partial sum with `start:end` slices of shared arguments, and a
// normalised `_lpdf` one in generated quantities. Data simulated by
// make_reduce_sum.py (beta = (0.3, -1.2), a = 1, b = 0.5, sigma = 0.7).
// data: tests/stan_corpus/reduce_sum.json
functions {
  real partial_bernoulli_lpmf(array[] int y_slice, int start, int end, vector x, vector beta) {
    return bernoulli_logit_lupmf(y_slice | beta[1] + beta[2] * x[start:end]);
  }
  real partial_normal(array[] real y_slice, int start, int end, vector x, real a, real b, real sigma) {
    return normal_lpdf(y_slice | a + b * x[start:end], sigma);
  }
  real partial_normal_lpdf(array[] real y_slice, int start, int end, vector mu, real sigma) {
    return normal_lupdf(y_slice | mu[start:end], sigma);
  }
}
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
  target += reduce_sum(partial_bernoulli_lupmf, y_bin, grainsize, x, beta);
  target += reduce_sum_static(partial_normal, y_real, 1, x, a, b, sigma);
}
generated quantities {
  real ll_real = reduce_sum(partial_normal_lpdf, y_real, grainsize, a + b * x, sigma);
  real ll_check = ll_real - normal_lpdf(y_real | a + b * x, sigma);
}
