// data: tests/stan_corpus/pdb/counts.json
// zero-inflated negative binomial regression with log_mix
data {
  int<lower=0> N;
  vector[N] x;
  array[N] int<lower=0> y;
  vector<lower=0>[N] exposure;
}
transformed data {
  vector[N] log_exposure = log(exposure);
}
parameters {
  real alpha;
  real beta;
  real<lower=0> phi;
  real<lower=0, upper=1> theta;
}
model {
  alpha ~ normal(0, 2);
  beta ~ normal(0, 1);
  phi ~ gamma(2, 0.5);
  theta ~ beta(1, 4);
  for (n in 1:N) {
    real eta = alpha + beta * x[n] + log_exposure[n];
    if (y[n] == 0)
      target += log_mix(theta, 0, neg_binomial_2_log_lpmf(0 | eta, phi));
    else
      target += log1m(theta) + neg_binomial_2_log_lpmf(y[n] | eta, phi);
  }
}
generated quantities {
  array[N] int y_rep;
  vector[N] log_lik;
  for (n in 1:N) {
    real eta = alpha + beta * x[n] + log_exposure[n];
    y_rep[n] = bernoulli_rng(theta) ? 0 : neg_binomial_2_log_rng(eta, phi);
    log_lik[n] = y[n] == 0 ? log_mix(theta, 0, neg_binomial_2_log_lpmf(0 | eta, phi))
                           : log1m(theta) + neg_binomial_2_log_lpmf(y[n] | eta, phi);
  }
}
