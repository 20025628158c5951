// data: tests/stan_corpus/ragged_choice.json
// A conditional logit with choice sets of different sizes (2 to 6
// alternatives), the alternatives of all sets stacked in x1, x2: set j's
// utilities are b1 * segment(x1, start[j], K[j]) + b2 * segment(x2, ...),
// a vector whose length is known only inside the loop, passed whole to
// categorical_logit. The statement is compiled once per set size the data
// hold (docs/language.md, "Run-time lengths"). make_ragged_whole.py
// simulated the choices with b1 = 1.0, b2 = -0.7.
data {
  int<lower=1> J;
  array[J] int<lower=1> K;
  int<lower=0> N;
  vector[N] x1;
  vector[N] x2;
  array[J] int<lower=1> y;
}
transformed data {
  array[J] int start;
  start[1] = 1;
  for (j in 2:J) start[j] = start[j - 1] + K[j - 1];
}
parameters {
  real b1;
  real b2;
}
model {
  b1 ~ normal(0, 2);
  b2 ~ normal(0, 2);
  for (j in 1:J)
    y[j] ~ categorical_logit(b1 * segment(x1, start[j], K[j]) + b2 * segment(x2, start[j], K[j]));
}
generated quantities {
  // The largest choice probability of each set (softmax of a run-time
  // length, copied per size), and the log likelihood twice: by
  // categorical_logit_lpmf (copied per size) and as the chosen utility
  // less log_sum_exp of all (taken element by element): their difference
  // is 0 up to rounding.
  vector[J] p_max;
  real ll_diff = 0;
  for (j in 1:J) {
    p_max[j] = max(softmax(b1 * segment(x1, start[j], K[j]) + b2 * segment(x2, start[j], K[j])));
    ll_diff += categorical_logit_lpmf(y[j] | b1 * segment(x1, start[j], K[j]) + b2 * segment(x2, start[j], K[j]))
               - (b1 * x1[start[j] + y[j] - 1] + b2 * x2[start[j] + y[j] - 1]
                  - log_sum_exp(b1 * segment(x1, start[j], K[j]) + b2 * segment(x2, start[j], K[j])));
  }
}
