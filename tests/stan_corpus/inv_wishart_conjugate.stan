// A covariance with an inverse-Wishart prior and normal data: the
// posterior is inverse-Wishart(nu + N, S + sum y y') in closed form
// (tests/e2e/stan_programs.rs compares the posterior mean).
// data: tests/stan_corpus/inv_wishart_conjugate.json
data {
  int<lower=1> N;
  array[N] vector[2] y;
}
transformed data {
  matrix[2, 2] S = identity_matrix(2);
}
parameters {
  cov_matrix[2] Sigma;
}
model {
  Sigma ~ inv_wishart(5, S);
  y ~ multi_normal(rep_vector(0, 2), Sigma);
}
