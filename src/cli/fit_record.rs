//! The record of which files make up a fit. Each `hbmc run` writes its own
//! record beside its chain files, `PREFIX_run_<first>-<last>.json` (one
//! chain: `PREFIX_run_<K>.json`): the model and data hashes, seed and
//! settings, and per chain its id, file and state (running, complete,
//! partial, failed). Runs with `--chain-id` on several machines each write
//! their own record (different names, so copying every machine's files
//! into one folder merges them); `hbmc summary`, `loo`, `predict` and `plot`
//! given a prefix read the fit as the union of its records.

use super::atomic::write_atomically;
use super::fit_files::{chain_files, check_one_fit, file_name, fit_identity, identity_difference, ChainHeader};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The format version of a record.
const RECORD_VERSION: u32 = 1;

/// How to go on when files of two fits would be used together; the same
/// words for every command that takes `--allow-mixed`.
pub const ALLOW_MIXED_HINT: &str = "pass --allow-mixed to use them together anyway";

/// The header keys shown in a record's `settings` (the rest of the header
/// is in `identity`).
const SETTING_KEYS: [&str; 10] =
    ["num_samples", "num_warmup", "save_warmup", "thin", "delta", "max_depth", "metric", "stepsize_jitter", "init", "hbmc_adapt"];

/// Where one chain of a run stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChainState {
    /// Its run has started and not finished (or was killed).
    Running,
    /// All its draws are written.
    Complete,
    /// Interrupted (Ctrl-C): its file holds the draws so far.
    Partial,
    /// Stopped by an error.
    Failed,
}

/// One chain of a run's record.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecordedChain {
    /// The chain's id (1-based, CmdStan's `id`).
    pub id: usize,
    /// Its CSV file's name, in the record's folder.
    pub file: String,
    /// Where it stands.
    pub state: ChainState,
    /// Draws written (after warmup), once the run has finished.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub draws: Option<usize>,
}

/// A run's record (see the module doc).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FitRecord {
    /// The format version.
    pub hbmc_fit_record: u32,
    /// The model file as given to `hbmc run`.
    pub model: String,
    /// Hash of the model file (and of `--prior`).
    pub model_hash: String,
    /// The data files as given.
    pub data: Vec<String>,
    /// Hash of the data files.
    pub data_hash: String,
    /// The seed.
    pub seed: u64,
    /// The sampler's settings, as the chain files' headers give them.
    pub settings: BTreeMap<String, String>,
    /// What every chain file of the fit has in its header (without what
    /// differs between chains), as `key = value` lines: compared with the
    /// files and other records (see [`FitRecord::identity`]).
    pub identity: Vec<String>,
    /// The run's chains.
    pub chains: Vec<RecordedChain>,
}

impl FitRecord {
    /// A new run's record, every chain `Running`. `identity` is the fit
    /// identity of the run's chain files; `files` the chain ids and files.
    pub fn new(model: &Path, data: &[PathBuf], identity: Vec<(String, String)>, files: &[(usize, PathBuf)]) -> FitRecord {
        let value = |key: &str| identity.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()).unwrap_or_default();
        let settings = identity.iter().filter(|(k, _)| SETTING_KEYS.contains(&k.as_str())).cloned().collect();
        FitRecord {
            hbmc_fit_record: RECORD_VERSION,
            model: model.display().to_string(),
            model_hash: value("hbmc_model_hash"),
            data: data.iter().map(|d| d.display().to_string()).collect(),
            data_hash: value("hbmc_data_hash"),
            seed: value("seed").parse().unwrap_or_default(),
            settings,
            chains: files.iter().map(|(id, f)| RecordedChain { id: *id, file: file_name(f), state: ChainState::Running, draws: None }).collect(),
            identity: identity.iter().map(|(k, v)| format!("{k} = {v}")).collect(),
        }
    }

    /// The recorded identity as the header's key-value pairs.
    pub fn identity(&self) -> Vec<(String, String)> {
        self.identity
            .iter()
            .map(|line| match line.split_once(" = ") {
                Some((k, v)) => (k.to_string(), v.to_string()),
                None => (line.clone(), String::new()),
            })
            .collect()
    }

    /// Reads a record; the error says what is wrong with it.
    pub fn read(path: &Path) -> Result<FitRecord, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read the fit record `{}`: {e}", path.display()))?;
        let record: FitRecord =
            serde_json::from_str(&text).map_err(|e| format!("`{}` is not a fit record hbmc can read: {e}", path.display()))?;
        if record.hbmc_fit_record != RECORD_VERSION {
            return Err(format!(
                "`{}` is a fit record of format {}, this hbmc reads format {RECORD_VERSION}",
                path.display(),
                record.hbmc_fit_record
            ));
        }
        Ok(record)
    }

    /// Writes the record atomically.
    pub fn write(&self, path: &Path) -> Result<(), String> {
        let text = serde_json::to_string_pretty(self).map_err(|e| format!("cannot write `{}`: {e}", path.display()))?;
        write_atomically(path, text.as_bytes()).map_err(|e| format!("cannot write the fit record `{}`: {e}", path.display()))
    }
}

/// The record of the run writing chains `first..=last` under `prefix`.
pub fn record_path(prefix: &Path, first: usize, last: usize) -> PathBuf {
    let range = if first == last { first.to_string() } else { format!("{first}-{last}") };
    let mut s = prefix.as_os_str().to_owned();
    s.push(format!("_run_{range}.json"));
    PathBuf::from(s)
}

/// The records under `prefix`, ordered by name (none if its folder cannot
/// be listed).
pub fn record_files(prefix: &Path) -> Vec<PathBuf> {
    let dir = match prefix.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let stem = file_name(prefix);
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut found: Vec<PathBuf> = entries
        .filter_map(|e| e.ok())
        .filter(|e| is_record_name(&e.file_name().to_string_lossy(), &stem))
        .map(|e| dir.join(e.file_name()))
        .collect();
    found.sort();
    found
}

/// `STEM_run_<n>.json` or `STEM_run_<a>-<b>.json`.
fn is_record_name(name: &str, stem: &str) -> bool {
    let Some(range) = name.strip_prefix(stem).and_then(|r| r.strip_prefix("_run_")).and_then(|r| r.strip_suffix(".json")) else {
        return false;
    };
    let number = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    match range.split_once('-') {
        Some((a, b)) => number(a) && number(b),
        None => number(range),
    }
}

/// A fit read through its records: the chain files, and what to warn of.
pub struct FitOnDisk {
    /// The chain files, by chain id.
    pub files: Vec<PathBuf>,
    /// Chains still running or failed, files under the prefix in no record.
    pub warnings: Vec<String>,
    /// The `seed` the first chain file's header gives, if any.
    pub seed: Option<u64>,
}

/// The fit named by `prefix`: through its records when it has any (every
/// listed file must be there; files in no record are left out with a
/// warning), else its chain files `PREFIX_<n>.csv` (written before hbmc
/// kept records, or by CmdStan). Records or files of two fits are refused
/// unless `allow_mixed`.
pub fn read_fit(prefix: &str, allow_mixed: bool) -> Result<FitOnDisk, String> {
    let records = record_files(Path::new(prefix));
    if records.is_empty() {
        let files = chain_files(prefix)?;
        let seed = check_files(&files, None, allow_mixed)?;
        return Ok(FitOnDisk { files, warnings: Vec::new(), seed });
    }
    let read: Vec<(PathBuf, FitRecord)> = records.into_iter().map(|p| FitRecord::read(&p).map(|r| (p, r))).collect::<Result<_, _>>()?;
    let (first_path, first) = &read[0];
    let first_identity = first.identity();
    if !allow_mixed {
        for (path, record) in &read[1..] {
            if let Some(why) = identity_difference(&first_identity, &record.identity()) {
                return Err(format!(
                    "`{}` records another fit than `{}`: {why}; {ALLOW_MIXED_HINT}, or delete the other run's files",
                    path.display(),
                    first_path.display()
                ));
            }
        }
    }
    let dir = first_path.parent().map_or_else(PathBuf::new, Path::to_path_buf);
    let mut chains: BTreeMap<usize, (&Path, &RecordedChain)> = BTreeMap::new();
    let mut warnings = Vec::new();
    for (path, record) in &read {
        for chain in &record.chains {
            if let Some((other, _)) = chains.insert(chain.id, (path.as_path(), chain)) {
                return Err(format!(
                    "chain {} is in two records, `{}` and `{}`; delete the one of the run that did not write `{}`",
                    chain.id,
                    other.display(),
                    path.display(),
                    chain.file
                ));
            }
        }
    }
    let mut files = Vec::new();
    for (id, (record, chain)) in &chains {
        let file = dir.join(&chain.file);
        if !file.is_file() {
            return Err(format!("the fit's record `{}` lists `{}` (chain {id}), which is missing", record.display(), file.display()));
        }
        match chain.state {
            ChainState::Running => warnings.push(format!(
                "`{}`: its run has not finished (the record `{}` says running): still running, or killed",
                file.display(),
                record.display()
            )),
            ChainState::Failed => warnings.push(format!("`{}`: its chain failed (record `{}`)", file.display(), record.display())),
            ChainState::Complete | ChainState::Partial => {}
        }
        files.push(file);
    }
    if let Ok(present) = chain_files(prefix) {
        for stray in present.iter().filter(|p| !files.iter().any(|f| file_name(f) == file_name(p))) {
            warnings.push(format!(
                "`{}` is in no record of the fit `{prefix}` (`{}`): left out; delete it if it is another run's",
                stray.display(),
                read.iter().map(|(p, _)| file_name(p)).collect::<Vec<_>>().join("`, `")
            ));
        }
    }
    let identity = (!allow_mixed).then_some((first_path.as_path(), first_identity.as_slice()));
    let seed = check_files(&files, identity, allow_mixed)?;
    Ok(FitOnDisk { files, warnings, seed })
}

/// The files are chains of one fit (and of the recorded one, if given);
/// with `allow_mixed` only their columns must agree. Returns the `seed`
/// the first file's header gives, if any.
pub fn check_files(files: &[PathBuf], recorded: Option<(&Path, &[(String, String)])>, allow_mixed: bool) -> Result<Option<u64>, String> {
    let headers = files
        .iter()
        .map(|p| hbmc_runtime::output::reader::read_csv_header(p).map(|(config, columns)| (p, config, columns)))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| e.to_string())?;
    let seed = headers
        .first()
        .and_then(|(_, config, _)| config.iter().find(|(k, _)| k == "seed").and_then(|(_, v)| v.trim().parse::<u64>().ok()));
    if allow_mixed {
        let Some((first, _, columns)) = headers.first() else { return Ok(seed) };
        return match headers.iter().find(|(_, _, c)| c != columns) {
            Some((odd, _, _)) => Err(format!("`{}` has other columns than `{}`: they are not chains of one fit", odd.display(), first.display())),
            None => Ok(seed),
        };
    }
    if let Some((record, identity)) = recorded {
        for (path, config, _) in &headers {
            if let Some(why) = identity_difference(identity, &fit_identity(config, &file_name(path))) {
                return Err(format!("`{}` is not the chain its record `{}` lists: {why}", path.display(), record.display()));
            }
        }
    }
    let views: Vec<ChainHeader> = headers.iter().map(|(p, c, n)| (p.as_path(), c.as_slice(), n.as_slice())).collect();
    check_one_fit(&views).map_err(|e| format!("{e}; {ALLOW_MIXED_HINT}"))?;
    Ok(seed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_names_are_told_apart_from_other_files() {
        assert_eq!(record_path(Path::new("out/fit"), 1, 4), PathBuf::from("out/fit_run_1-4.json"));
        assert_eq!(record_path(Path::new("out/fit"), 3, 3), PathBuf::from("out/fit_run_3.json"));
        assert!(is_record_name("fit_run_1-4.json", "fit"));
        assert!(is_record_name("fit_run_3.json", "fit"));
        for other in ["fit_dims.json", "fit_run_.json", "fit_run_1-.json", "fit_run_x.json", "fit_1.csv", "fit_run_run_1.json", ".fit_run_1.json.tmp-9"] {
            assert!(!is_record_name(other, "fit"), "{other}");
        }
        // A prefix that extends another's is not confused with it.
        assert!(!is_record_name("fit_run_run_1.json", "fit"));
        assert!(is_record_name("fit_run_run_1.json", "fit_run"));
    }

    #[test]
    fn a_record_reads_back_as_written() {
        let dir = std::env::temp_dir().join(format!("hbmc-record-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("dir");
        let identity: Vec<(String, String)> =
            [("model", "m"), ("num_samples", "80"), ("seed", "3"), ("hbmc_model_hash", "ab"), ("hbmc_data_hash", "cd")]
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
        let record = FitRecord::new(Path::new("m.hbm"), &[PathBuf::from("d.json")], identity, &[(2, dir.join("fit_2.csv"))]);
        assert_eq!((record.seed, record.model_hash.as_str(), record.data_hash.as_str()), (3, "ab", "cd"));
        assert_eq!(record.settings.get("num_samples").map(String::as_str), Some("80"));
        assert_eq!(record.chains[0].file, "fit_2.csv");
        let path = record_path(&dir.join("fit"), 2, 2);
        record.write(&path).expect("written");
        let back = FitRecord::read(&path).expect("read");
        assert_eq!(back, record);
        assert_eq!(back.identity()[1], ("num_samples".to_string(), "80".to_string()));
        std::fs::write(&path, "{\"hbmc_fit_record\": 1}").expect("written");
        assert!(FitRecord::read(&path).unwrap_err().contains("is not a fit record hbmc can read"));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
