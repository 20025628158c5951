// data: tests/stan_corpus/jacobian_direct.json
// `jacobian +=` written directly in transformed parameters: a scale
// constrained positive by hand (a scalar term) and a vector of rates
// (a vector term, summed as `target +=` sums one).
data {
  int N;
  vector[N] y;
  array[N] int counts;
}
parameters {
  real mu;
  real log_sigma;
  vector[N] log_rate;
}
transformed parameters {
  real sigma = exp(log_sigma);
  jacobian += log_sigma;
  vector[N] rate = exp(log_rate);
  jacobian += log_rate;
}
model {
  mu ~ normal(0, 5);
  sigma ~ lognormal(0, 1);
  rate ~ gamma(2, 1);
  y ~ normal(mu, sigma);
  counts ~ poisson(rate);
}
