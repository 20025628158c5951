// Inverse-gamma observations (shape alpha, scale beta), one term per
// observation (data of make_dist_data.py).
data { int N; vector[N] y_pos; }
parameters { real<lower=0> alpha; real<lower=0> beta; }
model {
  alpha ~ gamma(2, 1); beta ~ gamma(2, 1);
  for (n in 1:N) target += inv_gamma_lpdf(y_pos[n] | alpha, beta);
}
