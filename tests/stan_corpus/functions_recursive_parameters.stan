// data: tests/stan_corpus/functions_recursive_parameters.json
// Recursive functions on `real`/`int` values given parameters (E0012 on
// 76b228b): each such call is expanded to a depth, one level inside the
// other, rather than compiled as a function of its own, and lowering
// keeps only the levels the data reach. `discounted` recurses K levels
// (K from the data), `power_of` halves its exponent, `scaled_down`
// recurses as deep as its parameter decides. The same calls on data, in
// transformed data, stay compiled functions.
// functions_recursive_parameters_closed.stan writes each as a loop.
functions {
  // x + r x + r^2 x + ... + r^n x
  real discounted(real r, real x, int n) {
    if (n == 0) return x;
    return x + r * discounted(r, x, n - 1);
  }
  real power_of(real x, int k) {
    if (k == 0) return 1;
    real half = power_of(x, k %/% 2);
    return k % 2 == 0 ? half * half : x * half * half;
  }
  real scaled_down(real x) {
    return x < 1 ? x : scaled_down(x / 2);
  }
}
data {
  int<lower=1> N;
  int<lower=0> K;
  vector[N] y;
}
transformed data {
  real half_total = discounted(0.5, 1, K);
}
parameters {
  real<lower=0, upper=1> r;
  real mu;
  real<lower=0> sigma;
}
transformed parameters {
  real total = discounted(r, mu, K);
}
model {
  r ~ beta(2, 2);
  mu ~ normal(0, 2);
  sigma ~ normal(0, 1);
  y ~ normal(total, sigma);
  target += -power_of(mu - 1, 2) / 8 - 0.1 * scaled_down(sigma + 3) + 0 * half_total;
}
