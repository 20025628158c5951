// binomial_logit_glm and ordered_logistic_glm (issue 13) in every form
// Stan has: `~`, `_lpmf` and `_lupmf`, a matrix of rows or one row vector,
// an array of outcomes or one. Data simulated by make_glm_ordinal.py
// (alpha = -0.3, beta = (0.8, 0.4), gamma = (1, -0.5), cuts = (-1, 0.5, 2)).
// data: tests/stan_corpus/glm_ordinal.json
data {
  int<lower=1> N;
  int<lower=1> K;
  matrix[N, K] x;
  array[N] int<lower=1> trials;
  array[N] int<lower=0> y_bin;
  array[N] int<lower=1, upper=4> y_ord;
}
parameters {
  real alpha;
  vector[K] beta;
  vector[K] gamma;
  ordered[3] cuts;
}
model {
  alpha ~ normal(0, 2);
  beta ~ normal(0, 2);
  gamma ~ normal(0, 2);
  cuts ~ normal(0, 5);
  y_bin ~ binomial_logit_glm(trials, x, alpha, beta);
  target += ordered_logistic_glm_lupmf(y_ord | x, gamma, cuts);
}
generated quantities {
  // The other forms, each against the density of its linear predictor
  // written out (tests/e2e/glm_ordinal.rs checks them at every draw).
  real one_bin = binomial_logit_glm_lpmf(y_bin[1] | trials[1], x[1], alpha, beta)
                 - (lchoose(trials[1], y_bin[1]) + y_bin[1] * (alpha + x[1] * beta) - trials[1] * log1p_exp(alpha + x[1] * beta));
  real rows_bin = binomial_logit_glm_lpmf(y_bin | trials, x, rep_vector(alpha, N), beta)
                  - binomial_logit_lpmf(y_bin | trials, alpha + x * beta);
  real one_ord = ordered_logistic_glm_lpmf(y_ord[1] | x[1], gamma, cuts) - ordered_logistic_lpmf(y_ord[1] | x[1] * gamma, cuts);
  real same_y_ord = ordered_logistic_glm_lpmf(2 | x, gamma, cuts) - ordered_logistic_lpmf(rep_array(2, N) | x * gamma, cuts);
  real same_x_ord = ordered_logistic_glm_lpmf(y_ord | x[1], gamma, cuts) - ordered_logistic_lpmf(y_ord | rep_vector(x[1] * gamma, N), cuts);
}
