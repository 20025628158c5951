// ODE solvers are not supported yet (E1003, docs/language.md).
functions {
  vector rhs(real t, vector y, real k) { return -k * y; }
}
data { int T; array[T] real ts; }
parameters { real<lower=0> k; }
model {
  array[T] vector[1] y = ode_rk45(rhs, [1.0]', 0.0, ts, k);
  k ~ lognormal(0, 1);
}
