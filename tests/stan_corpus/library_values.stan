// Stan library functions of issue 13 at fixed arguments; the test
// `library_values_match_mpmath` (tests/stan_programs.rs) compares each
// generated quantity with mpmath (tests/stan_corpus/library_values.py).
transformed data {
  vector[3] p = [0.2, 0.3, 0.5]';
  vector[3] cuts = [-1, 0.5, 2]';
  array[3] int y = {1, 2, 3};
  matrix[2, 2] m = [[1, 0.5], [0.5, 2]];
  matrix[3, 3] big = [[1, 2, 3], [4, 5, 6], [7, 8, 9]];
}
generated quantities {
  real ordered_logistic_2 = ordered_logistic_lpmf(2 | 0.3, cuts);
  real ordered_logistic_1 = ordered_logistic_lpmf(1 | 0.3, cuts);
  real ordered_logistic_4 = ordered_logistic_lpmf(4 | 0.3, cuts);
  real ordered_probit_1 = ordered_probit_lpmf(1 | 0.3, cuts);
  real ordered_probit_2 = ordered_probit_lpmf(2 | 0.3, cuts);
  real ordered_probit_4 = ordered_probit_lpmf(4 | 0.3, cuts);
  real ordered_probit_far = ordered_probit_lpmf(3 | 9.0, cuts);
  real dirichlet = dirichlet_lpdf(p | [1.5, 2, 3]');
  real categorical = categorical_lpmf(2 | p);
  real categorical_logit = categorical_logit_lpmf(3 | [1, 2, 0.5]');
  real multinomial = multinomial_lpmf(y | p);
  real multinomial_logit = multinomial_logit_lpmf(y | [1, 2, 0.5]');
  real gp = gp_exp_quad_cov({0.0, 1.5}, 2.0, 0.7)[1, 2];
  real gp_vector = gp_exp_quad_cov({[0, 1]', [1.5, -0.5]'}, 2.0, 0.7)[2, 1];
  real qfd = quad_form_diag(m, [2, 3]')[1, 2];
  real add_diag_2 = add_diag(m, 0.25)[2, 2];
  real sub_col_2 = sub_col(big, 2, 3, 2)[2];
  real sub_row_2 = sub_row(big, 3, 1, 3)[2];
  real log10_x = log10(1234.5);
  real normal_lcdf_x = normal_lcdf(1.3 | -0.4, 2.1);
  real normal_cdf_x = normal_cdf(1.3 | -0.4, 2.1);
  real poisson_lccdf_x = poisson_lccdf(3 | 2.5);
  real owens_t_x = owens_t(0.5, 0.3);
  real gumbel_x = gumbel_lpdf(1.3 | 0.5, 1.7);
  real rayleigh_x = rayleigh_lpdf(1.3 | 1.7);
  real gamma_lcdf_x = gamma_lcdf(1.3 | 2.5, 1.7);
  real inv_gamma_lccdf_x = inv_gamma_lccdf(1.3 | 2.5, 1.7);
  real beta_binomial = beta_binomial_lpmf(3 | 10, 2.5, 1.5);
  real lkj = lkj_corr_lpdf([[1, 0.4], [0.4, 1]] | 3.5);
  real glm = bernoulli_logit_glm_lpmf({1, 0} | [[1, 2], [0.5, -1]], 0.3, [0.4, -0.2]');
  real quad_form_v = quad_form(m, [1, 2]');
  real tcrossprod_12 = tcrossprod(big)[1, 2];
  real crossprod_12 = crossprod(big)[1, 2];
  real trace_qf = trace_quad_form(m, [[1, 0], [1, 1]]);
  real left_tri_2 = mdivide_left_tri_low([[2, 0], [1, 3]], [4, 5]')[2];
  real right_tri_1 = mdivide_right_tri_low([4, 5], [[2, 0], [1, 3]])[1];
  real linspaced_4 = linspaced_vector(5, 0, 1)[4];
  real linspaced_one = linspaced_array(1, 0, 7)[1];
  int one_hot_3 = one_hot_int_array(4, 3)[3];
  real one_hot_2 = one_hot_vector(4, 3)[2];
  real ones_sum = sum(ones_row_vector(3)) + sum(zeros_array(2));
  real uniform_simplex_1 = uniform_simplex(4)[1];
  real fma_x = fma(2, 3, 4);
  int choose_10_3 = choose(10, 3);
  int choose_3_5 = choose(3, 5);
  real lmgamma_3 = lmgamma(3, 2.5);
  int rank_1 = rank({3, 1, 2}, 1);
  real inverse_12 = inverse(m)[1, 2];
  real determinant_m = determinant(m);
  real log_determinant_m = log_determinant([[-1, 0.5], [0.5, 2]]);
  real sort_asc_1 = sort_asc([3, 1, 2]')[1];
  real sort_desc_1 = sort_desc({3.5, 1, 2})[1];
  int to_int_neg = to_int(-3.9);
  real normal_glm = normal_id_glm_lpdf([0.5, -1]' | [[1, 2], [0.5, -1]], 0.3, [0.4, -0.2]', 1.5);
  real skew_normal_x = skew_normal_lpdf(1.3 | -0.4, 2.1, 1.5);
  real exp_mod_normal_x = exp_mod_normal_lpdf(1.3 | -0.4, 2.1, 1.5);
  real pareto_type_2_x = pareto_type_2_lccdf(2.5 | 0.5, 1.7, 3.0);
  real frechet_x = frechet_lpdf(1.3 | 2.5, 1.7);
  real loglogistic_x = loglogistic_lcdf(1.3 | 2.5, 1.7);
  real scaled_inv_chi_square_x = scaled_inv_chi_square_lcdf(1.3 | 2.5, 0.8);
  real pareto_x = pareto_lpdf(2.5 | 1.2, 3.0);
  real chi_square_x = chi_square_lccdf(1.3 | 2.5);
}
