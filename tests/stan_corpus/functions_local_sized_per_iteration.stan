// data: tests/stan_corpus/functions_local_sized_per_iteration.json
// User functions whose locals are sized from a vector argument, called in
// loops with a `segment` whose length is read from the data per
// iteration: each group of rating items has its own number of thresholds.
// The lengths depend only on the data, so the block of each call is
// compiled once per length the data hold (docs/language.md, "Run-time
// lengths"); group 2 has no thresholds (one category).
functions {
  // Log probability of rating r (1-based) under adjacent-category logits
  // with thresholds tau: rows(tau) + 1 categories.
  real rating_logp(int r, real eta, real scale, vector tau) {
    vector[rows(tau) + 1] steps;
    vector[rows(tau) + 1] p;
    steps = append_row(rep_vector(0.0, 1), scale * (eta - tau));
    p = softmax(cumulative_sum(steps));
    return categorical_lpmf(r | p);
  }
  // Mean squared deviation of the k thresholds tau from their mean.
  real spread(vector tau, int k) {
    vector[k] d;
    d = tau - mean(tau);
    return dot_self(d) / k;
  }
  // The category probabilities at eta.
  vector category_probs(real eta, vector tau) {
    int K = rows(tau) + 1;
    vector[K] steps;
    steps = append_row(rep_vector(0.0, 1), eta - tau);
    return softmax(cumulative_sum(steps));
  }
}
data {
  int<lower=1> G;
  array[G] int<lower=0> len;
  int<lower=1> N;
  array[N] int<lower=1, upper=G> g;
  array[N] int<lower=1> r;
  vector[N] x;
}
transformed data {
  array[G] int start;
  start[1] = 1;
  for (k in 2:G) {
    start[k] = start[k - 1] + len[k - 1];
  }
}
parameters {
  vector[sum(len)] tau;
  real b;
  real<lower=0> s;
}
model {
  tau ~ normal(0, 2);
  b ~ normal(0, 1);
  s ~ lognormal(0, 0.5);
  for (n in 1:N) {
    target += rating_logp(r[n], b * x[n], s, segment(tau, start[g[n]], len[g[n]]));
  }
  {
    int pos = 1;
    for (k in 1:G) {
      if (len[k] > 0) target += -spread(segment(tau, pos, len[k]), len[k]);
      pos = pos + len[k];
    }
  }
}
generated quantities {
  array[G] real p_top;
  for (k in 1:G) {
    vector[len[k] + 1] pk = category_probs(b, segment(tau, start[k], len[k]));
    p_top[k] = pk[len[k] + 1];
  }
}
