// data: tests/stan_corpus/gp_ard.json
// GP regression with one length scale per input coordinate (automatic
// relevance determination), as posteriordb's gp_regression_ard and
// loggaussian_survival_gp write it: `gp_exp_quad_cov(x, alpha, l)` with
// `l` an array of reals (and the Matérn 3/2 kernel so, as logistic_gp),
// and the cross-covariance form for predictions.
// The oracles check the gradient in the length scales; the generated
// quantities write the kernel out beside each form (their differences
// were 0 in every draw of a short fit); library_values.stan checks both
// forms against mpmath.
data {
  int<lower=1> N;
  int<lower=1> D;
  array[N] vector[D] x;
  vector[N] y;
}
parameters {
  real<lower=0> magnitude;
  array[D] real<lower=0> scales;
  real<lower=0> noise;
}
model {
  matrix[N, N] K = add_diag(gp_exp_quad_cov(x, magnitude, scales)
                            + gp_matern32_cov(x, 0.5, scales), square(noise));
  magnitude ~ normal(0, 2);
  scales ~ inv_gamma(5, 5);
  noise ~ normal(0, 1);
  y ~ multi_normal_cholesky(rep_vector(0, N), cholesky_decompose(K));
}
generated quantities {
  real k13_error = gp_exp_quad_cov(x, magnitude, scales)[1, 3]
                   - square(magnitude) * exp(-0.5 * dot_self((x[1] - x[3]) ./ to_vector(scales)));
  real cross_error = gp_exp_quad_cov(x[2:4], x[1:2], magnitude, scales)[3, 1]
                     - square(magnitude) * exp(-0.5 * dot_self((x[4] - x[1]) ./ to_vector(scales)));
}
