// data: tests/stan_corpus/pdb/kalman_local_linear_trend.json
data {
  int<lower=1> T;
  vector[T] y;
}
parameters {
  real<lower=-1, upper=1> phi;
  real<lower=0> sigma_eta;
  real<lower=0> sigma_eps;
  real mu;
}
model {
  matrix[2, 2] Tm = [[1, 1], [0, phi]];
  matrix[2, 2] Q = diag_matrix([0.01, square(sigma_eta)]');
  row_vector[2] Z = [1, 0];
  vector[2] a = [mu, 0]';
  matrix[2, 2] P = diag_matrix(rep_vector(1, 2));
  for (t in 1:T) {
    real v;
    real F;
    vector[2] K;
    a = Tm * a;
    P = Tm * P * Tm' + Q;
    v = y[t] - Z * a;
    F = Z * P * Z' + square(sigma_eps);
    K = P * Z' / F;
    a = a + K * v;
    P = P - K * Z * P;
    target += -0.5 * (log(F) + square(v) / F);
  }
  phi ~ uniform(-1, 1);
  sigma_eta ~ normal(0, 1);
  sigma_eps ~ normal(0, 1);
  mu ~ normal(0, 5);
}
