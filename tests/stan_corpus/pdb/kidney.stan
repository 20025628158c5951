// data: tests/stan_corpus/pdb/kidney.json
// Kidney: Weibull regression with random effects and censoring (BUGS vol. 1)
data {
  int<lower=0> NP;
  int<lower=0> N_uc;
  int<lower=0> N_rc;
  array[N_uc] real<lower=0> t_uc;
  array[N_rc] real<lower=0> t_rc;
  array[N_uc] int disease_uc;
  array[N_rc] int disease_rc;
  array[N_uc] int patient_uc;
  array[N_rc] int patient_rc;
  array[N_uc] int sex_uc;
  array[N_rc] int sex_rc;
  array[N_uc] real age_uc;
  array[N_rc] real age_rc;
}
parameters {
  real alpha;
  real beta_age;
  real beta_sex;
  real beta_disease2;
  real beta_disease3;
  real beta_disease4;
  real<lower=0> r;
  real<lower=0> tau;
  vector[NP] b;
}
transformed parameters {
  real sigma;
  sigma = 1 / sqrt(tau);
}
model {
  alpha ~ normal(0, 100);
  beta_age ~ normal(0, 100);
  beta_sex ~ normal(0, 100);
  beta_disease2 ~ normal(0, 100);
  beta_disease3 ~ normal(0, 100);
  beta_disease4 ~ normal(0, 100);
  tau ~ gamma(1.0E-3, 1.0E-3);
  r ~ gamma(1, 1.0E-3);

  for (i in 1:NP)
    b[i] ~ normal(0, sigma);
  for (i in 1:N_uc) {
    t_uc[i] ~ weibull(r, exp(-(alpha + beta_age * age_uc[i] + beta_sex * sex_uc[i]
                                + beta_disease2 * (disease_uc[i] == 2)
                                + beta_disease3 * (disease_uc[i] == 3)
                                + beta_disease4 * (disease_uc[i] == 4)
                                + b[patient_uc[i]]) / r));
  }
  for (i in 1:N_rc) {
    1 ~ bernoulli(exp(-pow(t_rc[i]
                           / exp(-(alpha + beta_age * age_rc[i] + beta_sex * sex_rc[i]
                                   + beta_disease2 * (disease_rc[i] == 2)
                                   + beta_disease3 * (disease_rc[i] == 3)
                                   + beta_disease4 * (disease_rc[i] == 4)
                                   + b[patient_rc[i]]) / r), r)));
  }
}
