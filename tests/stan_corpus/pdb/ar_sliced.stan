// data: tests/stan_corpus/pdb/ts.json
// AR(1) written with slices: the lagged series is y[1:(T - 1)].
data {
  int<lower=3> T;
  vector[T] y;
}
parameters {
  real alpha;
  real beta;
  real<lower=0> sigma;
}
model {
  y[2:T] ~ normal(alpha + beta * y[1:(T - 1)], sigma);
  tail(y, T - 1) ~ normal(alpha + beta * head(y, T - 1), sigma);
  segment(y, 2, T - 1) ~ normal(alpha + beta * segment(y, 1, T - 1), sigma);
}
generated quantities {
  real y_next = normal_rng(alpha + beta * y[T], sigma);
}
