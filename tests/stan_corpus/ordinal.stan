// Ordinal and count outcomes (issue 13): ordered_logistic and
// ordered_probit with ordered cutpoints, multinomial and multinomial_logit
// counts, a beta_binomial. Data simulated by make_ordinal.py.
// data: tests/stan_corpus/ordinal.json
data {
  int<lower=1> N;
  vector[N] x;
  array[N] int<lower=1, upper=4> k;
  array[4] int<lower=0> counts;
  int<lower=1> U;
  int<lower=1> trials;
  array[U] int<lower=0, upper=trials> successes;
}
parameters {
  real b;
  ordered[3] c;
  real b_p;
  ordered[3] c_p;
  simplex[4] theta;
  vector[4] gamma;
  real<lower=0> a_bb;
  real<lower=0> b_bb;
}
model {
  b ~ normal(0, 2);
  c ~ normal(0, 3);
  b_p ~ normal(0, 2);
  c_p ~ normal(0, 3);
  k ~ ordered_logistic(b * x, c);
  for (n in 1:N) {
    k[n] ~ ordered_probit(b_p * x[n], c_p);
  }
  counts ~ multinomial(theta);
  gamma ~ normal(0, 1);
  counts ~ multinomial_logit(gamma);
  a_bb ~ gamma(2, 0.5);
  b_bb ~ gamma(2, 0.5);
  successes ~ beta_binomial(trials, a_bb, b_bb);
}
generated quantities {
  real lp_k1 = ordered_logistic_lpmf(k[1] | b * x[1], c);
  int bb_new = beta_binomial_rng(trials, a_bb, b_bb);
}
