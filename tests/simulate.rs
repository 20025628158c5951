//! `hbmc simulate` end to end: draw data with fixed true values, fit the
//! model to them with `hbmc run`, and find the truth where the posterior
//! puts it; the same seed gives the same file; bad `--fix` is an error.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const MODEL: &str = r#"
dims { obs; group; }
data {
  array[obs] group g;
  vector[obs] x;
  vector[obs] y;
}
parameters {
  vector[group] mu;
  real<lower=0> sigma;
  real b;
}
model {
  mu ~ normal(0, 3);
  sigma ~ normal(0, 1);
  b ~ normal(0, 2);
  y ~ normal(mu[g] + b * x, sigma);
}
"#;

fn scratch() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hbmc-simulate-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    std::fs::write(dir.join("model.hbm"), MODEL).expect("model");
    // 200 observations in 4 groups, x on a grid.
    let g: Vec<String> = (0..200).map(|i| (i % 4 + 1).to_string()).collect();
    let x: Vec<String> = (0..200).map(|i| format!("{:.3}", (i as f64 / 40.0) - 2.5)).collect();
    std::fs::write(dir.join("partial.json"), format!(r#"{{"g": [{}], "x": [{}], "dims": {{"group": 4}}}}"#, g.join(","), x.join(",")))
        .expect("partial data");
    dir
}

fn hbmc(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hbmc")).current_dir(dir).args(args).output().expect("hbmc runs")
}

#[test]
fn simulated_truth_is_recovered() {
    let dir = scratch();
    let sim = ["simulate", "model.hbm", "--data", "partial.json", "--fix", "b=0.7", "--fix", "sigma=0.5", "--seed", "11"];
    let out = hbmc(&dir, &[&sim[..], &["--output", "sim.json"]].concat());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let truth: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(dir.join("sim.truth.json")).expect("truth")).expect("JSON");
    assert_eq!(truth["b"], serde_json::json!(0.7));
    assert_eq!(truth["mu"].as_array().map(Vec::len), Some(4), "mu drawn for every group");
    // Same seed, same data.
    let again = hbmc(&dir, &[&sim[..], &["--output", "sim2.json"]].concat());
    assert!(again.status.success());
    assert_eq!(std::fs::read_to_string(dir.join("sim.json")).ok(), std::fs::read_to_string(dir.join("sim2.json")).ok());

    let out = hbmc(&dir, &["run", "model.hbm", "--data", "sim.json", "--quiet", "--seed", "3", "--output", "fit/m"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let files: Vec<PathBuf> = (1..=4).map(|c| dir.join(format!("fit/m_{c}.csv"))).collect();
    let (draws, _) = hbmc_runtime::read_csv_files(&files).expect("draws");
    let summary = hbmc_runtime::summarize(&draws, &hbmc_runtime::SummaryOptions::default());
    let mut checks = vec![("b".to_string(), 0.7), ("sigma".to_string(), 0.5)];
    for k in 0..4 {
        checks.push((format!("mu.{}", k + 1), truth["mu"][k].as_f64().expect("number")));
    }
    // Six 90% intervals all cover the truth only about 53% of the time, so
    // the check is a z-score: the truth within 3.3 posterior sds of the
    // posterior mean (a false alarm about 0.1% per parameter), which a
    // simulation or fit that got the model wrong fails by far.
    for (column, value) in checks {
        let row = summary.rows.iter().find(|r| r.column == column).unwrap_or_else(|| panic!("no {column}"));
        let z = (row.mean - value) / row.sd;
        assert!(z.abs() <= 3.3, "{column}: truth {value}, posterior mean {} sd {} (z = {z:.2})", row.mean, row.sd);
    }
    // A parameter that does not exist cannot be fixed.
    let bad = hbmc(&dir, &["simulate", "model.hbm", "--data", "partial.json", "--fix", "beta=1", "--output", "x.json"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("no parameter `beta`"));
    let _ = std::fs::remove_dir_all(&dir);
}
