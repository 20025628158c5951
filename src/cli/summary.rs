//! `hbmc summary PREFIX_1.csv PREFIX_2.csv ... [--vars PATTERNS] [--all]
//! [--format text|csv|json] [--output FILE]` (or `hbmc summary PREFIX`):
//! the summary and warnings of existing CmdStan CSV files (hbmc's or
//! CmdStan's, from one run or several `--chain-id` runs), labelled with
//! dims when a `PREFIX_dims.json` sits beside them.

use super::fit_files::chain_files;
use super::fit_summary::{fit_dims_beside, summarize_files, Destination, SummaryRequest, SummaryView};
use super::EXIT_USAGE;
use clap::Args;
use std::path::PathBuf;

/// Arguments of `hbmc summary`.
#[derive(Args)]
pub struct SummaryArgs {
    /// CmdStan CSV files, one per chain, or the prefix of a fit (`out/fit` for `out/fit_1.csv`, ...).
    #[arg(required = true)]
    files: Vec<PathBuf>,
    #[command(flatten)]
    view: SummaryView,
    /// Significant figures in the table.
    #[arg(long, default_value_t = 3)]
    sig_figs: usize,
    /// Write the summary to this file instead of standard output (written
    /// whole or not at all).
    #[arg(long, short)]
    output: Option<PathBuf>,
    /// Summarise files that are not chains of one fit (other model, data,
    /// settings or seed) together, instead of refusing.
    #[arg(long)]
    allow_mixed: bool,
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
    let dims = fit_dims_beside(&files[0]);
    let request = SummaryRequest {
        dims: &dims,
        view: &args.view,
        sig_figs: args.sig_figs,
        threads: 0,
        diagnostics: None,
        destination: args.output.as_deref().map_or(Destination::Stdout, Destination::File),
        allow_mixed: args.allow_mixed,
    };
    match summarize_files(&files, &request) {
        Ok(warnings) => {
            for w in warnings {
                eprintln!("warning: {w}");
            }
            0
        }
        Err(e) => {
            eprintln!("error: {e}");
            EXIT_USAGE
        }
    }
}
