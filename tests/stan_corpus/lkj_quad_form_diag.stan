// An LKJ prior on a correlation matrix with scales by quad_form_diag
// (issue 13), the classic multivariate normal of Stan's user guide; and
// the same with a Cholesky factor. Data simulated by make_lkj.py (mu =
// (1, -1, 0.5), tau = (1, 2, 0.5), correlation 0.6 between the first two).
// data: tests/stan_corpus/lkj.json
data {
  int<lower=1> N;
  int<lower=2> K;
  array[N] vector[K] y;
}
parameters {
  vector[K] mu;
  vector<lower=0>[K] tau;
  corr_matrix[K] Omega;
  cholesky_factor_corr[K] L;
}
model {
  tau ~ cauchy(0, 2.5);
  Omega ~ lkj_corr(2);
  L ~ lkj_corr_cholesky(2);
  mu ~ normal(0, 5);
  y ~ multi_normal(mu, quad_form_diag(Omega, tau));
  y ~ multi_normal_cholesky(mu, diag_pre_multiply(tau, L));
}
generated quantities {
  matrix[K, K] Sigma = quad_form_diag(Omega, tau);
  real lkj_2 = lkj_corr_lpdf([[1, 0.4], [0.4, 1]] | 3.5);
}
