// data: tests/stan_corpus/pdb/counts.json
data {
  int<lower=0> N;
  array[N] int<lower=0> y;
  vector[N] x;
  vector<lower=0>[N] exposure;
}
transformed data {
  vector[N] log_expo = log(exposure);
}
parameters {
  real a;
  real b;
}
model {
  a ~ normal(0, 5);
  b ~ normal(0, 5);
  for (i in 1:N)
    target += poisson_log_lpmf(y[i] | log_expo[i] + a + b * x[i]);
}
generated quantities {
  array[N] int y_rep = poisson_log_rng(log_expo + a + b * x);
}
