//! `hbmc plot PREFIX --kind trace|rank|forest|pair|ppc|energy -o FILE.svg`:
//! diagnostic plots of a fit's CSV files (drawing in src/plot).

use super::fit_files::chain_files;
use super::EXIT_USAGE;
use clap::{Args, ValueEnum};
use hbmc::plot::{column_chains, column_label, columns_of, PlotInput, PlotKind, Series};
use hbmc_runtime::{read_csv_files, Draws};
use std::path::PathBuf;

/// Arguments of `hbmc plot`.
#[derive(Args)]
pub struct PlotArgs {
    /// The fit's prefix: its chains are `PREFIX_1.csv`, `PREFIX_2.csv`, ...
    /// (labels come from `PREFIX_dims.json` when it is there).
    prefix: String,
    /// Which plot.
    #[arg(long, value_enum)]
    kind: Kind,
    /// Variables to plot: names (`theta`, every cell) or cells as in the
    /// CSV header (`theta.2`); comma-separated or repeated. The default is
    /// the first few variables of the fit (for ppc, the first `*_rep`).
    #[arg(long, value_delimiter = ',')]
    vars: Vec<String>,
    /// The observed data (JSON or CSV) for `--kind ppc`.
    #[arg(long)]
    data: Option<PathBuf>,
    /// The observed variable in `--data` (default: the replicated
    /// variable's name without `_rep`, so `y` for `y_rep`).
    #[arg(long)]
    observed: Option<String>,
    /// The picture to write: `.svg`.
    #[arg(short, long)]
    output: PathBuf,
}

#[derive(Clone, Copy, ValueEnum)]
enum Kind {
    /// Draws against iteration, one line per chain.
    Trace,
    /// Histograms of each chain's ranks among all draws.
    Rank,
    /// Medians with 50% and 94% intervals, one row per cell.
    Forest,
    /// Scatter plots of every pair of variables.
    Pair,
    /// Replicated data (`y_rep`) against the observed data (needs --data).
    Ppc,
    /// Marginal energy against energy transitions, with E-BFMI per chain.
    Energy,
}

/// Runs `hbmc plot`.
pub fn run(args: PlotArgs) -> i32 {
    match plot(args) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: {e}");
            EXIT_USAGE
        }
    }
}

fn plot(args: PlotArgs) -> Result<(), String> {
    let ext = args.output.extension().map(|e| e.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
    match ext.as_str() {
        "svg" => {}
        "png" => {
            return Err(format!(
                "cannot write `{}`: hbmc draws SVG only (a PNG renderer needs system font libraries); write `.svg` and convert it, for example with `rsvg-convert plot.svg -o plot.png`",
                args.output.display()
            ))
        }
        _ => return Err(format!("cannot tell the format of `{}` from its extension: name it `.svg`", args.output.display())),
    }
    let files = chain_files(&args.prefix)?;
    let (draws, _) = read_csv_files(&files).map_err(|e| e.to_string())?;
    let dims = std::fs::read_to_string(format!("{}_dims.json", args.prefix)).ok().and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok());
    let title = std::path::Path::new(&args.prefix).file_name().map_or(args.prefix.clone(), |s| s.to_string_lossy().into_owned());
    let mut input = PlotInput { title, ..Default::default() };
    let kind = match args.kind {
        Kind::Trace => PlotKind::Trace,
        Kind::Rank => PlotKind::Rank,
        Kind::Forest => PlotKind::Forest,
        Kind::Pair => PlotKind::Pair,
        Kind::Ppc => PlotKind::Ppc,
        Kind::Energy => PlotKind::Energy,
    };
    match kind {
        PlotKind::Energy => {
            let i = draws.column_index("energy__").ok_or("the fit has no `energy__` column (it was not sampled with NUTS)")?;
            input.energy = column_chains(&draws, i);
        }
        PlotKind::Ppc => {
            let rep = match args.vars.as_slice() {
                [] => draws
                    .column_names
                    .iter()
                    .map(|c| c.split('.').next().unwrap_or(c))
                    .find(|b| b.ends_with("_rep"))
                    .ok_or("the fit has no replicated data (a generated quantity named `*_rep`); name one with --vars")?
                    .to_string(),
                [one] => one.clone(),
                _ => return Err("--kind ppc takes one replicated variable in --vars, such as `y_rep`".into()),
            };
            input.series = select(&draws, &[rep.clone()], dims.as_ref(), usize::MAX)?;
            let observed = args.observed.clone().unwrap_or_else(|| rep.strip_suffix("_rep").unwrap_or(&rep).to_string());
            let data = args.data.as_ref().ok_or(format!("--kind ppc needs the observed data: --data FILE (with `{observed}`)"))?;
            input.observed = read_observed(data, &observed)?;
            input.observed_name = observed;
        }
        _ => {
            let limit = match kind {
                PlotKind::Forest => 60,
                PlotKind::Pair => 4,
                _ => 6,
            };
            let names = if args.vars.is_empty() { default_vars(&draws) } else { args.vars.clone() };
            input.series = select(&draws, &names, dims.as_ref(), limit)?;
        }
    }
    let svg = hbmc::plot::to_svg(kind, &input)?;
    std::fs::write(&args.output, svg).map_err(|e| format!("cannot write `{}`: {e}", args.output.display()))
}

/// The fit's variables other than the sampler's, replicated data and
/// pointwise log-likelihoods, in file order.
fn default_vars(draws: &Draws) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for c in &draws.column_names {
        let base = c.split('.').next().unwrap_or(c);
        if !c.ends_with("__") && !base.ends_with("_rep") && base != "log_lik" && !out.iter().any(|o| o == base) {
            out.push(base.to_string());
        }
    }
    out
}

/// The series of the named variables, at most `limit` cells (a note says
/// when some were left out).
fn select(draws: &Draws, names: &[String], dims: Option<&serde_json::Value>, limit: usize) -> Result<Vec<Series>, String> {
    let mut cells = Vec::new();
    for name in names {
        let found = columns_of(draws, name);
        if found.is_empty() {
            let known = default_vars(draws);
            return Err(format!("the fit has no variable `{name}`; it has {}", known.join(", ")));
        }
        cells.extend(found);
    }
    if cells.len() > limit {
        eprintln!("note: plotting the first {limit} of {} cells; name the ones to plot with --vars", cells.len());
        cells.truncate(limit);
    }
    Ok(cells
        .into_iter()
        .map(|i| Series { label: column_label(&draws.column_names[i], dims), chains: column_chains(draws, i) })
        .collect())
}

/// The values of `name` in a JSON data file (a number or array of
/// numbers) or a CSV file (a column with that header).
fn read_observed(path: &std::path::Path, name: &str) -> Result<Vec<f64>, String> {
    let text = super::read_file(path, "data").map_err(|e| e.trim_start_matches("error: ").to_string())?;
    let is_json = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("json"));
    let values = if is_json {
        let json: serde_json::Value = serde_json::from_str(&text).map_err(|e| format!("`{}` is not valid JSON: {e}", path.display()))?;
        let value = json.get(name).ok_or(format!("`{}` has no `{name}`; name the observed variable with --observed", path.display()))?;
        let mut out = Vec::new();
        flatten(value, &mut out).ok_or(format!("`{name}` in `{}` is not numbers", path.display()))?;
        out
    } else {
        let mut lines = text.lines().filter(|l| !l.trim().is_empty());
        let header: Vec<&str> = lines.next().unwrap_or("").split(',').map(|h| h.trim().trim_matches('"')).collect();
        let col = header
            .iter()
            .position(|h| *h == name)
            .ok_or(format!("`{}` has no column `{name}`; name the observed column with --observed", path.display()))?;
        let mut out = Vec::new();
        for (n, line) in lines.enumerate() {
            let cell = line.split(',').nth(col).unwrap_or("").trim().trim_matches('"');
            out.push(cell.parse().map_err(|_| format!("`{}` line {}: `{cell}` in column `{name}` is not a number", path.display(), n + 2))?);
        }
        out
    };
    if values.is_empty() {
        return Err(format!("`{name}` in `{}` has no values", path.display()));
    }
    Ok(values)
}

/// Numbers of nested JSON arrays, in order; `None` if something else.
fn flatten(value: &serde_json::Value, out: &mut Vec<f64>) -> Option<()> {
    match value {
        serde_json::Value::Array(items) => items.iter().try_for_each(|v| flatten(v, out)),
        v => {
            out.push(v.as_f64()?);
            Some(())
        }
    }
}
