// tuple_arrays.stan written with one array per tuple element: the oracle
// its log density and gradient must equal (tests/e2e/tuple_arrays.rs).
// data: tests/stan_corpus/tuple_arrays.json
data {
  int<lower=1> J;
  array[J] real y;
}
parameters {
  real mu;
  array[J] real<lower=0> th1;
  array[J] vector[2] th2;
}
model {
  mu ~ normal(0, 2);
  for (j in 1:J) {
    th1[j] ~ lognormal(0, 0.5);
    th2[j] ~ normal(mu, 1);
    y[j] ~ normal(mu + th1[j], th1[j] + 1);
    target += -0.5 * square(mu - th1[j]);
  }
}
