// Weibull lifetimes (shape alpha, scale sigma), one term per observation
// (data of make_dist_data.py).
data { int N; vector[N] y_pos; }
parameters { real<lower=0> alpha; real<lower=0> sigma; }
model {
  alpha ~ gamma(2, 1); sigma ~ gamma(2, 1);
  for (n in 1:N) y_pos[n] ~ weibull(alpha, sigma);
}
