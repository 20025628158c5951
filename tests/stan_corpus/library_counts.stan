// Count and proportion distributions added for Stan programs (issue 13):
// neg_binomial, beta_neg_binomial, beta_proportion, discrete_range,
// hypergeometric, and the bernoulli and beta_binomial cdfs, with every
// suffix on parameters, for the oracles (JIT = interpreter, gradient =
// finite differences).
// data: tests/stan_corpus/library_counts.json
data {
  int N;
  array[N] int k;
  vector<lower=0, upper=1>[N] q;
  array[N] int<lower=0, upper=1> z;
}
parameters {
  real<lower=0.5> alpha;
  real<lower=0.2> beta;
  real<lower=0.5> r;
  real<lower=0.05, upper=0.95> mu;
  real<lower=1> kappa;
  real<lower=0.05, upper=0.95> theta;
}
model {
  k ~ neg_binomial(alpha, beta);
  target += neg_binomial_lpmf(k[1] | alpha, beta) + neg_binomial_lupmf(k | alpha, beta);
  target += neg_binomial_lcdf(k[2] | alpha, beta) + neg_binomial_lccdf(k[3] | alpha, beta);
  k ~ neg_binomial(alpha, beta) T[, 30];
  k ~ beta_neg_binomial(r, alpha + 1, beta + 1);
  target += beta_neg_binomial_lpmf(k[2] | r, alpha, beta) + beta_neg_binomial_lcdf(k[1] | r, alpha + 2, beta);
  target += beta_neg_binomial_lccdf(k[4] | r, alpha + 2, beta);
  q ~ beta_proportion(mu, kappa);
  target += beta_proportion_lupdf(q | mu, kappa) + beta_proportion_lcdf(q[1] | mu, kappa);
  target += beta_proportion_lccdf(q[2] | mu, kappa);
  mu ~ beta_proportion(0.4, 5) T[0.05, 0.95];
  z ~ bernoulli(theta);
  target += bernoulli_lcdf(0 | theta) + bernoulli_lccdf(0 | theta) + bernoulli_lcdf(z | theta);
  target += beta_binomial_lcdf(3 | 10, alpha, beta) + beta_binomial_lccdf(3 | 10, alpha, beta);
  k ~ beta_binomial(12, alpha, beta) T[0, 10];
  target += discrete_range_lpmf(k | 0, 20) + discrete_range_lcdf(k[1] | 0, 10) + discrete_range_lccdf(k[2] | 0, 10);
  k ~ discrete_range(0, 12);
  target += hypergeometric_lpmf(2 | 5, 4, 6);
  alpha ~ gamma(2, 1);
  beta ~ gamma(2, 2);
  r ~ gamma(3, 1);
  kappa ~ gamma(4, 0.5);
}
generated quantities {
  int nb = neg_binomial_rng(alpha, beta);
  int bnb = beta_neg_binomial_rng(r, alpha + 2, beta);
  real bp = beta_proportion_rng(mu, kappa);
  int dr = discrete_range_rng(-3, 4);
  int hg = hypergeometric_rng(5, 4, 6);
}
