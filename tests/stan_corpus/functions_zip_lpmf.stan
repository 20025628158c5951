// data: tests/stan_corpus/functions.json
// A zero-inflated Poisson as a user `_lpmf` with an early `return`, called
// with `~` inside a loop.
functions {
  real zip_lpmf(int y, real theta, real lambda) {
    if (y == 0) {
      return log_sum_exp(log(theta), log1m(theta) + poisson_lpmf(0 | lambda));
    }
    return log1m(theta) + poisson_lpmf(y | lambda);
  }
}
data {
  int N;
  array[N] int<lower=0> y;
}
parameters {
  real<lower=0, upper=1> theta;
  real<lower=0> lambda;
}
model {
  lambda ~ gamma(2, 0.5);
  for (n in 1:N) {
    y[n] ~ zip(theta, lambda);
  }
}
