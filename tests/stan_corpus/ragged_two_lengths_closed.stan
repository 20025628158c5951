// ragged_two_lengths.stan with every subject's measurements taken one by
// one (no local sized by a run-time length), for tests/e2e.
data {
  int<lower=1> G;
  array[G] int<lower=1> na;
  array[G] int<lower=1> nb;
  int<lower=0> Na;
  int<lower=0> Nb;
  vector[Na] ya;
  vector[Nb] yb;
}
transformed data {
  array[G] int pa;
  array[G] int pb;
  pa[1] = 1;
  pb[1] = 1;
  for (g in 2:G) {
    pa[g] = pa[g - 1] + na[g - 1];
    pb[g] = pb[g - 1] + nb[g - 1];
  }
}
parameters {
  real mu;
  real<lower=0> tau;
  real delta;
  real<lower=0> sigma;
  vector[G] alpha;
}
model {
  mu ~ normal(0, 5);
  tau ~ normal(0, 2);
  delta ~ normal(0, 2);
  sigma ~ normal(0, 1);
  alpha ~ normal(mu, tau);
  for (g in 1:G) {
    for (i in 1:na[g]) target += normal_lpdf(ya[pa[g] + i - 1] | alpha[g], sigma);
    for (i in 1:nb[g]) target += normal_lpdf(yb[pb[g] + i - 1] | alpha[g] + delta, sigma);
  }
}
