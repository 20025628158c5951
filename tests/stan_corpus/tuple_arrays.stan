// Arrays of tuples among the outputs (issue 13): a parameter, a transformed
// parameter and generated quantities, one of them two-dimensional and one
// with a nested tuple. CmdStan writes each array element's slots together,
// `th.1:1, th.1:2.1, th.1:2.2, th.2:1, ...` (tests/e2e/tuple_arrays.rs). One
// element of each tuple assignment in `transformed parameters` is read only
// by `generated quantities` (`scaled[j].2`, `hi[j]`): the log density skips
// such stores, but not the other element's, made by the same statement.
// data: tests/stan_corpus/tuple_arrays.json
data {
  int<lower=1> J;
  array[J] real y;
}
parameters {
  real mu;
  array[J] tuple(real<lower=0>, vector[2]) th;
}
transformed parameters {
  array[J] tuple(real, real) scaled;
  array[J] real lo;
  array[J] real hi;
  for (j in 1:J) {
    scaled[j] = (mu + th[j].1, sum(th[j].2));
    (lo[j], hi[j]) = (mu - th[j].1, mu + 2 * th[j].1);
  }
}
model {
  mu ~ normal(0, 2);
  for (j in 1:J) {
    th[j].1 ~ lognormal(0, 0.5);
    th[j].2 ~ normal(mu, 1);
    y[j] ~ normal(scaled[j].1, th[j].1 + 1);
    target += -0.5 * square(lo[j]);
  }
}
generated quantities {
  array[2, J] tuple(int, real) grid;
  array[J] tuple(real, tuple(int, vector[2])) nested;
  real spread = sum(hi);
  for (i in 1:2) {
    for (j in 1:J) {
      grid[i, j] = (10 * i + j, i * mu + j);
    }
  }
  for (j in 1:J) {
    nested[j] = (scaled[j].2, (j, th[j].2 * 2));
  }
}
