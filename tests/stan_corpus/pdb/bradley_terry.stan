// data: tests/stan_corpus/pdb/bradley_terry.json
// Bradley-Terry paired comparisons with a hierarchical ability prior
// (Carpenter's case study)
data {
  int<lower=0> K; // players
  int<lower=0> N; // games
  array[N] int<lower=1, upper=K> player1; // player 1 for game n
  array[N] int<lower=1, upper=K> player0; // player 0 for game n
  array[N] int<lower=0, upper=1> y; // winner for game n
}
parameters {
  real<lower=0> sigma; // scale of ability variation
  vector[K] alpha; // ability for player n
}
model {
  sigma ~ lognormal(0, 0.5); // boundary avoiding
  alpha ~ normal(0, sigma); // hierarchical
  y ~ bernoulli_logit(alpha[player1] - alpha[player0]);
}
generated quantities {
  array[K] int<lower=1, upper=K> ranking; // rank of player ability
  {
    array[K] int rank_index = sort_indices_desc(alpha);
    for (k in 1:K) {
      ranking[rank_index[k]] = k;
    }
  }
}
