// data: tests/stan_corpus/pdb/ordinal.json
// ordered logistic regression written out with inv_logit (Stan User's Guide)
data {
  int<lower=2> K;
  int<lower=0> N;
  int<lower=1> D;
  array[N] int<lower=1, upper=K> y;
  array[N] row_vector[D] x;
}
parameters {
  vector[D] beta;
  ordered[K - 1] c;
}
model {
  vector[K] theta;
  beta ~ normal(0, 5);
  for (n in 1:N) {
    real eta;
    eta = x[n] * beta;
    theta[1] = 1 - inv_logit(eta - c[1]);
    for (k in 2:(K - 1))
      theta[k] = inv_logit(eta - c[k - 1]) - inv_logit(eta - c[k]);
    theta[K] = inv_logit(eta - c[K - 1]);
    y[n] ~ categorical(theta);
  }
}
