// data: tests/stan_corpus/pdb/mnl.json
// Multi-logit regression with K - 1 free columns (Stan User's Guide)
data {
  int K;
  int N;
  int D;
  array[N] int y;
  matrix[N, D] x;
}
transformed data {
  vector[D] zeros = rep_vector(0, D);
}
parameters {
  matrix[D, K - 1] beta_raw;
}
transformed parameters {
  matrix[D, K] beta = append_col(beta_raw, zeros);
}
model {
  to_vector(beta_raw) ~ normal(0, 5);
  y ~ categorical_logit_glm(x, rep_vector(0, K), beta);
}
