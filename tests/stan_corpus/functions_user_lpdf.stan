// data: tests/stan_corpus/functions.json
// A user density: a hand-written normal, used with `~`, with
// `target += ..._lupdf(y | ...)`, and declared forward before it is defined.
functions {
  real my_normal_lpdf(vector y, vector mu, real sigma);
  real my_normal_lpdf(vector y, vector mu, real sigma) {
    int n = num_elements(y);
    return -0.5 * dot_self((y - mu) / sigma) - n * log(sigma) - 0.5 * n * log(2 * pi());
  }
  real my_half_normal_lpdf(real s, real scale) {
    return -0.5 * square(s / scale) - log(scale);
  }
}
data {
  int N;
  vector[N] x;
  vector[N] z;
}
parameters {
  real alpha;
  real beta;
  real<lower=0> sigma;
}
model {
  alpha ~ normal(0, 5);
  beta ~ normal(0, 5);
  target += my_half_normal_lupdf(sigma | 2);
  z ~ my_normal(alpha + beta * x, sigma);
}
