// A regression with double_exponential errors, one term per observation (data of
// make_dist_data.py).
data { int N; vector[N] x; vector[N] y; }
parameters { real a; real b; real<lower=0> sigma; }
model {
  a ~ normal(0, 2); b ~ normal(0, 2); sigma ~ exponential(1);
  for (n in 1:N) y[n] ~ double_exponential(a + b * x[n], sigma);
}
