// data: tests/stan_corpus/pdb/hmm_gaussian.json
data {
  int<lower=1> T; // number of observations (length)
  int<lower=1> K; // number of hidden states
  array[T] real y; // observations
}
parameters {
  // Discrete state model
  simplex[K] pi1; // initial state probabilities
  array[K] simplex[K] A; // transition probabilities
  // A[i][j] = p(z_t = j | z_{t-1} = i)

  // Continuous observation model
  ordered[K] mu; // observation means
  array[K] real<lower=0> sigma; // observation standard deviations
}
transformed parameters {
  array[T] vector[K] logalpha;
  { // Forward algorithm log p(z_t = j | y_{1:t})
    array[K] real accumulator;
    for (j in 1:K)
      logalpha[1, j] = log(pi1[j]) + normal_lpdf(y[1] | mu[j], sigma[j]);
    for (t in 2:T) {
      for (j in 1:K) { // j = current (t)
        for (i in 1:K) { // i = previous (t-1)
          // Murphy (2012) p. 609 eq. 17.48
          // belief state + transition prob + local evidence at t
          accumulator[i] = logalpha[t - 1, i] + log(A[i, j])
                           + normal_lpdf(y[t] | mu[j], sigma[j]);
        }
        logalpha[t, j] = log_sum_exp(accumulator);
      }
    }
  } // Forward
}
model {
  mu ~ normal(0, 10);
  sigma ~ normal(0, 5);
  target += log_sum_exp(logalpha[T]); // Note: update based only on last logalpha
}
generated quantities {
  array[T] vector[K] alpha;
  array[T] int<lower=1, upper=K> zstar;
  real logp_zstar;
  { // Forward algortihm
    for (t in 1:T)
      alpha[t] = softmax(logalpha[t]);
  } // Forward
  { // Viterbi algorithm
    array[T, K] int bpointer; // backpointer to the most likely previous state on the most probable path
    array[T, K] real delta; // max prob for the sequence up to t
    // that ends with an emission from state k
    for (j in 1:K)
      delta[1, K] = normal_lpdf(y[1] | mu[j], sigma[j]);
    for (t in 2:T) {
      for (j in 1:K) { // j = current (t)
        delta[t, j] = negative_infinity();
        for (i in 1:K) { // i = previous (t-1)
          real logp;
          logp = delta[t - 1, i] + log(A[i, j])
                 + normal_lpdf(y[t] | mu[j], sigma[j]);
          if (logp > delta[t, j]) {
            bpointer[t, j] = i;
            delta[t, j] = logp;
          }
        }
      }
    }
    logp_zstar = max(delta[T]);
    for (j in 1:K)
      if (delta[T, j] == logp_zstar)
        zstar[T] = j;
    for (t in 1:(T - 1)) {
      zstar[T - t] = bpointer[T - t + 1, zstar[T - t + 1]];
    }
  }
}
