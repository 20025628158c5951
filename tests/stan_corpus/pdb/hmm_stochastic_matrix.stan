// data: tests/stan_corpus/pdb/hmm_gaussian.json
// a Gaussian HMM with a row_stochastic_matrix of transitions and the
// forward algorithm in matrix form (log_sum_exp of columns)
data {
  int<lower=1> T;
  int<lower=1> K;
  array[T] real y;
}
parameters {
  row_stochastic_matrix[K, K] Gamma;
  simplex[K] rho;
  ordered[K] mu;
  vector<lower=0>[K] sigma;
}
model {
  matrix[K, K] log_Gamma = log(Gamma);
  vector[K] lp;
  for (k in 1:K)
    lp[k] = log(rho[k]) + normal_lpdf(y[1] | mu[k], sigma[k]);
  for (t in 2:T) {
    vector[K] lp_new;
    for (k in 1:K)
      lp_new[k] = log_sum_exp(lp + col(log_Gamma, k))
                  + normal_lpdf(y[t] | mu[k], sigma[k]);
    lp = lp_new;
  }
  mu ~ normal(0, 10);
  sigma ~ normal(0, 5);
  for (k in 1:K)
    Gamma[k] ~ dirichlet(rep_vector(2, K));
  target += log_sum_exp(lp);
}
