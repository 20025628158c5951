// data: tests/stan_corpus/pdb/kappa.json
// Cohen's kappa (Bayesian Cognitive Modeling, ch. 5)
data {
  array[4] int<lower=0> y;
}
parameters {
  // Underlying Rates
  // Rate Objective Method Decides 'one'
  real<lower=0, upper=1> alpha;
  // Rate Surrogate Method Decides 'one' When Objective Method Decides 'one'
  real<lower=0, upper=1> beta;
  // Rate Surrogate Method Decides 'zero' When Objective Method Decides 'zero'
  real<lower=0, upper=1> gamma;
}
transformed parameters {
  simplex[4] pi;
  real xi;
  real psi;
  real kappa;
  // Probabilities For Each Count
  pi[1] = alpha * beta;
  pi[2] = alpha * (1 - beta);
  pi[3] = (1 - alpha) * (1 - gamma);
  pi[4] = (1 - alpha) * gamma;
  // Derived Measures
  // Rate Surrogate Method Agrees With the Objective Method
  xi = alpha * beta + (1 - alpha) * gamma;
  // Rate of Chance Agreement
  psi = (pi[1] + pi[2]) * (pi[1] + pi[3]) + (pi[2] + pi[4]) * (pi[3] + pi[4]);
  // Chance-Corrected Agreement
  kappa = (xi - psi) / (1 - psi);
}
model {
  alpha ~ beta(1, 1); // could be removed
  beta ~ beta(1, 1); // could be removed
  gamma ~ beta(1, 1); // could be removed
  // Count Data
  y ~ multinomial(pi);
}
