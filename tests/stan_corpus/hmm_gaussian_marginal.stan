// data: tests/stan_corpus/timeseries.json
// A K-state Gaussian HMM with Stan's hmm_marginal. Its twin
// hmm_gaussian_forward.stan writes the same density as the forward
// algorithm in plain Stan (tests/e2e/hmm.rs compares the two); the generated
// quantities draw the state path and give the states' posteriors.
data { int N; vector[N] y; int K; }
parameters {
  array[K] simplex[K] Gamma_rows;
  simplex[K] rho;
  ordered[K] mu;
  real<lower=0> sigma;
}
model {
  matrix[K, K] Gamma;
  matrix[K, N] log_omega;
  for (i in 1:K)
    for (j in 1:K)
      Gamma[i, j] = Gamma_rows[i, j];
  for (k in 1:K)
    for (n in 1:N)
      log_omega[k, n] = normal_lpdf(y[n] | mu[k], sigma);
  mu ~ normal(0, 3);
  sigma ~ lognormal(0, 1);
  target += hmm_marginal(log_omega, Gamma, rho);
}
generated quantities {
  matrix[K, N] state_prob;
  array[N] int z;
  {
    matrix[K, K] Gamma;
    matrix[K, N] log_omega;
    for (i in 1:K)
      for (j in 1:K)
        Gamma[i, j] = Gamma_rows[i, j];
    for (k in 1:K)
      for (n in 1:N)
        log_omega[k, n] = normal_lpdf(y[n] | mu[k], sigma);
    state_prob = hmm_hidden_state_prob(log_omega, Gamma, rho);
    z = hmm_latent_rng(log_omega, Gamma, rho);
  }
}
