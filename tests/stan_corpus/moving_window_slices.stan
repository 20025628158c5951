// data: tests/stan_corpus/timeseries.json
// Slices whose bounds move with a loop variable but whose length is fixed
// (`s[t - 3 : t - 1]`, a seasonal sum), and a slice bound computed from
// transformed data made in a loop (`b[1 : sum(m) - 1]`).
data { int N; vector[N] y; int K; int J; }
transformed data {
  array[J] int m;
  for (j in 1:J) m[j] = j + K;
}
parameters {
  vector[N] s;
  vector[sum(m) - 1] b_free;
  real<lower=0> sigma;
}
transformed parameters {
  vector[sum(m)] b;
  b[1 : sum(m) - 1] = b_free;
  b[sum(m)] = -sum(b_free);
}
model {
  for (t in 4:N) {
    s[t] ~ normal(-sum(s[t - 3 : t - 1]), 0.5);
  }
  s[1:3] ~ normal(0, 1);
  b ~ normal(0, 1);
  sigma ~ lognormal(0, 0.5);
  y ~ normal(s + mean(b), sigma);
}
