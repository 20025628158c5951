//! `hbmc run` and `hbmc summary` end to end through the binary: the same
//! seed gives the same files whatever the thread count, the summary is
//! labelled with dims, and bad arguments get a clear error.

use crate::common;
use common::hbmc;
use std::path::{Path, PathBuf};

const MODEL: &str = r#"
dims { obs; group = ["a", "b", "c"]; }
data {
  array[obs] group g;
  vector[obs] y;
}
parameters {
  vector[group] mu;
  real<lower=0> sigma;
}
model {
  mu ~ normal(0, 5);
  sigma ~ normal(0, 2);
  y ~ normal(mu[g], sigma);
}
generated quantities {
  array[obs] real y_rep = normal_rng(mu[g], sigma);
  array[obs] int above = bernoulli_rng(inv_logit(y_rep[1] - mu[g]));
  int n_above = sum(above);
}
"#;

const DATA: &str = r#"{"g": ["a", "b", "c", "a", "b", "c", "a"], "y": [1.0, 2.1, 2.9, 1.2, 1.8, 3.3, 0.7]}"#;

/// A scratch folder with the model and its data.
fn scratch(name: &str) -> PathBuf {
    let dir = common::scratch(&format!("cli-{name}"));
    std::fs::write(dir.join("model.hbm"), MODEL).expect("model written");
    std::fs::write(dir.join("data.json"), DATA).expect("data written");
    dir
}

/// A CSV file without its timing lines, the only ones allowed to differ
/// between runs.
fn without_timing(path: &Path) -> String {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .filter(|l| !(l.starts_with('#') && l.contains("seconds")))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The lines of `a` that differ from the line at the same place in `b`
/// (files of the same length).
fn differing_lines(a: &Path, b: &Path) -> Vec<String> {
    let read = |p: &Path| std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    let (a, b) = (read(a), read(b));
    assert_eq!(a.lines().count(), b.lines().count(), "the files have as many lines");
    a.lines().zip(b.lines()).filter(|(x, y)| x != y).map(|(x, _)| x.to_string()).collect()
}

#[test]
fn same_seed_same_files_with_one_and_two_threads() {
    let dir = scratch("threads");
    let common = ["run", "model.hbm", "--data", "data.json", "--chains", "3", "--warmup", "150", "--draws", "100", "--seed", "42", "--quiet"];
    for (threads, prefix) in [("1", "one/fit"), ("2", "two/fit")] {
        let mut args = common.to_vec();
        args.extend(["--threads", threads, "--output", prefix]);
        let out = hbmc(&dir, &args);
        assert!(out.status.success(), "threads {threads}: {}", String::from_utf8_lossy(&out.stderr));
    }
    for chain in 1..=3 {
        let a = without_timing(&dir.join(format!("one/fit_{chain}.csv")));
        let b = without_timing(&dir.join(format!("two/fit_{chain}.csv")));
        assert!(a.lines().count() > 100, "chain {chain} has its draws");
        assert_eq!(a, b, "chain {chain} differs between 1 and 2 threads");
    }
    // Different seeds give different draws (the comparison can fail).
    let out = hbmc(&dir, &[&common[..10], &["--seed", "43", "--quiet", "--output", "three/fit"]].concat());
    assert!(out.status.success());
    assert_ne!(without_timing(&dir.join("one/fit_1.csv")), without_timing(&dir.join("three/fit_1.csv")));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn run_and_summary_label_columns_with_dims() {
    let dir = scratch("summary");
    let out = hbmc(&dir, &["run", "model.hbm", "--data", "data.json", "--warmup", "200", "--draws", "200", "--quiet", "--output", "fit/m"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("mu[group=b]"), "run summary uses labels:\n{stdout}");
    let dims: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("fit/m_dims.json")).expect("dims file")).expect("JSON");
    assert_eq!(dims["dims"]["group"], serde_json::json!(["a", "b", "c"]));
    assert_eq!(dims["variables"]["mu"], serde_json::json!(["group"]));
    // Integer generated quantities come out as integers.
    let csv = std::fs::read_to_string(dir.join("fit/m_1.csv")).expect("chain 1 file");
    let mut lines = csv.lines().filter(|l| !l.starts_with('#'));
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    let (above, total) = (
        header.iter().position(|c| *c == "above.3").expect("above.3 column"),
        header.iter().position(|c| *c == "n_above").expect("n_above column"),
    );
    for line in lines.take(50) {
        let fields: Vec<f64> = line.split(',').map(|f| f.parse().expect("number")).collect();
        assert!(fields[above] == 0.0 || fields[above] == 1.0, "above.3 = {}", fields[above]);
        assert!(fields[total].fract() == 0.0 && (0.0..=7.0).contains(&fields[total]), "n_above = {}", fields[total]);
    }
    let files: Vec<String> = (1..=4).map(|c| format!("fit/m_{c}.csv")).collect();
    let mut args = vec!["summary", "--vars", "mu"];
    args.extend(files.iter().map(String::as_str));
    let out = hbmc(&dir, &args);
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(table.contains("mu[group=c]") && !table.contains("sigma"), "summary --vars mu:\n{table}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Rows of a CSV file split at the adaptation block: (warmup rows, draws).
fn rows_around_adaptation(text: &str) -> (usize, usize) {
    let mut lines = text.lines().filter(|l| !l.starts_with('#') || l.contains("Adaptation terminated"));
    lines.next(); // the column header
    let mut warmup = 0;
    let mut draws = 0;
    let mut after = false;
    for l in lines {
        if l.contains("Adaptation terminated") {
            after = true;
        } else if after {
            draws += 1;
        } else {
            warmup += 1;
        }
    }
    (warmup, draws)
}

fn without_seconds(text: &str) -> String {
    text.lines().filter(|l| !l.contains("seconds")).collect::<Vec<_>>().join("\n")
}

#[test]
fn save_warmup_writes_warmup_rows_first_and_summaries_ignore_them() {
    let dir = scratch("save_warmup");
    let common = ["run", "model.hbm", "--data", "data.json", "--chains", "2", "--warmup", "150", "--draws", "100", "--seed", "5", "--quiet"];
    for (flag, prefix) in [(None, "plain/fit"), (Some("--save-warmup"), "warm/fit")] {
        let mut args = common.to_vec();
        args.extend(["--output", prefix]);
        args.extend(flag);
        let out = hbmc(&dir, &args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{stderr}");
        assert!(stderr.contains("gradient evaluations: "), "end-of-run gradient count:\n{stderr}");
    }
    for chain in 1..=2 {
        let plain = std::fs::read_to_string(dir.join(format!("plain/fit_{chain}.csv"))).expect("plain file");
        let warm = std::fs::read_to_string(dir.join(format!("warm/fit_{chain}.csv"))).expect("warmup file");
        assert!(plain.contains("#     save_warmup = 0 (Default)\n"));
        assert!(warm.contains("#     save_warmup = 1\n"), "CmdStan's header line for save_warmup");
        assert_eq!(rows_around_adaptation(&plain), (0, 100));
        assert_eq!(rows_around_adaptation(&warm), (150, 100));
        // Saving the warmup does not change the chain: same adaptation and
        // same post-warmup parameters (generated quantities differ, as in
        // CmdStan: their generator also runs for the warmup rows).
        let after = |t: &str| {
            let post = t.split("# Adaptation terminated").nth(1).map(without_seconds).unwrap_or_default();
            // Sampler columns, mu (3) and sigma: the first 11 fields.
            post.lines().map(|l| l.split(',').take(11).collect::<Vec<_>>().join(",")).collect::<Vec<_>>()
        };
        assert_eq!(after(&plain), after(&warm), "chain {chain}: post-warmup part differs");
        let grads = warm.lines().find(|l| l.starts_with("# Gradient evaluations: ")).expect("gradient line");
        assert!(grads.contains("(Warm-up)") && grads.contains("(Sampling)"), "{grads}");
    }
    // hbmc summary reads the post-warmup draws only: the same table for the
    // parameters.
    let summary = |prefix: &str| {
        let out = hbmc(&dir, &["summary", "--vars", "mu,sigma", &format!("{prefix}_1.csv"), &format!("{prefix}_2.csv")]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    assert_eq!(summary("plain/fit"), summary("warm/fit"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_arguments_are_clear_errors() {
    let dir = scratch("args");
    let cases: &[(&[&str], &str)] = &[
        (&["run", "model.hbm", "--data", "data.json", "--adapt-delta", "1.5"], "--adapt-delta must be between 0 and 1"),
        (&["run", "missing.hbm", "--data", "data.json"], "missing.hbm"),
        (&["run", "model.hbm", "--data", "nope.json"], "nope.json"),
        (&["run", "model.hbm", "--data", "data.json", "--chains", "0"], "--chains"),
        (&["run", "model.hbm", "--data", "data.json", "--init", "nope.json"], "nope.json"),
        (&["run", "model.hbm", "--data", "data.json", "--metric", "dense", "--adapt", "nutpie"], "--adapt stan"),
        (&["run", "model.hbm", "--data", "data.json", "--max-depth", "0"], "--max-depth must be in 1..=30"),
        (&["run", "model.hbm", "--data", "data.json", "--init", "-1"], "--init must be a finite number >= 0"),
        (&["run", "model.hbm", "--data", "data.json", "--init-radius", "-1"], "--init-radius must be a finite number >= 0"),
        (&["run", "model.hbm", "--data", "data.json", "--init", "0", "--init-radius", "1"], "give one"),
        (&["run", "model.hbm", "--data", "data.json", "--step-size-jitter", "-0.5"], "--step-size-jitter must be in [0, 1)"),
        (&["run", "model.hbm", "--data", "data.json", "--thin", "0"], "--thin must be at least 1"),
        (&["run", "model.hbm", "--data", "data.json", "--sig-figs", "0"], "--sig-figs must be in 1..=18"),
        (&["run", "model.hbm", "--data", "data.json", "--sig-figs", "19"], "--sig-figs must be in 1..=18"),
        (&["summary", "nothing_1.csv"], "nothing_1.csv"),
        (&["summary", "nofit"], "no files `nofit_<n>.csv`"),
        (&["predict", "model.hbm", "--fit", "nofit", "--data", "data.json", "--output", "p"], "no files `nofit_<n>.csv`"),
    ];
    for (args, expected) in cases {
        let out = hbmc(&dir, args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?} should be a usage error:\n{stderr}");
        assert!(stderr.contains(expected), "{args:?}: message should mention {expected:?}:\n{stderr}");
        assert!(!stderr.contains("panicked"), "{args:?} panicked:\n{stderr}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// `--init 0` and `--init 0.5` are CmdStan's numeric `init=`: a radius
/// (0: every chain starts at the unconstrained origin), written to the
/// files' headers as CmdStan writes `init`, not read as a file name.
#[test]
fn numeric_init_is_cmdstans_radius() {
    let dir = scratch("numeric-init");
    for (init, header) in [("0", "# init = 0\n"), ("0.5", "# init = 0.5\n")] {
        let args = ["run", "model.hbm", "--data", "data.json", "--init", init, "--warmup", "20", "--draws", "20", "--chains", "1", "--output", "fit", "--overwrite", "--quiet"];
        let out = hbmc(&dir, &args);
        assert_eq!(out.status.code(), Some(0), "--init {init}: {}", String::from_utf8_lossy(&out.stderr));
        let csv = std::fs::read_to_string(dir.join("fit_1.csv")).expect("chain file");
        assert!(csv.contains(header), "--init {init}: header lacks {header:?}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// `--thin 3` keeps every third draw (34 of 100, as CmdStan: rounded up)
/// and says so in the header, which `hbmc summary` reads; `--sig-figs 3`
/// writes values with at most 3 significant digits and says so too.
#[test]
fn thin_and_sig_figs_are_cmdstans() {
    let dir = scratch("thin-sig-figs");
    let args = ["run", "model.hbm", "--data", "data.json", "--thin", "3", "--sig-figs", "3", "--warmup", "50", "--draws", "100", "--chains", "2", "--output", "fit", "--quiet"];
    let out = hbmc(&dir, &args);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let csv = std::fs::read_to_string(dir.join("fit_1.csv")).expect("chain file");
    assert!(csv.contains("#     thin = 3\n") && csv.contains("#   sig_figs = 3\n"), "header");
    let rows: Vec<&str> = csv.lines().filter(|l| !l.starts_with('#')).skip(1).collect();
    assert_eq!(rows.len(), 34, "draws kept");
    for value in rows.iter().flat_map(|r| r.split(',')) {
        let digits: String = value.split(['e', 'E']).next().unwrap_or("").chars().filter(|c| c.is_ascii_digit()).collect();
        let significant = digits.trim_start_matches('0');
        assert!(significant.len() <= 3, "{value} has more than 3 significant digits");
    }
    let summary = hbmc(&dir, &["summary", "fit", "--format", "json"]);
    assert_eq!(summary.status.code(), Some(0), "{}", String::from_utf8_lossy(&summary.stderr));
    let json: serde_json::Value = serde_json::from_slice(&summary.stdout).expect("summary json");
    assert_eq!(json["draws_per_chain"], serde_json::json!([34, 34]), "the summary reads 34 draws per chain");
    assert_eq!(json["partial"], serde_json::json!(false), "34 of 100 draws thinned by 3 is the whole fit");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn predict_reruns_generated_quantities_for_every_draw() {
    let dir = scratch("predict");
    let out = hbmc(&dir, &["run", "model.hbm", "--data", "data.json", "--chains", "2", "--warmup", "150", "--draws", "50", "--quiet", "--output", "fit/m"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // New data: the same groups, other outcomes and one more observation.
    std::fs::write(dir.join("new.json"), r#"{"g": ["a", "b", "c", "a", "b", "c", "a", "b"], "y": [0, 0, 0, 0, 0, 0, 0, 0]}"#)
        .expect("new data");
    let out = hbmc(&dir, &["predict", "model.hbm", "--fit", "fit/m", "--data", "new.json", "--output", "pred/p"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(!String::from_utf8_lossy(&out.stderr).contains("W0002"), "no transformed parameter reads y here");
    let read = |p: &str| -> (Vec<String>, Vec<Vec<f64>>) {
        let text = std::fs::read_to_string(dir.join(p)).unwrap_or_else(|e| panic!("{p}: {e}"));
        let mut lines = text.lines().filter(|l| !l.starts_with('#'));
        let header: Vec<String> = lines.next().expect("header").split(',').map(str::to_string).collect();
        let rows = lines.map(|l| l.split(',').map(|f| f.parse().expect("number")).collect()).collect();
        (header, rows)
    };
    for chain in 1..=2 {
        let (fh, fit) = read(&format!("fit/m_{chain}.csv"));
        let (ph, pred) = read(&format!("pred/p_{chain}.csv"));
        assert_eq!(fit.len(), pred.len(), "one prediction per draw");
        assert!(ph.contains(&"y_rep.8".to_string()), "generated quantities follow the new data's size");
        // Parameters go through unconstrain and back: the same values.
        for name in ["mu.1", "mu.3", "sigma"] {
            let (i, j) = (fh.iter().position(|c| c == name).expect("fit column"), ph.iter().position(|c| c == name).expect("prediction column"));
            for (f, p) in fit.iter().zip(&pred) {
                assert!((f[i] - p[j]).abs() <= 1e-12 * f[i].abs().max(1.0), "{name}: fit {} vs prediction {}", f[i], p[j]);
            }
        }
    }
    // The new data's dims are written beside the predictions, so the
    // summary labels them.
    let dims: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(dir.join("pred/p_dims.json")).expect("dims file")).expect("JSON");
    assert_eq!(dims["dims"]["obs"].as_array().map(Vec::len), Some(8), "{dims}");
    let out = hbmc(&dir, &["summary", "pred/p_1.csv", "pred/p_2.csv", "--vars", "mu"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("mu[group=c]"), "{}", String::from_utf8_lossy(&out.stdout));
    // The fit's prefix names the same files.
    let by_prefix = hbmc(&dir, &["summary", "pred/p", "--vars", "mu"]);
    assert!(by_prefix.status.success(), "{}", String::from_utf8_lossy(&by_prefix.stderr));
    assert_eq!(by_prefix.stdout, out.stdout, "summary of the prefix is the summary of its chains");
    // A transformed parameter computed from the outcome would be
    // recomputed from the new data's placeholder outcomes: predict warns.
    let reads_y = MODEL.replace("model {", "transformed parameters { real y_bar = mean(y); }\nmodel {");
    assert_ne!(reads_y, MODEL);
    std::fs::write(dir.join("reads_y.hbm"), reads_y).expect("model");
    let out = hbmc(&dir, &["run", "reads_y.hbm", "--data", "data.json", "--chains", "1", "--warmup", "50", "--draws", "10", "--quiet", "--output", "fit/r"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = hbmc(&dir, &["predict", "reads_y.hbm", "--fit", "fit/r", "--data", "new.json", "--output", "pred/r"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && err.contains("W0002") && err.contains("outcome `y`"), "{err}");
    // A fit that does not match the model is refused with a message.
    let out = hbmc(&dir, &["predict", "model.hbm", "--fit", "nothing/here", "--data", "new.json", "--output", "pred/q"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nothing/here"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn predict_reads_new_labels_against_the_fits_members() {
    let dir = scratch("predict-labels");
    // The model with its groups' labels taken from the data, and each
    // observation's group mean.
    let by_data = MODEL
        .replace(r#"group = ["a", "b", "c"];"#, "group;")
        .replace("generated quantities {", "generated quantities {\n  vector[obs] mu_obs = mu[g];");
    assert!(!by_data.contains("group = ") && by_data.contains("mu_obs"));
    std::fs::write(dir.join("by_data.hbm"), &by_data).expect("model");
    let out = hbmc(&dir, &["run", "by_data.hbm", "--data", "data.json", "--chains", "2", "--warmup", "100", "--draws", "30", "--quiet", "--output", "fit/m"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // Only two of the three groups, in another order: `group` still has the
    // fit's members, so "c" is mu.3 and "a" is mu.1.
    // New units without outcomes: only the likelihood reads `y`, so it
    // may be left out.
    std::fs::write(dir.join("two.json"), r#"{"g": ["c", "a"]}"#).expect("data");
    let out = hbmc(&dir, &["predict", "by_data.hbm", "--fit", "fit/m", "--data", "two.json", "--output", "pred/two"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && err.contains("leave out `y`, which only the likelihood reads"), "{err}");
    for chain in 1..=2 {
        let pred = hbmc_runtime::read_cmdstan_csv(dir.join(format!("pred/two_{chain}.csv"))).expect("predictions");
        let col = |name: &str| pred.column_index(name).unwrap_or_else(|| panic!("no column {name}"));
        assert_eq!(pred.num_draws(), 30);
        for d in 0..pred.num_draws() {
            assert_eq!(pred.draws[col("mu_obs.1")][d], pred.draws[col("mu.3")][d], "draw {d}: \"c\" is the third group");
            assert_eq!(pred.draws[col("mu_obs.2")][d], pred.draws[col("mu.1")][d], "draw {d}: \"a\" is the first group");
        }
    }
    let dims: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(dir.join("pred/two_dims.json")).expect("dims")).expect("JSON");
    assert_eq!(dims["dims"]["group"], serde_json::json!(["a", "b", "c"]), "{dims}");
    // A label the fit has no parameter for, and members that disagree with
    // the fit's, are errors naming them.
    std::fs::write(dir.join("new_group.json"), r#"{"g": ["a", "d"], "y": [0, 0]}"#).expect("data");
    std::fs::write(dir.join("reordered.json"), r#"{"dims": {"group": ["b", "a", "c"]}, "g": ["a"], "y": [0]}"#).expect("data");
    // An outcome that generated quantities read is still required.
    let reads_y = by_data.replace("generated quantities {", "generated quantities {\n  real y_sum = sum(y);");
    std::fs::write(dir.join("reads_y.hbm"), &reads_y).expect("model");
    let out = hbmc(&dir, &["predict", "reads_y.hbm", "--fit", "fit/m", "--data", "two.json", "--output", "pred/y"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.code() == Some(1) && err.contains("data variable `y` (`vector[obs]`) is missing"), "{err}");
    for (data, expected) in [
        ("new_group.json", "is \"d\", not a label of dim `group`"),
        ("reordered.json", "the labels differ: [\"a\", \"b\", \"c\"] vs [\"b\", \"a\", \"c\"]"),
    ] {
        let out = hbmc(&dir, &["predict", "by_data.hbm", "--fit", "fit/m", "--data", data, "--output", "pred/bad"]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{data}: {err}");
        assert!(err.contains(expected) && err.contains("fit/m_dims.json"), "{data}: {err}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn chain_id_runs_the_same_chain_as_a_full_run() {
    let dir = scratch("chain-id");
    let common = ["run", "model.hbm", "--data", "data.json", "--warmup", "150", "--draws", "100", "--seed", "7", "--quiet"];
    let full = hbmc(&dir, &[&common[..], &["--chains", "4", "--output", "full/fit"]].concat());
    assert!(full.status.success(), "{}", String::from_utf8_lossy(&full.stderr));
    // Chains 3 and 4 in one process, then chains 1 and 2 in another, into one prefix.
    for (chains, id) in [("2", "3"), ("2", "1")] {
        let out = hbmc(&dir, &[&common[..], &["--chains", chains, "--chain-id", id, "--output", "part/fit"]].concat());
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    // Byte-identical but for the elapsed-time lines (wall clock).
    for chain in 1..=4 {
        let (full, part) = (dir.join(format!("full/fit_{chain}.csv")), dir.join(format!("part/fit_{chain}.csv")));
        let differing = differing_lines(&full, &part);
        assert!(differing.len() <= 3, "chain {chain}: more than the timing lines differ: {differing:?}");
        for line in &differing {
            let elapsed = line.starts_with("#  Elapsed Time: ") || line.starts_with(&format!("#{}", " ".repeat(15)));
            assert!(elapsed && line.contains(" seconds ("), "chain {chain}: `{line}` differs and is not an elapsed-time line");
        }
        let a = without_timing(&full);
        let b = without_timing(&part);
        assert_eq!(std::fs::read_to_string(&full).expect("chain file").lines().count() - a.lines().count(), 3, "three timing lines");
        assert!(a.lines().count() > 100, "chain {chain} has its draws");
        assert!(a.contains(&format!("# id = {chain}")), "chain {chain}'s id is in its header");
        assert_eq!(a, b, "chain {chain} differs between the full run and the --chain-id run");
    }
    // Different chains differ (the comparison can fail).
    assert_ne!(
        without_timing(&dir.join("full/fit_1.csv")).lines().last(),
        without_timing(&dir.join("full/fit_3.csv")).lines().last()
    );
    // The summary reads the four files of the two runs as one fit.
    let s = hbmc(&dir, &["summary", "part/fit"]);
    assert!(s.status.success(), "{}", String::from_utf8_lossy(&s.stderr));
    let s_full = hbmc(&dir, &["summary", "full/fit"]);
    assert_eq!(String::from_utf8_lossy(&s.stdout), String::from_utf8_lossy(&s_full.stdout));
    // An id of 0 is refused with a message naming the option.
    let bad = hbmc(&dir, &[&common[..], &["--chain-id", "0", "--output", "bad/fit"]].concat());
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--chain-id"), "{}", String::from_utf8_lossy(&bad.stderr));
    let _ = std::fs::remove_dir_all(&dir);
}

/// `hbmc run` summarises the draws it still holds; `hbmc summary` parses
/// the files back: the two must print the same bytes (the files' numbers
/// read back exactly), in every form, with warmup saved or not.
#[test]
fn run_summary_from_memory_equals_summary_of_its_files() {
    let dir = scratch("same-summary");
    let forms: [&[&str]; 4] = [&[], &["--format", "csv"], &["--format", "json"], &["--vars", "mu,y_rep", "--save-warmup"]];
    for (k, form) in forms.iter().enumerate() {
        let prefix = format!("fit{k}/m");
        let mut args = vec!["run", "model.hbm", "--data", "data.json", "--warmup", "150", "--draws", "120", "--seed", "7", "--quiet", "--output", &prefix];
        args.extend_from_slice(form);
        let run = hbmc(&dir, &args);
        assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
        let files: Vec<String> = (1..=4).map(|c| format!("{prefix}_{c}.csv")).collect();
        let mut args = vec!["summary"];
        args.extend(form.iter().filter(|a| **a != "--save-warmup"));
        args.extend(files.iter().map(String::as_str));
        let summary = hbmc(&dir, &args);
        assert!(summary.status.success(), "{}", String::from_utf8_lossy(&summary.stderr));
        assert!(run.stdout.len() > 200, "form {form:?}: a summary was printed");
        assert_eq!(String::from_utf8_lossy(&run.stdout), String::from_utf8_lossy(&summary.stdout), "form {form:?}");
        let warnings = |o: &std::process::Output| {
            String::from_utf8_lossy(&o.stderr).lines().filter(|l| l.starts_with("warning:")).map(str::to_string).collect::<Vec<_>>()
        };
        assert_eq!(warnings(&run), warnings(&summary), "form {form:?}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
