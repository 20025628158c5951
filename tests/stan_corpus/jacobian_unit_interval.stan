// data: tests/stan_corpus/jacobian_unit_interval.json
// A probability constrained to (0, 1) by a `_jacobian` function, with a
// beta prior on it: the posterior of `p` is that beta (tests/e2e/stan_programs.rs
// checks its mean and sd, and that without the `jacobian +=` the fit is the
// beta(a - 1, b - 1) instead).
functions {
  real unit_interval_jacobian(real x) {
    jacobian += log_inv_logit(x) + log1m_inv_logit(x);
    return inv_logit(x);
  }
}
data {
  real<lower=1> a;
  real<lower=1> b;
}
parameters {
  real p_raw;
}
transformed parameters {
  real<lower=0, upper=1> p = unit_interval_jacobian(p_raw);
}
model {
  p ~ beta(a, b);
}
