// data: tests/stan_corpus/algebra_solvers.json
// Every algebraic solver form on systems with closed-form roots:
// y^2 = theta (sqrt(theta)) by solve_newton, solve_newton_tol and
// solve_powell_tol; a linear system A x = b (A^{-1} b, b parameters) by
// solve_powell; a 3-d nonlinear chain (x1 = sqrt(2 phi1), x2 = phi2 / x1,
// x3 = log(x2)) by the legacy algebra_solver and algebra_solver_newton with
// theta, x_r and x_i. tests/e2e/algebra_solvers.rs checks the roots and
// gradients against the closed forms; the corpus oracles check JIT =
// interpreter and gradient = finite differences.
functions {
  vector square_root(vector y, real theta) {
    return [square(y[1]) - theta]';
  }
  vector linear(vector x, matrix A, vector b) {
    return A * x - b;
  }
  vector chain(vector y, vector theta, data array[] real x_r, array[] int x_i) {
    return [square(y[1]) - x_r[1] * theta[1], y[1] * y[2] - theta[2], exp(y[3]) - x_i[1] * y[2]]';
  }
}
data {
  matrix[3, 3] A;
  vector[3] y_obs;
  real x_obs;
}
parameters {
  real<lower=0> theta;
  vector<lower=0>[2] phi;
  vector[3] b;
  real<lower=0> sigma;
}
transformed parameters {
  vector[1] r_newton = solve_newton(square_root, [1.0]', theta);
  vector[1] r_newton_tol = solve_newton_tol(square_root, [2.0]', 1e-3, 1e-8, 50, theta);
  vector[1] r_powell_tol = solve_powell_tol(square_root, [3.0]', 1e-12, 1e-9, 100, theta);
  vector[3] x_linear = solve_powell(linear, rep_vector(0, 3), A, b);
  vector[3] x_chain = algebra_solver(chain, [1, 1, 0]', phi, {2.0}, {1});
  vector[3] x_chain_newton = algebra_solver_newton(chain, [1, 1, 0]', phi, {2.0}, {1}, 1e-10, 1e-8, 200);
}
model {
  theta ~ lognormal(0, 1);
  phi ~ lognormal(0, 0.5);
  b ~ normal(0, 1);
  sigma ~ lognormal(-1, 0.5);
  x_obs ~ normal(r_newton[1] + r_newton_tol[1] + r_powell_tol[1], sigma);
  y_obs ~ normal(x_linear, sigma);
  y_obs ~ normal(x_chain, sigma);
  y_obs ~ normal(x_chain_newton, sigma);
}
