// data: tests/stan_corpus/pdb/epil.json
data {
  int<lower=0> N;
  int<lower=0> T;
  array[N, T] int<lower=0> y;
  array[N] int<lower=0> Trt;
  array[T] int<lower=0> V4;
  vector[N] log_Base4;
  vector[N] log_Age;
  vector[N] BT;
  real log_Age_bar;
  real Trt_bar;
  real BT_bar;
  real V4_bar;
  real log_Base4_bar;
}
transformed data {
  vector[N] log_Base4_c = log_Base4 - log_Base4_bar;
  vector[N] log_Age_c = log_Age - log_Age_bar;
}
parameters {
  real a0;
  real alpha_Base;
  real alpha_Trt;
  real alpha_BT;
  real alpha_Age;
  real alpha_V4;
  array[N] real b1;
  array[N, T] real b;
  real<lower=0> sigma_b1;
  real<lower=0> sigma_b;
}
model {
  a0 ~ normal(0, 100);
  alpha_Base ~ normal(0, 100);
  alpha_Trt ~ normal(0, 100);
  alpha_BT ~ normal(0, 100);
  alpha_Age ~ normal(0, 100);
  alpha_V4 ~ normal(0, 100);
  sigma_b1 ~ uniform(0, 100);
  sigma_b ~ uniform(0, 100);
  b1 ~ normal(0, sigma_b1);
  for (n in 1:N) {
    b[n] ~ normal(0, sigma_b);
    for (t in 1:T)
      y[n, t] ~ poisson_log(a0 + alpha_Base * log_Base4_c[n]
                            + alpha_Trt * (Trt[n] - Trt_bar)
                            + alpha_BT * (BT[n] - BT_bar)
                            + alpha_Age * log_Age_c[n]
                            + alpha_V4 * (V4[t] - V4_bar)
                            + b1[n] + b[n, t]);
  }
}
generated quantities {
  real alpha0;
  alpha0 = a0 - alpha_Base * log_Base4_bar - alpha_Trt * Trt_bar
           - alpha_BT * BT_bar - alpha_Age * log_Age_bar - alpha_V4 * V4_bar;
}
