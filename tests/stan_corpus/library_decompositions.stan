// qr_thin_Q, qr_thin_R, qr_Q, qr_R, singular_values, svd_U, svd_V and
// generalized_inverse: transformed data checks their defining identities on
// a tall and a wide matrix (a wrong value rejects the data, which fails the
// oracles); the model uses every differentiable form on parameters for the
// oracles (JIT = interpreter, gradient = finite differences).
// data: tests/stan_corpus/library_decompositions.json
data {
  matrix[4, 3] X;
  matrix[2, 3] W;
}
transformed data {
  matrix[4, 3] Q = qr_thin_Q(X);
  matrix[3, 3] R = qr_thin_R(X);
  matrix[4, 4] Qf = qr_Q(X);
  matrix[4, 3] Rf = qr_R(X);
  matrix[2, 2] Qw = qr_Q(W);
  matrix[2, 3] Rw = qr_thin_R(W);
  vector[3] s = singular_values(X);
  matrix[4, 3] U = svd_U(X);
  matrix[3, 3] V = svd_V(X);
  matrix[3, 2] Vw = svd_V(W);
  matrix[3, 4] Xp = generalized_inverse(X);
  matrix[3, 2] Wp = generalized_inverse(W);
  if (max(abs(Q * R - X)) > 1e-12) reject("qr_thin: Q R != X");
  if (max(abs(Q' * Q - identity_matrix(3))) > 1e-12) reject("qr_thin_Q: not orthonormal");
  if (max(abs(Qf' * Qf - identity_matrix(4))) > 1e-12) reject("qr_Q: not orthogonal");
  if (max(abs(Qf * Rf - X)) > 1e-12) reject("qr: Qf Rf != X");
  if (max(abs(Qw * Rw - W)) > 1e-12) reject("qr of the wide matrix");
  for (j in 1:3) {
    if (max(abs(Qf[:, j] - Q[:, j])) > 1e-14) reject("qr_Q begins with qr_thin_Q");
    if (R[j, j] < 0) reject("qr_thin_R: negative diagonal");
    for (i in (j + 1):3) if (R[i, j] != 0) reject("qr_thin_R: not upper triangular");
    if (Rf[4, j] != 0) reject("qr_R: last row not zero");
  }
  if (max(abs(U * diag_matrix(s) * V' - X)) > 1e-12) reject("svd: U S V' != X");
  if (s[1] < s[2] || s[2] < s[3]) reject("singular_values: not descending");
  if (max(abs(svd_U(W) * diag_matrix(singular_values(W)) * Vw' - W)) > 1e-12) reject("svd of the wide matrix");
  if (max(abs(X * Xp * X - X)) > 1e-12) reject("generalized_inverse: X X+ X != X");
  if (max(abs(Xp * X * Xp - Xp)) > 1e-12) reject("generalized_inverse: X+ X X+ != X+");
  if (max(abs(W * Wp - identity_matrix(2))) > 1e-12) reject("generalized_inverse of a wide matrix of full rank");
}
parameters {
  matrix[4, 3] A;
  matrix[2, 3] B;
}
model {
  to_vector(A) ~ normal(to_vector(X), 0.5);
  to_vector(B) ~ normal(to_vector(W), 0.5);
  target += 0.3 * sum(qr_thin_Q(A) .* Q) + 0.2 * sum(qr_thin_R(A)) + 0.1 * sum(qr_R(A));
  target += 0.2 * sum(qr_Q(B)) + 0.1 * sum(qr_R(B));
  target += 0.2 * sum(singular_values(A)) + 0.1 * sum(svd_U(A) .* U) + 0.1 * sum(svd_V(B) .* Vw);
  target += -0.05 * sum(square(generalized_inverse(A))) + 0.05 * sum(generalized_inverse(B));
}
