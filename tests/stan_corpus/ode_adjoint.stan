// data: tests/stan_corpus/ode_adjoint.json
// A damped oscillator with a decaying source, solved by
// ode_adjoint_tol_ctl with every control argument written out (absolute
// tolerances one per state, the strictest used) and by ode_bdf_tol with
// the same forward tolerances: tests/e2e/stan_ode.rs checks that both give the
// same log density and gradient; the corpus oracles check JIT =
// interpreter and gradient = finite differences.
functions {
  vector forced(real t, vector y, real omega, vector drive, array[] int unused) {
    vector[2] dydt;
    dydt[1] = y[2];
    dydt[2] = -square(omega) * y[1] - drive[1] * y[2] + drive[2] * exp(-t);
    return dydt;
  }
}
data {
  int T;
  array[T] real ts;
  array[T] vector[2] y_obs;
  int use_adjoint;
}
transformed data {
  vector[2] abs_forward = [1e-9, 1e-10]';
  vector[2] abs_backward = [1e-8, 1e-8]';
}
parameters {
  real<lower=0> omega;
  vector[2] drive;
  vector[2] y0;
  real<lower=0> sigma;
}
transformed parameters {
  array[T] vector[2] y;
  if (use_adjoint) {
    y = ode_adjoint_tol_ctl(forced, y0, 0.0, ts, 1e-10, abs_forward, 1e-8, abs_backward, 1e-8, 1e-8,
                            100000, 150, 1, 2, 2, omega, drive, {1, 2});
  } else {
    y = ode_bdf_tol(forced, y0, 0.0, ts, 1e-10, 1e-10, 100000, omega, drive, {1, 2});
  }
}
model {
  omega ~ lognormal(0, 1);
  drive ~ normal(0, 1);
  y0 ~ normal(0, 2);
  sigma ~ lognormal(-1, 1);
  for (t in 1:T) {
    y_obs[t] ~ normal(y[t], sigma);
  }
}
