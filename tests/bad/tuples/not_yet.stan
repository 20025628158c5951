// Tuple forms hbmc does not support yet (E1014): a user function returning
// a tuple that draws (each element would draw again), a tuple function
// given a random draw.
functions {
  tuple(real, real) two_draws_rng(real mu) { return (normal_rng(mu, 1), normal_rng(mu, 1)); }
}
parameters { real mu; }
model { mu ~ normal(0, 1); }
generated quantities {
  tuple(matrix[2, 2], matrix[2, 2]) f = qr_thin(to_matrix(normal_rng(rep_vector(0, 4), 1), 2, 2));
  tuple(real, real) d = two_draws_rng(mu);
}
