// data: tests/stan_corpus/pdb/mvn.json
data {
  int<lower=1> K;
  int<lower=1> N;
  array[N] vector[K] y;
}
parameters {
  vector[K] mu;
  cholesky_factor_corr[K] L_Omega;
  vector<lower=0>[K] tau;
}
model {
  tau ~ cauchy(0, 2.5);
  mu ~ normal(0, 5);
  L_Omega ~ lkj_corr_cholesky(2);
  y ~ multi_normal_cholesky(mu, diag_pre_multiply(tau, L_Omega));
}
generated quantities {
  corr_matrix[K] Omega = multiply_lower_tri_self_transpose(L_Omega);
  cov_matrix[K] Sigma = quad_form_diag(Omega, tau);
}
