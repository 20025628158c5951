//! `hbmc loo PREFIX_A PREFIX_B ...`: PSIS-LOO of each fit from the
//! pointwise log-likelihood (`log_lik`) in its generated quantities, the
//! Pareto k diagnostics, and the comparison of the fits ranked by elpd_loo
//! as ArviZ's `compare` ranks them (weights: pseudo-BMA).

use super::fit_files::{chain_files, check_fit_files, fit_name};
use super::{EXIT_DIAGNOSTICS, EXIT_USAGE};
use clap::Args;
use hbmc_runtime::{compare, compare_table, loo, read_csv_files, LogLik, Loo, LooError, LooOptions};
use std::path::PathBuf;

/// Arguments of `hbmc loo`.
#[derive(Args)]
pub struct LooArgs {
    /// Fits, each named by its prefix: `out/fit` means `out/fit_1.csv`,
    /// `out/fit_2.csv`, ... (one file per chain).
    prefixes: Vec<String>,
    /// A fit given by its CSV files, comma-separated; repeat for more fits.
    #[arg(long = "files", value_name = "A_1.csv,A_2.csv")]
    files: Vec<String>,
    /// The pointwise log-likelihood variable in generated quantities.
    #[arg(long, default_value = "log_lik")]
    var: String,
    /// Relative efficiency (ESS/S) of the draws, for the PSIS tail length.
    #[arg(long, default_value_t = 1.0)]
    r_eff: f64,
}

/// One fit named on the command line: a display name and its files.
struct Fit {
    name: String,
    files: Vec<PathBuf>,
}

/// Runs `hbmc loo`.
pub fn run(args: LooArgs) -> i32 {
    let fits = match fits_of(&args) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_USAGE;
        }
    };
    if !(args.r_eff.is_finite() && args.r_eff > 0.0) {
        eprintln!("error: {}", LooError::BadReff(args.r_eff));
        return EXIT_USAGE;
    }
    let options = LooOptions { r_eff: args.r_eff };
    let mut results: Vec<(String, Loo)> = Vec::new();
    for fit in &fits {
        match loo_of(fit, &args.var, &options) {
            Ok(l) => results.push((fit.name.clone(), l)),
            Err((message, code)) => {
                eprintln!("error: {message}");
                return code;
            }
        }
    }
    for (name, l) in &results {
        println!("{name}:\n{}", l.to_table());
        if let Some(w) = high_k_warning(name, l) {
            eprintln!("warning: {w}");
        }
    }
    if results.len() < 2 {
        return 0;
    }
    let models: Vec<(&str, &Loo)> = results.iter().map(|(n, l)| (n.as_str(), l)).collect();
    match compare(&models) {
        Ok(rows) => {
            println!("Model comparison (best first; elpd_diff and dse against the best; pseudo-BMA weights):");
            print!("{}", compare_table(&rows));
            0
        }
        Err(e) => {
            eprintln!("error: {e}");
            EXIT_DIAGNOSTICS
        }
    }
}

/// The fits named by prefixes and by `--files`, in that order.
fn fits_of(args: &LooArgs) -> Result<Vec<Fit>, String> {
    let mut fits = Vec::new();
    for prefix in &args.prefixes {
        fits.push(Fit { name: prefix.clone(), files: chain_files(prefix)? });
    }
    for list in &args.files {
        let files: Vec<PathBuf> = list.split(',').filter(|s| !s.is_empty()).map(PathBuf::from).collect();
        let Some(first) = files.first() else { return Err("`--files` needs at least one file".into()) };
        if let Some(missing) = files.iter().find(|f| !f.is_file()) {
            return Err(format!("no file `{}`", missing.display()));
        }
        fits.push(Fit { name: fit_name(first), files });
    }
    // The comparison table is keyed by name, as ArviZ's is by its dict's keys.
    for (i, fit) in fits.iter().enumerate() {
        if fits[..i].iter().any(|f| f.name == fit.name) {
            return Err(format!("the fit `{}` is named twice; name each fit once", fit.name));
        }
    }
    if fits.is_empty() {
        return Err("name at least one fit: `hbmc loo PREFIX ...` (files PREFIX_1.csv, PREFIX_2.csv, ...) \
                    or `--files a_1.csv,a_2.csv`"
            .into());
    }
    Ok(fits)
}

/// PSIS-LOO of one fit, or the message and exit code of why not.
fn loo_of(fit: &Fit, variable: &str, options: &LooOptions) -> Result<Loo, (String, i32)> {
    check_fit_files(&fit.files).map_err(|e| (e, EXIT_USAGE))?;
    let (draws, _) = read_csv_files(&fit.files).map_err(|e| (e.to_string(), EXIT_USAGE))?;
    let in_fit = |e: LooError| (format!("fit `{}`: {e}", fit.name), EXIT_DIAGNOSTICS);
    let log_lik = LogLik::from_draws(&draws, variable).map_err(in_fit)?;
    loo(&log_lik, options).map_err(in_fit)
}

/// A warning naming the observations whose Pareto k exceeds the threshold.
fn high_k_warning(name: &str, l: &Loo) -> Option<String> {
    let high = l.high_k();
    if high.is_empty() {
        return None;
    }
    let listed: Vec<String> = high.iter().map(|p| format!("{} (k = {:.2})", p.name, p.pareto_k)).collect();
    Some(format!(
        "`{name}`: Pareto k above {:.2} for {} of {} observations: {}. Their PSIS-LOO terms are unreliable \
         (the fit leaving them out differs much from the full fit); consider a more robust model or exact \
         or K-fold cross-validation for them.",
        l.good_k,
        high.len(),
        l.n_obs(),
        listed.join(", ")
    ))
}
