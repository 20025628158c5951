//! The oracles on every example model (issue 3): at 20 random points each,
//! the JIT's log density equals the reference interpreter's to 1e-10
//! relative, and the JIT's gradient equals a central finite difference of
//! the log density to 1e-6 relative (at a second, smaller step where the
//! first crosses a kink of the density).
//!
//! An example names its data in a `// data: PATH` line. An example that
//! cannot be compiled yet must be listed in `NOT_YET` with the reason; the
//! list is a ratchet: an unlisted failure fails, and so does a listed
//! example that has started to work (remove it from the list).

use crate::common;
use common::oracle::{check_example, data_files};
use std::path::PathBuf;

/// Examples that do not compile yet, and why.
const NOT_YET: &[(&str, &str)] = &[];


#[test]
fn every_example_passes_the_oracles() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    // The dims examples and the plain-Stan ones (examples/stan/), whose
    // loop-filled locals and data-proven indices lower differently.
    let mut paths: Vec<PathBuf> = ["examples", "examples/stan"]
        .iter()
        .flat_map(|dir| std::fs::read_dir(root.join(dir)).expect("examples/").filter_map(|e| e.ok().map(|e| e.path())))
        .filter(|p| p.extension().is_some_and(|e| e == "hbm" || e == "stan"))
        .collect();
    paths.sort();
    let mut failures = Vec::new();
    let mut passed = 0;
    for path in &paths {
        let name = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        let source = std::fs::read_to_string(path).expect("readable example");
        let result = check_example(&name, &source, &data_files(&root, &source));
        let listed = NOT_YET.iter().find(|(n, _)| *n == name);
        match (result, listed) {
            (Ok(()), None) => passed += 1,
            (Ok(()), Some(_)) => failures.push(format!("{name} works now: remove it from NOT_YET")),
            (Err(e), None) => failures.push(format!("{name}: {e}")),
            (Err(_), Some(_)) => {}
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(passed >= 1, "no example passed the oracles");
}
