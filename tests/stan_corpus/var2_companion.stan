// VAR(2) for K series, simulated with Phi[1] = [[0.5, 0.1], [-0.2, 0.3]],
// Phi[2] = [[-0.3, 0], [0.1, 0.2]], sigma = 0.5 (var2_companion.json);
// generated quantities summarise stability by the eigenvalues of the
// companion matrix, which are complex (CSV columns lambdas.k.real/imag).
// data: tests/stan_corpus/var2_companion.json
data {
  int<lower=1> K;
  int<lower=3> T;
  array[T] vector[K] y;
}
parameters {
  array[2] matrix[K, K] Phi;
  vector<lower=0>[K] sigma;
}
model {
  for (p in 1:2) to_vector(Phi[p]) ~ normal(0, 0.5);
  sigma ~ normal(0, 1);
  for (t in 3:T)
    y[t] ~ normal(Phi[1] * y[t - 1] + Phi[2] * y[t - 2], sigma);
}
generated quantities {
  matrix[2 * K, 2 * K] companion = rep_matrix(0, 2 * K, 2 * K);
  for (p in 1:2)
    companion[1:K, ((p - 1) * K + 1):(p * K)] = Phi[p];
  companion[(K + 1):(2 * K), 1:K] = diag_matrix(rep_vector(1, K));
  complex_vector[2 * K] lambdas = eigenvalues(companion);
  vector[2 * K] lambda_moduli = abs(lambdas);
  real max_lambda_modulus = max(lambda_moduli);
}
