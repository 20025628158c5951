// data: tests/stan_corpus/pdb/logistic.json
// Sparse regression with a (regularised) horseshoe prior on the coefficients.
data {
  int<lower=0> N;
  int<lower=0> K;
  matrix[N, K] X;
  array[N] int<lower=0, upper=1> y;
}
parameters {
  real alpha;
  vector[K] z;
  real<lower=0> tau;
  vector<lower=0>[K] lambda;
}
transformed parameters {
  vector[K] beta = z .* lambda * tau;
}
model {
  z ~ std_normal();
  lambda ~ student_t(1, 0, 1);
  tau ~ student_t(1, 0, 0.1);
  alpha ~ normal(0, 5);
  y ~ bernoulli_logit(alpha + X * beta);
}
