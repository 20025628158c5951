//! A fuzz harness on stable Rust: never a panic, on any input.
//!
//!     cargo run --release --example fuzz -- [INPUTS] [SEED]
//!
//! drives INPUTS generated inputs (default 10,000) through the public API
//! and the binary's argument parser, round-robin over six kinds: mutated
//! model sources (the examples, the good corpus and the Stan corpus:
//! deleted, duplicated, swapped and junk tokens, cut sources) through parse
//! and check, and, where the mutant checks and its model has a JSON data
//! file (a mutant without `while`, which can loop forever as in Stan), bound
//! to that data, compiled by both engines and evaluated at the origin; random
//! bytes as source; random and mutated JSON data and mutated CSV data
//! through reading and binding against `examples/electric_intercept.hbm`;
//! mutated JSON data of every example with a JSON data file through
//! binding against its own model (the largest, heterogeneous_effects, left
//! out for speed); every 16th data input that binds is also lowered with
//! its data and its log density and gradient evaluated at the origin by
//! the reference interpreter; mutated CmdStan CSV through the fit reader; random command lines
//! through `hbmc`'s clap parser and `--vars` patterns through the
//! selection parser. Each input runs under `catch_unwind`; a panic prints
//! its kind, index and input, and the harness exits 1. The generator is
//! seeded, so a crash reproduces with the same INPUTS and SEED.
//! `tests/e2e/fuzz.rs` runs a few thousand inputs in CI time; the README's
//! Tests section records the long run.

#![allow(dead_code)]

#[path = "../src/cli/mod.rs"]
mod cli;

use hbmc::bind::{bind_data, read_source};
use hbmc::diagnostics::has_errors;
use hbmc::model::{Engine, Model};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

/// splitmix64: a tiny deterministic generator, so failures reproduce.
pub struct Gen(pub u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// The kinds of input, in round-robin order.
pub const KINDS: [&str; 6] = ["model source", "random bytes", "JSON data", "CSV data", "fit CSV", "command line"];

/// What a run found: inputs per kind and the panics.
#[derive(Default)]
pub struct Report {
    /// Inputs run, per kind of [`KINDS`].
    pub inputs: [u64; 6],
    /// Inputs the front end accepted or data that bound (the rest got errors).
    pub accepted: [u64; 6],
    /// Each panic: kind, input index and the input.
    pub panics: Vec<(usize, u64, String)>,
}

/// The fixed material the mutations start from.
pub struct Corpus {
    models: Vec<String>,
    /// The JSON data of `models[i]` where it has a `// data:` line.
    model_json: Vec<Option<String>>,
    /// Each example with a JSON data file (`// data:` line), and that data.
    with_json: Vec<(Model, String)>,
    electric: Model,
    electric_csv: String,
    fit_csv: String,
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

impl Corpus {
    /// Reads the example models, the good corpus and the electric data.
    pub fn load() -> Result<Corpus, String> {
        let mut models = Vec::new();
        for dir in ["examples", "tests/good", "tests/stan_corpus", "tests/stan_corpus/pdb"] {
            let entries = std::fs::read_dir(workspace().join(dir)).map_err(|e| format!("{dir}: {e}"))?;
            let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
            paths.sort();
            for p in paths {
                if p.extension().is_some_and(|e| e == "hbm" || e == "stan") {
                    models.push(std::fs::read_to_string(&p).map_err(|e| format!("{}: {e}", p.display()))?);
                }
            }
        }
        let mut with_json = Vec::new();
        let mut model_json = Vec::new();
        for text in &models {
            let data = text.lines().find_map(|l| l.strip_prefix("// data: ")).map(str::trim);
            let data = data.filter(|d| d.ends_with(".json") && !d.contains("heterogeneous"));
            model_json.push(match data {
                Some(data) => Some(std::fs::read_to_string(workspace().join(data)).map_err(|e| format!("{data}: {e}"))?),
                None => None,
            });
            if let (Some(data), Some(json)) = (data, model_json.last().and_then(|j| j.clone())) {
                let model = Model::compile("example", text).map_err(|e| format!("{data}: {e:?}"))?;
                with_json.push((model, json));
            }
        }
        let read = |p: &str| std::fs::read_to_string(workspace().join(p)).map_err(|e| format!("{p}: {e}"));
        let electric = Model::compile("electric_intercept", &read("examples/electric_intercept.hbm")?).map_err(|e| format!("{e:?}"))?;
        Ok(Corpus { models, model_json, with_json, electric, electric_csv: read("examples/data/electric.csv")?, fit_csv: fit_csv() })
    }
}

/// A small CmdStan CSV file as `hbmc run` writes it.
fn fit_csv() -> String {
    let mut s = String::from(
        "# model = m\n# method = sample (Default)\n#   sample\n#     num_samples = 4\n#     num_warmup = 4\n\
         #     save_warmup = 0 (Default)\n# id = 1 (Default)\n# hbmc_model_hash = 0011223344556677\n\
         lp__,accept_stat__,stepsize__,treedepth__,n_leapfrog__,divergent__,energy__,mu,theta.1,theta.2\n\
         # Adaptation terminated\n# Step size = 0.9\n# Diagonal elements of inverse mass matrix:\n# 1, 0.5, 2\n",
    );
    for i in 0..4 {
        s += &format!("-{i}.5,0.9,0.9,2,3,0,{i}.25,0.{i},1e-3,-2.5\n");
    }
    s += "# \n#  Elapsed Time: 0.1 seconds (Warm-up)\n#                0.1 seconds (Sampling)\n#                0.2 seconds (Total)\n# \n";
    s
}

/// Splits a text into rough tokens (words, numbers, single punctuation,
/// runs of white space), so mutations act like token edits.
fn tokens(source: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = source.as_bytes();
    let class = |b: u8| if b.is_ascii_alphanumeric() || b == b'_' || b == b'.' { 0 } else if b.is_ascii_whitespace() { 1 } else { 2 };
    for i in 1..=bytes.len() {
        if (i == bytes.len() || class(bytes[i]) != class(bytes[start]) || class(bytes[i]) == 2)
            && source.is_char_boundary(start)
            && source.is_char_boundary(i)
        {
            out.push(&source[start..i]);
            start = i;
        }
    }
    out
}

const JUNK: &[&str] = &[
    "[", "]", "(", ")", "{", "}", ";", "~", "|", ",", ":", "<", ">", "=", "'", "array", "vector", "matrix", "grade", "obs",
    "real", "int", "1e999", "99999999999999999999999", "-", "^", ".*", "\"", "/*", "//", "\u{e9}", "T", "lower", "upper",
    "for", "in", "target", "+=", "?", "dims", "model", "0", "-1", "1.5", "NaN", "inf", "\n", "#", "\"x\"", "null",
    "simplex", "cholesky_factor_corr", "sum", "rep_vector", "functions", "return", "while", "if", "else",
];

fn mutate(source: &str, g: &mut Gen) -> String {
    let mut toks: Vec<String> = tokens(source).into_iter().map(str::to_string).collect();
    for _ in 0..1 + g.below(4) {
        if toks.is_empty() {
            break;
        }
        let n = toks.len();
        let (i, j) = (g.below(n), g.below(n));
        match g.below(6) {
            0 => {
                toks.remove(i);
            }
            1 => {
                let t = toks[i].clone();
                toks.insert(i, t);
            }
            2 => toks.swap(i, j),
            3 => toks.insert(i, g.pick(JUNK).to_string()),
            4 => toks.truncate(i),
            _ => toks[i] = g.pick(JUNK).to_string(),
        }
    }
    toks.concat()
}

fn random_json(g: &mut Gen, depth: usize) -> String {
    match g.below(if depth > 2 { 5 } else { 8 }) {
        0 => format!("{}", g.below(10) as i64 - 3),
        1 => format!("{}", (g.next() % 1000) as f64 / 7.0 - 50.0),
        2 => g.pick(&["\"1\"", "\"x\"", "\"NaN\"", "\"inf\"", "\"-inf\"", "\"\""]).to_string(),
        3 => g.pick(&["null", "true", "1e400", "-0", "2.5e-320", "9007199254740993"]).to_string(),
        4 => "[]".to_string(),
        5 | 6 => {
            let items: Vec<String> = (0..g.below(5)).map(|_| random_json(g, depth + 1)).collect();
            format!("[{}]", items.join(","))
        }
        _ => {
            let items: Vec<String> = (0..g.below(3)).map(|i| format!("\"k{i}\":{}", random_json(g, depth + 1))).collect();
            format!("{{{}}}", items.join(","))
        }
    }
}

/// Electric data as JSON: its variables (and some others) with random
/// values, sometimes a real prefix of the data, sometimes mutated.
fn electric_json(g: &mut Gen) -> String {
    let names = ["grade", "pair_id", "treatment", "pre_test", "post_test", "N", "dims", "other", "grade"];
    let mut members = Vec::new();
    for n in names {
        if g.below(4) == 0 {
            continue;
        }
        let v = match n {
            "dims" => format!("{{\"grade\": {}, \"pair\": {}}}", random_json(g, 2), random_json(g, 2)),
            "grade" | "pair_id" => {
                let k: Vec<String> = (0..g.below(12)).map(|_| format!("{}", g.below(6))).collect();
                format!("[{}]", k.join(","))
            }
            _ => random_json(g, 0),
        };
        members.push(format!("\"{n}\": {v}"));
    }
    let json = format!("{{{}}}", members.join(", "));
    if g.below(4) == 0 {
        mutate(&json, g)
    } else {
        json
    }
}

/// A random `hbmc` command line from the real subcommands, options and
/// plausible or odd values.
fn command_line(g: &mut Gen) -> Vec<String> {
    const SUB: &[&str] = &["run", "summary", "check", "predict", "simulate", "loo", "gradcheck", "bench", "graph", "plot", "--help", "--version", ""];
    const OPTS: &[&str] = &[
        "--data", "--chains", "--chain-id", "--warmup", "--draws", "--seed", "--adapt-delta", "--max-depth", "--metric",
        "--adapt", "--save-warmup", "--step-size-jitter", "--threads", "--output", "-o", "--vars", "--all", "--format",
        "--quiet", "--prior", "--overwrite", "--allow-mixed", "--sig-figs", "--fit", "--init", "--draws-per", "-", "--",
        "--chains=", "--seed=-1",
    ];
    const VALUES: &[&str] = &[
        "1", "0", "-1", "4", "18446744073709551616", "0.8", "1.0", "nan", "inf", "diag", "dense", "nutpie", "stan", "csv",
        "json", "text", "out/fit", "", "theta", "alpha[*, grade=2]", "alpha[3,", "z[", "a]]", "*", "m.hbm", "\u{0}",
    ];
    let mut args = vec!["hbmc".to_string(), g.pick(SUB).to_string()];
    for _ in 0..g.below(8) {
        args.push(match g.below(3) {
            0 => g.pick(OPTS).to_string(),
            1 => g.pick(VALUES).to_string(),
            _ => format!("{}{}", g.pick(OPTS), g.pick(VALUES)),
        });
    }
    args
}

/// Runs one input of kind `index % 6`; returns whether it was accepted.
/// Panics are the finding: the caller catches them.
fn one_input(corpus: &Corpus, index: u64, g: &mut Gen, input: &mut String) -> bool {
    match index % 6 {
        0 => {
            let which = g.below(corpus.models.len());
            *input = mutate(&corpus.models[which], g);
            let fe = hbmc::check_source(input).front_end;
            assert!(fe.typed.is_some() || has_errors(&fe.diagnostics), "no typed program and no error");
            // (Not a mutant with a `while`: a deleted increment loops forever, as in Stan.)
            if let (Some(_), Some(json), false) = (&fe.typed, &corpus.model_json[which], input.contains("while")) {
                // A mutant that checks is compiled with its model's data by
                // both engines and evaluated at the origin: lowering, AD and
                // codegen see programs no test wrote.
                if let (Ok(model), Ok(source)) = (Model::compile("mutant", input), read_source("data.json", json)) {
                    for engine in [Engine::Interpreter, Engine::Jit] {
                        if let Ok(m) = model.bind(std::slice::from_ref(&source), engine) {
                            let mut grad = vec![0.0; m.dim()];
                            let _ = m.evaluator().log_density_gradient(&vec![0.0; m.dim()], &mut grad);
                        }
                    }
                }
            }
            fe.typed.is_some()
        }
        1 => {
            let bytes: Vec<u8> = (0..g.below(200)).map(|_| (g.next() % 128) as u8).collect();
            *input = String::from_utf8_lossy(&bytes).into_owned();
            hbmc::check_source(input).front_end.typed.is_some()
        }
        2 | 3 => {
            let mut model = &corpus.electric;
            let (name, text) = if index % 6 == 2 && g.below(2) == 0 {
                let (m, json) = &corpus.with_json[g.below(corpus.with_json.len())];
                model = m;
                ("data.json", mutate(json, g))
            } else if index % 6 == 2 {
                ("random.json", electric_json(g))
            } else if g.below(2) == 0 {
                ("electric.csv", mutate(&corpus.electric_csv, g))
            } else {
                ("electric.csv", corpus.electric_csv[..g.below(corpus.electric_csv.len())].to_string())
            };
            *input = text;
            let Ok(source) = read_source(name, input) else { return false };
            let (bound, diags) = bind_data(&model.program, std::slice::from_ref(&source));
            assert!(bound.is_some() || has_errors(&diags), "no data and no error");
            if bound.is_some() && g.below(16) == 0 {
                // Lowered with this data, evaluated at the origin.
                if let Ok(m) = model.bind(&[source], Engine::Interpreter) {
                    let mut grad = vec![0.0; m.dim()];
                    let _ = m.evaluator().log_density_gradient(&vec![0.0; m.dim()], &mut grad);
                }
            }
            bound.is_some()
        }
        4 => {
            *input = mutate(&corpus.fit_csv, g);
            hbmc_runtime::parse_cmdstan_csv(std::io::Cursor::new(input.as_bytes())).is_ok()
        }
        _ => {
            let args = command_line(g);
            *input = format!("{args:?}");
            let vars: Vec<String> = args.iter().skip(2).cloned().collect();
            let _ = hbmc_runtime::summary::select::Selection::parse(&vars);
            cli::parse_only(&args).is_ok()
        }
    }
}

/// Runs `inputs` inputs from `seed`; prints each panic as it happens.
pub fn run(corpus: &Corpus, inputs: u64, seed: u64) -> Report {
    let mut report = Report::default();
    let mut g = Gen(seed);
    for index in 0..inputs {
        let kind = (index % 6) as usize;
        let mut input = String::new();
        let result = catch_unwind(AssertUnwindSafe(|| one_input(corpus, index, &mut g, &mut input)));
        report.inputs[kind] += 1;
        match result {
            Ok(accepted) => report.accepted[kind] += accepted as u64,
            Err(_) => {
                eprintln!("PANIC on {} input {index} (seed {seed}):\n{input}\n", KINDS[kind]);
                report.panics.push((kind, index, input));
            }
        }
    }
    report
}

fn main() {
    let mut args = std::env::args().skip(1);
    let inputs = args.next().and_then(|a| a.parse().ok()).unwrap_or(10_000u64);
    let seed = args.next().and_then(|a| a.parse().ok()).unwrap_or(1u64);
    let corpus = match Corpus::load() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    };
    let start = std::time::Instant::now();
    let report = run(&corpus, inputs, seed);
    for (k, kind) in KINDS.iter().enumerate() {
        println!("{kind:>14}: {:>9} inputs, {:>9} accepted", report.inputs[k], report.accepted[k]);
    }
    println!("total {} inputs, {} panics, {:.1} s (seed {seed})", inputs, report.panics.len(), start.elapsed().as_secs_f64());
    std::process::exit(if report.panics.is_empty() { 0 } else { 1 });
}
