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
