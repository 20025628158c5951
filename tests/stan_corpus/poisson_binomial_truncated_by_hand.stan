// poisson_binomial_truncated.stan with each truncation's normalisation
// written out through the cdfs: the oracle its log density and gradient
// must equal (tests/e2e/poisson_binomial_truncated.rs).
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
  for (m in 1:M) {
    target += poisson_binomial_lpmf(y_both[m] | theta)
              - log_diff_exp(poisson_binomial_lcdf(4 | theta), poisson_binomial_lcdf(0 | theta));
    target += poisson_binomial_lpmf(y_low[m] | theta) - poisson_binomial_lccdf(1 | theta);
    target += poisson_binomial_lpmf(y_high[m] | theta) - poisson_binomial_lcdf(3 | theta);
  }
}
