// Functions of Stan's library (issue 13) on parameters, for the oracles
// (JIT = interpreter, gradient = finite differences): matrix algebra,
// sorting, constructors and the scalar special functions.
// data: tests/stan_corpus/library_functions.json
data {
  matrix[3, 2] X;
}
parameters {
  cholesky_factor_cov[3] L;
  cov_matrix[3] S;
  vector[3] v;
  matrix[3, 2] B;
  row_vector[3] r;
  vector[4] w;
  real<lower=0.1, upper=0.9> p;
  real<lower=1.1> x;
}
model {
  matrix[3, 3] A = tcrossprod(L);
  target += -0.5 * quad_form(A, v) - 0.1 * trace_quad_form(A, B) + 0.01 * sum(crossprod(B));
  target += -0.5 * dot_self(mdivide_left_tri_low(L, v)) - 0.5 * dot_self(mdivide_right_tri_low(r, L));
  target += -0.05 * sum(quad_form(A, B)) + 0.01 * trace(A) + 0.01 * sum(quad_form_sym(A, X));
  target += -0.5 * trace(inverse(S)) - 2 * log_determinant(S) - 0.5 * sum(square(to_vector(S)));
  target += -square(determinant(S) - 1) * 0.01 + 0.1 * sum(inverse_spd(S + diag_matrix(rep_vector(3, 3))));
  target += dot_product(sort_asc(w), [1, 2, 3, 4]') * 0.1 + sort_desc(w)[1] * 0.2 - 0.5 * dot_self(w);
  target += fma(x, v[1], v[2]) - lmgamma(3, x + 1) - 0.5 * dot_self(v) - 0.5 * dot_self(to_vector(B)) - 0.5 * dot_self(r);
  target += dot_product(linspaced_vector(3, 0, x), v) + dot_product(one_hot_vector(3, 2), v) * x;
  target += log10(x) + log2(x) + exp2(-x) + cbrt(x) + sin(x) + cos(x) + tan(p) + asin(p) + acos(p) + atan(x);
  target += sinh(p) + cosh(p) + tanh(x) + asinh(x) + acosh(x) + atanh(p) + inv_cloglog(p) + step(x - 2);
  target += inv_sqrt(x) + inv_square(x) + tgamma(x) + trigamma(x) + Phi_approx(p) + fdim(x, p) + fmod(x, p);
  target += hypot(x, p) + atan2(p, x) + log_inv_logit_diff(x, p) + lmultiply(p, x) + multiply_log(x, p);
  target += binary_log_loss(1, p) + gamma_p(x, p) + gamma_q(p, x) - x + owens_t(v[1], x) + owens_t(x, p);
  target += normal_lcdf(v[1] | p, x) + normal_lccdf(v[2] | 0, x) + logistic_lcdf(v[3] | 0, 1) + cauchy_lccdf(r[1] | 0, x);
  target += lognormal_lcdf(x | 0, 1) + exponential_lccdf(x | p) + weibull_lcdf(x | 2, 3) + double_exponential_lcdf(v[1] | 0, 1);
  target += std_normal_lcdf(w[1]) + log(normal_cdf(w[2] | 0, 2)) + poisson_lcdf(3 | x) + uniform_lcdf(p | 0, 1);
  target += gamma_lcdf(x | 2, 1.5) + gamma_lccdf(x | p + 1, 2) + inv_gamma_lcdf(x | 3, p) + inv_gamma_lccdf(x | 2, x - p);
  // `^` vectorised as Stan's pow: container ^ scalar, scalar ^ container, container ^ container.
  target += -0.01 * sum(exp(v) ^ 2) + 0.01 * sum(p ^ v) + 0.01 * sum(pow(exp(r), x)) - 0.01 * sum(exp(w) ^ [1, 0.5, 2, 1.5]');
  x ~ gamma(p + 1, 0.5) T[1.1, 50];
  v ~ gumbel(p, x);
  x ~ rayleigh(p + 1);
}
