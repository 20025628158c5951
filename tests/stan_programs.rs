//! Plain Stan programs of `tests/stan_corpus/` through the binary: what
//! CmdStan users bring (shared data files, models without parameters).

mod common;
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
