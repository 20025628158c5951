// data: tests/stan_corpus/pdb/eight_schools.json
data {
  int<lower=0> J;          // number of schools
  array[J] real y;         // estimated treatment
  array[J] real<lower=0> sigma; // std of estimated effect
}
parameters {
  vector[J] theta_trans;   // transformation of theta
  real mu;                 // hyper-parameter of mean
  real<lower=0> tau;       // hyper-parameter of sd
}
transformed parameters {
  vector[J] theta;
  // original theta
  theta = theta_trans * tau + mu;
}
model {
  theta_trans ~ normal(0, 1);
  y ~ normal(theta, sigma);
  mu ~ normal(0, 5);       // a non-informative prior
  tau ~ cauchy(0, 5);
}
generated quantities {
  vector[J] log_lik;
  array[J] real y_rep;
  for (j in 1:J) {
    log_lik[j] = normal_lpdf(y[j] | theta[j], sigma[j]);
    y_rep[j] = normal_rng(theta[j], sigma[j]);
  }
}
