// Tuple forms hbmc does not support yet (E1014): a library tuple function
// given a random draw; the tuple of an `_rng` function (which runs once per
// call) inside an expression when an element is a vector, or in a `?:`
// branch (run only on some paths); a tuple function given a draw as a
// vector argument, or inside an expression.
functions {
  tuple(real, real) mirror_rng(real mu) {
    real x = normal_rng(mu, 1);
    return (x, -x);
  }
  tuple(real, vector) spread_rng(real mu) {
    real x = normal_rng(mu, 1);
    return (x, [x, -x]');
  }
  tuple(vector, real) scaled(vector v) { return (2 * v, sum(v)); }
  tuple(real, real) doubled(real u) { return (u, 2 * u); }
}
parameters { real mu; }
model { mu ~ normal(0, 1); }
generated quantities {
  tuple(matrix[2, 2], matrix[2, 2]) f = qr_thin(to_matrix(normal_rng(rep_vector(0, 4), 1), 2, 2));
  real y = spread_rng(mu).1;
  real z = mu > 0 ? mirror_rng(mu).1 : 0;
  tuple(vector[2], real) s = scaled(normal_rng(rep_vector(0, 2), 1));
  print(doubled(normal_rng(0, 1)));
}
