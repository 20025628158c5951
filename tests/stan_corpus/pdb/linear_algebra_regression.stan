// data: tests/stan_corpus/pdb/blr.json
// regression through matrix division, QR and slices: a QR
// reparameterisation with the left division operator and head/tail
data {
  int<lower=0> N;
  int<lower=0> D;
  matrix[N, D] X;
  vector[N] y;
}
transformed data {
  matrix[N, D] Q_ast = qr_thin_Q(X) * sqrt(N - 1);
  matrix[D, D] R_ast = qr_thin_R(X) / sqrt(N - 1);
  matrix[D, D] R_ast_inverse = inverse(R_ast);
  vector[D] ols = (X' * X) \ (X' * y);
}
parameters {
  vector[D] theta;
  real<lower=0> sigma;
}
model {
  theta[:2] ~ normal(0, 10);
  theta[3:] ~ normal(0, 10);
  sigma ~ normal(0, 10);
  y ~ normal(Q_ast * theta, sigma);
}
generated quantities {
  vector[D] beta = R_ast_inverse * theta;
  vector[D] beta_check = R_ast \ theta;
  real dist_ols = distance(beta, ols);
  vector[2] first = head(beta, 2);
  vector[D - 2] rest = tail(beta, D - 2);
}
