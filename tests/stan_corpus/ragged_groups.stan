// data: tests/stan_corpus/ragged_groups.json
// A hierarchical regression on groups of different sizes held in one
// long vector (Stan's ragged-array idiom): each group's observations are
// the slice y[pos[g] : pos[g] + n[g] - 1], taken by `~` as a loop over its
// elements. make_ragged.py simulated the data.
data {
  int<lower=1> G;
  array[G] int<lower=0> n;
  int<lower=0> N;
  vector[N] x;
  vector[N] y;
}
transformed data {
  array[G] int pos;
  pos[1] = 1;
  for (g in 2:G) pos[g] = pos[g - 1] + n[g - 1];
}
parameters {
  real mu;
  real<lower=0> tau;
  vector[G] a;
  real b;
  real<lower=0> sigma;
}
model {
  mu ~ normal(0, 5);
  tau ~ normal(0, 2);
  b ~ normal(0, 2);
  sigma ~ normal(0, 2);
  a ~ normal(mu, tau);
  for (g in 1:G) {
    y[pos[g]:(pos[g] + n[g] - 1)] ~ normal(a[g] + b * x[pos[g]:(pos[g] + n[g] - 1)], sigma);
  }
}
generated quantities {
  // The mean of each group's residuals, from a segment of run-time length.
  vector[G] resid_mean;
  // A length computed in this block: a top-level value over a run-time tail.
  int big = 0;
  for (g in 1:G) big += n[g] > 4;
  real tail_sum = sum(tail(y, big));
  for (g in 1:G) {
    if (n[g] > 0) resid_mean[g] = mean(segment(y, pos[g], n[g]) - a[g] - b * segment(x, pos[g], n[g]));
    else resid_mean[g] = 0;
  }
}
