// Truncation `T[a, b]` (issue 13): a normal truncated below at data, a
// normal truncated between data and a parameter, a zero-truncated Poisson,
// and the log cdfs as functions. Data simulated by make_truncated.py with
// mu = 1, sigma = 2 (y above 0); mu_z = -1, sigma_z = 1.5 (z in [-2, 1.2]);
// lambda = 1 (k >= 1).
// data: tests/stan_corpus/truncated.json
data {
  int<lower=1> N;
  real L;
  vector<lower=L>[N] y;
  int<lower=1> M;
  real z_low;
  array[M] real<lower=z_low> z;
  int<lower=1> K;
  array[K] int<lower=1> k;
}
parameters {
  real mu;
  real<lower=0> sigma;
  real mu_z;
  real<lower=0> sigma_z;
  real<lower=max(z)> z_cut;
  real<lower=0> lambda;
}
model {
  mu ~ normal(0, 5);
  sigma ~ lognormal(0, 1);
  mu_z ~ normal(0, 5);
  sigma_z ~ lognormal(0, 1);
  z_cut ~ normal(1, 1) T[max(z), ];
  lambda ~ gamma(2, 0.5);
  y ~ normal(mu, sigma) T[L, ];
  for (m in 1:M) {
    z[m] ~ normal(mu_z, sigma_z) T[z_low, z_cut];
  }
  k ~ poisson(lambda) T[1, ];
}
generated quantities {
  real p_below_cut = normal_cdf(z_cut | mu_z, sigma_z);
  real lccdf_check = normal_lccdf(L | mu, sigma) - log1m(normal_cdf(L | mu, sigma));
  real y_new = normal_rng(mu, sigma);
}
