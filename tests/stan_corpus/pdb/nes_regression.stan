// data: tests/stan_corpus/pdb/linear.json
data {
  int<lower=0> N;
  vector[N] kid_score;
  vector[N] mom_iq;
  vector[N] mom_hs;
  vector[N] height;
  vector[N] male;
}
transformed data {
  matrix[N, 4] x = [mom_iq', mom_hs', height', male']';
  vector[4] x_mean;
  vector[4] x_sd;
  matrix[N, 4] x_std;
  for (k in 1:4) {
    x_mean[k] = mean(col(x, k));
    x_sd[k] = sd(col(x, k));
    x_std[:, k] = (col(x, k) - x_mean[k]) / x_sd[k];
  }
}
parameters {
  real alpha;
  vector[4] beta;
  real<lower=0> sigma;
}
model {
  beta ~ normal(0, 10);
  sigma ~ exponential(0.1);
  kid_score ~ normal_id_glm(x_std, alpha, beta, sigma);
}
