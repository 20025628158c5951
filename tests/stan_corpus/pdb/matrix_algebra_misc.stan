// data: tests/stan_corpus/pdb/mvn.json
// Row and column products (of matrices, vectors and row vectors), cumulative sums, softmax and unit vectors.
data {
  int<lower=1> N;
  int<lower=1> K;
  array[N] vector[K] y;
  array[N] row_vector[2] x;
  int<lower=1> J;
}
transformed data {
  matrix[N, K] Y;
  matrix[N, 2] X;
  for (n in 1:N) {
    Y[n] = y[n]';
    X[n] = x[n];
  }
  print("N = ", N, ", K = ", K);
}
parameters {
  matrix[2, K] B;
  unit_vector[2] u;
  positive_ordered[K] s;
  simplex[K] w;
}
model {
  matrix[N, K] M = X * B;
  row_vector[K] c = columns_dot_product(M, M) / N;
  vector[N] rdp = rows_dot_product(X, X);
  // One-element results: a row vector is one row, a vector one column.
  vector[1] rdp_one = rows_dot_product(B[1], B[2]);
  row_vector[1] cdp_one = columns_dot_product(s, w);
  to_vector(B) ~ normal(0, 2);
  s ~ gamma(2, 1);
  w ~ dirichlet(rep_vector(2, K));
  target += -0.5 * dot_self(to_vector(Y - M)) / 4;
  target += normal_lpdf(cumulative_sum(s) | 3, 10);
  target += normal_lpdf(c | 0, 100) - 0.001 * sum(rdp);
  target += categorical_lpmf(2 | softmax(log(w) + B[1]'));
  target += normal_lpdf(dot_product(u, [1, 0]') | 0.5, 1);
  target += 0.01 * (rdp_one[1] + cdp_one[1]) + 0.01 * rows_dot_product(s, w)[K];
}
generated quantities {
  vector[K] cum = cumulative_sum(w);
  real lse = log_sum_exp(to_vector(B));
  matrix[K, K] BtB = crossprod(B);
  real tr = trace(BtB);
}
