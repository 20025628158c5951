//! The fuzz harness (`examples/fuzz.rs`) in CI time: a few thousand inputs
//! of every kind (model sources, JSON and CSV data, fit CSV, command lines)
//! without a panic. The long run is recorded in the README's Tests section.

#[path = "../../examples/fuzz.rs"]
mod fuzz;

#[test]
fn a_short_fuzz_run_never_panics() {
    let corpus = fuzz::Corpus::load().expect("the examples load");
    let report = fuzz::run(&corpus, 6_000, 16);
    assert!(report.panics.is_empty(), "{} panics, first: {:?}", report.panics.len(), report.panics.first());
    for (k, kind) in fuzz::KINDS.iter().enumerate() {
        assert_eq!(report.inputs[k], 1_000, "{kind}");
        // Each kind but random bytes reaches past the first error some of the time.
        assert!(*kind == "random bytes" || report.accepted[k] > 0, "no {kind} input was accepted: the mutations only test the first check");
    }
}
