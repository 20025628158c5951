// The 3-state, 4-step HMM of library_values.stan without parameters:
// each draw gives the states' posteriors and one latent path (tests/e2e/hmm.rs
// compares them with the enumeration of every path).
transformed data {
  matrix[3, 4] log_omega = [[-1.2, -0.5, -2.4, -0.8], [-0.3, -1.7, -0.2, -0.6], [-2, -0.9, -1.1, -3]];
  matrix[3, 3] Gamma = [[0.7, 0.2, 0.1], [0.25, 0.5, 0.25], [0.1, 0.3, 0.6]];
  vector[3] rho = [0.5, 0.3, 0.2]';
}
generated quantities {
  matrix[3, 4] prob = hmm_hidden_state_prob(log_omega, Gamma, rho);
  array[4] int z = hmm_latent_rng(log_omega, Gamma, rho);
}
