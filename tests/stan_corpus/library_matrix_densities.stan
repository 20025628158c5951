// Covariance-matrix densities, poisson_binomial, the SPD solves and Stan's Bessel functions
// on parameters (issue 13), for the oracles: JIT = interpreter, gradient =
// finite differences. Values: library_values.stan.
// data: tests/stan_corpus/library_matrix_densities.json
data {
  matrix[3, 3] S;
  matrix[2, 3] Y;
  array[3] int orders;
  array[3] int successes;
}
parameters {
  cov_matrix[3] W;
  cholesky_factor_cov[3] L;
  real<lower=2.5> nu;
  vector<lower=0>[2] w;
  vector[3] b;
  real<lower=0.1> z;
  vector<lower=0, upper=1>[4] theta;
}
model {
  W ~ wishart(nu + 1, S);
  target += inv_wishart_lpdf(W | nu + 2, S) * 0.5;
  L ~ wishart_cholesky(nu + 1, cholesky_decompose(S));
  target += 0.5 * inv_wishart_cholesky_lpdf(L | nu, cholesky_decompose(S));
  target += multi_gp_lpdf(Y | W, w) + multi_gp_cholesky_lpdf(Y | L, w);
  target += lkj_cov_lpdf(W | rep_vector(0, 3), rep_vector(1, 3), 2.0);
  target += -0.5 * dot_self(mdivide_left_spd(W, b)) - 0.5 * dot_self(mdivide_right_spd(b', tcrossprod(L)));
  target += -0.5 * dot_self(b) + gamma_lpdf(nu | 3, 1) + gamma_lpdf(w | 2, 2);
  target += 0.1 * bessel_first_kind(2, z) + 0.1 * bessel_second_kind(1, z) - 0.1 * modified_bessel_first_kind(1, z);
  target += 0.1 * modified_bessel_second_kind(2, z) - 0.5 * log_modified_bessel_first_kind(nu, z);
  target += -0.01 * sum(modified_bessel_first_kind(orders, z)) + gamma_lpdf(z | 2, 1);
  successes ~ poisson_binomial(theta);
  target += poisson_binomial_lpmf(0 | theta[1:2]);
  target += poisson_binomial_lcdf(1 | theta) + poisson_binomial_lccdf({0, 1} | theta) + 0.1 * poisson_binomial_cdf(2 | theta);
  target += -0.1 * sum(matrix_exp(0.2 * W)) + 0.05 * sum(matrix_exp_multiply(L, to_matrix(b, 3, 1)));
  target += 0.1 * log_rising_factorial(z, nu) - 0.1 * log_falling_factorial(nu + 3, z) + 0.01 * rising_factorial(z, 2);
  target += -0.01 * falling_factorial(nu + 3, 2) - 0.01 * sum(rising_factorial(w, 2));
  target += -0.05 * sum(scale_matrix_exp_multiply(z, [[0, 1, 0], [-1, 0, 0.5], [0.2, 0, -1]], L));
}
