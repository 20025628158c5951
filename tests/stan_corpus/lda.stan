// Latent Dirichlet allocation (issue 13): dirichlet priors on the topic
// mixtures and the topics, the topic of each word summed out with
// log_sum_exp; a categorical and a categorical_logit outcome; dirichlet_rng
// and categorical_rng draws. Data simulated by make_lda.py.
// data: tests/stan_corpus/lda.json
data {
  int<lower=2> K;
  int<lower=2> V;
  int<lower=1> M;
  int<lower=1> N;
  array[N] int<lower=1, upper=V> w;
  array[N] int<lower=1, upper=M> doc;
  vector<lower=0>[K] alpha;
  vector<lower=0>[V] beta;
  int<lower=1> J;
  array[J] int<lower=1, upper=3> y;
}
parameters {
  array[M] simplex[K] theta;
  array[K] simplex[V] phi;
  simplex[3] p;
  vector[3] eta;
}
model {
  for (m in 1:M) {
    theta[m] ~ dirichlet(alpha);
  }
  phi ~ dirichlet(beta);
  for (n in 1:N) {
    vector[K] lp;
    for (k in 1:K) {
      lp[k] = log(theta[doc[n], k]) + log(phi[k, w[n]]);
    }
    target += log_sum_exp(lp);
  }
  p ~ dirichlet(rep_vector(2, 3));
  y ~ categorical(p);
  eta ~ normal(0, 1);
  y ~ categorical_logit(eta);
  target += categorical_lpmf(y[1] | p) - categorical_logit_lpmf(y[1] | eta) + dirichlet_lpdf(p | [1, 2, 3]');
}
generated quantities {
  vector[K] theta_new = dirichlet_rng(alpha);
  int y_new = categorical_rng(p);
  int y_logit = categorical_logit_rng(eta);
}
