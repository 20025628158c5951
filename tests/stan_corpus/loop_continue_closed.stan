// loop_continue.stan without `continue`: the same sums written with
// fmax and over the even indices. The two must have the same log density
// and gradient (tests/e2e/while_loops.rs).
data { int N; vector[N] y; }
parameters { real mu; real<lower=0> sigma; }
transformed parameters {
  real above = 0;
  for (n in 1:N)
    above += square(fmax(y[n] - mu, 0)) / sigma;
  real even = 0;
  for (k in 1:N)
    if (k % 2 == 0)
      even += log1p(square(y[k] - mu));
}
model {
  mu ~ normal(0, 2);
  sigma ~ lognormal(0, 1);
  target += -0.5 * above - N * log(sigma) / 2 - even;
}
