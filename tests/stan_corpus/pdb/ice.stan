// data: tests/stan_corpus/pdb/ice.json
// Ice: non-parametric smoothing in an age-cohort model (BUGS vol. 2)
data {
  int<lower=0> N;
  int<lower=0> Nage;
  int<lower=0> K;
  array[N] int year;
  array[N] int cases;
  array[N] int age;
  array[N] int pyr;
}
parameters {
  array[Nage - 1] real alpha1;
  array[K] real beta;
  real<lower=0, upper=1> sigma;
}
transformed parameters {
  array[Nage] real alpha;
  alpha[1] = 0.0;
  for (i in 2:Nage)
    alpha[i] = alpha1[i - 1];
}
model {
  for (i in 1:N)
    cases[i] ~ poisson(exp(log(pyr[i]) + alpha[age[i]] + beta[year[i]]));
  alpha1 ~ normal(0, 1000);
  beta[1] ~ normal(0, sigma * 1E3);
  beta[2] ~ normal(0, sigma * 1E3);
  for (k in 3:K)
    beta[k] ~ normal(2 * beta[k - 1] - beta[k - 2], sigma);
  sigma ~ uniform(0, 1);
}
generated quantities {
  array[K] real logRR;
  for (k in 1:K)
    logRR[k] = beta[k] - beta[5];
}
