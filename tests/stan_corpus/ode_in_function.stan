// data: tests/stan_corpus/ode_in_function.json
// An ODE call inside a user function called with two state sizes: one
// system for each (the call site is the same after expansion). `da` and
// `db` (solution minus closed form) are tests/e2e/stan_ode.rs's oracle.
functions {
  vector decay(real t, vector y, real k) { return -k * y; }
  array[] vector solve(vector y0, array[] real ts, real k) {
    return ode_rk45_tol(decay, y0, 0.0, ts, 1e-10, 1e-10, 100000, k);
  }
}
data { array[3] real ts3; array[2] real ts2; }
parameters { real<lower=0> k; }
model {
  array[3] vector[1] a = solve([1.0]', ts3, k);
  array[2] vector[2] b = solve([1.0, 2.0]', ts2, k);
  k ~ lognormal(0, 1);
  target += normal_lpdf(a[3][1] | 0.3, 0.1) + normal_lpdf(b[2][2] | 0.8, 0.1);
}
generated quantities {
  array[3] vector[1] a = solve([1.0]', ts3, k);
  array[2] vector[2] b = solve([1.0, 2.0]', ts2, k);
  real da = a[3][1] - exp(-k * ts3[3]);
  real db = b[2][2] - 2 * exp(-k * ts2[2]);
}
