//! The summary that `hbmc run` and `hbmc summary` print from a fit's CSV
//! files: by default a table a person reads (large containers condensed,
//! the worst R-hat and lowest ESS of all cells closing it), `--vars`
//! patterns or `--all` for more, `--format csv|json` for tools. The files
//! are read a chunk of columns at a time (see `hbmc_runtime::summary::fit`),
//! so memory is bounded by what is shown, not by draws x columns.

use super::atomic::AtomicFile;
use super::fit_files::{check_one_fit, ChainHeader};
use super::fit_record::ALLOW_MIXED_HINT;
use clap::{Args, ValueEnum};
use hbmc_runtime::summary::digest::Layout;
use hbmc_runtime::summary::fit::{fit_sampler_diagnostics, ColumnSource};
use hbmc_runtime::summary::{csv_row, json_row, CSV_HEADER};
use hbmc_runtime::{
    sampler_warnings, summarize_fit, variable_warnings, Digest, Draws, FitColumns, FitDims, FitSummarySettings, IndexedCsv, SamplerDiagnostics,
    Selection,
};
use std::io::Write;
use std::path::{Path, PathBuf};

/// What the summary shows and in which form (shared by `run` and `summary`).
#[derive(Args, Clone, Debug, Default)]
pub struct SummaryView {
    /// Cells to show, all of them: variables or patterns such as `theta`,
    /// `alpha[*, grade=2]`, `alpha[3, *]`, `alpha[grade=2]` (comma-separated
    /// or repeated). Default: every variable, large containers condensed.
    #[arg(long)]
    vars: Vec<String>,
    /// Show every cell of every variable (no condensing).
    #[arg(long)]
    all: bool,
    /// `text`: the table for people; `csv` or `json`: every selected cell
    /// at full precision, for tools.
    #[arg(long, value_enum, default_value_t = SummaryFormat::Text)]
    format: SummaryFormat,
}

/// The form of the summary.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum SummaryFormat {
    /// An aligned table, condensed unless `--all` or `--vars`.
    #[default]
    Text,
    /// One line per cell, full precision.
    Csv,
    /// One JSON object: the chains, every cell, the worst cells.
    Json,
}

impl SummaryView {
    /// The `--vars` patterns, parsed (errors say how to write them).
    pub fn selection(&self) -> Result<Selection, String> {
        Selection::parse(&self.vars)
    }
}

/// Where the summary goes.
pub enum Destination<'a> {
    /// Standard output.
    Stdout,
    /// A file, written atomically.
    File(&'a Path),
}

/// Everything the summary needs besides the files.
pub struct SummaryRequest<'a> {
    /// The fit's dims (labels and patterns); empty without a dims file.
    pub dims: &'a FitDims,
    /// Form and selection.
    pub view: &'a SummaryView,
    /// Significant figures of the text table.
    pub sig_figs: usize,
    /// Threads for the statistics (0: one per core).
    pub threads: usize,
    /// The run's own sampler diagnostics, if known (else read from the files).
    pub diagnostics: Option<SamplerDiagnostics>,
    /// Where to write.
    pub destination: Destination<'a>,
    /// Summarise files of different fits together (same columns only).
    pub allow_mixed: bool,
}

/// Summarises the fit in `files` as `request` says: the table (or CSV,
/// JSON) to its destination, and returns the warnings to print (partial or
/// empty chains first, then the sampler's and convergence warnings).
pub fn summarize_files(files: &[PathBuf], request: &SummaryRequest) -> Result<Vec<String>, String> {
    let selection = request.view.selection()?;
    let indexed = IndexedCsv::open_all(files).map_err(|e| e.to_string())?;
    if request.allow_mixed {
        check_same_columns(&indexed)?;
    } else {
        let headers: Vec<ChainHeader> = indexed.iter().map(|f| (f.path.as_path(), f.config.as_slice(), f.column_names.as_slice())).collect();
        check_one_fit(&headers).map_err(|e| format!("{e}; {ALLOW_MIXED_HINT}"))?;
    }
    let mut warnings = Vec::new();
    let (kept, empty): (Vec<IndexedCsv>, Vec<IndexedCsv>) = indexed.into_iter().partition(|f| f.num_draws() > 0);
    for f in &empty {
        warnings.push(format!("{} has no draws{}: left out of the summary", f.path.display(), if f.interrupted { " (interrupted)" } else { "" }));
    }
    if kept.is_empty() {
        return Err(format!("no draws in {}", files.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")));
    }
    let partial = partial_note(&kept);
    let mut fit = FitColumns::from_files(kept);
    selection.check(fit.column_names(), request.dims)?;
    let diagnostics = match &request.diagnostics {
        Some(d) if empty.is_empty() => d.clone(),
        _ => fit_sampler_diagnostics(&mut fit).map_err(|e| e.to_string())?,
    };
    let paths: Vec<PathBuf> = fit.files().iter().map(|f| f.path.clone()).collect();
    let shown = ShownFit { files: &paths, partial, diagnostics };
    warnings.extend(summarize_columns(&mut fit, shown, &selection, request)?);
    Ok(warnings)
}

/// Summarises the draws of complete chains that a run still holds and has
/// written to `files`: the same output as [`summarize_files`] on those
/// files (they hold the same values: the CSV's shortest round-trip numbers
/// read back exactly), without parsing them back. The request carries the
/// run's sampler diagnostics (the draws alone do not give the run's
/// settings).
pub fn summarize_draws(draws: &mut Draws, files: &[PathBuf], request: &SummaryRequest) -> Result<Vec<String>, String> {
    let selection = request.view.selection()?;
    selection.check(&draws.column_names, request.dims)?;
    let diagnostics = request.diagnostics.clone().ok_or("a summary of draws in memory needs the run's sampler diagnostics")?;
    let shown = ShownFit { files, partial: None, diagnostics };
    summarize_columns(draws, shown, &selection, request)
}

/// What the summary says about the fit besides its columns.
struct ShownFit<'a> {
    /// The chains' files, listed in the JSON form.
    files: &'a [PathBuf],
    /// The note on interrupted or unequal chains.
    partial: Option<String>,
    /// The sampler's diagnostics, for its warnings.
    diagnostics: SamplerDiagnostics,
}

/// The summary of `fit`'s selected columns to the request's destination;
/// returns the warnings (the partial note in the tools' forms, the
/// sampler's, the variables').
fn summarize_columns(fit: &mut dyn ColumnSource, shown: ShownFit, selection: &Selection, request: &SummaryRequest) -> Result<Vec<String>, String> {
    let ShownFit { files, partial, diagnostics } = shown;
    let mut warnings = Vec::new();
    let names = fit.column_names().to_vec();
    let columns: Vec<usize> = (0..names.len())
        .filter(|&c| !names[c].ends_with("__") || names[c] == "lp__")
        .filter(|&c| selection.matches(&request.dims.cell(&names[c])))
        .collect();
    let num_chains = fit.draws_per_chain().len();
    let layout = match request.view.format {
        SummaryFormat::Text if request.view.all || !selection.is_all() => Layout::Full,
        SummaryFormat::Text => Layout::READABLE,
        SummaryFormat::Csv | SummaryFormat::Json => Layout::ChecksOnly,
    };
    let mut digest = Digest::new(layout, num_chains);
    let mut out = match request.destination {
        Destination::Stdout => Output::Stdout(std::io::BufWriter::new(std::io::stdout().lock())),
        Destination::File(path) => Output::File(AtomicFile::create(path).map_err(|e| format!("cannot write `{}`: {e}", path.display()))?),
    };
    let write_error = |e: std::io::Error| format!("cannot write the summary: {e}");
    let settings = FitSummarySettings { threads: request.threads, ..Default::default() };
    let format = request.view.format;
    let mut first_row = true;
    match format {
        SummaryFormat::Text => {
            if let Some(note) = &partial {
                writeln!(out, "{note}").map_err(write_error)?;
            }
        }
        SummaryFormat::Csv => writeln!(out, "{CSV_HEADER}").map_err(write_error)?,
        SummaryFormat::Json => {
            let draws: Vec<String> = fit.draws_per_chain().iter().map(usize::to_string).collect();
            let files: Vec<String> = files.iter().map(|f| json_string(&f.display().to_string())).collect();
            write!(
                out,
                "{{\n\"files\": [{}],\n\"draws_per_chain\": [{}],\n\"partial\": {},\n\"rows\": [",
                files.join(", "),
                draws.join(", "),
                partial.is_some()
            )
            .map_err(write_error)?;
        }
    }
    summarize_fit(fit, &columns, request.dims, &settings, &mut |variable, row| {
        match format {
            SummaryFormat::Text => {}
            SummaryFormat::Csv => writeln!(out, "{}", csv_row(variable, &row))?,
            SummaryFormat::Json => write!(out, "{}\n{}", if first_row { "" } else { "," }, json_row(variable, &row))?,
        }
        first_row = false;
        digest.add(variable, row);
        Ok(())
    })
    .map_err(|e| e.to_string())?;
    match format {
        SummaryFormat::Text => {
            write!(out, "{}", digest.to_text(request.sig_figs, selection.is_all())).map_err(write_error)?;
        }
        SummaryFormat::Csv => {}
        SummaryFormat::Json => writeln!(out, "\n],\n\"worst\": {}\n}}", digest.overall().to_json()).map_err(write_error)?,
    }
    out.finish().map_err(write_error)?;
    if let Some(note) = partial.filter(|_| format != SummaryFormat::Text) {
        warnings.push(note);
    }
    warnings.extend(sampler_warnings(&diagnostics));
    warnings.extend(variable_warnings(digest.checks(), num_chains));
    Ok(warnings)
}

/// The summary's writer: standard output, or a file put in place whole.
enum Output<'a> {
    Stdout(std::io::BufWriter<std::io::StdoutLock<'a>>),
    File(AtomicFile),
}

impl Output<'_> {
    /// Flushes standard output, or commits the file.
    fn finish(self) -> std::io::Result<()> {
        match self {
            Output::Stdout(mut w) => w.flush(),
            Output::File(f) => f.commit(),
        }
    }
}

impl Write for Output<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Output::Stdout(w) => w.write(buf),
            Output::File(f) => f.write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Output::Stdout(w) => w.flush(),
            Output::File(f) => f.flush(),
        }
    }
}

/// Files of one fit have the same columns; the error names the odd file.
fn check_same_columns(files: &[IndexedCsv]) -> Result<(), String> {
    let Some(first) = files.first() else { return Ok(()) };
    for f in &files[1..] {
        if f.column_names != first.column_names {
            return Err(format!(
                "{} has other columns than {}: they are not chains of one fit",
                f.path.display(),
                first.path.display()
            ));
        }
    }
    Ok(())
}

/// The first line of a summary over partial chains: which files were
/// interrupted, and with how many draws of how many.
fn partial_note(files: &[IndexedCsv]) -> Option<String> {
    let counts: Vec<usize> = files.iter().map(IndexedCsv::num_draws).collect();
    // A thinned chain keeps ceil(num_samples / thin) draws, as CmdStan's.
    let expected = files
        .iter()
        .filter_map(|f| {
            let num = f.config_value("num_samples")?.parse::<usize>().ok()?;
            let thin = f.config_value("thin").and_then(|v| v.parse::<usize>().ok()).unwrap_or(1).max(1);
            Some(num.div_ceil(thin))
        })
        .max();
    let partial: Vec<String> = files
        .iter()
        .filter(|f| f.interrupted || expected.is_some_and(|e| f.num_draws() < e))
        .map(|f| match expected {
            Some(e) => format!("{} has {} of {e} draws", f.path.display(), f.num_draws()),
            None => format!("{} has {} draws", f.path.display(), f.num_draws()),
        })
        .collect();
    if partial.is_empty() && counts.iter().all(|&c| c == counts[0]) {
        return None;
    }
    let shortest = counts.iter().min().copied().unwrap_or(0);
    let cut = if counts.iter().any(|&c| c != shortest) {
        format!("; R-hat and ESS use the first {shortest} draws of each chain")
    } else {
        String::new()
    };
    let what = if partial.is_empty() { "chains of different lengths".to_string() } else { partial.join(", ") };
    Some(format!("Partial fit (interrupted or unfinished chains): {what}{cut}"))
}

fn json_string(s: &str) -> String {
    serde_json::Value::String(s.to_string()).to_string()
}

/// The fit's dims from a `PREFIX_dims.json` value (`{"dims": {...},
/// "variables": {...}}`, as `hbmc run` writes it); parts that are not so
/// are left out.
pub fn fit_dims_from_json(json: &serde_json::Value) -> FitDims {
    let mut dims = FitDims::default();
    if let Some(members) = json["dims"].as_object() {
        for (dim, labels) in members {
            if let Some(labels) = labels.as_array() {
                let labels = labels.iter().map(|l| l.as_str().map_or_else(|| l.to_string(), str::to_string)).collect();
                dims.members.insert(dim.clone(), labels);
            }
        }
    }
    if let Some(vars) = json["variables"].as_object() {
        for (name, axes) in vars {
            if let Some(axes) = axes.as_array() {
                dims.variables.insert(name.clone(), axes.iter().map(|a| a.as_str().map(str::to_string)).collect());
            }
        }
    }
    dims
}

/// The dims of the fit whose first chain file is `first_file`, from the
/// `PREFIX_dims.json` beside it (empty when there is none, e.g. CmdStan's
/// files).
pub fn fit_dims_beside(first_file: &Path) -> FitDims {
    let name = first_file.to_string_lossy();
    let Some((prefix, _)) = name.rsplit_once('_') else { return FitDims::default() };
    let Ok(text) = std::fs::read_to_string(format!("{prefix}_dims.json")) else { return FitDims::default() };
    serde_json::from_str::<serde_json::Value>(&text).map(|j| fit_dims_from_json(&j)).unwrap_or_default()
}
