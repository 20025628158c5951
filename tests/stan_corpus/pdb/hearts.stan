// data: tests/stan_corpus/pdb/hearts.json
// Hearts: a mixture model for count data (BUGS vol. 2)
data {
  int<lower=0> N;
  array[N] int<lower=0> x;
  array[N] int<lower=0> y;
  array[N] int<lower=0> t;
}
parameters {
  real alpha;
  real delta;
}
transformed parameters {
  real<lower=0, upper=1> theta;
  real<lower=0, upper=1> p;
  p = inv_logit(alpha);
  theta = inv_logit(delta);
}
model {
  alpha ~ normal(0, 100);
  delta ~ normal(0, 100);
  for (i in 1:N) {
    if (y[i] == 0)
      target += log_sum_exp(log(theta), log1m(theta) + binomial_lpmf(0 | t[i], p));
    else
      target += log1m(theta) + binomial_lpmf(y[i] | t[i], p);
  }
}
generated quantities {
  real beta;
  beta = exp(alpha);
}
