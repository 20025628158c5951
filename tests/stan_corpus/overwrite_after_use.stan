// A vector read, then overwritten through a multi-index (in a branch) and
// as a whole by an expression that reads it (lowered to a temporary and a
// copy back): the gradient copies it before each overwrite and puts it
// back once the overwrite is reversed (as posteriordb's hilbert_gp,
// `intercept[days] = ...; intercept += intercept0;`).
// data: tests/stan_corpus/overwrite_after_use.json
data {
  int<lower=1> N;
  array[3] int<lower=1, upper=N> idx;
  vector[N] y;
  int<lower=0, upper=1> flag;
}
parameters {
  vector[N] b;
  real c;
  real d;
}
model {
  vector[N] m = b * 2;
  real s = sum(exp(m));
  if (flag) {
    m[idx] = rep_vector(c, 3);
  }
  m[idx] = m[idx] * 0.5 + c;
  m = m .* m + exp(m) * d;
  m += d;
  y ~ normal(m + s, 5);
  b ~ normal(0, 1);
  c ~ normal(0, 1);
  d ~ normal(0, 1);
}
