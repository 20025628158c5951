// data: tests/stan_corpus/ode_arguments.json
// Every kind of argument after the state: an array of vectors (parameters),
// 2-D real and int arrays (data), an array of matrices (transformed
// parameters), empty arrays. The rate the solution decays at reads one
// element of each, so a wrong packing order changes it: `diff` (solution
// minus closed form) is tests/e2e/stan_ode.rs's oracle.
functions {
  vector f(real t, vector y, array[] vector a, array[,] real b, array[,] int c, array[] matrix m, array[] real empty_r, array[] int empty_i) {
    return -a[2][1] * y + b[1, 2] * m[2][2, 1] * c[2, 1] * y + size(empty_r) + size(empty_i);
  }
}
data { array[2] real ts; array[2, 3] real b; array[2, 2] int c; }
parameters { array[2] vector<lower=0>[1] a; real<lower=0> s; }
transformed parameters {
  array[2] matrix[2, 2] m;
  m[1] = [[1, 2], [3, 4]];
  m[2] = [[5, s], [7 * s, 8]];
}
model {
  array[2] vector[1] y = ode_rk45_tol(f, [1.0]', 0.0, ts, 1e-10, 1e-10, 100000, a, b, c, m, rep_array(0.0, 0), rep_array(0, 0));
  for (j in 1:2) a[j] ~ lognormal(0, 1);
  s ~ lognormal(-3, 0.1);
  target += normal_lpdf(y[2][1] | 0.5, 0.1);
}
generated quantities {
  array[2] vector[1] yg = ode_rk45_tol(f, [1.0]', 0.0, ts, 1e-10, 1e-10, 100000, a, b, c, m, rep_array(0.0, 0), rep_array(0, 0));
  real exact = exp((-a[2][1] + b[1, 2] * m[2][2, 1] * c[2, 1]) * ts[2]);
  real diff = yg[2][1] - exact;
}
