// data: tests/stan_corpus/pdb/survival.json
data {
  int<lower=0> N;
  vector<lower=0>[N] t;
  array[N] int<lower=0, upper=1> censored;
  vector[N] x;
}
transformed data {
  int N_obs = N - sum(censored);
  int N_cens = sum(censored);
  array[N_obs] int obs_idx;
  array[N_cens] int cens_idx;
  {
    int i = 1;
    int j = 1;
    for (n in 1:N) {
      if (censored[n] == 0) {
        obs_idx[i] = n;
        i += 1;
      } else {
        cens_idx[j] = n;
        j += 1;
      }
    }
  }
}
parameters {
  real<lower=0> alpha;
  real beta0;
  real beta1;
}
model {
  vector[N] sigma = exp(-(beta0 + beta1 * x) / alpha);
  alpha ~ gamma(2, 1);
  beta0 ~ normal(0, 5);
  beta1 ~ normal(0, 5);
  t[obs_idx] ~ weibull(alpha, sigma[obs_idx]);
  target += weibull_lccdf(t[cens_idx] | alpha, sigma[cens_idx]);
}
