// data: tests/stan_corpus/pdb/teams.json
data {
  int<lower=1> N;
  int<lower=2> T;
  array[N] int<lower=1, upper=T> home;
  array[N] int<lower=1, upper=T> away;
  vector[N] diff;
}
parameters {
  sum_to_zero_vector[T] ability;
  real home_adv;
  real<lower=0> sigma;
}
model {
  ability ~ normal(0, 3);
  home_adv ~ normal(0, 2);
  sigma ~ student_t(3, 0, 5);
  diff ~ normal(home_adv + ability[home] - ability[away], sigma);
}
