// data: tests/stan_corpus/pdb/ordinal.json
data {
  int K;
  int N;
  int D;
  array[N] int y;
  matrix[N, D] x;
}
transformed data {
  row_vector[D] zeros = rep_row_vector(0, D);
}
parameters {
  matrix[K - 1, D] beta_raw;
}
transformed parameters {
  matrix[K, D] beta = append_row(beta_raw, zeros);
}
model {
  matrix[N, K] x_beta = x * beta';
  to_vector(beta_raw) ~ normal(0, 5);
  for (n in 1:N)
    y[n] ~ categorical(softmax(x_beta[n]'));
}
