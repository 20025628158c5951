// data: tests/stan_corpus/pdb/surgical.json
// Rate_1-style: one rate, its prior and posterior predictive.
data {
  int<lower=0> N;
  array[N] int<lower=0> n;
  array[N] int<lower=0> r;
}
transformed data {
  int n_total = sum(n);
  int r_total = sum(r);
}
parameters {
  real<lower=0, upper=1> theta;
}
model {
  theta ~ beta(1, 1);
  r_total ~ binomial(n_total, theta);
}
generated quantities {
  real<lower=0, upper=1> thetaprior = beta_rng(1, 1);
  int<lower=0> postpredk = binomial_rng(n_total, theta);
}
