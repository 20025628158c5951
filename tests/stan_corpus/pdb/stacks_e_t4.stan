// data: tests/stan_corpus/pdb/stacks.json
// Stacks (BUGS vol. 1), t errors on 4 degrees of freedom
data {
  int<lower=0> N;
  int<lower=0> p;
  array[N] real Y;
  matrix[N, p] x;
}
// to standardize the x's
transformed data {
  array[N, p] real z;
  array[p] real mean_x;
  array[p] real sd_x;
  for (j in 1:p) {
    mean_x[j] = mean(col(x, j));
    sd_x[j] = sd(col(x, j));
    for (i in 1:N)
      z[i, j] = (x[i, j] - mean_x[j]) / sd_x[j];
  }
}
parameters {
  real beta0;
  array[p] real beta;
  real<lower=0> sigmasq;
}
transformed parameters {
  real<lower=0> sigma;
  array[N] real mu;
  sigma = sqrt(sigmasq);
  for (n in 1:N)
    mu[n] = beta0 + beta[1] * z[n, 1] + beta[2] * z[n, 2] + beta[3] * z[n, 3];
}
model {
  beta0 ~ normal(0, 316);
  beta ~ normal(0, 316);
  sigmasq ~ inv_gamma(.001, .001);
  Y ~ student_t(4, mu, sigma);
}
