//! Snapshot tests of `hbmc check`, in the manner of stanc3's test corpus.
//!
//! - `tests/good/*.hbm` must check cleanly; `hbmc check --emit ast` and
//!   `--emit typed` are compared with `NAME.ast.expected` and
//!   `NAME.typed.expected`.
//! - `tests/bad/<topic>/*.hbm` must fail; every file's rendered diagnostics
//!   and exit code are compared with the one `tests/bad/<topic>/expected.txt`.
//! - `examples/*.hbm` must check cleanly.
//!
//! Run with `HBMC_BLESS=1 cargo test --release --test e2e snapshots::` to rewrite the
//! expected files after an intended change; review the diff before
//! committing it.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn bless() -> bool {
    std::env::var_os("HBMC_BLESS").is_some_and(|v| v != "0")
}

/// Runs `hbmc check` from the repository root with a relative model path, so
/// that paths in the output do not depend on where the checkout lives.
fn hbmc_check(model: &Path, extra: &[&str]) -> (i32, String, String) {
    let rel = model.strip_prefix(root()).unwrap_or(model);
    let out = Command::new(env!("CARGO_BIN_EXE_hbmc"))
        .current_dir(root())
        .arg("check")
        .arg(rel)
        .args(extra)
        .output()
        .expect("the hbmc binary built by cargo runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn models_in(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == "hbm" || e == "stan"));
    files.sort();
    files
}

/// Compares `actual` with the file, or rewrites it when blessing. Returns a
/// description of the mismatch.
fn compare(expected_path: &Path, actual: &str) -> Option<String> {
    if bless() {
        std::fs::write(expected_path, actual).expect("expected files are writable when blessing");
        return None;
    }
    let expected = std::fs::read_to_string(expected_path).unwrap_or_default();
    if expected == actual {
        return None;
    }
    let first_diff = expected
        .lines()
        .zip(actual.lines())
        .position(|(a, b)| a != b)
        .unwrap_or_else(|| expected.lines().count().min(actual.lines().count()));
    Some(format!(
        "{} differs (first at line {}):\n--- expected\n{}\n--- actual\n{}\n(set HBMC_BLESS=1 to accept)",
        expected_path.display(),
        first_diff + 1,
        expected.lines().skip(first_diff).take(8).collect::<Vec<_>>().join("\n"),
        actual.lines().skip(first_diff).take(8).collect::<Vec<_>>().join("\n"),
    ))
}

#[test]
fn good_models_check_and_match_their_snapshots() {
    let dir = root().join("tests/good");
    let models = models_in(&dir);
    assert!(models.len() >= 10, "the good corpus has {} models", models.len());
    let mut failures = Vec::new();
    for model in &models {
        for (emit, suffix) in [("ast", "ast.expected"), ("typed", "typed.expected")] {
            let (code, stdout, stderr) = hbmc_check(model, &["--emit", emit]);
            if code != 0 {
                failures.push(format!("{} should check cleanly, got exit {code}:\n{stderr}", model.display()));
                break;
            }
            let expected = model.with_extension(suffix);
            failures.extend(compare(&expected, &stdout));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn bad_models_fail_with_the_expected_diagnostics() {
    let dir = root().join("tests/bad");
    let mut topics: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/bad exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    topics.sort();
    assert!(topics.len() >= 5, "tests/bad has {} topics", topics.len());
    let mut failures = Vec::new();
    for topic in &topics {
        let mut transcript = String::new();
        for model in models_in(topic) {
            let (code, stdout, stderr) = hbmc_check(&model, &[]);
            if code != 1 {
                failures.push(format!("{} should fail with exit 1, got {code}", model.display()));
            }
            let rel = model.strip_prefix(root()).unwrap_or(&model);
            transcript.push_str(&format!("=== {}\n{stdout}{stderr}[exit {code}]\n\n", rel.display()));
        }
        failures.extend(compare(&topic.join("expected.txt"), &transcript));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn every_example_checks_cleanly() {
    let models = models_in(&root().join("examples"));
    assert!(!models.is_empty(), "examples/ has models");
    for model in models {
        let (code, _, stderr) = hbmc_check(&model, &[]);
        assert_eq!(code, 0, "{} should check cleanly:\n{stderr}", model.display());
    }
}

#[test]
fn json_format_carries_the_same_diagnostics() {
    let model = root().join("tests/bad/dims/index_of_other_dim.hbm");
    let (code, stdout, _) = hbmc_check(&model, &["--format", "json"]);
    assert_eq!(code, 1);
    let json: serde_json::Value = serde_json::from_str(&stdout).expect("--format json prints JSON");
    let items = json.as_array().expect("a JSON array of diagnostics");
    assert!(!items.is_empty());
    let first = &items[0];
    assert_eq!(first["code"], "E2001");
    assert_eq!(first["severity"], "error");
    assert!(first["labels"][0]["start"]["line"].as_u64().is_some_and(|l| l > 1));
    assert!(first["help"][0].as_str().is_some_and(|h| !h.is_empty()));
}
