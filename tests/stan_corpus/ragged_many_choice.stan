// data: tests/stan_corpus/ragged_many_choice.json
// A conditional logit over 200 choice sets of 200 distinct sizes (2 to
// 201 alternatives): set j's utilities b * segment(x, start[j], K[j]), a
// vector whose length takes 200 values, passed whole to
// categorical_logit. The statement is compiled once per set size
// (docs/language.md, "Run-time lengths"), more sizes than the 32 hbmc
// allowed before. make_ragged_many.py simulated the choices with b = 1.0.
data {
  int<lower=1> J;
  array[J] int<lower=1> K;
  int<lower=0> N;
  vector[N] x;
  array[J] int<lower=1> y;
}
transformed data {
  array[J] int start;
  start[1] = 1;
  for (j in 2:J) start[j] = start[j - 1] + K[j - 1];
}
parameters {
  real b;
}
model {
  b ~ normal(0, 2);
  for (j in 1:J)
    y[j] ~ categorical_logit(b * segment(x, start[j], K[j]));
}
