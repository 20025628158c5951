// eigenvalues_sym, eigenvectors_sym, dims, sort_indices_*, the
// 4-argument to_matrix, multi_normal_prec and dirichlet_multinomial (issue 13) on parameters, for
// the oracles (JIT = interpreter, gradient = finite differences): a
// Gaussian log density written through the eigendecomposition of its
// covariance (as Kronecker-structured GPs do), the largest eigenvalue of a
// GP kernel, and sizes read with dims inside a user function.
// data: tests/stan_corpus/library_eigen.json
functions {
  vector scaled_norms(array[] vector x) {
    int n = dims(x)[1];
    int d = dims(x)[2];
    vector[n] out;
    for (i in 1:n) {
      out[i] = dot_self(x[i]) / d;
    }
    return out;
  }
}
data {
  int N;
  array[N] vector[3] x;
  vector[3] y;
}
parameters {
  cov_matrix[3] S;
  real<lower=0> rho;
}
model {
  matrix[3, 3] Q = eigenvectors_sym(S);
  vector[3] lambda = eigenvalues_sym(S);
  target += -0.5 * sum(square(Q' * y) ./ lambda) - 0.5 * sum(log(lambda));
  target += -0.5 * sum(square(to_vector(S)));
  target += -rho * sum(scaled_norms(x)) + log(rho) - rho;
  target += 0.1 * max(eigenvalues_sym(gp_exp_quad_cov(x, 1.0, rho)));
  target += 0.01 * rho * sort_indices_desc(lambda)[1] + 0.02 * rho * sort_indices_asc(S[1])[3];
  y ~ multi_normal_prec(x[1], S);
  {3, 0, 5} ~ dirichlet_multinomial(1 + lambda);
  target += multi_normal_prec_lpdf(x | y, S + diag_matrix(rep_vector(1, 3)));
  target += -0.1 * sum(to_matrix(to_array_1d(S), 3, 3, 0) * [1, 2, 3]') - 0.05 * sum(to_matrix(to_array_1d(S), 3, 3, 1)[1]);
}
