// data: tests/stan_corpus/pdb/hurdle.json
data {
  int<lower=0> N;
  array[N] int<lower=0> y;
}
parameters {
  real<lower=0, upper=1> theta;
  real<lower=0> lambda;
}
model {
  for (n in 1:N) {
    if (y[n] == 0) {
      target += log(theta);
    } else {
      target += log1m(theta) + poisson_lpmf(y[n] | lambda)
                - log1m_exp(-lambda);
    }
  }
}
