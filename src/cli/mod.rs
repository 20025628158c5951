//! Command-line parsing and dispatch. Each subcommand has its own module.

mod atomic;
mod bench;
mod build;
mod check;
mod fit_claim;
mod fit_files;
mod fit_record;
mod fit_summary;
mod gradcheck;
mod graph;
mod loo;
mod plot;
mod predict;
mod run;
mod simulate;
mod summary;

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
    /// Compare the compiled gradient with finite differences at random points.
    Gradcheck(gradcheck::GradcheckArgs),
    /// Time compilation and one log-density-with-gradient evaluation.
    Bench(bench::BenchArgs),
    /// Fit a model with NUTS: CmdStan CSV per chain, a summary, diagnostics.
    Run(run::RunArgs),
    /// Summarise existing CmdStan CSV files.
    Summary(summary::SummaryArgs),
    /// Transformed parameters and generated quantities of a fit's draws on new data.
    Predict(predict::PredictArgs),
    /// Draw parameters from their priors and data from the likelihood; write a data file.
    Simulate(simulate::SimulateArgs),
    /// PSIS-LOO from `log_lik` in generated quantities, and a comparison of fits.
    Loo(loo::LooArgs),
    /// The model as a directed graph with plates: Graphviz DOT, or SVG with `-o model.svg`.
    Graph(graph::GraphArgs),
    /// Diagnostic plots of a fit (trace, rank, forest, pair, ppc, energy) as SVG or PNG.
    Plot(plot::PlotArgs),
    /// A shared library with BridgeStan's C ABI for the model (`-o libmodel.so`).
    Build(build::BuildArgs),
}

/// Parses a command line without running it: the fuzz harness
/// (`examples/fuzz.rs`) drives the parser with it.
#[allow(dead_code)]
pub fn parse_only(args: &[String]) -> Result<(), String> {
    Cli::try_parse_from(args).map(|_| ()).map_err(|e| e.to_string())
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
        Command::Gradcheck(args) => gradcheck::run(args),
        Command::Bench(args) => bench::run(args),
        Command::Run(args) => run::run(args),
        Command::Summary(args) => summary::run(args),
        Command::Predict(args) => predict::run(args),
        Command::Loo(args) => loo::run(args),
        Command::Simulate(args) => simulate::run(args),
        Command::Graph(args) => graph::run(args),
        Command::Plot(args) => plot::run(args),
        Command::Build(args) => build::run(args),
    }
}

/// Reads a file named on the command line, or says why it cannot.
pub fn read_file(path: &std::path::Path, what: &str) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("error: cannot read {what} `{}`: {e}", path.display()))
}

/// A model file read from disk, kept to show diagnostics against it.
pub struct ModelSource {
    /// The path as the user gave it, shown in diagnostics.
    pub name: String,
    /// The file name without extension, used as the model's name.
    pub stem: String,
    pub text: String,
}

impl ModelSource {
    /// Reads the model file; on failure prints why and gives the exit code.
    pub fn read(path: &std::path::Path) -> Result<ModelSource, i32> {
        let text = read_file(path, "model").map_err(|e| {
            eprintln!("{e}");
            EXIT_USAGE
        })?;
        Ok(ModelSource {
            name: path.display().to_string(),
            stem: path.file_stem().map_or("model".into(), |s| s.to_string_lossy().into_owned()),
            text,
        })
    }

    /// Renders diagnostics against this source on stderr (coloured on a terminal).
    pub fn report(&self, diagnostics: &[hbmc::diagnostics::Diagnostic]) {
        use std::io::IsTerminal;
        let colour = std::io::stderr().is_terminal();
        eprint!("{}", hbmc::diagnostics::render_all(diagnostics, &self.name, &self.text, colour));
    }

    /// Reports why a model could not be compiled or bound and gives the exit
    /// code: a file that cannot be read is a usage error, the rest are the
    /// model's or the data's.
    pub fn report_error(&self, e: hbmc::model::ModelError) -> i32 {
        use hbmc::model::ModelError;
        match e {
            ModelError::Diagnostics(d) => {
                self.report(&d);
                EXIT_DIAGNOSTICS
            }
            ModelError::Io(m) => {
                eprintln!("error: {m}");
                EXIT_USAGE
            }
            ModelError::Codegen(m) => {
                eprintln!("error: {m}");
                EXIT_DIAGNOSTICS
            }
        }
    }
}

/// Compiles a model file and binds its data, printing any diagnostics
/// against the model source. `Err` carries the exit code.
pub fn load_model(
    model: &std::path::Path,
    data: &[std::path::PathBuf],
    engine: hbmc::model::Engine,
) -> Result<hbmc::model::BoundModel, i32> {
    load_model_as(model, data, engine, |m, _, _| Ok((m, Vec::new())))
}

/// [`load_model`] with a step between checking and binding, which sees
/// the data files as read: it may transform the checked model (such as
/// `hbmc run --prior`'s removal of the likelihood) and give data sources
/// that come before the data files (such as `hbmc predict`'s dims of the
/// fit), reporting diagnostics of its own against the source; `Err` is the
/// exit code of a failure it has reported.
pub fn load_model_as(
    model: &std::path::Path,
    data: &[std::path::PathBuf],
    engine: hbmc::model::Engine,
    prepare: impl FnOnce(
        hbmc::model::Model,
        &ModelSource,
        &[hbmc::bind::DataSource],
    ) -> Result<(hbmc::model::Model, Vec<hbmc::bind::DataSource>), i32>,
) -> Result<hbmc::model::BoundModel, i32> {
    load_and_bind(model, data, prepare, |m, sources| m.bind(sources, engine))
}

/// [`load_model_as`] with the binding step given.
fn load_and_bind(
    model: &std::path::Path,
    data: &[std::path::PathBuf],
    prepare: impl FnOnce(
        hbmc::model::Model,
        &ModelSource,
        &[hbmc::bind::DataSource],
    ) -> Result<(hbmc::model::Model, Vec<hbmc::bind::DataSource>), i32>,
    bind: impl FnOnce(&hbmc::model::Model, &[hbmc::bind::DataSource]) -> Result<hbmc::model::BoundModel, hbmc::model::ModelError>,
) -> Result<hbmc::model::BoundModel, i32> {
    use hbmc::model::Model;
    let source = ModelSource::read(model)?;
    let report = |e| source.report_error(e);
    let checked = Model::compile(&source.stem, &source.text).map_err(report)?;
    if !checked.warnings.is_empty() {
        source.report(&checked.warnings);
    }
    let files = hbmc::model::read_data_files(data).map_err(report)?;
    let (checked, mut sources) = prepare(checked, &source, &files)?;
    sources.extend(files);
    let bound = bind(&checked, &sources).map_err(report)?;
    if !bound.data_warnings.is_empty() {
        source.report(&bound.data_warnings);
    }
    Ok(bound)
}

/// [`load_model`] for a gradient check: every ODE solve of the model at
/// `controls` (when given), so that finite differences measure the
/// gradient and not the solver's error (a model without ODEs lowers the
/// same either way). Returns the model and whether it solves ODEs at
/// those controls.
pub fn load_model_for_gradcheck(
    model: &std::path::Path,
    data: &[std::path::PathBuf],
    engine: hbmc::model::Engine,
    controls: Option<hbmc::model::OdeControls>,
) -> Result<(hbmc::model::BoundModel, bool), i32> {
    let bound = load_and_bind(model, data, |m, _, _| Ok((m, Vec::new())), |m, sources| match controls {
        Some(c) => m.bind_with_ode_controls(sources, engine, c),
        None => m.bind(sources, engine),
    })?;
    // Only ODE solves take the tightened controls (algebraic solvers and
    // integrals share their machinery but keep their own tolerances).
    let tightened = controls.is_some()
        && bound.lowered().module.odes.iter().any(|s| s.kind == hbmc_compiler::ir::ode::SystemKind::Ode);
    Ok((bound, tightened))
}
