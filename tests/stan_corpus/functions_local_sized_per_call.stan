// data: tests/stan_corpus/functions_local_sized_per_call.json
// A partial-credit item response (the shape of posteriordb's
// gpcm_latent_reg_irt): the user function's locals are sized from its
// vector argument, and each call site passes a vector of another constant
// length, so each inlined copy gets locals of its own size.
functions {
  real pcm(int y, real theta, vector beta) {
    vector[rows(beta) + 1] unsummed;
    vector[rows(beta) + 1] probs;
    unsummed = append_row(rep_vector(0.0, 1), theta - beta);
    probs = softmax(cumulative_sum(unsummed));
    return categorical_lpmf(y + 1 | probs);
  }
}
data {
  int<lower=1> J;
  array[J] int<lower=0, upper=2> y1;
  array[J] int<lower=0, upper=3> y2;
}
parameters {
  vector[J] theta;
  vector[5] beta;
}
model {
  theta ~ normal(0, 1);
  beta ~ normal(0, 2);
  for (j in 1:J) {
    target += pcm(y1[j], theta[j], head(beta, 2));
    target += pcm(y2[j], theta[j], segment(beta, 3, 3));
  }
}
