// A tuple where a value is expected: a tuple variable, a tuple expression,
// a function that returns a tuple, a tuple indexed like an array, `.1` on
// an array of tuples, a compound assignment, a variable unpacked twice,
// a one-element tuple (E1013).
data { matrix[3, 3] X; }
transformed data {
  tuple(real, int) t = (1.5, 2);
  array[2] tuple(real, real) arr;
  real y = t;
  real z = (1, 2);
  matrix[3, 3] q = qr_thin(X);
  real w = t[1];
  real c = arr.1;
  real a;
  t += (1, 2);
  (a, a) = t;
  tuple(real) one;
}
parameters { real mu; }
model { mu ~ normal(0, 1); }
