// data: tests/stan_corpus/functions_return_series.json
// functions_return_series.stan in closed form (see there).
data {
  int N;
  vector[N] grid;
  real t;
  int m;
}
transformed data {
  real cross_data = fmin(fmax((t - 0.1) / 2, grid[1]), grid[N]);
}
parameters {
  real alpha;
  real<lower=0> beta;
  real x;
  vector[4] u;
}
transformed parameters {
  real cross = fmin(fmax((t - alpha) / beta, grid[1]), grid[N]);
  real ch = cosh(x);
}
model {
  alpha ~ normal(0, 1);
  beta ~ lognormal(0, 0.5);
  x ~ normal(0, 1);
  target += normal_lpdf(cross | 0.2, 0.7) - 0.3 * ch + cross_data;
  u ~ normal(0, 3);
  u[1:m] ~ normal(0, 1);
}
