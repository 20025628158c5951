// data: tests/stan_corpus/pdb/mvn.json
// Linear regression on the thin QR decomposition of the predictors.
data {
  int<lower=0> N;
  int<lower=0> K;
  array[N] vector[K] y;
}
transformed data {
  matrix[N, K - 1] Q;
  vector[N] Y;
  matrix[N, K - 1] X;
  for (n in 1:N) {
    X[n] = y[n, 2:K]';
    Y[n] = y[n, 1];
  }
  Q = X;
}
parameters {
  real alpha;
  vector[K - 1] theta;
  real<lower=0> sigma;
}
model {
  target += normal_id_glm_lpdf(Y | Q, alpha, theta, sigma);
  target += student_t_lpdf(sigma | 3, 0, 2.5);
}
