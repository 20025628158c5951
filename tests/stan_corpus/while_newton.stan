// data: tests/stan_corpus/while_newton.json
// Newton's method inside the model: z solves z^3 + z = a for a parameter
// a, iterated in a `while` loop until the step is negligible (at most 100
// steps); the gradient goes through every iteration (the implicit
// derivative 1 / (3 z^2 + 1) at convergence). A fit recovers a simulated
// a (tests/e2e/while_loops.rs).
data { int N; vector[N] y; }
parameters { real a; real<lower=0> sigma; }
transformed parameters {
  real z = 0;
  {
    real step = 1;
    int it = 0;
    while (fabs(step) > 1e-12 && it < 100) {
      step = (z ^ 3 + z - a) / (3 * z ^ 2 + 1);
      z -= step;
      it += 1;
    }
  }
}
model {
  a ~ normal(0, 5);
  sigma ~ normal(0, 1);
  y ~ normal(z, sigma);
}
