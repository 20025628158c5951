// data: tests/stan_corpus/pdb/gp_pois.json
// gp_pois_regr with a sum of the other stationary kernels: Matérn 3/2 and
// 5/2, exponential and periodic; one kernel of points that are parameters
// (z: zero distances on the diagonal, where the distance has no derivative).
data {
  int<lower=1> N;
  array[N] real x;
  array[N] int k;
}
transformed data {
  array[N] vector[2] xy;
  for (n in 1:N) {
    xy[n] = [x[n], 0.5 * x[n] * x[n] / 10]';
  }
}
parameters {
  real<lower=0> rho;
  real<lower=0> alpha;
  real<lower=0> period;
  array[2] real z;
  vector[N] f_tilde;
}
transformed parameters {
  vector[N] f;
  {
    matrix[N, N] cov = gp_matern32_cov(x, alpha, rho) + gp_matern52_cov(xy, 0.5 * alpha, 2 * rho)
                       + gp_exponential_cov(x, x, 0.3, rho) + gp_periodic_cov(x, 0.2 * alpha, rho, period)
                       + diag_matrix(rep_vector(1e-8, N));
    matrix[2, 2] Z = gp_matern32_cov(z, 1.0, 1.5) + gp_exponential_cov(z, 1.0, 1.5) + diag_matrix(rep_vector(0.1, 2));
    matrix[N, N] L_cov = cholesky_decompose(cov);
    f = L_cov * f_tilde + 0.1 * (Z[1, 2] + Z[1, 1]);
  }
}
model {
  rho ~ gamma(25, 4);
  alpha ~ normal(0, 2);
  period ~ lognormal(log(6), 0.3);
  f_tilde ~ normal(0, 1);
  z ~ normal(0, 1);
  k ~ poisson_log(f);
}
