// data: tests/stan_corpus/pdb/otrees.json
// Orange trees: a hierarchical, nonlinear growth model (BUGS vol. 2)
data {
  int<lower=0> K;
  int<lower=0> n;
  array[n] real x;
  array[K, n] real Y;
}
parameters {
  array[K, 3] real theta;
  array[3] real mu;
  array[3] real<lower=0> tau;
  real<lower=0> tauC;
}
transformed parameters {
  array[3] real<lower=0> sigma;
  real<lower=0> sigmaC;
  sigmaC = 1 / sqrt(tauC);
  for (j in 1:3)
    sigma[j] = 1 / sqrt(tau[j]);
}
model {
  for (i in 1:K) {
    for (j in 1:n) {
      Y[i, j] ~ normal(exp(theta[i, 1])
                       / (1 + (exp(theta[i, 2]) - 1) * exp(-exp(theta[i, 3]) * x[j])),
                       sigmaC);
    }
  }
  for (i in 1:K)
    for (k in 1:3)
      theta[i, k] ~ normal(mu[k], sigma[k]);
  mu ~ normal(0, 100);
  tau ~ gamma(1.0E-3, 1.0E-3);
  tauC ~ gamma(1.0E-3, 1.0E-3);
}
