// data: tests/stan_corpus/batched_map_chains.json
// Likelihood loops with several elementwise calls per observation, some
// depending on others' values: ir::batch computes each level of them in
// one batched call per block (exp, then log of a sum of exps; exp, then
// log1p of a ratio with it and log1p's derivative; two exps feeding a
// scalar lgamma).
data {
  int N;
  vector[N] x;
  vector[N] y;
  vector<lower=0>[N] y_pos;
  array[N] int<lower=1, upper=3> k;
}
parameters {
  vector[3] a;
  vector[3] b;
  real m0;
  real m1;
  real s0;
  real s1;
  real g0;
  real g1;
}
model {
  a ~ normal(0, 1);
  b ~ normal(0, 1);
  m0 ~ normal(0, 1); m1 ~ normal(0, 1); s0 ~ normal(0, 1); s1 ~ normal(0, 1);
  g0 ~ normal(0, 1); g1 ~ normal(0, 1);
  for (n in 1:N) k[n] ~ categorical_logit(a + b * x[n]);
  for (n in 1:N) y[n] ~ cauchy(m0 + m1 * x[n], exp(s0 + s1 * x[n]));
  for (n in 1:N) y_pos[n] ~ gamma(exp(g0 + g1 * x[n]), exp(g1 - g0 * x[n]));
  for (n in 1:N) target += log(1 + square(y[n] - m1)) - log1p(exp(s1 * x[n]));
}
