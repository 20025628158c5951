//! `hbmc simulate model.hbm [--data partial.json] --fix name=value ... --seed S
//! --output data.json`: draws every parameter that is not fixed from its
//! prior, then the observed data from the likelihood, and writes a complete
//! data file (and beside it the parameter values it used, with the
//! transformed parameters they give).

use super::{ModelSource, EXIT_DIAGNOSTICS, EXIT_USAGE};
use clap::Args;
use hbmc::bind::{DataStorage, DataValue};
use hbmc::model::{Engine, Model};
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use std::path::PathBuf;

/// Arguments of `hbmc simulate`.
#[derive(Args)]
pub struct SimulateArgs {
    /// The model file.
    model: PathBuf,
    /// Data the simulation starts from: covariates, indices, sizes (JSON or CSV).
    #[arg(long)]
    data: Vec<PathBuf>,
    /// Fix a parameter instead of drawing it: `name=value`, the value in JSON (`2.5`, `[1, 2]`).
    #[arg(long, value_name = "NAME=VALUE")]
    fix: Vec<String>,
    /// Random seed.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// The data file to write (JSON).
    #[arg(long)]
    output: PathBuf,
    /// Where to write the parameter and transformed-parameter values used (default: OUTPUT with `.truth.json`).
    #[arg(long)]
    truth: Option<PathBuf>,
}

/// Runs `hbmc simulate`.
pub fn run(args: SimulateArgs) -> i32 {
    let source = match ModelSource::read(&args.model) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let report = |d: &[hbmc::diagnostics::Diagnostic]| source.report(d);
    let fe = hbmc_compiler::front_end(&source.text);
    // Errors leave no typed program; what remains are warnings, shown as
    // `hbmc check` and `hbmc run` show them.
    if !fe.diagnostics.is_empty() {
        report(&fe.diagnostics);
    }
    let Some(program) = fe.typed else {
        return EXIT_DIAGNOSTICS;
    };
    // --fix name=value
    let mut fixed = Map::new();
    for f in &args.fix {
        let Some((k, v)) = f.split_once('=') else {
            eprintln!("error: `--fix {f}`: write `--fix name=value`, e.g. `--fix bxy=0`");
            return EXIT_USAGE;
        };
        match serde_json::from_str::<Value>(v.trim()) {
            Ok(value) => {
                fixed.insert(k.trim().to_string(), value);
            }
            Err(_) => {
                eprintln!("error: `--fix {f}`: the value must be a number or a JSON list, e.g. `--fix {k}=0.5`");
                return EXIT_USAGE;
            }
        }
    }
    let fixed_names: Vec<String> = fixed.keys().cloned().collect();
    let sim = match hbmc::simulate::simulation_program(&program, &fixed_names) {
        Ok(s) => s,
        Err(d) => {
            report(&d);
            return EXIT_DIAGNOSTICS;
        }
    };
    let mut sources = match hbmc::model::read_data_files(&args.data) {
        Ok(s) => s,
        Err(e) => return source.report_error(e),
    };
    // A complete data file gives the outcomes too: they are drawn anew.
    let outcome_names: Vec<&str> = sim.outcomes.iter().map(|&v| program.var(v).name.as_str()).collect();
    for s in &mut sources {
        let set_aside = s.remove_variables(&outcome_names);
        if !set_aside.is_empty() {
            let names: Vec<String> = set_aside.iter().map(|n| format!("`{n}`")).collect();
            eprintln!(
                "note: {} in {} {} drawn from the likelihood; the values given are not used",
                names.join(", "),
                s.name(),
                if names.len() == 1 { "is" } else { "are" }
            );
        }
    }
    if !fixed.is_empty() {
        match hbmc::bind::read_source("--fix values", &Value::Object(fixed.clone()).to_string()) {
            Ok(s) => sources.push(s),
            Err(d) => {
                report(&d);
                return EXIT_DIAGNOSTICS;
            }
        }
    }
    let model = Model { transformed_data_seed: args.seed, ..Model::from_program(&source.stem, sim.program.clone()) };
    let bound = match model.bind(&sources, Engine::Jit) {
        Ok(b) => b,
        Err(e) => return source.report_error(e),
    };
    let mut eval = bound.evaluator();
    let mut rng = hbmc_stdlib::ChainRng::new(args.seed, 0);
    let mut draw = Vec::new();
    if let Err(e) = eval.write_draw(&[], &mut rng, &mut draw) {
        eprintln!("error: the simulation failed: {}", e.message);
        return EXIT_DIAGNOSTICS;
    }
    let columns: HashMap<&str, f64> = bound.output_names().iter().map(String::as_str).zip(draw.iter().copied()).collect();
    let p = &sim.program;
    let data = bound.data();

    // The data file: every data variable of the original model.
    let mut out = Map::new();
    for d in program.decls(hbmc::syntax::ast::BlockKind::Data) {
        let var = &program.var(d.var).name;
        let value = if sim.outcomes.contains(&d.var) {
            from_columns(var, &columns, program.var(d.var).ty.is_int_valued())
        } else {
            data.value(d.var).map(to_json)
        };
        if let Some(v) = value {
            out.insert(var.clone(), v);
        }
    }
    let mut dims = Map::new();
    for (id, dim) in p.dims.dims.iter().enumerate() {
        let entry = match data.dim_labels(id) {
            Some(labels) => json!(labels),
            None => json!(data.dim_sizes[id]),
        };
        dims.insert(dim.name.clone(), entry);
    }
    if !dims.is_empty() {
        out.insert("dims".into(), Value::Object(dims));
    }
    // The parameter values used, drawn and fixed, and the transformed
    // parameters they give (the true `alpha` of a non-centered model).
    let mut truth = fixed;
    let transformed = program.decls(hbmc::syntax::ast::BlockKind::TransformedParameters).map(|d| d.var);
    for v in sim.drawn.iter().copied().chain(transformed) {
        let var = &program.var(v).name;
        if let Some(value) = from_columns(var, &columns, false) {
            truth.insert(var.clone(), value);
        }
    }
    let truth_path = args.truth.clone().unwrap_or_else(|| args.output.with_extension("truth.json"));
    for (path, value) in [(&args.output, Value::Object(out)), (&truth_path, Value::Object(truth))] {
        let text = serde_json::to_string_pretty(&value).unwrap_or_default();
        if let Err(e) = super::atomic::write_atomically(path, (text + "\n").as_bytes()) {
            eprintln!("error: cannot write `{}`: {e}", path.display());
            return EXIT_USAGE;
        }
    }
    eprintln!("simulated data written to {}; parameter values in {}", args.output.display(), truth_path.display());
    0
}

/// A bound data value as JSON: nested lists in indexing order (matrices as
/// lists of rows), integers as integers.
fn to_json(v: &DataValue) -> Value {
    fn nest(v: &DataValue, prefix: &mut Vec<usize>) -> Value {
        if prefix.len() == v.shape.len() {
            return match &v.storage {
                DataStorage::Ints(_) => v.get_int(prefix).map_or(Value::Null, |x| json!(x)),
                DataStorage::Reals(_) => v.get_real(prefix).map_or(Value::Null, |x| json!(x)),
            };
        }
        let n = v.shape[prefix.len()];
        Value::Array(
            (0..n)
                .map(|i| {
                    prefix.push(i);
                    let x = nest(v, prefix);
                    prefix.pop();
                    x
                })
                .collect(),
        )
    }
    nest(v, &mut Vec::new())
}

/// A variable's value from the output columns `name`, `name.i`, `name.i.j`
/// (1-based), as nested JSON lists.
fn from_columns(name: &str, columns: &HashMap<&str, f64>, int: bool) -> Option<Value> {
    let num = |x: f64| if int { json!(x as i64) } else { json!(x) };
    if let Some(x) = columns.get(name) {
        return Some(num(*x));
    }
    let prefix = format!("{name}.");
    let mut shape: Vec<usize> = Vec::new();
    for key in columns.keys().filter(|k| k.starts_with(&prefix)) {
        let ix: Vec<usize> = key[prefix.len()..].split('.').filter_map(|p| p.parse().ok()).collect();
        if shape.is_empty() {
            shape = vec![0; ix.len()];
        }
        for (s, i) in shape.iter_mut().zip(&ix) {
            *s = (*s).max(*i);
        }
    }
    if shape.is_empty() {
        return None;
    }
    fn nest(name: &str, shape: &[usize], prefix: &mut Vec<usize>, columns: &HashMap<&str, f64>, num: &dyn Fn(f64) -> Value) -> Value {
        if prefix.len() == shape.len() {
            let key = format!("{name}.{}", prefix.iter().map(usize::to_string).collect::<Vec<_>>().join("."));
            return columns.get(key.as_str()).map_or(Value::Null, |x| num(*x));
        }
        Value::Array(
            (1..=shape[prefix.len()])
                .map(|i| {
                    prefix.push(i);
                    let x = nest(name, shape, prefix, columns, num);
                    prefix.pop();
                    x
                })
                .collect(),
        )
    }
    Some(nest(name, &shape, &mut Vec::new(), columns, &num))
}
