//! `hbmc summary PREFIX_1.csv PREFIX_2.csv ... [--vars a,b]` (or
//! `hbmc summary PREFIX`): the summary and warnings of existing CmdStan CSV
//! files (hbmc's or CmdStan's), labelled with dims when a
//! `PREFIX_dims.json` sits beside them.

use super::fit_files::chain_files;
use super::{EXIT_DIAGNOSTICS, EXIT_USAGE};
use clap::Args;
use hbmc_runtime::{convergence_warnings, read_csv_files, sampler_warnings, summarize, SummaryOptions};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Arguments of `hbmc summary`.
#[derive(Args)]
pub struct SummaryArgs {
    /// CmdStan CSV files, one per chain, or the prefix of a fit (`out/fit` for `out/fit_1.csv`, ...).
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Variables to show (default: all).
    #[arg(long, value_delimiter = ',')]
    vars: Vec<String>,
    /// Significant figures in the table.
    #[arg(long, default_value_t = 3)]
    sig_figs: usize,
}

/// Runs `hbmc summary`.
pub fn run(args: SummaryArgs) -> i32 {
    let mut files = Vec::new();
    for f in &args.files {
        if f.is_file() {
            files.push(f.clone());
            continue;
        }
        match chain_files(&f.display().to_string()) {
            Ok(chains) => files.extend(chains),
            Err(e) => {
                eprintln!("error: no file `{}`, and as a fit's prefix: {e}", f.display());
                return EXIT_USAGE;
            }
        }
    }
    let (draws, diagnostics) = match read_csv_files(&files) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_USAGE;
        }
    };
    if draws.chains.is_empty() {
        eprintln!("error: no draws in {}", files.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", "));
        return EXIT_DIAGNOSTICS;
    }
    let labels = dims_labels(&files[0], &draws.column_names);
    let summary = summarize(&draws, &SummaryOptions { labels, variables: args.vars, include_lp: true });
    println!("{}", summary.to_table(args.sig_figs));
    for w in sampler_warnings(&diagnostics).into_iter().chain(convergence_warnings(&summary)) {
        eprintln!("warning: {w}");
    }
    0
}

/// Labels such as `theta[grade=2]` from the `PREFIX_dims.json` beside
/// `PREFIX_1.csv`, if it is there.
fn dims_labels(first_file: &Path, columns: &[String]) -> HashMap<String, String> {
    let mut out = HashMap::new();
    let name = first_file.to_string_lossy();
    let Some(prefix) = name.rsplit_once('_').map(|(p, _)| p.to_string()) else { return out };
    let Ok(text) = std::fs::read_to_string(format!("{prefix}_dims.json")) else { return out };
    let Ok(json) = serde_json::from_str::<serde_json::Value>(&text) else { return out };
    for column in columns {
        let mut parts = column.split('.');
        let Some(base) = parts.next() else { continue };
        let Some(axes) = json["variables"][base].as_array() else { continue };
        let idx: Vec<usize> = parts.filter_map(|p| p.parse().ok()).collect();
        if idx.len() != axes.len() || idx.is_empty() {
            continue;
        }
        let shown: Vec<String> = idx
            .iter()
            .zip(axes)
            .map(|(i, axis)| match axis.as_str() {
                Some(dim) => {
                    let label = json["dims"][dim][i - 1].as_str().map_or(i.to_string(), str::to_string);
                    format!("{dim}={label}")
                }
                None => i.to_string(),
            })
            .collect();
        out.insert(column.clone(), format!("{base}[{}]", shown.join(", ")));
    }
    out
}
