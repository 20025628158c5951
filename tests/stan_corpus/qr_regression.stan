// The QR reparameterisation of a linear regression (Stan User's Guide,
// "The QR reparameterization"): the thin QR of the data's design matrix in
// transformed data, the coefficients on Q's scale as parameters, the
// original coefficients back in generated quantities.
// data: tests/stan_corpus/qr_regression.json (python3 make_qr.py)
data {
  int<lower=0> N;
  int<lower=0> K;
  matrix[N, K] x;
  vector[N] y;
}
transformed data {
  matrix[N, K] Q_ast = qr_thin_Q(x) * sqrt(N - 1);
  matrix[K, K] R_ast = qr_thin_R(x) / sqrt(N - 1);
  matrix[K, K] R_ast_inverse = inverse(R_ast);
}
parameters {
  real alpha;
  vector[K] theta;
  real<lower=0> sigma;
}
model {
  y ~ normal(Q_ast * theta + alpha, sigma);
}
generated quantities {
  vector[K] beta = R_ast_inverse * theta;
}
