// data: tests/stan_corpus/functions_local_reused.json
// A user function whose matrix local is overwritten whole by each of two
// loops (the shape of posteriordb's ansleykohn_var): the second loop
// overwrites `L` after the first loop and a third loop read it, but
// every read inside a loop sees a value its own iteration wrote. The
// gradient copies `L` before the second loop and puts it back once that
// loop is reversed, so the loop between them, recomputed by its reverse,
// reads the values it read forward.
functions {
  real chained(array[] matrix A, vector w) {
    int p = size(A);
    int m = rows(A[1]);
    matrix[m, m] L;
    real s = 0;
    for (k in 1:p) {
      L = tcrossprod(A[k]);
      for (i in 1:m)
        L[i, i] += 1.0;
      s += sum(cholesky_decompose(L)) * w[k];
    }
    for (i in 1:m)
      s += L[i, i] * A[1][i, 1] + 0.1 * square(L[i, 1]);
    for (k in 1:p) {
      L = A[k] + A[k]';
      s += 0.05 * sum(L .* A[p - k + 1]);
    }
    return s;
  }
}
data {
  int<lower=1> m;
  int<lower=1> p;
  vector[p] w;
}
parameters {
  array[p] matrix[m, m] A;
}
transformed parameters {
  real s = chained(A, w);
}
model {
  for (k in 1:p)
    to_vector(A[k]) ~ normal(0, 1);
  target += s;
}
