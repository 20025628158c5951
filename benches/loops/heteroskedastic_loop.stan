// A normal regression whose scale is exp(c + d x), one term per
// observation: log σ is c + d x, no log call (FnBuilder::log_parts; data
// of make_dist_data.py).
data { int N; vector[N] x; vector[N] y; }
parameters { real a; real b; real c; real d; }
model {
  a ~ normal(0, 2); b ~ normal(0, 2); c ~ normal(0, 2); d ~ normal(0, 2);
  for (n in 1:N) y[n] ~ normal(a + b * x[n], exp(c + d * x[n]));
}
