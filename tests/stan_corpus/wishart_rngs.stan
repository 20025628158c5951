// Draws of the Wishart family (tests/e2e/stan_programs.rs checks their means:
// nu S for the Wishart, S / (nu - K - 1) for the inverse Wishart; the
// `_cholesky` draws are factors of draws from the same laws), and
// poisson_binomial draws (mean sum theta, variance sum theta (1 - theta)).
transformed data {
  matrix[2, 2] S = [[1, 0.3], [0.3, 2]];
  matrix[2, 2] L = cholesky_decompose(S);
}
generated quantities {
  matrix[2, 2] W = wishart_rng(6, S);
  matrix[2, 2] V = inv_wishart_rng(8, S);
  matrix[2, 2] LW = wishart_cholesky_rng(6, L);
  matrix[2, 2] LV = inv_wishart_cholesky_rng(8, L);
  matrix[2, 2] WC = multiply_lower_tri_self_transpose(LW);
  matrix[2, 2] VC = multiply_lower_tri_self_transpose(LV);
  int pb = poisson_binomial_rng([0.2, 0.5, 0.7, 0.9]');
}
