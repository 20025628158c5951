// data: tests/stan_corpus/timeseries.json
// A cumulative sum by hand (s = s + ...) used at every step, and the
// vector of running sums.
data { int N; vector[N] y; }
parameters { vector[N] z; real<lower=0> tau; }
model {
  real s = 0;
  vector[N] path;
  tau ~ normal(0, 1);
  z ~ normal(0, 1);
  for (t in 1:N) {
    s = s + tau * z[t];
    path[t] = s;
    y[t] ~ normal(s, 1);
  }
  target += -0.01 * dot_self(path);
}
