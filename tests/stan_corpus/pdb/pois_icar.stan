// data: tests/stan_corpus/pdb/bym2.json
// Poisson regression with an ICAR spatial effect, the pairwise-difference
// form and a soft sum-to-zero constraint (Morris, "Spatial models in Stan")
data {
  int<lower=0> N;
  int<lower=0> N_edges;
  array[N_edges] int<lower=1, upper=N> node1; // node1[i] adjacent to node2[i]
  array[N_edges] int<lower=1, upper=N> node2; // and node1[i] < node2[i]
  array[N] int<lower=0> y; // count outcomes
  vector<lower=0>[N] E; // exposure
}
transformed data {
  vector[N] log_E = log(E);
}
parameters {
  real beta0; // intercept
  vector[N] phi; // spatial effects
}
model {
  y ~ poisson_log(log_E + beta0 + phi);
  // the following computes the prior on phi on the unit scale with sd = 1
  target += -0.5 * dot_self(phi[node1] - phi[node2]);
  beta0 ~ normal(0.0, 2.5);
  // soft sum-to-zero constraint on phi)
  sum(phi) ~ normal(0, 0.001 * N); // equivalent to mean(phi) ~ normal(0,0.001)
}
generated quantities {
  vector[N] eta = log_E + beta0 + phi;
  vector[N] mu = exp(eta);
}
