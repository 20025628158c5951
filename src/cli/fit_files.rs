//! A fit on disk: the CSV files of its chains, `PREFIX_1.csv`,
//! `PREFIX_2.csv`, ..., named by their prefix (as `hbmc run --output`
//! writes them and `hbmc loo`, `predict` and `summary` read them).

use std::path::{Path, PathBuf};

/// The files `PREFIX_<n>.csv`, ordered by `n`.
pub(super) fn chain_files(prefix: &str) -> Result<Vec<PathBuf>, String> {
    let path = Path::new(prefix);
    if prefix.ends_with(".csv") && path.is_file() {
        let name = fit_name(path);
        return Err(format!(
            "`{prefix}` is a file; name the fit by its prefix `{name}` (its chains are `{name}_1.csv`, `{name}_2.csv`, ...)"
        ));
    }
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let stem = path.file_name().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let entries = std::fs::read_dir(dir).map_err(|e| format!("no files `{prefix}_<n>.csv` for the fit `{prefix}`: cannot list `{}`: {e}", dir.display()))?;
    let mut numbered: Vec<(u64, PathBuf)> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| chain_number(&e.file_name().to_string_lossy(), &stem).map(|n| (n, e.path())))
        .collect();
    numbered.sort();
    if numbered.is_empty() {
        return Err(format!("no files `{prefix}_<n>.csv` for the fit `{prefix}`"));
    }
    Ok(numbered.into_iter().map(|(_, p)| p).collect())
}

/// `n` when `file_name` is `STEM_n.csv`.
fn chain_number(file_name: &str, stem: &str) -> Option<u64> {
    let digits = file_name.strip_prefix(stem)?.strip_prefix('_')?.strip_suffix(".csv")?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// The name of a fit from one of its files: the path without `_<n>.csv`.
pub(super) fn fit_name(file: &Path) -> String {
    let s = file.display().to_string();
    let stem = s.strip_suffix(".csv").unwrap_or(&s);
    match stem.rsplit_once('_') {
        Some((base, n)) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => base.to_string(),
        _ => stem.to_string(),
    }
}
