// data: tests/stan_corpus/pdb/seven_scientists.json
// The Seven Scientists (Bayesian Cognitive Modeling, ch. 4)
data {
  int<lower=1> n;
  vector[n] x;
}
parameters {
  real mu;
  vector<lower=.001>[n] lambda;
}
transformed parameters {
  vector[n] sigma;
  for (i in 1:n)
    sigma[i] = inv_sqrt(lambda[i]);
}
model {
  // Priors
  mu ~ normal(0, sqrt(1000));
  lambda ~ gamma(.001, .001);
  // Data Come From Gaussians With Common Mean But Different Precisions
  x ~ normal(mu, sigma);
}
