// data: tests/stan_corpus/loop_continue.json
// `continue` in loops whose values depend on parameters: a loss over the
// points above mu only (the condition depends on mu; the loss is
// continuous there), and a `while` loop whose `continue` skips the rest
// of the odd iterations.
data { int N; vector[N] y; }
parameters { real mu; real<lower=0> sigma; }
transformed parameters {
  real above = 0;
  for (n in 1:N) {
    real d = y[n] - mu;
    if (d < 0) continue;
    above += square(d) / sigma;
  }
  real even = 0;
  {
    int k = 0;
    while (k < N) {
      k += 1;
      if (k % 2 == 1) continue;
      even += log1p(square(y[k] - mu));
    }
  }
}
model {
  mu ~ normal(0, 2);
  sigma ~ lognormal(0, 1);
  target += -0.5 * above - N * log(sigma) / 2 - even;
}
