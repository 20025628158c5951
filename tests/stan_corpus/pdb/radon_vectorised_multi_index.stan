// data: tests/stan_corpus/pdb/radon.json
data {
  int<lower=1> N;
  int<lower=1> J;
  array[N] int<lower=1, upper=J> county_idx;
  vector[N] log_radon;
  vector[N] floor_measure;
}
parameters {
  real mu_a;
  real<lower=0> sigma_a;
  vector<multiplier=sigma_a>[J] a;
  real b;
  real<lower=0> sigma_y;
}
model {
  a ~ normal(mu_a, sigma_a);
  log_radon ~ normal(a[county_idx] + b * floor_measure, sigma_y);
  mu_a ~ std_normal();
  sigma_a ~ exponential(1);
  sigma_y ~ exponential(1);
}
generated quantities {
  vector[N] log_lik;
  for (n in 1:N) log_lik[n] = normal_lpdf(log_radon[n] | a[county_idx[n]] + b * floor_measure[n], sigma_y);
}
