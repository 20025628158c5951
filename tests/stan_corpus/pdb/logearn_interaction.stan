// data: tests/stan_corpus/pdb/earnings.json
data {
  int<lower=0> N;
  vector[N] earn;
  vector[N] height;
  array[N] int male;
}
transformed data {
  // log transformation
  vector[N] log_earn;
  vector[N] inter;
  vector[N] male_v = to_vector(male);
  log_earn = log(earn);
  inter = height .* male_v;
}
parameters {
  vector[4] beta;
  real<lower=0> sigma;
}
model {
  log_earn ~ normal(beta[1] + beta[2] * height + beta[3] * male_v
                    + beta[4] * inter, sigma);
}
