//! Helpers shared by the integration tests.
#![allow(dead_code)]

use hbmc_runtime::diagnostics::rhat_ess::{mcse_mean, mcse_var};
use hbmc_runtime::*;
use std::sync::atomic::AtomicBool;

/// Runs `make_model` with `settings`, keeping draws in memory; panics (test
/// failure) if any chain did not complete.
pub fn run_memory<M, F>(make_model: F, settings: &SamplerSettings) -> RunResult
where
    M: LogDensity + OutputMap,
    F: Fn(usize) -> M + Sync,
{
    let stop = AtomicBool::new(false);
    let run = sample(make_model, settings, &OutputOptions::memory(), &NoProgress, &stop).expect("run starts");
    for c in &run.chains {
        assert_eq!(c.status, ChainStatus::Completed, "chain {} did not complete", c.chain);
    }
    run
}

/// Mean, variance and their Monte Carlo standard errors of a column.
pub struct Moments {
    pub mean: f64,
    pub var: f64,
    pub mcse_mean: f64,
    pub mcse_var: f64,
}

pub fn moments(draws: &Draws, name: &str) -> Moments {
    let col = draws.column_by_name(name).unwrap_or_else(|| panic!("no column {name}"));
    let all: Vec<f64> = col.iter().flat_map(|c| c.iter().copied()).collect();
    let n = all.len() as f64;
    let mean = all.iter().sum::<f64>() / n;
    let var = all.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
    Moments { mean, var, mcse_mean: mcse_mean(&col), mcse_var: mcse_var(&col) }
}

/// Asserts `|estimate - truth| < k * mcse`, with a readable message.
pub fn assert_within(what: &str, estimate: f64, truth: f64, mcse: f64, k: f64) {
    assert!(mcse.is_finite() && mcse > 0.0, "{what}: MCSE {mcse} is not usable");
    let z = (estimate - truth) / mcse;
    assert!(z.abs() < k, "{what}: estimate {estimate} vs truth {truth}, MCSE {mcse}, z = {z:.2} (limit {k})");
}
