// data: tests/stan_corpus/pdb/radon.json
// radon: correlated varying intercepts and slopes, non-centred with
// diag_pre_multiply and an lkj_corr_cholesky prior
data {
  int<lower=1> N;
  int<lower=1> J;
  array[N] int<lower=1, upper=J> county_idx;
  vector[N] floor_measure;
  vector[N] log_radon;
}
parameters {
  vector[2] mu_ab;
  vector<lower=0>[2] tau;
  cholesky_factor_corr[2] L_Omega;
  matrix[2, J] z;
  real<lower=0> sigma_y;
}
transformed parameters {
  matrix[J, 2] ab = rep_matrix(mu_ab', J) + (diag_pre_multiply(tau, L_Omega) * z)';
}
model {
  mu_ab ~ normal(0, 5);
  tau ~ exponential(1);
  L_Omega ~ lkj_corr_cholesky(2);
  to_vector(z) ~ std_normal();
  sigma_y ~ normal(0, 1);
  log_radon ~ normal(ab[county_idx, 1] + ab[county_idx, 2] .* floor_measure, sigma_y);
}
generated quantities {
  corr_matrix[2] Omega = multiply_lower_tri_self_transpose(L_Omega);
}
