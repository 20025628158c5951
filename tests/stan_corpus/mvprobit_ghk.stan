// data: tests/stan_corpus/mvprobit_ghk.json
// A multivariate probit by the GHK construction: uniform draws mapped
// through inv_Phi between the truncation bounds, each bound reading the
// earlier latent values through a row of the Cholesky factor. The slice
// `L_Omega[d + 1, 1:d]` has a run-time length, so its product is copied
// once per length; the copy for d = D, never run under `if (d < D)`,
// indexed row D + 1 with a constant, which the IR verifier refused.
data {
  int<lower=1> K;
  int<lower=1> D;
  int<lower=0> N;
  array[N, D] int<lower=0, upper=1> y;
  array[N] vector[K] x;
}
parameters {
  matrix[D, K] beta;
  cholesky_factor_corr[D] L_Omega;
  array[N] vector<lower=0, upper=1>[D] u;
}
model {
  L_Omega ~ lkj_corr_cholesky(4);
  to_vector(beta) ~ normal(0, 5);
  for (n in 1:N) {
    vector[D] mu = beta * x[n];
    vector[D] z;
    real prev = 0;
    for (d in 1:D) {
      real bound = Phi(-(mu[d] + prev) / L_Omega[d, d]);
      if (y[n, d] == 1) {
        real t = bound + (1 - bound) * u[n][d];
        z[d] = inv_Phi(t);
        target += log1m(bound);
      } else {
        real t = bound * u[n][d];
        z[d] = inv_Phi(t);
        target += log(bound);
      }
      if (d < D) prev = L_Omega[d + 1, 1:d] * head(z, d);
    }
  }
}
