// multi_student_t and multi_student_t_cholesky on parameters (nu, the
// location, the covariance and its factor), over an array of observed
// vectors and as a prior, for the oracles (JIT = interpreter, gradient =
// finite differences).
// data: tests/stan_corpus/multi_student_t.json
data {
  int N;
  array[N] vector[3] y;
}
parameters {
  real<lower=1> nu;
  vector[3] mu;
  cov_matrix[3] Sigma;
  cholesky_factor_cov[3] L;
  vector[3] z;
}
model {
  y ~ multi_student_t(nu, mu, Sigma);
  y ~ multi_student_t_cholesky(nu + 1, mu, L);
  z ~ multi_student_t(3, rep_vector(0, 3), Sigma);
  target += multi_student_t_lpdf(z | nu, mu, diag_matrix(rep_vector(2, 3)));
  target += multi_student_t_cholesky_lupdf(y[1] | 5, z, L);
  nu ~ gamma(2, 0.1);
  mu ~ normal(0, 3);
}
