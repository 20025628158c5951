// A drift diffusion model of choices and response times, as brms writes
// it: `wiener` for upper-boundary responses, with 1 - beta and -delta for
// lower-boundary ones; the drift depends on a condition.
// data: tests/stan_corpus/wiener_ddm.json (python3 make_wiener.py)
data {
  int<lower=1> N;
  vector<lower=0>[N] rt;
  array[N] int<lower=0, upper=1> upper;
  vector[N] cond;
}
parameters {
  real<lower=0.2> alpha;
  real<lower=0, upper=min(rt)> tau;
  real<lower=0, upper=1> beta;
  real delta0;
  real delta1;
}
model {
  alpha ~ normal(1, 1);
  tau ~ normal(0.2, 0.2);
  delta0 ~ normal(0, 2);
  delta1 ~ normal(0, 2);
  for (n in 1:N) {
    real d = delta0 + delta1 * cond[n];
    if (upper[n] == 1) {
      rt[n] ~ wiener(alpha, tau, beta, d);
    } else {
      rt[n] ~ wiener(alpha, tau, 1 - beta, -d);
    }
  }
}
