// data: tests/stan_corpus/regression.json
// Sizes computed from data: an expression in a declaration, an int of
// transformed data (declared with its value, or counted in a loop), and a
// local int of the model block.
data {
  int N;
  int K;
  matrix[N, K] X;
  vector[N] y;
}
transformed data {
  int Kc = K - 1;
  matrix[N, K - 1] Xc;
  vector[Kc] means;
  for (k in 2:K) {
    means[k - 1] = mean(X[, k]);
    Xc[, k - 1] = X[, k] - means[k - 1];
  }
  int n_pos = 0;
  for (n in 1:N) {
    if (y[n] > 0) n_pos += 1;
  }
  array[n_pos] int pos;
  {
    int j = 1;
    for (n in 1:N) {
      if (y[n] > 0) {
        pos[j] = n;
        j += 1;
      }
    }
  }
}
parameters {
  real alpha;
  vector[Kc] beta;
  real<lower=0> sigma;
}
model {
  vector[N] mu = alpha + Xc * beta;
  {
    int L = N;
    vector[L] r;
    for (n in 1:L) r[n] = y[n] - mu[n];
    target += normal_lpdf(r | 0, sigma);
  }
  alpha ~ normal(0, 5);
  beta ~ normal(0, 1);
  sigma ~ normal(0, 1);
}
generated quantities {
  int positives = n_pos;
  real first_pos = n_pos > 0 ? y[pos[1]] : 0;
}
