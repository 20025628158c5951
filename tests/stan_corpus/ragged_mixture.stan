// data: tests/stan_corpus/ragged_mixture.json
// Normal mixtures with a different number of components in each group
// (1 to 3), the components' means and log weights of all groups stacked
// in mu and eta: group g's are segment(mu, pos[g], K[g]). Each
// observation's log likelihood is a log_sum_exp over its group's
// components, taken element by element whatever the number of
// components; the spread of each group's means is penalised through
// variance, sd, max, min and prod of run-time-length segments. In
// generated quantities every such reduction is compared with the library
// function on a local vector of the same elements (d_* must be 0), and
// the likelihood with log_softmax weights (copied per number of
// components) with the model's. make_ragged_whole.py drew the data.
data {
  int<lower=1> G;
  array[G] int<lower=1> K;
  int<lower=0> N;
  array[N] int<lower=1, upper=G> grp;
  vector[N] y;
}
transformed data {
  array[G] int pos;
  pos[1] = 1;
  for (g in 2:G) pos[g] = pos[g - 1] + K[g - 1];
  int M = sum(K);
  // The same lengths under another name: a block copied per K[g] leaves
  // segments of length K2[g] to the element-by-element reductions.
  array[G] int K2 = K;
  array[M] int comp;
  for (m in 1:M) comp[m] = m;
}
parameters {
  vector[M] mu;
  vector[M] eta;
  real<lower=0> sigma;
}
model {
  mu ~ normal(0, 5);
  eta ~ normal(0, 1);
  sigma ~ lognormal(0, 0.5);
  for (n in 1:N) {
    int g = grp[n];
    target += log_sum_exp(segment(eta, pos[g], K[g]) - 0.5 * square((y[n] - segment(mu, pos[g], K[g])) / sigma))
              - log_sum_exp(segment(eta, pos[g], K[g])) - log(sigma);
  }
  for (g in 1:G) {
    target += -0.1 * variance(segment(mu, pos[g], K[g])) - 0.05 * sd(segment(eta, pos[g], K[g]));
    target += -0.02 * (max(segment(mu, pos[g], K[g])) - min(segment(mu, pos[g], K[g])));
    target += 0.01 * prod(segment(eta, pos[g], K[g]));
  }
}
generated quantities {
  real ll_diff = 0;
  vector[G] d_lse;
  vector[G] d_max;
  vector[G] d_min;
  vector[G] d_prod;
  vector[G] d_var;
  vector[G] d_sd;
  array[G] int d_int_max;
  for (n in 1:N) {
    int g = grp[n];
    ll_diff += log_sum_exp(log_softmax(segment(eta, pos[g], K[g])) - 0.5 * square((y[n] - segment(mu, pos[g], K[g])) / sigma)) - log(sigma)
               - (log_sum_exp(segment(eta, pos[g], K[g]) - 0.5 * square((y[n] - segment(mu, pos[g], K[g])) / sigma))
                  - log_sum_exp(segment(eta, pos[g], K[g])) - log(sigma));
  }
  for (g in 1:G) {
    vector[K[g]] v = segment(mu, pos[g], K[g]);
    d_lse[g] = log_sum_exp(v) - log_sum_exp(segment(mu, pos[g], K2[g]));
    d_max[g] = max(v) - max(segment(mu, pos[g], K2[g]));
    d_min[g] = min(v) - min(segment(mu, pos[g], K2[g]));
    d_prod[g] = prod(v) - prod(segment(mu, pos[g], K2[g]));
    d_var[g] = variance(v) - variance(segment(mu, pos[g], K2[g]));
    d_sd[g] = sd(v) - sd(segment(mu, pos[g], K2[g]));
    d_int_max[g] = max(segment(comp, pos[g], K2[g])) - (pos[g] + K[g] - 1);
  }
}
