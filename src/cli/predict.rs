//! `hbmc predict model.hbm --fit PREFIX --data new.json --output PRED`:
//! transformed parameters and generated quantities for every draw of an
//! existing fit, on new data (CmdStan's standalone generated quantities),
//! for counterfactual questions such as the average treatment effect under
//! T = 1 and T = 0.

use super::atomic::AtomicFile;
use super::fit_record::read_fit;
use super::{load_model_as, EXIT_DIAGNOSTICS, EXIT_USAGE};
use clap::Args;
use hbmc::model::Engine;
use hbmc_runtime::{format_value, read_cmdstan_csv};
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Arguments of `hbmc predict`.
#[derive(Args)]
pub struct PredictArgs {
    /// The model file (the one the fit was made with).
    model: PathBuf,
    /// The fit's output prefix: reads the chain files its run records list
    /// (PREFIX_1.csv, PREFIX_2.csv, ...).
    #[arg(long)]
    fit: PathBuf,
    /// The new data (JSON or CSV); may be repeated.
    #[arg(long)]
    data: Vec<PathBuf>,
    /// Output prefix: writes PREFIX_1.csv, ... one per chain of the fit.
    #[arg(long)]
    output: PathBuf,
    /// Seed of the generated quantities' random numbers.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Use files that are not chains of one fit (other model, data,
    /// settings or seed) together, instead of refusing.
    #[arg(long)]
    allow_mixed: bool,
}

/// Runs `hbmc predict`.
pub fn run(args: PredictArgs) -> i32 {
    let (fits, fit_seed) = match read_fit(&args.fit.display().to_string(), args.allow_mixed) {
        Ok(f) => {
            for w in f.warnings {
                eprintln!("warning: {w}");
            }
            (f.files, f.seed)
        }
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_USAGE;
        }
    };
    let model = match load_model_as(&args.model, &args.data, Engine::Jit, |m, source, files| {
        // `_rng` calls in transformed data draw from the fit's seed, as they
        // did in the fit (predict's own --seed is for generated quantities).
        let m = hbmc::model::Model { transformed_data_seed: fit_seed.unwrap_or(args.seed), ..m };
        source.report(&hbmc::check::outcomes::outcome_reads_in_transformed_parameters(&m.program));
        // New units seldom have outcomes; one only the likelihood reads
        // may be left out.
        let given = |name: &str| files.iter().any(|f| f.variable_names().contains(&name));
        let (program, left_out) = hbmc::simulate::prediction_program(&m.program, given);
        if !left_out.is_empty() {
            let names: Vec<String> = left_out.iter().map(|n| format!("`{n}`")).collect();
            eprintln!(
                "note: the new data leave out {}, which only the likelihood reads; predict does not evaluate it, so it is not needed",
                names.join(", ")
            );
        }
        let m = hbmc::model::Model { program, ..m };
        let fit_dims = fit_parameter_dims(&m, &args.fit).map_err(|e| {
            eprintln!("error: {e}");
            EXIT_USAGE
        })?;
        Ok((m, fit_dims.into_iter().collect()))
    }) {
        Ok(m) => m,
        Err(code) => return code,
    };
    if let Some(dir) = args.output.parent().filter(|d| !d.as_os_str().is_empty()) {
        if let Err(e) = std::fs::create_dir_all(dir) {
            eprintln!("error: cannot create `{}`: {e}", dir.display());
            return EXIT_USAGE;
        }
    }
    let mut eval = model.evaluator();
    let names = model.output_names().to_vec();
    let mut written = Vec::new();
    for (chain, fit_path) in fits.iter().enumerate() {
        let fit = match read_cmdstan_csv(fit_path) {
            Ok(f) => f,
            Err(e) => {
                eprintln!("error: cannot read `{}`: {e}", fit_path.display());
                return EXIT_USAGE;
            }
        };
        let index: HashMap<&str, usize> = fit.column_names.iter().enumerate().map(|(i, n)| (n.as_str(), i)).collect();
        let out_path = PathBuf::from(format!("{}_{}.csv", args.output.display(), chain + 1));
        // Written whole or not at all: a failing draw leaves no half file.
        let mut w = match AtomicFile::create(&out_path) {
            Ok(f) => f,
            Err(e) => {
                eprintln!("error: cannot write `{}`: {e}", out_path.display());
                return EXIT_USAGE;
            }
        };
        let header = format!(
            "# model = {}\n# method = generate_quantities\n# fitted_params = {}\n# data = {}\n# seed = {}\n{}\n",
            args.model.display(),
            fit_path.display(),
            args.data.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(","),
            args.seed,
            names.join(",")
        );
        let mut rng = hbmc_stdlib::ChainRng::new(args.seed, chain as u64);
        let mut draw = Vec::new();
        let mut lines = header;
        // `draws` is column-major: draws[column][draw].
        let n_draws = fit.draws.first().map_or(0, Vec::len);
        for d in 0..n_draws {
            let theta = match eval.unconstrain_columns(|c| index.get(c).and_then(|&i| fit.draws[i].get(d).copied())) {
                Ok(t) => t,
                Err(e) => {
                    eprintln!("error: draw {} of `{}`: {}", d + 1, fit_path.display(), e.message);
                    return EXIT_DIAGNOSTICS;
                }
            };
            if let Err(e) = eval.write_draw(&theta, &mut rng, &mut draw) {
                eprintln!("error: draw {} of `{}`: {}", d + 1, fit_path.display(), e.message);
                return EXIT_DIAGNOSTICS;
            }
            let fields: Vec<String> = draw.iter().map(|x| format_value(*x, None)).collect();
            lines.push_str(&fields.join(","));
            lines.push('\n');
        }
        if let Err(e) = w.write_all(lines.as_bytes()).and_then(|_| w.commit()) {
            eprintln!("error: cannot write `{}`: {e}", out_path.display());
            return EXIT_USAGE;
        }
        written.push(out_path.display().to_string());
    }
    // The new data's dims, so that `hbmc summary` and ArviZ label the
    // predictions as they label the fit.
    if let Err(e) = super::run::write_dims(&model, &args.output) {
        eprintln!("error: {e}");
        return EXIT_USAGE;
    }
    eprintln!(
        "predictions for {} chain(s) written to {}; dims in {}",
        fits.len(),
        written.join(", "),
        super::run::dims_path(&args.output).display()
    );
    0
}

/// The draws are matched to the new data by position (`alpha.3` is the
/// third member of its dim), so every dim a parameter runs over takes the
/// fit's members in the fit's order, from the fit's `PREFIX_dims.json`
/// when it is there: index variables of the new data given as labels are
/// then read against them, the new data may use only some of them, and a
/// data file that gives the dim other members is an error (E4040) naming
/// both files.
fn fit_parameter_dims(model: &hbmc::model::Model, fit: &Path) -> Result<Option<hbmc::bind::DataSource>, String> {
    let path = PathBuf::from(format!("{}_dims.json", fit.display()));
    let Ok(text) = std::fs::read_to_string(&path) else { return Ok(None) };
    let written: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("`{}` is not valid JSON: {e}", path.display()))?;
    let dims: serde_json::Map<String, serde_json::Value> = model
        .parameter_dims()
        .into_iter()
        .filter_map(|name| written["dims"].get(&name).map(|labels| (name, labels.clone())))
        .collect();
    if dims.is_empty() {
        return Ok(None);
    }
    let source = serde_json::json!({ "dims": dims }).to_string();
    hbmc::bind::read_source(&path.display().to_string(), &source)
        .map(Some)
        .map_err(|_| format!("`{}` does not give dims as lists of labels, as `hbmc run` writes them", path.display()))
}
