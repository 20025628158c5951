// data: tests/stan_corpus/to_array_1d_nested.json
// The closed form of to_array_1d_nested.stan: the flattened elements
// indexed by hand, row-major.
data {
  array[2, 3, 2] real a3;
  array[6] real w;
}
transformed data {
  array[12] real a;
  for (i in 1:2)
    for (j in 1:3)
      for (k in 1:2)
        a[(i - 1) * 6 + (j - 1) * 2 + k] = a3[i, j, k];
}
parameters {
  array[2, 3] real c;
  real mu;
}
model {
  for (i in 1:2)
    for (j in 1:3) {
      c[i, j] ~ normal(w[(i - 1) * 3 + j], 1);
      target += c[i, j] * w[(i - 1) * 3 + j] * 0.1;
    }
  for (m in 1:12)
    a[m] ~ normal(mu, m);
}
