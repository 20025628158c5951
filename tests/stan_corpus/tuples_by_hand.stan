// tuples.stan's density written without tuples: the parts of qr_thin and
// svd called one by one, the data tuples' values (pair.2[1] = 1,
// nested.1 = 0.5 in tuples.json) as constants, the tuple parameter as two
// parameters. tests/e2e/tuples.rs compares the two programs' log densities and
// gradients. Its data are tuples.json (the tuple members unused here).
data {
  matrix[4, 3] X;
}
transformed data {
  matrix[4, 3] Qx = qr_thin_Q(X);
  matrix[4, 3] U = svd_U(X);
}
parameters {
  real mu;
  real<lower=0> theta_1;
  vector[2] theta_2;
  matrix[4, 3] A;
}
transformed parameters {
  real m1 = mu + theta_1;
  real m2 = sum(theta_2);
}
model {
  mu ~ normal(1, 1);
  theta_1 ~ lognormal(0.5, 1);
  theta_2 ~ normal(0, 1);
  to_vector(A) ~ normal(to_vector(X), 0.5);
  target += 0.3 * sum(qr_thin_Q(A) .* Qx) + 0.2 * sum(qr_thin_R(A)) + 0.1 * sum(qr_thin_Q(A));
  target += 0.2 * sum(singular_values(A)) + 0.1 * sum(svd_U(A) .* U);
  target += normal_lpdf(m1 | 0, 2) + normal_lpdf(m2 | 0, 2);
  target += -0.1 * square(mu) - 0.05 * dot_self(theta_2);
  {
    real tr = 0;
    for (k in 1:3) tr += qr_thin_R(A)[k, k];
    target += 0.1 * tr + 0.05 * sum(qr_thin_Q(A) .* Qx);
    target += normal_lpdf(mu | theta_1, 2);
    mu ~ normal(0, 3);
  }
}
