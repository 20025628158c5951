// truncated_user_vector.stan with the library's normal and Poisson
// truncated instead of the user's densities, for tests/e2e.
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
  y ~ normal(a, sigma) T[L, U];
  y ~ normal(a + b * x, sigma) T[L, U];
  y ~ normal(a - b * x, 2 * sigma) T[L, ];
  y ~ normal(a + 1, sigma) T[, U];
  k ~ poisson(rate) T[1, ];
  k ~ poisson(rate) T[1, 9];
}
