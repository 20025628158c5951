// data: tests/stan_corpus/integrate_1d.json
// integrate_1d on every kind of interval, with closed forms that
// tests/e2e/integrate_1d.rs checks (with their gradients): int_0^1 exp(theta x)
// = (e^theta - 1) / theta; a normal density over (-inf, c) = Phi((c - mu) /
// sigma); an upper limit that is a parameter; int_0^inf x_r[1] exp(-theta x)
// = x_r[1] / theta; the beta function B(alpha, beta), with xc near 1. The
// corpus oracles check JIT = interpreter and gradient = finite differences.
functions {
  real exp_theta(real x, real xc, array[] real theta, array[] real x_r, array[] int x_i) {
    return exp(theta[1] * x);
  }
  real normal_density(real x, real xc, array[] real theta, array[] real x_r, array[] int x_i) {
    return exp(normal_lpdf(x | theta[1], theta[2]));
  }
  real decay(real x, real xc, array[] real theta, array[] real x_r, array[] int x_i) {
    return x_r[1] * exp(-theta[1] * x * x_i[1]);
  }
  real beta_kernel(real x, real xc, array[] real theta, array[] real x_r, array[] int x_i) {
    if (x > 0.5) {
      return x ^ (theta[1] - 1) * xc ^ (theta[2] - 1);
    }
    return x ^ (theta[1] - 1) * (1 - x) ^ (theta[2] - 1);
  }
}
data {
  real c;
  vector[5] y;
}
transformed data {
  array[0] real none;
  array[0] int no_ints;
}
parameters {
  real<lower=0> theta;
  real mu;
  real<lower=0> sigma;
  real<lower=0> upper;
  real<lower=1> alpha;
  real<lower=1> beta;
}
transformed parameters {
  real i_exp = integrate_1d(exp_theta, 0.0, 1.0, {theta}, none, no_ints);
  real i_phi = integrate_1d(normal_density, negative_infinity(), c, {mu, sigma}, none, no_ints, 1e-10);
  real i_upper = integrate_1d(exp_theta, 0.0, upper, {theta}, none, no_ints);
  real i_decay = integrate_1d(decay, 0.0, positive_infinity(), {theta}, {2.0}, {1});
  real i_beta = integrate_1d(beta_kernel, 0.0, 1.0, {alpha, beta}, none, no_ints);
}
model {
  theta ~ lognormal(0, 0.5);
  mu ~ normal(0, 1);
  sigma ~ lognormal(0, 0.5);
  upper ~ lognormal(0, 0.5);
  alpha ~ lognormal(1, 0.5);
  beta ~ lognormal(1, 0.5);
  y ~ normal([i_exp, i_phi, i_upper, i_decay, i_beta]', 0.5);
}
