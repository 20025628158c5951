// A negative-binomial count regression, one term per observation (data of
// benches/loops/make_dist_data.py).
data { int N; vector[N] x; array[N] int y_count; }
parameters { real a; real b; real<lower=0> phi; }
model {
  a ~ normal(0, 2); b ~ normal(0, 2); phi ~ gamma(2, 0.5);
  for (n in 1:N) y_count[n] ~ neg_binomial_2_log(a + b * x[n], phi);
}
