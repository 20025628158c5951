// map_rect.stan's model written without map_rect: the oracle its log
// density and gradient must equal (tests/e2e/map_rect.rs).
// data: tests/stan_corpus/map_rect.json
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
  mu ~ normal(0, 2);
  tau ~ normal(0, 1);
  a ~ normal(mu, tau);
  for (g in 1:G) {
    target += poisson_log_lpmf(y[g] | a[g] + log(to_vector(expo[g])));
    for (k in 1:2) {
      target += 0.1 * normal_lpdf(a[g] | mu, tau) * expo[g, k] / k;
    }
  }
}
