// A gamma regression (shape alpha, mean exp(a + b x)), one term per
// observation (data of make_dist_data.py).
data { int N; vector[N] x; vector[N] y_pos; }
parameters { real a; real b; real<lower=0> alpha; }
model {
  a ~ normal(0, 2); b ~ normal(0, 2); alpha ~ gamma(2, 0.5);
  for (n in 1:N) target += gamma_lpdf(y_pos[n] | alpha, alpha * exp(-(a + b * x[n])));
}
