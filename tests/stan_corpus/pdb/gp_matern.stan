// data: tests/stan_corpus/pdb/gp_regr.json
// GP regression with a Matern 3/2 plus periodic kernel, marginal likelihood
data {
  int<lower=1> N;
  array[N] real x;
  vector[N] y;
}
transformed data {
  real delta = 1e-9;
  vector[N] mu = rep_vector(0, N);
}
parameters {
  real<lower=0> rho;
  real<lower=0> alpha;
  real<lower=0> alpha_p;
  real<lower=0> sigma;
}
model {
  matrix[N, N] L_K;
  matrix[N, N] K = gp_matern32_cov(x, alpha, rho)
                   + gp_periodic_cov(x, alpha_p, rho, 5.0);
  K = add_diag(K, square(sigma) + delta);
  L_K = cholesky_decompose(K);
  rho ~ inv_gamma(5, 5);
  alpha ~ std_normal();
  alpha_p ~ std_normal();
  sigma ~ std_normal();
  y ~ multi_normal_cholesky(mu, L_K);
}
