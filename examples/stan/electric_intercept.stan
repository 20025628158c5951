// The Electric Company intercept model (seed 000, MODELS.md 1) as a user
// arriving from Stan writes it: integer sizes and index arrays instead of
// dims, `vector[N] mu` filled in a loop, `rep_matrix` broadcasts. The same
// model as examples/electric_intercept.hbm; kept as the plain-Stan speed case
// (issues 11 and 12) and for peers (benches/peers/) that run Stan programs.
// data: examples/stan/electric.json (written from examples/data/electric.csv)
data {
  int<lower=1> N;                          // classrooms
  int<lower=1> J;                          // pairs
  int<lower=1> K;                          // grades
  array[N] int<lower=1, upper=J> pair;
  array[N] int<lower=1, upper=K> grade;
  array[N] int<lower=0, upper=1> treatment;
  vector[N] pre_test;
  vector[N] post_test;
}
transformed data {
  // Standardised as in the document (population sd).
  real pre_mean = mean(pre_test);
  real post_mean = mean(post_test);
  real pre_sd = sqrt(mean(square(pre_test - pre_mean)));
  real post_sd = sqrt(mean(square(post_test - post_mean)));
  vector[N] x = (pre_test - pre_mean) / pre_sd;
  vector[N] y = (post_test - post_mean) / post_sd;
  vector[N] t = to_vector(treatment);
}
parameters {
  vector[K] mu_alpha;
  vector<lower=0>[K] sigma_alpha;
  matrix[J, K] z_alpha;
  vector[K] theta;
  vector[K] beta_x;
  vector<lower=0>[K] sigma_y;
}
transformed parameters {
  matrix[J, K] alpha = rep_matrix(mu_alpha', J) + rep_matrix(sigma_alpha', J) .* z_alpha;
}
model {
  vector[N] mu;
  mu_alpha ~ normal(0, 1);
  sigma_alpha ~ normal(0, 1);
  to_vector(z_alpha) ~ std_normal();
  theta ~ normal(0, 1);
  beta_x ~ normal(0, 1);
  sigma_y ~ normal(0, 1);
  for (n in 1:N) {
    mu[n] = alpha[pair[n], grade[n]] + theta[grade[n]] * t[n] + beta_x[grade[n]] * x[n];
  }
  y ~ normal(mu, sigma_y[grade]);
}
generated quantities {
  vector[K] ate = theta * post_sd;
}
