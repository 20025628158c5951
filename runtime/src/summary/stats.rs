//! The statistics of one column, and of many columns on several threads.

use super::SummaryRow;
use crate::diagnostics::rhat_ess::{column_diagnostics_and_quantiles, quantile_sorted, RankScores};

/// Summary statistics of one column given as one slice per chain; `scores`
/// may be reused between columns (see [`RankScores`]).
pub(super) fn column_row(label: String, column: String, chains: &[&[f64]], scores: &mut RankScores) -> SummaryRow {
    let count: usize = chains.iter().map(|c| c.len()).sum();
    let n = count as f64;
    let mean = chains.iter().flat_map(|c| c.iter()).sum::<f64>() / n;
    let var = if count > 1 { chains.iter().flat_map(|c| c.iter()).map(|v| (v - mean) * (v - mean)).sum::<f64>() / (n - 1.0) } else { f64::NAN };
    let (d, split_quantiles) = column_diagnostics_and_quantiles(chains, scores, &[0.05, 0.5, 0.95]);
    // Split chains hold every draw when the chains have one even length;
    // otherwise the quantiles need a sort of their own.
    let [q5, q50, q95] = match split_quantiles {
        Some((q, of)) if of == count => q,
        _ => {
            let mut all: Vec<f64> = chains.iter().flat_map(|c| c.iter().copied()).collect();
            all.sort_unstable_by(f64::total_cmp);
            [0.05, 0.5, 0.95].map(|q| quantile_sorted(&all, q))
        }
    };
    SummaryRow {
        label,
        column,
        mean,
        sd: var.sqrt(),
        q5,
        q50,
        q95,
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
/// (0: one per core). The threads take the next column as they finish one
/// (columns differ in cost: one that mixes slowly reads many lags), and
/// each row is put at its column's place, so the result does not depend
/// on the thread count.
pub(super) fn rows_parallel(jobs: Vec<ColumnJob<'_>>, threads: usize) -> Vec<SummaryRow> {
    let threads = if threads == 0 { std::thread::available_parallelism().map_or(1, |n| n.get()) } else { threads };
    let threads = threads.min(jobs.len()).max(1);
    if threads == 1 {
        let mut scores = RankScores::default();
        return jobs.into_iter().map(|j| column_row(j.label, j.column, &j.chains, &mut scores)).collect();
    }
    // Each job is taken once: by the thread whose `fetch_add` returns its index.
    let next = std::sync::atomic::AtomicUsize::new(0);
    let jobs = &jobs;
    let work = || {
        let mut scores = RankScores::default();
        let mut rows = Vec::new();
        loop {
            let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let Some(j) = jobs.get(k) else { return rows };
            rows.push((k, column_row(j.label.clone(), j.column.clone(), &j.chains, &mut scores)));
        }
    };
    let mut rows: Vec<(usize, SummaryRow)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads).map(|_| s.spawn(&work)).collect();
        // A worker only panics on a bug (the statistics return NaN on bad
        // input); re-raise it rather than lose rows.
        handles.into_iter().flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))).collect()
    });
    rows.sort_unstable_by_key(|&(k, _)| k);
    rows.into_iter().map(|(_, r)| r).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_in_column_order_whatever_the_threads() {
        // Columns of unequal cost (a slowly mixing one reads many lags) and
        // undefined ones, so that threads finish out of order.
        let mut rng = crate::rng::ChainRng::new(8, 0, 0);
        let columns: Vec<Vec<Vec<f64>>> = (0..23)
            .map(|c| {
                (0..3)
                    .map(|_| {
                        let mut x = 0.0;
                        (0..200)
                            .map(|_| match c % 4 {
                                0 => 1.0,
                                1 => {
                                    x = 0.99 * x + rng.std_normal();
                                    x
                                }
                                _ => rng.std_normal() + c as f64,
                            })
                            .collect()
                    })
                    .collect()
            })
            .collect();
        let jobs = || -> Vec<ColumnJob<'_>> {
            columns
                .iter()
                .enumerate()
                .map(|(c, chains)| ColumnJob { label: format!("x[{c}]"), column: format!("x.{c}"), chains: chains.iter().map(Vec::as_slice).collect() })
                .collect()
        };
        let one = rows_parallel(jobs(), 1);
        assert_eq!(one.iter().map(|r| r.column.clone()).collect::<Vec<_>>(), (0..23).map(|c| format!("x.{c}")).collect::<Vec<_>>());
        for threads in [2, 3, 8, 40] {
            let rows = rows_parallel(jobs(), threads);
            // Bit for bit (NaN rows included): compare the rows' debug forms.
            assert_eq!(format!("{rows:?}"), format!("{one:?}"), "{threads} threads");
        }
    }
}
