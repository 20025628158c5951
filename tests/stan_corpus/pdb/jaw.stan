// data: tests/stan_corpus/pdb/jaw.json
// Jaw: repeated measures of ramus heights (BUGS vol. 2), linear growth
data {
  int<lower=0> N;
  int<lower=0> M;
  vector[M] age;
  array[N] vector[M] y;
  cov_matrix[M] R;
}
transformed data {
  real age_mean;
  age_mean = mean(age);
}
parameters {
  real beta0;
  real beta1;
  cov_matrix[M] Sigma;
}
transformed parameters {
  vector[M] mu;
  mu = beta0 + beta1 * (age - age_mean);
}
model {
  beta0 ~ normal(0, 32);
  beta1 ~ normal(0, 32);
  Sigma ~ inv_wishart(M, R);
  for (n in 1:N)
    y[n] ~ multi_normal(mu, Sigma);
}
generated quantities {
  vector[M] y_new;
  real beta0_uncentred;
  y_new = multi_normal_rng(mu, Sigma);
  beta0_uncentred = beta0 - beta1 * age_mean;
}
