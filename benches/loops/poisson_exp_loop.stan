// A Poisson regression written with the mean exp(a + b x), one term per
// observation (lowered as poisson_log: lower/link_forms.rs; data of
// make_dist_data.py).
data { int N; vector[N] x; array[N] int y_count; }
parameters { real a; real b; }
model {
  a ~ normal(0, 2); b ~ normal(0, 2);
  for (n in 1:N) y_count[n] ~ poisson(exp(a + b * x[n]));
}
