// data: tests/stan_corpus/ode_decay.json
// Exponential decay y' = -k y, solved by the legacy integrate_ode_rk45 and
// by the variadic ode_rk45_tol (tight tolerances, so that finite
// differences of the log density see a smooth function); the closed form
// y0 exp(-k t) is tests/e2e/stan_ode.rs's oracle.
functions {
  array[] real decay(real t, array[] real y, array[] real theta, array[] real x_r, array[] int x_i) {
    return { -theta[1] * y[1] };
  }
  vector decay_v(real t, vector y, real k) {
    return -k * y;
  }
}
data {
  int T;
  array[T] real ts;
  vector[T] y_obs;
}
parameters {
  real<lower=0> k;
  real<lower=0> y0;
  real<lower=0> sigma;
}
transformed parameters {
  array[T, 1] real y_legacy = integrate_ode_rk45(decay, {y0}, 0.0, ts, {k}, rep_array(0.0, 0), rep_array(0, 0), 1e-10, 1e-10, 100000);
  array[T] vector[1] y_modern = ode_rk45_tol(decay_v, [y0]', 0.0, ts, 1e-10, 1e-10, 100000, k);
}
model {
  k ~ lognormal(0, 1);
  y0 ~ lognormal(0, 1);
  sigma ~ normal(0, 1);
  for (t in 1:T) {
    y_obs[t] ~ normal(y_legacy[t, 1], sigma);
    y_obs[t] ~ normal(y_modern[t][1], sigma);
  }
}
