// data: tests/stan_corpus/pdb/surgical.json
// Rate_2-style: two rates from two groups, and their difference.
data {
  int<lower=0> N;
  array[N] int<lower=0> n;
  array[N] int<lower=0> r;
}
transformed data {
  int half = N / 2;
  int n1 = sum(n[1:half]);
  int n2 = sum(n[(half + 1):N]);
  int k1 = sum(r[1:half]);
  int k2 = sum(r[(half + 1):N]);
}
parameters {
  real<lower=0, upper=1> theta1;
  real<lower=0, upper=1> theta2;
}
transformed parameters {
  real<lower=-1, upper=1> delta = theta1 - theta2;
}
model {
  theta1 ~ beta(1, 1);
  theta2 ~ beta(1, 1);
  k1 ~ binomial(n1, theta1);
  k2 ~ binomial(n2, theta2);
}
