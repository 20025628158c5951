// data: tests/stan_corpus/ode_start.json
// A damped oscillator released from rest at an unknown time t_start (a
// change point): the ODE's initial time is a parameter, in three solvers
// (ode_rk45_tol, the legacy integrate_ode_bdf, ode_adjoint_tol_ctl), and
// in one call whose output times are also stretched by a parameter (both
// t0 and ts depend on parameters). Each solution enters the density, so
// finite differences see every call's derivatives in the times.
functions {
  vector osc(real t, vector y, real w, real c) {
    return [y[2], -square(w) * y[1] - c * y[2]]';
  }
  array[] real osc_legacy(real t, array[] real y, array[] real theta, array[] real x_r, array[] int x_i) {
    return {y[2], -square(theta[1]) * y[1] - theta[2] * y[2]};
  }
}
data {
  int T;
  array[T] real ts;
  vector[T] y_obs;
}
transformed data {
  vector[2] atol = [1e-10, 1e-10]';
}
parameters {
  real<upper=0.9> t_start;
  real<lower=0> w;
  real<lower=0> c;
  real a0;
  real<lower=0.5, upper=1.5> stretch;
  real<lower=0> sigma;
}
transformed parameters {
  vector[2] y0 = [a0, 0]';
  array[T] vector[2] y_rk = ode_rk45_tol(osc, y0, t_start, ts, 1e-10, 1e-10, 1000000, w, c);
  array[T, 2] real y_legacy = integrate_ode_bdf(osc_legacy, {a0, 0.0}, t_start, ts, {w, c}, rep_array(0.0, 0), rep_array(0, 0), 1e-10, 1e-10, 1000000);
  array[T] vector[2] y_adj = ode_adjoint_tol_ctl(osc, y0, t_start, ts, 1e-10, atol, 1e-10, atol, 1e-10, 1e-10, 1000000, 150, 1, 2, 2, w, c);
  array[T] real ts_stretched;
  for (i in 1:T) {
    ts_stretched[i] = stretch * ts[i];
  }
  array[T] vector[2] y_both = ode_rk45_tol(osc, y0, t_start, ts_stretched, 1e-10, 1e-10, 1000000, w, c);
}
model {
  t_start ~ normal(0, 1);
  w ~ lognormal(0, 0.5);
  c ~ lognormal(-1, 0.5);
  a0 ~ normal(1, 1);
  sigma ~ normal(0, 1);
  for (i in 1:T) {
    y_obs[i] ~ normal(y_rk[i][1], sigma);
    y_obs[i] ~ normal(y_legacy[i, 1], sigma);
    y_obs[i] ~ normal(y_adj[i][1] + 0.1 * y_adj[i][2], sigma);
    y_obs[i] ~ normal(y_both[i][1], sigma);
  }
}
