// data: tests/stan_corpus/ode_oscillator.json
// A harmonic oscillator y'' = -omega^2 y - damping y' three ways: the
// variadic ode_rk45_tol with a real parameter, real data and an int array
// after the state; ode_ckrk_tol of the linear system y' = A y with the
// matrix A as the one argument (column-major packing); the legacy
// integrate_ode_bdf with theta, x_r and x_i. Tight tolerances, so that
// finite differences of the log density see a smooth function; the closed
// form is tests/e2e/stan_ode.rs's oracle (damping 0).
functions {
  vector sho(real t, vector y, real omega, real damping, array[] int unused) {
    vector[2] dydt;
    dydt[1] = y[2];
    dydt[2] = -square(omega) * y[1] - damping * y[2];
    return dydt;
  }
  vector linear(real t, vector y, matrix A) {
    return A * y;
  }
  array[] real sho_legacy(real t, array[] real y, array[] real theta, array[] real x_r, array[] int x_i) {
    return { y[2], -square(theta[1]) * y[1] - x_r[1] * y[2] };
  }
}
data {
  int T;
  array[T] real ts;
  array[T] vector[2] y_obs;
  real damping;
}
parameters {
  real<lower=0> omega;
  vector[2] y0;
  real<lower=0> sigma;
}
transformed parameters {
  matrix[2, 2] A = [[0, 1], [-square(omega), -damping]];
  array[T] vector[2] y_sho = ode_rk45_tol(sho, y0, 0.0, ts, 1e-10, 1e-10, 100000, omega, damping, {1, 2});
  array[T] vector[2] y_linear = ode_ckrk_tol(linear, y0, 0.0, ts, 1e-10, 1e-10, 100000, A);
  array[T, 2] real y_legacy = integrate_ode_bdf(sho_legacy, to_array_1d(y0), 0.0, ts, {omega}, {damping}, {0}, 1e-10, 1e-10, 100000);
}
model {
  omega ~ lognormal(0, 1);
  y0 ~ normal(0, 2);
  sigma ~ normal(0, 1);
  for (t in 1:T) {
    y_obs[t] ~ normal(y_sho[t], sigma);
    y_obs[t] ~ normal(y_linear[t], sigma);
    y_obs[t] ~ normal(to_vector(y_legacy[t]), sigma);
  }
}
generated quantities {
  // Stan's default tolerances (1e-6): within about 1e-5 of the closed form.
  array[T] vector[2] y_default = ode_rk45(sho, y0, 0.0, ts, omega, damping, {1, 2});
}
