// A tuple of three values for a pair, in a declaration and in unpacking (E1013).
transformed data {
  tuple(real, int) u = (1, 2, 3);
  real a;
  real b;
  (a, b) = (1, 2, 3);
}
parameters { real mu; }
model { mu ~ normal(0, 1); }
