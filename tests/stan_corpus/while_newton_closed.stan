// while_newton.stan with Newton's iteration replaced by Cardano's formula
// for the real root of z^3 + z - a: the two must have the same log density
// and gradient (tests/e2e/while_loops.rs).
data { int N; vector[N] y; }
parameters { real a; real<lower=0> sigma; }
transformed parameters {
  real z;
  {
    real r = sqrt(square(a) / 4 + 1.0 / 27);
    z = cbrt(a / 2 + r) + cbrt(a / 2 - r);
  }
}
model {
  a ~ normal(0, 5);
  sigma ~ normal(0, 1);
  y ~ normal(z, sigma);
}
