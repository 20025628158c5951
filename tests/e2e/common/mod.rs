//! Shared by the end-to-end tests of the examples: run `hbmc`, fit an
//! example, and compare a fit with the true values of a simulation.
#![allow(dead_code)] // each test file uses its own part of this module

pub mod corpus;
pub mod oracle;

use hbmc_runtime::{read_csv_files, summarize, Draws, Summary, SummaryOptions};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root, where the examples' paths start.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs the `hbmc` binary in `dir`.
pub fn hbmc(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hbmc")).current_dir(dir).args(args).output().expect("hbmc runs")
}

/// A fresh, empty scratch folder `hbmc-NAME-PID` in the temp folder.
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hbmc-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// A finished fit: its draws, their summary and the number of divergences.
pub struct Fit {
    pub draws: Draws,
    pub summary: Summary,
    pub divergences: f64,
}

impl Fit {
    /// The summary row of a CSV column (`theta`, `alpha.3`).
    pub fn row(&self, column: &str) -> &hbmc_runtime::SummaryRow {
        self.summary.rows.iter().find(|r| r.column == column).unwrap_or_else(|| panic!("no column {column}"))
    }
}

/// Fits `examples/<model>.hbm` to `data` with 4 chains of 500 warmup and
/// 500 draws (enough for means and sds of these models) unless `extra`
/// sets them, with `extra` arguments such as `--metric dense`; the files
/// are removed afterwards.
pub fn fit(model: &str, data: &[&str], extra: &[&str], seed: u64) -> Fit {
    let dir = scratch(&format!("fit-{model}-{seed}-{}", data.join("-").replace('/', "_")));
    let f = fit_to(model, data, extra, seed, &dir.join("fit"));
    let _ = std::fs::remove_dir_all(&dir);
    f
}

/// [`fit`], keeping the files at `prefix` (`PREFIX_1.csv`, ...).
pub fn fit_to(model: &str, data: &[&str], extra: &[&str], seed: u64, prefix: &Path) -> Fit {
    let mut args: Vec<String> = vec!["run".into(), format!("examples/{model}.hbm")];
    for d in data {
        args.extend(["--data".into(), d.to_string()]);
    }
    for (flag, default) in [("--warmup", "500"), ("--draws", "500")] {
        if !extra.contains(&flag) {
            args.extend([flag.to_string(), default.to_string()]);
        }
    }
    args.extend(["--quiet", "--seed"].map(String::from));
    args.push(seed.to_string());
    args.extend(extra.iter().map(|s| s.to_string()));
    args.extend(["--output".into(), prefix.display().to_string()]);
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = hbmc(&root(), &refs);
    assert!(out.status.success(), "{model}: {}", String::from_utf8_lossy(&out.stderr));
    let files: Vec<PathBuf> = (1..=4).map(|c| PathBuf::from(format!("{}_{c}.csv", prefix.display()))).collect();
    let (draws, _) = read_csv_files(&files).expect("draws");
    let div = draws.column_names.iter().position(|c| c == "divergent__").expect("divergent__");
    let divergences = draws.chains.iter().map(|c| c[div].iter().sum::<f64>()).sum();
    let summary = summarize(&draws, &SummaryOptions::default());
    Fit { draws, summary, divergences }
}

/// A JSON file of the repository.
pub fn read_json(path: &str) -> Value {
    let text = std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The CSV columns of a value in a truth file, with their values:
/// `theta` for a number, `alpha.1`, `alpha.2`, ... for a list, `L.1.2` for
/// nested lists.
pub fn truth_columns(name: &str, value: &Value) -> Vec<(String, f64)> {
    match value {
        Value::Number(n) => vec![(name.to_string(), n.as_f64().expect("a finite number"))],
        Value::Array(items) => items.iter().enumerate().flat_map(|(i, v)| truth_columns(&format!("{name}.{}", i + 1), v)).collect(),
        other => panic!("{name}: not a number or list in the truth file: {other}"),
    }
}

/// Asserts that the fit finds every true value of `names` (from the truth
/// file `truth`) where its posterior puts it, and that it sampled cleanly:
/// no divergences, R-hat under 1.05.
///
/// The check is a z-score, the truth within 3.3 posterior sds of the
/// posterior mean, rather than "the 90% interval covers it": across the
/// dozens of values a test checks, 90% intervals would miss several by
/// design, while a 3.3 sd miss happens about once in a thousand for a
/// calibrated posterior and by far for a model or simulation that is wrong.
pub fn assert_recovers(model: &str, fit: &Fit, truth: &Value, names: &[&str]) {
    assert_recovers_with_divergences(model, fit, truth, names, 0);
}

/// [`assert_recovers`] for a model with a measured rate of rare
/// divergences: at most `max_divergences` divergent transitions.
pub fn assert_recovers_with_divergences(model: &str, fit: &Fit, truth: &Value, names: &[&str], max_divergences: u32) {
    assert!(fit.divergences <= max_divergences as f64, "{model}: {} divergent transitions", fit.divergences);
    for name in names {
        let value = truth.get(*name).unwrap_or_else(|| panic!("{model}: `{name}` is not in the truth file"));
        for (column, x) in truth_columns(name, value) {
            assert_near(model, fit, &column, x);
        }
    }
}

/// Asserts that the posterior of one column puts `truth` within 3.3 sds of
/// its mean, with R-hat under 1.05 (see [`assert_recovers`]).
pub fn assert_near(model: &str, fit: &Fit, column: &str, truth: f64) {
    let row = fit.row(column);
    let z = (row.mean - truth) / row.sd;
    assert!(z.abs() <= 3.3, "{model}: {column}: truth {truth}, posterior mean {} sd {} (z = {z:.2})", row.mean, row.sd);
    assert!(row.rhat < 1.05, "{model}: {column}: R-hat {}", row.rhat);
}

/// One column of `examples/data/electric.csv`, in row order.
pub fn electric_column(name: &str) -> Vec<String> {
    let text = std::fs::read_to_string(root().join("examples/data/electric.csv")).expect("electric.csv");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("header").split(',').map(|h| h.trim_matches('"')).collect();
    let col = header.iter().position(|h| *h == name).unwrap_or_else(|| panic!("no column {name}"));
    lines.map(|l| l.split(',').nth(col).expect("a field per column").to_string()).collect()
}

/// A numeric column of `examples/data/electric.csv`.
pub fn electric_numbers(name: &str) -> Vec<f64> {
    electric_column(name).iter().map(|x| x.parse().expect("number")).collect()
}

/// The population sd, as the Electric Company models standardise.
pub fn population_sd(x: &[f64]) -> f64 {
    let n = x.len() as f64;
    let mean = x.iter().sum::<f64>() / n;
    (x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n).sqrt()
}

/// Interpreter arenas for a lowered model with its data and transformed
/// data in place.
pub fn model_arenas(m: &hbmc_compiler::lower::LoweredModel) -> hbmc_compiler::ir::arenas::Arenas {
    let mut a = hbmc_compiler::ir::arenas::Arenas::new(&m.module.arena_sizes);
    a.data[..m.data_init.len()].copy_from_slice(&m.data_init);
    a.int_data[..m.int_data_init.len()].copy_from_slice(&m.int_data_init);
    hbmc_compiler::interp::run(&m.module, hbmc_compiler::ir::FunctionKind::TransformedData, &mut a, None).expect("transformed data");
    a
}

/// The value of column `name` in a draw given as (column, value) pairs.
pub fn draw_column(draw: &[(String, f64)], name: &str) -> f64 {
    draw.iter().find(|(n, _)| n == name).unwrap_or_else(|| panic!("no column {name}")).1
}

/// The gradient function's IR as text for a model and its JSON data:
/// check, bind, lower, differentiate with the data (loop bounds and ranges
/// from them and from transformed data, as `hbmc` does), print (the
/// gradient part of `hbmc check --emit ir`), for tests that count what the
/// gradient computes.
pub fn gradient_ir(source: &str, data_json: &str) -> String {
    function_ir(source, data_json, hbmc_compiler::ir::FunctionKind::Gradient)
}

/// The module as `hbmc check --emit ir` prints it for `source` and the
/// JSON data `data_json` (written to the scratch directory `name`).
pub fn emitted_ir(name: &str, source: &str, data_json: &str) -> String {
    let dir = scratch(name);
    std::fs::write(dir.join("m.hbm"), source).unwrap();
    std::fs::write(dir.join("d.json"), data_json).unwrap();
    let out = hbmc(&dir, &["check", "m.hbm", "--data", "d.json", "--emit", "ir"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).to_string()
}

/// Function `name` of printed IR: its header line and body, up to its
/// closing brace.
pub fn function_body<'a>(ir: &'a str, name: &str) -> &'a str {
    let start = ir.find(&format!("fn {name} ")).unwrap_or_else(|| panic!("fn {name} in\n{ir}"));
    let body = &ir[start..];
    &body[..body.find("\n}").unwrap_or(body.len())]
}

/// How many calls of the library function `symbol` printed IR makes.
pub fn calls(ir: &str, symbol: &str) -> usize {
    ir.matches(&format!("call {symbol}(")).count()
}

/// [`gradient_ir`] for any function of the differentiated module (the log
/// density, to compare the gradient with).
pub fn function_ir(source: &str, data_json: &str, kind: hbmc_compiler::ir::FunctionKind) -> String {
    function_ir_with(source, data_json, kind, hbmc_compiler::lower::LowerOptions::default())
}

/// [`function_ir`] lowered with `options` (a pass turned off to test
/// another alone).
pub fn function_ir_with(source: &str, data_json: &str, kind: hbmc_compiler::ir::FunctionKind, options: hbmc_compiler::lower::LowerOptions) -> String {
    let m = differentiated(source, data_json, options);
    let func = m.module.function(kind).unwrap_or_else(|| panic!("a {kind:?} function"));
    hbmc_compiler::ir::print::function_to_string(&m.module, func)
}

/// The model checked, bound to the JSON data `data_json`, lowered with
/// `options` and differentiated with the data, as `hbmc` does before its
/// IR passes.
pub fn differentiated(source: &str, data_json: &str, options: hbmc_compiler::lower::LowerOptions) -> hbmc_compiler::lower::LoweredModel {
    use hbmc_compiler::bind::{bind_data, read_source};
    use hbmc_compiler::lower::lower_model_with;
    let fe = hbmc_compiler::front_end(source);
    let program = fe.typed.unwrap_or_else(|| panic!("model checks: {:?}", fe.diagnostics));
    let src = read_source("d.json", data_json).unwrap_or_else(|d| panic!("data reads: {d:?}"));
    let (bound, diags) = bind_data(&program, &[src]);
    let bound = bound.unwrap_or_else(|| panic!("data bind: {diags:?}"));
    let mut m = lower_model_with(&program, &bound, options).unwrap_or_else(|d| panic!("lowering: {d:?}"));
    hbmc_compiler::ad::differentiate_with_data(&mut m.module, &m.data_init, &m.int_data_init).unwrap_or_else(|e| panic!("AD: {e}"));
    m
}
