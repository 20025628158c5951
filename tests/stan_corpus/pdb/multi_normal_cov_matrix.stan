// data: tests/stan_corpus/pdb/mvn.json
data {
  int<lower=1> K;
  int<lower=1> N;
  array[N] vector[K] y;
}
parameters {
  vector[K] mu;
  corr_matrix[K] Omega;
  vector<lower=0>[K] sigma;
}
transformed parameters {
  cov_matrix[K] Sigma = quad_form_diag(Omega, sigma);
}
model {
  sigma ~ normal(0, 3);
  Omega ~ lkj_corr(4);
  mu ~ normal(0, 5);
  for (n in 1:N) y[n] ~ multi_normal(mu, Sigma);
}
