// data: tests/stan_corpus/pdb/censored.json
// censored (tobit) regression: lcdf/lccdf for points beyond the limits
data {
  int<lower=0> N_obs;
  int<lower=0> N_cens;
  vector[N_obs] x_obs;
  vector[N_cens] x_cens;
  vector[N_obs] y_obs;
  real U;
}
parameters {
  real alpha;
  real beta;
  real<lower=0> sigma;
}
model {
  alpha ~ normal(0, 5);
  beta ~ normal(0, 5);
  sigma ~ student_t(3, 0, 2);
  y_obs ~ normal(alpha + beta * x_obs, sigma);
  target += normal_lccdf(U | alpha + beta * x_cens, sigma);
}
