// csr.stan with the sparse product written as csr_to_dense_matrix(...) *
// beta: the same log density and gradient (tests/e2e/csr.rs).
// data: tests/stan_corpus/csr.json
data {
  int<lower=1> N;
  int<lower=1> K;
  matrix[N, K] X;
  int<lower=0> nz;
  vector[nz] w;
  array[nz] int v;
  array[N + 1] int u;
  vector[N] y;
}
parameters {
  vector[K] beta;
  real<lower=0> sigma;
  vector<lower=0>[nz] scale;
}
model {
  beta ~ normal(0, 2);
  sigma ~ exponential(1);
  scale ~ lognormal(0, 0.05);
  y ~ normal(csr_to_dense_matrix(N, K, w .* scale, v, u) * beta, sigma);
}
