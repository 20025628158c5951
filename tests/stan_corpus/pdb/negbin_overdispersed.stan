// data: tests/stan_corpus/pdb/counts.json
data {
  int<lower=0> N;
  array[N] int<lower=0> y;
  vector[N] x;
}
parameters {
  real a;
  real b;
  real<lower=0> inv_phi;
}
transformed parameters {
  real phi = inv(inv_phi);
}
model {
  inv_phi ~ exponential(1);
  y ~ neg_binomial_2_log(a + b * x, phi);
  target += normal_lpdf(a | 0, 5) + normal_lpdf(b | 0, 2);
}
generated quantities {
  vector[N] log_lik;
  for (n in 1:N) log_lik[n] = neg_binomial_2_log_lpmf(y[n] | a + b * x[n], phi);
}
