// A lognormal distributional regression: location and scale both vary by
// observation (data of make_dist_data.py): IR against the library call
// where nothing hoists.
data { int N; vector[N] x; vector[N] y_pos; }
parameters { real a; real b; real c; real d; }
model {
  a ~ normal(0, 1); b ~ normal(0, 1); c ~ normal(0, 1); d ~ normal(0, 1);
  y_pos ~ lognormal(a + b * x, exp(c + d * x));
}
