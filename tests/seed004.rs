//! The checks of MODELS.md for seed 004 (ad spend and profit), on data
//! simulated by `examples/adspend_generative.hbm` (true beta = 1.5) for
//! R = 50 and 200 regions: the random-effects beta is pulled toward the
//! between-region slope (posterior mean clearly below 1.5), the Mundlak
//! model's 90% interval covers 1.5 without divergences. Release mode: a
//! few seconds.

use hbmc_runtime::{read_csv_files, summarize, SummaryOptions, SummaryRow};
use std::path::PathBuf;
use std::process::Command;

/// The summary row of `beta` and the number of divergent transitions.
fn fit_beta(model: &str, regions: usize) -> (SummaryRow, f64) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dir = std::env::temp_dir().join(format!("hbmc-seed004-{}-{model}-{regions}", std::process::id()));
    let out = Command::new(env!("CARGO_BIN_EXE_hbmc"))
        .current_dir(&root)
        .args(["run", &format!("examples/{model}.hbm"), "--data", &format!("examples/data/adspend{regions}.json")])
        .args(["--warmup", "500", "--draws", "500", "--seed", "2004", "--quiet", "--output"])
        .arg(dir.join("fit"))
        .output()
        .expect("hbmc runs");
    assert!(out.status.success(), "{model}, R = {regions}: {}", String::from_utf8_lossy(&out.stderr));
    let files: Vec<PathBuf> = (1..=4).map(|c| dir.join(format!("fit_{c}.csv"))).collect();
    let (draws, _) = read_csv_files(&files).expect("draws");
    let _ = std::fs::remove_dir_all(&dir);
    let div = draws.column_names.iter().position(|c| c == "divergent__").expect("divergent__");
    let divergences: f64 = draws.chains.iter().map(|c| c[div].iter().sum::<f64>()).sum();
    let summary = summarize(&draws, &SummaryOptions { variables: vec!["beta".into()], ..Default::default() });
    let row = summary.rows.into_iter().find(|r| r.column == "beta").expect("beta column");
    (row, divergences)
}

#[test]
fn random_effects_are_biased_and_mundlak_recovers_beta() {
    for regions in [50, 200] {
        // The random-effects model is checked for its bias only. At R = 50
        // it gives a few divergences at some seeds (measured: 0 to 33 of
        // 4000 at adapt_delta 0.8 or 0.95; 183 at 0.99 with seed 1), which
        // is not understood yet (open on issue 5); its beta is far below
        // 1.5 in every run, which is the document's point.
        let (re, _) = fit_beta("adspend_random_effects", regions);
        assert!(re.mean < 1.0, "R = {regions}: random-effects beta {} should be clearly below 1.5", re.mean);
        let (mundlak, m_div) = fit_beta("adspend_mundlak", regions);
        assert!(
            mundlak.q5 < 1.5 && 1.5 < mundlak.q95,
            "R = {regions}: Mundlak beta 90% interval [{}, {}] should cover 1.5",
            mundlak.q5,
            mundlak.q95
        );
        assert_eq!(m_div, 0.0, "R = {regions}: Mundlak diverged");
    }
}
