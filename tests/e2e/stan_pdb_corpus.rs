//! Stan programs in the style of posteriordb and Stan's example models
//! (`tests/stan_corpus/pdb/`, written for hbmc with small simulated data
//! from `make_data.py`): each one, unchanged, passes the oracles (JIT =
//! interpreter, gradient = finite differences). Programs that still fail
//! for a reason outside the front end wait in `pdb/pending/` (see its
//! README) and are not read here.

use crate::common;

use hbmc::model::{Engine, Model, ModelError};

/// Every program of `tests/stan_corpus/pdb/` passes both oracles with the
/// data file its `// data:` line names.
#[test]
fn every_posteriordb_style_program_passes_the_oracles() {
    let root = common::root();
    let mut paths: Vec<_> = std::fs::read_dir(root.join("tests/stan_corpus/pdb"))
        .expect("tests/stan_corpus/pdb/")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "stan"))
        .collect();
    paths.sort();
    let mut failures = Vec::new();
    for path in &paths {
        let name = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        let source = std::fs::read_to_string(path).expect("readable program");
        let data = common::oracle::data_files(&root, &source);
        if let Err(e) = common::oracle::check_example(&name, &source, &data) {
            failures.push(format!("{name}: {e}"));
        }
    }
    assert!(failures.is_empty(), "{} of {} failed:\n{}", failures.len(), paths.len(), failures.join("\n"));
    assert!(paths.len() >= 40, "only {} programs in tests/stan_corpus/pdb/", paths.len());
}

/// `sum_to_zero_vector[K]` has K - 1 free values; its constrained values
/// sum to zero, and unconstraining them gives the free values back.
#[test]
fn sum_to_zero_vector_has_k_minus_one_free_values_that_map_to_a_zero_sum() {
    let source = "parameters { sum_to_zero_vector[4] z; } model { z ~ normal(0, 1); }";
    let model = Model::compile("stz", source).expect("compiles");
    let bound = model.bind_files(&[], Engine::Jit).map_err(|e| match e {
        ModelError::Diagnostics(d) => d.iter().map(|d| d.message.clone()).collect::<Vec<_>>().join("; "),
        other => other.to_string(),
    });
    let bound = bound.expect("binds without data");
    assert_eq!(bound.dim(), 3);
    let mut ev = bound.evaluator();
    let mut g = hbmc_stdlib::ChainRng::new(3, 0);
    let mut z = Vec::new();
    for _ in 0..5 {
        let x: Vec<f64> = (0..3).map(|_| 4.0 * g.uniform() - 2.0).collect();
        ev.write_draw(&x, &mut g, &mut z).expect("a draw");
        assert_eq!(z.len(), 4);
        let sum: f64 = z.iter().sum();
        assert!(sum.abs() < 1e-12, "{z:?} sums to {sum}");
        let names = bound.output_names().to_vec();
        let back = ev
            .unconstrain_columns(|c| names.iter().position(|n| n == c).map(|k| z[k]))
            .expect("unconstrains");
        for (a, b) in x.iter().zip(&back) {
            assert!((a - b).abs() < 1e-12, "{x:?} came back as {back:?}");
        }
    }
}
