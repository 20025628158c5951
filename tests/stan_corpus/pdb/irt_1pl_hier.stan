// data: tests/stan_corpus/pdb/irt_1pl.json
// Hierarchical 1PL item response model (Stan User's Guide)
data {
  int<lower=1> J; // number of students
  int<lower=1> K; // number of questions
  int<lower=1> N; // number of observations
  array[N] int<lower=1, upper=J> jj; // student for observation n
  array[N] int<lower=1, upper=K> kk; // question for observation n
  array[N] int<lower=0, upper=1> y; // correctness for observation n
}
parameters {
  real mu_beta; // mean question difficulty
  vector[J] alpha; // ability for j - mean
  vector[K] beta; // difficulty for k
  real<lower=0> sigma_beta; // scale of difficulties
}
model {
  alpha ~ std_normal();
  beta ~ normal(0, sigma_beta);
  mu_beta ~ cauchy(0, 5);
  sigma_beta ~ cauchy(0, 5);
  y ~ bernoulli_logit(alpha[jj] - (beta[kk] + mu_beta));
}
