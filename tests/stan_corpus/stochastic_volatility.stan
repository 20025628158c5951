// data: tests/stan_corpus/timeseries.json
// The Stan User's Guide's stochastic volatility model: h is rescaled in
// place, then each h[t] is increased in place by a term reading h[t - 1]
// (a loop of in-place additions, whose reverse needs no copy of h per
// iteration), and the likelihood reads exp(h / 2).
data { int N; vector[N] y; }
parameters {
  real mu;
  real<lower=-1, upper=1> phi;
  real<lower=0> sigma;
  vector[N] h_std;
}
transformed parameters {
  vector[N] h = h_std * sigma;
  h[1] /= sqrt(1 - phi * phi);
  h += mu;
  for (t in 2:N) {
    h[t] += phi * (h[t - 1] - mu);
  }
}
model {
  phi ~ uniform(-1, 1);
  sigma ~ cauchy(0, 5);
  mu ~ cauchy(0, 10);
  h_std ~ std_normal();
  y ~ normal(0, exp(h / 2));
}
