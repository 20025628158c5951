// data: tests/stan_corpus/pdb/logistic.json
data {
  int<lower=0> N;
  array[N] int<lower=0, upper=1> y;
  vector[N] dist;
  vector[N] arsenic;
}
transformed data {
  vector[N] dist100 = dist / 100.0;
  vector[N] log_arsenic = log(arsenic);
  matrix[N, 3] x = append_col(append_col(dist100, log_arsenic), dist100 .* log_arsenic);
}
parameters {
  real alpha;
  vector[3] beta;
}
model {
  y ~ bernoulli_logit_glm(x, alpha, beta);
}
