// data: tests/stan_corpus/timeseries.json
// hmm_gaussian_marginal.stan's density by the forward algorithm in plain
// Stan: alpha[t, k] = log p(y[1:t], x_t = k), carried from step to step.
data { int N; vector[N] y; int K; }
parameters {
  array[K] simplex[K] Gamma_rows;
  simplex[K] rho;
  ordered[K] mu;
  real<lower=0> sigma;
}
model {
  array[N] vector[K] alpha;
  vector[K] acc;
  mu ~ normal(0, 3);
  sigma ~ lognormal(0, 1);
  for (k in 1:K)
    alpha[1, k] = log(rho[k]) + normal_lpdf(y[1] | mu[k], sigma);
  for (t in 2:N) {
    for (k in 1:K) {
      for (j in 1:K)
        acc[j] = alpha[t - 1, j] + log(Gamma_rows[j, k]);
      alpha[t, k] = log_sum_exp(acc) + normal_lpdf(y[t] | mu[k], sigma);
    }
  }
  target += log_sum_exp(alpha[N]);
}
