// data: tests/stan_corpus/timeseries.json
// Bounds, offsets and multipliers computed from the data, as in
// posteriordb's seasonal state-space model (`lower=mean(y) - 3 * sd(y)`):
// each is computed once, ahead of the loop over the parameter's elements,
// in the log density, the generated values and the inverse transform. A
// bound may also read a parameter declared before it.
data { int N; vector[N] y; }
parameters {
  vector<lower=mean(y) - 3 * sd(y), upper=mean(y) + 3 * sd(y)>[N] mu;
  vector<offset=mean(y), multiplier=2 * sd(y)>[N] z;
  real<lower=min(y)> floor_y;
  real<lower=0> s;
  vector<lower=-s * sd(y), upper=max(y) + s>[3] w;
}
model {
  y ~ normal(mu, s);
  z ~ normal(mean(y), 2);
  floor_y ~ normal(0, 3);
  s ~ lognormal(0, 1);
  w ~ normal(0, 1);
}
