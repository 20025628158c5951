// data: tests/stan_corpus/pdb/capture.json
data {
  int<lower=0> M;                   // Size of augumented data set
  int<lower=0> T;                   // Number of sampling occasions
  array[M, T] int<lower=0,upper=1> y;   // Capture-history matrix
}
transformed data {
  array[M] int<lower=0> s;          // Totals in each row
  int<lower=0> C;                   // Size of observed data set

  C = 0;
  for (i in 1:M) {
    s[i] = sum(y[i]);
    if (s[i] > 0)
      C = C + 1;
  }
}
parameters {
  real<lower=0,upper=1> omega;      // Inclusion probability
  vector<lower=0,upper=1>[T] mean_p; // Mean detection probability
  real gamma;
  real<lower=0,upper=3> sigma;
  vector[M] eps_raw;
}
transformed parameters {
  vector[M] eps = sigma * eps_raw;
  matrix[M, T] logit_p;

  for (j in 1:M) {
    // First occasion: no term for recapture (gamma)
    logit_p[j, 1] = logit(mean_p[1]) + eps[j];

    // All subsequent occasions: includes recapture term (gamma)
    for (k in 2:T)
      logit_p[j, k] = logit(mean_p[k]) + gamma * y[j, k - 1] + eps[j];
  }
}
model {
  // Priors
  // omega ~ uniform(0, 1);
  // mean_p ~ uniform(0, 1);
  // sigma ~ uniform(0, 3);
  gamma ~ normal(0, 10);
  eps_raw ~ normal(0, 1);

  // Likelihood
  for (i in 1:M) {
    if (s[i] > 0) {
      // z[i] == 1
      target += bernoulli_lpmf(1 | omega)
                + bernoulli_logit_lpmf(y[i] | logit_p[i]);
    } else { // s[i] == 0
      target += log_sum_exp(bernoulli_lpmf(1 | omega)   // z[i] == 1
                            + bernoulli_logit_lpmf(y[i] | logit_p[i]),
                            bernoulli_lpmf(0 | omega)); // z[i] == 0
    }
  }
}
generated quantities {
  matrix<lower=0, upper=1>[M, T] p = inv_logit(logit_p);
  int<lower=C> N = C + binomial_rng(M - C, omega);
}
