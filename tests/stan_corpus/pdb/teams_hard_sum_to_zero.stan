// data: tests/stan_corpus/pdb/teams.json
// The older way: T - 1 free effects and the last one minus their sum.
data {
  int<lower=1> N;
  int<lower=2> T;
  array[N] int<lower=1, upper=T> home;
  array[N] int<lower=1, upper=T> away;
  vector[N] diff;
}
parameters {
  vector[T - 1] ability_raw;
  real<lower=0> sigma;
}
transformed parameters {
  vector[T] ability = append_row(ability_raw, -sum(ability_raw));
}
model {
  ability_raw ~ normal(0, 3);
  sigma ~ normal(0, 5);
  for (n in 1:N)
    diff[n] ~ normal(ability[home[n]] - ability[away[n]], sigma);
}
generated quantities {
  vector[T] sorted = sort_desc(ability);
  int best = 1;
  for (t in 2:T) best = ability[t] > ability[best] ? t : best;
}
