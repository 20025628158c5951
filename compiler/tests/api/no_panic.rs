//! Never a panic, on any input: mutated programs through parse and check,
//! and random or mutated data files through data validation.
//!
//! The inputs are the example models and the good corpus, mutated by a
//! deterministic generator (deleted, duplicated and swapped tokens; cut
//! sources; random bytes), so a failure names a reproducible case. Every
//! run covers a few thousand cases in bounded time.

use hbmc_compiler::bind::{bind_data, read_source};
use hbmc_compiler::diagnostics::has_errors;
use hbmc_compiler::front_end;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

/// splitmix64: a tiny deterministic generator, so failures reproduce.
struct Gen(u64);

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
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn corpus() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for dir in ["examples", "tests/good"] {
        let Ok(entries) = std::fs::read_dir(workspace().join(dir)) else { continue };
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for p in paths {
            if p.extension().is_some_and(|e| e == "hbm" || e == "stan") {
                if let Ok(text) = std::fs::read_to_string(&p) {
                    out.push((p.display().to_string(), text));
                }
            }
        }
    }
    assert!(!out.is_empty(), "no example models found");
    out
}

/// Splits a source into rough tokens: words, numbers, single punctuation,
/// and runs of white space, so that mutations act like token edits.
fn tokens(source: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = source.as_bytes();
    let class = |b: u8| {
        if b.is_ascii_alphanumeric() || b == b'_' || b == b'.' {
            0
        } else if b.is_ascii_whitespace() {
            1
        } else {
            2
        }
    };
    for i in 1..=bytes.len() {
        if i == bytes.len() || class(bytes[i]) != class(bytes[start]) || class(bytes[i]) == 2 {
            if source.is_char_boundary(start) && source.is_char_boundary(i) {
                out.push(&source[start..i]);
                start = i;
            }
        }
    }
    out
}

fn mutate(source: &str, g: &mut Gen) -> String {
    let mut toks: Vec<String> = tokens(source).into_iter().map(str::to_string).collect();
    if toks.is_empty() {
        return String::new();
    }
    const JUNK: &[&str] = &[
        "[", "]", "(", ")", "{", "}", ";", "~", "|", ",", ":", "<", ">", "=", "'", "array", "vector", "grade",
        "obs", "real", "int", "1e999", "99999999999999999999999", "-", "^", ".*", "\"", "/*", "//", "\u{e9}", "T",
        "lower", "for", "in", "target", "+=", "?", "dims", "model", "0", "1.5",
    ];
    for _ in 0..1 + g.below(3) {
        let n = toks.len().max(1);
        match g.below(6) {
            0 => {
                toks.remove(g.below(n).min(toks.len().saturating_sub(1)));
            }
            1 => {
                let i = g.below(n).min(toks.len() - 1);
                let t = toks[i].clone();
                toks.insert(i, t);
            }
            2 => {
                let (i, j) = (g.below(n).min(toks.len() - 1), g.below(n).min(toks.len() - 1));
                toks.swap(i, j);
            }
            3 => {
                let i = g.below(n).min(toks.len());
                toks.insert(i, JUNK[g.below(JUNK.len())].to_string());
            }
            4 => {
                let keep = g.below(n);
                toks.truncate(keep);
            }
            _ => {
                let i = g.below(n).min(toks.len() - 1);
                toks[i] = JUNK[g.below(JUNK.len())].to_string();
            }
        }
        if toks.is_empty() {
            break;
        }
    }
    toks.concat()
}

#[test]
fn mutated_programs_never_panic() {
    let corpus = corpus();
    let mut g = Gen(0x5EED);
    let mut cases = 0;
    let rounds = 2000 / corpus.len() + 1;
    for round in 0..rounds {
        for (name, source) in &corpus {
            let mutated = mutate(source, &mut g);
            let result = catch_unwind(AssertUnwindSafe(|| front_end(&mutated)));
            match result {
                Ok(fe) => {
                    // Either the program is fine, or something says why not.
                    if fe.typed.is_none() {
                        assert!(
                            has_errors(&fe.diagnostics),
                            "no typed program and no error for a mutation of {name} (round {round}):\n{mutated}"
                        );
                    }
                }
                Err(_) => panic!("front end panicked on a mutation of {name} (round {round}):\n{mutated}"),
            }
            cases += 1;
        }
    }
    assert!(cases >= 2000, "ran {cases} cases");
}

#[test]
fn random_bytes_never_panic() {
    let mut g = Gen(42);
    for case in 0..400 {
        let len = g.below(200);
        let bytes: Vec<u8> = (0..len).map(|_| (g.next() % 128) as u8).collect();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let result = catch_unwind(AssertUnwindSafe(|| front_end(&text)));
        assert!(result.is_ok(), "front end panicked on random input {case}: {text:?}");
    }
}

const ELECTRIC_MODEL: &str = include_str!("../../../examples/electric_intercept.hbm");
const ELECTRIC_CSV: &str = include_str!("../../../examples/data/electric.csv");

fn random_json(g: &mut Gen, depth: usize) -> String {
    match g.below(if depth > 2 { 5 } else { 8 }) {
        0 => format!("{}", g.below(10) as i64 - 3),
        1 => format!("{}", (g.next() % 1000) as f64 / 7.0 - 50.0),
        2 => ["\"1\"", "\"x\"", "\"NaN\"", "\"inf\"", "\"-inf\""][g.below(5)].to_string(),
        3 => ["null", "true", "1e400", "-0"][g.below(4)].to_string(),
        4 => "[]".to_string(),
        5 | 6 => {
            let n = g.below(5);
            let items: Vec<String> = (0..n).map(|_| random_json(g, depth + 1)).collect();
            format!("[{}]", items.join(","))
        }
        _ => {
            let n = g.below(3);
            let items: Vec<String> = (0..n).map(|i| format!("\"k{i}\":{}", random_json(g, depth + 1))).collect();
            format!("{{{}}}", items.join(","))
        }
    }
}

#[test]
fn random_and_mutated_data_never_panic() {
    let fe = front_end(ELECTRIC_MODEL);
    let program = fe.typed.expect("the example model checks");
    let names = ["grade", "pair_id", "treatment", "pre_test", "post_test", "dims", "other"];
    let mut g = Gen(7);
    for case in 0..400 {
        // JSON: the declared names (and some others) with random values.
        let mut members: Vec<String> = Vec::new();
        for n in names {
            if g.below(5) == 0 {
                continue;
            }
            let v = if n == "dims" {
                format!("{{\"grade\": {}, \"pair\": {}}}", random_json(&mut g, 2), random_json(&mut g, 2))
            } else {
                random_json(&mut g, 0)
            };
            members.push(format!("\"{n}\": {v}"));
        }
        let json = format!("{{{}}}", members.join(", "));
        let text = if g.below(4) == 0 { mutate(&json, &mut g) } else { json };
        let result = catch_unwind(AssertUnwindSafe(|| {
            if let Ok(source) = read_source("random.json", &text) {
                let (bound, diags) = bind_data(&program, &[source]);
                assert!(bound.is_some() || has_errors(&diags), "no data and no error");
            }
        }));
        assert!(result.is_ok(), "data binding panicked on case {case}: {text}");
    }
    for case in 0..150 {
        let cut = g.below(ELECTRIC_CSV.len());
        let csv = if case % 2 == 0 { mutate(ELECTRIC_CSV, &mut g) } else { ELECTRIC_CSV[..cut].to_string() };
        let result = catch_unwind(AssertUnwindSafe(|| {
            if let Ok(source) = read_source("electric.csv", &csv) {
                let (bound, diags) = bind_data(&program, &[source]);
                assert!(bound.is_some() || has_errors(&diags), "no data and no error");
            }
        }));
        assert!(result.is_ok(), "data binding panicked on CSV case {case}:\n{csv}");
    }
}

#[test]
fn the_real_electric_data_binds() {
    let fe = front_end(ELECTRIC_MODEL);
    let program = fe.typed.expect("the example model checks");
    let source = read_source("electric.csv", ELECTRIC_CSV).expect("the CSV reads");
    let (bound, diags) = bind_data(&program, &[source]);
    assert!(!has_errors(&diags), "{diags:?}");
    let bound = bound.expect("bound data");
    // 192 classrooms, 4 grades, 96 pairs.
    let obs = program.dims.lookup("obs").expect("dim obs");
    let grade = program.dims.lookup("grade").expect("dim grade");
    let pair = program.dims.lookup("pair").expect("dim pair");
    assert_eq!(bound.dim_sizes[obs], 192);
    assert_eq!(bound.dim_sizes[grade], 4);
    assert_eq!(bound.dim_sizes[pair], 96);
    assert_eq!(
        bound.dim_labels[grade].as_deref(),
        Some(&["1".to_string(), "2".to_string(), "3".to_string(), "4".to_string()][..])
    );
}
