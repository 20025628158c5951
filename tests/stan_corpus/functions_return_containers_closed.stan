// data: tests/stan_corpus/functions_return_containers.json
// functions_return_containers.stan with the answers read from the data:
// the first x above cut_lo is scale_lo (none is above cut_hi), and idx's
// first entry above m_lo comes after n_lo entries (none is above m_hi).
data {
  int N;
  vector[N] x;
  vector[N] y;
  array[N] int idx;
  real scale_lo;
  int n_lo;
}
parameters {
  real alpha;
  real beta;
  real<lower=0> sigma;
  vector[N] z;
}
transformed parameters {
  vector[N] w = 2 * (scale_lo * z) + z;
  real s = 0;
  w += scale_lo * z / 4;
  w[1:2] = head(z - mean(z), 2) * 3;
  s += sum(z * z') / 10;
  for (i in 1:n_lo) s += z[i];
  for (i in 1:N) s += z[i] / 2;
  for (k in idx[1:n_lo]) s += square(z[k]) / 20;
  for (k in idx) s += square(z[k]) / 40;
  real j = 0;
  jacobian += 0.01 * sum(scale_lo * z);
  jacobian += 0.02 * sum(z);
}
model {
  alpha ~ normal(0, 1);
  beta ~ normal(0, 1);
  sigma ~ lognormal(0, 1);
  z ~ normal(0, 1);
  y ~ normal(alpha + scale_lo * z * beta, sigma);
  target += normal_lpdf(y | 2 * scale_lo * z, sigma + 1);
  target += -0.5 * dot_self(z) - 0.1 * sum(z * z' + diag_matrix(z));
  real t = sum(scale_lo * z);
  if (t > 0) {
    target += -square(t) / 8;
  } else {
    target += -square(t) / 4;
  }
  target += -0.05 * dot_self(scale_lo * z) - 0.05 * dot_self(z);
  target += normal_lpdf(w | 0, 3) + normal_lpdf(s | 0, 5);
}
generated quantities {
  vector[N] w_again = 2 * (scale_lo * z) + z;
}
