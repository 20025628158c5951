// data: tests/stan_corpus/pdb/glmm_sites.json
// Poisson GLMM with random site effects (BPA, chapter 4)
data {
  int<lower=0> nsite;
  int<lower=0> nyear;
  array[nsite, nyear] int<lower=0> C;
  vector[nyear] year;
}
transformed data {
  vector[nyear] year_squared;
  vector[nyear] year_cubed;
  year_squared = year .* year;
  year_cubed = year .* year .* year;
}
parameters {
  real mu;
  vector[nsite] alpha;
  real beta1;
  real beta2;
  real beta3;
  real<lower=0, upper=5> sd_alpha;
}
transformed parameters {
  array[nsite] vector[nyear] log_lambda;
  for (i in 1:nsite)
    log_lambda[i] = alpha[i] + beta1 * year + beta2 * year_squared
                    + beta3 * year_cubed;
}
model {
  // Priors
  mu ~ normal(0, 10);
  beta1 ~ normal(0, 10);
  beta2 ~ normal(0, 10);
  beta3 ~ normal(0, 10);
  alpha ~ normal(mu, sd_alpha);
  // Likelihood
  for (i in 1:nsite)
    C[i] ~ poisson_log(log_lambda[i]);
}
generated quantities {
  array[nsite, nyear] int C_rep;
  for (i in 1:nsite)
    C_rep[i] = poisson_log_rng(log_lambda[i]);
}
