// loop_break.stan without its loops: the library's I0, the hinge as a sum
// of fmax(mu - y, 0)^2, and exp(mu). The two must have the same log
// density and gradient (tests/e2e/while_loops.rs).
data { int N; vector[N] y_sorted; }
parameters { real<lower=0> x; real mu; }
transformed parameters {
  real i0 = modified_bessel_first_kind(0, x);
  real hinge = 0;
  for (n in 1:N)
    hinge += square(fmax(mu - y_sorted[n], 0));
  real halved = exp(mu);
}
model {
  x ~ gamma(2, 1);
  mu ~ normal(0, 2);
  target += -0.1 * hinge + 0.5 * log(i0) - 0.05 * square(halved);
}
