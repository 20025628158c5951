//! `hbmc summary` on a fixed fit whose CSV files the test writes itself
//! (draws from a seeded generator, so nothing depends on timing): the
//! condensed layout against snapshots, `--vars` patterns, `--all`,
//! `--format csv|json`, `--output`, and partial or empty chains; and the
//! README's first command, whose summary must fit on one screen.
//!
//! Run with `HBMC_BLESS=1 cargo test --release --test e2e summary_cli::` to rewrite the
//! snapshots in `tests/summary/` after an intended change; review the diff.

use crate::common;
use common::hbmc;
use hbmc_runtime::{ChainRng, SAMPLER_COLUMNS};
use std::path::{Path, PathBuf};

/// Draws per chain of the fixture.
const DRAWS: usize = 150;

/// The fixture's model columns: a scalar, a small container, a large
/// matrix (pair x grade), a large generated quantity and a constant.
fn model_columns() -> Vec<String> {
    let mut c = vec!["mu".to_string()];
    c.extend((1..=3).map(|g| format!("theta.{g}")));
    for g in 1..=3 {
        c.extend((1..=20).map(|p| format!("z.{p}.{g}")));
    }
    c.extend((1..=40).map(|i| format!("y_rep.{i}")));
    c.push("flag".into());
    c
}

/// Writes `PREFIX_1.csv`, `PREFIX_2.csv` and `PREFIX_dims.json` in `dir`
/// (`PREFIX` = `fit`): two chains of [`DRAWS`] draws; theta.3's chains
/// disagree (R-hat well above 1.01), z.7.2 mixes slowly (low ESS), flag
/// is constant (R-hat undefined).
fn write_fixture(dir: &Path) {
    let columns = model_columns();
    for chain in 0..2u64 {
        let mut rng = ChainRng::new(2026, chain, 0);
        let mut text = String::from("# model = fixture\n# num_samples = 150\n# delta = 0.8\n# max_depth = 10\n");
        text += &SAMPLER_COLUMNS.iter().map(|s| s.to_string()).chain(columns.iter().cloned()).collect::<Vec<_>>().join(",");
        text.push('\n');
        let mut slow = 0.0;
        for _ in 0..DRAWS {
            let mut row: Vec<String> = vec![
                format!("{}", -10.0 + rng.std_normal()),
                "0.9".into(),
                "0.5".into(),
                "3".into(),
                "7".into(),
                "0".into(),
                format!("{}", -5.0 + rng.std_normal()),
            ];
            slow = 0.97 * slow + rng.std_normal();
            for c in &columns {
                let v = match c.as_str() {
                    "flag" => 1.0,
                    "theta.3" => rng.std_normal() + 2.0 * chain as f64,
                    "z.7.2" => slow,
                    "mu" => 3.0 + 0.5 * rng.std_normal(),
                    _ => rng.std_normal(),
                };
                row.push(format!("{v}"));
            }
            text += &row.join(",");
            text.push('\n');
        }
        std::fs::write(dir.join(format!("fit_{}.csv", chain + 1)), text).expect("fixture written");
    }
    let dims = serde_json::json!({
        "dims": {
            "grade": ["g1", "g2", "g3"],
            "pair": (1..=20).map(|p| format!("p{p}")).collect::<Vec<_>>(),
            "obs": (1..=40).map(|i| i.to_string()).collect::<Vec<_>>(),
        },
        "variables": { "mu": [], "theta": ["grade"], "z": ["pair", "grade"], "y_rep": ["obs"], "flag": [] },
    });
    std::fs::write(dir.join("fit_dims.json"), dims.to_string()).expect("dims written");
}

fn fixture(name: &str) -> PathBuf {
    let dir = common::scratch(&format!("summary-{name}"));
    write_fixture(&dir);
    dir
}

fn bless() -> bool {
    std::env::var_os("HBMC_BLESS").is_some_and(|v| v != "0")
}

/// Compares `actual` with `tests/summary/NAME`, or rewrites it when blessing.
fn snapshot(name: &str, actual: &str) {
    let path = common::root().join("tests/summary").join(name);
    if bless() {
        std::fs::create_dir_all(path.parent().expect("folder")).expect("snapshot folder");
        std::fs::write(&path, actual).expect("snapshot written");
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        expected == actual,
        "{} differs (HBMC_BLESS=1 rewrites it):\n--- expected\n{expected}\n--- actual\n{actual}",
        path.display()
    );
}

fn run(dir: &Path, args: &[&str]) -> (String, String) {
    let out = hbmc(dir, args);
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned());
    assert!(out.status.success(), "hbmc {args:?} failed:\n{stderr}");
    (stdout, stderr)
}

#[test]
fn condensed_summary_and_its_warnings_are_as_the_snapshot() {
    let dir = fixture("condensed");
    let (stdout, stderr) = run(&dir, &["summary", "fit"]);
    snapshot("condensed.stdout", &stdout);
    snapshot("condensed.stderr", &stderr);
    let lines: Vec<&str> = stdout.lines().collect();
    // Header, lp__, mu, theta x 3, z: 3 + 1, y_rep: 3 + 1, flag, worst.
    assert_eq!(lines.len(), 1 + 1 + 1 + 3 + 4 + 4 + 1 + 1, "{stdout}");
    assert!(stdout.contains("  z: 57 more cells, R-hat ≤ ") && stdout.contains("; --vars z shows all"), "{stdout}");
    // The worst cells of all, shown or not, close the table.
    let worst = lines.last().expect("worst line");
    assert!(worst.starts_with("Worst of all 106 cells: R-hat ") && worst.contains("(theta[grade=g3])"), "{worst}");
    assert!(worst.contains("ESS_bulk") && worst.contains("(z[pair=p7, grade=g2])"), "{worst}");
    assert!(worst.contains("R-hat undefined for 1 cell"), "{worst}");
    assert!(stderr.contains("R-hat") && stderr.contains("for theta[grade=g3] is above 1.01"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn vars_patterns_and_all_show_every_chosen_cell() {
    let dir = fixture("patterns");
    let labels = |args: &[&str]| -> Vec<String> {
        let (stdout, _) = run(&dir, &[&["summary", "fit"], args].concat());
        let lines: Vec<&str> = stdout.lines().collect();
        assert!(lines.last().is_some_and(|l| l.starts_with("Worst of ")), "{stdout}");
        lines[1..lines.len() - 1].iter().map(|l| l.split("  ").next().unwrap_or("").trim().to_string()).collect()
    };
    let g2: Vec<String> = (1..=20).map(|p| format!("z[pair=p{p}, grade=g2]")).collect();
    assert_eq!(labels(&["--vars", "z[*, grade=g2]"]), g2);
    assert_eq!(labels(&["--vars", "z[grade=g2]"]), g2);
    assert_eq!(labels(&["--vars", "z[p3, *]"]), ["z[pair=p3, grade=g1]", "z[pair=p3, grade=g2]", "z[pair=p3, grade=g3]"]);
    assert_eq!(labels(&["--vars", "theta,mu", "--vars", "y_rep[40]"]), ["mu", "theta[grade=g1]", "theta[grade=g2]", "theta[grade=g3]", "y_rep[obs=40]"]);
    let all = labels(&["--all"]);
    assert_eq!(all.len(), 1 + model_columns().len(), "lp__ and every model column");
    let (stdout, _) = run(&dir, &["summary", "fit", "--vars", "theta"]);
    assert!(stdout.lines().last().is_some_and(|l| l.starts_with("Worst of the 3 cells shown: ")), "{stdout}");
    // Patterns that match nothing are usage errors saying what would be right.
    for (pattern, message) in [
        ("zz", "the fit has no variable `zz`; its variables are lp__, accept_stat__"),
        ("z[grade=g9]", "`g9` is not a member of dim `grade`: g1, g2, g3"),
        ("z[1]", "`z` has 2 indices, the pattern 1; give one per axis (pair, grade)"),
    ] {
        let out = hbmc(&dir, &["summary", "fit", "--vars", pattern]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{pattern}: {stderr}");
        assert!(stderr.contains(message), "{pattern}: {stderr}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn csv_and_json_formats_hold_every_cell_at_full_precision() {
    let dir = fixture("formats");
    let (csv, _) = run(&dir, &["summary", "fit", "--format", "csv"]);
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("variable,label,column,mean,mcse_mean,sd,q5,q50,q95,ess_bulk,ess_tail,rhat"));
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 1 + model_columns().len());
    let z = rows.iter().find(|r| r.starts_with("z,\"z[pair=p7, grade=g2]\",z.7.2,")).expect("z.7.2 row, its label quoted");
    let (json, _) = run(&dir, &["summary", "fit", "--format", "json"]);
    let value: serde_json::Value = serde_json::from_str(&json).unwrap_or_else(|e| panic!("JSON: {e}\n{json}"));
    let json_rows = value["rows"].as_array().expect("rows");
    assert_eq!(json_rows.len(), rows.len());
    assert_eq!(value["draws_per_chain"], serde_json::json!([DRAWS, DRAWS]));
    assert_eq!(value["partial"], serde_json::json!(false));
    let jz = json_rows.iter().find(|r| r["column"] == "z.7.2").expect("z.7.2 in JSON");
    // The same numbers in both, at full precision (they read back exactly).
    let mean: f64 = z.split(',').nth(4).expect("mean field").parse().expect("number");
    assert_eq!(jz["mean"].as_f64(), Some(mean));
    // Undefined R-hat: NaN in CSV, null in JSON.
    assert!(rows.iter().any(|r| r.starts_with("flag,flag,flag,1,") && r.ends_with(",NaN")), "{csv}");
    assert!(json_rows.iter().any(|r| r["column"] == "flag" && r["rhat"].is_null()));
    assert_eq!(value["worst"]["rhat"]["label"], "theta[grade=g3]");
    // --vars selects the rows of the formats too; --output writes the file whole.
    run(&dir, &["summary", "fit", "--format", "csv", "--vars", "theta", "--output", "theta.csv"]);
    let file = std::fs::read_to_string(dir.join("theta.csv")).expect("--output file");
    assert_eq!(file.lines().count(), 1 + 3);
    assert!(file.lines().skip(1).all(|l| l.starts_with("theta,")), "{file}");
    let leftovers: Vec<_> = std::fs::read_dir(&dir).expect("list").filter_map(|e| e.ok()).filter(|e| e.file_name().to_string_lossy().contains(".tmp-")).collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn partial_and_empty_chains_are_reported_never_turned_into_nan() {
    let dir = fixture("partial");
    let full = std::fs::read_to_string(dir.join("fit_2.csv")).expect("chain 2");
    // Chain 2 interrupted after 60 draws; chain 3 interrupted before any draw.
    let cut: Vec<&str> = full.lines().take(5 + 60).collect();
    std::fs::write(dir.join("fit_2.csv"), cut.join("\n") + "\n# Sampling interrupted (Ctrl-C): partial file\n").expect("partial chain");
    let header: Vec<&str> = full.lines().take(5).collect();
    std::fs::write(dir.join("fit_3.csv"), header.join("\n") + "\n# Sampling interrupted (Ctrl-C): partial file\n").expect("empty chain");
    let (stdout, stderr) = run(&dir, &["summary", "fit"]);
    let first = stdout.lines().next().unwrap_or("");
    assert!(
        first.starts_with("Partial fit (interrupted or unfinished chains): ")
            && first.contains("fit_2.csv has 60 of 150 draws")
            && first.ends_with("; R-hat and ESS use the first 60 draws of each chain"),
        "{stdout}"
    );
    assert!(stderr.contains("fit_3.csv has no draws (interrupted): left out of the summary"), "{stderr}");
    assert!(!stdout.contains("NaN  ") || stdout.lines().filter(|l| l.contains("NaN")).all(|l| l.starts_with("flag")), "only the constant is NaN:\n{stdout}");
    // The formats for tools say so on stderr and in JSON.
    let out = hbmc(&dir, &["summary", "fit", "--format", "json"]);
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(value["partial"], serde_json::json!(true));
    assert_eq!(value["draws_per_chain"], serde_json::json!([DRAWS, 60]));
    assert!(String::from_utf8_lossy(&out.stderr).contains("Partial fit"));
    // No draws at all is an error, not a table of NaN.
    let out = hbmc(&dir, &["summary", "fit_3.csv"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("error: no draws in fit_3.csv"), "{}", String::from_utf8_lossy(&out.stderr));
    let _ = std::fs::remove_dir_all(&dir);
}

/// The README's first command (issue 14): its summary fits on one screen
/// and still shows the rows of seed 000's table, theta per grade.
#[test]
fn the_readme_first_commands_summary_fits_on_one_screen() {
    let readme = std::fs::read_to_string(common::root().join("README.md")).expect("README");
    let command = readme
        .lines()
        .find_map(|l| l.split_once("hbmc run ").map(|(_, rest)| rest.to_string()))
        .expect("the README has an `hbmc run` command");
    assert!(command.starts_with("examples/electric_intercept.hbm"), "the first command changed: {command}");
    let dir = common::scratch("readme-first");
    let prefix = dir.join("fit").display().to_string();
    let mut args = vec!["run"];
    args.extend(command.split_whitespace());
    // Its own output folder, and no progress bars: neither changes the summary.
    args.extend(["--output", prefix.as_str(), "--quiet"]);
    let (stdout, _) = run(&common::root(), &args);
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(lines.len() <= 50, "{} lines, more than a screen:\n{stdout}", lines.len());
    for grade in 1..=4 {
        let label = format!("theta[grade={grade}] ");
        assert!(lines.iter().any(|l| l.starts_with(&label)), "no row `{label}`:\n{stdout}");
    }
    assert!(lines.last().is_some_and(|l| l.starts_with("Worst of all ")), "{stdout}");
    let _ = std::fs::remove_dir_all(&dir);
}
