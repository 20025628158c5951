// data: tests/stan_corpus/pdb/change_detection.json
// Change detection (Bayesian Cognitive Modeling, ch. 5): one change point
// of a normal mean, summed out over the times
data {
  int<lower=1> n;
  vector[n] t;
  vector[n] c;
}
parameters {
  vector[2] mu;
  real<lower=0> lambda;
}
transformed parameters {
  real<lower=0> sigma;
  vector[n] lp;
  sigma = inv_sqrt(lambda);
  lp = rep_vector(-log(n), n);
  for (s in 1:n)
    for (i in 1:n)
      lp[s] = lp[s] + normal_lpdf(c[i] | (t[i] < s ? mu[1] : mu[2]), sigma);
}
model {
  mu ~ normal(0, inv_sqrt(.001));
  lambda ~ gamma(.001, .001);
  target += log_sum_exp(lp);
}
generated quantities {
  int<lower=1, upper=n> tau = categorical_rng(softmax(lp));
}
