//! `hbmc check model.hbm [--data d.json] [--format json] [--emit ast|typed|ir]`
//!
//! With data, the program is also compiled as `hbmc run` compiles it before
//! its first draw (sizes, lowering, gradient, native code, transformed
//! data), so that a program `check` passes with its data is one `run` can
//! start: errors found only once sizes are known (E4050-E4053, E5001-E5003)
//! are reported here, with their codes, and not first by `run`.

use super::{ModelSource, EXIT_DIAGNOSTICS, EXIT_USAGE};
use clap::{Args, ValueEnum};
use hbmc::diagnostics::{self, Diagnostic};
use std::io::IsTerminal;
use std::path::PathBuf;

/// Arguments of `hbmc check`.
#[derive(Args)]
pub struct CheckArgs {
    /// The model file (`.hbm`, or a `.stan` file in the supported subset).
    model: PathBuf,
    /// Data to validate against the model's declarations (JSON or CSV); may be repeated.
    #[arg(long)]
    data: Vec<PathBuf>,
    /// How to print diagnostics.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Print an intermediate form of the model to standard output.
    #[arg(long, value_enum)]
    emit: Option<Emit>,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Human,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum Emit {
    /// The syntax tree, as an S-expression.
    Ast,
    /// The typed program: every declaration and expression with its type and dims.
    Typed,
    /// The IR after lowering and AD (needs --data: sizes come from the data).
    Ir,
}

/// Runs `hbmc check`.
pub fn run(args: CheckArgs) -> i32 {
    let ModelSource { name, text: source, .. } = match ModelSource::read(&args.model) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let checked = hbmc::check_source(&source);
    let mut diagnostics = checked.front_end.diagnostics.clone();
    if let (Some(program), false) = (&checked.front_end.typed, args.data.is_empty()) {
        match hbmc::validate_data(program, &args.data) {
            Ok(data_diags) => diagnostics.extend(data_diags),
            Err(e) => {
                eprintln!("{e}");
                return EXIT_USAGE;
            }
        }
    }
    let mut bound = None;
    if let (Some(program), false) = (&checked.front_end.typed, args.data.is_empty()) {
        if !diagnostics::has_errors(&diagnostics) {
            match compile_with_data(&name, program, &args.data) {
                Ok(model) => bound = Some(model),
                Err(Compiled::Diagnostics(d)) => diagnostics.extend(d),
                Err(Compiled::Failed(message)) => {
                    eprintln!("error: {message}");
                    return EXIT_DIAGNOSTICS;
                }
            }
        }
    }
    if let Some(emit) = args.emit {
        match (emit, &checked.front_end.ast, &checked.front_end.typed) {
            (Emit::Ast, Some(ast), _) => print!("{}", hbmc::syntax::print::program_to_sexp(ast)),
            (Emit::Typed, _, Some(typed)) => print!("{}", hbmc::check::print::print_typed(typed)),
            (Emit::Ir, _, Some(_)) if args.data.is_empty() => {
                eprintln!("error: --emit ir needs --data: the IR is made once sizes are known");
                return EXIT_USAGE;
            }
            (Emit::Ir, _, _) => {
                if let Some(bound) = &bound {
                    print!("{}", hbmc::ir::print::module_to_string(&bound.lowered().module));
                }
            }
            _ => {}
        }
    }
    report(&diagnostics, &name, &source, args.format);
    if diagnostics::has_errors(&diagnostics) {
        EXIT_DIAGNOSTICS
    } else {
        0
    }
}

/// Why [`compile_with_data`] failed.
enum Compiled {
    /// Errors in the program or data found once sizes are known, with
    /// their codes (and spans where they have one).
    Diagnostics(Vec<Diagnostic>),
    /// Native code could not be generated (a compiler bug, not the
    /// program's), with the message `hbmc run` would print.
    Failed(String),
}

/// Compiles `program` with the data files as `hbmc run` does before
/// sampling. Only called once the data have validated without errors, so
/// the files are readable and the data's own warnings were already given.
fn compile_with_data(name: &str, program: &hbmc::check::typed::TypedProgram, data: &[PathBuf]) -> Result<hbmc::model::BoundModel, Compiled> {
    use hbmc::model::{Engine, Model, ModelError};
    Model::from_program(name, program.clone()).bind_files(data, Engine::Jit).map_err(|e| match e {
        ModelError::Diagnostics(d) => Compiled::Diagnostics(d.into_iter().filter(Diagnostic::is_error).collect()),
        ModelError::Io(m) | ModelError::Codegen(m) => Compiled::Failed(m),
    })
}

/// Prints diagnostics: JSON on stdout for tools, or rendered on stderr.
fn report(diagnostics: &[Diagnostic], name: &str, source: &str, format: Format) {
    match format {
        Format::Json => {
            let json = diagnostics::to_json(diagnostics, name, source);
            println!("{}", serde_json::to_string_pretty(&json).unwrap_or_else(|_| "[]".into()));
        }
        Format::Human => {
            let colour = std::io::stderr().is_terminal();
            eprint!("{}", diagnostics::render_all(diagnostics, name, source, colour));
            let errors = diagnostics.iter().filter(|d| d.is_error()).count();
            let warnings = diagnostics.len() - errors;
            if errors > 0 {
                eprintln!("{name}: {errors} error{}{}", plural(errors), warn_suffix(warnings));
            } else {
                eprintln!("{name}: ok{}", warn_suffix(warnings));
            }
        }
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn warn_suffix(n: usize) -> String {
    if n == 0 { String::new() } else { format!(", {n} warning{}", plural(n)) }
}
