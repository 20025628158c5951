//! `hbmc gradcheck` through the binary: every example passes (issue 3's
//! done-when), including the quantile models, whose asymmetric Laplace has
//! a kink that the default finite-difference step can cross; and a data
//! file that does not fit the model is an error, not a check.

mod common;
use common::{hbmc, root};

#[test]
fn gradcheck_passes_on_every_example() {
    let mut entries: Vec<_> = std::fs::read_dir(root().join("examples"))
        .expect("examples")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "hbm"))
        .collect();
    entries.sort();
    let mut kinks = 0;
    for path in &entries {
        let text = std::fs::read_to_string(path).expect("example");
        let data = text.lines().find_map(|l| l.strip_prefix("// data:")).expect("a `// data:` line").trim().to_string();
        let model = path.display().to_string();
        let out = hbmc(&root(), &["gradcheck", &model, "--data", &data]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{model}: {}\n{stdout}", String::from_utf8_lossy(&out.stderr));
        kinks += stdout.matches("crosses a kink").count();
    }
    assert!(entries.len() >= 26, "only {} examples", entries.len());
    assert!(kinks > 0, "the quantile models' kinks were expected to need the smaller step somewhere");
}

#[test]
fn gradcheck_refuses_data_that_do_not_fit() {
    let out = hbmc(&root(), &["gradcheck", "examples/stratified.hbm", "--data", "examples/data/completely_randomized.json"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("E4010") && err.contains("data variable `g`"), "{err}");
}
