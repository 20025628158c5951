//! `hbmc bench --sampler` through the binary: it runs real transitions and
//! reports a time per leapfrog step that splits into the gradient and the
//! sampler's own overhead.

use crate::common;
use common::hbmc;
use std::path::Path;

/// The number after `label` on the line that starts with it.
fn figure(text: &str, label: &str) -> f64 {
    let line = text.lines().find(|l| l.starts_with(label)).unwrap_or_else(|| panic!("no `{label}` in:\n{text}"));
    line[label.len()..].trim().split_whitespace().next().and_then(|w| w.parse().ok()).unwrap_or_else(|| panic!("no number in `{line}`"))
}

#[test]
fn bench_sampler_reports_the_overhead_per_leapfrog_step() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = hbmc(
        root,
        &[
            "bench", "--sampler", "examples/completely_randomized.hbm", "--data",
            "examples/data/completely_randomized.json", "--warmup", "100", "--transitions", "10", "--batches", "3",
        ],
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}\n{}", String::from_utf8_lossy(&out.stderr));
    let gradient = figure(&text, "gradient evaluation:");
    let per_step = figure(&text, "time per leapfrog step:");
    let overhead = figure(&text, "sampler overhead per leapfrog step (outside the gradient):");
    assert!(gradient > 0.0 && per_step > 0.0, "{text}");
    // The three figures are printed rounded to 0.001 us.
    assert!((per_step - gradient - overhead).abs() < 0.0025, "{text}");
    assert!(text.contains("leapfrog steps"), "{text}");
}

#[test]
fn bench_sampler_warms_up_with_the_run_s_adaptation_or_the_one_named() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let args = |adapt: &[&'static str]| {
        let mut a = vec![
            "bench", "--sampler", "examples/completely_randomized.hbm", "--data",
            "examples/data/completely_randomized.json", "--warmup", "100", "--transitions", "10", "--batches", "2",
        ];
        a.extend_from_slice(adapt);
        a
    };
    let text = |out: &std::process::Output| String::from_utf8_lossy(&out.stdout).into_owned();
    let default = hbmc(root, &args(&[]));
    assert!(default.status.success(), "{}", String::from_utf8_lossy(&default.stderr));
    assert!(text(&default).contains("metric (low-rank adaptation): "), "{}", text(&default));
    let stan = hbmc(root, &args(&["--adapt", "stan"]));
    assert!(stan.status.success(), "{}", String::from_utf8_lossy(&stan.stderr));
    assert!(text(&stan).contains("metric (stan adaptation): diagonal"), "{}", text(&stan));
    // `--adapt` means nothing without `--sampler`: a usage error, not ignored.
    let alone = hbmc(root, &["bench", "examples/completely_randomized.hbm", "--data", "examples/data/completely_randomized.json", "--adapt", "stan"]);
    assert!(!alone.status.success());
    assert!(String::from_utf8_lossy(&alone.stderr).contains("--sampler"), "{}", String::from_utf8_lossy(&alone.stderr));
}
