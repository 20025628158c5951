// The `return`s of a tuple-returning `_rng` function (which assign the
// function's result element by element) must give a tuple of its shape:
// the messages name the result, and its element, as `result`, `result.1`.
functions {
  tuple(real, real) scalar_rng(real mu) {
    return normal_rng(mu, 1);
  }
  tuple(tuple(real, real), real) flat_rng(real mu) {
    return (1.0, normal_rng(mu, 1));
  }
  tuple(real, real) triple_rng(real mu) {
    return (1.0, 2.0, normal_rng(mu, 1));
  }
}
parameters { real mu; }
model { mu ~ normal(0, 1); }
generated quantities {
  tuple(real, real) a = scalar_rng(mu);
  tuple(tuple(real, real), real) b = flat_rng(mu);
  tuple(real, real) c = triple_rng(mu);
}
