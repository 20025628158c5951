// data: tests/stan_corpus/functions_promoted_arrays.json
// An `array[] int` given for an `array[] real` parameter of a user
// function (and `array[,] int` for `array[,] real`) is promoted, as in
// Stan (issue 13), and so are the `int` elements of a tuple given for
// `real` ones: the body divides reals, never integers. Without the
// promotion avg(counts) would be 13 / 4 = 3 rather than 3.25.
// tests/e2e/promoted_arrays.rs compares the log density and gradient with
// functions_promoted_arrays_closed.stan, where each call is written out
// with real arithmetic, and reads the generated quantities back.
functions {
  real avg(array[] real x) { return sum(x) / size(x); }
  real first_half(array[] real x) { return x[1] / 2; }
  real grid_mean(array[,] real g) { return (sum(g[1]) + sum(g[2])) / (size(g) * size(g[1])); }
  real ratio(data array[] real x, real d) { return x[2] / d; }
  // Overloads: the int array takes `spread(array[] int)` exactly; with a
  // real second argument only `spread(array[] real, real)` fits.
  real spread(array[] int n) { return max(n) - min(n); }
  real spread(array[] real x, real s) { return (max(x) - min(x)) / s; }
  // Inside a tuple, each `int` element for a `real` one (and an int array
  // for a real array) is promoted too.
  real tsum(tuple(real, real) t) { return t.1 / 2 + t.2; }
  real tmean(tuple(real, array[] real) t) { return t.1 / 2 + sum(t.2) / size(t.2); }
}
data {
  int N;
  array[N] int counts;
  array[2, 3] int grid;
  real w;
}
transformed data {
  real td_avg = avg(counts);
  tuple(int, real) pair = (3, 1.5);
  tuple(int, array[4] int) with_counts = (N + 1, counts);
}
parameters {
  real mu;
  real<lower=0> sigma;
}
model {
  mu ~ normal(avg(counts), 1);
  sigma ~ lognormal(0, 0.5);
  target += -0.5 * square(mu - first_half(counts)) / sigma - log(sigma);
  target += w * grid_mean(grid) * mu + 0.1 * ratio(counts, 3) * sigma;
  target += 0.01 * (spread(counts) + spread(counts, 2.0)) * mu + 0.001 * td_avg * sigma;
  target += 0.01 * (tsum(pair) + tmean(with_counts)) * mu;
}
generated quantities {
  real mean_counts = avg(counts);
  real half_first = first_half(counts);
  real grid_avg = grid_mean(grid);
  real literal_avg = avg({1, 2});
  real by_three = ratio(counts, 3);
  real spread_int = spread(counts);
  real spread_real = spread(counts, 2);
  real td = td_avg;
  real tuple_var = tsum(pair);
  real tuple_literal = tsum((3, 2));
  real tuple_arrays = tmean(with_counts);
}
