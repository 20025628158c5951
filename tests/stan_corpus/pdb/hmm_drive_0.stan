// data: tests/stan_corpus/pdb/hmm_drive.json
data {
  int<lower=1> K;  // number of states
  int<lower=1> N;  // length of data set
  array[N] real u;  // drive speed
  array[N] real v;  // drive direction
  vector<lower=0>[K] alpha;
  real tau;
  real rho;
}
parameters {
  array[K] simplex[K] theta;
  positive_ordered[K] phi;
  positive_ordered[K] lambda;
}
model {
  for (k in 1:K)
    theta[k] ~ dirichlet(alpha);
  phi ~ normal(0, 1);
  lambda ~ normal(0, 1);
  {
    array[K] real acc;
    array[N, K] real gamma;
    for (k in 1:K)
      gamma[1, k] = normal_lpdf(u[1] | phi[k], tau) + normal_lpdf(v[1] | lambda[k], rho);
    for (t in 2:N) {
      for (k in 1:K) {
        for (j in 1:K)
          acc[j] = gamma[t - 1, j] + log(theta[j, k])
                   + normal_lpdf(u[t] | phi[k], tau)
                   + normal_lpdf(v[t] | lambda[k], rho);
        gamma[t, k] = log_sum_exp(acc);
      }
    }
    target += log_sum_exp(gamma[N]);
  }
}
generated quantities {
  array[N] int<lower=1, upper=K> z_star;
  real log_p_z_star;
  {
    array[N, K] int back_ptr;
    array[N, K] real best_logp;
    for (k in 1:K)
      best_logp[1, k] = normal_lpdf(u[1] | phi[k], tau) + normal_lpdf(v[1] | lambda[k], rho);
    for (t in 2:N) {
      for (k in 1:K) {
        best_logp[t, k] = negative_infinity();
        for (j in 1:K) {
          real logp;
          logp = best_logp[t - 1, j] + log(theta[j, k])
                 + normal_lpdf(u[t] | phi[k], tau)
                 + normal_lpdf(v[t] | lambda[k], rho);
          if (logp > best_logp[t, k]) {
            back_ptr[t, k] = j;
            best_logp[t, k] = logp;
          }
        }
      }
    }
    log_p_z_star = max(best_logp[N]);
    for (k in 1:K)
      if (best_logp[N, k] == log_p_z_star)
        z_star[N] = k;
    for (t in 1:(N - 1))
      z_star[N - t] = back_ptr[N - t + 1, z_star[N - t + 1]];
  }
}
