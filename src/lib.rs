//! hbmc: compile, check and fit hierarchical Bayesian models written in hbm.
//!
//! This crate is the public API (the one the `hbmc` binary uses) over the
//! pipeline crates: `hbmc-compiler` (source to typed program, data binding),
//! `hbmc-stdlib` (math and densities) and `hbmc-runtime` (the sampler).

pub mod model;
pub mod model_library;
pub mod plot;

pub use hbmc_compiler::{bind, check, diagnostics, graph, ir, lower, simulate, syntax};

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
/// diagnostics (errors and warnings).
pub fn validate_data(program: &TypedProgram, files: &[PathBuf]) -> Result<Vec<Diagnostic>, String> {
    let (_, diagnostics) = load_data(program, files)?;
    Ok(diagnostics)
}

/// Reads data files and binds them to the program: the validated data when
/// there are no errors, and every diagnostic. `Err` only when a file cannot
/// be read.
pub fn load_data(
    program: &TypedProgram,
    files: &[PathBuf],
) -> Result<(Option<bind::BoundData>, Vec<Diagnostic>), String> {
    let mut sources = Vec::new();
    let mut diagnostics = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(file)
            .map_err(|e| format!("error: cannot read data file `{}`: {e}", file.display()))?;
        match bind::read_source(&file.display().to_string(), &text) {
            Ok(source) => sources.push(source),
            Err(diags) => diagnostics.extend(diags),
        }
    }
    if diagnostics::has_errors(&diagnostics) {
        return Ok((None, diagnostics));
    }
    let (bound, diags) = bind::bind_data(program, &sources);
    diagnostics.extend(diags);
    Ok((bound, diagnostics))
}
