//! The statistics of one column, and of many columns on several threads.

use super::SummaryRow;
use crate::diagnostics::rhat_ess::{column_diagnostics_and_pool, quantile_sorted, RankScores};

/// Summary statistics of one column given as one slice per chain; `scores`
/// may be reused between columns (see [`RankScores`]).
pub(super) fn column_row(label: String, column: String, chains: &[&[f64]], scores: &mut RankScores) -> SummaryRow {
    let count: usize = chains.iter().map(|c| c.len()).sum();
    let n = count as f64;
    let mean = chains.iter().flat_map(|c| c.iter()).sum::<f64>() / n;
    let var = if count > 1 { chains.iter().flat_map(|c| c.iter()).map(|v| (v - mean) * (v - mean)).sum::<f64>() / (n - 1.0) } else { f64::NAN };
    let (d, split_sorted) = column_diagnostics_and_pool(chains, scores);
    // Split chains hold every draw when the chains have one even length;
    // otherwise the quantiles need a sort of their own.
    let sorted = if split_sorted.len() == count {
        split_sorted
    } else {
        let mut all: Vec<f64> = chains.iter().flat_map(|c| c.iter().copied()).collect();
        all.sort_unstable_by(f64::total_cmp);
        all
    };
    SummaryRow {
        label,
        column,
        mean,
        sd: var.sqrt(),
        q5: quantile_sorted(&sorted, 0.05),
        q50: quantile_sorted(&sorted, 0.5),
        q95: quantile_sorted(&sorted, 0.95),
        // As `mcse_mean`: the pooled variance over the ESS of the mean.
        mcse_mean: if count < 2 || d.ess_mean.is_nan() { f64::NAN } else { (var / d.ess_mean).sqrt() },
        ess_bulk: d.ess_bulk,
        ess_tail: d.ess_tail,
        rhat: d.rhat,
    }
}

/// One column to summarise: its label, its name and its draws per chain.
pub(super) struct ColumnJob<'a> {
    pub label: String,
    pub column: String,
    pub chains: Vec<&'a [f64]>,
}

/// The rows of `jobs`, in their order, computed on up to `threads` threads
/// (0: one per core). Each thread takes a contiguous block of columns, so
/// the result does not depend on the thread count.
pub(super) fn rows_parallel(jobs: Vec<ColumnJob<'_>>, threads: usize) -> Vec<SummaryRow> {
    let threads = if threads == 0 { std::thread::available_parallelism().map_or(1, |n| n.get()) } else { threads };
    let threads = threads.min(jobs.len()).max(1);
    let run = |block: Vec<ColumnJob<'_>>| {
        let mut scores = RankScores::default();
        block.into_iter().map(|j| column_row(j.label, j.column, &j.chains, &mut scores)).collect::<Vec<_>>()
    };
    if threads == 1 {
        return run(jobs);
    }
    let per = jobs.len().div_ceil(threads);
    let mut blocks = Vec::with_capacity(threads);
    let mut rest = jobs;
    while rest.len() > per {
        let tail = rest.split_off(per);
        blocks.push(std::mem::replace(&mut rest, tail));
    }
    blocks.push(rest);
    std::thread::scope(|s| {
        let handles: Vec<_> = blocks.into_iter().map(|b| s.spawn(move || run(b))).collect();
        // A worker only panics on a bug (the statistics return NaN on bad
        // input); re-raise it rather than lose rows.
        handles.into_iter().flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))).collect()
    })
}
