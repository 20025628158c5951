// data: tests/stan_corpus/pdb/mvn.json
// A covariance built by hand from squared_distance and distance between
// rows (an exponential kernel of scaled rows; the distance of a row to
// itself is left out, as its gradient is not finite), mirrored by
// symmetrize_from_lower_tri, with identity_matrix jitter; rows_dot_self /
// columns_dot_self penalties; a prior through to_array_2d; every other
// observation picked by linspaced_int_array.
data {
  int<lower=1> N;
  int<lower=1> K;
  array[N] vector[K] y;
  array[N] row_vector[2] x;
  int<lower=1> J;
}
transformed data {
  int M = 5;
  array[M] int pick = linspaced_int_array(M, 1, N);
  matrix[M, K] Y;
  for (m in 1:M) {
    Y[m] = y[pick[m]]';
  }
}
parameters {
  real<lower=0> rho;
  real<lower=0> alpha;
  matrix[2, K] B;
  vector[K] c;
}
model {
  matrix[M, M] S;
  for (i in 1:M) {
    for (j in 1:M) {
      S[i, j] = square(alpha) * exp(-squared_distance(x[pick[i]], x[pick[j]]) / (2 * square(rho)))
                + (i == j ? 0.1 * alpha : 0.1 * alpha * exp(-distance(Y[i] .* c', Y[j] .* c') / rho));
    }
  }
  // S is symmetric: its lower triangle mirrored is S again.
  matrix[M, M] Sigma = symmetrize_from_lower_tri(S) + 0.5 * identity_matrix(M);
  array[2, K] real Ba = to_array_2d(B);
  rho ~ gamma(4, 4);
  alpha ~ normal(0, 1);
  c ~ normal(0, 1);
  for (i in 1:2) {
    Ba[i] ~ normal(0, 1);
  }
  target += -0.1 * sum(rows_dot_self(B)) - 0.1 * sum(columns_dot_self(B)) - 0.05 * rows_dot_self(c)[K]
            - 0.05 * columns_dot_self(c)[1];
  for (k in 1:K) {
    col(Y, k) ~ multi_normal(rep_vector(B[1, k], M), Sigma);
  }
}
