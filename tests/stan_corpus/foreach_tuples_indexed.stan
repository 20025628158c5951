// foreach_tuples.stan written with indices: the same log density and
// gradient (e2e foreach_containers).
data {
  int<lower=1> N;
  array[N] tuple(real, int) pairs;
  array[N] tuple(real, vector[2]) marks;
  array[N] tuple(real, tuple(int, vector[2])) nested;
}
parameters {
  real mu;
  vector[2] beta;
}
transformed parameters {
  array[N] tuple(real, vector[2]) shifted;
  for (n in 1:N) shifted[n] = (marks[n].1 + mu, marks[n].2 + beta);
}
model {
  real total = 0;
  for (i in 1:N) total += pairs[i].1 * pairs[i].2;
  mu ~ normal(total / 10, 2);
  for (i in 1:N) marks[i].1 ~ normal(dot_product(marks[i].2, beta) + mu, 1);
  for (i in 1:N) target += normal_lpdf(nested[i].1 | nested[i].2.1 * mu + sum(nested[i].2.2 .* beta), 3);
  for (i in 1:N) target += -0.5 * dot_self(shifted[i].2) - 0.1 * square(shifted[i].1);
  real weighted = 0;
  for (i in 1:N) weighted += pairs[i].1 * pairs[i].2;
  target += normal_lpdf(weighted | 5 * mu, 4);
}
