// data: tests/stan_corpus/pdb/counts.json
// A user distribution, a helper with the data qualifier, a void printer.
functions {
  real zip_lpmf(int y, real theta, real lambda) {
    if (y == 0)
      return log_sum_exp(bernoulli_lpmf(1 | theta), bernoulli_lpmf(0 | theta) + poisson_lpmf(y | lambda));
    else
      return bernoulli_lpmf(0 | theta) + poisson_lpmf(y | lambda);
  }
  vector center(data vector x) {
    return x - mean(x);
  }
  void check_positive(real x) {
    if (x <= 0) reject("x must be positive; found x = ", x);
  }
}
data {
  int<lower=0> N;
  array[N] int<lower=0> y;
  vector[N] x;
}
transformed data {
  vector[N] xc = center(x);
}
parameters {
  real<lower=0, upper=1> theta;
  real a;
  real b;
}
model {
  vector[N] lambda = exp(a + b * xc);
  a ~ normal(0, 3);
  b ~ normal(0, 3);
  for (n in 1:N) {
    y[n] ~ zip(theta, lambda[n]);
  }
}
generated quantities {
  check_positive(exp(a));
}
