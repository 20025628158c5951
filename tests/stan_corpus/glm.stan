// The GLM densities (issue 13): bernoulli_logit_glm, poisson_log_glm and
// normal_id_glm, as `~` and as `_lpmf`/`_lpdf` calls. Data simulated by
// make_glm.py (alpha = -0.5, beta = (1, -0.7, 0.3) for the logistic part).
// data: tests/stan_corpus/glm.json
data {
  int<lower=1> N;
  int<lower=1> K;
  matrix[N, K] x;
  array[N] int<lower=0, upper=1> y_bin;
  array[N] int<lower=0> y_count;
  vector[N] y_real;
}
parameters {
  real alpha;
  vector[K] beta;
  real alpha_c;
  vector[K] beta_c;
  real alpha_r;
  vector[K] beta_r;
  real<lower=0> sigma;
}
model {
  alpha ~ normal(0, 2);
  beta ~ normal(0, 2);
  alpha_c ~ normal(0, 2);
  beta_c ~ normal(0, 2);
  alpha_r ~ normal(0, 5);
  beta_r ~ normal(0, 5);
  sigma ~ exponential(1);
  y_bin ~ bernoulli_logit_glm(x, alpha, beta);
  target += poisson_log_glm_lpmf(y_count | x, alpha_c, beta_c);
  y_real ~ normal_id_glm(x, alpha_r, beta_r, sigma);
}
generated quantities {
  real ll_bin = bernoulli_logit_glm_lpmf(y_bin | x, alpha, beta);
  real ll_check = ll_bin - bernoulli_logit_lpmf(y_bin | alpha + x * beta);
}
