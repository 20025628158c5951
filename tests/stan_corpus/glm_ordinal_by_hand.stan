// glm_ordinal.stan's model with the two densities written out: the
// oracle its log density and gradient must equal (tests/e2e/glm_ordinal.rs).
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
  for (i in 1:N) {
    real eta = alpha + x[i] * beta;
    real nu = x[i] * gamma;
    target += lchoose(trials[i], y_bin[i]) + y_bin[i] * eta - trials[i] * log1p_exp(eta);
    if (y_ord[i] == 1) {
      target += log1m_inv_logit(nu - cuts[1]);
    } else if (y_ord[i] == 4) {
      target += log_inv_logit(nu - cuts[3]);
    } else {
      target += log(inv_logit(nu - cuts[y_ord[i] - 1]) - inv_logit(nu - cuts[y_ord[i]]));
    }
  }
}
