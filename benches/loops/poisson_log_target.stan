// The same regression written as brms and many users write it, with the
// full log mass added to the target (data of benches/loops/make_dist_data.py).
data { int N; vector[N] x; array[N] int y_count; }
parameters { real a; real b; }
model {
  target += normal_lpdf(a | 0, 2) + normal_lpdf(b | 0, 2);
  target += poisson_log_lpmf(y_count | a + b * x);
}
