//! CmdStan's R dump data (`.R`, `.rdump`, `.data.R`): every corpus
//! program's JSON data written as R dump (column-major arrays, as rstan's
//! `stan_rdump` writes them) binds to exactly the same values; a fit reads
//! either file to the same draws; R's one-element vectors written as a
//! single value bind; what is not the format is refused naming the line.

use crate::common::{self, hbmc, scratch};
use hbmc::model::{Engine, Model};
use serde_json::Value;

/// The shape of a rectangular JSON list (`None`: ragged, or not numbers).
fn shape_of(v: &Value) -> Option<Vec<usize>> {
    match v {
        Value::Array(items) => {
            let inner = match items.first() {
                Some(first) => shape_of(first)?,
                None => Vec::new(),
            };
            if items.iter().any(|i| shape_of(i).as_ref() != Some(&inner)) {
                return None;
            }
            Some([vec![items.len()], inner].concat())
        }
        Value::Number(_) | Value::Null | Value::String(_) => Some(Vec::new()),
        _ => None,
    }
}

fn leaves<'v>(v: &'v Value, out: &mut Vec<&'v Value>) {
    match v {
        Value::Array(items) => items.iter().for_each(|i| leaves(i, out)),
        other => out.push(other),
    }
}

/// One scalar as R dump writes it (`None`: not a number).
fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::Number(n) if n.is_i64() || n.is_u64() => Some(n.to_string()),
        // `{:?}` keeps a decimal point or an exponent, so the value stays a real.
        Value::Number(n) => n.as_f64().map(|x| format!("{x:?}")),
        Value::Null => Some("NA".into()),
        Value::String(s) => match s.to_ascii_lowercase().as_str() {
            "inf" | "+inf" | "infinity" => Some("Inf".into()),
            "-inf" | "-infinity" => Some("-Inf".into()),
            "nan" => Some("NaN".into()),
            _ => None,
        },
        _ => None,
    }
}

/// A JSON data value as R dump (`None`: not representable, as labels or tuples).
fn rdump_value(v: &Value) -> Option<String> {
    let shape = shape_of(v)?;
    let mut flat = Vec::new();
    leaves(v, &mut flat);
    let flat: Vec<String> = flat.into_iter().map(scalar).collect::<Option<_>>()?;
    Some(match shape.len() {
        0 => flat[0].clone(),
        1 if flat.is_empty() => "double(0)".into(),
        1 => format!("c({})", flat.join(", ")),
        _ => {
            // Column-major: the first index runs fastest.
            let n = flat.len();
            let mut col_major = Vec::with_capacity(n);
            for k in 0..n {
                let (mut rem, mut row_major) = (k, 0);
                let mut strides = vec![1usize; shape.len()];
                for i in (0..shape.len() - 1).rev() {
                    strides[i] = strides[i + 1] * shape[i + 1];
                }
                for (d, &size) in shape.iter().enumerate() {
                    row_major += (rem % size) * strides[d];
                    rem /= size;
                }
                col_major.push(flat[row_major].clone());
            }
            let dims: Vec<String> = shape.iter().map(|d| d.to_string()).collect();
            let values = if n == 0 { "double(0)".to_string() } else { format!("c({})", col_major.join(", ")) };
            format!("structure({values}, .Dim = c({}))", dims.join(", "))
        }
    })
}

/// A JSON data object as an R dump text (`None`: some member is not representable).
fn rdump_text(json: &Value) -> Option<String> {
    let members = json.as_object()?;
    let mut out = String::from("# written from JSON by the test\n");
    for (name, v) in members {
        out.push_str(&format!("{name} <- {}\n", rdump_value(v)?));
    }
    Some(out)
}

#[test]
fn every_corpus_programs_data_binds_the_same_from_r_dump() {
    let mut compared = 0;
    let mut with_arrays = 0;
    let mut failures = Vec::new();
    for dir in ["tests/stan_corpus", "tests/stan_corpus/pdb"] {
        for entry in std::fs::read_dir(common::root().join(dir)).expect("corpus") {
            let path = entry.expect("entry").path();
            if path.extension().is_none_or(|e| e != "stan") {
                continue;
            }
            let source = std::fs::read_to_string(&path).expect("program");
            let Some(data) = source.lines().find_map(|l| l.strip_prefix("// data:")).map(|d| d.trim().to_string()) else { continue };
            let Ok(json_text) = std::fs::read_to_string(common::root().join(&data)) else { continue };
            let Ok(json) = serde_json::from_str::<Value>(&json_text) else { continue };
            let Some(rdump) = rdump_text(&json) else { continue };
            let Ok(model) = Model::compile("m", &source) else { continue };
            let from_json = hbmc_compiler::bind::read_source("d.json", &json_text).expect("JSON reads");
            let Ok(bound_json) = model.bind(&[from_json], Engine::Interpreter) else { continue };
            let from_r = match hbmc_compiler::bind::read_source("d.data.R", &rdump) {
                Ok(s) => s,
                Err(d) => {
                    failures.push(format!("{}: {:?}", path.display(), d.iter().map(|d| &d.message).collect::<Vec<_>>()));
                    continue;
                }
            };
            assert_eq!(from_r.format(), hbmc_compiler::bind::DataFormat::RDump);
            match model.bind(&[from_r], Engine::Interpreter) {
                Ok(bound_r) => {
                    let (a, b) = (bound_json.data(), bound_r.data());
                    // Compared as printed, so that a NaN (transformed data
                    // not yet assigned) equals itself.
                    let differs = a.values.iter().zip(&b.values).position(|(x, y)| format!("{x:?}") != format!("{y:?}"));
                    if let Some(i) = differs {
                        let show = |v: &Option<hbmc_compiler::bind::value::DataValue>| format!("{v:?}").chars().take(300).collect::<String>();
                        failures.push(format!("{}: variable {i} differs: {} against {}", path.display(), show(&a.values[i]), show(&b.values[i])));
                    } else if a.dim_sizes != b.dim_sizes || a.values.len() != b.values.len() {
                        failures.push(format!("{}: the dims or number of values differ", path.display()));
                    }
                    compared += 1;
                    with_arrays += usize::from(rdump.contains("structure("));
                }
                Err(e) => failures.push(format!("{}: {e:?}", path.display())),
            }
        }
    }
    assert!(failures.is_empty(), "{} of the corpus programs:\n{}", failures.len(), failures.join("\n"));
    assert!(compared > 200 && with_arrays > 40, "only {compared} programs compared, {with_arrays} with arrays");
}

const MODEL: &str = "data { int N; int K; matrix[N, K] X; vector[N] y; array[1] real s; }
parameters { vector[K] beta; real<lower=0> sigma; }
model { beta ~ normal(0, 1); sigma ~ normal(0, s[1]); y ~ normal(X * beta, sigma); }";

const JSON: &str = r#"{"N": 3, "K": 2, "X": [[1, 0.5], [1, -1], [1, 2]], "y": [0.3, -1.2, 2.5], "s": [2.0]}"#;

// R: X <- cbind(1, c(0.5, -1, 2)); `s` of length one written as a single value.
const RDUMP: &str = "N <- 3L
K <- 2
X <- structure(c(1, 1, 1, 0.5, -1, 2), .Dim = c(3L, 2L))
\"y\" <- c(0.3, -1.2,
  2.5)  # a line break inside c(...)
s <- 2.0
";

#[test]
fn a_fit_reads_r_dump_data_to_the_same_draws_as_json() {
    let dir = scratch("rdump-fit");
    std::fs::write(dir.join("m.stan"), MODEL).expect("scratch");
    std::fs::write(dir.join("d.json"), JSON).expect("scratch");
    std::fs::write(dir.join("d.data.R"), RDUMP).expect("scratch");
    let draws = |data: &str, out: &str| {
        let run = hbmc(&dir, &["run", "m.stan", "--data", data, "--seed", "3", "--chains", "1", "--warmup", "200", "--draws", "100", "--quiet", "--output", out]);
        assert!(run.status.success(), "{data}: {}", String::from_utf8_lossy(&run.stderr));
        let csv = std::fs::read_to_string(dir.join(format!("{out}_1.csv"))).expect("draws");
        csv.lines().filter(|l| !l.starts_with('#')).map(str::to_string).collect::<Vec<_>>()
    };
    let from_json = draws("d.json", "j");
    let from_r = draws("d.data.R", "r");
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(from_json.len(), 101);
    assert_eq!(from_json, from_r);
}

#[test]
fn r_code_that_is_not_dump_data_is_refused_naming_the_line() {
    let dir = scratch("rdump-bad");
    std::fs::write(dir.join("m.stan"), MODEL).expect("scratch");
    std::fs::write(dir.join("d.R"), "N <- 3\nK <- 2\nX <- matrix(c(1, 1, 1, 0.5, -1, 2), ncol = 2)\n").expect("scratch");
    std::fs::write(dir.join("short.R"), RDUMP.replace("c(1, 1, 1, 0.5, -1, 2)", "c(1, 1, 1, 0.5, -1)")).expect("scratch");
    let bad = hbmc(&dir, &["check", "m.stan", "--data", "d.R"]);
    let short = hbmc(&dir, &["check", "m.stan", "--data", "short.R"]);
    let _ = std::fs::remove_dir_all(&dir);
    let err = String::from_utf8_lossy(&bad.stderr);
    assert_eq!(bad.status.code(), Some(1), "{err}");
    assert!(err.contains("E4001") && err.contains("`matrix(...)` is R code") && err.contains("line 3"), "{err}");
    let err = String::from_utf8_lossy(&short.stderr);
    assert_eq!(short.status.code(), Some(1), "{err}");
    assert!(err.contains("5 values for `.Dim = c(3, 2)`, which needs 6"), "{err}");
}
