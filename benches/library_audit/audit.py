#!/usr/bin/env python3
"""Which Stan library names of issue 13 does `hbmc check` not know?

For each function, and each distribution with every suffix Stan defines for
it, compile a tiny program calling the name with no arguments in
`generated quantities` (densities in `model`) and classify the diagnostic:
E1003 ("there is no function" / "not in hbmc yet") means the name is
missing; any other error (wrong arguments) means hbmc knows it.

Usage: python3 benches/library_audit/audit.py [path/to/hbmc]
Prints one line per missing name and a tally. Not a test: it reads names,
not behaviour (the stdlib tests check values and gradients).
"""
import os, subprocess, sys, tempfile

HBMC = sys.argv[1] if len(sys.argv) > 1 else "target/release/hbmc"

# Distributions: name -> suffixes Stan defines ("d" = _lpdf/_lpmf + _lupdf/_lupmf).
C = ["d", "_lcdf", "_lccdf", "_cdf", "_rng"]     # univariate continuous/discrete with cdfs
NOCDF = ["d", "_rng"]
GLM = ["d"]
DISCRETE = {"bernoulli", "bernoulli_logit", "bernoulli_logit_glm", "binomial", "binomial_logit",
            "binomial_logit_glm", "beta_binomial", "categorical", "categorical_logit",
            "categorical_logit_glm", "multinomial", "multinomial_logit", "poisson", "poisson_log",
            "poisson_log_glm", "poisson_binomial", "neg_binomial", "neg_binomial_2",
            "neg_binomial_2_log", "neg_binomial_2_log_glm", "ordered_logistic", "ordered_probit",
            "ordered_logistic_glm", "hypergeometric", "discrete_range", "beta_neg_binomial"}
DISTRIBUTIONS = {
    # corpus
    "bernoulli_logit_glm": GLM, "dirichlet": NOCDF, "categorical": NOCDF, "categorical_logit": NOCDF,
    # what Stan users reach for first
    "poisson_log_glm": GLM, "normal_id_glm": GLM, "ordered_logistic": NOCDF, "ordered_probit": NOCDF,
    "beta_binomial": C, "multinomial": NOCDF, "multinomial_logit": NOCDF, "multi_student_t": NOCDF,
    "multi_student_t_cholesky": NOCDF, "von_mises": C, "skew_normal": C, "exp_mod_normal": C,
    "inv_chi_square": C, "pareto": C, "pareto_type_2": C, "rayleigh": C, "gumbel": C, "frechet": C,
    "hypergeometric": ["d", "_rng"], "wiener": ["d"],
    # the brief's known-missing list
    "wishart": NOCDF, "wishart_cholesky": NOCDF, "inv_wishart": NOCDF, "inv_wishart_cholesky": NOCDF,
    "lkj_cov": ["d"], "lkj_corr": NOCDF, "lkj_corr_cholesky": NOCDF, "multi_gp": ["d"],
    "multi_gp_cholesky": ["d"], "poisson_binomial": C,
    # the rest of Stan's distribution list
    "normal": C, "std_normal": C, "normal_id_glm": GLM, "student_t": C, "cauchy": C,
    "double_exponential": C, "logistic": C, "lognormal": C, "chi_square": C,
    "scaled_inv_chi_square": C, "exponential": C, "gamma": C, "inv_gamma": C, "weibull": C,
    "beta": C, "beta_proportion": ["d", "_lcdf", "_lccdf", "_rng"], "uniform": C, "loglogistic": C,
    "skew_double_exponential": C, "bernoulli": C, "bernoulli_logit": NOCDF, "binomial": C,
    "binomial_logit": ["d"], "binomial_logit_glm": GLM, "neg_binomial": C, "neg_binomial_2": C,
    "neg_binomial_2_log": NOCDF, "neg_binomial_2_log_glm": GLM, "poisson": C, "poisson_log": NOCDF,
    "discrete_range": C, "beta_neg_binomial": C, "multi_normal": NOCDF,
    "multi_normal_cholesky": NOCDF, "multi_normal_prec": ["d"], "dirichlet_multinomial": NOCDF,
    "categorical_logit_glm": GLM, "ordered_logistic_glm": GLM, "gaussian_dlm_obs": ["d"],
}
FUNCTIONS = """
log10 sub_col sub_row gp_exp_quad_cov quad_form_diag log_diff_exp log_softmax fma hypot
binary_log_loss choose lbeta lmgamma inc_beta gamma_p gamma_q Phi_approx inv_Phi owens_t matrix_exp
matrix_exp_multiply scale_matrix_exp_multiply inverse determinant log_determinant mdivide_left_tri_low
mdivide_right_tri_low quad_form trace_quad_form tcrossprod crossprod sort_asc sort_desc rank
linspaced_vector linspaced_array linspaced_int_array linspaced_row_vector one_hot_vector
one_hot_array one_hot_int_array one_hot_row_vector cols rows rep_vector rep_row_vector rep_matrix
rep_array to_int num_elements rows_dot_product columns_dot_product dims eigenvalues_sym
eigenvectors_sym integrate_ode_rk45 integrate_ode_bdf ode_rk45 gp_matern32_cov gp_matern52_cov
gp_exponential_cov gp_periodic_cov gp_dot_prod_cov cholesky_decompose diag_pre_multiply
diag_post_multiply log_sum_exp log_mix softmax cumulative_sum segment head tail append_row
append_col to_vector to_row_vector to_matrix to_array_1d to_array_2d
inv_logit logit log1m_exp log1p_exp log_inv_logit log1m_inv_logit lgamma tgamma digamma trigamma
erf erfc Phi inc_beta lchoose log_falling_factorial falling_factorial log_rising_factorial
rising_factorial bessel_first_kind modified_bessel_first_kind log_modified_bessel_first_kind
inv_inc_beta matrix_power trace diagonal diag_matrix identity_matrix add_diag block col row
dot_product dot_self columns_dot_self rows_dot_self squared_distance distance variance sd mean
log_sum_exp prod sum min max norm1 norm2 quantile reverse sort_indices_asc sort_indices_desc
uniform_simplex zeros_vector ones_vector zeros_array ones_array softmax inv_square inv_sqrt
inv cbrt square step int_step is_inf is_nan fdim fmin fmax fmod trunc round
floor ceil abs fabs atan2 log2 exp2 expm1 log1p log1m multiply_lower_tri_self_transpose
symmetrize_from_lower_tri cov_exp_quad mdivide_left_spd
log_inv_logit_diff hmm_marginal generalized_inverse svd_U singular_values qr_thin_Q
""".split()

def program(call, density):
    if density:
        return f"parameters {{ real y; }}\nmodel {{ y ~ normal(0, 1); target += {call}(); }}\n"
    return f"parameters {{ real y; }}\nmodel {{ y ~ normal(0, 1); }}\ngenerated quantities {{ real z = {call}(); }}\n"

def missing(call, density, tmp):
    path = os.path.join(tmp, "m.hbm")
    with open(path, "w") as f:
        f.write(program(call, density))
    out = subprocess.run([HBMC, "check", path], capture_output=True, text=True)
    text = out.stdout + out.stderr
    return "[E1003]" in text, text.splitlines()[0] if text else ""

def main():
    calls = []
    for d, suffixes in DISTRIBUTIONS.items():
        for s in suffixes:
            if s == "d":
                base = "_lpmf" if d in DISCRETE else "_lpdf"
                calls += [(d + base, True), (d + base.replace("_lp", "_lup"), True)]
            else:
                calls.append((d + s, s != "_rng"))
    calls += [(f, False) for f in dict.fromkeys(FUNCTIONS)]
    gone = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, density in calls:
            miss, first = missing(name, density, tmp)
            if miss:
                gone.append(name)
                print(f"MISSING {name:36s} {first}")
    print(f"{len(gone)} of {len(calls)} names missing")

if __name__ == "__main__":
    main()
