// data: tests/stan_corpus/pdb/kronecker_gp.json
functions {
  matrix kron_mvprod(matrix A, matrix B, matrix V) {
    return (B * V) * transpose(A);
  }
  matrix calculate_eigenvalues(vector A, vector B, int n1, int n2, real sigma2) {
    matrix[n1, n2] e;
    for (i in 1:n1) {
      for (j in 1:n2) {
        e[i, j] = (A[i] * B[j] + sigma2);
      }
    }
    return(e);
  }
}
data {
  int<lower=1> n1;
  int<lower=1> n2;
  array[n1] real x1;
  array[n2] real x2;
  matrix[n2, n1] y;
}
parameters {
  real<lower=0> var1;
  real<lower=0> bw1;
  real<lower=0> bw2;
  real<lower=0.00001> sigma1;
}
model {
  matrix[n1, n1] K1;
  matrix[n2, n2] K2;
  matrix[n1, n1] Q1;
  matrix[n2, n2] Q2;
  vector[n1] R1;
  vector[n2] R2;
  matrix[n2, n1] eigenvalues;
  K1 = cov_exp_quad(x1, var1, bw1);
  K2 = cov_exp_quad(x2, 1.0, bw2);
  Q1 = eigenvectors_sym(K1);
  R1 = eigenvalues_sym(K1);
  Q2 = eigenvectors_sym(K2);
  R2 = eigenvalues_sym(K2);
  eigenvalues = calculate_eigenvalues(R2, R1, n2, n1, sigma1);
  var1 ~ lognormal(0, 1);
  bw1 ~ cauchy(0, 2.5);
  bw2 ~ cauchy(0, 2.5);
  sigma1 ~ lognormal(0, 1);
  {
    matrix[n2, n1] alpha = kron_mvprod(transpose(Q1), transpose(Q2), y);
    alpha = alpha ./ eigenvalues;
    alpha = kron_mvprod(Q1, Q2, alpha);
    target += -0.5 * sum(y .* alpha) - 0.5 * sum(log(eigenvalues));
  }
}
