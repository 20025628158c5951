//! `hbmc simulate` end to end: draw data with fixed true values, fit the
//! model to them with `hbmc run`, and find the truth where the posterior
//! puts it; the same seed gives the same file; bad `--fix` is an error.

use crate::common;
use common::{hbmc, scratch};
use std::path::PathBuf;

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

/// A scratch folder with the model and its partial data.
fn recovery_scratch() -> PathBuf {
    let dir = scratch("simulate");
    std::fs::write(dir.join("model.hbm"), MODEL).expect("model");
    // 200 observations in 4 groups, x on a grid.
    let g: Vec<String> = (0..200).map(|i| (i % 4 + 1).to_string()).collect();
    let x: Vec<String> = (0..200).map(|i| format!("{:.3}", (i as f64 / 40.0) - 2.5)).collect();
    std::fs::write(dir.join("partial.json"), format!(r#"{{"g": [{}], "x": [{}], "dims": {{"group": 4}}}}"#, g.join(","), x.join(",")))
        .expect("partial data");
    dir
}

#[test]
fn simulated_truth_is_recovered() {
    let dir = recovery_scratch();
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
    // Nor can data: the message says what the name is.
    let bad = hbmc(&dir, &["simulate", "model.hbm", "--data", "partial.json", "--fix", "x=[1]", "--output", "x.json"]);
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(bad.status.code() == Some(1) && err.contains("`x` is data") && err.contains("--data file"), "{err}");
    assert!(!dir.join("x.json").exists(), "nothing is written on an error");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Priors written as `{a, b} ~ ...`, as `to_vector(u[k]) ~ ...` in a loop,
/// on an offset/multiplier parameter, and on a transformed parameter are
/// all drawn: each element of `{a, b}` on its own (so one can be fixed),
/// every element of each u[k], the affine parameter as a plain one, and the
/// prior that reads `eta` after `eta` is computed.
#[test]
fn priors_in_every_written_form_are_drawn() {
    let dir = scratch("simulate-forms");
    std::fs::write(
        dir.join("model.hbm"),
        r#"
dims { obs; group; }
data { array[obs] group g; vector[obs] y; }
parameters {
  real a;
  real b;
  real<lower=0> s;
  vector<offset=a, multiplier=s>[group] alpha;
  vector[group] theta;
  array[group] matrix[2, 2] u;
}
transformed parameters {
  vector[group] eta = 100 + alpha;
}
model {
  for (k in group) to_vector(u[k]) ~ normal(-50, 1e-6);
  {a, b} ~ normal(0, 1);
  s ~ normal(0, 1);
  theta ~ normal(eta, 1e-6);
  alpha ~ normal(a, s);
  y ~ normal(theta[g] + b, 1);
}
"#,
    )
    .expect("model");
    std::fs::write(dir.join("partial.json"), r#"{"g": [1, 2, 3, 1], "dims": {"group": 3}}"#).expect("partial data");
    let out = hbmc(&dir, &["simulate", "model.hbm", "--data", "partial.json", "--fix", "b=2", "--seed", "3", "--output", "sim.json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let truth: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(dir.join("sim.truth.json")).expect("truth")).expect("JSON");
    assert_eq!(truth["b"], serde_json::json!(2), "b fixed");
    assert!(truth["a"].as_f64().is_some_and(|a| a != 0.0), "a drawn on its own: {}", truth["a"]);
    for k in 0..3 {
        let alpha = truth["alpha"][k].as_f64().expect("alpha drawn");
        let theta = truth["theta"][k].as_f64().expect("theta drawn");
        // theta ~ normal(eta, 1e-6) with eta = 100 + alpha, computed first.
        assert!((theta - (100.0 + alpha)).abs() < 1e-4, "theta[{k}] = {theta}, eta = {}", 100.0 + alpha);
        // The transformed parameter's true value is in the truth file too.
        assert_eq!(truth["eta"][k].as_f64(), Some(100.0 + alpha), "eta[{k}] in the truth file");
        // `to_vector(u[k]) ~ ...` draws every element of u[k].
        for (i, j) in [(0, 0), (0, 1), (1, 0), (1, 1)] {
            let u = truth["u"][k][i][j].as_f64().expect("u drawn");
            assert!((u + 50.0).abs() < 1e-4, "u[{k}][{i}][{j}] = {u}");
        }
    }
    // An outcome computed in transformed data cannot be drawn: the error
    // says what it is.
    std::fs::write(
        dir.join("standardised.hbm"),
        "data { vector[3] score; } transformed data { vector[3] y = (score - mean(score)) / sd(score); } parameters { real mu; } model { mu ~ normal(0, 1); y ~ normal(mu, 1); }",
    )
    .expect("model");
    let bad = hbmc(&dir, &["simulate", "standardised.hbm", "--output", "x.json"]);
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(bad.status.code() == Some(1) && err.contains("E6002") && err.contains("`y` is transformed data"), "{err}");
    // A transformed parameter is computed, not fixed: the error says so.
    let bad = hbmc(&dir, &["simulate", "model.hbm", "--data", "partial.json", "--fix", "eta=[1,2,3]", "--output", "x.json"]);
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(bad.status.code() == Some(1) && err.contains("`eta` is a transformed parameter"), "{err}");
    // A prior on a transformed parameter that needs what the prior draws
    // cannot be ordered: a clear error, not a wrong draw.
    std::fs::write(
        dir.join("cycle.hbm"),
        "parameters { real a; } transformed parameters { real e = 2 * a; } model { a ~ normal(e, 1); }",
    )
    .expect("model");
    let bad = hbmc(&dir, &["simulate", "cycle.hbm", "--output", "x.json"]);
    assert_eq!(bad.status.code(), Some(1));
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(err.contains("E6005") && err.contains("cannot simulate `a`"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Every `hbmc simulate` command written in an example's header (the
/// README points to them) reproduces the data and truth files shipped in
/// `examples/data/`, byte for byte.
#[test]
fn example_headers_reproduce_the_shipped_data() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let scratch = scratch("simulate-headers");
    let mut checked = 0;
    let mut entries: Vec<PathBuf> = std::fs::read_dir(root.join("examples"))
        .expect("examples")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "hbm"))
        .collect();
    entries.sort();
    for path in entries {
        let text = std::fs::read_to_string(&path).expect("example");
        for command in header_commands(&text) {
            let mut args: Vec<String> = command.split_whitespace().skip(1).map(|w| w.trim_matches('\'').to_string()).collect();
            let at = args.iter().position(|a| a == "--output").expect("--output in the command") + 1;
            let shipped = root.join(&args[at]);
            let fresh = scratch.join(format!("{checked}.json"));
            args[at] = fresh.display().to_string();
            let refs: Vec<&str> = args.iter().map(String::as_str).collect();
            let out = hbmc(&root, &refs);
            assert!(out.status.success(), "{}: {command}: {}", path.display(), String::from_utf8_lossy(&out.stderr));
            for (a, b) in [(&shipped, &fresh), (&shipped.with_extension("truth.json"), &fresh.with_extension("truth.json"))] {
                assert!(
                    std::fs::read(a).ok() == std::fs::read(b).ok(),
                    "{}: `{command}` does not reproduce {}",
                    path.display(),
                    a.display()
                );
            }
            // The complete data file in place of the partial one gives the
            // same simulation: its outcomes are set aside, and said to be.
            if args.iter().any(|a| a == "--data") {
                let again = scratch.join(format!("{checked}_again.json"));
                args[at] = again.display().to_string();
                let mut on_own_output = Vec::new();
                let mut rest = args.iter();
                while let Some(a) = rest.next() {
                    if a == "--data" {
                        rest.next();
                    } else {
                        on_own_output.push(a.clone());
                    }
                }
                on_own_output.extend(["--data".to_string(), shipped.display().to_string()]);
                let refs: Vec<&str> = on_own_output.iter().map(String::as_str).collect();
                let out = hbmc(&root, &refs);
                let err = String::from_utf8_lossy(&out.stderr);
                assert!(out.status.success() && err.contains("drawn from the likelihood; the values given are not used"), "{}: {command} on its own output: {err}", path.display());
                assert!(std::fs::read(&again).ok() == std::fs::read(&shipped).ok(), "{}: `{command}` on its own output differs", path.display());
            }
            checked += 1;
        }
    }
    assert!(checked >= 19, "only {checked} simulate commands found in the examples' headers");
    let _ = std::fs::remove_dir_all(&scratch);
}

/// The `hbmc simulate ...` commands of a model's header comment, each
/// joined across its `\` continuation lines.
fn header_commands(text: &str) -> Vec<String> {
    let mut commands = Vec::new();
    let mut current: Option<String> = None;
    for line in text.lines().map_while(|l| l.strip_prefix("//")) {
        let line = line.trim();
        match current.take() {
            Some(mut c) => {
                c.push(' ');
                c.push_str(line.trim_end_matches('\\'));
                if line.ends_with('\\') {
                    current = Some(c);
                } else {
                    commands.push(c);
                }
            }
            None if line.starts_with("hbmc simulate ") => {
                if line.ends_with('\\') {
                    current = Some(line.trim_end_matches('\\').to_string());
                } else {
                    commands.push(line.to_string());
                }
            }
            None => {}
        }
    }
    commands
}

/// Multivariate priors are drawn whole: a Cholesky factor of a correlation
/// matrix from `lkj_corr_cholesky`, a vector from `multi_normal_cholesky`.
#[test]
fn multivariate_priors_are_drawn() {
    let dir = scratch("simulate-mv");
    std::fs::write(
        dir.join("model.hbm"),
        r#"
dims { obs; effect = ["a", "b"]; }
data { vector[effect] m; vector[obs] y; }
parameters { cholesky_factor_corr[effect] L; vector[effect] u; }
model {
  L ~ lkj_corr_cholesky(2);
  u ~ multi_normal_cholesky(m, L);
  y ~ normal(u[1] + u[2], 1);
}
"#,
    )
    .expect("model");
    std::fs::write(dir.join("partial.json"), r#"{"m": [100, -100], "dims": {"obs": 3}}"#).expect("partial data");
    let out = hbmc(&dir, &["simulate", "model.hbm", "--data", "partial.json", "--seed", "5", "--output", "sim.json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let truth: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(dir.join("sim.truth.json")).expect("truth")).expect("JSON");
    let l = |i: usize, j: usize| truth["L"][i][j].as_f64().expect("L drawn");
    assert_eq!(l(0, 1), 0.0, "lower triangular");
    assert!((l(0, 0) - 1.0).abs() < 1e-12 && (l(1, 0).powi(2) + l(1, 1).powi(2) - 1.0).abs() < 1e-12, "rows of unit length: {}", truth["L"]);
    assert!(l(1, 0).abs() < 1.0 && l(1, 0) != 0.0, "a correlation drawn: {}", l(1, 0));
    let (u1, u2) = (truth["u"][0].as_f64().expect("u"), truth["u"][1].as_f64().expect("u"));
    assert!((u1 - 100.0).abs() < 6.0 && (u2 + 100.0).abs() < 6.0, "u drawn around m: {u1}, {u2}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A `~` of a distribution with no draw (Stan has no `wiener_rng`) is
/// E6002 naming the distribution, not an internal "library function".
#[test]
fn a_distribution_without_a_draw_cannot_be_simulated() {
    let dir = scratch("simulate-no-draw");
    std::fs::write(dir.join("d.json"), r#"{"N": 2, "rt": [0.5, 0.6]}"#).expect("data");
    // Stan's four-, five- and seven-argument forms: each named as written.
    for args in ["a, 0.1, 0.5, 0.3", "a, 0.1, 0.5, 0.3, 0.2", "a, 0.1, 0.5, 0.3, 0.2, 0.1, 0.05"] {
        std::fs::write(
            dir.join("ddm.stan"),
            format!("data {{ int N; vector[N] rt; }}\nparameters {{ real<lower=0.5, upper=2> a; }}\nmodel {{ a ~ uniform(0.5, 2); rt ~ wiener({args}); }}\n"),
        )
        .expect("model");
        let out = hbmc(&dir, &["simulate", "ddm.stan", "--data", "d.json", "--output", "x.json"]);
        let err = String::from_utf8_lossy(&out.stderr);
        let named = err.contains("no `wiener_rng`") && !err.contains("wiener_sv") && !err.contains("wiener_full");
        assert!(out.status.code() == Some(1) && err.contains("E6002") && named && !err.contains("hbm_"), "{args}: {err}");
    }
}
