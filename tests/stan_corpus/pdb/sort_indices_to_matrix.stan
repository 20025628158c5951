// data: tests/stan_corpus/pdb/counts.json
// Integer arithmetic, while loops, nested indexing and the size functions.
data {
  int<lower=0> N;
  array[N] int<lower=0> y;
  vector[N] x;
}
transformed data {
  int half = N %/% 2;
  int n_pos = 0;
  array[N] int order = sort_indices_asc(x);
  array[half] int first_half;
  int k = 1;
  while (k <= half) {
    first_half[k] = order[k];
    k += 1;
  }
  for (n in 1:N) n_pos += y[n] > 0;
  if (n_pos == 0) reject("no positive counts");
  matrix[half %/% 2 * 2 == half ? half %/% 2 : 1, 2] blockx = to_matrix(x[first_half], 2, half %/% 2 * 2 == half ? half %/% 2 : 1, 1)';
}
parameters {
  real mu;
  real<lower=0> tau;
}
model {
  mu ~ normal(0, 5);
  tau ~ exponential(1);
  y[order[1:half]] ~ poisson_log(mu + tau * x[order[1:half]]);
  y[order[(half + 1):N]] ~ poisson_log(mu + tau * x[order[(half + 1):N]]);
}
generated quantities {
  int n_obs = num_elements(y);
  int sz = size(x);
  real m = fmax(mu, fmin(tau, 1.0));
  int st = int_step(mu);
}
