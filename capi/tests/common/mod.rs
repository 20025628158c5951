//! Shared by the C-ABI tests: the generic library cargo built, model
//! libraries made from it, and the examples with their data.

#![allow(dead_code)]

use hbmc::model_library::{generic_library_file_name, write_model_library, EmbeddedModel};
use std::path::{Path, PathBuf};

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The generic library of this build. Cargo builds it into
/// `target/<profile>/deps/`, this test executable's folder, before the
/// crate's tests; it copies it up to `target/<profile>/` only on
/// `cargo build`, so the copy there may be stale.
pub fn generic_library() -> PathBuf {
    let exe = std::env::current_exe().expect("the test executable has a path");
    let deps = exe.parent().expect("the test runs from target/<profile>/deps");
    let path = deps.join(generic_library_file_name());
    assert!(path.is_file(), "cargo should have built {} before the tests", path.display());
    path
}

/// A fresh folder for one test.
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hbmc-capi-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch folder");
    dir
}

/// Writes the model library of `source` (as `hbmc build` does) into `dir`.
pub fn build_library(dir: &Path, name: &str, source: &str) -> PathBuf {
    let out = dir.join(format!("lib{name}.so"));
    let model = EmbeddedModel { name: name.into(), source: source.into() };
    write_model_library(&generic_library(), &model, &out).expect("the model library is written");
    out
}

/// Every example model: name, source, and its one data file.
pub fn examples() -> Vec<(String, String, PathBuf)> {
    let root = root();
    let mut paths: Vec<PathBuf> = std::fs::read_dir(root.join("examples"))
        .expect("examples/")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "hbm"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let name = p.file_stem().unwrap_or_default().to_string_lossy().into_owned();
            let source = std::fs::read_to_string(&p).expect("readable example");
            let data: Vec<PathBuf> = source
                .lines()
                .filter_map(|l| l.trim().strip_prefix("// data:"))
                .map(|d| root.join(d.trim()))
                .collect();
            assert_eq!(data.len(), 1, "{name}: the C ABI takes one data file; the example names {}", data.len());
            (name, source, data[0].clone())
        })
        .collect()
}
