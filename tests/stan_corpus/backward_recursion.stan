// data: tests/stan_corpus/backward_recursion.json
// Backward recursions filled from the end, as the Jolly-Seber models of
// BPA compute the chance of not being seen again (posteriordb's
// js_super): chi[t] = (1 - phi) + phi (1 - p) chi[t + 1] for t = T - 1
// down to 1, over a vector and per individual over a matrix's row
data {
  int<lower=2> T;
  int<lower=1, upper=9> M;
  array[M] int<lower=1, upper=T> last;
}
parameters {
  real<lower=0, upper=1> phi;
  real<lower=0, upper=1> p;
}
transformed parameters {
  vector[T] chi1;
  matrix[M, T] chi2;
  chi1[T] = 1;
  for (s in 1:(T - 1)) {
    int t = T - s;
    chi1[t] = (1 - phi) + phi * (1 - p) * chi1[t + 1];
  }
  for (i in 1:M) {
    real phi_i = phi * (0.9 + 0.01 * i);
    chi2[i, T] = 1;
    for (s in 1:(T - 1)) {
      int t = T - s;
      chi2[i, t] = (1 - phi_i) + phi_i * (1 - p) * chi2[i, t + 1];
    }
  }
}
model {
  phi ~ beta(2, 2);
  p ~ beta(2, 2);
  target += log(chi1[1]);
  for (i in 1:M)
    target += log(chi2[i, last[i]]);
}
