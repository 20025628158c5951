// data: tests/stan_corpus/pdb/dp_mixture.json
// a truncated Dirichlet-process mixture of normals by stick breaking
data {
  int<lower=1> N;
  vector[N] y;
  int<lower=1> K; // truncation level
}
parameters {
  real<lower=0> alpha; // concentration
  vector<lower=0, upper=1>[K - 1] v; // stick-breaking fractions
  ordered[K] mu;
  vector<lower=0>[K] sigma;
}
transformed parameters {
  simplex[K] w;
  {
    real stick = 1;
    for (k in 1:(K - 1)) {
      w[k] = v[k] * stick;
      stick *= 1 - v[k];
    }
    w[K] = stick;
  }
}
model {
  alpha ~ gamma(2, 2);
  v ~ beta(1, alpha);
  mu ~ normal(0, 5);
  sigma ~ lognormal(0, 1);
  for (n in 1:N) {
    vector[K] lps = log(w);
    for (k in 1:K)
      lps[k] += normal_lpdf(y[n] | mu[k], sigma[k]);
    target += log_sum_exp(lps);
  }
}
