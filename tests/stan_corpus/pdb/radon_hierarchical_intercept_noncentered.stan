// data: tests/stan_corpus/pdb/radon.json
data {
  int<lower=1> J;
  int<lower=1> N;
  array[N] int<lower=1, upper=J> county_idx;
  vector[N] floor_measure;
  vector[J] log_uranium;
  vector[N] log_radon;
}
parameters {
  vector[J] alpha_raw;
  vector[2] beta;
  real mu_alpha;
  real<lower=0> sigma_alpha;
  real<lower=0> sigma_y;
}
transformed parameters {
  vector[J] alpha = mu_alpha + sigma_alpha * alpha_raw;
}
model {
  vector[N] muj;
  for (n in 1:N) {
    muj[n] = alpha[county_idx[n]] + log_uranium[county_idx[n]] * beta[1];
  }
  sigma_alpha ~ normal(0, 1);
  sigma_y ~ normal(0, 1);
  mu_alpha ~ normal(0, 10);
  beta ~ normal(0, 10);
  alpha_raw ~ normal(0, 1);
  log_radon ~ normal(muj + beta[2] * floor_measure, sigma_y);
}
