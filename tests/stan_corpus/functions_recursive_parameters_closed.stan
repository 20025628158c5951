// functions_recursive_parameters.stan with each recursion written as a
// loop, for tests/e2e.
data {
  int<lower=1> N;
  int<lower=0> K;
  vector[N] y;
}
parameters {
  real<lower=0, upper=1> r;
  real mu;
  real<lower=0> sigma;
}
transformed parameters {
  real total = 0;
  for (i in 0:K) total += r^i * mu;
}
model {
  real s = sigma + 3;
  while (s >= 1) s = s / 2;
  r ~ beta(2, 2);
  mu ~ normal(0, 2);
  sigma ~ normal(0, 1);
  y ~ normal(total, sigma);
  target += -square(mu - 1) / 8 - 0.1 * s;
}
