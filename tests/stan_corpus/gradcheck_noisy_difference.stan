// A rate that is the difference of two nearly equal ODE states (as
// posteriordb's sir model): the log density carries the solve's rounding
// noise, amplified; its finite differences change with the step by more
// than the gradient's error (tests/e2e/gradcheck_cli.rs).
functions {
  array[] real decay(real t, array[] real y, array[] real th, array[] real x_r, array[] int x_i) {
    return {-th[1] * y[1] * (1 + 0.5 * sin(t))};
  }
}
parameters {
  real<lower=0> k;
}
model {
  array[4, 1] real y = integrate_ode_rk45(decay, {1.0}, 0, {1.0, 2.0, 3.0, 4.0}, {k * 1e-8}, rep_array(0.0, 0), rep_array(0, 0));
  k ~ lognormal(0, 1);
  for (n in 2:4) {
    3 ~ poisson(1e8 * (y[n - 1, 1] - y[n, 1]));
  }
}
