data {
  int N;
  real mu;
}
generated quantities {
  real y = normal_rng(mu, 1);
  array[N] int k;
  for (n in 1:N) k[n] = poisson_rng(3);
}
