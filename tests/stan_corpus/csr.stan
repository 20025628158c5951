// The sparse csr_* functions (issue 13): a regression whose design
// matrix is given in compressed row storage, its nonzero values scaled by
// parameters (so the product is differentiated in w as well as in b).
// Data simulated by make_csr.py (beta = (1, -0.5, 0.25, 2, -1)).
// data: tests/stan_corpus/csr.json
data {
  int<lower=1> N;
  int<lower=1> K;
  matrix[N, K] X;
  int<lower=0> nz;
  vector[nz] w;
  array[nz] int v;
  array[N + 1] int u;
  vector[N] y;
}
transformed data {
  vector[nz] w_x = csr_extract_w(X);
  array[nz] int v_x = csr_extract_v(X);
  array[N + 1] int u_x = csr_extract_u(X);
}
parameters {
  vector[K] beta;
  real<lower=0> sigma;
  vector<lower=0>[nz] scale;
}
model {
  beta ~ normal(0, 2);
  sigma ~ exponential(1);
  scale ~ lognormal(0, 0.05);
  y ~ normal(csr_matrix_times_vector(N, K, w .* scale, v, u, beta), sigma);
}
generated quantities {
  // Each against its dense form (tests/e2e/csr.rs checks them at every draw).
  real product = max(abs(csr_matrix_times_vector(N, K, w, v, u, beta) - X * beta));
  real dense = max(abs(csr_to_dense_matrix(N, K, w, v, u) - X));
  real extract = max(abs(w_x - w)) + max(abs(to_vector(v_x) - to_vector(v))) + max(abs(to_vector(u_x) - to_vector(u)));
  real extracted_product = max(abs(csr_matrix_times_vector(N, K, csr_extract_w(X), csr_extract_v(X), csr_extract_u(X), beta) - X * beta));
}
