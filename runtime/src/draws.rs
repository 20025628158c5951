//! Draws held in memory: per chain, per column, per draw.

use crate::output::reader::StanCsv;

/// Draws of several chains, column-major within each chain:
/// `chains[chain][column][draw]`. Column names include the sampler columns
/// (`lp__`, ..., `energy__`) when the draws come from a run or a CSV file.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Draws {
    /// One name per column.
    pub column_names: Vec<String>,
    /// `chains[chain][column][draw]`.
    pub chains: Vec<Vec<Vec<f64>>>,
}

impl Draws {
    /// Collects the post-warmup draws of CSV files read with
    /// [`crate::read_cmdstan_csv`]; all must have the same columns.
    pub fn from_csv(files: &[StanCsv]) -> Result<Draws, String> {
        let Some(first) = files.first() else {
            return Ok(Draws::default());
        };
        for (i, f) in files.iter().enumerate() {
            if f.column_names != first.column_names {
                return Err(format!("file {} has different columns from file 1", i + 1));
            }
        }
        Ok(Draws {
            column_names: first.column_names.clone(),
            chains: files.iter().map(|f| f.draws.clone()).collect(),
        })
    }

    /// Index of the column called `name`.
    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.column_names.iter().position(|c| c == name)
    }

    /// The draws of column `index` in every chain.
    pub fn column(&self, index: usize) -> Vec<&[f64]> {
        self.chains.iter().filter_map(|c| c.get(index).map(|v| v.as_slice())).collect()
    }

    /// The draws of the column called `name` in every chain.
    pub fn column_by_name(&self, name: &str) -> Option<Vec<&[f64]>> {
        self.column_index(name).map(|i| self.column(i))
    }

    /// Number of chains.
    pub fn num_chains(&self) -> usize {
        self.chains.len()
    }

    /// Total number of draws over all chains.
    pub fn total_draws(&self) -> usize {
        self.chains.iter().map(|c| c.first().map_or(0, |v| v.len())).sum()
    }
}

/// Reads CmdStan CSV files (one per chain) for `hbmc summary`: their
/// post-warmup draws, and the sampler diagnostics from their sampler
/// columns, with `adapt_delta` and `max_depth` taken from the first file's
/// configuration comments when present.
pub fn read_csv_files<P: AsRef<std::path::Path>>(
    paths: &[P],
) -> Result<(Draws, crate::diagnostics::SamplerDiagnostics), crate::output::ReadError> {
    let files = paths
        .iter()
        .map(crate::output::read_cmdstan_csv)
        .collect::<Result<Vec<_>, _>>()?;
    let draws = Draws::from_csv(&files)
        .map_err(|message| crate::output::ReadError { path: None, line: None, message })?;
    let first = files.first();
    let delta = first.and_then(|f| f.config_value("delta")).and_then(|v| v.parse().ok());
    let max_depth = first.and_then(|f| f.config_value("max_depth")).and_then(|v| v.parse().ok());
    let diag = crate::diagnostics::SamplerDiagnostics::from_draws(&draws, delta, max_depth);
    Ok((draws, diag))
}
