//! One run, one set of files: before `hbmc run` writes under a prefix, it
//! checks the chain files already there that it will not rewrite. Chains
//! of the same fit (same model and data hashes, settings and seed, run
//! with `--chain-id` in another process, not marked interrupted) stay;
//! anything else (an earlier run's interrupted chains, another model,
//! other settings)
//! would mix with this run's chains, so the run refuses, or with
//! `--overwrite` deletes them.

use super::fit_files::{chain_files, chain_number, file_name, fit_identity, fnv1a, identity_difference};
use hbmc_runtime::fixed_param::fixed_param_header_lines;
use hbmc_runtime::output::cmdstan_csv::header_lines;
use hbmc_runtime::output::reader::config_pair;
use hbmc_runtime::{CsvOptions, IndexedCsv, SamplerSettings};
use std::path::{Path, PathBuf};

/// The extra header lines that tie a chain file to its model and data:
/// hashes of the model file (and whether `--prior` dropped its
/// likelihood), of the data files, and the adaptation method.
pub fn fit_fingerprint(model: &Path, data: &[PathBuf], prior: bool, adapt: &str) -> Result<Vec<String>, String> {
    let read = |p: &Path| std::fs::read(p).map_err(|e| format!("cannot read `{}`: {e}", p.display()));
    let mut model_bytes = read(model)?;
    model_bytes.extend_from_slice(if prior { b"\0prior" } else { b"" });
    let mut data_bytes = Vec::new();
    for d in data {
        data_bytes.extend(read(d)?);
        data_bytes.push(0);
    }
    Ok(vec![
        format!("hbmc_model_hash = {:016x}", fnv1a(&model_bytes)),
        format!("hbmc_data_hash = {:016x}", fnv1a(&data_bytes)),
        format!("hbmc_adapt = {adapt}"),
    ])
}

/// What `hbmc run` is about to write: the settings and CSV options of
/// the run, its columns, and whether it runs Stan's `fixed_param`.
pub struct PlannedRun<'a> {
    /// The sampler settings (chains, chain id, seed, ...).
    pub settings: &'a SamplerSettings,
    /// The CSV options (prefix, model name, data, extra header lines).
    pub csv: &'a CsvOptions,
    /// The model's output columns (after the sampler's).
    pub output_names: &'a [String],
    /// A model without parameters (Stan's `fixed_param` layout).
    pub fixed_param: bool,
}

/// Checks (and with `overwrite`, deletes) the chain files under the
/// run's prefix that it will not rewrite; see the module doc.
pub fn claim_prefix(prefix: &Path, run: &PlannedRun, overwrite: bool) -> Result<(), String> {
    let Ok(existing) = chain_files(&prefix.display().to_string()) else { return Ok(()) };
    let first = run.settings.chain_id.saturating_sub(1);
    let ours = (first + 1)..=(first + run.settings.chains);
    let path = run.csv.path_for_chain(first);
    let lines = if run.fixed_param {
        fixed_param_header_lines(run.settings, run.csv, first, &path)
    } else {
        header_lines(run.settings, run.csv, first, &path)
    };
    let config: Vec<(String, String)> = lines.iter().chain(&run.csv.extra_comments).filter_map(|l| config_pair(l)).collect();
    let identity = fit_identity(&config, &file_name(&path));
    let sampler: &[&str] = if run.fixed_param { &["lp__", "accept_stat__"] } else { &hbmc_runtime::SAMPLER_COLUMNS };
    let columns: Vec<String> = sampler.iter().map(|s| s.to_string()).chain(run.output_names.iter().cloned()).collect();
    let stem = file_name(prefix);
    let mut stale = Vec::new();
    for file in existing {
        let n = chain_number(&file_name(&file), &stem).unwrap_or(0) as usize;
        if ours.contains(&n) {
            continue;
        }
        let why = match IndexedCsv::open(&file) {
            Err(e) => Some(format!("unreadable ({e})")),
            Ok(f) if f.column_names != columns => Some("another model's columns".to_string()),
            Ok(f) => identity_difference(&identity, &fit_identity(&f.config, &file_name(&file))).or_else(|| {
                // A short chain of this fit not marked interrupted may be
                // another `--chain-id` process writing now (GNU parallel
                // into one prefix), so only marked ones are stale; a killed
                // one left short is named as partial by the summary.
                f.interrupted.then(|| format!("an interrupted chain ({} of {} draws)", f.num_draws(), run.settings.draws))
            }),
        };
        if let Some(why) = why {
            stale.push((file, why));
        }
    }
    if stale.is_empty() {
        return Ok(());
    }
    let list: Vec<String> = stale.iter().map(|(f, why)| format!("`{}`: {why}", f.display())).collect();
    if overwrite {
        for (f, _) in &stale {
            std::fs::remove_file(f).map_err(|e| format!("--overwrite: cannot delete `{}`: {e}", f.display()))?;
        }
        eprintln!("--overwrite: deleted chain files of another run under `{}`: {}", prefix.display(), list.join("; "));
        return Ok(());
    }
    Err(format!(
        "`{}` already holds chain files that this run (chains {}..={}) would not rewrite and that are not chains of this fit, \
         so the fit's files would mix two runs: {}. Delete them, write to another --output, or pass --overwrite to delete them",
        prefix.display(),
        ours.start(),
        ours.end(),
        list.join("; ")
    ))
}
