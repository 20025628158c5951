// data: tests/stan_corpus/pdb/capture_counts.json
data {
  int<lower=0> M;               // Size of augumented data set
  int<lower=0> T;               // Number of sampling occasions
  array[M] int<lower=0,upper=T> y;  // Capture-history matrix
}
transformed data {
  int<lower=0> C;               // Size of observed data set

  C = 0;
  for (i in 1:M) {
    if (y[i] > 0)
      C = C + 1;
  }
}
parameters {
  real<lower=0,upper=1> omega;  // Inclusion probability
  real<lower=0,upper=1> mean_p; // Mean detection probability
  real<lower=0,upper=5> sigma;
  vector[M] eps_raw;
}
transformed parameters {
  vector[M] eps = logit(mean_p)
                  + sigma * eps_raw;
}
model {
  eps_raw ~ normal(0, 1);

  for (i in 1:M) {
    if (y[i] > 0) {
      // z[i] == 1
      target += bernoulli_lpmf(1 | omega)
                + binomial_logit_lpmf(y[i] | T, eps[i]);
    } else { // y[i] == 0
      target += log_sum_exp(bernoulli_lpmf(1 | omega)   // z[i] == 1
                            + binomial_logit_lpmf(0 | T, eps[i]),
                            bernoulli_lpmf(0 | omega)); // z[i] == 0
    }
  }
}
generated quantities {
  int<lower=C> N = C + binomial_rng(M - C, omega);
}
