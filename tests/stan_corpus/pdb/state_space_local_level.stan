// data: tests/stan_corpus/pdb/ts.json
data {
  int<lower=1> T;
  vector[T] y;
}
parameters {
  vector[T] z;
  real<lower=0> sigma_level;
  real<lower=0> sigma_obs;
  real level0;
}
transformed parameters {
  vector[T] level;
  level[1] = level0 + sigma_level * z[1];
  for (t in 2:T) level[t] = level[t - 1] + sigma_level * z[t];
}
model {
  z ~ std_normal();
  level0 ~ normal(0, 5);
  sigma_level ~ normal(0, 1);
  sigma_obs ~ normal(0, 1);
  y ~ normal(level, sigma_obs);
}
