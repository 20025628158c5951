// data: tests/stan_corpus/timeseries.json
// AR(K) with K = 2: the mean of y[t] sums the lagged terms in a loop over
// the lags, a local overwritten every step.
data { int N; vector[N] y; int K; }
parameters { real alpha; vector[K] beta; real<lower=0> sigma; }
model {
  alpha ~ normal(0, 2);
  beta ~ normal(0, 1);
  sigma ~ normal(0, 2);
  for (t in (K + 1):N) {
    real mu = alpha;
    for (k in 1:K)
      mu = mu + beta[k] * y[t - k];
    y[t] ~ normal(mu, sigma);
  }
}
