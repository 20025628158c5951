// data: tests/stan_corpus/pdb/nn.json
data {
  int<lower=0> N;               // num train instances
  int<lower=0> M;               // num train predictors
  matrix[N, M] x;               // train predictors
  array[N] int<lower=1> y;      // train category
  int<lower=1> K;               // num categories
  int<lower=1> J;               // num hidden units
}
parameters {
  matrix[M, J] alpha;           // input -> hidden weights
  row_vector[J] alpha_bias;     // hidden biases
  matrix[J, K - 1] beta;        // hidden -> output weights
  row_vector[K - 1] beta_bias;  // output biases
}
model {
  matrix[N, K] v = append_col(rep_vector(0, N),
                              rep_matrix(beta_bias, N)
                              + tanh(x * alpha + rep_matrix(alpha_bias, N)) * beta);
  to_vector(alpha) ~ normal(0, 2);
  alpha_bias ~ normal(0, 2);
  to_vector(beta) ~ normal(0, 2);
  beta_bias ~ normal(0, 2);
  for (n in 1:N)
    y[n] ~ categorical_logit(v[n]');
}
