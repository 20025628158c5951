// data: tests/stan_corpus/functions_promoted_arrays.json
// functions_promoted_arrays.stan with each call written out in reals.
data {
  int N;
  array[N] int counts;
  array[2, 3] int grid;
  real w;
}
transformed data {
  real td_avg = sum(counts) * 1.0 / N;
}
parameters {
  real mu;
  real<lower=0> sigma;
}
model {
  mu ~ normal(sum(counts) * 1.0 / N, 1);
  sigma ~ lognormal(0, 0.5);
  target += -0.5 * square(mu - counts[1] / 2.0) / sigma - log(sigma);
  target += w * ((sum(grid[1]) + sum(grid[2])) / 6.0) * mu + 0.1 * (counts[2] / 3.0) * sigma;
  target += 0.01 * ((max(counts) - min(counts)) + (max(counts) - min(counts)) / 2.0) * mu + 0.001 * td_avg * sigma;
  target += 0.01 * ((3 / 2.0 + 1.5) + ((N + 1) / 2.0 + sum(counts) * 1.0 / N)) * mu;
}
generated quantities {
  real mean_counts = sum(counts) * 1.0 / N;
  real half_first = counts[1] / 2.0;
  real grid_avg = (sum(grid[1]) + sum(grid[2])) / 6.0;
  real literal_avg = 1.5;
  real by_three = counts[2] / 3.0;
  real spread_int = max(counts) - min(counts);
  real spread_real = (max(counts) - min(counts)) / 2.0;
  real td = td_avg;
  real tuple_var = 3 / 2.0 + 1.5;
  real tuple_literal = 3 / 2.0 + 2;
  real tuple_arrays = (N + 1) / 2.0 + sum(counts) * 1.0 / N;
}
