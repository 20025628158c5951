//! `cargo bench --bench gradient`: the performance budget of the design
//! (DESIGN.md, "Performance budget") measured.
//!
//! - Gradient time of the compiled model (`Evaluator::log_density_gradient`,
//!   the JIT) next to a hand-written Rust gradient of the same log density
//!   (benches/baselines/), for electric_intercept on its real data and for
//!   mundlak_logit on data simulated as MODELS.md 14 describes, at 2,000 and
//!   100,000 observations. Before timing, the two must agree (value to 1e-10
//!   relative, gradient to 1e-8 relative to max(1, |partial|)); otherwise the
//!   bench stops with a message, since a ratio against a wrong baseline means
//!   nothing.
//! - Compile time (data text read, check, bind, lower, AD, Cranelift) of
//!   every `examples/*.hbm` that has data.
//!
//! A small harness instead of criterion: criterion would be compiled by every
//! `cargo test` that builds all targets. Each measurement warms up, sizes a
//! batch to take about 10 ms, and reports the median of 31 batches; the two
//! gradients of one row run in alternating batches, so drift in the machine
//! (2 shared cores) hits both alike.
//!
//! Without `--bench` (as `cargo test --benches` runs it) only the agreement
//! checks run.

#[path = "baselines/electric.rs"]
mod electric;
#[path = "baselines/mundlak.rs"]
mod mundlak;

use hbmc::bind::read_source;
use hbmc::diagnostics::Severity;
use hbmc::model::{BoundModel, Engine, Model, ModelError};
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Batches per measurement; the median is reported.
const BATCHES: usize = 31;
/// Target length of one batch.
const BATCH_TIME: Duration = Duration::from_millis(10);
/// Groups in the simulated data, as in the document (seed 002).
const GROUPS: usize = 30;
/// Seed of the data simulation (fixed: every run times the same data).
const DATA_SEED: u64 = 2002;

fn main() {
    let timing = std::env::args().any(|a| a == "--bench");
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));

    let mut rows = Vec::new();
    rows.push(electric_row(&root, timing));
    for n in [2_000, 100_000] {
        rows.push(mundlak_row(&root, n, timing));
    }
    if !timing {
        println!("the hand-written gradients agree with hbmc's (run with --bench to time them)");
        return;
    }

    println!();
    println!("## Gradient: hbmc (JIT) vs hand-written Rust, median of {BATCHES} batches of ~{} ms", BATCH_TIME.as_millis());
    println!();
    println!("| model | N | params | hbmc ns/grad | hand-written ns/grad | ratio | hbmc ns/obs | hand-written ns/obs |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    for r in &rows {
        println!(
            "| {} | {} | {} | {:.0} | {:.0} | {:.2}x | {:.2} | {:.2} |",
            r.model,
            r.n,
            r.dim,
            r.hbmc.median,
            r.hand.median,
            r.hbmc.median / r.hand.median,
            r.hbmc.median / r.n as f64,
            r.hand.median / r.n as f64
        );
    }
    println!();
    for r in &rows {
        println!(
            "spread (25th-75th percentile) for {} N={}: hbmc {:.0}-{:.0} ns, hand-written {:.0}-{:.0} ns",
            r.model, r.n, r.hbmc.q25, r.hbmc.q75, r.hand.q25, r.hand.q75
        );
    }
    println!();
    for r in &rows {
        println!(
            "hbmc log density alone (no gradient) for {} N={}: {:.0} ns ({:.2}x the hand-written gradient)",
            r.model, r.n, r.hbmc_lp.median, r.hbmc_lp.median / r.hand.median
        );
    }
    let per_obs = |r: &Row, t: &Timing| t.median / r.n as f64;
    let (small, large) = (&rows[1], &rows[2]);
    println!();
    println!(
        "linearity (mundlak_logit, ns/obs at N=100,000 over ns/obs at N=2,000; 1.00 = linear): hbmc {:.2}, hand-written {:.2}",
        per_obs(large, &large.hbmc) / per_obs(small, &small.hbmc),
        per_obs(large, &large.hand) / per_obs(small, &small.hand)
    );

    compile_times(&root);
}

/// One row of the gradient table.
struct Row {
    model: &'static str,
    n: usize,
    dim: usize,
    hbmc: Timing,
    hand: Timing,
    /// hbmc's log density without the gradient, for reading the ratio.
    hbmc_lp: Timing,
}

/// Nanoseconds per call: the median and quartiles over batches.
#[derive(Clone, Copy, Default)]
struct Timing {
    median: f64,
    q25: f64,
    q75: f64,
}

/// Times the compiled and the hand-written gradient of one model, after
/// checking that they agree.
fn electric_row(root: &Path, timing: bool) -> Row {
    let csv = std::fs::read_to_string(root.join("examples/data/electric.csv")).expect("examples/data/electric.csv");
    let source = std::fs::read_to_string(root.join("examples/electric_intercept.hbm")).expect("electric_intercept.hbm");
    let bound = compile_and_bind("electric_intercept", &source, "electric.csv", &csv);
    check_layout(&bound, &["mu_alpha", "sigma_alpha", "z_alpha", "theta", "beta_x", "sigma_y"]);
    let mut hand = electric::Electric::from_csv(&csv);
    assert_eq!(hand.dim(), bound.dim(), "electric_intercept: parameter counts differ");
    let n = hand.len();
    compare("electric_intercept", &bound, &mut |u, g| hand.log_density_gradient(u, g));
    let (hbmc, hand, hbmc_lp) = if timing {
        time_both(&bound, &mut |u, g| hand.log_density_gradient(u, g))
    } else {
        Default::default()
    };
    Row { model: "electric_intercept", n, dim: bound.dim(), hbmc, hand, hbmc_lp }
}

/// The same for mundlak_logit on `n` simulated observations.
fn mundlak_row(root: &Path, n: usize, timing: bool) -> Row {
    let source = std::fs::read_to_string(root.join("examples/mundlak_logit.hbm")).expect("mundlak_logit.hbm");
    let data = mundlak::simulate(n, GROUPS, DATA_SEED);
    let bound = compile_and_bind("mundlak_logit", &source, "simulated.json", &data.to_json());
    check_layout(&bound, &mundlak::PARAMS);
    let mut hand = mundlak::Mundlak::new(&data);
    assert_eq!(hand.dim(), bound.dim(), "mundlak_logit: parameter counts differ");
    compare("mundlak_logit", &bound, &mut |u, g| hand.log_density_gradient(u, g));
    let (hbmc, hand, hbmc_lp) = if timing {
        time_both(&bound, &mut |u, g| hand.log_density_gradient(u, g))
    } else {
        Default::default()
    };
    Row { model: "mundlak_logit", n, dim: bound.dim(), hbmc, hand, hbmc_lp }
}

/// Compiles and binds a model to one data text, or stops with its problems.
fn compile_and_bind(name: &str, source: &str, data_name: &str, data: &str) -> BoundModel {
    let fail = |what: String| -> ! {
        eprintln!("error: {name}: {what}");
        std::process::exit(1)
    };
    let src = read_source(data_name, data).unwrap_or_else(|d| fail(format!("data do not read: {d:?}")));
    let model = Model::compile(name, source).unwrap_or_else(|e| fail(format!("does not compile: {e:?}")));
    model.bind(&[src], Engine::Jit).unwrap_or_else(|e| fail(format!("does not bind: {e:?}")))
}

/// The baselines hard-code the unconstrained layout; stop if the compiler's
/// differs (declaration order, one block per parameter).
fn check_layout(bound: &BoundModel, names: &[&str]) {
    let got: Vec<&str> = bound.params().iter().map(|p| p.name.as_str()).collect();
    let contiguous = bound.params().windows(2).all(|w| w[0].offset + w[0].len == w[1].offset);
    if got != names || !contiguous || bound.params()[0].offset != 0 {
        eprintln!("error: the unconstrained layout is {got:?}, the hand-written baseline expects {names:?} back to back");
        std::process::exit(1);
    }
}

/// A point on the unconstrained scale, uniform in (-radius, radius).
fn point(dim: usize, seed: u64, radius: f64) -> Vec<f64> {
    let mut rng = mundlak::SplitMix(seed);
    (0..dim).map(|_| (2.0 * rng.uniform() - 1.0) * radius).collect()
}

/// Stops the bench unless the hand-written log density and gradient equal the
/// compiled ones at a few points.
fn compare(name: &str, bound: &BoundModel, hand: &mut dyn FnMut(&[f64], &mut [f64]) -> f64) {
    let mut eval = bound.evaluator();
    let dim = bound.dim();
    let names = bound.unconstrained_names();
    for seed in 1..=4 {
        let u = point(dim, seed, 1.5);
        let (mut g_jit, mut g_hand) = (vec![0.0; dim], vec![f64::NAN; dim]);
        let lp_jit = eval
            .log_density_gradient(&u, &mut g_jit)
            .unwrap_or_else(|e| panic!("{name}: the compiled gradient fails: {e}"));
        let lp_hand = hand(&u, &mut g_hand);
        let rel = (lp_jit - lp_hand).abs() / lp_jit.abs().max(1.0);
        if rel.is_nan() || rel > 1e-10 {
            eprintln!("error: {name}: the hand-written log density {lp_hand} differs from hbmc's {lp_jit} (relative {rel:e}) at point {seed}");
            std::process::exit(1);
        }
        for k in 0..dim {
            let err = (g_jit[k] - g_hand[k]).abs() / g_jit[k].abs().max(1.0);
            if err.is_nan() || err > 1e-8 {
                eprintln!(
                    "error: {name}: d/d {} by hand is {}, hbmc says {} (relative {err:e}) at point {seed}",
                    names[k], g_hand[k], g_jit[k]
                );
                std::process::exit(1);
            }
        }
    }
}

/// Times the compiled and the hand-written gradient in alternating batches,
/// then the compiled log density alone.
fn time_both(bound: &BoundModel, hand: &mut dyn FnMut(&[f64], &mut [f64]) -> f64) -> (Timing, Timing, Timing) {
    let mut eval = bound.evaluator();
    // A moderate point: |u| < 0.5 keeps every scale near 1, as in a posterior.
    let u = point(bound.dim(), 99, 0.5);
    let mut g1 = vec![0.0; u.len()];
    let mut g2 = vec![0.0; u.len()];
    let mut jit = || {
        black_box(eval.log_density_gradient(black_box(&u), &mut g1).expect("compiled gradient"));
        black_box(&g1);
    };
    let mut by_hand = || {
        black_box(hand(black_box(&u), &mut g2));
        black_box(&g2);
    };
    let n1 = batch_size(&mut jit);
    let n2 = batch_size(&mut by_hand);
    let (mut t1, mut t2) = (Vec::with_capacity(BATCHES), Vec::with_capacity(BATCHES));
    for _ in 0..BATCHES {
        t1.push(run_batch(&mut jit, n1));
        t2.push(run_batch(&mut by_hand, n2));
    }
    let mut eval = bound.evaluator();
    let mut lp_only = || {
        black_box(eval.log_density(black_box(&u)).expect("compiled log density"));
    };
    let n3 = batch_size(&mut lp_only);
    let t3 = (0..BATCHES).map(|_| run_batch(&mut lp_only, n3)).collect();
    (summarise(t1), summarise(t2), summarise(t3))
}

/// Warms up (about 100 ms), then doubles the batch until one takes
/// `BATCH_TIME`.
fn batch_size(f: &mut dyn FnMut()) -> usize {
    let warm = Instant::now();
    while warm.elapsed() < Duration::from_millis(100) {
        f();
    }
    let mut n = 1;
    loop {
        let t = Instant::now();
        for _ in 0..n {
            f();
        }
        if t.elapsed() >= BATCH_TIME || n >= 1 << 26 {
            return n;
        }
        n *= 2;
    }
}

/// Nanoseconds per call over one batch of `n` calls.
fn run_batch(f: &mut dyn FnMut(), n: usize) -> f64 {
    let t = Instant::now();
    for _ in 0..n {
        f();
    }
    t.elapsed().as_secs_f64() * 1e9 / n as f64
}

/// Median and quartiles.
fn summarise(mut t: Vec<f64>) -> Timing {
    t.sort_by(f64::total_cmp);
    let at = |q: f64| t[((t.len() - 1) as f64 * q).round() as usize];
    Timing { median: at(0.5), q25: at(0.25), q75: at(0.75) }
}

/// Compile time of every `examples/*.hbm` that has data: from source and
/// data text in memory to a JIT-ready model (reading the data text, checking,
/// binding, transformed data, lowering, AD, Cranelift). The median of 11 runs.
fn compile_times(root: &Path) {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root.join("examples"))
        .expect("examples/")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "hbm"))
        .collect();
    files.sort();
    println!();
    println!("## Compile time: source and data text to JIT-ready, median of 11 runs (target < 50 ms)");
    println!();
    println!("| example | data | params | check ms | bind to native ms | total ms |");
    println!("|---|---|---:|---:|---:|---:|");
    let mut skipped = Vec::new();
    for file in files {
        let stem = file.file_stem().and_then(|s| s.to_str()).unwrap_or_default().to_string();
        let source = std::fs::read_to_string(&file).expect("example source");
        let data = example_data(root, &stem, &source);
        if data.is_empty() {
            skipped.push(stem);
            continue;
        }
        let data_names = data.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>().join(", ");
        let mut runs = Vec::new();
        let mut dim = 0;
        for _ in 0..11 {
            let t = Instant::now();
            let sources = match data.iter().map(|(n, text)| read_source(n, text)).collect::<Result<Vec<_>, _>>() {
                Ok(s) => s,
                Err(d) => {
                    println!("| {stem} | {data_names} | - | data do not read: {} | | |", describe(&ModelError::Diagnostics(d)));
                    break;
                }
            };
            let model = match Model::compile(&stem, &source) {
                Ok(m) => m,
                Err(e) => {
                    println!("| {stem} | {data_names} | - | does not compile: {} | | |", describe(&e));
                    break;
                }
            };
            let checked = t.elapsed();
            let bound = match model.bind(&sources, Engine::Jit) {
                Ok(b) => b,
                Err(e) => {
                    println!("| {stem} | {data_names} | - | {:.2} | does not bind: {} | |", checked.as_secs_f64() * 1e3, describe(&e));
                    break;
                }
            };
            let total = t.elapsed();
            dim = bound.dim();
            runs.push((checked.as_secs_f64() * 1e3, (total - checked).as_secs_f64() * 1e3, total.as_secs_f64() * 1e3));
        }
        if runs.len() == 11 {
            let med = |k: usize| {
                let mut v: Vec<f64> = runs.iter().map(|r| [r.0, r.1, r.2][k]).collect();
                v.sort_by(f64::total_cmp);
                v[v.len() / 2]
            };
            println!("| {stem} | {data_names} | {dim} | {:.2} | {:.2} | {:.2} |", med(0), med(1), med(2));
        }
    }
    for stem in skipped {
        println!("skipped {stem}: no data (no `// data:` line, no examples/data/{stem}.json or .csv)");
    }
}

/// The errors of a model that cannot be compiled, code and message, for
/// the table.
fn describe(e: &ModelError) -> String {
    match e {
        ModelError::Diagnostics(d) => d
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .map(|d| format!("{} {}", d.code, d.message))
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    }
}

/// The data an example is compiled with, as (name, text): the files its
/// `// data: PATH` lines name (the examples' convention, paths from the
/// repository root, as tests/e2e/examples_oracle.rs reads them); else
/// `examples/data/<stem>.json` or `.csv`; else, for mundlak_logit, the
/// bench's 2,000-observation simulation. Empty when there is none.
fn example_data(root: &Path, stem: &str, source: &str) -> Vec<(String, String)> {
    let read = |path: &Path| {
        let text = std::fs::read_to_string(root.join(path)).ok()?;
        let name = path.file_name()?.to_string_lossy().into_owned();
        Some((name, text))
    };
    let named: Vec<&str> = source.lines().filter_map(|l| l.trim().strip_prefix("// data:")).map(str::trim).collect();
    if !named.is_empty() {
        return named.iter().filter_map(|p| read(Path::new(p))).collect();
    }
    let by_stem = [format!("{stem}.json"), format!("{stem}.csv")];
    if let Some(d) = by_stem.iter().find_map(|f| read(&Path::new("examples/data").join(f))) {
        return vec![d];
    }
    if stem == "mundlak_logit" {
        return vec![("simulated N=2000".into(), mundlak::simulate(2_000, GROUPS, DATA_SEED).to_json())];
    }
    Vec::new()
}
