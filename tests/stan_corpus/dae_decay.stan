// data: tests/stan_corpus/dae_decay.json
// A semi-explicit index-1 DAE solved by `dae_tol`: a decaying state y1 and
// an algebraic state y2 = k2 y1 (closed form y1 = y10 exp(-k1 t)); the
// initial values, and the initial derivative Stan's signature asks for,
// depend on parameters. tests/e2e/dae.rs checks the states against the closed
// form; the corpus oracles check JIT = interpreter and gradient = finite
// differences (tight tolerances, so that the differences see a smooth
// function).
functions {
  vector decay_residual(real t, vector yy, vector yp, real k1, real k2) {
    vector[2] r;
    r[1] = yp[1] + k1 * yy[1];
    r[2] = yy[2] - k2 * yy[1];
    return r;
  }
}
data {
  int T;
  array[T] real ts;
  array[T] vector[2] y_obs;
  real<lower=0> sigma;
}
parameters {
  real<lower=0> k1;
  real<lower=0> k2;
  real<lower=0> y10;
}
transformed parameters {
  array[T] vector[2] y = dae_tol(decay_residual, [y10, k2 * y10]', [-k1 * y10, -k1 * k2 * y10]', 0.0, ts,
                                 1e-12, 1e-14, 100000, k1, k2);
}
model {
  k1 ~ lognormal(0, 0.5);
  k2 ~ lognormal(0, 0.5);
  y10 ~ lognormal(0, 0.5);
  for (t in 1:T) {
    y_obs[t] ~ normal(y[t], sigma);
  }
}
