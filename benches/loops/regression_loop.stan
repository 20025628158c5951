data { int N; vector[N] x; vector[N] y; }
parameters { real alpha; real beta; real<lower=0> sigma; }
model {
  alpha ~ normal(0, 1); beta ~ normal(0, 1); sigma ~ exponential(1);
  for (n in 1:N) y[n] ~ normal(alpha + beta * x[n], sigma);
}
