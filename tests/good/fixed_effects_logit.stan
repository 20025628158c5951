// Fixed-effects logit (MODELS.md 16) in plain Stan: one intercept per group
// with a wide prior, groups as an int index array.
data {
  int<lower=1> N;
  int<lower=1> G;
  array[N] int<lower=1, upper=G> g;
  vector[N] x;
  vector[G] z;
  array[N] int<lower=0, upper=1> y;
}
parameters {
  vector[G] a0;
  real bxy;
  real bzy;
}
model {
  a0 ~ normal(0, 10);
  bxy ~ normal(0, 1);
  bzy ~ normal(0, 1);
  y ~ bernoulli_logit(a0[g] + bxy * x + bzy * z[g]);
}
generated quantities {
  vector[N] log_lik;
  for (n in 1:N) {
    log_lik[n] = bernoulli_logit_lpmf(y[n] | a0[g[n]] + bxy * x[n] + bzy * z[g[n]]);
  }
}
