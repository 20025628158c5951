// data: tests/stan_corpus/pdb/wells.json
data {
  int<lower=0> N;
  array[N] int<lower=0, upper=1> switched;
  vector[N] dist;
}
parameters {
  real alpha;
  real beta;
}
model {
  switched ~ bernoulli_logit(alpha + beta * dist);
}
