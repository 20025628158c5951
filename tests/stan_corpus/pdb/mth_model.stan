// data: tests/stan_corpus/pdb/mth_model.json
data {
  int<lower=0> M;
  int<lower=0> T;
  array[M, T] int<lower=0, upper=1> y;
}
transformed data {
  array[M] int<lower=0> s;
  int<lower=0> C;
  C = 0;
  for (i in 1:M) {
    s[i] = sum(y[i]);
    if (s[i] > 0) {
      C = C + 1;
    }
  }
}
parameters {
  real<lower=0, upper=1> omega;
  vector<lower=0, upper=1>[T] mean_p;
  real<lower=0, upper=5> sigma;
  vector[M] eps_raw;
}
transformed parameters {
  vector[M] eps = sigma * eps_raw;
  array[M] vector<lower=0, upper=1>[T] p;
  for (i in 1:M) {
    for (j in 1:T) {
      p[i, j] = inv_logit(logit(mean_p[j]) + eps[i]);
    }
  }
}
model {
  eps_raw ~ normal(0, 1);
  for (i in 1:M) {
    if (s[i] > 0) {
      target += bernoulli_lpmf(1 | omega) + bernoulli_lpmf(y[i] | p[i]);
    } else {
      target += log_sum_exp(bernoulli_lpmf(1 | omega) + bernoulli_lpmf(y[i] | p[i]),
                            bernoulli_lpmf(0 | omega));
    }
  }
}
generated quantities {
  matrix<lower=0, upper=1>[M, T] p_mat;
  int<lower=C> N;
  for (i in 1:M) p_mat[i] = p[i]';
  {
    int n = C;
    for (i in 1:M) {
      if (s[i] == 0) {
        real qT = prod(1 - p[i]);
        n += bernoulli_rng(omega * qT / (omega * qT + (1 - omega)));
      }
    }
    N = n;
  }
}
