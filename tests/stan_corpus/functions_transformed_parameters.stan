// data: tests/stan_corpus/functions.json
// A vector built in a function's loop, in transformed parameters and in
// generated quantities.
functions {
  vector lin(vector x, real a, real b) {
    int n = num_elements(x);
    vector[n] out;
    for (i in 1:n) out[i] = a + b * x[i];
    return out;
  }
}
data { int N; vector[N] x; vector[N] z; }
parameters { real alpha; real beta; real<lower=0> sigma; }
transformed parameters {
  vector[N] mu = lin(x, alpha, beta);
}
model { z ~ normal(mu, sigma); }
generated quantities {
  vector[N] mu2 = lin(x, alpha, beta);
}
