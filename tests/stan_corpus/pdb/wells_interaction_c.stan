// data: tests/stan_corpus/pdb/wells.json
data {
  int<lower=0> N;
  array[N] int<lower=0, upper=1> switched;
  vector[N] dist;
  vector[N] arsenic;
}
transformed data {
  vector[N] c_dist100;
  vector[N] c_arsenic;
  vector[N] inter;
  matrix[N, 3] x;
  // centering
  c_dist100 = (dist - mean(dist)) / 100.0;
  c_arsenic = arsenic - mean(arsenic);
  inter = c_dist100 .* c_arsenic;
  x = [c_dist100', c_arsenic', inter']';
}
parameters {
  real alpha;
  vector[3] beta;
}
model {
  alpha ~ normal(0, 10);
  beta ~ normal(0, 2.5);
  switched ~ bernoulli_logit_glm(x, alpha, beta);
}
