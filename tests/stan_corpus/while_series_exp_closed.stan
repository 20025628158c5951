// while_series_exp.stan with the series replaced by exp(x): the two must
// have the same log density and gradient (tests/e2e/while_loops.rs).
data { int N; vector[N] y; }
parameters { real x; }
transformed parameters {
  real s = exp(x);
}
model {
  x ~ normal(0, 1);
  y ~ normal(s, 1);
}
