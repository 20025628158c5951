// data: tests/stan_corpus/pdb/proportions.json
// beta regression with a logit link and beta_proportion (brms style)
data {
  int<lower=1> N;
  int<lower=1> K;
  vector<lower=0, upper=1>[N] Y;
  matrix[N, K] X;
  int prior_only;
}
transformed data {
  int Kc = K - 1;
  matrix[N, Kc] Xc;
  vector[Kc] means_X;
  for (i in 2:K) {
    means_X[i - 1] = mean(X[:, i]);
    Xc[:, i - 1] = X[:, i] - means_X[i - 1];
  }
}
parameters {
  vector[Kc] b;
  real Intercept;
  real<lower=0> phi;
}
model {
  vector[N] mu = inv_logit(Intercept + Xc * b);
  if (!prior_only) {
    target += beta_proportion_lpdf(Y | mu, phi);
  }
  target += student_t_lpdf(Intercept | 3, 0, 2.5);
  target += gamma_lpdf(phi | 0.01, 0.01);
  target += normal_lpdf(b | 0, 2);
}
generated quantities {
  real b_Intercept = Intercept - dot_product(means_X, b);
}
