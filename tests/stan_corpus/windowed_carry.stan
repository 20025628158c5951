// data: tests/stan_corpus/timeseries.json
// A discounted sum over a window of the last K values, written as an inner
// loop whose bounds move with the outer loop (zero trips at t = 1, fewer
// than K near the start): the carried `s` gets a tape sized for the
// longest window, known from the data.
data {
  int N;
  vector[N] y;
  int K;
}
parameters {
  real mu;
  real<lower=-1, upper=1> phi;
  real<lower=0> sigma;
}
model {
  mu ~ normal(0, 2);
  sigma ~ exponential(1);
  for (t in 1:N) {
    real s = 0;
    for (j in max(1, t - K):(t - 1)) {
      s = phi * s + y[j];
    }
    y[t] ~ normal(mu + 0.5 * s, sigma);
  }
}
