// data: tests/stan_corpus/pdb/stagnant.json
data {
  int<lower=0> N;
  array[N] real x;
  array[N] real Y;
}
parameters {
  real<lower=0> sigma;
  real alpha;
  array[2] real beta;
  real<lower=min(x), upper=max(x)> x_change;
}
model {
  array[N] real mu;

  alpha ~ normal(0, 1000);
  beta ~ normal(0, 1000);
  sigma ~ uniform(0, 100);

  for (n in 1:N) {
    mu[n] = alpha + beta[1 + int_step(x[n] - x_change)] * (x[n] - x_change);
  }
  Y ~ normal(mu, sigma);
}
