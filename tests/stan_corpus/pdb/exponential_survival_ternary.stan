// data: tests/stan_corpus/pdb/survival.json
data {
  int<lower=0> N;
  array[N] real<lower=0> t;
  array[N] int<lower=0, upper=1> censored;
  array[N] real x;
}
parameters {
  real b0;
  real b1;
}
model {
  b0 ~ normal(0, 3);
  b1 ~ normal(0, 3);
  for (n in 1:N) {
    real lambda = exp(b0 + b1 * x[n]);
    target += censored[n] == 1 ? exponential_lccdf(t[n] | lambda) : exponential_lpdf(t[n] | lambda);
  }
}
generated quantities {
  real median_t = log(2) / exp(b0);
  int half = N / 2;
  int is_odd = N % 2;
}
