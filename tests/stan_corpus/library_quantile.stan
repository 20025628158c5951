// quantile (data only, as in Stan): transformed data checks its values
// against type 7 of Hyndman and Fan worked by hand (sorted x: 1 1 2 3 4 5 6
// 9, h = 7p, (1 - frac(h)) x[floor(h)] + frac(h) x[ceil(h)], 0-based); a
// wrong value rejects the data, which fails the oracles.
// data: tests/stan_corpus/library_quantile.json
data {
  int N;
  vector[N] x;
  array[3] real ps;
}
transformed data {
  array[3] real qs = quantile(x, ps);
  vector[2] qv = quantile(x, [0.25, 0.75]');
  row_vector[1] qr = quantile(x', [0.9]);
  if (abs(quantile(x, 0.5) - 3.5) > 1e-12) reject("quantile(x, 0.5)");
  if (qs[1] != 1 || abs(qs[2] - 1) > 1e-12 || qs[3] != 9) reject("quantile(x, ps)");
  if (abs(qv[1] - 1.75) > 1e-12 || abs(qv[2] - 5.25) > 1e-12) reject("quantile(x, vector)");
  if (abs(qr[1] - 6.9) > 1e-12) reject("quantile(row_vector, row_vector)");
  if (abs(quantile({3, 1, 4, 1, 5, 9, 2, 6}, 0.25) - 1.75) > 1e-12) reject("quantile(int array)");
  if (quantile({2.5}, 0.3) != 2.5) reject("quantile of one value");
}
parameters {
  real mu;
}
model {
  mu ~ normal(quantile(x, 0.5), 1);
}
generated quantities {
  real upper = quantile(x, 0.9);
}
