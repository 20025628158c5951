// data: tests/stan_corpus/pdb/mvn.json
// robust multivariate regression: multi_student_t_cholesky with an LKJ
// prior on the correlations
data {
  int<lower=1> N;
  int<lower=1> K;
  array[N] vector[K] y;
}
parameters {
  vector[K] mu;
  vector<lower=0>[K] tau;
  cholesky_factor_corr[K] L;
  real<lower=1> nu;
}
model {
  matrix[K, K] L_Sigma = diag_pre_multiply(tau, L);
  mu ~ normal(0, 5);
  tau ~ cauchy(0, 2.5);
  L ~ lkj_corr_cholesky(2);
  nu ~ gamma(2, 0.1);
  y ~ multi_student_t_cholesky(nu, mu, L_Sigma);
}
