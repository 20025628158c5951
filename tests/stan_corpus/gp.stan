// Gaussian process regression (issue 13), as in Stan's user guide:
// gp_exp_quad_cov, the noise added on the diagonal in a loop, a Cholesky
// factor and multi_normal_cholesky; the vector-point and cross-covariance
// forms and add_diag in generated quantities. Data simulated by make_gp.py
// (alpha = 1, rho = 0.8, sigma = 0.3).
// data: tests/stan_corpus/gp.json
data {
  int<lower=1> N;
  array[N] real x;
  vector[N] y;
  int<lower=1> M;
  array[M] vector[2] x2;
}
parameters {
  real<lower=0> rho;
  real<lower=0> alpha;
  real<lower=0> sigma;
}
model {
  matrix[N, N] L_K;
  matrix[N, N] K = gp_exp_quad_cov(x, alpha, rho);
  real sq_sigma = square(sigma);
  for (n in 1:N) {
    K[n, n] = K[n, n] + sq_sigma;
  }
  L_K = cholesky_decompose(K);
  rho ~ inv_gamma(5, 5);
  alpha ~ std_normal();
  sigma ~ std_normal();
  y ~ multi_normal_cholesky(rep_vector(0, N), L_K);
}
generated quantities {
  matrix[M, M] K2 = add_diag(gp_exp_quad_cov(x2, alpha, rho), 1e-9);
  matrix[N, M] cross = cov_exp_quad(x, x[1:M], alpha, rho);
  real k12 = K2[1, 2];
}
