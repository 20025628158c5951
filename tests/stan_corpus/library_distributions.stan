// Distributions added to the library for Stan programs (issue 13), every
// suffix on parameters, for the oracles (JIT = interpreter, gradient =
// finite differences).
// data: tests/stan_corpus/library_distributions.json
data {
  int N;
  vector[N] y;
  vector<lower=0>[N] t;
  array[N] int k;
}
parameters {
  real mu;
  real<lower=0.2> sigma;
  real<lower=-2, upper=2> a;
  real<lower=1.5> x;
  real<lower=0.1, upper=0.9> p;
}
model {
  y ~ skew_normal(mu, sigma, a);
  target += skew_normal_lcdf(y[1] | mu, sigma, a) + skew_normal_lccdf(y[2] | mu, sigma, -a) + log(skew_normal_cdf(0.3 | 0, 1, a));
  y ~ exp_mod_normal(mu, sigma, p + 1);
  target += exp_mod_normal_lcdf(y[3] | mu, sigma, p) + exp_mod_normal_lccdf(y[1] | mu, sigma, x);
  t ~ gumbel(mu, sigma);
  target += gumbel_lcdf(y[1] | mu, sigma) + gumbel_lccdf(y[2] | mu, x) + rayleigh_lcdf(x | sigma) + rayleigh_lccdf(t[1] | p);
  x ~ pareto(1.5, p + 2);
  target += pareto_lcdf(x | 1, p) + pareto_lccdf(x | 1.2, sigma) + pareto_type_2_lpdf(t | mu - 20, sigma, x);
  target += pareto_type_2_lcdf(x | 1, sigma, p) + pareto_type_2_lccdf(x | 0, 2, p);
  t ~ frechet(x, sigma + 1);
  target += frechet_lcdf(x | 2, p) + frechet_lccdf(x | sigma, 2) + loglogistic_lpdf(t | x, sigma + 1);
  target += loglogistic_lcdf(x | 2, p) + loglogistic_lccdf(x | sigma, 3);
  t ~ chi_square(x);
  target += chi_square_lcdf(x | p + 1) + chi_square_lccdf(x | sigma) + inv_chi_square_lpdf(t | x);
  target += inv_chi_square_lcdf(x | p + 1) + inv_chi_square_lccdf(x | sigma) + scaled_inv_chi_square_lpdf(t | x, sigma);
  target += scaled_inv_chi_square_lcdf(x | p + 1, sigma) + scaled_inv_chi_square_lccdf(x | 3, p);
  target += skew_double_exponential_lcdf(y[1] | mu, sigma, p) + skew_double_exponential_lccdf(y[2] | mu, sigma, p);
  y[3] ~ skew_double_exponential(mu, sigma, p) T[-5, 5];
  x ~ skew_normal(2, 3, a) T[1.5, 30];
  x ~ pareto_type_2(0, 2, 3) T[1.5, ];
  target += student_t_lcdf(y[1] | x, mu, sigma) + student_t_lccdf(y[2] | x, mu, sigma) + log(student_t_cdf(0.5 | p + 1, 0, 1));
  y ~ student_t(x, mu, sigma) T[-5, 5];
  p ~ beta(2, 3) T[0.1, 0.9];
  target += beta_lcdf(p | x, sigma) + beta_lccdf(p | 2, x) + inc_beta(x, sigma, p) + log(beta_cdf(p | 2, x));
  target += inv_inc_beta(x, sigma, p) - square(inv_inc_beta(2, 3, p));
  target += binomial_lcdf(3 | 10, p) + binomial_lccdf(3 | 10, p) + neg_binomial_2_lcdf(4 | x, sigma) + neg_binomial_2_lccdf(4 | x, sigma);
  k ~ binomial(10, p) T[1, 8];
  k ~ neg_binomial_2(x, sigma) T[, 20];
  y ~ von_mises(mu, sigma);
  target += von_mises_lpdf(t[1] | a, x);
  target += von_mises_lcdf(a | mu, sigma) + von_mises_lccdf(a | p, x) + log(von_mises_cdf(0.5 | a, sigma + 50));
  a ~ von_mises(mu, x) T[-2, 2];
  mu ~ normal(0, 5);
  a ~ normal(0, 1);
}
generated quantities {
  real sn = skew_normal_rng(mu, sigma, a);
  real emg = exp_mod_normal_rng(mu, sigma, p + 1);
  real par = pareto_rng(1.5, x);
  real par2 = pareto_type_2_rng(mu, sigma, x);
  real fr = frechet_rng(x, sigma);
  real ll = loglogistic_rng(x, sigma);
  real vm = von_mises_rng(mu, sigma);
  real chi = chi_square_rng(x) + inv_chi_square_rng(x) + scaled_inv_chi_square_rng(x, sigma);
}
