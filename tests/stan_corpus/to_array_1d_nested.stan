// data: tests/stan_corpus/to_array_1d_nested.json
// `to_array_1d` of 2-D and 3-D arrays (of data and of parameters) reads
// them row-major, the last index fastest, as Stan does; its twin
// to_array_1d_nested_closed.stan indexes the same elements by hand.
data {
  array[2, 3, 2] real a3;
  array[6] real w;
}
transformed data {
  array[12] real a = to_array_1d(a3);
}
parameters {
  array[2, 3] real c;
  real mu;
}
model {
  to_array_1d(c) ~ normal(w, 1);
  a ~ normal(mu, linspaced_array(12, 1, 12));
  target += dot_product(to_vector(to_array_1d(c)), to_vector(w)) * 0.1;
}
