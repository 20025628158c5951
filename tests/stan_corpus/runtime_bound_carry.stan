// data: tests/stan_corpus/runtime_bound.json
// Carried values in loops whose trip counts are known only at run time,
// so their AD tapes grow at run time (issue 13):
// - a ragged discounted sum, the inner bound read from a data array at the
//   outer index (no bound on it follows from value ranges);
// - an AR(1) recursion over a prefix whose length the model block finds
//   with a data-only `while` loop.
data {
  int N;
  vector[N] y;
  int G;
  array[G] int len;
  vector[N] z;
  real horizon;
}
parameters {
  real mu;
  real<lower=0, upper=1> rho;
  real<lower=0> sigma;
}
model {
  int pos = 1;
  mu ~ normal(0, 2);
  sigma ~ exponential(1);
  for (g in 1:G) {
    real s = 0;
    for (j in 1:len[g]) {
      s = rho * s + z[pos + j - 1];
    }
    pos += len[g];
    y[g] ~ normal(mu + s, sigma);
  }
  {
    int n = 0;
    real level = mu;
    while (n < N && n * 0.5 < horizon)
      n += 1;
    for (t in 1:n) {
      level = rho * level + (1 - rho) * z[t];
      target += normal_lpdf(y[t] | level, sigma);
    }
  }
}
