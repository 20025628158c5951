// data: tests/stan_corpus/pdb/dm.json
// overdispersed counts: dirichlet_multinomial and multinomial_logit
data {
  int<lower=1> N;
  int<lower=2> K;
  array[N, K] int<lower=0> y;
}
parameters {
  simplex[K] p;
  real<lower=0> conc;
  vector[K - 1] eta_raw;
}
transformed parameters {
  vector[K] eta = append_row(eta_raw, 0);
}
model {
  conc ~ gamma(2, 0.1);
  eta_raw ~ normal(0, 2);
  for (n in 1:N) {
    y[n] ~ dirichlet_multinomial(conc * p);
    y[n] ~ multinomial_logit(eta);
  }
}
