// data: tests/stan_corpus/ode_stiff.json
// Robertson's chemical kinetics (rates k1 = 0.04, k2 = 3e7, k3 = 1e4, nine
// orders of magnitude apart: the classic stiff test) with the log rates as
// parameters near those values, solved by ode_bdf_tol; y1 and y3 are
// observed with known noise. tests/e2e/ode_stiff.rs checks the solution against
// published values and a step limit RK45 exhausts; the corpus oracles check
// JIT = interpreter and gradient = finite differences. The tolerances are
// tight (1e-12) so that finite differences of the log density see a smooth function.
functions {
  vector robertson(real t, vector y, vector k) {
    vector[3] dydt;
    dydt[1] = -k[1] * y[1] + k[3] * y[2] * y[3];
    dydt[2] = k[1] * y[1] - k[3] * y[2] * y[3] - k[2] * square(y[2]);
    dydt[3] = k[2] * square(y[2]);
    return dydt;
  }
}
data {
  int T;
  array[T] real ts;
  array[T] real y1_obs;
  array[T] real y3_obs;
  vector[3] log_k_ref;
  real<lower=0> sigma;
}
parameters {
  vector<offset=log_k_ref, multiplier=0.1>[3] log_k;
}
transformed parameters {
  array[T] vector[3] y = ode_bdf_tol(robertson, [1, 0, 0]', 0.0, ts, 1e-12, 1e-16, 100000, exp(log_k));
}
model {
  log_k ~ normal(log_k_ref, 0.1);
  for (t in 1:T) {
    y1_obs[t] ~ normal(y[t][1], sigma);
    y3_obs[t] ~ normal(y[t][3], sigma);
  }
}
