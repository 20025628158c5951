// data: tests/stan_corpus/pdb/election.json
data {
  int<lower=0> N;
  int<lower=0> n_state;
  int<lower=0> n_region;
  array[N] int<lower=1, upper=n_state> state;
  array[n_state] int<lower=1, upper=n_region> region;
  vector[N] black;
  vector[N] female;
  array[N] int<lower=0, upper=1> y;
}
parameters {
  vector[2] beta;
  vector[n_state] eta_state;
  vector[n_region] eta_region;
  real<lower=0> sigma_state;
  real<lower=0> sigma_region;
}
transformed parameters {
  vector[n_region] a_region = sigma_region * eta_region;
  vector[n_state] a_state = a_region[region] + sigma_state * eta_state;
}
model {
  eta_state ~ std_normal();
  eta_region ~ std_normal();
  sigma_state ~ normal(0, 1);
  sigma_region ~ normal(0, 1);
  beta ~ normal(0, 2.5);
  y ~ bernoulli_logit(a_state[state] + beta[1] * black + beta[2] * female);
}
