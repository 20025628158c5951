//! A fit's files are never mixed, partial or ambiguous (issue 16), through
//! the binary: a run interrupted then rerun with fewer chains under the
//! same prefix, chains of two different models given to `hbmc summary`,
//! a partial fit's summary, a data file giving a key twice, and each run's
//! record of its files (`PREFIX_run_<a>-<b>.json`) as `summary`, `loo`,
//! `predict` and `plot` read it.

use crate::common;
use common::hbmc;
use std::path::{Path, PathBuf};

const MODEL: &str = r#"
data {
  int N;
  vector[N] y;
}
parameters {
  real mu;
  real<lower=0> sigma;
}
model {
  mu ~ normal(0, 5);
  sigma ~ normal(0, 2);
  y ~ normal(mu, sigma);
}
generated quantities {
  vector[N] log_lik;
  for (n in 1:N) {
    log_lik[n] = normal_lpdf(y[n] | mu, sigma);
  }
}
"#;

const DATA: &str = r#"{"N": 5, "y": [1.0, 2.1, 2.9, 1.2, 1.8]}"#;

/// A scratch folder with the model (and a second model with the same
/// columns but another prior) and the data.
fn scratch(name: &str) -> PathBuf {
    let dir = common::scratch(&format!("integrity-{name}"));
    std::fs::write(dir.join("model.hbm"), MODEL).expect("model written");
    std::fs::write(dir.join("other.hbm"), MODEL.replace("normal(0, 5)", "normal(1, 3)")).expect("model written");
    std::fs::write(dir.join("data.json"), DATA).expect("data written");
    dir
}

const SETTINGS: [&str; 9] = ["--data", "data.json", "--warmup", "100", "--draws", "80", "--seed", "3", "--quiet"];

fn run(dir: &Path, model: &str, extra: &[&str]) -> std::process::Output {
    hbmc(dir, &[&["run", model][..], &SETTINGS, extra].concat())
}

/// Rewrites a chain file as hbmc leaves it after Ctrl-C: the header and
/// the first `keep` draws, then the comment that marks it partial.
fn interrupt(path: &Path, keep: usize) {
    let text = std::fs::read_to_string(path).expect("chain file");
    let mut out = Vec::new();
    let (mut header_seen, mut rows) = (false, 0);
    for line in text.lines() {
        let is_row = !line.starts_with('#');
        if is_row && header_seen {
            if rows == keep {
                break;
            }
            rows += 1;
        }
        header_seen |= is_row;
        out.push(line);
    }
    let mark = format!("# Sampling interrupted after {} of 180 iterations: this file is partial", 100 + keep);
    out.push(&mark);
    std::fs::write(path, out.join("\n") + "\n").expect("chain file rewritten");
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn an_interrupted_run_rerun_with_fewer_chains_is_refused_or_cleaned_never_mixed() {
    let dir = scratch("rerun");
    let first = run(&dir, "model.hbm", &["--chains", "4", "--output", "out/fit"]);
    assert!(first.status.success(), "{}", stderr(&first));
    // Ctrl-C: chains 2 and 3 stopped with some draws, chain 4 with none.
    interrupt(&dir.join("out/fit_2.csv"), 30);
    interrupt(&dir.join("out/fit_3.csv"), 10);
    interrupt(&dir.join("out/fit_4.csv"), 0);
    // The partial fit's summary says so in its first line and leaves out
    // the chain without draws, with a warning.
    let partial = hbmc(&dir, &["summary", "out/fit"]);
    assert!(partial.status.success(), "{}", stderr(&partial));
    let table = String::from_utf8_lossy(&partial.stdout);
    let first_line = table.lines().next().unwrap_or("");
    assert!(first_line.starts_with("Partial fit") && first_line.contains("fit_2.csv has 30 of 80 draws"), "{table}");
    assert!(stderr(&partial).contains("fit_4.csv") && !table.contains("NaN"), "{table}\n{}", stderr(&partial));

    // Rerun with one chain: refused, naming the stale files, nothing written.
    let before = std::fs::read(dir.join("out/fit_1.csv")).expect("chain 1");
    let again = run(&dir, "model.hbm", &["--chains", "1", "--output", "out/fit"]);
    assert_eq!(again.status.code(), Some(2), "{}", stderr(&again));
    for stale in ["fit_2.csv", "fit_3.csv", "fit_4.csv"] {
        assert!(stderr(&again).contains(stale), "{}", stderr(&again));
    }
    assert!(stderr(&again).contains("--overwrite"), "{}", stderr(&again));
    assert_eq!(std::fs::read(dir.join("out/fit_1.csv")).expect("chain 1"), before, "a refused run writes nothing");

    // With --overwrite: a clean one-chain fit.
    let clean = run(&dir, "model.hbm", &["--chains", "1", "--output", "out/fit", "--overwrite"]);
    assert!(clean.status.success(), "{}", stderr(&clean));
    for stale in ["fit_2.csv", "fit_3.csv", "fit_4.csv", "fit_run_1-4.json"] {
        assert!(!dir.join("out").join(stale).exists(), "{stale} was deleted");
    }
    assert_eq!(chains_of(&record(&dir.join("out/fit_run_1.json"))), vec![(1, "complete".to_string())]);
    let summary = hbmc(&dir, &["summary", "out/fit"]);
    assert!(summary.status.success(), "{}", stderr(&summary));
    let table = String::from_utf8_lossy(&summary.stdout);
    assert!(!table.starts_with("Partial") && !table.contains("NaN") && table.contains("mu"), "{table}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn complete_chains_of_the_same_fit_stay_and_other_settings_are_refused() {
    let dir = scratch("same-fit");
    let first = run(&dir, "model.hbm", &["--chains", "2", "--output", "out/fit"]);
    assert!(first.status.success(), "{}", stderr(&first));
    // Chain 1 again (as on another machine): chain 2 is a chain of this fit.
    let again = run(&dir, "model.hbm", &["--chains", "1", "--output", "out/fit"]);
    assert!(again.status.success(), "{}", stderr(&again));
    // Another seed would mix two fits: refused, naming the setting.
    let seed = hbmc(&dir, &["run", "model.hbm", "--data", "data.json", "--warmup", "100", "--draws", "80", "--seed", "4", "--quiet", "--chains", "1", "--output", "out/fit"]);
    assert_eq!(seed.status.code(), Some(2), "{}", stderr(&seed));
    assert!(stderr(&seed).contains("fit_2.csv") && stderr(&seed).contains("seed"), "{}", stderr(&seed));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn summary_refuses_chains_of_two_models_naming_the_odd_file() {
    let dir = scratch("two-models");
    for (model, prefix) in [("model.hbm", "a/fit"), ("other.hbm", "b/fit")] {
        let out = run(&dir, model, &["--chains", "1", "--output", prefix]);
        assert!(out.status.success(), "{}", stderr(&out));
    }
    // Same columns, another model: refused, naming the odd file.
    let mixed = hbmc(&dir, &["summary", "a/fit_1.csv", "b/fit_1.csv"]);
    assert_eq!(mixed.status.code(), Some(2), "{}", stderr(&mixed));
    let err = stderr(&mixed);
    assert!(err.contains("`b/fit_1.csv` is not a chain of the same fit as `a/fit_1.csv`") && err.contains("model"), "{err}");
    assert!(err.contains("--allow-mixed"), "{err}");
    // Told to, it summarises them together.
    let allowed = hbmc(&dir, &["summary", "a/fit_1.csv", "b/fit_1.csv", "--allow-mixed"]);
    assert!(allowed.status.success(), "{}", stderr(&allowed));
    // `loo --files` checks files given by hand the same way.
    let loo = hbmc(&dir, &["loo", "--files", "a/fit_1.csv,b/fit_1.csv"]);
    assert_eq!(loo.status.code(), Some(2), "{}", stderr(&loo));
    assert!(stderr(&loo).contains("`b/fit_1.csv` is not a chain of the same fit as `a/fit_1.csv`"), "{}", stderr(&loo));
    assert!(stderr(&loo).contains("pass --allow-mixed to use them together anyway"), "{}", stderr(&loo));
    let loo = hbmc(&dir, &["loo", "--files", "a/fit_1.csv,b/fit_1.csv", "--allow-mixed"]);
    assert!(loo.status.success(), "{}", stderr(&loo));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_data_key_given_twice_is_an_error_with_a_code() {
    let dir = scratch("duplicate-key");
    std::fs::write(dir.join("twice.json"), r#"{"N": 5, "y": [1.0, 2.1, 2.9, 1.2, 1.8], "N": 4}"#).expect("data written");
    let out = hbmc(&dir, &["run", "model.hbm", "--data", "twice.json", "--quiet", "--output", "out/fit"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("E4004") && err.contains("\"N\""), "{err}");
    assert!(!dir.join("out/fit_1.csv").exists(), "no chain file for bad data");
    let _ = std::fs::remove_dir_all(&dir);
}

fn record(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn header_value(csv: &Path, key: &str) -> String {
    let text = std::fs::read_to_string(csv).expect("chain file");
    let line = text.lines().find(|l| l.starts_with(&format!("# {key} = "))).unwrap_or_else(|| panic!("no {key} in {}", csv.display()));
    line.split(" = ").nth(1).unwrap_or("").trim().to_string()
}

/// The chain ids a record lists, with their states.
fn chains_of(record: &serde_json::Value) -> Vec<(u64, String)> {
    record["chains"]
        .as_array()
        .expect("chains")
        .iter()
        .map(|c| (c["id"].as_u64().expect("id"), c["state"].as_str().expect("state").to_string()))
        .collect()
}

#[test]
fn a_run_records_its_files_hashes_seed_and_settings() {
    let dir = scratch("record");
    let out = run(&dir, "model.hbm", &["--chains", "2", "--output", "out/fit"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let r = record(&dir.join("out/fit_run_1-2.json"));
    assert_eq!(chains_of(&r), vec![(1, "complete".to_string()), (2, "complete".to_string())]);
    assert_eq!(r["chains"][1]["file"], "fit_2.csv");
    assert_eq!(r["chains"][0]["draws"], 80);
    assert_eq!(r["seed"], 3);
    assert_eq!(r["model"], "model.hbm");
    assert_eq!(r["data"][0], "data.json");
    assert_eq!(r["settings"]["num_samples"], "80");
    assert_eq!(r["settings"]["num_warmup"], "100");
    assert_eq!(r["model_hash"].as_str(), Some(header_value(&dir.join("out/fit_1.csv"), "hbmc_model_hash").as_str()));
    assert_eq!(r["data_hash"].as_str(), Some(header_value(&dir.join("out/fit_2.csv"), "hbmc_data_hash").as_str()));
    assert!(stderr(&out).contains("fit_run_1-2.json"), "{}", stderr(&out));
    // Rerunning chain 1 of the same fit: its record takes chain 1 over,
    // the first run's record keeps chain 2.
    let again = run(&dir, "model.hbm", &["--chains", "1", "--output", "out/fit"]);
    assert!(again.status.success(), "{}", stderr(&again));
    assert_eq!(chains_of(&record(&dir.join("out/fit_run_1.json"))), vec![(1, "complete".to_string())]);
    assert_eq!(chains_of(&record(&dir.join("out/fit_run_1-2.json"))), vec![(2, "complete".to_string())]);
    let json = hbmc(&dir, &["summary", "out/fit", "--format", "json"]);
    assert!(json.status.success(), "{}", stderr(&json));
    let files = String::from_utf8_lossy(&json.stdout);
    assert!(files.contains("out/fit_1.csv") && files.contains("out/fit_2.csv"), "{files}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn every_reader_says_when_a_listed_file_is_missing() {
    let dir = scratch("missing");
    let out = run(&dir, "model.hbm", &["--chains", "2", "--output", "out/fit"]);
    assert!(out.status.success(), "{}", stderr(&out));
    std::fs::remove_file(dir.join("out/fit_2.csv")).expect("removed");
    let commands: [&[&str]; 4] = [
        &["summary", "out/fit"],
        &["loo", "out/fit"],
        &["plot", "out/fit", "--kind", "trace", "-o", "p.svg"],
        &["predict", "model.hbm", "--fit", "out/fit", "--data", "data.json", "--output", "pred/p"],
    ];
    for args in commands {
        let out = hbmc(&dir, args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(err.contains("`out/fit_run_1-2.json` lists `out/fit_2.csv` (chain 2), which is missing"), "{args:?}: {err}");
    }
    assert!(!dir.join("p.svg").exists() && !dir.join("pred").exists());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn chain_id_runs_merge_by_their_own_records_and_another_fits_record_is_refused() {
    let dir = scratch("machines");
    // Two "machines": chain 1 into a/, chain 2 into b/, copied into m/.
    for (id, folder) in [("1", "a"), ("2", "b")] {
        let out = run(&dir, "model.hbm", &["--chains", "1", "--chain-id", id, "--output", &format!("{folder}/fit")]);
        assert!(out.status.success(), "{}", stderr(&out));
    }
    std::fs::create_dir_all(dir.join("m")).expect("dir");
    for (from, name) in [("a", "fit_1.csv"), ("a", "fit_run_1.json"), ("a", "fit_dims.json"), ("b", "fit_2.csv"), ("b", "fit_run_2.json")] {
        std::fs::copy(dir.join(from).join(name), dir.join("m").join(name)).expect("copied");
    }
    let merged = hbmc(&dir, &["summary", "m/fit", "--format", "json"]);
    assert!(merged.status.success(), "{}", stderr(&merged));
    let text = String::from_utf8_lossy(&merged.stdout);
    assert!(text.contains("\"draws_per_chain\": [80, 80]"), "{text}");
    assert!(!stderr(&merged).contains("record"), "{}", stderr(&merged));

    // A file in no record is left out with a warning.
    std::fs::copy(dir.join("m/fit_2.csv"), dir.join("m/fit_5.csv")).expect("copied");
    let stray = hbmc(&dir, &["summary", "m/fit", "--format", "json"]);
    assert!(stray.status.success(), "{}", stderr(&stray));
    assert!(String::from_utf8_lossy(&stray.stdout).contains("\"draws_per_chain\": [80, 80]"));
    assert!(stderr(&stray).contains("`m/fit_5.csv` is in no record of the fit `m/fit`"), "{}", stderr(&stray));
    std::fs::remove_file(dir.join("m/fit_5.csv")).expect("removed");

    // Chain 3 of another model copied in: every reader refuses, naming
    // the other record, unless --allow-mixed.
    let other = run(&dir, "other.hbm", &["--chains", "1", "--chain-id", "3", "--output", "c/fit"]);
    assert!(other.status.success(), "{}", stderr(&other));
    for name in ["fit_3.csv", "fit_run_3.json"] {
        std::fs::copy(dir.join("c").join(name), dir.join("m").join(name)).expect("copied");
    }
    let commands: [&[&str]; 4] = [
        &["summary", "m/fit"],
        &["loo", "m/fit"],
        &["plot", "m/fit", "--kind", "trace", "-o", "p.svg"],
        &["predict", "model.hbm", "--fit", "m/fit", "--data", "data.json", "--output", "pred/p"],
    ];
    for args in commands {
        let refused = hbmc(&dir, args);
        assert_eq!(refused.status.code(), Some(2), "{args:?}: {}", stderr(&refused));
        let err = stderr(&refused);
        assert!(
            err.contains("`m/fit_run_3.json` records another fit than `m/fit_run_1.json`: its `model` is `other`, not `model`"),
            "{args:?}: {err}"
        );
        assert!(err.contains("pass --allow-mixed to use them together anyway"), "{args:?}: {err}");
        let allowed = hbmc(&dir, &[args, &["--allow-mixed"]].concat());
        assert!(allowed.status.success(), "{args:?} --allow-mixed: {}", stderr(&allowed));
    }
    assert!(dir.join("p.svg").exists(), "plot --allow-mixed wrote its file");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_killed_runs_chains_are_named_as_unfinished() {
    let dir = scratch("killed");
    let out = run(&dir, "model.hbm", &["--chains", "1", "--output", "out/fit"]);
    assert!(out.status.success(), "{}", stderr(&out));
    // As a run killed before it could finish leaves its record.
    let path = dir.join("out/fit_run_1.json");
    let text = std::fs::read_to_string(&path).expect("record");
    std::fs::write(&path, text.replace("\"complete\"", "\"running\"")).expect("record rewritten");
    let s = hbmc(&dir, &["summary", "out/fit"]);
    assert!(s.status.success(), "{}", stderr(&s));
    assert!(stderr(&s).contains("`out/fit_1.csv`: its run has not finished"), "{}", stderr(&s));
    // A record that is not one is an error naming it.
    std::fs::write(&path, "{}").expect("record rewritten");
    let bad = hbmc(&dir, &["summary", "out/fit"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("`out/fit_run_1.json` is not a fit record hbmc can read"), "{}", stderr(&bad));
    let _ = std::fs::remove_dir_all(&dir);
}
