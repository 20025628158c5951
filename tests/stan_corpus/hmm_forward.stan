// data: tests/stan_corpus/timeseries.json
// Forward algorithm of a K-state Gaussian HMM: the log forward variables
// live in a local array overwritten each step, reduced with log_sum_exp.
data { int N; vector[N] y; int K; }
parameters { simplex[K] theta1; simplex[K] theta2; ordered[K] mu; real<lower=0> sigma; }
model {
  vector[K] lp;
  vector[K] lp_prev;
  vector[K] acc;
  mu ~ normal(0, 2);
  sigma ~ normal(0, 2);
  for (k in 1:K) lp[k] = -log(K) + normal_lpdf(y[1] | mu[k], sigma);
  for (t in 2:N) {
    lp_prev = lp;
    for (k in 1:K) {
      for (j in 1:K) {
        real trans = k == 1 ? theta1[j] : theta2[j];
        acc[j] = lp_prev[j] + log(trans);
      }
      lp[k] = log_sum_exp(acc) + normal_lpdf(y[t] | mu[k], sigma);
    }
  }
  target += log_sum_exp(lp);
}
