// Tuples (Stan 2.33+; unpacking 2.34+), which hbmc splits into one
// variable per element: tuple data (JSON objects with keys "1", "2"; an
// array of tuples a list of them), nested tuples, tuple parameters with
// constraints, an array of tuples, tuple expressions, element access and
// assignment, whole-tuple assignment, unpacking (a swap included, which
// reads what it assigns), `?:` on tuples, user functions taking and
// returning tuples (a user density among them), and the library functions
// that return tuples (qr_thin, qr, svd, eigendecompose_sym, eigendecompose,
// csr_extract) on data and, where their parts have gradients, on
// parameters. Transformed data checks the values (a wrong one rejects the
// data, which fails the oracles); tuples_by_hand.stan is the same density
// without tuples (tests/e2e/tuples.rs compares the two).
// data: tests/stan_corpus/tuples.json
functions {
  tuple(real, vector) scaled(tuple(real, vector) p, real c) {
    return (c * p.1, c * p.2);
  }
  real first_plus(tuple(real, tuple(int, real)) p) {
    return p.1 + p.2.2;
  }
  tuple(matrix, real) qr_trace(matrix M) {
    tuple(matrix[rows(M), cols(M)], matrix[cols(M), cols(M)]) f = qr_thin(M);
    real tr = 0;
    for (k in 1:cols(M)) tr += f.2[k, k];
    return (f.1, tr);
  }
  real pair_lpdf(real y, tuple(real, real) loc_scale) {
    return normal_lpdf(y | loc_scale.1, loc_scale.2);
  }
}
data {
  matrix[4, 3] X;
  tuple(int, vector[3]) pair;
  tuple(real, tuple(int, array[2] real)) nested;
  array[3] tuple(int, vector[2]) obs;
}
transformed data {
  tuple(matrix[4, 3], matrix[3, 3]) qr_x = qr_thin(X);
  tuple(matrix[4, 4], matrix[4, 3]) qr_full = qr(X);
  tuple(matrix[4, 3], vector[3], matrix[3, 3]) usv = svd(X);
  matrix[3, 3] S = crossprod(X);
  tuple(matrix[3, 3], vector[3]) eig = eigendecompose_sym(S);
  tuple(complex_matrix[3, 3], complex_vector[3]) eig_c = eigendecompose(S);
  tuple(vector[9], array[9] int, array[5] int) sparse = csr_extract(X);
  array[2] tuple(real, int) arr;
  tuple(real, tuple(int, vector[3])) copy;
  real a = 1;
  real b = 2;
  arr[1] = (1.5, 2);
  arr[2].1 = 2.5;
  arr[2].2 = arr[1].2 + 1;
  copy = (nested.1, (pair.1, pair.2));
  copy.2.2[3] = 7;
  (a, b) = (b, a);
  if (a != 2 || b != 1) reject("the swap");
  if (max(abs(qr_x.1 - qr_thin_Q(X))) != 0 || max(abs(qr_x.2 - qr_thin_R(X))) != 0) reject("qr_thin");
  if (max(abs(qr_full.1 * qr_full.2 - X)) > 1e-12) reject("qr");
  if (max(abs(usv.1 * diag_matrix(usv.2) * usv.3' - X)) > 1e-12) reject("svd");
  if (max(abs(eig.1 * diag_matrix(eig.2) * eig.1' - S)) > 1e-9) reject("eigendecompose_sym");
  if (max(abs(get_real(eig_c.2) - eigenvalues_sym(S)[{3, 2, 1}])) > 1e-9 && max(abs(sort_asc(get_real(eig_c.2)) - eigenvalues_sym(S))) > 1e-9) reject("eigendecompose");
  if (max(abs(sparse.1 - csr_extract_w(X))) != 0) reject("csr_extract: w");
  for (i in 1:9) if (sparse.2[i] != csr_extract_v(X)[i]) reject("csr_extract: v");
  for (i in 1:5) if (sparse.3[i] != csr_extract_u(X)[i]) reject("csr_extract: u");
  if (arr[1].1 != 1.5 || arr[2].2 != 3 || arr[2].1 != 2.5) reject("the array of tuples");
  if (copy.1 != nested.1 || copy.2.1 != 2 || copy.2.2[3] != 7 || pair.2[3] != 3) reject("the nested copy");
  if (nested.2.2[2] != 0.25 || nested.2.1 != 4) reject("nested data");
  if (obs[1].1 != 1 || obs[3].1 != 5 || obs[2].2[1] != -1 || obs[3].2[2] != 2.5) reject("array of tuples data");
  {
    tuple(real, vector[3]) u = scaled((1.5, pair.2), 2);
    real f = first_plus((u.1, (1, 0.5)));
    if (u.1 != 3 || u.2[2] != 4 || f != 3.5 || scaled(u, 0.5).1 != 1.5) reject("user functions on tuples");
  }
}
parameters {
  real mu;
  tuple(real<lower=0>, vector[2]) theta;
  matrix[4, 3] A;
}
transformed parameters {
  tuple(real, real) moments = (mu + theta.1, sum(theta.2));
}
model {
  tuple(matrix[4, 3], matrix[3, 3]) qr_a = qr_thin(A);
  matrix[4, 3] Q;
  matrix[3, 3] R;
  tuple(real, vector[2]) picked = mu > 0 ? (mu, theta.2) : (-mu, -theta.2);
  (Q, R) = qr_thin(A);
  mu ~ normal(pair.2[1], 1);
  theta.1 ~ lognormal(nested.1, 1);
  theta.2 ~ normal(0, 1);
  to_vector(A) ~ normal(to_vector(X), 0.5);
  target += 0.3 * sum(qr_a.1 .* qr_x.1) + 0.2 * sum(R) + 0.1 * sum(Q);
  target += 0.2 * sum(svd(A).2) + 0.1 * sum(svd(A).1 .* usv.1);
  target += normal_lpdf(moments.1 | 0, 2) + normal_lpdf(moments.2 | 0, 2);
  target += -0.1 * square(picked.1) - 0.05 * dot_self(picked.2);
  {
    tuple(matrix[4, 3], real) qt = qr_trace(A);
    target += 0.1 * qt.2 + 0.05 * sum(qt.1 .* qr_x.1);
    target += pair_lpdf(mu | (theta.1, 2));
    mu ~ pair((0, 3));
  }
}
generated quantities {
  tuple(real, tuple(int, vector[2])) draw = (mu, (pair.1, theta.2));
}
