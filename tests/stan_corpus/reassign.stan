// data: tests/stan_corpus/timeseries.json
// A scalar local assigned twice in straight-line code, each value used by
// a loop.
data { int N; vector[N] y; }
parameters { real a; real<lower=0> b; }
model {
  real nu = a;
  for (t in 1:N) y[t] ~ normal(nu, 2);
  nu = nu * b + 1;
  for (t in 1:N) y[t] ~ normal(nu, 3);
  a ~ normal(0, 1);
  b ~ lognormal(0, 1);
}
