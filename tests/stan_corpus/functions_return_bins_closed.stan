// data: tests/stan_corpus/functions_return_bins.json
// functions_return_bins.stan without user functions: the bins of the data
// are given (`bin`, computed outside hbmc), and the bin of x_new = 0.61
// between the cuts 0.6 and 1.4 is 4.
data {
  int N;
  int K;
  array[N] int y;
  array[N] int bin;
}
parameters {
  vector[K] log_rate;
}
model {
  log_rate ~ normal(0, 1.5);
  target += poisson_log_lpmf(y | log_rate[bin]);
  target += 0.01 * sum(bin) - 0.1 * square(log_rate[4] - log_rate[bin[1]]);
}
