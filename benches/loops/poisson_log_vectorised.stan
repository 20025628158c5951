// A Poisson log-linear regression written as Stan's manual does, one
// vectorised sampling statement (data of benches/loops/make_dist_data.py).
data { int N; vector[N] x; array[N] int y_count; }
parameters { real a; real b; }
model {
  a ~ normal(0, 2); b ~ normal(0, 2);
  y_count ~ poisson_log(a + b * x);
}
