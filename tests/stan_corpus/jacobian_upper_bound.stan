// data: tests/stan_corpus/jacobian_upper_bound.json
// Stan 2.36's user-defined transform: an upper bound written as a
// `_jacobian` function (an expression body after its `jacobian +=`), with a
// standard normal prior on the constrained value: the posterior of `b` is
// the normal truncated above at `ub` (tests/e2e/stan_programs.rs checks its
// closed-form mean and sd). `c` calls the transform twice in one
// expression, and each call adds its term; the generated quantities
// recompute `b` and `c` without a target.
functions {
  real upper_bound_jacobian(real x, real ub) {
    jacobian += x;
    return ub - exp(x);
  }
}
data {
  real ub;
}
parameters {
  real b_raw;
  real c_raw;
}
transformed parameters {
  real b = upper_bound_jacobian(b_raw, ub);
  real c = upper_bound_jacobian(c_raw, ub) + 0 * upper_bound_jacobian(c_raw, 0);
}
model {
  b ~ normal(0, 1);
  c ~ normal(1, 2);
}
generated quantities {
  real b_below = b < ub;
}
