// data: tests/stan_corpus/timeseries.json
// MA(1) with its one-step predictions and residuals kept as vectors (the
// shape of posteriordb's arma11): the first elements are written and read
// before the loop that fills the rest. The loop stores only elements no
// earlier statement read, so nothing read is overwritten.
data { int N; vector[N] y; }
parameters { real mu; real<lower=-1, upper=1> theta; real<lower=0> sigma; }
model {
  vector[N] pred;
  vector[N] resid;
  pred[1] = mu;
  resid[1] = y[1] - pred[1];
  for (t in 2:N) {
    pred[t] = mu + theta * resid[t - 1];
    resid[t] = y[t] - pred[t];
  }
  mu ~ normal(0, 5);
  theta ~ normal(0, 1);
  sigma ~ normal(0, 2);
  resid ~ normal(0, sigma);
}
