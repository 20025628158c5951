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
  vector[N] c_educ4;
  vector[N] da_inter;
  vector[N] de_inter;
  vector[N] ae_inter;
  matrix[N, 6] x;
  // centering
  c_dist100 = (dist - mean(dist)) / 100.0;
  c_arsenic = arsenic - mean(arsenic);
  c_educ4 = (educ - mean(educ)) / 4.0;
  // interactions
  da_inter = c_dist100 .* c_arsenic;
  de_inter = c_dist100 .* c_educ4;
  ae_inter = c_arsenic .* c_educ4;
  x = [c_dist100', c_arsenic', c_educ4', da_inter', de_inter', ae_inter']';
}
parameters {
  real alpha;
  vector[6] beta;
}
model {
  alpha ~ normal(0, 10);
  beta ~ normal(0, 2.5);
  switched ~ bernoulli_logit_glm(x, alpha, beta);
}
