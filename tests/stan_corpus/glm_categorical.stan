// categorical_logit_glm (issue 13) in every form Stan has: `~`, `_lpmf`
// and `_lupmf`, a matrix of rows or one row vector, an array of outcomes or
// one. Data simulated by make_glm_categorical.py (alpha = (0, 0.5, -0.5),
// beta = [[0, 1, -1], [0, -0.5, 0.8]]); the first category's coefficients
// are fixed at zero, which identifies the others.
// data: tests/stan_corpus/glm_categorical.json
data {
  int<lower=1> N;
  int<lower=1> K;
  int<lower=2> C;
  matrix[N, K] x;
  array[N] int<lower=1, upper=C> y;
}
parameters {
  vector[C - 1] alpha_raw;
  matrix[K, C - 1] beta_raw;
}
transformed parameters {
  vector[C] alpha = append_row(0, alpha_raw);
  matrix[K, C] beta = append_col(rep_vector(0, K), beta_raw);
}
model {
  alpha_raw ~ normal(0, 2);
  to_vector(beta_raw) ~ normal(0, 2);
  // Half the rows by `~`, half by `_lupmf`.
  y[1:150] ~ categorical_logit_glm(x[1:150], alpha, beta);
  target += categorical_logit_glm_lupmf(y[151:N] | x[151:N], alpha, beta);
}
generated quantities {
  // The other forms, each against categorical_logit of its rows' logits
  // (tests/e2e/glm_categorical.rs checks them at every draw).
  real one_row = categorical_logit_glm_lpmf(y[1] | x[1], alpha, beta) - categorical_logit_lpmf(y[1] | alpha + (x[1] * beta)');
  real same_x = categorical_logit_glm_lpmf(y | x[1], alpha, beta) - categorical_logit_lpmf(y | alpha + (x[1] * beta)');
  real same_y = categorical_logit_glm_lpmf(2 | x, alpha, beta);
  real rows = categorical_logit_glm_lpmf(y | x, alpha, beta);
  for (n in 1:N) {
    same_y -= categorical_logit_lpmf(2 | alpha + (x[n] * beta)');
    rows -= categorical_logit_lpmf(y[n] | alpha + (x[n] * beta)');
  }
}
