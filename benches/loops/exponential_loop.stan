// Waiting times with one rate, one term per observation (data of make_dist_data.py).
data { int N; vector[N] y_pos; }
parameters { real<lower=0> lambda; }
model {
  lambda ~ gamma(2, 1);
  for (n in 1:N) y_pos[n] ~ exponential(lambda);
}
