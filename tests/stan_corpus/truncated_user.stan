// data: tests/stan_corpus/truncated_user.json
// Truncation of user-defined distributions (T[L, U], T[L, ], T[, U]) of
// a continuous and a discrete density, written by hand; its twin
// truncated_user_closed.stan truncates the library's exponential and
// Poisson instead, so the two have the same log density.
functions {
  real myexp_lpdf(real y, real lambda) {
    return log(lambda) - lambda * y;
  }
  real myexp_lcdf(real y, real lambda) {
    return log1m_exp(-lambda * y);
  }
  real myexp_lccdf(real y, real lambda) {
    return -lambda * y;
  }
  real mypois_lpmf(int k, real lambda) {
    return k * log(lambda) - lambda - lgamma(k + 1);
  }
  real mypois_lcdf(int k, real lambda) {
    return log(gamma_q(k + 1, lambda));
  }
  real mypois_lccdf(int k, real lambda) {
    return log(gamma_p(k + 1, lambda));
  }
}
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
    y[n] ~ myexp(lambda) T[L, U];
    y[n] ~ myexp(2 * lambda) T[L, ];
    y[n] ~ myexp(lambda + 1) T[, U];
  }
  for (i in 1:K) {
    k[i] ~ mypois(rate) T[1, ];
    k[i] ~ mypois(rate) T[, 9];
    k[i] ~ mypois(rate) T[min(k), max(k) + 1];
  }
}
