// data: tests/stan_corpus/timeseries.json
// Assignment targets written with nested brackets, `a[t][k] = ...` and
// `m[k][t] = ...`, as Stan programs write them: the same elements as
// `a[t, k]` and `m[k, t]`, on arrays of vectors, matrices and arrays.
data { int N; vector[N] y; int K; }
parameters { vector[K] w; real<lower=0> sigma; }
transformed parameters {
  array[N] vector[K] score;
  matrix[K, N] lik;
  for (t in 1:N) {
    for (k in 1:K) {
      score[t][k] = w[k] * (t - 1.0) / N;
      lik[k][t] = normal_lpdf(y[t] | score[t][k], sigma);
    }
  }
}
model {
  array[N, K] real acc;
  w ~ normal(0, 1);
  sigma ~ lognormal(0, 1);
  for (t in 1:N) {
    for (k in 1:K) acc[t][k] = lik[k, t] + log(1.0 / K);
    target += log_sum_exp(acc[t]);
  }
}
