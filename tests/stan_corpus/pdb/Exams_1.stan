// data: tests/stan_corpus/pdb/exams.json
// Exam scores: a latent mixture of guessers and knowers, marginalised
// (Bayesian Cognitive Modeling, ch. 6)
data {
  int<lower=1> p;
  int<lower=0> n;
  array[p] int<lower=0> k;
}
parameters {
  // Prior on Group Membership and Guessing Rate
  real<lower=.5, upper=1> phi;
}
transformed parameters {
  array[p] vector[2] lp_parts;
  for (i in 1:p) {
    lp_parts[i, 1] = log(.5) + binomial_lpmf(k[i] | n, phi);
    lp_parts[i, 2] = log(.5) + binomial_lpmf(k[i] | n, .5);
  }
}
model {
  for (i in 1:p)
    target += log_sum_exp(lp_parts[i]);
}
generated quantities {
  array[p] int<lower=0, upper=1> z;
  for (i in 1:p) {
    vector[2] prob;
    prob = softmax(lp_parts[i]);
    z[i] = bernoulli_rng(prob[1]);
  }
}
