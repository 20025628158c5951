// The Mundlak multilevel logit (seed 002, MODELS.md 18) as plain Stan:
// integer sizes, `vector[N] eta` built whole, group means computed in a loop.
// The same model as examples/mundlak_logit.hbm; the plain-Stan speed case of
// issue 12 and the model peers run (benches/peers/).
// data: examples/stan/confounded.json (examples/data/confounded.json with N and G)
data {
  int<lower=1> N;
  int<lower=1> G;
  array[N] int<lower=1, upper=G> g;
  vector[N] x;
  vector[G] z;
  array[N] int<lower=0, upper=1> y;
}
transformed data {
  vector[G] xbar = rep_vector(0, G);
  vector[G] n_in = rep_vector(0, G);
  for (i in 1:N) {
    xbar[g[i]] += x[i];
    n_in[g[i]] += 1;
  }
  xbar = xbar ./ n_in;
}
parameters {
  real bzy;
  real bxy;
  real buy;
  real abar;
  real<lower=0> tau;
  vector[G] z_a;
}
transformed parameters {
  vector[G] a = abar + tau * z_a;
}
model {
  bzy ~ normal(0, 1);
  bxy ~ normal(0, 1);
  buy ~ normal(0, 1);
  abar ~ normal(0, 1);
  tau ~ exponential(1);
  z_a ~ std_normal();
  y ~ bernoulli_logit(a[g] + bxy * x + bzy * z[g] + buy * xbar[g]);
}
generated quantities {
  vector[N] log_lik;
  for (i in 1:N) {
    log_lik[i] = bernoulli_logit_lpmf(y[i] | a[g[i]] + bxy * x[i] + bzy * z[g[i]] + buy * xbar[g[i]]);
  }
}
