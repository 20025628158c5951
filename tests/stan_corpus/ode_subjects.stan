// data: tests/stan_corpus/ode_subjects.json
// One ODE solve per subject inside a loop (a rate and an initial amount per
// subject, both parameters), and one in transformed data on data alone.
functions {
  vector elimination(real t, vector y, real k, real inflow) {
    return inflow - k * y;
  }
}
data {
  int J;
  int T;
  array[T] real ts;
  array[J, T] real y_obs;
}
transformed data {
  // A baseline curve from data: the solve runs once, at binding.
  array[T] vector[1] baseline = ode_rk45(elimination, [1.0]', 0.0, ts, 0.5, 0.0);
}
parameters {
  vector<lower=0>[J] k;
  vector<lower=0>[J] a;
  real<lower=0> sigma;
}
model {
  k ~ lognormal(0, 1);
  a ~ lognormal(0, 1);
  sigma ~ normal(0, 1);
  for (j in 1:J) {
    array[T] vector[1] y = ode_rk45_tol(elimination, [a[j]]', 0.0, ts, 1e-10, 1e-10, 100000, k[j], 0.1);
    for (t in 1:T)
      y_obs[j, t] ~ normal(y[t][1] + 0.1 * baseline[t][1], sigma);
  }
}
