// data: tests/stan_corpus/timeseries.json
// hmm_marginal and log_mix of containers on parameters: every argument of
// hmm_marginal (log_omega, Gamma, rho) and of each log_mix form (theta and
// lp as vector, row_vector, array, and an array of vectors or of row
// vectors) depends on parameters, so the oracles check all their partials.
data { int N; vector[N] y; int K; }
parameters {
  array[K] simplex[K] Gamma_rows;
  simplex[K] rho;
  ordered[K] mu;
  real<lower=0> sigma;
  simplex[3] theta;
}
model {
  matrix[K, K] Gamma;
  matrix[K, N] log_omega;
  vector[3] lp;
  for (i in 1:K)
    for (j in 1:K)
      Gamma[i, j] = Gamma_rows[i, j];
  for (k in 1:K)
    for (n in 1:N)
      log_omega[k, n] = normal_lpdf(y[n] | mu[k], sigma);
  mu ~ normal(0, 2);
  sigma ~ lognormal(0, 1);
  target += hmm_marginal(log_omega, Gamma, rho);
  lp[1] = normal_lpdf(y[1] | mu[1], sigma);
  lp[2] = normal_lpdf(y[2] | mu[K], sigma);
  lp[3] = -1.5 * sigma;
  target += log_mix(theta, lp);
  target += log_mix(theta', {lp, 0.5 * lp});
  target += log_mix(to_array_1d(theta), lp');
  target += log_mix(theta, {lp', 0.3 * lp', -lp'});
}
