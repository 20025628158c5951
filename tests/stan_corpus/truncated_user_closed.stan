// data: tests/stan_corpus/truncated_user.json
// The closed form of truncated_user.stan: the library's exponential and
// Poisson truncated as its user densities are.
data {
  int<lower=0> N;
  array[N] real<lower=0> y;
  real<lower=max(y)> U;
  int<lower=0> K;
  array[K] int<lower=1, upper=9> k;
}
parameters {
  real<lower=0> lambda;
  real<lower=0, upper=min(y)> L;
  real<lower=0> rate;
}
model {
  lambda ~ gamma(2, 2);
  rate ~ gamma(2, 1);
  for (n in 1:N) {
    y[n] ~ exponential(lambda) T[L, U];
    y[n] ~ exponential(2 * lambda) T[L, ];
    y[n] ~ exponential(lambda + 1) T[, U];
  }
  for (i in 1:K) {
    k[i] ~ poisson(rate) T[1, ];
    k[i] ~ poisson(rate) T[, 9];
    k[i] ~ poisson(rate) T[min(k), max(k) + 1];
  }
}
