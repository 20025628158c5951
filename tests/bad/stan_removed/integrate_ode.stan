// `integrate_ode` was removed in Stan 2.33 (E1003 with the modern call);
// its successors integrate_ode_rk45 and ode_rk45 are in hbmc.
functions {
  array[] real rhs(real t, array[] real y, array[] real theta, array[] real x_r, array[] int x_i) { return { -theta[1] * y[1] }; }
}
data { int T; array[T] real ts; }
parameters { real<lower=0> k; }
model {
  array[T, 1] real y = integrate_ode(rhs, {1.0}, 0.0, ts, {k}, rep_array(0.0, 0), rep_array(0, 0));
  k ~ lognormal(0, 1);
}
