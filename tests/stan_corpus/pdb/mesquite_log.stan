// data: tests/stan_corpus/pdb/linear.json
data {
  int<lower=0> N;
  vector<lower=0>[N] earn;
  vector<lower=0>[N] height;
  vector<lower=0>[N] mom_iq;
}
transformed data {
  vector[N] log_weight = log(earn);
  vector[N] log_diam1 = log(height);
  vector[N] log_canopy = log(mom_iq .* height);
}
parameters {
  vector[3] beta;
  real<lower=0> sigma;
}
model {
  log_weight ~ normal(beta[1] + beta[2] * log_diam1 + beta[3] * log_canopy, sigma);
}
