// data: tests/stan_corpus/infinite_bounds.json
// The closed form of infinite_bounds.stan: only the finite bounds.
data {
  real L;
  real U;
}
parameters {
  real<upper=0> a;
  real<lower=0> b;
  real c;
  real<upper=U> d;
  vector[2] e;
  array[2] real<lower=-1> f;
}
model {
  a ~ normal(0, 1);
  b ~ normal(1, 2);
  c ~ normal(0, 3);
  d ~ normal(0, 1);
  e ~ normal(0, 1);
  f ~ normal(0, 1);
}
