// data: tests/stan_corpus/mixture_k.json
// A K-component normal mixture as Stan's User's Guide writes it: the
// weights' and scales' logs vary with k alone, so `ir::tabulate` takes
// them once per k before the observation loop, not once per (n, k).
data {
  int<lower=1> K;
  int<lower=1> N;
  array[N] real y;
}
parameters {
  simplex[K] theta;
  ordered[K] mu;
  vector<lower=0>[K] sigma;
}
model {
  sigma ~ lognormal(0, 1);
  mu ~ normal(0, 5);
  for (n in 1:N) {
    vector[K] lps;
    for (k in 1:K) {
      lps[k] = log(theta[k]) + normal_lpdf(y[n] | mu[k], sigma[k]);
    }
    target += log_sum_exp(lps);
  }
}
generated quantities {
  vector[N] log_lik;
  for (n in 1:N) {
    vector[K] lps;
    for (k in 1:K) {
      lps[k] = log(theta[k]) + normal_lpdf(y[n] | mu[k], sigma[k]);
    }
    log_lik[n] = log_sum_exp(lps);
  }
}
