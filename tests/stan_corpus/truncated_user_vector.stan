// data: tests/stan_corpus/truncated_user_vector.json
// Truncation of user-defined densities of a whole vector (or array of
// counts) with bounds of one value, vectorised as stanc 2.36 does it: the
// variate is outside when its min is below L or its max above U, and the
// log probability of the interval is taken once per element, or per
// element of a vector argument (`shifted`, whose cdfs take one location).
// Its twin truncated_user_vector_closed.stan truncates the library's
// normal and Poisson instead, so the two have the same log density.
functions {
  real mynormal_lpdf(vector y, real mu, real sigma) {
    return normal_lpdf(y | mu, sigma);
  }
  real mynormal_lcdf(real y, real mu, real sigma) {
    return normal_lcdf(y | mu, sigma);
  }
  real mynormal_lccdf(real y, real mu, real sigma) {
    return normal_lccdf(y | mu, sigma);
  }
  real shifted_lpdf(vector y, vector mu, real sigma) {
    return normal_lpdf(y | mu, sigma);
  }
  real shifted_lcdf(real y, real mu, real sigma) {
    return normal_lcdf(y | mu, sigma);
  }
  real shifted_lccdf(real y, real mu, real sigma) {
    return normal_lccdf(y | mu, sigma);
  }
  real mypois_lpmf(array[] int k, real lambda) {
    return poisson_lpmf(k | lambda);
  }
  real mypois_lcdf(int k, real lambda) {
    return poisson_lcdf(k | lambda);
  }
  real mypois_lccdf(int k, real lambda) {
    return poisson_lccdf(k | lambda);
  }
}
data {
  int<lower=1> N;
  vector[N] x;
  vector[N] y;
  real L;
  real<lower=L> U;
  int<lower=0> K;
  array[K] int<lower=1> k;
}
parameters {
  real a;
  real b;
  real<lower=0> sigma;
  real<lower=0> rate;
}
model {
  a ~ normal(0, 2);
  b ~ normal(0, 2);
  sigma ~ normal(0, 1);
  rate ~ gamma(2, 1);
  y ~ mynormal(a, sigma) T[L, U];
  y ~ shifted(a + b * x, sigma) T[L, U];
  y ~ shifted(a - b * x, 2 * sigma) T[L, ];
  y ~ mynormal(a + 1, sigma) T[, U];
  k ~ mypois(rate) T[1, ];
  k ~ mypois(rate) T[1, 9];
}
