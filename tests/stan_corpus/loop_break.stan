// data: tests/stan_corpus/loop_break.json
// `break` on conditions that depend on parameters. A truncated series in a
// `for` loop that stops once its terms are negligible: I0(x), the modified
// Bessel function, whose value must equal the library's
// (tests/e2e/while_loops.rs); and a hinge loss over sorted data that stops at
// the first point above mu (continuous in mu, so finite differences apply).
// A `while (1)` loop left only by `break`.
data { int N; vector[N] y_sorted; }
parameters { real<lower=0> x; real mu; }
transformed parameters {
  real i0 = 1;
  {
    real term = 1;
    for (k in 1:500) {
      term *= square(x / 2) / square(k);
      i0 += term;
      if (term < 1e-17 * i0) break;
    }
  }
  real hinge = 0;
  for (n in 1:N) {
    real d = mu - y_sorted[n];
    if (d <= 0) break;
    hinge += square(d);
  }
  real halved = exp(mu);
  {
    int steps = 0;
    while (1) {
      if (halved < 1) break;
      halved /= 2;
      steps += 1;
    }
    halved *= 2 ^ steps;
  }
}
model {
  x ~ gamma(2, 1);
  mu ~ normal(0, 2);
  target += -0.1 * hinge + 0.5 * log(i0) - 0.05 * square(halved);
}
