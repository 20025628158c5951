//! Posterior summaries: mean, sd, 5%/50%/95% quantiles, MCSE of the mean,
//! bulk and tail ESS and R-hat per column, as a data structure
//! ([`Summary`]) and as an aligned text table ([`Summary::to_table`]).

use crate::diagnostics::rhat_ess::{ess_bulk, ess_tail, mcse_mean, quantile, rhat};
use crate::draws::Draws;
use std::collections::HashMap;
use std::fmt::Write as _;

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

/// Summarises `draws` (see [`SummaryOptions`]).
pub fn summarize(draws: &Draws, options: &SummaryOptions) -> Summary {
    let mut rows = Vec::new();
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
        let chains = draws.column(j);
        rows.push(summarize_column(label, column.clone(), &chains));
    }
    Summary { rows, num_chains: draws.num_chains(), num_draws: draws.total_draws() }
}

/// Summary statistics of one column given as one slice per chain.
pub fn summarize_column(label: String, column: String, chains: &[&[f64]]) -> SummaryRow {
    let all: Vec<f64> = chains.iter().flat_map(|c| c.iter().copied()).collect();
    let n = all.len() as f64;
    let mean = all.iter().sum::<f64>() / n;
    let sd = if all.len() > 1 { (all.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt() } else { f64::NAN };
    SummaryRow {
        label,
        column,
        mean,
        sd,
        q5: quantile(chains, 0.05),
        q50: quantile(chains, 0.5),
        q95: quantile(chains, 0.95),
        mcse_mean: mcse_mean(chains),
        ess_bulk: ess_bulk(chains),
        ess_tail: ess_tail(chains),
        rhat: rhat(chains),
    }
}

/// Formats with `sig` significant digits for a table cell.
fn cell(x: f64, sig: usize) -> String {
    if x.is_nan() {
        return "NaN".to_string();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf".into() } else { "-inf".into() };
    }
    if x == 0.0 {
        return "0".to_string();
    }
    let mag = x.abs().log10().floor() as i32;
    if !(-4..7).contains(&mag) {
        return format!("{:.*e}", sig.saturating_sub(1), x);
    }
    let decimals = (sig as i32 - 1 - mag).max(0) as usize;
    format!("{:.*}", decimals, x)
}

impl Summary {
    /// An aligned text table like CmdStan's `stansummary`:
    /// `name  Mean  MCSE  StdDev  5%  50%  95%  ESS_bulk  ESS_tail  R_hat`.
    /// Numbers have `sig_figs` significant digits (3 is a good default);
    /// ESS are rounded to integers, R-hat has 2 decimals (3 when above 1.00
    /// but below 1.01 would round to 1.01).
    pub fn to_table(&self, sig_figs: usize) -> String {
        let header = ["", "Mean", "MCSE", "StdDev", "5%", "50%", "95%", "ESS_bulk", "ESS_tail", "R_hat"];
        let mut cells: Vec<Vec<String>> = vec![header.iter().map(|s| s.to_string()).collect()];
        for r in &self.rows {
            let ess = |e: f64| if e.is_nan() { "NaN".to_string() } else { format!("{:.0}", e) };
            cells.push(vec![
                r.label.clone(),
                cell(r.mean, sig_figs),
                cell(r.mcse_mean, 2),
                cell(r.sd, sig_figs),
                cell(r.q5, sig_figs),
                cell(r.q50, sig_figs),
                cell(r.q95, sig_figs),
                ess(r.ess_bulk),
                ess(r.ess_tail),
                if r.rhat.is_nan() { "NaN".into() } else { format!("{:.3}", r.rhat) },
            ]);
        }
        let ncol = header.len();
        let widths: Vec<usize> =
            (0..ncol).map(|j| cells.iter().map(|row| row[j].chars().count()).max().unwrap_or(0)).collect();
        let mut out = String::new();
        for row in &cells {
            let mut line = String::new();
            for (j, c) in row.iter().enumerate() {
                if j == 0 {
                    let _ = write!(line, "{:<w$}", c, w = widths[0]);
                } else {
                    let _ = write!(line, "  {:>w$}", c, w = widths[j]);
                }
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
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
        let opts = SummaryOptions { labels, variables: vec!["theta".into()], include_lp: true };
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
