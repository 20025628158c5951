// data: tests/stan_corpus/pdb/wells.json
data {
  int<lower=0> N;
  array[N] int<lower=0, upper=1> switched;
  vector[N] dist;
  vector[N] arsenic;
}
transformed data {
  vector[N] dist100;
  vector[N] inter;
  matrix[N, 3] x;
  dist100 = dist / 100.0;
  inter = dist100 .* arsenic;
  x = [dist100', arsenic', inter']';
}
parameters {
  real alpha;
  vector[3] beta;
}
model {
  switched ~ bernoulli_logit_glm(x, alpha, beta);
}
