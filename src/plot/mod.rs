//! Diagnostic plots of a fit's draws (`hbmc plot`), drawn with plotters'
//! SVG backend: trace and rank plots per chain, forest plots, pair plots,
//! posterior predictive overlays and the energy plot with E-BFMI.

mod kinds;

use hbmc_runtime::Draws;

/// Which plot to draw.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlotKind {
    Trace,
    Rank,
    Forest,
    Pair,
    Ppc,
    Energy,
}

/// One column selected for plotting.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    /// The label shown, such as `theta[grade=2]`.
    pub label: String,
    /// `chains[chain][draw]`.
    pub chains: Vec<Vec<f64>>,
}

/// What a plot is drawn from.
#[derive(Clone, Debug, Default)]
pub struct PlotInput {
    /// The selected columns, in order.
    pub series: Vec<Series>,
    /// `energy__` per chain (energy plot).
    pub energy: Vec<Vec<f64>>,
    /// Observed values (ppc plot).
    pub observed: Vec<f64>,
    /// The name of the observed variable, for the legend.
    pub observed_name: String,
    /// The fit's name, for titles.
    pub title: String,
}

/// Draws a plot as an SVG document.
pub fn to_svg(kind: PlotKind, input: &PlotInput) -> Result<String, String> {
    let mut out = String::new();
    match kind {
        PlotKind::Trace => kinds::trace(&mut out, input),
        PlotKind::Rank => kinds::rank(&mut out, input),
        PlotKind::Forest => kinds::forest(&mut out, input),
        PlotKind::Pair => kinds::pair(&mut out, input),
        PlotKind::Ppc => kinds::ppc(&mut out, input),
        PlotKind::Energy => kinds::energy(&mut out, input),
    }?;
    Ok(out)
}

/// The columns of variable `name` (`theta` gives `theta.1`, `theta.2`,
/// ...; `theta.2` gives itself), in file order.
pub fn columns_of(draws: &Draws, name: &str) -> Vec<usize> {
    let prefix = format!("{name}.");
    draws
        .column_names
        .iter()
        .enumerate()
        .filter(|(_, c)| *c == name || c.starts_with(&prefix))
        .map(|(i, _)| i)
        .collect()
}

/// The draws of one column as owned chains.
pub fn column_chains(draws: &Draws, index: usize) -> Vec<Vec<f64>> {
    draws.column(index).into_iter().map(|c| c.to_vec()).collect()
}

/// The label of a CSV column from the fit's `PREFIX_dims.json` (parsed):
/// `theta.2` becomes `theta[grade=2]` with the dim's member name, or
/// `theta[2]` without dims.
pub fn column_label(column: &str, dims: Option<&serde_json::Value>) -> String {
    let mut parts = column.split('.');
    let base = parts.next().unwrap_or(column);
    let idx: Vec<&str> = parts.collect();
    if idx.is_empty() {
        return column.to_string();
    }
    let axes = dims.and_then(|d| d["variables"][base].as_array());
    let shown: Vec<String> = idx
        .iter()
        .enumerate()
        .map(|(k, i)| {
            let dim = axes.and_then(|a| a.get(k)).and_then(|a| a.as_str());
            match (dim, i.parse::<usize>()) {
                (Some(dim), Ok(n)) if n >= 1 => {
                    let member = dims.and_then(|d| d["dims"][dim][n - 1].as_str()).map_or(i.to_string(), str::to_string);
                    format!("{dim}={member}")
                }
                _ => i.to_string(),
            }
        })
        .collect();
    format!("{base}[{}]", shown.join(", "))
}
