// A Poisson regression with an exposure, the mean E exp(a + b x), one term
// per observation (lowered as poisson_log(log(E) + a + b x), log(E) taken
// when the data are bound: lower/link_forms.rs; data of make_dist_data.py).
data { int N; vector[N] x; vector[N] exposure; array[N] int y_count; }
parameters { real a; real b; }
model {
  a ~ normal(0, 1);
  b ~ normal(0, 1);
  for (n in 1:N) y_count[n] ~ poisson(exposure[n] * exp(a + b * x[n]));
}
