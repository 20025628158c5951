// data: tests/stan_corpus/while_branching.json
// A branching process: the extinction probability q of a Poisson(R)
// offspring law is the smallest fixed point of q = exp(R (q - 1)),
// iterated from 0 in a `while` loop until it stops moving; then the
// expected size of each generation by the renewal recursion
// m[g + 1] = R m[g], summed while it is not negligible. Both trip counts
// depend on R.
data { int N; array[N] int extinct; vector[N] total; }
parameters { real<lower=1.05, upper=3> R; real<lower=0> tau; }
transformed parameters {
  real q = 0;
  real expected = 0;
  {
    real last = 1;
    while (fabs(q - last) > 1e-13) {
      last = q;
      q = exp(R * (q - 1));
    }
    real m = 1;
    int g = 0;
    while (m > 1e-13 * expected && g < 2000) {
      expected += m;
      m *= R * q;
      g += 1;
    }
  }
}
model {
  tau ~ normal(0, 5);
  extinct ~ bernoulli(q);
  total ~ lognormal(log(expected), tau);
}
