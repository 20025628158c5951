// data: tests/stan_corpus/pdb/hmm_gaussian.json
// the Gaussian HMM through hmm_marginal, with hmm_latent_rng
data {
  int<lower=1> T;
  int<lower=1> K;
  array[T] real y;
}
parameters {
  array[K] simplex[K] A;
  simplex[K] rho;
  ordered[K] mu;
  vector<lower=0>[K] sigma;
}
transformed parameters {
  matrix[K, K] Gamma;
  matrix[K, T] log_omega;
  for (k in 1:K)
    Gamma[k] = A[k]';
  for (t in 1:T)
    for (k in 1:K)
      log_omega[k, t] = normal_lpdf(y[t] | mu[k], sigma[k]);
}
model {
  mu ~ normal(0, 10);
  sigma ~ normal(0, 5);
  target += hmm_marginal(log_omega, Gamma, rho);
}
generated quantities {
  array[T] int z = hmm_latent_rng(log_omega, Gamma, rho);
  matrix[K, T] probs = hmm_hidden_state_prob(log_omega, Gamma, rho);
}
