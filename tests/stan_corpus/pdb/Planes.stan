// data: tests/stan_corpus/pdb/planes.json
// Number of planes by capture-recapture, hypergeometric with the discrete
// population summed out (Bayesian Cognitive Modeling, ch. 8)
data {
  int<lower=0> x; // size of first sample (captures)
  int<lower=0> n; // size of second sample
  int<lower=0, upper=n> k; // number of recaptures from n
  int<lower=x> tmax; // maximum population size
}
transformed data {
  int tmin;
  tmin = max(x, n - k + x); // the minimum possible population size
}
parameters {
  real<lower=0, upper=1> dummy; // a parameter Stan needs
}
transformed parameters {
  vector[tmax] lp_parts;
  for (t in 1:tmax) {
    if (t < tmin)
      lp_parts[t] = log(1.0 / tmax) + negative_infinity();
    else
      lp_parts[t] = log(1.0 / tmax) + hypergeometric_lpmf(k | n, x, t - x);
  }
}
model {
  target += log_sum_exp(lp_parts);
}
generated quantities {
  int<lower=tmin, upper=tmax> t;
  t = categorical_rng(softmax(lp_parts));
}
