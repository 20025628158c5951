// data: tests/stan_corpus/ode_lag.json
// One-compartment pharmacokinetics with first-order absorption and an
// absorption lag time: the dose starts to be absorbed at tlag, so the
// amounts at the sampling times are the ODE's at ts - tlag, output times
// that depend on a parameter (simulated at ka = 1.2, ke = 0.25, tlag = 0.3,
// sigma = 0.1; tests/e2e/stan_ode.rs fits them back).
functions {
  vector one_cpt(real t, vector y, real ka, real ke) {
    return [-ka * y[1], ka * y[1] - ke * y[2]]';
  }
}
data {
  int T;
  array[T] real ts;
  real dose;
  vector[T] conc;
}
parameters {
  real<lower=0, upper=0.5> tlag;
  real<lower=0> ka;
  real<lower=0> ke;
  real<lower=0> sigma;
}
transformed parameters {
  array[T] vector[2] y = ode_bdf_tol(one_cpt, [dose, 0]', 0.0, to_array_1d(to_vector(ts) - tlag), 1e-10, 1e-10, 100000, ka, ke);
}
model {
  ka ~ lognormal(0, 1);
  ke ~ lognormal(-1, 1);
  sigma ~ normal(0, 1);
  for (t in 1:T) {
    conc[t] ~ normal(y[t][2], sigma);
  }
}
