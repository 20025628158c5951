// data: tests/stan_corpus/timeseries.json
// Forward algorithm with the log forward variables of every step kept in
// a 2-D array (as posteriordb's hmm_example), `alpha[t, k]` from
// `alpha[t - 1, j]`: each step writes its own row and reads the one
// before, so the gradient saves nothing per step and its cost grows
// linearly in N (tests/e2e/stan_programs.rs checks the IR).
data { int N; vector[N] y; int K; }
parameters { array[K] simplex[K] Gamma; ordered[K] mu; real<lower=0> sigma; }
model {
  array[N, K] real alpha;
  array[K] real acc;
  mu ~ normal(0, 2);
  sigma ~ normal(0, 2);
  for (k in 1:K) {
    alpha[1, k] = -log(K) + normal_lpdf(y[1] | mu[k], sigma);
  }
  for (t in 2:N) {
    for (k in 1:K) {
      for (j in 1:K) {
        acc[j] = alpha[t - 1, j] + log(Gamma[j, k]);
      }
      alpha[t, k] = log_sum_exp(acc) + normal_lpdf(y[t] | mu[k], sigma);
    }
  }
  target += log_sum_exp(alpha[N]);
}
