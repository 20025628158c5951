// data: tests/stan_corpus/pdb/hmm_drive.json
data {
  int<lower=1> K; // number of states
  int<lower=1> N; // length of data set
  array[N] real u; // drive speed
  array[N] real v; // drive direction
  vector<lower=0>[K] alpha; // transit prior
}
parameters {
  array[K] simplex[K] theta; // transit probs
  // enforce an ordering: phi[1] <= phi[2]
  positive_ordered[K] phi; // emission parameter for u
  positive_ordered[K] lambda; // emission parameter for v
  real<lower=0> tau; // emission sd for u
  real<lower=0> rho; // emission sd for v
}
model {
  for (k in 1:K) {
    theta[k] ~ dirichlet(alpha);
  }
  phi ~ normal(0, 1);
  lambda ~ normal(0, 1);
  tau ~ normal(0, 1);
  rho ~ normal(0, 1);
  {
    array[K] real acc;
    array[N, K] real gamma;
    for (k in 1:K) {
      gamma[1, k] = normal_lpdf(u[1] | phi[k], tau)
                    + normal_lpdf(v[1] | lambda[k], rho);
    }
    for (t in 2:N) {
      for (k in 1:K) {
        for (j in 1:K) {
          acc[j] = gamma[t - 1, j] + log(theta[j, k])
                   + normal_lpdf(u[t] | phi[k], tau)
                   + normal_lpdf(v[t] | lambda[k], rho);
        }
        gamma[t, k] = log_sum_exp(acc);
      }
    }
    target += log_sum_exp(gamma[N]);
  }
}
