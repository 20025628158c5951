// data: tests/stan_corpus/pdb/salm.json
data {
  int<lower=0> Ndoses;
  int<lower=0> Nplates;
  array[Ndoses, Nplates] int<lower=0> y;
  array[Ndoses] real x;
}
transformed data {
  array[Ndoses] real logx10;
  for (i in 1:Ndoses)
    logx10[i] = log(x[i] + 10);
}
parameters {
  real alpha;
  real beta;
  real gamma;
  real<lower=0> tau;
  array[Ndoses, Nplates] real lambda;
}
transformed parameters {
  real<lower=0> sigma;
  sigma = 1.0 / sqrt(tau);
}
model {
  alpha ~ normal(0.0, 100);
  beta ~ normal(0.0, 100);
  gamma ~ normal(0.0, 1.0E5);
  tau ~ gamma(0.001, 0.001);
  for (dose in 1:Ndoses) {
    for (plate in 1:Nplates) {
      lambda[dose, plate] ~ normal(0.0, sigma);
      y[dose, plate] ~ poisson_log(alpha + beta * logx10[dose]
                                   + gamma * x[dose] + lambda[dose, plate]);
    }
  }
}
