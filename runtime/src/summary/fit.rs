//! The summary of a fit's CSV files with memory bounded by a chunk of
//! columns, never by draws x columns: the files are indexed once, then
//! read a chunk of columns at a time, each chunk's statistics computed on
//! several threads and handed on in column order before the next chunk is
//! read.

use super::cells::FitDims;
use super::stats::{rows_parallel, ColumnJob};
use super::SummaryRow;
use crate::diagnostics::SamplerDiagnostics;
use crate::draws::Draws;
use crate::output::{FitColumns, ReadError};
use std::fmt;

/// Where a fit's summary reads its draws, a chunk of columns at a time:
/// the chains' CSV files ([`FitColumns`]) or the draws a run still holds
/// ([`Draws`]), which spares `hbmc run` parsing back the files it has just
/// written.
pub trait ColumnSource {
    /// The column names, sampler columns included.
    fn column_names(&self) -> &[String];
    /// Post-warmup draws of each chain.
    fn draws_per_chain(&self) -> Vec<usize>;
    /// The draws of `columns` (ascending indices) into `out`, laid out as
    /// [`FitColumns::read_columns`] does.
    fn read_columns(&mut self, columns: &[usize], out: &mut Vec<f64>) -> Result<(), ReadError>;
    /// The draws of `column` in each chain when the source holds them in
    /// memory, borrowed rather than copied into a chunk (`hbmc run`'s
    /// summary of the draws it holds); `None` to read them with
    /// [`ColumnSource::read_columns`].
    fn column_in_memory(&self, _column: usize) -> Option<Vec<&[f64]>> {
        None
    }
}

impl ColumnSource for FitColumns {
    fn column_names(&self) -> &[String] {
        FitColumns::column_names(self)
    }

    fn draws_per_chain(&self) -> Vec<usize> {
        FitColumns::draws_per_chain(self)
    }

    fn read_columns(&mut self, columns: &[usize], out: &mut Vec<f64>) -> Result<(), ReadError> {
        FitColumns::read_columns(self, columns, out)
    }
}

impl ColumnSource for Draws {
    fn column_names(&self) -> &[String] {
        &self.column_names
    }

    fn draws_per_chain(&self) -> Vec<usize> {
        self.chains.iter().map(|c| c.first().map_or(0, Vec::len)).collect()
    }

    fn read_columns(&mut self, columns: &[usize], out: &mut Vec<f64>) -> Result<(), ReadError> {
        let shaped = self.chains.iter().all(|c| c.len() == self.column_names.len());
        if !shaped || columns.windows(2).any(|w| w[0] >= w[1]) || columns.last().is_some_and(|&c| c >= self.column_names.len()) {
            return Err(ReadError { path: None, line: None, message: "columns must be ascending and exist in every chain".into() });
        }
        out.clear();
        for &c in columns {
            for chain in &self.chains {
                out.extend_from_slice(&chain[c]);
            }
        }
        Ok(())
    }

    fn column_in_memory(&self, column: usize) -> Option<Vec<&[f64]>> {
        // Draws that `read_columns` would refuse, or lay out otherwise
        // (a column shorter or longer than its chain's first), go there.
        let draws = self.draws_per_chain();
        let shaped = self
            .chains
            .iter()
            .zip(&draws)
            .all(|(c, &n)| c.len() == self.column_names.len() && c.get(column).is_some_and(|v| v.len() == n));
        shaped.then(|| self.column(column))
    }
}

/// How to summarise a fit's files.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FitSummarySettings {
    /// Threads computing the statistics (0: one per core).
    pub threads: usize,
    /// Memory for the draws of one chunk of columns, in bytes (at least
    /// one column is read at a time).
    pub chunk_bytes: usize,
}

impl Default for FitSummarySettings {
    fn default() -> Self {
        FitSummarySettings { threads: 0, chunk_bytes: 256 << 20 }
    }
}

/// Why a fit's summary stopped.
#[derive(Debug)]
pub enum FitSummaryError {
    /// A file could not be read.
    Read(ReadError),
    /// The rows could not be written.
    Write(std::io::Error),
}

impl fmt::Display for FitSummaryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FitSummaryError::Read(e) => write!(f, "{e}"),
            FitSummaryError::Write(e) => write!(f, "cannot write the summary: {e}"),
        }
    }
}

impl std::error::Error for FitSummaryError {}

/// Summarises the columns `columns` (ascending indices into the fit's
/// columns) of `fit`, labelled with `dims`: each row goes to `sink`, in
/// column order, with its variable's name.
pub fn summarize_fit(
    fit: &mut dyn ColumnSource,
    columns: &[usize],
    dims: &FitDims,
    settings: &FitSummarySettings,
    sink: &mut dyn FnMut(&str, SummaryRow) -> std::io::Result<()>,
) -> Result<(), FitSummaryError> {
    let draws = fit.draws_per_chain();
    let total: usize = draws.iter().sum();
    let per_chunk = (settings.chunk_bytes / (8 * total.max(1))).max(1);
    let names = fit.column_names().to_vec();
    let mut buffer = Vec::new();
    for chunk in columns.chunks(per_chunk) {
        let held: Option<Vec<Vec<&[f64]>>> = chunk.iter().map(|&c| fit.column_in_memory(c)).collect();
        if let Some(held) = held {
            let jobs = chunk
                .iter()
                .zip(held)
                .map(|(&c, chains)| ColumnJob { label: dims.label(&names[c]), column: names[c].clone(), chains })
                .collect();
            for row in rows_parallel(jobs, settings.threads) {
                let variable = dims.cell(&row.column).variable.to_string();
                sink(&variable, row).map_err(FitSummaryError::Write)?;
            }
            continue;
        }
        fit.read_columns(chunk, &mut buffer).map_err(FitSummaryError::Read)?;
        let jobs: Vec<ColumnJob> = chunk
            .iter()
            .enumerate()
            .map(|(k, &c)| {
                let column = &buffer[k * total..(k + 1) * total];
                let mut start = 0;
                let chains = draws
                    .iter()
                    .map(|&n| {
                        let chain = &column[start..start + n];
                        start += n;
                        chain
                    })
                    .collect();
                ColumnJob { label: dims.label(&names[c]), column: names[c].clone(), chains }
            })
            .collect();
        for row in rows_parallel(jobs, settings.threads) {
            let variable = dims.cell(&row.column).variable.to_string();
            sink(&variable, row).map_err(FitSummaryError::Write)?;
        }
    }
    Ok(())
}

/// Divergences, tree-depth hits and E-BFMI per chain, from the sampler
/// columns of the files, with `adapt_delta` and `max_depth` from the first
/// file's configuration when present.
pub fn fit_sampler_diagnostics(fit: &mut FitColumns) -> Result<SamplerDiagnostics, ReadError> {
    let names = fit.column_names();
    let wanted = ["divergent__", "treedepth__", "energy__"].map(|n| names.iter().position(|c| c == n));
    let mut columns: Vec<usize> = wanted.iter().flatten().copied().collect();
    columns.sort_unstable();
    let first = fit.files().first();
    let delta = first.and_then(|f| f.config_value("delta")).and_then(|v| v.parse().ok());
    let max_depth = first.and_then(|f| f.config_value("max_depth")).and_then(|v| v.parse().ok());
    let draws = fit.draws_per_chain();
    let total: usize = draws.iter().sum();
    let mut buffer = Vec::new();
    fit.read_columns(&columns, &mut buffer)?;
    let per_chain = |name: Option<usize>| -> Option<Vec<&[f64]>> {
        let k = columns.iter().position(|&c| Some(c) == name)?;
        let column = &buffer[k * total..(k + 1) * total];
        let mut start = 0;
        Some(
            draws
                .iter()
                .map(|&n| {
                    start += n;
                    &column[start - n..start]
                })
                .collect(),
        )
    };
    Ok(SamplerDiagnostics::from_chain_columns(
        &draws,
        per_chain(wanted[0]).as_deref(),
        per_chain(wanted[1]).as_deref(),
        per_chain(wanted[2]).as_deref(),
        delta,
        max_depth,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::draws::read_csv_files;
    use crate::summary::{summarize, SummaryOptions};

    #[test]
    fn chunked_summary_of_files_is_the_summary_of_draws_in_memory() {
        let dir = std::env::temp_dir().join(format!("hbmc-fit-summary-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("dir");
        let mut paths = Vec::new();
        for chain in 0..3u64 {
            let mut rng = crate::rng::ChainRng::new(5, chain, 0);
            let mut text = String::from("# delta = 0.9\n# max_depth = 3\nlp__,divergent__,treedepth__,energy__,a,b.1,b.2,b.3\n");
            for d in 0..(40 + chain as usize) {
                let v: Vec<f64> = (0..4).map(|_| rng.std_normal()).collect();
                text += &format!("{},{},{},{},{},{},{},{}\n", v[0], (d % 7 == 0) as u8, 1 + d % 3, v[1] * 3.0, v[2], v[3], d as f64 * 0.01 + v[0], v[1]);
            }
            let p = dir.join(format!("f_{}.csv", chain + 1));
            std::fs::write(&p, text).expect("write");
            paths.push(p);
        }
        let (draws, diagnostics) = read_csv_files(&paths).expect("read");
        let whole = summarize(&draws, &SummaryOptions { include_lp: true, ..Default::default() });
        let mut fit = FitColumns::open(&paths).expect("index");
        // One column per chunk, on two threads; then all at once on one.
        for (chunk_bytes, threads) in [(8, 2), (1 << 20, 1)] {
            let mut rows = Vec::new();
            let settings = FitSummarySettings { threads, chunk_bytes };
            summarize_fit(&mut fit, &[0, 4, 5, 6, 7], &FitDims::default(), &settings, &mut |v, r| {
                rows.push((v.to_string(), r));
                Ok(())
            })
            .expect("summary");
            assert_eq!(rows.iter().map(|(v, _)| v.as_str()).collect::<Vec<_>>(), ["lp__", "a", "b", "b", "b"]);
            assert_eq!(rows.into_iter().map(|(_, r)| r).collect::<Vec<_>>(), whole.rows);
        }
        assert_eq!(fit_sampler_diagnostics(&mut fit).expect("diagnostics"), diagnostics);
        // Draws held in memory are summarised from borrowed columns, to the same rows.
        let mut held = draws.clone();
        assert!(held.column_in_memory(5).is_some());
        let mut rows = Vec::new();
        let settings = FitSummarySettings { threads: 2, chunk_bytes: 8 };
        summarize_fit(&mut held, &[0, 4, 5, 6, 7], &FitDims::default(), &settings, &mut |_, r| {
            rows.push(r);
            Ok(())
        })
        .expect("summary");
        assert_eq!(rows, whole.rows);
        // A column whose length is not its chain's is read, not borrowed.
        held.chains[1][6].pop();
        assert!(held.column_in_memory(6).is_none() && held.column_in_memory(99).is_none());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
