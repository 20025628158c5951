// data: tests/stan_corpus/while_series.json
// A hand-written series in a `while` loop whose every value depends on a
// parameter: exp(x) summed term by term until the terms are negligible
// (the condition depends on x, so the trip count does too). The sum must
// equal exp(x), and its gradient exp(x)'s (tests/e2e/while_loops.rs).
data { int N; vector[N] y; }
parameters { real x; }
transformed parameters {
  real s = 1;
  {
    real term = 1;
    int k = 1;
    while (fabs(term) > 1e-16 * fabs(s)) {
      term *= x / k;
      s += term;
      k += 1;
    }
  }
}
model {
  x ~ normal(0, 1);
  y ~ normal(s, 1);
}
