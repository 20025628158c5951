// Varying intercepts (radon, Gelman & Hill): plain Stan with index arrays.
data {
  int<lower=1> N;
  int<lower=1> J;
  array[N] int<lower=1, upper=J> county;
  vector[N] x;
  vector[N] y;
}
parameters {
  vector[J] a;
  real beta;
  real mu_a;
  real<lower=0> sigma_a;
  real<lower=0> sigma_y;
}
model {
  vector[N] y_hat;
  for (i in 1:N) {
    y_hat[i] = a[county[i]] + x[i] * beta;
  }
  mu_a ~ normal(0, 1);
  sigma_a ~ normal(0, 1);
  sigma_y ~ normal(0, 1);
  beta ~ normal(0, 1);
  a ~ normal(mu_a, sigma_a);
  y ~ normal(y_hat, sigma_y);
  y ~ normal(a[county] + x * beta, sigma_y);
}
