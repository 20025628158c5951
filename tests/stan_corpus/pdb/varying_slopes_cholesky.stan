// data: tests/stan_corpus/pdb/radon.json
data {
  int<lower=1> N;
  int<lower=1> J;
  array[N] int<lower=1, upper=J> county_idx;
  vector[N] floor_measure;
  vector[N] log_radon;
}
parameters {
  matrix[2, J] z;
  cholesky_factor_corr[2] L_Omega;
  vector<lower=0>[2] tau;
  vector[2] gamma;
  real<lower=0> sigma;
}
transformed parameters {
  matrix[J, 2] beta = rep_matrix(gamma', J) + (diag_pre_multiply(tau, L_Omega) * z)';
}
model {
  to_vector(z) ~ std_normal();
  L_Omega ~ lkj_corr_cholesky(2);
  tau ~ normal(0, 1);
  gamma ~ normal(0, 5);
  sigma ~ exponential(1);
  log_radon ~ normal(beta[county_idx, 1] + beta[county_idx, 2] .* floor_measure, sigma);
}
