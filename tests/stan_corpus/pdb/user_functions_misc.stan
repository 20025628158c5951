// data: tests/stan_corpus/pdb/counts.json
// user functions: a data-qualified argument, a _lpmf with vectors, a _lp
// function and a _rng function, as Stan users write them
functions {
  vector center(data vector v) {
    return v - mean(v);
  }
  real zt_poisson_log_lpmf(array[] int y, vector eta) {
    real lp = poisson_log_lpmf(y | eta);
    for (n in 1:num_elements(y))
      lp -= log1m_exp(-exp(eta[n]));
    return lp;
  }
  real half_normal_prior_lp(real s, real scale) {
    s ~ normal(0, scale);
    return s;
  }
  array[] int zt_poisson_log_rng(vector eta) {
    array[rows(eta)] int y;
    for (n in 1:rows(eta)) {
      int draw = 0;
      while (draw == 0)
        draw = poisson_log_rng(eta[n]);
      y[n] = draw;
    }
    return y;
  }
}
data {
  int<lower=0> N;
  vector[N] x;
  array[N] int<lower=0> y;
}
transformed data {
  vector[N] xc = center(x);
  array[N] int y1;
  for (n in 1:N)
    y1[n] = y[n] + 1;
}
parameters {
  real alpha;
  real beta;
  real<lower=0> tau;
}
model {
  real t = half_normal_prior_lp(tau, 1);
  alpha ~ normal(0, 3);
  beta ~ normal(0, t + 1);
  y1 ~ zt_poisson_log(alpha + beta * xc);
}
generated quantities {
  array[N] int y_rep = zt_poisson_log_rng(alpha + beta * xc);
}
