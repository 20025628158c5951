// data: tests/stan_corpus/pdb/bpa_glm_binomial.json
data {
  int<lower=0> nyears;                 // Number of years
  array[nyears] int<lower=0> C;        // Counts
  array[nyears] int<lower=0> N;        // Binomial totals
  vector[nyears] year;                 // Year
}
transformed data {
  vector[nyears] year_squared;

  year_squared = year .* year;
}
parameters {
  real alpha;
  real beta1;
  real beta2;
}
transformed parameters {
  vector[nyears] logit_p;

  logit_p = alpha + beta1 * year + beta2 * year_squared;
}
model {
  // Priors
  alpha ~ normal(0, 100);
  beta1 ~ normal(0, 100);
  beta2 ~ normal(0, 100);

  // Likelihood
  C ~ binomial_logit(N, logit_p);
}
generated quantities {
  array[nyears] real<lower=0,upper=1> p;

  for (i in 1:nyears)
    p[i] = inv_logit(logit_p[i]);
}
