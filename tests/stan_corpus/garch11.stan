// data: tests/stan_corpus/timeseries.json
// GARCH(1,1): sigma[t] from sigma[t-1], a vector element written from the
// previous one, and the squared residual carried in a scalar.
data { int N; vector[N] y; real<lower=0> sigma1; }
parameters { real mu; real<lower=0> alpha0; real<lower=0, upper=1> alpha1; real<lower=0, upper=(1 - alpha1)> beta1; }
model {
  vector[N] sigma;
  real r2;
  sigma[1] = sigma1;
  r2 = square(y[1] - mu);
  for (t in 2:N) {
    sigma[t] = sqrt(alpha0 + alpha1 * r2 + beta1 * square(sigma[t - 1]));
    r2 = square(y[t] - mu);
  }
  y ~ normal(mu, sigma);
}
