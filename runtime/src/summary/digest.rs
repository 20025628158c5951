//! A summary a person reads: rows arrive one cell at a time (in column
//! order, so a variable's cells are together) and only what is shown is
//! kept. Scalars and small containers are shown in full; a larger
//! container shows its first cells and one line for the rest, with their
//! worst R-hat and lowest ESS; the worst R-hat and lowest ESS of all cells
//! close the table. The same pass counts, per variable, the cells over the
//! convergence thresholds, for warnings that stay short on a million cells.

use super::format::{json_number, json_string, table_lines, thousands};
use super::SummaryRow;
use crate::diagnostics::warnings::{ESS_PER_CHAIN_THRESHOLD, RHAT_THRESHOLD};

/// How much of each variable a digest shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// Every cell (`--all`, or cells chosen with `--vars`).
    Full,
    /// No cell kept: only the extremes and checks (when the rows go
    /// elsewhere, e.g. to a CSV file).
    ChecksOnly,
    /// Containers of at most `full_limit` cells in full, larger ones by
    /// their first `show_first` cells and one line.
    Condensed {
        /// The largest container shown in full.
        full_limit: usize,
        /// Cells shown of a larger container.
        show_first: usize,
    },
}

impl Layout {
    /// The default: containers up to 12 cells in full (a dim of a dozen
    /// members), else the first 3 cells.
    pub const READABLE: Layout = Layout::Condensed { full_limit: 12, show_first: 3 };
}

/// The worst R-hat and lowest ESS among some cells, with the cells'
/// labels.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Extremes {
    /// Cells counted.
    pub cells: usize,
    /// The largest R-hat and its cell.
    pub max_rhat: Option<(f64, String)>,
    /// The smallest bulk ESS and its cell.
    pub min_ess_bulk: Option<(f64, String)>,
    /// The smallest tail ESS and its cell.
    pub min_ess_tail: Option<(f64, String)>,
    /// Cells whose R-hat is not defined (constant or non-finite draws, or
    /// too few).
    pub undefined: usize,
}

impl Extremes {
    fn add(&mut self, row: &SummaryRow) {
        self.cells += 1;
        if row.rhat.is_nan() {
            self.undefined += 1;
        }
        let keep = |slot: &mut Option<(f64, String)>, x: f64, better: fn(f64, f64) -> bool| {
            if !x.is_nan() && slot.as_ref().is_none_or(|(v, _)| better(x, *v)) {
                *slot = Some((x, row.label.clone()));
            }
        };
        keep(&mut self.max_rhat, row.rhat, |a, b| a > b);
        keep(&mut self.min_ess_bulk, row.ess_bulk, |a, b| a < b);
        keep(&mut self.min_ess_tail, row.ess_tail, |a, b| a < b);
    }
}

impl Extremes {
    /// As JSON: `{"cells": n, "rhat": {"value": .., "label": ..}, "ess_bulk":
    /// .., "ess_tail": .., "rhat_undefined": n}` (`null` where no cell has a value).
    pub fn to_json(&self) -> String {
        let one = |e: &Option<(f64, String)>| {
            e.as_ref().map_or("null".to_string(), |(v, l)| format!("{{\"value\": {}, \"label\": {}}}", json_number(*v), json_string(l)))
        };
        format!(
            "{{\"cells\": {}, \"rhat\": {}, \"ess_bulk\": {}, \"ess_tail\": {}, \"rhat_undefined\": {}}}",
            self.cells,
            one(&self.max_rhat),
            one(&self.min_ess_bulk),
            one(&self.min_ess_tail),
            self.undefined
        )
    }
}

/// One variable's cells over the convergence thresholds.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct VariableChecks {
    /// The variable.
    pub variable: String,
    /// Its cells.
    pub cells: usize,
    /// Cells with R-hat above [`RHAT_THRESHOLD`], and the worst.
    pub rhat_over: usize,
    /// The largest R-hat above the threshold and its cell.
    pub worst_rhat: Option<(f64, String)>,
    /// Cells whose bulk or tail ESS is below the per-chain threshold.
    pub ess_under: usize,
    /// The lowest ESS below the threshold: value, cell, `bulk` or `tail`.
    pub worst_ess: Option<(f64, String, &'static str)>,
}

impl VariableChecks {
    fn add(&mut self, row: &SummaryRow, min_ess: f64) {
        self.cells += 1;
        if row.rhat > RHAT_THRESHOLD {
            self.rhat_over += 1;
            if self.worst_rhat.as_ref().is_none_or(|(v, _)| row.rhat > *v) {
                self.worst_rhat = Some((row.rhat, row.label.clone()));
            }
        }
        let (ess, which) = if row.ess_bulk <= row.ess_tail { (row.ess_bulk, "bulk") } else { (row.ess_tail, "tail") };
        if ess < min_ess {
            self.ess_under += 1;
            if self.worst_ess.as_ref().is_none_or(|(v, _, _)| ess < *v) {
                self.worst_ess = Some((ess, row.label.clone(), which));
            }
        }
    }
}

/// One variable in the digest.
#[derive(Clone, Debug, PartialEq)]
struct Group {
    checks: VariableChecks,
    /// The rows kept to show.
    shown: Vec<SummaryRow>,
    /// The cells not shown.
    hidden: Extremes,
}

/// Rows digested for people (see the module doc).
#[derive(Clone, Debug, PartialEq)]
pub struct Digest {
    layout: Layout,
    min_ess: f64,
    groups: Vec<Group>,
    overall: Extremes,
}

impl Digest {
    /// An empty digest for a fit of `num_chains` chains (the ESS threshold
    /// of the warnings is per chain).
    pub fn new(layout: Layout, num_chains: usize) -> Digest {
        Digest { layout, min_ess: ESS_PER_CHAIN_THRESHOLD * num_chains.max(1) as f64, groups: Vec::new(), overall: Extremes::default() }
    }

    /// Adds the row of the next cell, a cell of `variable`.
    pub fn add(&mut self, variable: &str, row: SummaryRow) {
        self.overall.add(&row);
        if self.groups.last().is_none_or(|g| g.checks.variable != variable) {
            self.groups.push(Group {
                checks: VariableChecks { variable: variable.to_string(), ..Default::default() },
                shown: Vec::new(),
                hidden: Extremes::default(),
            });
        }
        let Some(group) = self.groups.last_mut() else { return };
        group.checks.add(&row, self.min_ess);
        match self.layout {
            Layout::Full => group.shown.push(row),
            Layout::ChecksOnly => group.hidden.add(&row),
            Layout::Condensed { full_limit, show_first } => {
                if group.shown.len() < full_limit && group.hidden.cells == 0 {
                    group.shown.push(row);
                } else {
                    if group.hidden.cells == 0 {
                        // The container is larger than full_limit: keep its first cells only.
                        for r in group.shown.drain(show_first.min(full_limit)..) {
                            group.hidden.add(&r);
                        }
                    }
                    group.hidden.add(&row);
                }
            }
        }
    }

    /// The worst R-hat and lowest ESS of every cell added.
    pub fn overall(&self) -> &Extremes {
        &self.overall
    }

    /// Each variable's cells over the convergence thresholds.
    pub fn checks(&self) -> impl Iterator<Item = &VariableChecks> {
        self.groups.iter().map(|g| &g.checks)
    }

    /// The table: the header, the rows shown with a line for each
    /// container's hidden cells, and the worst cells closing it (of all
    /// the fit's cells when `all_cells`, else of the cells shown).
    pub fn to_text(&self, sig_figs: usize, all_cells: bool) -> String {
        let rows: Vec<&SummaryRow> = self.groups.iter().flat_map(|g| g.shown.iter()).collect();
        let mut lines = table_lines(&rows, sig_figs).into_iter();
        let mut out = String::new();
        let mut push = |line: &str| {
            out.push_str(line);
            out.push('\n');
        };
        if let Some(header) = lines.next() {
            push(&header);
        }
        for g in &self.groups {
            for _ in &g.shown {
                if let Some(line) = lines.next() {
                    push(&line);
                }
            }
            if g.hidden.cells > 0 && self.layout != Layout::ChecksOnly {
                push(&hidden_line(&g.checks.variable, &g.hidden));
            }
        }
        push(&worst_line(&self.overall, all_cells));
        out
    }
}

/// `  z_alpha: 380 more cells, R-hat ≤ 1.004, ESS_bulk ≥ 2,297, ESS_tail ≥ 2,350; --vars z_alpha shows all`
fn hidden_line(variable: &str, hidden: &Extremes) -> String {
    // Bounds rounded outwards, so that they hold for every hidden cell.
    let rhat = hidden.max_rhat.as_ref().map_or("R-hat undefined".to_string(), |(r, _)| format!("R-hat ≤ {:.3}", (r * 1000.0).ceil() / 1000.0));
    let ess = |name: &str, e: &Option<(f64, String)>| {
        e.as_ref().map_or(format!("{name} undefined"), |(v, _)| format!("{name} ≥ {}", thousands(v.floor() as u64)))
    };
    let undefined = if hidden.undefined > 0 && hidden.max_rhat.is_some() {
        format!(" (R-hat undefined for {})", thousands(hidden.undefined as u64))
    } else {
        String::new()
    };
    format!(
        "  {variable}: {} more cell{}, {rhat}{undefined}, {}, {}; --vars {variable} shows all",
        thousands(hidden.cells as u64),
        if hidden.cells == 1 { "" } else { "s" },
        ess("ESS_bulk", &hidden.min_ess_bulk),
        ess("ESS_tail", &hidden.min_ess_tail),
    )
}

/// `Worst of all 1,046 cells: R-hat 1.006 (sigma_alpha[grade=4]), ...`
/// (`Worst of the 8 cells shown: ...` when not `all_cells`).
fn worst_line(all: &Extremes, all_cells: bool) -> String {
    let n = thousands(all.cells as u64);
    let cells = match (all_cells, all.cells) {
        (true, 1) => "the only cell".to_string(),
        (true, _) => format!("all {n} cells"),
        (false, 1) => "the 1 cell shown".to_string(),
        (false, _) => format!("the {n} cells shown"),
    };
    let mut parts = Vec::new();
    if let Some((r, at)) = &all.max_rhat {
        parts.push(format!("R-hat {r:.3} ({at})"));
    }
    for (name, e) in [("ESS_bulk", &all.min_ess_bulk), ("ESS_tail", &all.min_ess_tail)] {
        if let Some((v, at)) = e {
            parts.push(format!("{name} {} ({at})", thousands(v.round() as u64)));
        }
    }
    if all.undefined > 0 {
        parts.push(format!(
            "R-hat undefined for {} (constant or non-finite draws, or too few)",
            if all.undefined == 1 { "1 cell".to_string() } else { format!("{} cells", thousands(all.undefined as u64)) }
        ));
    }
    format!("Worst of {cells}: {}", parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(label: &str, rhat: f64, ess: f64) -> SummaryRow {
        SummaryRow {
            label: label.into(),
            column: label.into(),
            mean: 0.5,
            sd: 1.0,
            q5: -1.0,
            q50: 0.5,
            q95: 2.0,
            mcse_mean: 0.01,
            ess_bulk: ess,
            ess_tail: ess + 100.0,
            rhat,
        }
    }

    #[test]
    fn large_containers_are_condensed_and_extremes_kept() {
        let mut d = Digest::new(Layout::Condensed { full_limit: 3, show_first: 2 }, 4);
        d.add("mu", row("mu", 1.001, 3000.0));
        for (i, (r, e)) in [(1.0, 2500.0), (1.002, 2400.0), (1.0041, 2301.7), (1.003, 2600.0)].iter().enumerate() {
            d.add("z", row(&format!("z[{}]", i + 1), *r, *e));
        }
        for i in 1..=3 {
            d.add("theta", row(&format!("theta[{i}]"), 1.0, 1000.0 + i as f64));
        }
        d.add("c", row("c", f64::NAN, f64::NAN));
        let text = d.to_text(3, true);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 1 + 1 + 2 + 1 + 3 + 1 + 1, "{text}");
        assert!(lines[2].starts_with("z[1] ") && lines[3].starts_with("z[2] "), "{text}");
        // The hidden cells' bounds hold for each of them: 1.0041 rounds up, 2301.7 down.
        assert_eq!(lines[4], "  z: 2 more cells, R-hat ≤ 1.005, ESS_bulk ≥ 2,301, ESS_tail ≥ 2,401; --vars z shows all");
        assert!(lines[5].starts_with("theta[1]") && lines[7].starts_with("theta[3]"), "{text}");
        assert_eq!(
            lines[9],
            "Worst of all 9 cells: R-hat 1.004 (z[3]), ESS_bulk 1,001 (theta[1]), ESS_tail 1,101 (theta[1]), \
             R-hat undefined for 1 cell (constant or non-finite draws, or too few)"
        );
        // Every data line is as wide as the header: the hidden line is not a row.
        assert_eq!(lines[0].chars().count(), lines[1].chars().count());
        let mut full = Digest::new(Layout::Full, 4);
        for (i, e) in [3000.0, 200.0, 250.0].iter().enumerate() {
            full.add("z", row(&format!("z[{}]", i + 1), if i == 0 { 1.02 } else { 1.0 }, *e));
        }
        let text = full.to_text(3, false);
        assert_eq!(text.lines().count(), 1 + 3 + 1);
        assert!(text.lines().last().is_some_and(|l| l.starts_with("Worst of the 3 cells shown: R-hat 1.020 (z[1]), ESS_bulk 200 (z[2])")), "{text}");
        let checks: Vec<&VariableChecks> = full.checks().collect();
        assert_eq!((checks[0].cells, checks[0].rhat_over, checks[0].ess_under), (3, 1, 2));
        assert_eq!(checks[0].worst_ess, Some((200.0, "z[2]".to_string(), "bulk")));
    }
}
