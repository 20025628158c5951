// data: tests/stan_corpus/timeseries.json
// ARMA(1,1): the error of one step feeds the prediction of the next, a
// scalar carried across iterations.
data { int N; vector[N] y; }
parameters { real mu; real<lower=-1, upper=1> phi; real<lower=-1, upper=1> theta; real<lower=0> sigma; }
model {
  real err;
  mu ~ normal(0, 10);
  phi ~ normal(0, 2);
  theta ~ normal(0, 2);
  sigma ~ cauchy(0, 5);
  err = y[1] - (mu + phi * mu);
  for (t in 2:N) {
    real nu = mu + phi * y[t - 1] + theta * err;
    err = y[t] - nu;
    err ~ normal(0, sigma);
  }
}
