//! Warnings after a run, saying what is wrong and what to try: divergences,
//! transitions at the maximum tree depth, low E-BFMI, high R-hat, low ESS.

use crate::draws::Draws;
use crate::diagnostics::rhat_ess::{ebfmi, mean, var_ddof1};
use crate::sampler::RunResult;
use crate::summary::{Layout, Summary, VariableChecks};

/// Per-chain sampler diagnostics, from a run or from CSV files.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SamplerDiagnostics {
    /// Post-warmup transitions per chain.
    pub transitions: Vec<usize>,
    /// Divergent transitions per chain.
    pub divergences: Vec<u64>,
    /// Transitions at the maximum tree depth per chain.
    pub max_depth_hits: Vec<u64>,
    /// E-BFMI per chain.
    pub ebfmi: Vec<f64>,
    /// Mean and standard deviation of the energies per chain (NaN when
    /// unknown).
    pub energy_mean_sd: Vec<(f64, f64)>,
    /// `adapt_delta` of the run, if known.
    pub adapt_delta: Option<f64>,
    /// Maximum tree depth of the run, if known.
    pub max_depth: Option<u32>,
}

impl SamplerDiagnostics {
    /// From the statistics of a finished run.
    pub fn from_run(run: &RunResult, adapt_delta: f64, max_depth: u32) -> Self {
        SamplerDiagnostics {
            transitions: run.chains.iter().map(|c| c.draws_done).collect(),
            divergences: run.chains.iter().map(|c| c.divergences).collect(),
            max_depth_hits: run.chains.iter().map(|c| c.max_depth_hits).collect(),
            ebfmi: run.chains.iter().map(|c| c.ebfmi).collect(),
            energy_mean_sd: run.chains.iter().map(|c| c.energy_mean_sd).collect(),
            adapt_delta: Some(adapt_delta),
            max_depth: Some(max_depth),
        }
    }

    /// From the sampler columns of draws (e.g. read from CSV files).
    /// `max_depth` comes from the files' configuration (`max_depth`), if
    /// known; without it tree-depth hits are not counted.
    pub fn from_draws(draws: &Draws, adapt_delta: Option<f64>, max_depth: Option<u32>) -> Self {
        let col = |name: &str| draws.column_by_name(name);
        let transitions: Vec<usize> = draws.chains.iter().map(|c| c.first().map_or(0, |v| v.len())).collect();
        let (div, depth, energy) = (col("divergent__"), col("treedepth__"), col("energy__"));
        Self::from_chain_columns(&transitions, div.as_deref(), depth.as_deref(), energy.as_deref(), adapt_delta, max_depth)
    }

    /// From each chain's number of transitions and, when present, its
    /// `divergent__`, `treedepth__` and `energy__` draws.
    pub fn from_chain_columns(
        transitions: &[usize],
        divergent: Option<&[&[f64]]>,
        treedepth: Option<&[&[f64]]>,
        energy: Option<&[&[f64]]>,
        adapt_delta: Option<f64>,
        max_depth: Option<u32>,
    ) -> Self {
        let mut d = SamplerDiagnostics { adapt_delta, max_depth, ..Default::default() };
        for (c, &n) in transitions.iter().enumerate() {
            d.transitions.push(n);
            d.divergences.push(divergent.map_or(0, |v| v[c].iter().filter(|x| **x > 0.5).count() as u64));
            d.max_depth_hits.push(match (treedepth, max_depth) {
                (Some(v), Some(m)) => v[c].iter().filter(|x| **x >= m as f64).count() as u64,
                _ => 0,
            });
            d.ebfmi.push(energy.map_or(f64::NAN, |v| ebfmi(v[c])));
            d.energy_mean_sd.push(energy.map_or((f64::NAN, f64::NAN), |v| mean_sd(v[c])));
        }
        d
    }
}

/// E-BFMI below this suggests the momentum resampling explores the energy
/// distribution poorly (Betancourt 2016; Stan uses 0.3).
pub const EBFMI_THRESHOLD: f64 = 0.3;
/// R-hat above this means the chains have not mixed (Vehtari et al. 2021).
pub const RHAT_THRESHOLD: f64 = 1.01;
/// Bulk or tail ESS below this many per chain is too few for reliable
/// R-hat and MCSE (Vehtari et al. 2021 recommend 100 per chain).
pub const ESS_PER_CHAIN_THRESHOLD: f64 = 100.0;

/// A chain whose mean energy lies more than this many of the lowest chain's
/// standard deviations (at least 1) above that chain's mean did not reach
/// the region the lowest one samples: healthy chains' means differ by a
/// small fraction of one standard deviation.
pub const STUCK_CHAIN_SDS: f64 = 10.0;

/// Mean and (n - 1) standard deviation; NaN with fewer than 2 values.
fn mean_sd(x: &[f64]) -> (f64, f64) {
    if x.len() < 2 {
        return (f64::NAN, f64::NAN);
    }
    (mean(x), var_ddof1(x).sqrt())
}

/// Warnings about the sampler's behaviour.
pub fn sampler_warnings(d: &SamplerDiagnostics) -> Vec<String> {
    let mut w = Vec::new();
    let total: usize = d.transitions.iter().sum();
    let div: u64 = d.divergences.iter().sum();
    if div > 0 {
        w.push(format!(
            "{div} of {total} transitions ended with a divergence: the posterior has regions the sampler \
             cannot follow with this step size, so the draws may be biased. {}",
            divergence_advice(d.adapt_delta)
        ));
    }
    let hits: u64 = d.max_depth_hits.iter().sum();
    if hits > 0 {
        let md = d.max_depth.map_or(String::new(), |m| format!(" of {m}"));
        w.push(format!(
            "{hits} of {total} transitions hit the maximum tree depth{md}: sampling is inefficient (not \
             invalid). Raise --max-depth, or reparameterise or rescale parameters with very different \
             scales or strong correlations (a dense metric may help)."
        ));
    }
    for (c, e) in d.ebfmi.iter().enumerate() {
        if *e < EBFMI_THRESHOLD {
            w.push(format!(
                "E-BFMI {e:.3} in chain {} is below {EBFMI_THRESHOLD}: the sampler may not explore the tails \
                 of the posterior. Reparameterise (heavy tails, funnels) or run longer warmup.",
                c + 1
            ));
        }
    }
    w.extend(stuck_chain_warnings(&d.energy_mean_sd));
    w
}

/// A warning for each chain whose energies lie far above the lowest
/// chain's ([`STUCK_CHAIN_SDS`]): it stayed where the log density is far
/// lower, typically near a start far in the tails.
fn stuck_chain_warnings(energy_mean_sd: &[(f64, f64)]) -> Vec<String> {
    let best = energy_mean_sd
        .iter()
        .enumerate()
        .filter(|(_, (m, s))| m.is_finite() && s.is_finite())
        .min_by(|a, b| a.1 .0.total_cmp(&b.1 .0));
    let Some((b, &(best_mean, best_sd))) = best else { return Vec::new() };
    let limit = best_mean + STUCK_CHAIN_SDS * best_sd.max(1.0);
    energy_mean_sd
        .iter()
        .enumerate()
        .filter(|(c, (m, _))| *c != b && *m > limit)
        .map(|(c, (m, _))| {
            format!(
                "chain {}'s energies lie far above chain {}'s (mean energy__ {} against {}, sd {}): \
                 it stayed where the log density (lp__) is far lower, so its draws are not from the posterior. A chain \
                 that starts far in the tails can stay there, most often with the gradient-based adaptations (low-rank, \
                 the default, and nutpie): rerun with a smaller --init-radius (1 or 0) or with --adapt stan.",
                c + 1,
                b + 1,
                readable(*m),
                readable(best_mean),
                readable(best_sd)
            )
        })
        .collect()
}

/// A number in a warning: four significant digits, in exponent form when
/// large.
fn readable(x: f64) -> String {
    if x.abs() >= 1e6 {
        format!("{x:.3e}")
    } else {
        format!("{x:.4}")
    }
}

/// Warnings about convergence and precision from a summary.
pub fn convergence_warnings(summary: &Summary) -> Vec<String> {
    let digest = summary.digest(Layout::READABLE);
    variable_warnings(digest.checks(), summary.num_chains)
}

/// Warnings about convergence and precision from each variable's checks
/// (see [`Digest`](crate::summary::Digest)): one per variable and problem,
/// naming the cell when one is concerned and counting them otherwise, so
/// that a million cells give a few lines.
pub fn variable_warnings<'a>(checks: impl IntoIterator<Item = &'a VariableChecks>, num_chains: usize) -> Vec<String> {
    let min_ess = ESS_PER_CHAIN_THRESHOLD * num_chains.max(1) as f64;
    let mut w = Vec::new();
    for c in checks {
        if let Some((rhat, label)) = &c.worst_rhat {
            let which = if c.rhat_over == 1 {
                format!("R-hat {rhat:.3} for {label} is above {RHAT_THRESHOLD}")
            } else {
                format!("R-hat is above {RHAT_THRESHOLD} for {} of {} cells of {}, up to {rhat:.3} ({label})", c.rhat_over, c.cells, c.variable)
            };
            w.push(format!(
                "{which}: the chains disagree. Run longer (more --warmup and --draws), check for multimodality, or \
                 reparameterise."
            ));
        }
        if let Some((ess, label, kind)) = &c.worst_ess {
            let which = if c.ess_under == 1 {
                format!("ESS {kind} {ess:.0} for {label} is below {min_ess:.0} ({ESS_PER_CHAIN_THRESHOLD} per chain): its estimates are")
            } else {
                format!(
                    "ESS is below {min_ess:.0} ({ESS_PER_CHAIN_THRESHOLD} per chain) for {} of {} cells of {}, down to {kind} {ess:.0} \
                     ({label}): their estimates are",
                    c.ess_under, c.cells, c.variable
                )
            };
            w.push(format!("{which} imprecise. Run longer (more --draws) or reparameterise."));
        }
    }
    w
}

/// What to try after divergences at `adapt_delta`: a higher target while
/// one is left to try, otherwise only a new parameterisation, since past
/// 0.99 the step size shrinks without removing a funnel's neck.
fn divergence_advice(adapt_delta: Option<f64>) -> String {
    const REPARAMETERISE: &str = "reparameterise (e.g. non_centered(...) for hierarchical scales, or \
                                  integrate out or condition effects that the data pin exactly)";
    match adapt_delta {
        Some(a) if a >= 0.99 => format!("--adapt-delta is already {a}: {REPARAMETERISE}."),
        Some(a) if a >= 0.95 => format!("Raise --adapt-delta (now {a}) toward 0.99, or {REPARAMETERISE}."),
        Some(a) => format!("Raise --adapt-delta (now {a}) toward 0.95 or 0.99, or {REPARAMETERISE}."),
        None => format!("Raise --adapt-delta toward 0.95 or 0.99, or {REPARAMETERISE}."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::summary::SummaryRow;

    #[test]
    fn warning_texts() {
        let d = SamplerDiagnostics {
            transitions: vec![1000; 4],
            divergences: vec![3, 0, 9, 0],
            max_depth_hits: vec![0, 0, 0, 2],
            ebfmi: vec![0.9, 0.8, 0.2, 1.0],
            energy_mean_sd: vec![(-60.0, 2.1), (-59.5, 2.0), (-60.3, 2.2), (-59.9, 1.9)],
            adapt_delta: Some(0.8),
            max_depth: Some(10),
        };
        let w = sampler_warnings(&d);
        assert_eq!(w.len(), 3);
        // A chain stuck far in the tails (posteriordb's arma11 from an
        // explosive start): named, against the lowest chain.
        let stuck = SamplerDiagnostics {
            energy_mean_sd: vec![(5.46e39, 1e37), (-60.0, 2.1), (-30.0, 2.0), (f64::NAN, f64::NAN)],
            ..d.clone()
        };
        let ws = sampler_warnings(&stuck);
        assert_eq!(ws.len(), 5, "{ws:?}");
        assert!(ws[3].starts_with("chain 1's energies lie far above chain 2's (mean energy__ 5.460e39 against -60.0000, sd 2.1000)"), "{}", ws[3]);
        assert!(ws[4].starts_with("chain 3's energies lie far above chain 2's"), "{}", ws[4]);
        assert!(ws[3].contains("--init-radius (1 or 0) or with --adapt stan"));
        // Within ten of the lowest chain's sds (or ten units): no warning.
        let close = SamplerDiagnostics { energy_mean_sd: vec![(-60.0, 0.1), (-51.0, 5.0)], ..d.clone() };
        assert_eq!(sampler_warnings(&close).len(), 3);
        assert!(w[0].starts_with("12 of 4000 transitions ended with a divergence"));
        assert!(w[0].contains("Raise --adapt-delta (now 0.8) toward 0.95 or 0.99"));
        let at = |a: f64| sampler_warnings(&SamplerDiagnostics { adapt_delta: Some(a), ..d.clone() }).remove(0);
        assert!(at(0.95).contains("Raise --adapt-delta (now 0.95) toward 0.99, or reparameterise"), "{}", at(0.95));
        assert!(at(0.99).contains("--adapt-delta is already 0.99: reparameterise"), "{}", at(0.99));
        assert!(w[1].starts_with("2 of 4000 transitions hit the maximum tree depth of 10"));
        assert!(w[2].starts_with("E-BFMI 0.200 in chain 3 is below 0.3"));

        let row = |label: &str, rhat: f64, ess: f64| SummaryRow {
            label: label.into(),
            column: label.into(),
            mean: 0.0,
            sd: 1.0,
            q5: -1.6,
            q50: 0.0,
            q95: 1.6,
            mcse_mean: 0.02,
            ess_bulk: ess,
            ess_tail: ess,
            rhat,
        };
        let s = Summary { rows: vec![row("theta[grade=2]", 1.05, 2000.0), row("mu", 1.0, 150.0)], num_chains: 4, num_draws: 4000 };
        let w = convergence_warnings(&s);
        assert_eq!(w.len(), 2);
        assert!(w[0].starts_with("R-hat 1.050 for theta[grade=2] is above 1.01"));
        assert!(w[1].starts_with("ESS bulk 150 for mu is below 400"));
        // Several cells of one variable: one warning each, counting them.
        let cells: Vec<SummaryRow> = (1..=5).map(|i| row(&format!("z[{i}]"), 1.0 + 0.02 * (i - 1) as f64, 1000.0 - 200.0 * i as f64)).collect();
        let rows: Vec<SummaryRow> = cells.into_iter().map(|r| SummaryRow { column: format!("z.{}", &r.label[2..3]), ..r }).collect();
        let w = convergence_warnings(&Summary { rows, num_chains: 4, num_draws: 4000 });
        assert_eq!(w.len(), 2, "{w:?}");
        assert!(w[0].starts_with("R-hat is above 1.01 for 4 of 5 cells of z, up to 1.080 (z[5]): the chains disagree"), "{}", w[0]);
        assert!(w[1].starts_with("ESS is below 400 (100 per chain) for 2 of 5 cells of z, down to bulk 0 (z[5])"), "{}", w[1]);
    }
}
