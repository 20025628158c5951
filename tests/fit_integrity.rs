//! A fit's files are never mixed, partial or ambiguous (issue 16), through
//! the binary: a run interrupted then rerun with fewer chains under the
//! same prefix, chains of two different models given to `hbmc summary`,
//! a partial fit's summary, and a data file giving a key twice.

mod common;
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
    for stale in ["fit_2.csv", "fit_3.csv", "fit_4.csv"] {
        assert!(!dir.join("out").join(stale).exists(), "{stale} was deleted");
    }
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
