// data: tests/stan_corpus/pdb/survey.json
// Inferring Return Rate and Number of Surveys from Observed Returns
data {
  int<lower=0> nmax;
  int<lower=0> m;
  array[m] int<lower=0,upper=nmax> k;
}
transformed data {
  int<lower=0> nmin;  // Minimum possible n

  nmin = max(k);
}
parameters {
  real<lower=0,upper=1> theta;
}
transformed parameters {
  vector[nmax] lp_parts;  // Log probability for each n

  // First part of the trick for mixture model
  for (n in 1:nmax)
    if (n < nmin)
      lp_parts[n] = log(1.0 / nmax) + negative_infinity();  // Zero probability
    else
      lp_parts[n] = log(1.0 / nmax) + binomial_lpmf(k | n, theta);
}
model {
  // Second part of the trick for mixture model
  target += log_sum_exp(lp_parts);
}
generated quantities {
  int<lower=1,upper=nmax> n;
  simplex[nmax] prob_n;

  // Transforming lp_parts to a probability vector
  prob_n = softmax(lp_parts);
  // Sampling n from prob_n
  n = categorical_rng(prob_n);
}
