// data: tests/stan_corpus/mvprobit.json
// A multivariate probit with truncated latent utilities (the User's Guide's
// form): transformed data count the ones, declare index arrays with bounds
// sized by that count, and fill them in a later loop. Stan checks those
// bounds at the end of the block; checking them when an earlier part of
// the block is run to size `d_pos` refused the program (E5001).
functions {
  int count_ones(array[,] int a) {
    int s = 0;
    for (i in 1:size(a)) s += sum(a[i]);
    return s;
  }
}
data {
  int<lower=1> K;
  int<lower=1> D;
  int<lower=0> N;
  array[N, D] int<lower=0, upper=1> y;
  array[N] vector[K] x;
}
transformed data {
  int<lower=0> N_pos = count_ones(y);
  int<lower=0> N_neg = N * D - N_pos;
  array[N_pos] int<lower=1, upper=N> n_pos;
  array[N_pos] int<lower=1, upper=D> d_pos;
  array[N_neg] int<lower=1, upper=N> n_neg;
  array[N_neg] int<lower=1, upper=D> d_neg;
  {
    int i = 1;
    int j = 1;
    for (n in 1:N) {
      for (d in 1:D) {
        if (y[n, d] == 1) {
          n_pos[i] = n;
          d_pos[i] = d;
          i += 1;
        } else {
          n_neg[j] = n;
          d_neg[j] = d;
          j += 1;
        }
      }
    }
  }
}
parameters {
  matrix[D, K] beta;
  cholesky_factor_corr[D] L_Omega;
  vector<lower=0>[N_pos] z_pos;
  vector<upper=0>[N_neg] z_neg;
}
transformed parameters {
  array[N] vector[D] z;
  for (n in 1:N_pos) z[n_pos[n], d_pos[n]] = z_pos[n];
  for (n in 1:N_neg) z[n_neg[n], d_neg[n]] = z_neg[n];
}
model {
  L_Omega ~ lkj_corr_cholesky(4);
  to_vector(beta) ~ normal(0, 5);
  {
    array[N] vector[D] mu;
    for (n in 1:N) mu[n] = beta * x[n];
    z ~ multi_normal_cholesky(mu, L_Omega);
  }
}
