// data: tests/stan_corpus/timeseries.json
// Local-level state-space model, marginal likelihood by the Kalman filter:
// the state mean and variance are scalars carried from step to step.
data { int N; vector[N] y; }
parameters { real<lower=0> sigma_obs; real<lower=0> sigma_level; }
model {
  real m = 0;
  real P = 10;
  sigma_obs ~ normal(0, 2);
  sigma_level ~ normal(0, 2);
  for (t in 1:N) {
    real Pp = P + square(sigma_level);
    real S = Pp + square(sigma_obs);
    real gain = Pp / S;
    y[t] ~ normal(m, sqrt(S));
    m = m + gain * (y[t] - m);
    P = (1 - gain) * Pp;
  }
}
