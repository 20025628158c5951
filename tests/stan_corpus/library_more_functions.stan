// gp_dot_prod_cov, trace_gen_quad_form and matrix_power, and norm1, norm2,
// reverse, block, log_determinant_spd, chol2inv, std_normal_log_qf, Lambert W,
// inv_erfc, beta, mdivide_left and mdivide_right (also `A \ b`, `b / A`),
// and the elementwise log_sum_exp(a, b) on
// parameters: transformed data
// checks their values against the same computed by hand (a wrong value
// rejects the data, which fails the oracles); the model uses them on
// parameters for the oracles (JIT = interpreter, gradient = finite
// differences).
// data: tests/stan_corpus/library_more_functions.json
data {
  int N;
  array[N] real x;
  array[N] vector[2] v;
  matrix[2, 2] A;
}
transformed data {
  matrix[N, N] K = gp_dot_prod_cov(x, 0.7);
  matrix[N, 3] K12 = gp_dot_prod_cov(v, v[1:3], 1.3);
  matrix[N, N] D = diag_matrix(rep_vector(2, N)) + K;
  matrix[2, N] B;
  for (i in 1:N) {
    for (j in 1:N) {
      if (abs(K[i, j] - (0.49 + x[i] * x[j])) > 1e-12) reject("gp_dot_prod_cov(x) at ", i, ", ", j);
    }
    for (j in 1:3) {
      if (abs(K12[i, j] - (1.69 + dot_product(v[i], v[j]))) > 1e-12) reject("gp_dot_prod_cov(v1, v2) at ", i, ", ", j);
    }
    B[:, i] = v[i];
  }
  if (abs(trace_gen_quad_form(D, A, B) - trace(D * B' * A * B)) > 1e-9) reject("trace_gen_quad_form");
  if (max(abs(matrix_power(A, 3) - A * A * A)) > 1e-12) reject("matrix_power(A, 3)");
  if (max(abs(matrix_power(A, 0) - identity_matrix(2))) > 0) reject("matrix_power(A, 0)");
  if (max(abs(matrix_power(A, 1) - A)) > 0) reject("matrix_power(A, 1)");
}
parameters {
  real<lower=0.1> sigma;
  matrix[2, 2] W;
  array[N] real z;
}
model {
  matrix[N, N] L = cholesky_decompose(add_diag(gp_dot_prod_cov(z, sigma), 0.5));
  z ~ normal(0, 1);
  to_vector(x) ~ multi_normal_cholesky(rep_vector(0, N), L);
  sigma ~ normal(0, 1);
  to_vector(W) ~ normal(0, 1);
  target += -0.01 * square(trace_gen_quad_form(D, W * W' + diag_matrix(rep_vector(1, 2)), B));
  target += -0.1 * sum(gp_dot_prod_cov(v, v[2:3], sigma));
  target += -0.05 * sum(square(matrix_power(W, 3)));
  {
    matrix[2, 2] S = add_diag(crossprod(W), 1);
    vector[N] zr = reverse(to_vector(z));
    target += -0.1 * norm2(zr[1:2]) - 0.05 * norm1(block(W, 1, 2, 2, 1)) - 0.1 * log_determinant_spd(S);
    target += -0.01 * sum(chol2inv(cholesky_decompose(S))) + 0.1 * std_normal_log_qf(-sigma) + 0.01 * is_nan(sigma);
    target += -0.01 * sum(log_sum_exp(to_vector(z), sigma * zr));
    target += -0.1 * lambert_w0(sigma) + 0.01 * lambert_wm1(-0.3 * inv_logit(sigma));
    target += -0.1 * inv_erfc(inv_logit(sigma)) - 0.1 * beta(1 + sigma, 2 + square(z[1]));
    target += -0.01 * sum(S \ to_vector(W[1])) - 0.01 * sum(W[2] / S) - 0.01 * sum(mdivide_right(W, S));
  }
}
