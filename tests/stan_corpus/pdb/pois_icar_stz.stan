// data: tests/stan_corpus/pdb/bym2.json
// the ICAR Poisson model with a hard constraint: a sum_to_zero_vector
data {
  int<lower=0> N;
  int<lower=0> N_edges;
  array[N_edges] int<lower=1, upper=N> node1;
  array[N_edges] int<lower=1, upper=N> node2;
  array[N] int<lower=0> y;
  vector<lower=0>[N] E;
}
transformed data {
  vector[N] log_E = log(E);
}
parameters {
  real beta0;
  real<lower=0> sigma;
  sum_to_zero_vector[N] phi;
}
model {
  y ~ poisson_log(log_E + beta0 + sigma * phi);
  target += -0.5 * dot_self(phi[node1] - phi[node2]);
  beta0 ~ normal(0.0, 2.5);
  sigma ~ normal(0, 1);
}
generated quantities {
  real phi_sum = sum(phi);
}
