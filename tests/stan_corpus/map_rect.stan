// map_rect (issue 13), as the Stan User's Guide shards a hierarchical
// model: one job per group, its counts in x_is and exposures in x_rs, its
// intercept in thetas, the shared mu and tau in phi. `group_lp` has an
// expression body returning one log density; `group_terms` a statement
// body with a loop returning two terms per job. tests/e2e/map_rect.rs
// compares it with map_rect_by_hand.stan.
// data: tests/stan_corpus/map_rect.json
functions {
  vector group_lp(vector phi, vector theta, data array[] real x_r, data array[] int x_i) {
    return [poisson_log_lpmf(x_i | theta[1] + log(to_vector(x_r)))]';
  }
  vector group_terms(vector phi, vector theta, data array[] real x_r, data array[] int x_i) {
    vector[2] t;
    for (k in 1:2) {
      t[k] = normal_lpdf(theta[1] | phi[1], phi[2]) * x_r[k] / k;
    }
    return t;
  }
}
data {
  int<lower=1> G;
  int<lower=1> n;
  array[G, n] int<lower=0> y;
  array[G, n] real<lower=0> expo;
}
parameters {
  real mu;
  real<lower=0> tau;
  vector[G] a;
}
model {
  array[G] vector[1] thetas;
  for (g in 1:G) {
    thetas[g] = [a[g]]';
  }
  mu ~ normal(0, 2);
  tau ~ normal(0, 1);
  a ~ normal(mu, tau);
  target += sum(map_rect(group_lp, [mu, tau]', thetas, expo, y));
  target += 0.1 * sum(map_rect(group_terms, [mu, tau]', thetas, expo, y));
}
