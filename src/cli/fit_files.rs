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
pub(super) fn chain_number(file_name: &str, stem: &str) -> Option<u64> {
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

/// Configuration keys that differ between the chains of one fit: the
/// chain's id, how many chains its process ran (one process or one per
/// chain with `--chain-id`), and for predictions (CmdStan's
/// `generate_quantities`) the chain file they were made from; the chain's
/// own file name is set apart too.
const PER_CHAIN_KEYS: [&str; 4] = ["id", "num_chains", "start_datetime", "fitted_params"];

/// What makes a chain file part of a fit: its configuration (model,
/// settings, seed, data, and hbmc's hashes of the model and data) without
/// what differs between chains.
pub(super) fn fit_identity(config: &[(String, String)], own_file: &str) -> Vec<(String, String)> {
    config
        .iter()
        .filter(|(k, v)| !PER_CHAIN_KEYS.contains(&k.as_str()) && !(k == "file" && v == own_file))
        .cloned()
        .collect()
}

/// How identity `b` differs from `a`, e.g. "its `seed` is 2, not 1".
pub(super) fn identity_difference(a: &[(String, String)], b: &[(String, String)]) -> Option<String> {
    for (x, y) in a.iter().zip(b) {
        if x.0 != y.0 {
            return Some(format!("its settings differ (`{}` where the other has `{}`)", y.0, x.0));
        }
        if x.1 != y.1 {
            return Some(format!("its `{}` is `{}`, not `{}`", x.0, y.1, x.1));
        }
    }
    match (a.get(b.len()), b.get(a.len())) {
        (Some(x), _) => Some(format!("it has no `{}`", x.0)),
        (_, Some(y)) => Some(format!("it has a `{}` the other lacks", y.0)),
        _ => None,
    }
}

/// The file name of `path`, as the CSV header's `file` line gives it.
pub(super) fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(|| path.display().to_string(), |f| f.to_string_lossy().into_owned())
}

/// One chain file's header: its path, configuration and columns.
pub(super) type ChainHeader<'a> = (&'a Path, &'a [(String, String)], &'a [String]);

/// Checks that the files are chains of one fit (same columns, model,
/// data, settings and seed); the error names the odd file.
pub(super) fn check_one_fit(files: &[ChainHeader]) -> Result<(), String> {
    let Some(&(first_path, first_config, first_columns)) = files.first() else { return Ok(()) };
    let reference = fit_identity(first_config, &file_name(first_path));
    for &(path, config, columns) in &files[1..] {
        let why = if columns != first_columns {
            Some("its columns differ".to_string())
        } else {
            identity_difference(&reference, &fit_identity(config, &file_name(path)))
        };
        if let Some(why) = why {
            return Err(format!("`{}` is not a chain of the same fit as `{}`: {why}", path.display(), first_path.display()));
        }
    }
    Ok(())
}

/// [`check_one_fit`] on files read for their headers only (`loo`,
/// `predict`).
pub(super) fn check_fit_files(files: &[PathBuf]) -> Result<(), String> {
    let headers = files
        .iter()
        .map(|p| hbmc_runtime::output::reader::read_csv_header(p).map(|(config, columns)| (p, config, columns)))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| e.to_string())?;
    let views: Vec<ChainHeader> = headers.iter().map(|(p, c, n)| (p.as_path(), c.as_slice(), n.as_slice())).collect();
    check_one_fit(&views)
}

/// A 64-bit FNV-1a hash, stable across platforms and Rust versions (the
/// files record it).
pub(super) fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn identities_ignore_what_differs_between_chains() {
        let a = pairs(&[("model", "m"), ("num_chains", "4"), ("id", "1"), ("file", "d.json"), ("seed", "1"), ("file", "fit_1.csv")]);
        let b = pairs(&[("model", "m"), ("num_chains", "1"), ("id", "3"), ("file", "d.json"), ("seed", "1"), ("file", "fit_3.csv")]);
        let (ia, ib) = (fit_identity(&a, "fit_1.csv"), fit_identity(&b, "fit_3.csv"));
        assert_eq!(ia, ib);
        assert_eq!(ia, pairs(&[("model", "m"), ("file", "d.json"), ("seed", "1")]));
        let c = pairs(&[("model", "m"), ("file", "d.json"), ("seed", "2")]);
        assert_eq!(identity_difference(&ia, &c).as_deref(), Some("its `seed` is `2`, not `1`"));
        assert_eq!(identity_difference(&ia, &ia[..2]).as_deref(), Some("it has no `seed`"));
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
    }
}
