// data: tests/stan_corpus/ragged_two_lengths.json
// Two kinds of measurement per subject, 1 to 4 of kind a and 1 to 5 of
// kind b (make_ragged_two.py). A subject's block declares a local of each
// kind, sized by two different run-time lengths, so it is compiled once
// per (na[g], nb[g]) pair the data hold; the user density subject_lpdf
// does the same with its arguments' sizes, and largest_residual sizes one
// local by both. Odd subjects take the first form, even ones the second,
// so the oracles (JIT = interpreter, gradient = finite differences) see
// both. ragged_two_lengths_closed.stan is the same density written
// element by element.
functions {
  real subject_lpdf(vector a, vector b, real alpha, real delta, real sigma) {
    vector[rows(a)] ra = (a - alpha) / sigma;
    vector[rows(b)] rb = (b - alpha - delta) / sigma;
    return -0.5 * (dot_self(ra) + dot_self(rb)) - (rows(a) + rows(b)) * (log(sigma) + 0.5 * log(2 * pi()));
  }
  real largest_residual(vector a, vector b, real alpha, real delta) {
    vector[rows(a) + rows(b)] r = append_row(a - alpha, b - alpha - delta);
    return max(fabs(r));
  }
}
data {
  int<lower=1> G;
  array[G] int<lower=1> na;
  array[G] int<lower=1> nb;
  int<lower=0> Na;
  int<lower=0> Nb;
  vector[Na] ya;
  vector[Nb] yb;
}
transformed data {
  array[G] int pa;
  array[G] int pb;
  pa[1] = 1;
  pb[1] = 1;
  for (g in 2:G) {
    pa[g] = pa[g - 1] + na[g - 1];
    pb[g] = pb[g - 1] + nb[g - 1];
  }
}
parameters {
  real mu;
  real<lower=0> tau;
  real delta;
  real<lower=0> sigma;
  vector[G] alpha;
}
model {
  mu ~ normal(0, 5);
  tau ~ normal(0, 2);
  delta ~ normal(0, 2);
  sigma ~ normal(0, 1);
  alpha ~ normal(mu, tau);
  for (g in 1:G) {
    if (g % 2 == 1) {
      vector[na[g]] ra = segment(ya, pa[g], na[g]) - alpha[g];
      vector[nb[g]] rb = segment(yb, pb[g], nb[g]) - alpha[g] - delta;
      target += normal_lpdf(ra | 0, sigma) + normal_lpdf(rb | 0, sigma);
    } else {
      target += subject_lpdf(segment(ya, pa[g], na[g]) | segment(yb, pb[g], nb[g]), alpha[g], delta, sigma);
    }
  }
}
generated quantities {
  // Each subject's largest absolute residual, and the user density less
  // the library's (0 up to rounding).
  vector[G] worst;
  real ll_diff = 0;
  for (g in 1:G) {
    worst[g] = largest_residual(segment(ya, pa[g], na[g]), segment(yb, pb[g], nb[g]), alpha[g], delta);
    ll_diff += subject_lpdf(segment(ya, pa[g], na[g]) | segment(yb, pb[g], nb[g]), alpha[g], delta, sigma)
               - normal_lpdf(segment(ya, pa[g], na[g]) | alpha[g], sigma)
               - normal_lpdf(segment(yb, pb[g], nb[g]) | alpha[g] + delta, sigma);
  }
}
