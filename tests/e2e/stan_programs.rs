//! Plain Stan programs of `tests/stan_corpus/` through the binary: what
//! CmdStan users bring (shared data files, models without parameters).

use crate::common;
use common::hbmc;

/// `tests/stan_corpus/NAME`, as a path string.
fn corpus(name: &str) -> String {
    common::root().join("tests/stan_corpus").join(name).display().to_string()
}

#[test]
fn no_parameters_runs_as_fixed_param_with_a_warning_for_unused_data() {
    let dir = common::scratch("stan-fixed-param");
    let (model, data) = (corpus("no_parameters.stan"), corpus("no_parameters.json"));
    let out = hbmc(
        &dir,
        &["run", &model, "--data", &data, "--chains", "2", "--draws", "400", "--seed", "7", "--quiet", "--output", "fit"],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    // The data file's extra member is named in a warning and ignored.
    assert!(stderr.contains("E4011") && stderr.contains("`from_another_model`"), "{stderr}");
    assert!(stderr.contains("fixed_param"), "{stderr}");
    let csv = hbmc_runtime::read_cmdstan_csv(dir.join("fit_1.csv")).expect("chain 1 read back");
    assert_eq!(csv.config_value("algorithm"), Some("fixed_param"));
    assert_eq!(csv.column_names, vec!["lp__", "accept_stat__", "y", "k.1", "k.2"]);
    assert_eq!(csv.num_draws(), 400);
    let column = |name: &str| -> Vec<f64> {
        let j = csv.column_index(name).expect("column");
        csv.draws[j].clone()
    };
    assert!(column("lp__").iter().chain(&column("accept_stat__")).all(|v| *v == 0.0));
    // Generated quantities are drawn anew every iteration: y ~ normal(5, 1).
    let y = column("y");
    let mean = y.iter().sum::<f64>() / y.len() as f64;
    let sd = (y.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (y.len() - 1) as f64).sqrt();
    assert!((mean - 5.0).abs() < 4.0 / 20.0, "mean {mean}");
    assert!((sd - 1.0).abs() < 0.15, "sd {sd}");
    let distinct: std::collections::HashSet<u64> = y.iter().map(|v| v.to_bits()).collect();
    assert_eq!(distinct.len(), y.len());
    let k = column("k.1");
    assert!(k.iter().all(|v| *v >= 0.0 && v.fract() == 0.0));
    let k_mean = k.iter().sum::<f64>() / k.len() as f64;
    assert!((k_mean - 3.0).abs() < 0.4, "poisson(3) mean {k_mean}");
}

/// Every program of `tests/stan_corpus/` with a `// data:` line passes the
/// oracles: JIT = interpreter, gradient = finite differences.
#[test]
fn every_corpus_program_with_data_passes_the_oracles() {
    let root = common::root();
    let mut paths: Vec<_> = std::fs::read_dir(root.join("tests/stan_corpus"))
        .expect("tests/stan_corpus/")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "stan"))
        .collect();
    paths.sort();
    let mut failures = Vec::new();
    let mut checked = 0;
    for path in &paths {
        let name = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        let source = std::fs::read_to_string(path).expect("readable program");
        let data = common::oracle::data_files(&root, &source);
        if data.is_empty() {
            continue;
        }
        checked += 1;
        if let Err(e) = common::oracle::check_example(&name, &source, &data) {
            failures.push(format!("{name}: {e}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(checked >= 1, "no corpus program has data");
}

/// Sizes from data expressions and from transformed data computed in a
/// loop: the generated quantities read back what the data say (18 of the
/// 20 outcomes are positive, the first at row 1).
#[test]
fn sizes_computed_from_data_and_transformed_data() {
    let dir = common::scratch("stan-sizes");
    let (model, data) = (corpus("sizes_from_data.stan"), corpus("regression.json"));
    let out = hbmc(
        &dir,
        &["run", &model, "--data", &data, "--chains", "1", "--warmup", "100", "--draws", "20", "--quiet", "--output", "fit"],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let csv = hbmc_runtime::read_cmdstan_csv(dir.join("fit_1.csv")).expect("read back");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&data).expect("data")).expect("json");
    let y: Vec<f64> = json["y"].as_array().expect("y").iter().filter_map(|v| v.as_f64()).collect();
    let positives = y.iter().filter(|v| **v > 0.0).count() as f64;
    let first = y.iter().copied().find(|v| *v > 0.0).expect("a positive outcome");
    let col = |name: &str| csv.draws[csv.column_index(name).expect(name)].clone();
    assert!(col("positives").iter().all(|v| *v == positives), "{:?}", col("positives"));
    assert!(col("first_pos").iter().all(|v| *v == first), "{:?}", col("first_pos"));
    assert!(csv.column_index("beta.2").is_some() && csv.column_index("beta.3").is_none());
}

/// Draws of the Wishart family have the means of their laws: nu S for
/// `wishart_rng(nu, S)`, S / (nu - K - 1) for `inv_wishart_rng`, and the
/// `_cholesky` draws are lower-triangular factors of draws with those
/// means (4000 draws; each mean within 4.5 standard errors); the Wishart
/// variances and poisson_binomial_rng's mean and variance too.
#[test]
fn wishart_and_poisson_binomial_draws_have_the_moments_of_their_laws() {
    let dir = common::scratch("stan-wishart-rngs");
    let model = corpus("wishart_rngs.stan");
    let out = hbmc(&dir, &["run", &model, "--chains", "1", "--draws", "4000", "--seed", "5", "--quiet", "--output", "fit"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let csv = hbmc_runtime::read_cmdstan_csv(dir.join("fit_1.csv")).expect("read back");
    let col = |name: &str| csv.draws[csv.column_index(name).unwrap_or_else(|| panic!("no column {name}"))].clone();
    let s = [[1.0, 0.3], [0.3, 2.0]];
    // The sample mean and variance of a column.
    let moments = |x: &[f64]| {
        let n = x.len() as f64;
        let mean = x.iter().sum::<f64>() / n;
        (mean, x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0))
    };
    for (prefix, scale) in [("W", 6.0), ("WC", 6.0), ("V", 1.0 / (8.0 - 2.0 - 1.0)), ("VC", 1.0 / 5.0)] {
        for (i, j) in [(1, 1), (2, 1), (1, 2), (2, 2)] {
            let x = col(&format!("{prefix}.{i}.{j}"));
            let (mean, var) = moments(&x);
            let want = scale * s[i - 1][j - 1];
            let se = (var / x.len() as f64).sqrt();
            assert!((mean - want).abs() < 4.5 * se, "{prefix}[{i},{j}]: mean {mean} vs {want} (se {se})");
        }
    }
    // Var(W_ij) = nu (S_ij^2 + S_ii S_jj): the spread of Bartlett's draw, not only its centre.
    for prefix in ["W", "WC"] {
        for (i, j) in [(1, 1), (2, 1), (2, 2)] {
            let (_, var) = moments(&col(&format!("{prefix}.{i}.{j}")));
            let want = 6.0 * (s[i - 1][j - 1] * s[i - 1][j - 1] + s[i - 1][i - 1] * s[j - 1][j - 1]);
            assert!((var / want - 1.0).abs() < 0.15, "{prefix}[{i},{j}]: variance {var} vs {want}");
        }
    }
    // poisson_binomial_rng: mean 2.3 = sum theta, variance 0.71 = sum theta (1 - theta).
    let pb = col("pb");
    let (mean, var) = moments(&pb);
    assert!((mean - 2.3).abs() < 4.5 * (0.71 / pb.len() as f64).sqrt(), "poisson_binomial mean {mean}");
    assert!((var / 0.71 - 1.0).abs() < 0.1, "poisson_binomial variance {var}");
    assert!(pb.iter().all(|v| *v >= 0.0 && *v <= 4.0 && v.fract() == 0.0));
    // The factors are lower triangular with a positive diagonal.
    for f in ["LW", "LV"] {
        assert!(col(&format!("{f}.1.2")).iter().all(|v| *v == 0.0), "{f} has an upper triangle");
        assert!(col(&format!("{f}.1.1")).iter().chain(&col(&format!("{f}.2.2"))).all(|v| *v > 0.0));
    }
}

/// `inv_wishart` as a prior on a covariance with normal data recovers the
/// closed-form posterior mean (S + sum y y') / (nu + N - K - 1), computed
/// here from the data file, within 4 Monte Carlo standard errors (taking
/// 3000 effective draws of the 8000; about 4000 are measured): an error of
/// one in nu + N - K - 1 would move Sigma[2, 2] by 2 standard errors more.
#[test]
fn inv_wishart_prior_recovers_the_conjugate_posterior_mean() {
    let dir = common::scratch("stan-inv-wishart-fit");
    let (model, data) = (corpus("inv_wishart_conjugate.stan"), corpus("inv_wishart_conjugate.json"));
    let out = hbmc(
        &dir,
        &["run", &model, "--data", &data, "--chains", "2", "--warmup", "500", "--draws", "4000", "--seed", "3", "--quiet", "--output", "fit"],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&data).expect("data")).expect("json");
    let ys: Vec<[f64; 2]> = json["y"]
        .as_array()
        .expect("y")
        .iter()
        .map(|r| [r[0].as_f64().expect("number"), r[1].as_f64().expect("number")])
        .collect();
    let (nu, k) = (5.0, 2.0);
    let scale = nu + ys.len() as f64 - k - 1.0;
    let exact = |i: usize, j: usize| ((i == j) as u8 as f64 + ys.iter().map(|y| y[i] * y[j]).sum::<f64>()) / scale;
    let names = ["Sigma.1.1", "Sigma.2.1", "Sigma.2.2"];
    let moments = posterior_moments(&dir, 2, &names);
    for ((name, (mean, sd)), (i, j)) in names.iter().zip(moments).zip([(0, 0), (1, 0), (1, 1)]) {
        let want = exact(i, j);
        assert!((mean - want).abs() < 4.0 * sd / 3000f64.sqrt(), "{name}: posterior mean {mean} vs {want} (sd {sd})");
    }
}

/// Posterior means of the named columns of a fit's chains, with their
/// posterior standard deviations.
fn posterior_moments(dir: &std::path::Path, chains: usize, names: &[&str]) -> Vec<(f64, f64)> {
    let csvs: Vec<_> = (1..=chains)
        .map(|c| hbmc_runtime::read_cmdstan_csv(dir.join(format!("fit_{c}.csv"))).expect("chain read back"))
        .collect();
    names
        .iter()
        .map(|name| {
            let draws: Vec<f64> = csvs.iter().flat_map(|c| c.draws[c.column_index(name).expect(name)].clone()).collect();
            let n = draws.len() as f64;
            let mean = draws.iter().sum::<f64>() / n;
            let sd = (draws.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
            (mean, sd)
        })
        .collect()
}

/// A normal truncated below at 0 and a zero-truncated Poisson recover the
/// values their data were simulated with (`make_truncated.py`: mu = 1,
/// sigma = 2, lambda = 1) within three posterior standard deviations;
/// without the truncation's normalising terms mu would sit near the mean
/// of the kept draws (2.12) and lambda near their counts' mean (1.49).
#[test]
fn truncated_normal_and_poisson_recover_the_simulated_truth() {
    let dir = common::scratch("stan-truncated-fit");
    let model = dir.join("truncated_fit.stan");
    std::fs::write(
        &model,
        "data { int<lower=1> N; real L; vector<lower=L>[N] y; int<lower=1> K; array[K] int<lower=1> k; }\n\
         parameters { real mu; real<lower=0> sigma; real<lower=0> lambda; }\n\
         model {\n  mu ~ normal(0, 5); sigma ~ lognormal(0, 1); lambda ~ gamma(2, 0.5);\n  \
         y ~ normal(mu, sigma) T[L, ];\n  k ~ poisson(lambda) T[1, ];\n}\n",
    )
    .expect("scratch model");
    let data = corpus("truncated.json");
    let out = hbmc(
        &dir,
        &["run", &model.display().to_string(), "--data", &data, "--chains", "2", "--warmup", "400", "--draws", "400", "--seed", "11", "--quiet", "--output", "fit"],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let truth = [("mu", 1.0), ("sigma", 2.0), ("lambda", 1.0)];
    let names: Vec<&str> = truth.iter().map(|(n, _)| *n).collect();
    for ((name, value), (mean, sd)) in truth.iter().zip(posterior_moments(&dir, 2, &names)) {
        assert!((mean - value).abs() < 3.0 * sd, "{name}: posterior mean {mean} (sd {sd}), truth {value}");
    }
}

/// Library functions and densities of issue 13 at fixed arguments
/// (`library_values.stan`, a model without parameters) equal mpmath's
/// values (`python3 tests/stan_corpus/library_values.py`).
#[test]
fn library_values_match_mpmath() {
    let dir = common::scratch("stan-library-values");
    let model = corpus("library_values.stan");
    let out = hbmc(&dir, &["run", &model, "--chains", "1", "--draws", "2", "--seed", "1", "--quiet", "--output", "fit"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let csv = hbmc_runtime::read_cmdstan_csv(dir.join("fit_1.csv")).expect("read back");
    let reference: &[(&str, f64)] = &[
        ("ordered_logistic_2", -1.091629782140038041),
        ("ordered_logistic_1", -1.5410084538329922053),
        ("ordered_logistic_4", -1.867786029386265917),
        ("ordered_probit_1", -2.3351032786624424203),
        ("ordered_probit_2", -0.72885886984976786747),
        ("ordered_probit_4", -3.11079609755248149),
        ("ordered_probit_far", -27.384314905809838449),
        ("dirichlet", 1.6952109952695646427),
        ("categorical", -1.2039728043259359926),
        ("categorical_logit", -1.9643687841079448416),
        ("multinomial", -2.0024805005437076033),
        ("multinomial_logit", -4.1918681424255683649),
        ("gp", 0.40267559909159113925),
        ("gp_vector", 0.040536909525942958683),
        ("gp_ard_21", 0.20694453269898698847),
        ("gp_ard_cross_12", 0.0010630566521920554424),
        ("gp_matern32_ard_12", 0.14332389883446929894),
        ("gp_exponential_ard_12", 0.15882092796309365793),
        ("gp_matern52_ard_cross_12", 0.62587996630949278646),
        ("qfd", 3.0),
        ("add_diag_2", 2.25),
        ("sub_col_2", 9.0),
        ("sub_row_2", 8.0),
        ("log10_x", 3.0914910942679510818),
        ("normal_lcdf_x", -0.23459253728852617228),
        ("normal_cdf_x", 0.79089304340725504161),
        ("poisson_lccdf_x", -1.4170675689617413788),
        ("owens_t_x", 0.04078670734425010744),
        ("gumbel_x", -1.6258512143565624823),
        ("rayleigh_x", -1.0912797809094448961),
        ("gamma_lcdf_x", -0.67463554049814595856),
        ("inv_gamma_lccdf_x", -1.4230678910442118025),
        ("beta_binomial", -2.6297320490312818222),
        ("lkj", -0.41746254390566369283),
        ("glm", -1.657541293353985012),
        ("quad_form_v", 11.0),
        ("tcrossprod_12", 32.0),
        ("crossprod_12", 78.0),
        ("trace_qf", 6.0),
        ("left_tri_2", 1.0),
        ("right_tri_1", 1.1666666666666666667),
        ("linspaced_4", 0.75),
        ("linspaced_one", 7.0),
        ("one_hot_3", 1.0),
        ("one_hot_2", 0.0),
        ("ones_sum", 3.0),
        ("uniform_simplex_1", 0.25),
        ("fma_x", 10.0),
        ("choose_10_3", 120.0),
        ("choose_3_5", 0.0),
        ("lmgamma_3", 1.8809954616117741985),
        ("rank_1", 2.0),
        ("inverse_12", -0.28571428571428571429),
        ("determinant_m", 1.75),
        ("log_determinant_m", 0.81093021621632876396),
        ("sort_asc_1", 1.0),
        ("sort_desc_1", 3.5),
        ("to_int_neg", -3.0),
        ("normal_glm", -3.2999183937367853586),
        ("skew_normal_x", -1.4145362911150792538),
        ("exp_mod_normal_x", -1.8262002289490263642),
        ("pareto_type_2_x", -2.3331137057640250924),
        ("frechet_x", -0.6309410435645566505),
        ("loglogistic_x", -1.3961073526712847088),
        ("scaled_inv_chi_square_x", -0.42580348813593668529),
        ("pareto_x", -2.0195859684466466907),
        ("chi_square_x", -0.45388847562279172635),
        ("inc_beta_x", 0.36470920861186557631),
        ("student_t_lcdf_x", -1.4324151317955374847),
        ("beta_lccdf_x", -0.11303593243539453495),
        ("binomial_lcdf_x", -0.96160038086979529386),
        ("neg_binomial_2_lccdf_x", -1.3294998175140594164),
        ("von_mises_x", -3.003020287014243093),
        ("multi_student_t_x", -2.8259600065003720914),
        ("sort_indices_asc_2", 4.0),
        ("sort_indices_asc_3", 3.0),
        ("sort_indices_desc_1", 5.0),
        ("sort_indices_desc_5", 4.0),
        ("sort_asc_int_2", 0.0),
        ("sort_desc_int_1", 9.0),
        ("to_matrix_rows_12", 2.0),
        ("to_matrix_cols_12", 3.0),
        ("eigenvalues_sym_1", 0.7928932188134524756),
        ("eigenvalues_sym_2", 2.2071067811865475244),
        ("eigenvectors_sym_21", -0.38268343236508977173),
        ("dims_big_2", 3.0),
        ("dirichlet_multinomial_x", -2.647086167755871536),
        ("dirichlet_multinomial_zero", 0.0),
        ("multi_normal_prec_x", -2.4143254453800762312),
        ("rows_dot_row_vectors", 12.0),
        ("columns_dot_vectors", 12.0),
        ("rows_dot_vectors_2", -10.0),
        ("columns_dot_row_vectors_3", 18.0),
        ("rows_dot_row_vectors_size", 1.0),
        ("linspaced_int_spaced_5", 9.0),
        ("linspaced_int_spaced_2", 3.0),
        ("linspaced_int_repeated_4", 2.0),
        ("linspaced_int_repeated_7", 3.0),
        ("linspaced_int_repeated_3", 1.0),
        ("linspaced_int_one", 3.0),
        ("identity_22", 1.0),
        ("identity_13", 0.0),
        ("squared_distance_v", 10.25),
        ("distance_v", 3.2015621187164243432),
        ("squared_distance_r", 12.25),
        ("distance_r", 3.5),
        ("rows_dot_self_2", 77.0),
        ("columns_dot_self_3", 45.0),
        ("gp_exponential_12", 0.19826939069928380681),
        ("gp_matern32_12", 0.19460281579255622577),
        ("gp_matern52_12", 0.18857385738115259872),
        ("gp_matern52_11", 1.69),
        ("gp_periodic_12", 0.042123778483400154167),
        ("gp_matern32_vectors_21", 0.043662569550140542692),
        ("symmetrize_12", 2.0),
        ("symmetrize_21", 2.0),
        ("to_array_2d_23", 6.0),
        ("pow_vector_int_2", 4.0),
        ("pow_real_vector_2", 2.8284271247461900976),
        ("bessel_first_kind_x", 0.23208767214421472724),
        ("bessel_second_kind_x", 0.14591813796678579888),
        ("modified_bessel_first_kind_x", 0.33783461833568073067),
        ("modified_bessel_first_kind_array_3", 0.080774113016092303856),
        ("modified_bessel_second_kind_x", 0.073890816347747063649),
        ("log_modified_bessel_first_kind_x", 1.6512285765568463056),
        ("wishart_x", -5.4269195214306837806),
        ("inv_wishart_x", -6.3228598329480555154),
        ("wishart_cholesky_x", -3.3704999490015512547),
        ("inv_wishart_cholesky_x", -4.2664402605189229894),
        ("multi_gp_x", -8.657543068530221966),
        ("multi_gp_cholesky_x", -8.657543068530221966),
        ("lkj_cov_x", -1.8346692844309348857),
        ("mdivide_left_spd_2", 1.2328767123287671233),
        ("mdivide_right_spd_1", 0.75342465753424657534),
        ("poisson_binomial_x", -0.8556661100577202226),
        ("poisson_binomial_0", -4.4228486291941367418),
        ("matrix_exp_12", 2.736597744017181358),
        ("matrix_exp_21", 0.6841494360042953395),
        ("matrix_exp_big_33", 1821.3977729624098725),
        ("matrix_exp_multiply_2", -0.12573524859568484548),
        ("scale_matrix_exp_multiply_1", 0.78227677807572073546),
        ("poisson_binomial_array", -4.6550959947578170874),
        ("rising_factorial_x", 39.375),
        ("falling_factorial_x", 24.75),
        ("log_rising_factorial_x", -0.26086724653166651439),
        ("log_falling_factorial_x", 3.6044223998851576533),
        ("log_mix_vector", -1.5842647781563713143),
        ("log_mix_array_of_vectors", 0.23687709756216910196),
        ("hmm_marginal_x", -3.8851677436463044321),
        ("hmm_hidden_state_prob_23", 0.7014527923858303596),
        ("hmm_hidden_state_prob_14", 0.3359128144660622149),
        ("std_normal_qf_x", -0.52440051270804078404),
        ("lambert_w0_x", 0.567143290409783873),
        ("log_sum_exp_pair_2", 2.0485873515737420588),
        ("lambert_wm1_x", -3.5771520639572972184),
        ("std_normal_log_qf_1", -0.33747496376420245528),
        ("std_normal_log_qf_near_1", 6.3613409024117348232),
        ("std_normal_log_qf_800", -39.884694838256677568),
        ("std_normal_log_qf_far", -63.165418608783609485),
        ("log_determinant_spd_m", 0.55961578793542268627),
        ("chol2inv_12", -0.28571428571428571429),
        ("norm1_x", 7.0),
        ("norm2_x", 5.0),
        ("reverse_1", 3.0),
        ("block_22", 8.0),
        ("is_inf_nan", 3.0),
        ("inv_erfc_x", 0.73286907795921685222),
        ("inv_erfc_hi", -2.7510639057120607961),
        ("inv_erfc_tiny", 26.209469960516123886),
        ("beta_x", 0.036815538909255389513),
        ("beta_small", 5.6019013393222687003),
        ("mdivide_left_2", 0.63636363636363636364),
        ("mdivide_left_matrix_21", 1.0),
        ("mdivide_right_1", 0.36363636363636363636),
        ("mdivide_right_matrix_12", 0.54545454545454545455),
    ];
    for (name, want) in reference {
        let got = csv.draws[csv.column_index(name).unwrap_or_else(|| panic!("no column {name}"))][0];
        assert!((got - want).abs() <= 1e-12 * want.abs().max(1.0), "{name}: {got} vs mpmath {want}");
    }
}

/// User functions fit a simulated truth: `functions.json` was drawn with
/// z = 1 + 2 x + N(0, 0.5) (the user `_lpdf` regression) and y from a
/// zero-inflated Poisson with theta = 0.3, lambda = 4 (the user `_lpmf`).
/// Each posterior mean must lie within 4 posterior standard deviations of
/// the truth.
#[test]
fn user_density_functions_fit_the_simulated_truth() {
    let data = corpus("functions.json");
    for (model, truths) in [
        ("functions_user_lpdf.stan", vec![("alpha", 1.0), ("beta", 2.0), ("sigma", 0.5)]),
        ("functions_zip_lpmf.stan", vec![("theta", 0.3), ("lambda", 4.0)]),
    ] {
        let dir = common::scratch(&format!("stan-{model}"));
        let out = hbmc(
            &dir,
            &["run", &corpus(model), "--data", &data, "--chains", "2", "--draws", "500", "--seed", "11", "--quiet", "--output", "fit"],
        );
        assert!(out.status.success(), "{model}: {}", String::from_utf8_lossy(&out.stderr));
        let mut draws: std::collections::HashMap<&str, Vec<f64>> = Default::default();
        for chain in 1..=2 {
            let csv = hbmc_runtime::read_cmdstan_csv(dir.join(format!("fit_{chain}.csv"))).expect("chain read back");
            for (name, _) in &truths {
                let j = csv.column_index(name).expect("parameter column");
                draws.entry(name).or_default().extend(&csv.draws[j]);
            }
        }
        for (name, truth) in &truths {
            let d = &draws[name];
            let mean = d.iter().sum::<f64>() / d.len() as f64;
            let sd = (d.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (d.len() - 1) as f64).sqrt();
            assert!((mean - truth).abs() < 4.0 * sd, "{model}: {name} mean {mean} sd {sd}, truth {truth}");
        }
    }
}

/// A void user function that rejects: the run stops with its message when
/// the data break the rule, and runs when they keep it.
#[test]
fn a_void_user_function_rejects_bad_data() {
    let dir = common::scratch("stan-void-reject");
    let model = corpus("functions_void_reject.stan");
    for (s, ok) in [(-2.0, false), (2.0, true)] {
        let data = dir.join(format!("s{s}.json"));
        std::fs::write(&data, format!("{{\"s\": {s}}}")).expect("scratch data written");
        let data = data.display().to_string();
        let out = hbmc(
            &dir,
            &["run", &model, "--data", &data, "--chains", "1", "--warmup", "20", "--draws", "10", "--quiet", "--output", "fit"],
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.success(), ok, "s = {s}: {stderr}");
        assert_eq!(stderr.contains("the scale must be positive; found -2"), !ok, "s = {s}: {stderr}");
    }
}

/// A user `_rng` function in generated quantities: `z_new = a + N(0, sigma)`
/// drawn once per draw, so its spread is sqrt(E[sigma^2] + Var(a)) and its
/// mean that of `a` (to 4 Monte Carlo standard errors of 1000 draws).
#[test]
fn a_user_rng_function_draws_in_generated_quantities() {
    let dir = common::scratch("stan-user-rng");
    let (model, data) = (corpus("functions_misc.stan"), corpus("functions.json"));
    let out = hbmc(
        &dir,
        &["run", &model, "--data", &data, "--chains", "2", "--draws", "500", "--seed", "3", "--quiet", "--output", "fit"],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut cols: std::collections::HashMap<&str, Vec<f64>> = Default::default();
    for chain in 1..=2 {
        let csv = hbmc_runtime::read_cmdstan_csv(dir.join(format!("fit_{chain}.csv"))).expect("chain read back");
        for name in ["a", "sigma", "z_new"] {
            cols.entry(name).or_default().extend(&csv.draws[csv.column_index(name).expect("column")]);
        }
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let var = |v: &[f64]| {
        let m = mean(v);
        v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (v.len() - 1) as f64
    };
    let expected_sd = (mean(&cols["sigma"].iter().map(|s| s * s).collect::<Vec<_>>()) + var(&cols["a"])).sqrt();
    let sd = var(&cols["z_new"]).sqrt();
    assert!((sd / expected_sd - 1.0).abs() < 0.1, "z_new sd {sd}, expected {expected_sd}");
    let n = cols["z_new"].len() as f64;
    assert!((mean(&cols["z_new"]) - mean(&cols["a"])).abs() < 4.0 * sd / n.sqrt());
}

/// Mean and standard deviation of a CSV column over all chains' draws.
fn column_mean_sd(csvs: &[hbmc_runtime::StanCsv], name: &str) -> (f64, f64) {
    let mut v = Vec::new();
    for csv in csvs {
        let j = csv.column_index(name).expect("column");
        v.extend(csv.draws[j].iter().copied());
    }
    let mean = v.iter().sum::<f64>() / v.len() as f64;
    let sd = (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (v.len() - 1) as f64).sqrt();
    (mean, sd)
}

/// Loop-carried values fit simulated truths: AR(2) (a local summed over
/// the lags every step) and GARCH(1,1) (a carried squared residual and
/// sigma[t] from sigma[t-1]); each truth within 4 posterior sds.
#[test]
fn loop_carried_models_fit_simulated_truths() {
    let cases: [(&str, &[(&str, f64)]); 2] = [
        ("ar2", &[("alpha", 0.2), ("beta.1", 0.5), ("beta.2", -0.3), ("sigma", 0.8)]),
        ("garch11", &[("mu", 0.1), ("alpha1", 0.3), ("beta1", 0.5)]),
    ];
    for (name, truths) in cases {
        let dir = common::scratch(&format!("stan-carried-{name}"));
        let (model, data) = (corpus(&format!("{name}.stan")), corpus(&format!("{name}_fit.json")));
        let out = hbmc(&dir, &["run", &model, "--data", &data, "--chains", "2", "--draws", "500", "--seed", "3", "--quiet", "--output", "fit"]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let csvs: Vec<_> = (1..=2)
            .map(|c| hbmc_runtime::read_cmdstan_csv(dir.join(format!("fit_{c}.csv"))).expect("chain read back"))
            .collect();
        for &(param, truth) in truths {
            let (mean, sd) = column_mean_sd(&csvs, param);
            assert!((mean - truth).abs() < 4.0 * sd, "{name}: {param} mean {mean} sd {sd}, truth {truth}");
        }
    }
}

/// Runs a corpus program on its corpus data: 2 chains of 300 warmup and
/// 300 draws, seed 5, files under a fresh scratch folder; returns it.
fn fit_corpus(model: &str, data: &str) -> std::path::PathBuf {
    let dir = common::scratch(&format!("stan-fit-{model}"));
    let out = hbmc(
        &dir,
        &["run", &corpus(model), "--data", &corpus(data), "--chains", "2", "--warmup", "300", "--draws", "300", "--seed", "5", "--quiet", "--output", "fit"],
    );
    assert!(out.status.success(), "{model}: {}", String::from_utf8_lossy(&out.stderr));
    dir
}

/// Each truth within 4 posterior standard deviations of its posterior mean.
fn assert_truths(model: &str, dir: &std::path::Path, truths: &[(&str, f64)]) {
    let names: Vec<&str> = truths.iter().map(|(n, _)| *n).collect();
    for ((name, value), (mean, sd)) in truths.iter().zip(posterior_moments(dir, 2, &names)) {
        assert!((mean - value).abs() < 4.0 * sd, "{model}: {name} posterior mean {mean} (sd {sd}), truth {value}");
    }
}

/// The GLM forms recover the coefficients `make_glm.py` simulated with:
/// the logistic (`bernoulli_logit_glm`), Poisson (`poisson_log_glm_lpmf`)
/// and normal (`normal_id_glm`) regressions on the same covariates.
#[test]
fn glm_forms_recover_the_simulated_coefficients() {
    let dir = fit_corpus("glm.stan", "glm.json");
    assert_truths(
        "glm",
        &dir,
        &[
            ("alpha", -0.5), ("beta.1", 1.0), ("beta.2", -0.7), ("beta.3", 0.3),
            ("alpha_c", 0.4), ("beta_c.1", 0.5), ("beta_c.2", 0.2), ("beta_c.3", -0.4),
            ("alpha_r", 2.0), ("beta_r.1", 1.5), ("beta_r.2", 0.0), ("beta_r.3", -1.0), ("sigma", 0.8),
        ],
    );
    // The GLM density equals the density of its linear predictor at every draw.
    let csv = hbmc_runtime::read_cmdstan_csv(dir.join("fit_1.csv")).expect("chain read back");
    let check = &csv.draws[csv.column_index("ll_check").expect("ll_check")];
    assert!(check.iter().all(|v| v.abs() < 1e-9), "bernoulli_logit_glm vs bernoulli_logit: {check:?}");
}

/// GP regression with `gp_exp_quad_cov` recovers the hyperparameters
/// `make_gp.py` drew its function and noise with.
#[test]
fn gp_regression_recovers_the_simulated_hyperparameters() {
    let dir = fit_corpus("gp.stan", "gp.json");
    assert_truths("gp", &dir, &[("alpha", 1.0), ("rho", 0.8), ("sigma", 0.3)]);
}

/// The LKJ prior with `quad_form_diag` scales (and the Cholesky form)
/// recovers the means, scales and correlations of `make_lkj.py`.
#[test]
fn lkj_quad_form_diag_recovers_the_simulated_correlations() {
    let dir = fit_corpus("lkj_quad_form_diag.stan", "lkj.json");
    assert_truths(
        "lkj",
        &dir,
        &[
            ("mu.1", 1.0), ("mu.2", -1.0), ("mu.3", 0.5),
            ("tau.1", 1.0), ("tau.2", 2.0), ("tau.3", 0.5),
            ("Omega.1.2", 0.6), ("Omega.1.3", -0.3), ("Omega.2.3", 0.2),
            ("Sigma.1.2", 1.2),
        ],
    );
}

/// LDA with `dirichlet` priors separates the two topics `make_lda.py`
/// simulated: topic 1 puts 0.85 of its mass on words 1-3, topic 2 0.15,
/// so |phi[1, 1:3] - phi[2, 1:3]| (free of the topics' labels) is 0.7;
/// and the categorical outcome recovers p = (0.2, 0.5, 0.3).
#[test]
fn lda_separates_the_simulated_topics() {
    let dir = fit_corpus("lda.stan", "lda.json");
    assert_truths("lda", &dir, &[("p.1", 0.2), ("p.2", 0.5), ("p.3", 0.3)]);
    let mut gap = Vec::new();
    for c in 1..=2 {
        let csv = hbmc_runtime::read_cmdstan_csv(dir.join(format!("fit_{c}.csv"))).expect("chain read back");
        let mass = |k: usize, d: usize| -> f64 {
            (1..=3).map(|v| csv.draws[csv.column_index(&format!("phi.{k}.{v}")).expect("phi column")][d]).sum()
        };
        gap.extend((0..csv.num_draws()).map(|d| (mass(1, d) - mass(2, d)).abs()));
    }
    let mean = gap.iter().sum::<f64>() / gap.len() as f64;
    let sd = (gap.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (gap.len() - 1) as f64).sqrt();
    assert!((mean - 0.7).abs() < 4.0 * sd, "topic gap mean {mean} (sd {sd}), truth 0.7");
}

/// Stan 2.37's matrix types (`matrix_types.stan`) have the closed-form
/// posteriors of their priors and counts: each simplex of the column- and
/// row-stochastic matrices the Dirichlet(1 + counts) of its column or row,
/// the `sum_to_zero_matrix[3, 4]` under `to_vector(Z) ~ normal(0, 1)`
/// elements of mean 0 and variance (1 - 1/3)(1 - 1/4) = 1/2 (the transform
/// is an isometry onto matrices whose rows and columns sum to zero). Means
/// within 4 Monte Carlo errors (at an effective sample size of 150 of the
/// 600 draws), standard deviations within 15%.
#[test]
fn matrix_types_have_their_closed_form_posteriors() {
    let dir = fit_corpus("matrix_types.stan", "matrix_types.json");
    let dirichlet = |alpha: &[f64], i: usize| {
        let a0: f64 = alpha.iter().sum();
        let a = alpha[i];
        (a / a0, (a * (a0 - a) / (a0 * a0 * (a0 + 1.0))).sqrt())
    };
    let mut expected: Vec<(String, (f64, f64))> = Vec::new();
    for (j, alpha) in [[11.0, 6.0, 2.0], [1.0, 4.0, 13.0]].iter().enumerate() {
        for i in 0..3 {
            expected.push((format!("C.{}.{}", i + 1, j + 1), dirichlet(alpha, i)));
        }
    }
    for (i, alpha) in [[5.0, 5.0, 9.0], [2.0, 10.0, 3.0]].iter().enumerate() {
        for j in 0..3 {
            expected.push((format!("R.{}.{}", i + 1, j + 1), dirichlet(alpha, j)));
        }
    }
    for (i, j) in [(1, 1), (2, 3), (3, 4), (3, 1)] {
        expected.push((format!("Z.{i}.{j}"), (0.0, 0.5f64.sqrt())));
    }
    expected.push(("CA.2.1.2".to_string(), dirichlet(&[2.0, 2.0], 0)));
    let names: Vec<&str> = expected.iter().map(|(n, _)| n.as_str()).collect();
    for ((name, (m, sd)), (mean, sd_hat)) in expected.iter().zip(posterior_moments(&dir, 2, &names)) {
        assert!((mean - m).abs() < 4.0 * sd / 150f64.sqrt(), "{name}: posterior mean {mean}, closed form {m} (sd {sd})");
        assert!((sd_hat / sd - 1.0).abs() < 0.15, "{name}: posterior sd {sd_hat}, closed form {sd}");
    }
    // Every draw keeps the constraints (and the transformed parameters' and
    // generated quantities' checks passed, or the run would have failed).
    let csv = hbmc_runtime::read_cmdstan_csv(dir.join("fit_1.csv")).expect("chain read back");
    let col = |name: &str| &csv.draws[csv.column_index(name).expect(name)];
    for d in 0..csv.num_draws() {
        let column_sum: f64 = (1..=3).map(|i| col(&format!("C.{i}.2"))[d]).sum();
        let row_sum: f64 = (1..=3).map(|j| col(&format!("R.2.{j}"))[d]).sum();
        let z_sum: f64 = (1..=4).map(|j| col(&format!("Z.2.{j}"))[d]).sum();
        assert!((column_sum - 1.0).abs() < 1e-12 && (row_sum - 1.0).abs() < 1e-12, "draw {d}");
        assert!(z_sum.abs() < 1e-12 && col("z_row_sum")[d].abs() < 1e-12, "draw {d}");
        assert_eq!(col("pt")[d], 0.75);
    }
}

/// Stan 2.36's user transforms: an upper bound written as a `_jacobian`
/// function (`jacobian_upper_bound.stan`, ub = 0.5) under `b ~ normal(0,
/// 1)` gives the standard normal truncated above at ub, of mean -r and
/// variance 1 - ub r - r^2 with r = phi(ub) / Phi(ub) (-0.509, sd 0.697).
/// Means within 4 Monte Carlo errors (at an effective sample size of 300
/// of the 2000 draws), standard deviations within 10%.
#[test]
fn a_jacobian_function_gives_the_truncated_normal() {
    let dir = common::scratch("stan-fit-jacobian-upper");
    let out = hbmc(
        &dir,
        &["run", &corpus("jacobian_upper_bound.stan"), "--data", &corpus("jacobian_upper_bound.json"), "--chains", "2", "--draws", "1000", "--seed", "3", "--quiet", "--output", "fit"],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let ub = 0.5f64;
    let r = (-0.5 * ub * ub).exp() / (2.0 * std::f64::consts::PI).sqrt() / hbmc_stdlib::special::phi(ub);
    let (mean, sd) = (-r, (1.0 - ub * r - r * r).sqrt());
    let [(m_hat, sd_hat), (below, _)] = posterior_moments(&dir, 2, &["b", "b_below"])[..] else { panic!("two columns") };
    assert!((m_hat - mean).abs() < 4.0 * sd / 300f64.sqrt(), "b: posterior mean {m_hat}, closed form {mean} (sd {sd})");
    assert!((sd_hat / sd - 1.0).abs() < 0.10, "b: posterior sd {sd_hat}, closed form {sd}");
    assert_eq!(below, 1.0, "generated quantities see b below its bound in every draw");
}

/// The Jacobian term of a `_jacobian` function is what makes the prior on
/// the constrained value hold: `p = inv_logit(x)` with `p ~ beta(5, 2)`
/// (`jacobian_unit_interval.stan`) has the beta(5, 2)'s mean 5/7 and sd
/// 0.160, and the same program with its `jacobian +=` removed has the
/// beta(4, 1)'s mean 0.8 instead (so this test fails if the term is lost).
/// Means within 4 Monte Carlo errors at an effective sample size of 300.
#[test]
fn without_its_jacobian_term_a_user_transform_misses_the_prior() {
    let beta = |a: f64, b: f64| (a / (a + b), (a * b / ((a + b) * (a + b) * (a + b + 1.0))).sqrt());
    let source = std::fs::read_to_string(corpus("jacobian_unit_interval.stan")).expect("program");
    let without = source.replace("jacobian += log_inv_logit(x) + log1m_inv_logit(x);", "");
    assert_ne!(without, source, "the Jacobian term is in the program");
    for (name, program, (mean, sd)) in [("with", source, beta(5.0, 2.0)), ("without", without, beta(4.0, 1.0))] {
        let dir = common::scratch(&format!("stan-fit-jacobian-{name}"));
        let model = dir.join("unit_interval.stan");
        std::fs::write(&model, program).expect("scratch program");
        let out = hbmc(
            &dir,
            &["run", &model.display().to_string(), "--data", &corpus("jacobian_unit_interval.json"), "--chains", "2", "--draws", "1000", "--seed", "7", "--quiet", "--output", "fit"],
        );
        assert!(out.status.success(), "{name}: {}", String::from_utf8_lossy(&out.stderr));
        let (m_hat, sd_hat) = posterior_moments(&dir, 2, &["p"])[0];
        assert!((m_hat - mean).abs() < 4.0 * sd / 300f64.sqrt(), "{name} the Jacobian: posterior mean {m_hat}, expected {mean} (sd {sd})");
        assert!((sd_hat / sd - 1.0).abs() < 0.10, "{name} the Jacobian: posterior sd {sd_hat}, expected {sd}");
    }
}

/// `fib` and `ln n!` as their definitions say, for the checks below.
fn fib(n: i64) -> i64 {
    (0..n).fold((0i64, 1i64), |(a, b), _| (b, a + b)).0
}

/// Recursive user functions (`functions_recursive.stan`): the JIT's draws
/// equal the interpreter's at 20 points, and every generated quantity is
/// what its definition computes, also on a value drawn at run time
/// (`fib(draw)`, `log_fact(draw)`) and on a parameter (`beta^3`).
#[test]
fn recursive_functions_compute_their_definitions_in_both_engines() {
    use hbmc::model::{Engine, Model};
    let root = common::root();
    let source = std::fs::read_to_string(root.join("tests/stan_corpus/functions_recursive.stan")).expect("program");
    let data = vec![root.join("tests/stan_corpus/functions.json")];
    let model = Model::compile("functions_recursive", &source).expect("compiles");
    let jit_model = model.bind_files(&data, Engine::Jit).expect("binds (JIT)");
    let interp_model = model.bind_files(&data, Engine::Interpreter).expect("binds (interpreter)");
    let names = jit_model.output_names().to_vec();
    let (mut jit, mut interp) = (jit_model.evaluator(), interp_model.evaluator());
    let col = |name: &str| names.iter().position(|n| n == name).expect(name);
    let mut g = hbmc_stdlib::ChainRng::new(13, 0);
    let mut draws_seen = std::collections::HashSet::new();
    for seed in 0..20u64 {
        let theta: Vec<f64> = (0..jit_model.dim()).map(|_| 2.0 * g.uniform() - 1.0).collect();
        let (mut a, mut b) = (Vec::new(), Vec::new());
        jit.write_draw(&theta, &mut hbmc_stdlib::ChainRng::new(seed, 1), &mut a).expect("JIT draw");
        interp.write_draw(&theta, &mut hbmc_stdlib::ChainRng::new(seed, 1), &mut b).expect("interpreter draw");
        assert_eq!(a, b, "seed {seed}");
        assert_eq!(a[col("fact5")], 120.0);
        assert_eq!(a[col("fib10")], 55.0);
        assert_eq!((a[col("even7")], a[col("odd7")]), (0.0, 1.0));
        assert_eq!(a[col("p")], 1.5f64.powi(5));
        let draw = a[col("draw")] as i64;
        draws_seen.insert(draw);
        assert_eq!(a[col("fib_draw")], fib(draw) as f64, "fib({draw})");
        let log_fact: f64 = (2..=draw).map(|k| (k as f64).ln()).sum();
        assert!((a[col("log_fact_draw")] - log_fact).abs() < 1e-12, "log_fact({draw})");
        let beta = a[col("beta")];
        assert!((a[col("pow_beta")] - beta * beta * beta).abs() < 1e-15, "beta^3");
    }
    assert!(draws_seen.len() > 3, "the run-time argument varied: {draws_seen:?}");
}

/// A recursion deeper than the call-depth limit rejects with the same
/// message in both engines, where it would overflow the native stack: at
/// binding (transformed data) and per draw (generated quantities).
#[test]
fn too_deep_a_recursion_is_an_error_in_both_engines() {
    use hbmc::model::{Engine, Model, ModelError};
    let f = "functions { int down(int n) { return n == 0 ? 0 : 1 + down(n - 1); } }";
    let at_binding = format!("{f} transformed data {{ int d = down(5000); }} parameters {{ real mu; }} model {{ mu ~ normal(0, 1); }}");
    let model = Model::compile("deep", &at_binding).expect("compiles");
    for engine in [Engine::Jit, Engine::Interpreter] {
        let message = match model.bind(&[], engine) {
            Err(ModelError::Diagnostics(d)) => d.iter().map(|d| d.message.clone()).collect::<Vec<_>>().join("; "),
            Err(e) => e.to_string(),
            Ok(_) => panic!("{engine:?}: a recursion 5000 deep was not refused"),
        };
        assert!(message.contains("more than 1000 levels deep"), "{engine:?}: {message}");
    }
    // 999 levels are fine; the depth is drawn at run time.
    let per_draw = format!(
        "{f} data {{ int n; }} parameters {{ real mu; }} model {{ mu ~ normal(0, 1); }} generated quantities {{ int d = down(n); }}"
    );
    let model = Model::compile("deep", &per_draw).expect("compiles");
    let dir = common::scratch("stan-deep-recursion");
    for (n, ok) in [(999, true), (1000, false)] {
        let data = dir.join(format!("n{n}.json"));
        std::fs::write(&data, format!("{{\"n\": {n}}}")).expect("scratch data");
        for engine in [Engine::Jit, Engine::Interpreter] {
            let bound = model.bind_files(std::slice::from_ref(&data), engine).expect("binds");
            let mut out = Vec::new();
            let r = bound.evaluator().write_draw(&[0.0], &mut hbmc_stdlib::ChainRng::new(1, 0), &mut out);
            match (r, ok) {
                (Ok(()), true) => assert_eq!(out.last().copied(), Some(n as f64)),
                (Err(e), false) => assert!(e.message.contains("more than 1000 levels deep"), "{engine:?}: {}", e.message),
                (r, _) => panic!("{engine:?}, n = {n}: {r:?}"),
            }
        }
    }
}

/// The windowed discounted sum of `windowed_carry.stan` (a carried inner
/// loop whose bounds move with the outer loop) recovers the values its
/// data are simulated with here (mu = 0.5, phi = 0.4, sigma = 0.7, K = 3,
/// N = 200) within three posterior standard deviations.
#[test]
fn windowed_carry_recovers_the_simulated_truth() {
    let (mu, phi, sigma, k, n) = (0.5, 0.4, 0.7, 3usize, 200usize);
    let mut g = hbmc_stdlib::ChainRng::new(2026, 0);
    let mut normal = || {
        // Box-Muller from two uniforms.
        let (u, v) = (g.uniform().max(1e-300), g.uniform());
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    };
    let mut y: Vec<f64> = Vec::with_capacity(n);
    for t in 0..n {
        let mut s = 0.0;
        for j in t.saturating_sub(k)..t {
            s = phi * s + y[j];
        }
        y.push(mu + 0.5 * s + sigma * normal());
    }
    let dir = common::scratch("stan-windowed-carry-fit");
    let data = dir.join("data.json");
    let values: Vec<String> = y.iter().map(|v| format!("{v}")).collect();
    std::fs::write(&data, format!("{{\"N\": {n}, \"K\": {k}, \"y\": [{}]}}", values.join(", "))).expect("scratch data");
    let model = corpus("windowed_carry.stan");
    let out = hbmc(
        &dir,
        &["run", &model, "--data", &data.display().to_string(), "--chains", "2", "--warmup", "300", "--draws", "300", "--seed", "5", "--quiet", "--output", "fit"],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let truth = [("mu", mu), ("phi", phi), ("sigma", sigma)];
    let names: Vec<&str> = truth.iter().map(|(n, _)| *n).collect();
    for ((name, value), (mean, sd)) in truth.iter().zip(posterior_moments(&dir, 2, &names)) {
        assert!((mean - value).abs() < 3.0 * sd, "{name}: posterior mean {mean} (sd {sd}), truth {value}");
    }
}

/// `ordered_logistic_rng`, `ordered_probit_rng` and `lkj_corr_rng` in
/// generated quantities: each outcome's frequency within 5 standard errors
/// of its probability F(eta - c[k-1]) - F(eta - c[k]); the correlation
/// draws symmetric with a unit diagonal, and R[1, 2] with mean 0 and the
/// variance 1/(2 eta + K - 1) of LKJ's Beta(eta - 1 + K/2, eta - 1 + K/2)
/// marginal on (-1, 1).
#[test]
fn ordinal_and_lkj_draws_match_their_distributions() {
    let dir = common::scratch("stan-ordinal-lkj-rngs");
    let model = corpus("ordinal_lkj_rngs.stan");
    let out = hbmc(&dir, &["run", &model, "--chains", "1", "--draws", "8000", "--seed", "5", "--quiet", "--output", "fit"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let csv = hbmc_runtime::read_cmdstan_csv(dir.join("fit_1.csv")).expect("read back");
    let column = |name: &str| -> Vec<f64> {
        csv.draws[csv.column_index(name).unwrap_or_else(|| panic!("no column {name}"))].clone()
    };
    let n = column("o").len() as f64;
    let cuts = [-1.0, 0.5, 2.0];
    let logistic = |x: f64| 1.0 / (1.0 + (-x).exp());
    let normal = hbmc_stdlib::special::phi;
    for (name, f) in [("o", &logistic as &dyn Fn(f64) -> f64), ("q", &normal)] {
        let draws = column(name);
        for k in 1..=4 {
            let above = if k == 1 { 1.0 } else { f(0.3 - cuts[k - 2]) };
            let below = if k == 4 { 0.0 } else { f(0.3 - cuts[k - 1]) };
            let p = above - below;
            let freq = draws.iter().filter(|&&d| d == k as f64).count() as f64 / n;
            assert!((freq - p).abs() < 5.0 * (p * (1.0 - p) / n).sqrt(), "{name}: P({k}) = {p}, frequency {freq}");
        }
    }
    for (i, j) in [(1, 1), (2, 2), (3, 3)] {
        let diag = column(&format!("R.{i}.{j}"));
        assert!(diag.iter().all(|v| (v - 1.0).abs() < 1e-12), "R[{i}, {j}] is not 1");
    }
    let (r12, r21) = (column("R.1.2"), column("R.2.1"));
    assert!(r12.iter().zip(&r21).all(|(a, b)| (a - b).abs() < 1e-12), "R is not symmetric");
    let mean = r12.iter().sum::<f64>() / n;
    let var = r12.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
    let want = 1.0 / (2.0 * 2.0 + 3.0 - 1.0);
    assert!(mean.abs() < 5.0 * (want / n).sqrt(), "E R[1, 2] = {mean}");
    assert!((var - want).abs() < 0.1 * want, "var R[1, 2] = {var}, want {want}");
}

/// `multinomial_rng`, `multinomial_logit_rng` and `dirichlet_multinomial_rng`:
/// each draw sums to N, a zero probability gets no count, and each count's
/// mean and variance are N θ and N θ (1 - θ) (binomial marginals; times
/// (N + Σα) / (1 + Σα) for the Dirichlet mixture) within sampling error.
#[test]
fn multinomial_draws_match_their_distribution() {
    let dir = common::scratch("stan-multinomial-rngs");
    let model = corpus("multinomial_rngs.stan");
    let out = hbmc(&dir, &["run", &model, "--chains", "1", "--draws", "4000", "--seed", "11", "--quiet", "--output", "fit"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let csv = hbmc_runtime::read_cmdstan_csv(dir.join("fit_1.csv")).expect("read back");
    let column = |name: &str| -> Vec<f64> {
        csv.draws[csv.column_index(name).unwrap_or_else(|| panic!("no column {name}"))].clone()
    };
    for (name, n_trials, theta) in [("c", 40.0, vec![0.2, 0.3, 0.5, 0.0]), ("d", 25.0, vec![0.6, 0.1, 0.3]), ("e", 30.0, vec![0.25, 0.25, 0.5])] {
        // e ~ dirichlet_multinomial(alpha = (1, 1, 2), 30): theta = alpha / 4
        // in the mean; the variance is N θ (1 - θ) (N + Σα) / (1 + Σα).
        let overdispersion = if name == "e" { (30.0 + 4.0) / (1.0 + 4.0) } else { 1.0 };
        let counts: Vec<Vec<f64>> = (1..=theta.len()).map(|k| column(&format!("{name}.{k}"))).collect();
        let draws = counts[0].len();
        for i in 0..draws {
            let total: f64 = counts.iter().map(|c| c[i]).sum();
            assert_eq!(total, n_trials, "{name}: draw {i} sums to {total}");
        }
        for (k, (c, &p)) in counts.iter().zip(&theta).enumerate() {
            let n = draws as f64;
            let mean = c.iter().sum::<f64>() / n;
            let var = c.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
            let want_var = n_trials * p * (1.0 - p) * overdispersion;
            if p == 0.0 {
                assert!(c.iter().all(|&v| v == 0.0), "{name}[{}]: a zero probability got counts", k + 1);
                continue;
            }
            assert!((mean - n_trials * p).abs() < 5.0 * (want_var / n).sqrt(), "{name}[{}]: mean {mean}, want {}", k + 1, n_trials * p);
            assert!((var - want_var).abs() < 0.12 * want_var, "{name}[{}]: variance {var}, want {want_var}", k + 1);
        }
    }
}

/// A hierarchical regression on ragged groups (`y[pos[g]:pos[g] + n[g] - 1]
/// ~ ...` in a loop over groups of 0 to 11 observations) recovers the slope
/// and noise `make_ragged.py` simulated with, and its generated residual
/// means, taken over `segment`s of run-time length, equal the same means
/// computed from each draw's `a` and `b`.
#[test]
fn ragged_groups_recover_the_simulated_truth() {
    let dir = fit_corpus("ragged_groups.stan", "ragged_groups.json");
    assert_truths("ragged_groups", &dir, &[("b", -0.8), ("sigma", 0.5), ("mu", 1.5)]);
    let data: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(corpus("ragged_groups.json")).expect("data")).expect("json");
    let nums = |k: &str| -> Vec<f64> { data[k].as_array().expect("array").iter().map(|v| v.as_f64().expect("number")).collect() };
    let (n, x, y) = (nums("n"), nums("x"), nums("y"));
    let csv = hbmc_runtime::read_cmdstan_csv(dir.join("fit_1.csv")).expect("chain read back");
    let col = |name: &str| &csv.draws[csv.column_index(name).expect("column")];
    let mut pos = 0;
    for (g, &len) in n.iter().enumerate() {
        let len = len as usize;
        let (a, b, got) = (col(&format!("a.{}", g + 1)), col("b"), col(&format!("resid_mean.{}", g + 1)));
        for d in 0..got.len() {
            let expected = if len == 0 {
                0.0
            } else {
                (pos..pos + len).map(|i| y[i] - a[d] - b[d] * x[i]).sum::<f64>() / len as f64
            };
            assert!((got[d] - expected).abs() < 1e-6 * expected.abs().max(1.0), "group {g} draw {d}: {} vs {expected}", got[d]);
        }
        pos += len;
    }
    // `big` counts the groups of more than 4; `tail_sum` sums that many
    // last observations.
    let big = n.iter().filter(|&&k| k > 4.0).count();
    let tail_sum: f64 = y[y.len() - big..].iter().sum();
    assert!(col("big").iter().all(|&v| v == big as f64), "big");
    assert!(col("tail_sum").iter().all(|&v| (v - tail_sum).abs() < 1e-12), "tail_sum vs {tail_sum}");
}

/// A forward algorithm over a 2-D array (`alpha[t, k]` from
/// `alpha[t - 1, j]`) is differentiated without saving `alpha` per step
/// or copying it per state: no carried or snapshot buffer of it in the IR
/// (there were two, of N x K x (N - 1) and N x K elements, and the
/// gradient's cost grew as N squared). Its gradient is checked with the
/// rest of the corpus.
#[test]
fn forward_algorithm_over_a_2d_array_carries_nothing_per_step() {
    let root = common::root();
    let out = common::hbmc(&root, &["check", &corpus("hmm_forward_matrix.stan"), "--data", &corpus("timeseries.json"), "--emit", "ir"]);
    let ir = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let alpha: Vec<&str> = ir.lines().filter(|l| l.starts_with("buffer") && l.contains("work.alpha")).collect();
    assert!(alpha.iter().any(|l| l.contains("work.alpha:")), "{ir}");
    assert!(alpha.iter().all(|l| !l.contains("carried") && !l.contains("after")), "{alpha:#?}");
}

/// Locals sized per loop iteration in generated quantities: `p_top[k]`,
/// the top category's probability for group k's run of thresholds (none
/// for group 2), is the last element of softmax(cumulative_sum([0, b -
/// tau[start[k] : start[k] + len[k] - 1]])), computed here from each
/// draw's `b` and `tau`.
#[test]
fn locals_sized_per_iteration_give_the_closed_form_probabilities() {
    let dir = common::scratch("stan-sized-per-iteration");
    let (model, data) = (corpus("functions_local_sized_per_iteration.stan"), corpus("functions_local_sized_per_iteration.json"));
    let out = hbmc(&dir, &["run", &model, "--data", &data, "--chains", "1", "--warmup", "100", "--draws", "20", "--quiet", "--output", "fit"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let csv = hbmc_runtime::read_cmdstan_csv(dir.join("fit_1.csv")).expect("read back");
    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&data).expect("data")).expect("json");
    let len: Vec<usize> = json["len"].as_array().expect("len").iter().filter_map(|v| v.as_u64()).map(|v| v as usize).collect();
    assert!(len.contains(&0) && len.iter().max() > Some(&1), "the data must hold an empty and a longer run: {len:?}");
    let col = |name: &str| csv.draws[csv.column_index(name).expect(name)].clone();
    let b = col("b");
    let tau: Vec<Vec<f64>> = (1..=len.iter().sum::<usize>()).map(|i| col(&format!("tau.{i}"))).collect();
    for d in 0..b.len() {
        let mut start = 0;
        for (k, &n) in len.iter().enumerate() {
            let mut cum = vec![0.0];
            for t in &tau[start..start + n] {
                cum.push(cum[cum.len() - 1] + b[d] - t[d]);
            }
            let top = cum.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let total: f64 = cum.iter().map(|c| (c - top).exp()).sum();
            let expected = (cum[n] - top).exp() / total;
            let got = col(&format!("p_top.{}", k + 1))[d];
            assert!((got - expected).abs() < 1e-9, "draw {d} group {}: {got} vs {expected}", k + 1);
            start += n;
        }
    }
}

/// A user function's local sized from an argument whose length changes
/// from one loop iteration to the next (posteriordb's
/// gpcm_latent_reg_irt: `vector[rows(beta) + 1] u;` with `beta` a
/// `segment` of a data-given length per item) is compiled once per length
/// the data hold (`functions_local_sized_per_iteration.stan`), up to 1024
/// lengths (40 compile; 32 was the limit on 7aac5c9); lengths of more
/// distinct values than that are refused with E5001 naming the length,
/// its number of values and the limit, not compiled to a wrong size.
#[test]
fn a_function_local_sized_over_too_many_lengths_is_error_e5001_and_forty_compile() {
    let dir = common::scratch("stan-local-sized-per-iteration");
    let model = "functions {\n  real f(int y, real t, vector b) {\n    vector[rows(b) + 1] u;\n    u = append_row(rep_vector(0.0, 1), t - b);\n    return categorical_lpmf(y + 1 | softmax(cumulative_sum(u)));\n  }\n}\ndata { int N; array[N] int len; }\nparameters { real t; vector[1100] b; }\nmodel {\n  t ~ normal(0, 1);\n  b ~ normal(0, 1);\n  for (n in 1:N)\n    target += f(1, t, segment(b, 1, len[n]));\n}\n";
    std::fs::write(dir.join("m.stan"), model).expect("model");
    let lens: Vec<String> = (1..=1100).map(|k| k.to_string()).collect();
    std::fs::write(dir.join("d.json"), format!(r#"{{"N": 1100, "len": [{}]}}"#, lens.join(", "))).expect("data");
    let out = hbmc(&dir, &["gradcheck", "m.stan", "--data", "d.json"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("E5001") && err.contains("`len[n]`") && err.contains("sizes local variables") && err.contains("takes 1100 distinct values") && err.contains("1024 copies"), "{err}");
    // 40 distinct lengths compile.
    let lens: Vec<String> = (1..=40).map(|k| k.to_string()).collect();
    std::fs::write(dir.join("d.json"), format!(r#"{{"N": 40, "len": [{}]}}"#, lens.join(", "))).expect("data");
    let out = hbmc(&dir, &["gradcheck", "m.stan", "--data", "d.json"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    // Two lengths far apart are two copies, whatever lies between them.
    std::fs::write(dir.join("d.json"), r#"{"N": 2, "len": [2, 40]}"#).expect("data");
    let out = hbmc(&dir, &["gradcheck", "m.stan", "--data", "d.json"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
}

/// An empty correlation factor (`cholesky_factor_corr[0]`, the size from
/// the data) with its LKJ prior compiles and differentiates: the unrolled
/// small-matrix forms are for sizes 1 to 6 only (size 0 panicked there,
/// found by the fuzz harness's compiled mutants).
#[test]
fn an_empty_cholesky_factor_corr_compiles() {
    let dir = common::scratch("stan-empty-corr");
    let model = "data { int K; }\nparameters { real mu; cholesky_factor_corr[K] L; }\nmodel { L ~ lkj_corr_cholesky(2); mu ~ normal(0, 1); }\n";
    std::fs::write(dir.join("m.stan"), model).expect("model");
    for k in [0, 1, 2] {
        std::fs::write(dir.join("d.json"), format!(r#"{{"K": {k}}}"#)).expect("data");
        let out = hbmc(&dir, &["gradcheck", "m.stan", "--data", "d.json"]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "K = {k}: {err}");
        let said = format!("{}{err}", String::from_utf8_lossy(&out.stdout));
        assert!(said.contains("agree with finite differences"), "K = {k}: {said}");
    }
}

/// Arguments whose sizes, known once the data are bound, disagree
/// (`log_mix` of 3 proportions with 2 log densities; `hmm_marginal` with
/// a `Gamma` of the wrong size; `non_centered_mvn`, `add_diag`, `to_matrix`
/// and `dirichlet` of mismatched sizes) are the program's error, E5003
/// naming the sizes, not E5001's "not supported yet" (Stan rejects every
/// evaluation).
#[test]
fn arguments_whose_sizes_disagree_are_error_e5003() {
    let dir = common::scratch("stan-sizes-disagree");
    let cases = [
        ("log_mix", "data { int K; }\nparameters { real mu; }\nmodel {\n  vector[K] lp = [normal_lpdf(0 | mu, 1), normal_lpdf(1 | mu, 1)]';\n  target += log_mix(rep_vector(1.0 / 3, 3), lp);\n}\n", "mixing proportions"),
        ("hmm", "data { int K; }\nparameters { real mu; }\nmodel {\n  matrix[K, 4] log_omega = rep_matrix(mu, K, 4);\n  target += hmm_marginal(log_omega, rep_matrix(1.0 / 3, 3, 3), rep_vector(0.5, K));\n}\n", "Gamma K x K"),
        // A value assigned to a place of other sizes, wherever the place
        // lives: a model local read once (fused into its reader, never
        // stored), an inlined transformed parameter, a stored local, a slice.
        ("model_local", "data { int K; }\nparameters { real mu; }\nmodel {\n  vector[K + 1] v = rep_vector(mu, K);\n  mu ~ normal(sum(v), 1);\n}\n", "sizes [2] assigned to a place of sizes [3]"),
        ("inlined_tp", "data { int K; }\nparameters { real mu; }\ntransformed parameters {\n  vector[3] v = rep_vector(mu, K);\n}\nmodel {\n  mu ~ normal(sum(v), 1);\n}\n", "sizes [2] assigned to a place of sizes [3]"),
        ("assigned", "data { int K; }\nparameters { real mu; }\nmodel {\n  vector[3] v;\n  v = rep_vector(mu, K);\n  mu ~ normal(sum(v), 1);\n}\n", "sizes [2] assigned to a place of sizes [3]"),
        ("slice", "data { int K; }\nparameters { real mu; }\nmodel {\n  vector[4] v = rep_vector(0, 4);\n  v[1:3] = rep_vector(mu, K);\n  mu ~ normal(sum(v), 1);\n}\n", "sizes [2] assigned to a place of sizes [3]"),
        // A user function's local, whose body would otherwise fold into
        // `sum(rep_vector(mu, K))` and lose the declared size.
        ("function_local", "functions {\n  real f(real mu, int K) {\n    vector[3] v = rep_vector(mu, K);\n    return sum(v);\n  }\n}\ndata { int K; }\nparameters { real mu; }\nmodel { mu ~ normal(f(mu, K), 1); }\n", "sizes [2] assigned to a place of sizes [3]"),
        // Library calls whose arguments' sizes do not go together.
        ("non_centered_mvn", "data { int K; }\nparameters { vector[2] mu; vector<lower=0>[2] tau; cholesky_factor_corr[K + 1] L; matrix[2, 5] z; }\nmodel {\n  matrix[2, 5] u = non_centered_mvn(mu, tau, L, z);\n  to_vector(u) ~ normal(0, 1);\n  to_vector(z) ~ std_normal();\n}\n", "L be K x K"),
        ("add_diag", "data { int K; }\nparameters { real mu; }\nmodel {\n  matrix[3, 3] m = add_diag(rep_matrix(mu, 3, 3), rep_vector(1, K));\n  mu ~ normal(sum(m), 1);\n}\n", "`add_diag` with a vector"),
        ("to_matrix", "data { int K; }\nparameters { vector[5] v; }\nmodel {\n  v ~ normal(sum(to_matrix(v, K, K)), 1);\n}\n", "m * n must equal"),
        ("dirichlet", "data { int K; }\nparameters { simplex[3] p; }\nmodel {\n  p ~ dirichlet(rep_vector(1, K));\n}\n", "concentration vectors of size 2"),
    ];
    for (name, model, says) in cases {
        std::fs::write(dir.join(format!("{name}.stan")), model).expect("model");
        std::fs::write(dir.join("d.json"), r#"{"K": 2}"#).expect("data");
        let out = hbmc(&dir, &["gradcheck", &format!("{name}.stan"), "--data", "d.json"]);
        assert_eq!(out.status.code(), Some(1), "{name}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("E5003") && err.contains("sizes disagree") && err.contains(says) && !err.contains("E5001"), "{name}: {err}");
    }
}

/// The QR reparameterisation of the Stan User's Guide recovers the
/// coefficients `make_qr.py` simulated with, through `qr_thin_Q`/`_R` of
/// correlated covariates in transformed data.
#[test]
fn qr_reparameterised_regression_recovers_the_simulated_coefficients() {
    let dir = fit_corpus("qr_regression.stan", "qr_regression.json");
    assert_truths("qr_regression", &dir, &[("alpha", 1.5), ("beta.1", 1.0), ("beta.2", -2.0), ("beta.3", 0.5), ("sigma", 0.3)]);
}

/// The full Q of a tall parameter matrix has no gradient (its trailing
/// columns are any orthonormal completion): E5002 saying so and naming
/// `qr_thin_Q`, not a wrong gradient. A square one is its thin Q and works.
#[test]
fn full_q_of_a_tall_parameter_matrix_is_error_e5002() {
    let dir = common::scratch("stan-qr-tall");
    let model = |m: usize| format!("parameters {{ matrix[{m}, 2] A; }}\nmodel {{\n  to_vector(A) ~ normal(0, 1);\n  target += 0.1 * sum(qr_Q(A));\n}}\n");
    std::fs::write(dir.join("tall.stan"), model(3)).expect("model");
    let out = hbmc(&dir, &["gradcheck", "tall.stan"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("E5002") && err.contains("`qr_Q` of a parameter matrix with more rows than columns") && err.contains("qr_thin_Q"), "{err}");
    std::fs::write(dir.join("square.stan"), model(2)).expect("model");
    let out = hbmc(&dir, &["gradcheck", "square.stan"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

/// A drift diffusion model written as brms writes it (`wiener` for upper
/// responses, `1 - beta` and `-delta` for lower ones) recovers the
/// parameters `make_wiener.py` simulated its choices and response times with.
#[test]
fn wiener_drift_diffusion_recovers_the_simulated_parameters() {
    let dir = fit_corpus("wiener_ddm.stan", "wiener_ddm.json");
    assert_truths("wiener_ddm", &dir, &[("alpha", 1.2), ("tau", 0.25), ("beta", 0.45), ("delta0", 0.5), ("delta1", 1.0)]);
}

/// `quantile` takes data only, as in Stan (it has no derivative): of a
/// parameter it is E1002 naming the argument.
#[test]
fn quantile_of_a_parameter_is_error_e1002() {
    let dir = common::scratch("stan-quantile-param");
    std::fs::write(dir.join("q.stan"), "parameters { vector[3] z; }\nmodel { z ~ normal(0, 1); target += quantile(z, 0.5); }\n").expect("model");
    let out = hbmc(&dir, &["check", "q.stan"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("E1002") && err.contains("argument `x` of `quantile` must be data"), "{err}");
}

/// Stan's foreach over a vector or row vector (`for (v in x)`), as well as
/// over an array, for variables and expressions: the log density is the
/// closed-form sum of the normals, in both engines; and over a matrix.
#[test]
fn foreach_runs_over_vectors_and_row_vectors() {
    use hbmc::model::Engine;
    let source = "data { int N; vector[N] x; }
        parameters { real mu; }
        model {
          for (v in x) target += normal_lpdf(v | mu, 1);
          for (v in 2 * x') target += normal_lpdf(v | mu, 2);
          for (v in to_array_1d(x[2:3])) target += normal_lpdf(v | mu, 3);
        }";
    let x = [1.0, -2.0, 3.5];
    let normal = |y: f64, m: f64, s: f64| -0.5 * ((y - m) / s).powi(2) - s.ln() - 0.5 * (2.0 * std::f64::consts::PI).ln();
    for engine in [Engine::Jit, Engine::Interpreter] {
        let bound = common::oracle::bind_json("foreach_vectors", source, r#"{"N": 3, "x": [1, -2, 3.5]}"#, engine).expect("binds");
        let mut e = bound.evaluator();
        let mu = 0.7;
        let lp = e.log_density(&[mu]).expect("evaluates");
        let want: f64 = x.iter().map(|&v| normal(v, mu, 1.0) + normal(2.0 * v, mu, 2.0)).sum::<f64>()
            + x[1..].iter().map(|&v| normal(v, mu, 3.0)).sum::<f64>();
        assert!((lp - want).abs() < 1e-12 * want.abs(), "{engine:?}: {lp} vs {want}");
    }
    // Over a matrix, as Stan: its elements in column-major order (1, 4, 2,
    // 5, 3, 6 here), so the weighted sum is 86 (91 in row-major order).
    let source = "data { matrix[2, 3] M; }
        transformed data { real acc = 0; int k = 0; for (v in M) { k += 1; acc += k * v; } }
        parameters { real mu; }
        model { target += -0.5 * square(mu - acc); }";
    for engine in [Engine::Jit, Engine::Interpreter] {
        let bound = common::oracle::bind_json("foreach_matrix", source, r#"{"M": [[1, 2, 3], [4, 5, 6]]}"#, engine).expect("binds");
        let lp = bound.evaluator().log_density(&[86.0]).expect("evaluates");
        assert_eq!(lp, 0.0, "{engine:?}: the sum is not 86");
    }
}
