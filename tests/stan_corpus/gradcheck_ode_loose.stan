// Predator-prey solved at the model's loose tolerance (1e-3): the finite
// differences of that solve measure the solver's error, so `hbmc gradcheck`
// solves at --ode-tol (1e-10) unless --model-ode-tol (tests/e2e/gradcheck_cli.rs).
// No `// data:` line: the oracles of stan_programs.rs would judge it at 1e-3.
functions {
  array[] real lv(real t, array[] real z, array[] real theta, array[] real x_r, array[] int x_i) {
    array[2] real dz;
    dz[1] = (theta[1] - theta[2] * z[2]) * z[1];
    dz[2] = (-theta[3] + theta[4] * z[1]) * z[2];
    return dz;
  }
}
data {
  int<lower=1> N;
  array[N] real ts;
  array[N, 2] real<lower=0> y;
}
parameters {
  array[4] real<lower=0> theta;
  array[2] real<lower=0> z0;
  real<lower=0> sigma;
}
model {
  array[N, 2] real z = integrate_ode_rk45(lv, z0, 0, ts, theta, rep_array(0.0, 0), rep_array(0, 0), 1e-3, 1e-3, 5e2);
  theta ~ normal(1, 0.5);
  z0 ~ lognormal(log(10), 1);
  sigma ~ lognormal(-1, 1);
  for (k in 1:2) {
    y[, k] ~ lognormal(log(z[, k]), sigma);
  }
}
