// data: tests/stan_corpus/infinite_bounds.json
// Infinite bounds are no bound, as Stan reads them: written with
// negative_infinity() / positive_infinity() or given by the data (L = -inf);
// its twin infinite_bounds_closed.stan declares the same parameters with
// only their finite bounds, so the two have the same log density.
data {
  real L;
  real U;
}
parameters {
  real<lower=negative_infinity(), upper=0> a;
  real<lower=0, upper=positive_infinity()> b;
  real<lower=negative_infinity(), upper=positive_infinity()> c;
  real<lower=L, upper=U> d;
  vector<lower=L>[2] e;
  array[2] real<lower=-1, upper=-L> f;
}
model {
  a ~ normal(0, 1);
  b ~ normal(1, 2);
  c ~ normal(0, 3);
  d ~ normal(0, 1);
  e ~ normal(0, 1);
  f ~ normal(0, 1);
}
