// data: tests/stan_corpus/pdb/wells.json
data {
  int<lower=0> N;
  array[N] int<lower=0, upper=1> switched;
  vector[N] dist;
  vector[N] arsenic;
  vector[N] educ;
}
transformed data {
  vector[N] c_dist100;
  vector[N] c_arsenic;
  vector[N] da_inter;
  vector[N] educ4;
  matrix[N, 5] x;
  c_dist100 = (dist - mean(dist)) / 100.0;
  c_arsenic = arsenic - mean(arsenic);
  da_inter = c_dist100 .* c_arsenic;
  educ4 = educ / 4.0;
  x = [c_dist100', c_arsenic', da_inter', educ4', (c_dist100 .* educ4)']';
}
parameters {
  real alpha;
  vector[5] beta;
}
model {
  alpha ~ normal(0, 10);
  beta ~ normal(0, 2.5);
  switched ~ bernoulli_logit_glm(x, alpha, beta);
}
