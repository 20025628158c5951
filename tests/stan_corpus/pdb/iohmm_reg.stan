// data: tests/stan_corpus/pdb/iohmm_reg.json
functions {
  vector normalize(vector x) {
    return x / sum(x);
  }
}
data {
  int<lower=1> T;
  int<lower=1> K;
  int<lower=1> M;
  array[T] vector[M] u;
  vector[T] x;
}
parameters {
  simplex[K] pi1;
  array[K] vector[M] w;
  array[K] vector[M] b;
  array[K] real<lower=0> sigma;
}
transformed parameters {
  array[T] vector[K] unalpha_tk;
  {
    array[T] vector[K] unA_tk;
    array[T] vector[K] logA_tk;
    array[T] vector[K] logoblik_tk;
    for (t in 1:T) {
      for (j in 1:K) {
        unA_tk[t][j] = u[t]' * w[j];
        logoblik_tk[t][j] = normal_lpdf(x[t] | u[t]' * b[j], sigma[j]);
      }
      logA_tk[t] = log_softmax(unA_tk[t]);
    }
    unalpha_tk[1] = log(pi1) + logoblik_tk[1];
    for (t in 2:T) {
      for (j in 1:K) {
        unalpha_tk[t][j] = log_sum_exp(unalpha_tk[t - 1] + logA_tk[t][j]) + logoblik_tk[t][j];
      }
    }
  }
}
model {
  for (j in 1:K) {
    w[j] ~ normal(0, 5);
    b[j] ~ normal(0, 5);
    sigma[j] ~ normal(0, 3);
  }
  target += log_sum_exp(unalpha_tk[T]);
}
generated quantities {
  array[T] vector[K] alpha_tk;
  for (t in 1:T) alpha_tk[t] = softmax(unalpha_tk[t]);
  vector[K] last = normalize(exp(unalpha_tk[T] - max(unalpha_tk[T])));
}
