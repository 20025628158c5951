// data: tests/stan_corpus/pdb/censored.json
// a Weibull survival model with right censoring and weibull_lccdf
data {
  int<lower=0> N_obs;
  int<lower=0> N_cens;
  vector[N_obs] x_obs;
  vector[N_cens] x_cens;
  vector<lower=0>[N_obs] t_obs;
  vector<lower=0>[N_cens] t_cens;
}
parameters {
  real alpha;
  real beta;
  real<lower=0> shape;
}
model {
  alpha ~ normal(0, 3);
  beta ~ normal(0, 3);
  shape ~ gamma(2, 1);
  t_obs ~ weibull(shape, exp(alpha + beta * x_obs));
  target += weibull_lccdf(t_cens | shape, exp(alpha + beta * x_cens));
}
generated quantities {
  real median_0 = exp(alpha) * pow(log(2), 1 / shape);
}
