//! Stan programs in the style of posteriordb and Stan's example models
//! (`tests/stan_corpus/pdb/`, written for hbmc with small simulated data
//! from `make_data.py` and `make_more_data.py`, with the BUGS examples'
//! own data where it is short): each one, unchanged,
//! passes the oracles (JIT = interpreter, gradient = finite differences).
//! The ODE programs of `pdb/ode/` pass `hbmc gradcheck` instead (see its
//! README); a few fits match closed forms. Programs that still fail for a
//! reason outside the front end wait in `pdb/pending/` (see its README)
//! and are not read here.

use crate::common;

use hbmc::model::{Engine, Model, ModelError};

/// The `.stan` files of a folder of the repository (not its subfolders),
/// sorted.
fn stan_programs_in(dir: &str) -> Vec<std::path::PathBuf> {
    let mut paths: Vec<_> = std::fs::read_dir(common::root().join(dir))
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "stan"))
        .collect();
    paths.sort();
    paths
}

/// A data file of `tests/stan_corpus/`, parsed.
fn corpus_json(name: &str) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(common::corpus::path(name)).expect("data")).expect("json")
}

/// The mean and sd of the beta(a, b) distribution.
fn beta_moments(a: f64, b: f64) -> (f64, f64) {
    (a / (a + b), (a * b / ((a + b) * (a + b) * (a + b + 1.0))).sqrt())
}

/// Every program of `tests/stan_corpus/pdb/` passes both oracles with the
/// data file its `// data:` line names.
#[test]
fn every_posteriordb_style_program_passes_the_oracles() {
    let root = common::root();
    let paths = stan_programs_in("tests/stan_corpus/pdb");
    let mut failures = Vec::new();
    for path in &paths {
        let name = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        let source = std::fs::read_to_string(path).expect("readable program");
        let data = common::oracle::data_files(&root, &source);
        if let Err(e) = common::oracle::check_example(&name, &source, &data) {
            failures.push(format!("{name}: {e}"));
        }
    }
    assert!(failures.is_empty(), "{} of {} failed:\n{}", failures.len(), paths.len(), failures.join("\n"));
    assert!(paths.len() >= 40, "only {} programs in tests/stan_corpus/pdb/", paths.len());
}

/// `sum_to_zero_vector[K]` has K - 1 free values; its constrained values
/// sum to zero, and unconstraining them gives the free values back.
#[test]
fn sum_to_zero_vector_has_k_minus_one_free_values_that_map_to_a_zero_sum() {
    let source = "parameters { sum_to_zero_vector[4] z; } model { z ~ normal(0, 1); }";
    let model = Model::compile("stz", source).expect("compiles");
    let bound = model.bind_files(&[], Engine::Jit).map_err(|e| match e {
        ModelError::Diagnostics(d) => d.iter().map(|d| d.message.clone()).collect::<Vec<_>>().join("; "),
        other => other.to_string(),
    });
    let bound = bound.expect("binds without data");
    assert_eq!(bound.dim(), 3);
    let mut ev = bound.evaluator();
    let mut g = hbmc_stdlib::ChainRng::new(3, 0);
    let mut z = Vec::new();
    for _ in 0..5 {
        let x: Vec<f64> = (0..3).map(|_| 4.0 * g.uniform() - 2.0).collect();
        ev.write_draw(&x, &mut g, &mut z).expect("a draw");
        assert_eq!(z.len(), 4);
        let sum: f64 = z.iter().sum();
        assert!(sum.abs() < 1e-12, "{z:?} sums to {sum}");
        let names = bound.output_names().to_vec();
        let back = ev
            .unconstrain_columns(|c| names.iter().position(|n| n == c).map(|k| z[k]))
            .expect("unconstrains");
        for (a, b) in x.iter().zip(&back) {
            assert!((a - b).abs() < 1e-12, "{x:?} came back as {back:?}");
        }
    }
}

/// The ODE programs of `tests/stan_corpus/pdb/ode/` (see its README) pass
/// `hbmc gradcheck` with their data, which solves them at tight
/// tolerances, and their JIT log density equals the interpreter's at the
/// programs' own tolerances.
#[test]
fn posteriordb_ode_programs_pass_gradcheck_and_match_the_interpreter() {
    let root = common::root();
    let paths = stan_programs_in("tests/stan_corpus/pdb/ode");
    assert!(paths.len() >= 4, "only {} programs in tests/stan_corpus/pdb/ode/", paths.len());
    for path in &paths {
        let name = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        let source = std::fs::read_to_string(path).expect("readable program");
        let data = common::oracle::data_files(&root, &source);
        assert_eq!(data.len(), 1, "{name}: one `// data:` line");
        let out = common::hbmc(&root, &["gradcheck", &path.display().to_string(), "--data", &data[0].display().to_string()]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success() && stderr.contains("agree with finite differences"), "{name}: {stderr}\n{}", String::from_utf8_lossy(&out.stdout));
        let bind = |engine| {
            Model::compile(&name, &source).expect("compiles").bind_files(&data, engine).unwrap_or_else(|e| panic!("{name}: {e}"))
        };
        let (jit, interp) = (bind(Engine::Jit), bind(Engine::Interpreter));
        let (mut a, mut b) = (jit.evaluator(), interp.evaluator());
        let mut g = hbmc_stdlib::ChainRng::new(7, 0);
        for point in 0..3 {
            let x: Vec<f64> = (0..jit.dim()).map(|_| g.uniform() - 0.5).collect();
            let (la, lb) = (a.log_density(&x), b.log_density(&x));
            let (la, lb) = (la.map_err(|e| e.message), lb.map_err(|e| e.message));
            match (la, lb) {
                (Ok(la), Ok(lb)) => assert!((la - lb).abs() <= 1e-10 * lb.abs().max(1.0), "{name} point {point}: JIT {la} vs interpreter {lb}"),
                (la, lb) => panic!("{name} point {point}: JIT {la:?}, interpreter {lb:?}"),
            }
        }
    }
}

/// Posterior mean and sd of a column over a fit's chains, with the Monte
/// Carlo error of the mean at an effective sample size of 300.
fn moments(fit: &common::corpus::Fit, name: &str) -> (f64, f64, f64) {
    let v = fit.column(name);
    let mean = v.iter().sum::<f64>() / v.len() as f64;
    let sd = (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (v.len() - 1) as f64).sqrt();
    (mean, sd, sd / 300f64.sqrt())
}

/// Asserts the posterior mean of a column within 4 Monte Carlo errors of
/// `mean` and its sd within 10% of `sd`.
fn assert_mean_and_sd(fit: &common::corpus::Fit, name: &str, mean: f64, sd: f64) {
    let (m, s, mc) = moments(fit, name);
    assert!((m - mean).abs() < 4.0 * mc, "{name} mean {m}, closed form {mean}");
    assert!((s / sd - 1.0).abs() < 0.1, "{name} sd {s}, closed form {sd}");
}

/// log C(n, k) for real n and k.
fn lchoose(n: f64, k: f64) -> f64 {
    hbmc_stdlib::special::lgamma(n + 1.0) - hbmc_stdlib::special::lgamma(k + 1.0) - hbmc_stdlib::special::lgamma(n - k + 1.0)
}

/// Bayesian Cognitive Modeling's common rate (Rate_3, Rate_5: k1 = 5 of
/// n1 = 10, k2 = 7 of n2 = 10, a uniform prior) has the beta(13, 9)
/// posterior, and Rate_5's posterior predictive count of n1 = 10 the
/// beta-binomial's mean 10 * 13 / 22; means within 4 Monte Carlo errors,
/// sds within 10%.
#[test]
fn common_rate_programs_have_the_beta_binomial_closed_forms() {
    let (mean, sd) = beta_moments(13.0, 9.0);
    for model in ["Rate_3_model.stan", "Rate_5_model.stan"] {
        let fit = common::corpus::fit(&format!("pdb/{model}"), "pdb/rate_2.json");
        let (m, s, mc) = moments(&fit, "theta");
        assert!((m - mean).abs() < 4.0 * mc, "{model}: theta mean {m}, closed form {mean}");
        assert!((s / sd - 1.0).abs() < 0.1, "{model}: theta sd {s}, closed form {sd}");
    }
    let fit = common::corpus::fit("pdb/Rate_5_model.stan", "pdb/rate_2.json");
    let (m, s, mc) = moments(&fit, "postpredk1");
    let pred = 10.0 * mean;
    assert!((m - pred).abs() < 4.0 * mc, "postpredk1 mean {m} (sd {s}), closed form {pred}");
}

/// BPA's M0 capture-recapture model (`M0_model.stan`, data augmentation)
/// has the posterior means of omega and p that a 400 x 400 grid over the
/// unit square gives for the same likelihood (a flat prior on both).
#[test]
fn m0_capture_recapture_matches_its_grid_posterior() {
    let data = corpus_json("pdb/capture.json");
    let t = data["T"].as_f64().expect("T");
    let s: Vec<f64> = data["y"].as_array().expect("y").iter().map(|r| r.as_array().expect("row").iter().map(|v| v.as_f64().expect("0/1")).sum()).collect();
    let g = 400;
    let mut cells = Vec::with_capacity(g * g);
    for i in 0..g {
        let omega = (i as f64 + 0.5) / g as f64;
        for j in 0..g {
            let p = (j as f64 + 0.5) / g as f64;
            let l: f64 = s
                .iter()
                .map(|&k| if k > 0.0 { omega.ln() + lchoose(t, k) + k * p.ln() + (t - k) * (-p).ln_1p() } else { (omega * (1.0 - p).powf(t) + 1.0 - omega).ln() })
                .sum();
            cells.push((l, omega, p));
        }
    }
    let top = cells.iter().map(|c| c.0).fold(f64::NEG_INFINITY, f64::max);
    let z: f64 = cells.iter().map(|c| (c.0 - top).exp()).sum();
    let grid_omega = cells.iter().map(|c| (c.0 - top).exp() * c.1).sum::<f64>() / z;
    let grid_p = cells.iter().map(|c| (c.0 - top).exp() * c.2).sum::<f64>() / z;
    let fit = common::corpus::fit("pdb/M0_model.stan", "pdb/capture.json");
    for (name, truth) in [("omega", grid_omega), ("p", grid_p)] {
        let (m, _, mc) = moments(&fit, name);
        assert!((m - truth).abs() < 4.0 * mc, "{name}: posterior mean {m}, grid {truth}");
    }
}

/// A hurdle Poisson with flat priors (`hurdle_poisson.stan`): the zero
/// probability theta has the beta(zeros + 1, non-zeros + 1) posterior,
/// whatever lambda does. Mean within 4 Monte Carlo errors, sd within 10%.
#[test]
fn hurdle_zero_probability_has_its_beta_closed_form() {
    let data = corpus_json("pdb/hurdle.json");
    let y = data["y"].as_array().expect("y");
    let zeros = y.iter().filter(|v| v.as_i64() == Some(0)).count() as f64;
    let (mean, sd) = beta_moments(zeros + 1.0, y.len() as f64 - zeros + 1.0);
    let fit = common::corpus::fit("pdb/hurdle_poisson.stan", "pdb/hurdle.json");
    assert_mean_and_sd(&fit, "theta", mean, sd);
}

/// Bayesian Cognitive Modeling's difference between two rates
/// (`Rate_2_model.stan`, k1 of n1 and k2 of n2, uniform priors): theta1
/// and theta2 have independent beta(k + 1, n - k + 1) posteriors, so
/// delta = theta1 - theta2 has the difference of their means and the sum
/// of their variances. Means within 4 Monte Carlo errors, sds within 10%.
#[test]
fn rate_difference_has_the_beta_closed_forms() {
    let data = corpus_json("pdb/rate_2.json");
    let get = |k: &str| data[k].as_f64().unwrap_or_else(|| panic!("{k}"));
    let (m1, s1) = beta_moments(get("k1") + 1.0, get("n1") - get("k1") + 1.0);
    let (m2, s2) = beta_moments(get("k2") + 1.0, get("n2") - get("k2") + 1.0);
    let fit = common::corpus::fit("pdb/Rate_2_model.stan", "pdb/rate_2.json");
    for (name, mean, sd) in [("theta1", m1, s1), ("theta2", m2, s2), ("delta", m1 - m2, (s1 * s1 + s2 * s2).sqrt())] {
        assert_mean_and_sd(&fit, name, mean, sd);
    }
}

/// BUGS's LINE (`line.stan`): with its vague priors (normal(0, 100)
/// coefficients, tau ~ gamma(0.001, 0.001), nearly p(sigma^2) = 1/sigma^2)
/// the coefficients' posterior means are the least-squares estimates,
/// alpha = mean(Y) at the centred x and beta = Sxy / Sxx (their marginal
/// posteriors are t with N - 2 degrees of freedom about them). Means
/// within 4 Monte Carlo errors.
#[test]
fn bugs_line_has_the_least_squares_posterior_means() {
    let data = corpus_json("pdb/line.json");
    let col = |k: &str| -> Vec<f64> { data[k].as_array().unwrap_or_else(|| panic!("{k}")).iter().map(|v| v.as_f64().expect("number")).collect() };
    let (x, y) = (col("x"), col("Y"));
    let n = x.len() as f64;
    let (xbar, ybar) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let sxy: f64 = x.iter().zip(&y).map(|(a, b)| (a - xbar) * (b - ybar)).sum();
    let sxx: f64 = x.iter().map(|a| (a - xbar) * (a - xbar)).sum();
    let fit = common::corpus::fit("pdb/line.stan", "pdb/line.json");
    for (name, truth) in [("alpha", ybar), ("beta", sxy / sxx)] {
        let (m, _, mc) = moments(&fit, name);
        assert!((m - truth).abs() < 4.0 * mc, "{name} mean {m}, least squares {truth}");
    }
}

/// The User's Guide's Lincoln-Petersen estimate (`lincoln_petersen.stan`,
/// R of C recaptured carry one of M marks, a flat prior on N > C - R + M):
/// p = M / N then has the beta(R - 1, C - R + 1) posterior (truncated at
/// M / (C - R + M), where it has no mass to speak of), so N's posterior
/// mean is M E[1/p] = M (a + b - 1) / (a - 1) = M (C - 1) / (R - 2).
/// Mean within 4 Monte Carlo errors.
#[test]
fn lincoln_petersen_population_has_its_closed_form_mean() {
    let data = corpus_json("pdb/lincoln_petersen.json");
    let get = |k: &str| data[k].as_f64().unwrap_or_else(|| panic!("{k}"));
    let truth = get("M") * (get("C") - 1.0) / (get("R") - 2.0);
    let fit = common::corpus::fit("pdb/lincoln_petersen.stan", "pdb/lincoln_petersen.json");
    let (m, _, mc) = moments(&fit, "N");
    assert!((m - truth).abs() < 4.0 * mc, "N mean {m}, closed form {truth}");
}

/// Bayesian Cognitive Modeling's Cohen's kappa (`Kappa.stan`, counts y of
/// the four agreement cells, uniform priors): the multinomial likelihood
/// factorises, so alpha, beta and gamma have the beta posteriors of their
/// own cells (alpha: y1 + y2 against y3 + y4; beta: y1 against y2; gamma:
/// y4 against y3). Means within 4 Monte Carlo errors, sds within 10%.
#[test]
fn kappa_rates_have_their_beta_closed_forms() {
    let data = corpus_json("pdb/kappa.json");
    let y: Vec<f64> = data["y"].as_array().expect("y").iter().map(|v| v.as_f64().expect("count")).collect();
    let fit = common::corpus::fit("pdb/Kappa.stan", "pdb/kappa.json");
    for (name, hits, misses) in [("alpha", y[0] + y[1], y[2] + y[3]), ("beta", y[0], y[1]), ("gamma", y[3], y[2])] {
        let (mean, sd) = beta_moments(hits + 1.0, misses + 1.0);
        assert_mean_and_sd(&fit, name, mean, sd);
    }
}

/// Bayesian Cognitive Modeling's planes (`Planes.stan`: k of the n planes
/// of a second sample carry one of x marks, the population t uniform on
/// 1..tmax and summed out, then drawn in generated quantities): t's
/// posterior is proportional to C(x, k) C(t - x, n - k) / C(t, n), whose
/// mean the sum over t gives. Mean within 4 Monte Carlo errors.
#[test]
fn planes_population_has_its_hypergeometric_posterior_mean() {
    let data = corpus_json("pdb/planes.json");
    let get = |k: &str| data[k].as_f64().unwrap_or_else(|| panic!("{k}"));
    let (x, n, k, tmax) = (get("x"), get("n"), get("k"), get("tmax"));
    let weights: Vec<(f64, f64)> = (1..=tmax as usize)
        .map(|t| t as f64)
        .filter(|&t| t - x >= n - k && t >= x)
        .map(|t| (t, (lchoose(x, k) + lchoose(t - x, n - k) - lchoose(t, n)).exp()))
        .collect();
    let z: f64 = weights.iter().map(|w| w.1).sum();
    let truth = weights.iter().map(|(t, w)| t * w).sum::<f64>() / z;
    let fit = common::corpus::fit("pdb/Planes.stan", "pdb/planes.json");
    let (m, _, mc) = moments(&fit, "t");
    assert!((m - truth).abs() < 4.0 * mc, "t mean {m}, exact {truth}");
}
