// A gamma distributional regression: shape and rate both vary by
// observation, so no term of the parameters alone is shared (data of
// make_dist_data.py): IR against the library call where nothing hoists.
data { int N; vector[N] x; vector[N] y_pos; }
parameters { real a; real b; real c; real d; }
model {
  a ~ normal(0, 1); b ~ normal(0, 1); c ~ normal(0, 1); d ~ normal(0, 1);
  y_pos ~ gamma(exp(a + b * x), exp(c + d * x));
}
