// data: tests/stan_corpus/timeseries.json
// Nested loops: a scalar accumulated over the inner loop and carried over
// the outer one.
data { int N; vector[N] y; int M; int J; matrix[M, J] X; }
parameters { vector[J] w; real<lower=0, upper=1> rho; }
model {
  real state = 0;
  w ~ normal(0, 1);
  for (m in 1:M) {
    real eta = 0;
    for (j in 1:J)
      eta = eta + X[m, j] * w[j];
    state = rho * state + eta;
    y[m] ~ normal(state, 1);
  }
}
