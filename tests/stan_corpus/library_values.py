"""Reference values of tests/stan_corpus/library_values.stan:
python3 library_values.py (mpmath 1.3.0, 40 digits)."""
from mpmath import besseli, besselj, bessely, besselk, betainc, cos, mp, mpf, matrix, log, exp, ncdf, loggamma, binomial, beta, gammainc, factorial, quad, pi, sqrt, erfinv, erfc, findroot, lambertw
mp.dps = 40
il = lambda t: 1 / (1 + exp(-t))
f = lambda x: mpf(x)
c = [f(-1), f('0.5'), f(2)]
eta = f('0.3')
p = [f('0.2'), f('0.3'), f('0.5')]
a = [f('1.5'), f(2), f(3)]
lse = lambda v: log(sum(exp(t) for t in v))
g = [f(1), f(2), f('0.5')]
y = [1, 2, 3]
W2 = matrix([[2, '0.3'], ['0.3', 1]])
S2 = matrix([[1, '0.2'], ['0.2', '1.5']])
NS = matrix([[2, 1], ['0.5', 3]])
S3 = matrix([[1, '0.2', '0.1'], ['0.2', '1.5', '0.3'], ['0.1', '0.3', 2]])
Y23 = matrix([['0.3', -1, '0.5'], ['1.2', '0.4', '-0.7']])
tr = lambda m: sum(m[i, i] for i in range(m.rows))
lmgamma = lambda k, x: k * (k - 1) / f(4) * log(mp.pi) + sum(loggamma(x + (1 - j) / f(2)) for j in range(1, k + 1))
def wishart(nu, W, S):
    k = W.rows
    return ((nu - k - 1) / 2 * log(mp.det(W)) - tr(S ** -1 * W) / 2 - nu * k / 2 * log(2)
            - nu / 2 * log(mp.det(S)) - lmgamma(k, nu / 2))
def inv_wishart(nu, W, S):
    k = W.rows
    return (nu / 2 * log(mp.det(S)) - (nu + k + 1) / 2 * log(mp.det(W)) - tr(S * W ** -1) / 2
            - nu * k / 2 * log(2) - lmgamma(k, nu / 2))
def chol_jacobian(W):
    # log |J| of L -> L L' at L = chol(W): K log 2 + sum_k (K - k + 1) log L_kk
    L, k = mp.cholesky(W), W.rows
    return k * log(2) + sum((k - j) * log(L[j, j]) for j in range(k))
def multi_gp(Y, S, w):
    k, n = Y.rows, Y.cols
    q = sum(w[i] * (Y[i, :] * S ** -1 * Y[i, :].T)[0, 0] for i in range(k))
    return -k * n / f(2) * log(2 * mp.pi) - k / f(2) * log(mp.det(S)) + n / f(2) * sum(log(x) for x in w) - q / 2
def lkj_cov(W, mu, sigma, eta):
    k = W.rows
    sds = [mp.sqrt(W[i, i]) for i in range(k)]
    lognormal = sum(-log(s * sg * mp.sqrt(2 * mp.pi)) - (log(s) - m) ** 2 / (2 * sg ** 2) for s, m, sg in zip(sds, mu, sigma))
    r = W[0, 1] / (sds[0] * sds[1])
    # LKJ for K = 2: (eta - 1) log(1 - r^2) - log B(eta, eta) - (2 eta - 1) log 2 (as the "lkj" row)
    return lognormal + (eta - 1) * log(1 - r ** 2) - log(beta(eta, eta)) - (2 * eta - 1) * log(2)
PB = [f('0.2'), f('0.5'), f('0.7'), f('0.9')]
def poisson_binomial(k, theta):
    from itertools import product
    total = f(0)
    for outcome in product([0, 1], repeat=len(theta)):
        if sum(outcome) == k:
            p = f(1)
            for o, t in zip(outcome, theta):
                p *= t if o else 1 - t
            total += p
    return total
# A 3-state HMM over 4 observations (log_omega 3 x 4, Gamma's rows
# simplexes, rho the first state's distribution, as Stan's hmm_marginal):
# every one of the 3^4 state paths enumerated.
HLO = [[f('-1.2'), f('-0.5'), f('-2.4'), f('-0.8')], [f('-0.3'), f('-1.7'), f('-0.2'), f('-0.6')],
       [f(-2), f('-0.9'), f('-1.1'), f(-3)]]
HG = [[f('0.7'), f('0.2'), f('0.1')], [f('0.25'), f('0.5'), f('0.25')], [f('0.1'), f('0.3'), f('0.6')]]
HRHO = [f('0.5'), f('0.3'), f('0.2')]
def hmm_paths():
    for code in range(3 ** 4):
        x = [code // 3 ** t % 3 for t in range(4)]
        p = HRHO[x[0]] * exp(HLO[x[0]][0])
        for t in range(1, 4):
            p *= HG[x[t - 1]][x[t]] * exp(HLO[x[t]][t])
        yield x, p
def hmm_state_prob(k, t):
    return sum(p for x, p in hmm_paths() if x[t] == k) / sum(p for _, p in hmm_paths())
rows = {
    "ordered_logistic_2": log(il(eta - c[0]) - il(eta - c[1])),
    "ordered_logistic_1": log(1 - il(eta - c[0])),
    "ordered_logistic_4": log(il(eta - c[2])),
    "ordered_probit_1": log(1 - ncdf(eta - c[0])),
    "ordered_probit_2": log(ncdf(eta - c[0]) - ncdf(eta - c[1])),
    "ordered_probit_4": log(ncdf(eta - c[2])),
    "ordered_probit_far": log(ncdf(9 - c[1]) - ncdf(9 - c[2])),
    "dirichlet": loggamma(sum(a)) - sum(loggamma(t) for t in a) + sum((ai - 1) * log(pi) for ai, pi in zip(a, p)),
    "categorical": log(p[1]),
    "categorical_logit": g[2] - lse(g),
    "multinomial": log(factorial(6)) - sum(log(factorial(k)) for k in y) + sum(k * log(pi) for k, pi in zip(y, p)),
    "multinomial_logit": log(factorial(6)) - sum(log(factorial(k)) for k in y) + sum(k * (gi - lse(g)) for k, gi in zip(y, g)),
    "gp": 4 * exp(-f('1.5') ** 2 / (2 * f('0.7') ** 2)),
    "gp_vector": 4 * exp(-(f('1.5') ** 2 + f('1.5') ** 2) / (2 * f('0.7') ** 2)),
    # one length scale per coordinate: alpha² exp(-sum_d ((x1_d - x2_d) / l_d)² / 2)
    "gp_ard_21": 4 * exp(-((f('1.5') / f('0.7')) ** 2 + (f('1.5') / f('1.3')) ** 2) / 2),
    "gp_ard_cross_12": f('1.2') ** 2 * exp(-((f('1.5') / f('0.4')) ** 2 + (f('1.5') / f('2.5')) ** 2) / 2),
    # the Matérn and exponential kernels of d = |(x1 - x2) ./ l| with unit length scale
    "gp_matern32_ard_12": f('1.3') ** 2 * (1 + mp.sqrt(3) * mp.sqrt((f('1.5') / f('0.7')) ** 2 + 1)) * exp(-mp.sqrt(3) * mp.sqrt((f('1.5') / f('0.7')) ** 2 + 1)),
    "gp_exponential_ard_12": f('1.3') ** 2 * exp(-mp.sqrt((f('1.5') / f('0.7')) ** 2 + 1)),
    "gp_matern52_ard_cross_12": f('1.3') ** 2 * (1 + mp.sqrt(5) * mp.sqrt((f('0.5') / f('0.4')) ** 2 + (f('0.5') / f('1.5')) ** 2)
        + f(5) / 3 * ((f('0.5') / f('0.4')) ** 2 + (f('0.5') / f('1.5')) ** 2))
        * exp(-mp.sqrt(5) * mp.sqrt((f('0.5') / f('0.4')) ** 2 + (f('0.5') / f('1.5')) ** 2)),
    "qfd": 2 * f('0.5') * 3,
    "add_diag_2": f('2.25'),
    "sub_col_2": f(9),
    "sub_row_2": f(8),
    "log10_x": log(f('1234.5'), 10),
    "normal_lcdf_x": log(ncdf((f('1.3') + f('0.4')) / f('2.1'))),
    "normal_cdf_x": ncdf((f('1.3') + f('0.4')) / f('2.1')),
    "poisson_lccdf_x": log(gammainc(4, 0, f('2.5'), regularized=True)),
    "owens_t_x": quad(lambda t: exp(-f('0.5') ** 2 * (1 + t ** 2) / 2) / (1 + t ** 2), [0, f('0.3')]) / (2 * pi),
    "gumbel_x": -log(f('1.7')) - (f('1.3') - f('0.5')) / f('1.7') - exp(-(f('1.3') - f('0.5')) / f('1.7')),
    "rayleigh_x": log(f('1.3')) - 2 * log(f('1.7')) - f('1.3') ** 2 / (2 * f('1.7') ** 2),
    "gamma_lcdf_x": log(gammainc(f('2.5'), 0, f('1.7') * f('1.3'), regularized=True)),
    "inv_gamma_lccdf_x": log(gammainc(f('2.5'), 0, f('1.7') / f('1.3'), regularized=True)),
    "beta_binomial": log(binomial(10, 3) * beta(3 + f('2.5'), 7 + f('1.5')) / beta(f('2.5'), f('1.5'))),
    "lkj": (f('3.5') - 1) * log(1 - f('0.4') ** 2) - log(beta(f('3.5'), f('3.5'))) - (2 * f('3.5') - 1) * log(2),
    "glm": log(il(eta + f('0.4') - f('0.4'))) + log(1 - il(eta + f('0.2') + f('0.2'))),
    "quad_form_v": f(1) + 2 * f('0.5') * 2 + 4 * 2,
    "tcrossprod_12": f(1 * 4 + 2 * 5 + 3 * 6),
    "crossprod_12": f(1 * 2 + 4 * 5 + 7 * 8),
    "trace_qf": sum((matrix([[1, 0], [1, 1]]).T * matrix([[1, '0.5'], ['0.5', 2]]) * matrix([[1, 0], [1, 1]]))[i, i] for i in range(2)),
    "left_tri_2": (f(5) - f(1) * 2) / 3,
    "right_tri_1": f(4) / 2 - f(5) / 6,
    "linspaced_4": f('0.75'),
    "linspaced_one": f(7),
    "one_hot_3": f(1),
    "one_hot_2": f(0),
    "ones_sum": f(3),
    "uniform_simplex_1": f('0.25'),
    "fma_x": f(10),
    "choose_10_3": binomial(10, 3),
    "choose_3_5": f(0),
    "lmgamma_3": 3 * 2 / f(4) * log(mp.pi) + loggamma(f('2.5')) + loggamma(f(2)) + loggamma(f('1.5')),
    "rank_1": f(2),
    "inverse_12": (matrix([[1, '0.5'], ['0.5', 2]]) ** -1)[0, 1],
    "determinant_m": f('1.75'),
    "log_determinant_m": log(abs(f(-2) - f('0.25'))),
    "sort_asc_1": f(1),
    "sort_desc_1": f('3.5'),
    "to_int_neg": f(-3),
    "normal_glm": sum(-((yy - mu) / f('1.5')) ** 2 / 2 - log(f('1.5')) - log(2 * mp.pi) / 2
                      for yy, mu in [(f('0.5'), eta + f('0.4') - f('0.4')), (f(-1), eta + f('0.2') + f('0.2'))]),
    "skew_normal_x": log(2 / f('2.1') * mp.npdf((f('1.3') + f('0.4')) / f('2.1')) * ncdf(f('1.5') * (f('1.3') + f('0.4')) / f('2.1'))),
    "exp_mod_normal_x": log(f('1.5') * exp(f('1.5') * (-f('0.4') + f('1.5') * f('2.1') ** 2 / 2 - f('1.3'))) * ncdf((f('1.3') + f('0.4')) / f('2.1') - f('1.5') * f('2.1'))),
    "pareto_type_2_x": -3 * log(1 + (f('2.5') - f('0.5')) / f('1.7')),
    "frechet_x": log(f('2.5') / f('1.7') * (f('1.3') / f('1.7')) ** (-1 - f('2.5')) * exp(-(f('1.3') / f('1.7')) ** (-f('2.5')))),
    "loglogistic_x": -log(1 + (f('1.3') / f('2.5')) ** (-f('1.7'))),
    "scaled_inv_chi_square_x": log(gammainc(f('1.25'), f('2.5') * f('0.8') ** 2 / (2 * f('1.3')), mp.inf, regularized=True)),
    "pareto_x": log(3 * f('1.2') ** 3 / f('2.5') ** 4),
    "chi_square_x": log(gammainc(f('1.25'), f('0.65'), mp.inf, regularized=True)),
    "inc_beta_x": betainc(f('0.5'), f('0.7'), 0, f('0.2'), regularized=True),
    "student_t_lcdf_x": log(betainc(f('1.5'), f('0.5'), 0, 3 / (3 + ((f('1.3') + f('0.4')) / f('2.1')) ** 2), regularized=True) / 2),
    "beta_lccdf_x": log(betainc(f('1.7'), f('2.5'), 0, f('0.7'), regularized=True)),
    "binomial_lcdf_x": log(sum(binomial(10, j) * f('0.4') ** j * f('0.6') ** (10 - j) for j in range(4))),
    "neg_binomial_2_lccdf_x": log(betainc(4, f('1.7'), 0, f('2.5') / f('4.2'), regularized=True)),
    "von_mises_x": f('2.1') * cos(f('1.3') + f('0.4')) - log(2 * pi * besseli(0, f('2.1'))),
    "multi_student_t_x": (lambda nu, d, S: loggamma((nu + 2) / 2) - loggamma(nu / 2) - log(nu * pi) - log(mp.det(S)) / 2
                          - (nu + 2) / 2 * log(1 + (d.T * S ** -1 * d)[0, 0] / nu))(f('4.5'), matrix([f('0.5'), f(1)]), matrix([[2, '0.3'], ['0.3', 1]])),
    # stable sorts: ties keep their order; indices are 1-based
    "sort_indices_asc_2": f(1 + sorted(range(5), key=lambda i: [3.5, -1, 2, -1, 7][i])[1]),
    "sort_indices_asc_3": f(1 + sorted(range(5), key=lambda i: [3.5, -1, 2, -1, 7][i])[2]),
    "sort_indices_desc_1": f(1 + sorted(range(5), key=lambda i: -[3.5, -1, 2, -1, 7][i])[0]),
    "sort_indices_desc_5": f(1 + sorted(range(5), key=lambda i: -[3.5, -1, 2, -1, 7][i])[4]),
    "sort_asc_int_2": f(sorted([4, -2, 9, 0])[1]),
    "sort_desc_int_1": f(sorted([4, -2, 9, 0])[-1]),
    "to_matrix_rows_12": f(2),
    "to_matrix_cols_12": f(3),
    "eigenvalues_sym_1": sorted(mp.eigsy(matrix([[1, '0.5'], ['0.5', 2]]))[0])[0],
    "eigenvalues_sym_2": sorted(mp.eigsy(matrix([[1, '0.5'], ['0.5', 2]]))[0])[1],
    # the eigenvector of the smaller eigenvalue, its largest element positive
    "eigenvectors_sym_21": (lambda v: v[1] * mp.sign(max(v, key=abs)) / mp.norm(matrix(v)))(
        [f('0.5'), sorted(mp.eigsy(matrix([[1, '0.5'], ['0.5', 2]]))[0])[0] - 1]),
    "dims_big_2": f(3),
    # the mass of n = (3, 0, 5): N! / prod n_k! * B(alpha + n) / B(alpha), by Gamma functions
    "dirichlet_multinomial_x": (lambda n, a: loggamma(sum(n) + 1) - sum(loggamma(x + 1) for x in n) + loggamma(sum(a))
                                - loggamma(sum(a) + sum(n)) + sum(loggamma(x + y) - loggamma(y) for x, y in zip(n, a)))(
        [f(3), f(0), f(5)], [f('1.5'), f('0.7'), f('2.5')]),
    "dirichlet_multinomial_zero": f(0),
    "multi_normal_prec_x": (lambda d, W: -log(2 * pi) + log(mp.det(W)) / 2 - (d.T * W * d)[0, 0] / 2)(
        matrix([f('0.5'), f(1)]), matrix([[2, '0.3'], ['0.3', 1]])),
    # a row vector is one row (a vector one column): one element, the dot product
    "rows_dot_row_vectors": f(1 * 4 - 2 * 5 + 3 * 6),
    "columns_dot_vectors": f(1 * 4 - 2 * 5 + 3 * 6),
    "rows_dot_vectors_2": f(-2 * 5),
    "columns_dot_row_vectors_3": f(3 * 6),
    "rows_dot_row_vectors_size": f(1),
    # linspaced_int_array(K, low, high): step (high - low) // (K - 1) when the
    # range has K values or more, else each value repeated (Stan math docs)
    "linspaced_int_spaced_5": f([1, 3, 5, 7, 9][4]),
    "linspaced_int_spaced_2": f([1, 3, 5, 7, 9][1]),
    "linspaced_int_repeated_4": f([1, 1, 2, 2, 3, 3][3]),
    "linspaced_int_repeated_7": f([1, 1, 1, 2, 2, 2, 3][6]),
    "linspaced_int_repeated_3": f([1, 1, 1, 2, 2, 2, 3][2]),
    "linspaced_int_one": f(3),
    "identity_22": f(1),
    "identity_13": f(0),
    "squared_distance_v": f('0.5') ** 2 + 3 ** 2 + 1 ** 2,
    "distance_v": mp.sqrt(f('0.5') ** 2 + 3 ** 2 + 1 ** 2),
    "squared_distance_r": f('3.5') ** 2,
    "distance_r": f('3.5'),
    "rows_dot_self_2": f(16 + 25 + 36),
    "columns_dot_self_3": f(9 + 36),
    # stationary GP kernels at distance d = 1.5 (alpha 1.3, rho 0.7; period 2.5)
    "gp_exponential_12": f('1.3') ** 2 * exp(-f('1.5') / f('0.7')),
    "gp_matern32_12": f('1.3') ** 2 * (1 + mp.sqrt(3) * f('1.5') / f('0.7')) * exp(-mp.sqrt(3) * f('1.5') / f('0.7')),
    "gp_matern52_12": f('1.3') ** 2 * (1 + mp.sqrt(5) * f('1.5') / f('0.7') + 5 * f('1.5') ** 2 / (3 * f('0.7') ** 2))
                      * exp(-mp.sqrt(5) * f('1.5') / f('0.7')),
    "gp_matern52_11": f('1.3') ** 2,
    "gp_periodic_12": f('1.3') ** 2 * exp(-2 * mp.sin(pi * f('1.5') / f('2.5')) ** 2 / f('0.7') ** 2),
    # points (2, -1) and (1, 1): d = sqrt(5)
    "gp_matern32_vectors_21": f('1.3') ** 2 * (1 + mp.sqrt(15) / f('0.7')) * exp(-mp.sqrt(15) / f('0.7')),
    # the lower triangle's 2 read across the diagonal; big[2, 3] = 6
    "symmetrize_12": f(2),
    "symmetrize_21": f(2),
    "to_array_2d_23": f(6),
    "pow_vector_int_2": f(4),
    "pow_real_vector_2": 2 ** f('1.5'),
    "bessel_first_kind_x": besselj(2, f('1.5')),
    "bessel_second_kind_x": bessely(1, f('2.5')),
    "modified_bessel_first_kind_x": besseli(2, f('1.5')),
    "modified_bessel_first_kind_array_3": besseli(3, f('1.5')),
    "modified_bessel_second_kind_x": besselk(1, f('2.5')),
    "log_modified_bessel_first_kind_x": log(besseli(f('0.7'), f('3.2'))),
    # covariance-matrix densities by their textbook formulas (Stan's functions reference)
    "wishart_x": wishart(f('4.5'), W2, S2),
    "inv_wishart_x": inv_wishart(f('4.5'), W2, S2),
    "wishart_cholesky_x": wishart(f('4.5'), W2, S2) + chol_jacobian(W2),
    "inv_wishart_cholesky_x": inv_wishart(f('4.5'), W2, S2) + chol_jacobian(W2),
    "multi_gp_x": multi_gp(Y23, S3, [f('0.5'), f(2)]),
    "multi_gp_cholesky_x": multi_gp(Y23, S3, [f('0.5'), f(2)]),
    "lkj_cov_x": lkj_cov(W2, [f('0.1'), f('-0.2')], [f(1), f('0.5')], f('2.5')),
    "mdivide_left_spd_2": (S2 ** -1 * matrix([1, 2]))[1],
    "mdivide_right_spd_1": (matrix([[1, 2]]) * S2 ** -1)[0],
    # the Poisson binomial by enumerating the 16 outcomes of the four trials
    "poisson_binomial_x": log(poisson_binomial(2, PB)),
    "poisson_binomial_0": log(poisson_binomial(0, PB)),
    "matrix_exp_12": mp.expm(matrix([[1, 2], ['0.5', -1]]))[0, 1],
    "matrix_exp_21": mp.expm(matrix([[1, 2], ['0.5', -1]]))[1, 0],
    "matrix_exp_big_33": mp.expm(matrix([[1, 2, 3], [4, 5, 6], [7, 8, 9]]) / 2)[2, 2],
    "matrix_exp_multiply_2": (mp.expm(matrix([[1, 2], ['0.5', -1]])) * matrix([1, -1]))[1],
    "scale_matrix_exp_multiply_1": (mp.expm(f('0.3') * matrix([[1, 2], ['0.5', -1]])) * matrix([1, -1]))[0],
    "rising_factorial_x": f('2.5') * f('3.5') * f('4.5'),
    "falling_factorial_x": f('5.5') * f('4.5'),
    "log_rising_factorial_x": loggamma(f('2.0')) - loggamma(f('0.7')),
    "log_falling_factorial_x": loggamma(f('5.2')) - loggamma(f('1.5')),
    "poisson_binomial_array": log(poisson_binomial(4, PB)) + log(poisson_binomial(1, PB)),
    # log_mix(theta, lp) = log(sum_k theta_k exp(lp_k)), summed over an array's vectors
    "log_mix_vector": log(f('0.3') * exp(-1) + f('0.7') * exp(-2)),
    "log_mix_array_of_vectors": log(f('0.2') * exp(-1) + f('0.5') * exp(f('0.3')) + f('0.3') * exp(f('-2.5')))
        + log(f('0.2') * exp(f('0.7')) + f('0.5') * exp(f('-0.4')) + f('0.3') * exp(f('1.1'))),
    "hmm_marginal_x": log(sum(p for _, p in hmm_paths())),
    "hmm_hidden_state_prob_23": hmm_state_prob(1, 2),
    "hmm_hidden_state_prob_14": hmm_state_prob(0, 3),
    "std_normal_qf_x": -sqrt(2) * erfinv(1 - 2 * f('0.3')),
    "lambert_w0_x": lambertw(1).real,
    "log_sum_exp_pair_2": log(exp(2) + exp(-1)),
    "lambert_wm1_x": lambertw(f('-0.1'), -1).real,
    "std_normal_log_qf_1": -sqrt(2) * erfinv(1 - 2 * exp(-1)),
    "std_normal_log_qf_near_1": -sqrt(2) * erfinv(1 - 2 * exp(f('-1e-10'))),
    # below e^-700 by the root of log(ncdf(x)) = lp
    "std_normal_log_qf_800": findroot(lambda x: log(ncdf(x)) + 800, -40),
    "std_normal_log_qf_far": findroot(lambda x: log(ncdf(x)) + 2000, -63),
    "log_determinant_spd_m": log(f('1.75')),
    "chol2inv_12": f('-0.5') / f('1.75'),
    "norm1_x": f(7),
    "norm2_x": f(5),
    "reverse_1": f(3),
    "block_22": f(8),
    "is_inf_nan": f(3),
    "inv_erfc_x": erfinv(1 - f('0.3')),
    "inv_erfc_hi": erfinv(1 - f('1.9999')),
    # 1 - 1e-300 rounds to 1 even at 40 digits: the root of log erfc(y) = log x
    "inv_erfc_tiny": findroot(lambda t: log(erfc(t)) - log(f('1e-300')), 26),
    "beta_x": beta(f('2.5'), f('3.5')),
    "beta_small": beta(f('0.1'), f(200)),
    "mdivide_left_2": (NS ** -1 * matrix([1, 2]))[1],
    "mdivide_left_matrix_21": (NS ** -1 * matrix([[1, 2], [3, 4]]))[1, 0],
    "mdivide_right_1": (matrix([[1, 2]]) * NS ** -1)[0],
    "mdivide_right_matrix_12": (matrix([[1, 2], [3, 4]]) * NS ** -1)[0, 1],
}
for k, v in rows.items():
    print(f'        ("{k}", {mp.nstr(v, 20)}),')
