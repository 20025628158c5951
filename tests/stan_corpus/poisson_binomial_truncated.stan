// poisson_binomial truncated (issue 13): T[L, U], T[L, ] and T[, U], with
// probabilities that are parameters (tests/e2e/poisson_binomial_truncated.rs).
// data: tests/stan_corpus/poisson_binomial_truncated.json
data {
  int<lower=1> N;
  vector[N] x;
  int<lower=1> M;
  array[M] int<lower=1, upper=4> y_both;
  array[M] int<lower=2> y_low;
  array[M] int<lower=0, upper=3> y_high;
}
parameters {
  real alpha;
  real beta;
}
transformed parameters {
  vector<lower=0, upper=1>[N] theta = inv_logit(alpha + beta * x);
}
model {
  alpha ~ normal(0, 1);
  beta ~ normal(0, 1);
  y_both ~ poisson_binomial(theta) T[1, 4];
  y_low ~ poisson_binomial(theta) T[2, ];
  for (m in 1:M) {
    y_high[m] ~ poisson_binomial(theta) T[, 3];
  }
}
