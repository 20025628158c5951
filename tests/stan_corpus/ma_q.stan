// data: tests/stan_corpus/ma_q.json
// The Stan User's Guide's MA(Q) model: each error term is built by a
// loop over q that subtracts in place from epsilon[t] (one element, whose
// index comes from before the loop, saved alone per iteration: no copy of
// epsilon per inner iteration), as eta[t] in the model block.
data {
  int<lower=0> Q;       // num previous noise terms
  int<lower=3> T;       // num observations
  array[T] real y;      // observation at time t
}
parameters {
  real mu;              // mean
  real<lower=0> sigma;  // error scale
  vector[Q] theta;      // error coeff, lag -t
}
transformed parameters {
  vector[T] epsilon;    // error term at time t
  for (t in 1:T) {
    epsilon[t] = y[t] - mu;
    for (q in 1:min(t - 1, Q)) {
      epsilon[t] = epsilon[t] - theta[q] * epsilon[t - q];
    }
  }
}
model {
  vector[T] eta;
  mu ~ cauchy(0, 2.5);
  theta ~ cauchy(0, 2.5);
  sigma ~ cauchy(0, 2.5);
  for (t in 1:T) {
    eta[t] = mu;
    for (q in 1:min(t - 1, Q)) {
      eta[t] = eta[t] + theta[q] * epsilon[t - q];
    }
  }
  y ~ normal(eta, sigma);
}
