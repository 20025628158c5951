// data: tests/stan_corpus/renewal_convolution.json
// A renewal-equation epidemic model (own program, in the style of the
// semi-mechanistic COVID-19 models): new infections at day t are R_t times
// the convolution of all earlier infections with a reversed generation
// interval, `dot_product(sub_col(infections, 1, r, t - 1), tail(g_rev, t - 1))`,
// whose length grows with t; observed deaths from a region's first
// reported day to its last, a slice with data bounds per region.
data {
  int<lower=1> R;
  int<lower=2> T;
  int<lower=1> S;
  vector[T] g;
  array[R] int<lower=1> first;
  array[R] int<lower=1> last;
  array[T, R] int<lower=0> deaths;
}
transformed data {
  vector[T] g_rev;
  for (t in 1:T) g_rev[t] = g[T - t + 1];
}
parameters {
  vector<lower=0>[R] seed;
  vector[R] log_r0;
  real<lower=0> phi;
  real<lower=0, upper=0.1> ifr;
}
transformed parameters {
  matrix[T, R] infections = rep_matrix(0, T, R);
  matrix[T, R] expected = rep_matrix(0, T, R);
  for (r in 1:R) {
    infections[1:S, r] = rep_vector(seed[r], S);
    for (t in (S + 1):T) {
      infections[t, r] = exp(log_r0[r]) * dot_product(sub_col(infections, 1, r, t - 1), tail(g_rev, t - 1));
    }
    expected[1, r] = 1e-6;
    for (t in 2:T) {
      expected[t, r] = ifr * dot_product(head(infections[:, r], t - 1), tail(g_rev, t - 1));
    }
  }
}
model {
  seed ~ exponential(0.1);
  log_r0 ~ normal(0.5, 0.3);
  phi ~ normal(0, 5);
  ifr ~ beta(2, 50);
  for (r in 1:R) {
    deaths[first[r]:last[r], r] ~ neg_binomial_2(expected[first[r]:last[r], r], phi);
  }
}
