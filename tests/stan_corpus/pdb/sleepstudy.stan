// data: tests/stan_corpus/pdb/sleepstudy.json
// lme4's sleepstudy: correlated random intercepts and slopes per subject,
// multi_normal of an array of vectors (Sorensen, Hohenstein and Vasishth)
data {
  int<lower=1> N;
  int<lower=1> J;
  array[N] int<lower=1, upper=J> subj;
  vector[N] days;
  vector[N] reaction;
}
parameters {
  vector[2] beta;
  array[J] vector[2] u;
  vector<lower=0>[2] tau;
  corr_matrix[2] Omega;
  real<lower=0> sigma;
}
model {
  vector[N] mu;
  beta ~ normal(0, 100);
  tau ~ normal(0, 50);
  sigma ~ normal(0, 50);
  Omega ~ lkj_corr(2);
  u ~ multi_normal(rep_vector(0, 2), quad_form_diag(Omega, tau));
  for (n in 1:N)
    mu[n] = beta[1] + u[subj[n], 1] + (beta[2] + u[subj[n], 2]) * days[n];
  reaction ~ normal(mu, sigma);
}
