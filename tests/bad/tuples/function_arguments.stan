// A user function's tuple argument given a value that is not a tuple, or
// a tuple of another size (E1013).
functions {
  real first(tuple(real, real) p) { return p.1; }
}
transformed data {
  real a = first(1.5);
  real b = first((1, 2, 3));
}
parameters { real mu; }
model { mu ~ normal(0, 1); }
