// data: tests/stan_corpus/functions_overloaded.json
// functions_overloaded.stan with each call written out as the overload it
// must resolve to.
data {
  int N;
  vector[N] y;
  array[N] int counts;
  array[3] real xs;
  real d;
}
parameters {
  real mu;
  real<lower=0> rho;
  vector[N] z;
}
model {
  mu ~ normal(0, 1);
  rho ~ lognormal(0, 0.5);
  z ~ normal(0, 1);
  target += -0.5 * dot_self((z - mu) / 2) - 0.5 * square(mu - 0.5);
  target += exp(-d) + exp(-d / rho);
  target += (N + 0.5) + 2 * mu;
  target += sum(xs) + 0.01 * 10 * sum(counts) + 0.1 * 3 * sum(z);
  target += normal_lpdf(y | mu, 2);
  target += normal_lpdf(y[1] | mu, 1);
  target += poisson_log_lpmf(counts | mu);
  target += normal_lpdf(y[2] | mu, 1) + normal_lpdf(y | mu, 2) + poisson_log_lpmf(counts[1] | mu);
  target += 0.1 * 2 * sum(xs);
  target += 0.1 * (1.5 + 2.5);
  target += 2 * mu + 0.1 * 2 * sum(z);
  target += -0.5 * dot_self(z + 1) + (mu + 2);
  target += 2 * (mu - 1) + 2 * sum((z - 1) / 2);
  target += sum((z - mu) / 2) + (mu - 1);
}
generated quantities {
  real by_int = 3.5;
  real by_real = 6.0;
  real by_count = exp(-d) + 10 * exp(-d / 2);
  int fib_n = 55;
  real fib_x = 3.0;
  real first_y = 0.8;
  real first_x = 0.25;
  real half_n = 1.5;
}
