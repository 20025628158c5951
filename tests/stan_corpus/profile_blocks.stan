// data: tests/stan_corpus/profile_blocks.json
// Stan's `profile("name") { ... }` blocks (a block scope; hbmc writes no
// profile file) around an induced-Dirichlet prior on ordinal cut points (a
// user `_lpdf` with `log_determinant`), an ordered-logistic regression with
// varying intercepts (`offset`/`multiplier`) and a zero-inflated Poisson
// written with `log_sum_exp`, as in the Stan User's Guide.
functions {
  real induced_dirichlet_lpdf(vector c, vector alpha, real phi) {
    int K = num_elements(c) + 1;
    vector[K - 1] sigma = inv_logit(phi - c);
    vector[K] p;
    matrix[K, K] J = rep_matrix(0, K, K);
    p[1] = 1 - sigma[1];
    for (k in 2:(K - 1))
      p[k] = sigma[k - 1] - sigma[k];
    p[K] = sigma[K - 1];
    for (k in 1:K) J[k, 1] = 1;
    for (k in 2:K) {
      real rho = sigma[k - 1] * (1 - sigma[k - 1]);
      J[k, k] = - rho;
      J[k - 1, k] = rho;
    }
    return   dirichlet_lpdf(p | alpha)
           + log_determinant(J);
  }
}
data {
  int<lower=1> N;
  int<lower=3> K;
  array[N] int<lower=1, upper=K> y;
  vector[N] x;
  array[N] int<lower=0> cnt;
  int<lower=1> G;
  array[N] int<lower=1, upper=G> g;
}
transformed data {
  int n_zero = 0;
  for (n in 1:N) n_zero += (cnt[n] == 0);
  array[3] int idx = {1, 2, 3};
  int half = N %/% 2;
  int rem = N % 2;
}
parameters {
  ordered[K - 1] c;
  real beta;
  real<lower=0, upper=1> theta;
  real<lower=0> lambda;
  real mu;
  real<lower=0> tau;
  vector<offset=mu, multiplier=tau>[G] a;
}
model {
  profile("priors") {
    c ~ induced_dirichlet(rep_vector(1, K), 0);
    beta ~ normal(0, 1);
    lambda ~ gamma(2, 1);
    mu ~ normal(0, 1);
    tau ~ normal(0, 1);
    a ~ normal(mu, tau);
  }
  profile("lik") {
    y ~ ordered_logistic(beta * x + a[g], c);
    for (n in 1:N) {
      if (cnt[n] == 0)
        target += log_sum_exp(log(theta), log1m(theta) + poisson_lpmf(cnt[n] | lambda));
      else
        target += log1m(theta) + poisson_lpmf(cnt[n] | lambda);
    }
  }
}
generated quantities {
  array[N] int y_rep;
  for (n in 1:N) y_rep[n] = ordered_logistic_rng(beta * x[n] + a[g[n]], c);
  vector[K] p_sorted = sort_desc(softmax(append_row(c, 0)));
  array[K] int ord = sort_indices_asc(append_row(c, 0));
  vector[N] cs = cumulative_sum(x);
  vector[3] seg = segment(x, 2, 3);
}
