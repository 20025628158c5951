// data: tests/stan_corpus/functions_overloaded.json
// Overloaded user functions (Stan 2.29, issue 13): one name defined for
// several argument types or counts, each call resolved by Stan's rules
// (an exact match first, then `int` promoted to `real`), `_lpdf`/`_lpmf`
// overloads chosen by `~` from the outcome's type, forward declarations
// matched by signature, and calls chosen inside bodies, loops and other
// calls, recursion and early returns. Every overload computes something visibly different, so a wrong
// choice changes the density: tests/e2e/overloads.rs compares the log
// density and gradient with functions_overloaded_closed.stan, where each
// call is written out as the overload it must take.
functions {
  real twice(real x);
  real twice(vector v);
  real center(real x, real m) { return x - m; }
  vector center(vector x, real m) { return (x - m) / 2; }
  real kernel(real d) { return exp(-d); }
  real kernel(real d, real rho) { return exp(-d / rho); }
  real weight(int k) { return k + 0.5; }
  real weight(real x) { return 2 * x; }
  real total(array[] real x) { return sum(x); }
  real total(array[] int n) { return 10 * sum(n); }
  real total(vector v) { return 3 * sum(v); }
  real foo_lpdf(real y, real mu) { return normal_lpdf(y | mu, 1); }
  real foo_lpdf(vector y, real mu) { return normal_lpdf(y | mu, 2); }
  real foo_lpmf(int n, real lambda) { return poisson_log_lpmf(n | lambda); }
  real twice(real x) { return 2 * x; }
  real twice(vector v) { return 2 * sum(v); }
  vector shift(vector v, int k) {
    vector[rows(v)] out = v;
    for (i in 1:rows(v)) {
      out[i] += k;
    }
    return out;
  }
  real shift(real x, int k) { return x + k; }
  // A recursive overload is compiled as a function of its own; an
  // overload returning from inside its loop.
  int fib(int n) { if (n < 2) return n; return fib(n - 1) + fib(n - 2); }
  real fib(real x) { return 2 * x; }
  real first_positive(vector v) {
    for (i in 1:rows(v)) {
      if (v[i] > 0) return v[i];
    }
    return 0;
  }
  real first_positive(real x) { return -x; }
  // An `int` given for a `real` is promoted, as in Stan: no integer
  // division in the body.
  real half(real x) { return x / 2; }
  vector half(vector v) { return v / 2; }
  // The arguments' declared types choose inside a body.
  real both(vector v, real m) { return sum(center(v, m)) + center(m, 1); }
}
data {
  int N;
  vector[N] y;
  array[N] int counts;
  array[3] real xs;
  real d;
}
parameters {
  real mu;
  real<lower=0> rho;
  vector[N] z;
}
model {
  mu ~ normal(0, 1);
  rho ~ lognormal(0, 0.5);
  z ~ normal(0, 1);
  target += -0.5 * dot_self(center(z, mu)) - 0.5 * square(center(mu, 0.5));
  target += kernel(d) + kernel(d, rho);
  target += weight(N) + weight(mu);
  target += total(xs) + 0.01 * total(counts) + 0.1 * total(z);
  y ~ foo(mu);
  y[1] ~ foo(mu);
  for (i in 1:N) {
    counts[i] ~ foo(mu);
  }
  target += foo_lpdf(y[2] | mu) + foo_lupdf(y | mu) + foo_lpmf(counts[1] | mu);
  for (x in xs) {
    target += 0.1 * weight(x);
  }
  for (k in 1:2) {
    target += 0.1 * weight(k);
  }
  target += twice(mu) + 0.1 * twice(z);
  target += -0.5 * dot_self(shift(z, 1)) + shift(mu, 2);
  target += twice(center(mu, 1.0)) + twice(center(z, 1.0));
  target += both(z, mu);
}
generated quantities {
  real by_int = weight(3);
  real by_real = weight(3.0);
  real by_count = kernel(d) + 10 * kernel(d, 2);
  int fib_n = fib(N + 6);
  real fib_x = fib(1.5);
  real first_y = first_positive(y[2:N]);
  real first_x = first_positive(xs[2]);
  real half_n = half(N - 1);
}
