// data: tests/stan_corpus/functions.json
// A log likelihood summed with `+=` in a function's loop, and functions
// calling functions.
functions {
  real my_ll(vector z, vector mu, real s) {
    real lp = 0;
    for (n in 1:num_elements(z)) {
      lp += normal_lpdf(z[n] | mu[n], s);
    }
    return lp;
  }
  real twice(real x) { return 2 * x; }
  real quad(real x) { return twice(twice(x)); }
}
data { int N; vector[N] x; vector[N] z; }
parameters { real alpha; real beta; real<lower=0> sigma; }
model {
  target += my_ll(z, alpha + beta * x, sigma);
  alpha ~ normal(quad(0.25), 1);
}
