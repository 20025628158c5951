// data: tests/stan_corpus/grouped_scales_loop.json
// A scale per group, read through the group index in a loop over
// observations: `ir::tabulate` takes log(sigma[j]) and 1 / sigma[j] once
// per group (a table over sigma) instead of once per observation.
data {
  int<lower=1> N;
  int<lower=1> J;
  array[N] int<lower=1, upper=J> g;
  vector[N] y;
}
parameters {
  vector[J] mu;
  vector<lower=0>[J] sigma;
}
model {
  mu ~ normal(0, 5);
  sigma ~ normal(0, 2);
  for (n in 1:N) {
    y[n] ~ normal(mu[g[n]], sigma[g[n]]);
  }
}
generated quantities {
  vector[N] log_lik;
  for (n in 1:N) {
    log_lik[n] = normal_lpdf(y[n] | mu[g[n]], sigma[g[n]]);
  }
}
