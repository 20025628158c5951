// data: tests/stan_corpus/pdb/radon.json
data {
  int<lower=1> N;
  int<lower=1> J; // number of counties
  array[N] int<lower=1, upper=J> county_idx;
  vector[N] floor_measure;
  vector[N] log_radon;
}
parameters {
  real alpha;
  vector[J] beta;
  real mu_beta;
  real<lower=0> sigma_beta;
  real<lower=0> sigma_y;
}
model {
  vector[N] mu;
  sigma_y ~ normal(0, 1);
  sigma_beta ~ normal(0, 1);
  alpha ~ normal(0, 10);
  mu_beta ~ normal(0, 10);
  beta ~ normal(mu_beta, sigma_beta);
  for (n in 1:N)
    mu[n] = alpha + floor_measure[n] * beta[county_idx[n]];
  target += normal_lpdf(log_radon | mu, sigma_y);
}
