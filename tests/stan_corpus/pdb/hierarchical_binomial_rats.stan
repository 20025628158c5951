// data: tests/stan_corpus/pdb/surgical.json
// Beta-binomial hierarchy on the (mean, total count) scale.
data {
  int<lower=0> N;
  array[N] int<lower=0> n;
  array[N] int<lower=0> r;
}
parameters {
  real<lower=0, upper=1> phi;
  real<lower=0.1> kappa;
  vector<lower=0, upper=1>[N] theta;
}
model {
  kappa ~ pareto(0.1, 1.5);
  theta ~ beta(phi * kappa, (1 - phi) * kappa);
  r ~ binomial(n, theta);
}
generated quantities {
  real log_kappa = log(kappa);
  int<lower=0, upper=1> above = phi > 0.1;
}
