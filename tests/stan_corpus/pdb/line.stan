// data: tests/stan_corpus/pdb/line.json
// Line: linear regression (BUGS)
data {
  int<lower=0> N;
  array[N] real x;
  array[N] real Y;
}
transformed data {
  real xbar;
  xbar = mean(x);
}
parameters {
  real alpha;
  real beta;
  real<lower=0> tau;
}
transformed parameters {
  real<lower=0> sigma;
  sigma = 1.0 / sqrt(tau);
}
model {
  alpha ~ normal(0.0, 100);
  beta ~ normal(0.0, 100);
  tau ~ gamma(.001, .001);
  for (n in 1:N)
    Y[n] ~ normal(alpha + beta * (x[n] - xbar), sigma);
}
