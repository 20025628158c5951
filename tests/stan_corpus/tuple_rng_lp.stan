// Tuple-returning `_lp` and `_rng` user functions, whose bodies run once
// per call (each becomes a void function with one out-argument per
// element): the `_lp` function adds its terms to the target once per call
// (it is called twice, once unpacked, once into a tuple variable), and its
// elements come from that one run; the `_rng` function's elements come
// from one draw (tests/e2e/tuples.rs checks the output columns at every draw;
// a local is checked here); a tuple function given an argument that draws
// gets one draw, shared by every element; a call whose elements are
// scalars works inside an expression. (Transformed data are computed
// when the data are bound, without a random number generator, so no draw
// is made there.) tuple_rng_lp_by_hand.stan is the same density written
// without tuples or user functions.
// data: tests/stan_corpus/tuple_rng_lp.json
functions {
  tuple(real, vector) centred_lp(vector z, real mu, real log_sigma) {
    real sigma = exp(log_sigma);
    z ~ normal(0, 1);
    target += normal_lpdf(mu | 0, 5);
    return (sigma, mu + sigma * z);
  }
  // An early return in an `if`, and a nested tuple.
  tuple(real, tuple(real, real)) mirrored_rng(real mu, real sigma) {
    real x = normal_rng(mu, sigma);
    if (x > mu) return (x, (x, -x));
    real y = x;
    return (y, (x, -y));
  }
  // Returns the result of another once-per-call function.
  tuple(real, tuple(real, real)) relay_rng(real mu) {
    return mirrored_rng(mu, 1);
  }
  tuple(real, real) noisy_swap_rng(real a, real b) {
    real e = normal_rng(0, 1);
    return (b + e, a + e);
  }
  tuple(real, real) doubled(real u) {
    return (u, 2 * u);
  }
  // Adds the prior of log sigma; its elements are scalars, so a call may
  // sit inside an expression (run before the statement, once).
  tuple(real, real) scale_lp(real log_sigma) {
    target += normal_lpdf(log_sigma | 0, 1);
    return (exp(log_sigma), log_sigma);
  }
  real first_plus_last(tuple(real, tuple(real, real)) p) {
    return p.1 + p.2.2;
  }
}
data {
  int<lower=1> N;
  vector[N] y;
}
parameters {
  real mu;
  real log_sigma;
  vector[N] z;
}
model {
  real sigma;
  vector[N] theta;
  (sigma, theta) = centred_lp(z, mu, log_sigma);
  tuple(real, vector[N]) again = centred_lp(z, mu, log_sigma);
  y ~ normal(again.2, again.1 + 1);
  y ~ normal(theta, 2);
  target += scale_lp(log_sigma).2 - log_sigma;
}
generated quantities {
  tuple(real, tuple(real, real)) d = mirrored_rng(mu, exp(log_sigma));
  tuple(real, tuple(real, real)) r = relay_rng(mu);
  real a = 1;
  real b = 2;
  (a, b) = noisy_swap_rng(a, b);
  tuple(real, real) twice = doubled(normal_rng(mu, 1));
  // x + (-x) of one call inside an expression: 0 when both come from one draw.
  real zero = first_plus_last(mirrored_rng(mu, 1));
  {
    // The same inside a local block (a wrong value stops the run).
    tuple(real, tuple(real, real)) local = mirrored_rng(0, 1);
    if (local.1 != local.2.1 || local.2.2 != -local.1) reject("mirrored_rng's elements are not from one draw: ", local);
  }
}
