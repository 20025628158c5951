//! Posterior summaries: mean, sd, 5%/50%/95% quantiles, MCSE of the mean,
//! bulk and tail ESS and R-hat per column, as a data structure
//! ([`Summary`]), as an aligned text table ([`Summary::to_table`]), as a
//! [`Digest`] a person reads, and as CSV or JSON for tools ([`format`]).
//!
//! - [`cells`]: labels (`theta[grade=2]`) from the fit's dims.
//! - [`select`]: `--vars` patterns.
//! - [`digest`]: the condensed table and the per-variable checks.
//! - [`fit`]: the summary of CSV files, a chunk of columns at a time, so
//!   memory stays bounded whatever the number of columns.

pub mod cells;
pub mod digest;
pub mod fit;
pub mod format;
pub mod select;
mod stats;

pub use cells::{Cell, CellIndex, FitDims};
pub use digest::{Digest, Extremes, Layout, VariableChecks};
pub use fit::{summarize_fit, FitSummarySettings};
pub use format::{csv_row, json_row, TableFormat, CSV_HEADER};
pub use select::Selection;

use crate::diagnostics::rhat_ess::RankScores;
use crate::draws::Draws;
use format::table_lines;
use std::collections::HashMap;

/// What to summarise and how to label it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SummaryOptions {
    /// Display labels by CSV column name (e.g. `theta.2` ->
    /// `theta[grade=2]`); columns without a label show their CSV name.
    pub labels: HashMap<String, String>,
    /// Show only variables with these base names (the part of the column
    /// name before the first `.`, or of the label before the first `[`);
    /// empty shows all.
    pub variables: Vec<String>,
    /// Include `lp__` (the other sampler columns are never summarised).
    pub include_lp: bool,
    /// Threads computing the columns' statistics (0: one per core).
    pub threads: usize,
}

/// The summary of one column.
#[derive(Clone, Debug, PartialEq)]
pub struct SummaryRow {
    /// Display label.
    pub label: String,
    /// CSV column name.
    pub column: String,
    /// Posterior mean.
    pub mean: f64,
    /// Posterior standard deviation.
    pub sd: f64,
    /// 5% quantile.
    pub q5: f64,
    /// Median.
    pub q50: f64,
    /// 95% quantile.
    pub q95: f64,
    /// Monte Carlo standard error of the mean.
    pub mcse_mean: f64,
    /// Bulk effective sample size.
    pub ess_bulk: f64,
    /// Tail effective sample size.
    pub ess_tail: f64,
    /// Rank-normalised split R-hat.
    pub rhat: f64,
}

/// A summary of all selected columns.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Summary {
    /// One row per selected column, in column order.
    pub rows: Vec<SummaryRow>,
    /// Number of chains summarised.
    pub num_chains: usize,
    /// Total number of draws summarised.
    pub num_draws: usize,
}

/// The base name of a column or label: before the first `.` or `[`.
pub fn base_name(name: &str) -> &str {
    let end = name.find(['.', '[']).unwrap_or(name.len());
    &name[..end]
}

/// Summarises `draws` (see [`SummaryOptions`]), the columns on several
/// threads (the rows do not depend on their number).
pub fn summarize(draws: &Draws, options: &SummaryOptions) -> Summary {
    let mut jobs = Vec::new();
    for (j, column) in draws.column_names.iter().enumerate() {
        let is_sampler = column.ends_with("__");
        if is_sampler && !(options.include_lp && column == "lp__") {
            continue;
        }
        let label = options.labels.get(column).cloned().unwrap_or_else(|| column.clone());
        if !options.variables.is_empty()
            && !options.variables.iter().any(|v| v == base_name(column) || v == base_name(&label))
        {
            continue;
        }
        jobs.push(stats::ColumnJob { label, column: column.clone(), chains: draws.column(j) });
    }
    let rows = stats::rows_parallel(jobs, options.threads);
    Summary { rows, num_chains: draws.num_chains(), num_draws: draws.total_draws() }
}

/// Summary statistics of one column given as one slice per chain.
pub fn summarize_column(label: String, column: String, chains: &[&[f64]]) -> SummaryRow {
    stats::column_row(label, column, chains, &mut RankScores::default())
}

impl Summary {
    /// An aligned text table like CmdStan's `stansummary`, every row:
    /// `name  Mean  MCSE  StdDev  5%  50%  95%  ESS_bulk  ESS_tail  R_hat`.
    /// Numbers have `sig_figs` significant digits (3 is a good default);
    /// ESS are rounded to integers, R-hat has 3 decimals.
    pub fn to_table(&self, sig_figs: usize) -> String {
        let rows: Vec<&SummaryRow> = self.rows.iter().collect();
        table_lines(&rows, sig_figs).into_iter().map(|l| l + "\n").collect()
    }

    /// The rows digested for people (see [`Digest`]), grouped by the
    /// variable of their column.
    pub fn digest(&self, layout: Layout) -> Digest {
        let mut d = Digest::new(layout, self.num_chains);
        for r in &self.rows {
            d.add(base_name(&r.column), r.clone());
        }
        d
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_labels_and_table() {
        let mk = |off: f64| (0..100).map(|i| ((i * 37) % 100) as f64 / 10.0 + off).collect::<Vec<f64>>();
        let draws = Draws {
            column_names: vec!["lp__".into(), "accept_stat__".into(), "theta.1".into(), "theta.2".into(), "mu".into()],
            chains: vec![vec![mk(0.0), mk(0.0), mk(0.0), mk(1.0), mk(2.0)], vec![mk(0.0), mk(0.0), mk(0.0), mk(1.0), mk(2.0)]],
        };
        let mut labels = HashMap::new();
        labels.insert("theta.2".to_string(), "theta[grade=2]".to_string());
        let opts = SummaryOptions { labels, variables: vec!["theta".into()], include_lp: true, threads: 2 };
        let s = summarize(&draws, &opts);
        assert_eq!(s.rows.len(), 2);
        assert_eq!(s.rows[1].label, "theta[grade=2]");
        assert!((s.rows[1].mean - (s.rows[0].mean + 1.0)).abs() < 1e-12);
        let table = s.to_table(3);
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines.len(), 3);
        assert!(lines[0].trim_start().starts_with("Mean"));
        assert!(lines[2].starts_with("theta[grade=2]"));
        // Right-aligned columns: every line has the same length up to R_hat.
        assert_eq!(lines[0].len(), lines[1].len());
        let all = summarize(&draws, &SummaryOptions { include_lp: true, ..Default::default() });
        assert_eq!(all.rows.iter().map(|r| r.column.as_str()).collect::<Vec<_>>(), ["lp__", "theta.1", "theta.2", "mu"]);
    }
}
