// data: tests/stan_corpus/count_regressions.json
// Count regressions written every way Stan programs write them: the count
// terms (ln n!, ln C(N, n)) depend on the data alone and are computed once
// when the data are bound (lower/counted_densities.rs, ir/data_tables.rs).
data {
  int<lower=0> N;
  vector[N] x;
  array[N] int<lower=0> y;
  array[N] int<lower=1> T;
  array[N] int<lower=0> k;
}
transformed data {
  vector[N] x2 = square(x);
}
parameters {
  real a;
  real b;
  real c;
  real d;
  real<lower=0> s;
}
model {
  a ~ normal(0, 1);
  b ~ normal(0, 1);
  c ~ normal(0, 1);
  d ~ normal(0, 1);
  s ~ exponential(1);
  y ~ poisson_log(a + b * x);
  for (n in 1:N) {
    target += poisson_lpmf(y[n] | exp(a + b * x[n] + s * x2[n] / 10));
    k[n] ~ binomial(T[n], inv_logit(c + d * x[n]));
    // A data-only term written by hand: the same every evaluation.
    target += -lgamma(k[n] + 1) + log1p(x2[n]) * s;
  }
  target += binomial_logit_lpmf(k | T, c + d * x);
}
