//! `hbmc predict model.hbm --fit PREFIX --data new.json --output PRED`:
//! transformed parameters and generated quantities for every draw of an
//! existing fit, on new data (CmdStan's standalone generated quantities),
//! for counterfactual questions such as the average treatment effect under
//! T = 1 and T = 0.

use super::{load_model, EXIT_DIAGNOSTICS, EXIT_USAGE};
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
    /// The fit's output prefix: reads PREFIX_1.csv, PREFIX_2.csv, ...
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
}

/// Runs `hbmc predict`.
pub fn run(args: PredictArgs) -> i32 {
    let fits = chain_files(&args.fit);
    if fits.is_empty() {
        eprintln!("error: no fit files `{}_1.csv`, `{}_2.csv`, ... found", args.fit.display(), args.fit.display());
        return EXIT_USAGE;
    }
    let model = match load_model(&args.model, &args.data, Engine::Jit) {
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
        let file = match std::fs::File::create(&out_path) {
            Ok(f) => f,
            Err(e) => {
                eprintln!("error: cannot write `{}`: {e}", out_path.display());
                return EXIT_USAGE;
            }
        };
        let mut w = std::io::BufWriter::new(file);
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
        if let Err(e) = w.write_all(lines.as_bytes()).and_then(|_| w.flush()) {
            eprintln!("error: cannot write `{}`: {e}", out_path.display());
            return EXIT_USAGE;
        }
        written.push(out_path.display().to_string());
    }
    eprintln!("predictions for {} chain(s) written to {}", fits.len(), written.join(", "));
    0
}

/// `PREFIX_1.csv`, `PREFIX_2.csv`, ... as long as they exist.
fn chain_files(prefix: &Path) -> Vec<PathBuf> {
    (1..)
        .map(|c| PathBuf::from(format!("{}_{c}.csv", prefix.display())))
        .take_while(|p| p.exists())
        .collect()
}
