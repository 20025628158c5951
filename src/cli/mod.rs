//! Command-line parsing and dispatch. Each subcommand has its own module.

mod check;

use clap::{Parser, Subcommand};

/// Exit code when the model or data have errors.
pub const EXIT_DIAGNOSTICS: i32 = 1;
/// Exit code when a file cannot be read or written, or arguments are wrong.
pub const EXIT_USAGE: i32 = 2;

#[derive(Parser)]
#[command(name = "hbmc", version, about = "Compile, check and fit hierarchical Bayesian models written in hbm")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Parse and check a model (and optionally its data); print diagnostics.
    Check(check::CheckArgs),
}

/// Runs the command line and returns the process exit code.
pub fn run() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { EXIT_USAGE } else { 0 };
        }
    };
    match cli.command {
        Command::Check(args) => check::run(args),
    }
}

/// Reads a file named on the command line, or says why it cannot.
pub fn read_file(path: &std::path::Path, what: &str) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("error: cannot read {what} `{}`: {e}", path.display()))
}
