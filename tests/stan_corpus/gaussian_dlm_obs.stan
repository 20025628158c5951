// gaussian_dlm_obs (issue 13), V a matrix and V a vector of variances,
// with the evolution matrix and the variances parameters. In generated
// quantities each form is computed again as the multivariate normal
// density of all of y at once, its mean and covariance built from the
// model's definition (tests/e2e/gaussian_dlm_obs.rs checks they agree).
// data: tests/stan_corpus/gaussian_dlm_obs.json
functions {
  // log N(to_vector(y) | mu, S): y[:, t] = F' theta_t + v_t, theta_t =
  // G theta_(t-1) + w_t, theta_0 ~ N(m0, C0), so E[theta_t] = G^t m0,
  // Cov(theta_t, theta_s) = G^(t-s) P_s for s <= t with P_s = G P_(s-1) G'
  // + W, P_0 = C0, and Cov(y_t, y_s) = F' Cov(theta_t, theta_s) F (+ V
  // when s = t).
  real dlm_direct(matrix y, matrix F, matrix G, matrix V, matrix W, vector m0, matrix C0) {
    int r = rows(y);
    int T = cols(y);
    int n = rows(G);
    array[T] matrix[n, n] P;
    array[T] vector[n] m;
    matrix[r * T, r * T] S;
    vector[r * T] mu;
    P[1] = G * C0 * G' + W;
    m[1] = G * m0;
    for (t in 2:T) {
      P[t] = G * P[t - 1] * G' + W;
      m[t] = G * m[t - 1];
    }
    for (t in 1:T) {
      mu[((t - 1) * r + 1):(t * r)] = F' * m[t];
      matrix[n, n] Gk = diag_matrix(rep_vector(1, n));
      for (k in 0:(t - 1)) {
        int s = t - k;
        matrix[r, r] B = F' * Gk * P[s] * F;
        if (s == t) {
          B = B + V;
        }
        S[((t - 1) * r + 1):(t * r), ((s - 1) * r + 1):(s * r)] = B;
        S[((s - 1) * r + 1):(s * r), ((t - 1) * r + 1):(t * r)] = B';
        Gk = Gk * G;
      }
    }
    return multi_normal_lpdf(to_vector(y) | mu, S);
  }
}
data {
  int<lower=1> T;
  matrix[2, T] y;
  matrix[3, T] z;
  matrix[2, 2] F;
  matrix[2, 3] H;
  vector[2] m0;
  cov_matrix[2] C0;
}
parameters {
  real<lower=-1, upper=1> phi;
  real<lower=0> sigma;
  vector<lower=0>[3] tau;
}
transformed parameters {
  matrix[2, 2] G = [[phi, 0.3], [0, phi]];
  matrix[2, 2] W = diag_matrix(rep_vector(0.5, 2));
}
model {
  phi ~ normal(0, 0.5);
  sigma ~ normal(0, 1);
  tau ~ normal(0, 1);
  y ~ gaussian_dlm_obs(F, G, diag_matrix(rep_vector(square(sigma), 2)) + 0.1, W, m0, C0);
  target += gaussian_dlm_obs_lupdf(z | H, G, square(tau), W, m0, C0);
}
generated quantities {
  real matrix_form = gaussian_dlm_obs_lpdf(y | F, G, diag_matrix(rep_vector(square(sigma), 2)) + 0.1, W, m0, C0);
  real matrix_direct = dlm_direct(y, F, G, diag_matrix(rep_vector(square(sigma), 2)) + 0.1, W, m0, C0);
  real vector_form = gaussian_dlm_obs_lpdf(z | H, G, square(tau), W, m0, C0);
  real vector_direct = dlm_direct(z, H, G, diag_matrix(square(tau)), W, m0, C0);
}
