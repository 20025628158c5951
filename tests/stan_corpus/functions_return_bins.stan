// data: tests/stan_corpus/functions_return_bins.json
// Early `return`s from inside loops of user functions (issue 13): a bin
// search whose index picks a parameter (a piecewise-constant log rate), in
// transformed data, the model and generated quantities; a user `_lpmf`
// that returns from inside its loop; a rejection sampler `_rng` that
// returns its first accepted draw and rejects when none comes.
// tests/e2e/early_returns.rs compares the log density with
// functions_return_bins_closed.stan, which reads the bins from the data,
// and fits it.
functions {
  int find_bin(real x, vector cuts) {
    for (k in 1:rows(cuts)) {
      if (x < cuts[k]) return k;
    }
    return rows(cuts) + 1;
  }
  real binned_poisson_lpmf(array[] int y, vector log_rate, vector x, vector cuts) {
    real lp = 0;
    for (n in 1:size(y)) {
      if (y[n] < 0) return negative_infinity();
      lp += poisson_log_lpmf(y[n] | log_rate[find_bin(x[n], cuts)]);
    }
    return lp;
  }
  real above_rng(real mu, real sigma, real lower) {
    for (attempt in 1:10000) {
      real z = normal_rng(mu, sigma);
      if (z > lower) return z;
    }
    reject("no draw above ", lower, " in 10000 attempts");
  }
}
data {
  int N;
  int K;
  vector[N] x;
  vector[K - 1] cuts;
  array[N] int y;
  real x_new;
}
transformed data {
  array[N] int bin;
  for (n in 1:N) {
    bin[n] = find_bin(x[n], cuts);
  }
}
parameters {
  vector[K] log_rate;
}
model {
  log_rate ~ normal(0, 1.5);
  y ~ binned_poisson(log_rate, x, cuts);
  // The bins of transformed data, and a bin search inside an expression.
  target += 0.01 * sum(bin) - 0.1 * square(log_rate[find_bin(x_new, cuts)] - log_rate[bin[1]]);
}
generated quantities {
  int bin_new = find_bin(x_new, cuts);
  real rate_new = exp(log_rate[find_bin(x_new, cuts)]);
  real tail_draw = above_rng(log_rate[1], 1, 0);
}
