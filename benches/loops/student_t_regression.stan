// A robust regression on the data of benches/loops/make_data.py (nu, sigma scalars).
data { int N; vector[N] x; vector[N] y; }
parameters { real alpha; real beta; real<lower=0> sigma; real<lower=1> nu; }
model {
  alpha ~ normal(0, 1); beta ~ normal(0, 1); sigma ~ exponential(1); nu ~ gamma(2, 0.1);
  y ~ student_t(nu, alpha + beta * x, sigma);
}
