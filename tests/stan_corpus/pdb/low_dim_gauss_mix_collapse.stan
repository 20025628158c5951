// data: tests/stan_corpus/pdb/mix.json
data {
  int<lower=0> N;
  vector[N] y;
}
parameters {
  vector[2] mu;
  real<lower=0> sigma;
  real<lower=0, upper=1> theta;
}
model {
  sigma ~ normal(0, 2);
  mu ~ normal(0, 2);
  theta ~ beta(5, 5);
  for (n in 1:N)
    target += log_sum_exp(log(theta) + normal_lpdf(y[n] | mu[1], sigma),
                          log1m(theta) + normal_lpdf(y[n] | mu[2], sigma));
}
