//! CSV output: CmdStan's layout line by line, determinism across thread
//! counts, reading files back, interruption.


use hbmc_runtime::*;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// A CmdStan 2.33 output file for the Bernoulli example with default
/// settings (one chain), written by hand after CmdStan's layout
/// (`services/util/mcmc_writer.hpp`, `stan/mcmc/hmc/hamiltonians/
/// diag_e_point.hpp`); draws shortened to three.
const CMDSTAN_SAMPLE: &str = "\
# stan_version_major = 2
# stan_version_minor = 33
# stan_version_patch = 0
# model = bernoulli_model
# start_datetime = 2023-11-29 16:52:51 UTC
# method = sample (Default)
#   sample
#     num_samples = 1000 (Default)
#     num_warmup = 1000 (Default)
#     save_warmup = 0 (Default)
#     thin = 1 (Default)
#     adapt
#       engaged = 1 (Default)
#       gamma = 0.050000000000000003 (Default)
#       delta = 0.80000000000000004 (Default)
#       kappa = 0.75 (Default)
#       t0 = 10 (Default)
#       init_buffer = 75 (Default)
#       term_buffer = 50 (Default)
#       window = 25 (Default)
#     algorithm = hmc (Default)
#       hmc
#         engine = nuts (Default)
#           nuts
#             max_depth = 10 (Default)
#         metric = diag_e (Default)
#         metric_file =  (Default)
#         stepsize = 1 (Default)
#         stepsize_jitter = 0 (Default)
#     num_chains = 1 (Default)
# id = 1 (Default)
# data
#   file = bernoulli.data.json
# init = 2 (Default)
# random
#   seed = 1234
# output
#   file = output.csv (Default)
#   diagnostic_file =  (Default)
#   refresh = 100 (Default)
#   sig_figs = -1 (Default)
#   profile_file = profile.csv (Default)
# num_threads = 1 (Default)
# stanc_version = stanc3 v2.33.1
# stancflags = 
lp__,accept_stat__,stepsize__,treedepth__,n_leapfrog__,divergent__,energy__,theta
# Adaptation terminated
# Step size = 0.932037
# Diagonal elements of inverse mass matrix:
# 0.544113
-6.74929,1,0.932037,1,3,0,7.00052,0.229815
-7.26818,0.828981,0.932037,1,3,0,7.38373,0.138661
-6.82582,0.979149,0.932037,2,3,0,7.37001,0.302213
# 
#  Elapsed Time: 0.003 seconds (Warm-up)
#                0.007 seconds (Sampling)
#                0.01 seconds (Total)
# 
";

/// CmdStan header lines hbmc deliberately leaves out: the start time and
/// the thread count would make files differ between runs with the same
/// seed, and neither is read by cmdstanpy or ArviZ.
const OMITTED_KEYS: [&str; 2] = ["start_datetime", "num_threads"];

/// Keys whose values must equal CmdStan's for default settings.
const SAME_VALUE_KEYS: [&str; 19] = [
    "method", "num_samples", "num_warmup", "save_warmup", "thin", "engaged", "kappa", "t0", "init_buffer",
    "term_buffer", "window", "algorithm", "engine", "max_depth", "metric", "stepsize", "stepsize_jitter",
    "num_chains", "id",
];

fn bernoulli(_chain: usize) -> impl LogDensity + OutputMap {
    // theta ~ beta(1,1), y = (0,1,0,0,0,0,0,0,0,1): on the logit scale
    // log p(u) = 2 log s + 8 log(1-s) + log s + log(1-s) (Jacobian), s = inv_logit(u).
    PlainModel::new(
        FnDensity::new(1, |u: &[f64], g: &mut [f64]| {
            let s = 1.0 / (1.0 + (-u[0]).exp());
            g[0] = 3.0 * (1.0 - s) - 9.0 * s;
            Ok(3.0 * s.ln() + 9.0 * (1.0 - s).ln())
        }),
        "theta",
    )
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hbmc-runtime-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// Splits a header comment into (indent + key, value, marked Default).
fn parse_config_line(line: &str) -> Option<(String, String, bool)> {
    let body = line.strip_prefix('#')?;
    let (k, v) = body.split_once(" = ").or_else(|| body.split_once(" ="))?;
    let is_default = v.trim_end().ends_with("(Default)");
    let v = v.trim_end().trim_end_matches("(Default)").trim().to_string();
    Some((k.to_string(), v, is_default))
}

/// Replaces every number in a line by `N`, to compare line shapes.
fn shape(line: &str) -> String {
    let mut out = String::new();
    let mut in_num = false;
    for ch in line.chars() {
        let numeric = ch.is_ascii_digit() || ch == '.' || ch == '-' || ch == 'e';
        if numeric && (in_num || ch.is_ascii_digit() || ch == '-' || ch == '.') {
            if !in_num {
                out.push('N');
                in_num = true;
            }
        } else {
            in_num = false;
            out.push(ch);
        }
    }
    out
}

#[test]
fn csv_layout_matches_cmdstan_field_by_field() {
    let dir = temp_dir("layout");
    let mut csv = CsvOptions::new(dir.join("output"), "bernoulli_model");
    csv.data_file = "bernoulli.data.json".into();
    let settings = SamplerSettings { chains: 1, seed: 1234, threads: 1, ..Default::default() };
    let stop = AtomicBool::new(false);
    let run = sample(bernoulli, &settings, &OutputOptions::csv(csv), &NoProgress, &stop).expect("run");
    let path = run.csv_paths()[0].clone();
    assert_eq!(path.file_name().and_then(|f| f.to_str()), Some("output_1.csv"));
    let ours = std::fs::read_to_string(&path).expect("read");

    let split = |text: &str| -> (Vec<String>, String, Vec<String>) {
        let lines: Vec<String> = text.lines().map(|s| s.to_string()).collect();
        let h = lines.iter().position(|l| !l.starts_with('#')).expect("header line");
        (lines[..h].to_vec(), lines[h].clone(), lines[h + 1..].to_vec())
    };
    let (their_cfg, their_header, their_rest) = split(CMDSTAN_SAMPLE);
    let (our_cfg, our_header, our_rest) = split(&ours);

    // 1. Configuration lines: same keys, same indentation, same order, same
    //    (Default) marks, same values where the settings agree.
    let theirs: Vec<(String, String, bool)> = their_cfg
        .iter()
        .filter_map(|l| parse_config_line(l).or_else(|| Some((l.clone(), String::new(), false))))
        .filter(|(k, _, _)| !OMITTED_KEYS.contains(&k.trim()))
        .collect();
    let ours_cfg: Vec<(String, String, bool)> = our_cfg
        .iter()
        .map(|l| parse_config_line(l).unwrap_or_else(|| (l.clone(), String::new(), false)))
        .collect();
    assert_eq!(ours_cfg.len(), theirs.len(), "number of configuration lines");
    for ((ok, ov, od), (tk, tv, td)) in ours_cfg.iter().zip(&theirs) {
        assert_eq!(ok, tk, "configuration key/indentation");
        let key = tk.trim();
        if SAME_VALUE_KEYS.contains(&key) || ["model", "seed"].contains(&key) {
            assert_eq!(ov, tv, "value of {key}");
        }
        if key == "gamma" || key == "delta" {
            assert_eq!(ov.parse::<f64>().ok(), tv.parse::<f64>().ok(), "value of {key}");
        }
        if !["file", "sig_figs", "stanc_version", "seed"].contains(&key) {
            assert_eq!(od, td, "(Default) mark of {key}");
        }
    }

    // 2. Column header.
    assert_eq!(our_header, their_header);
    assert_eq!(&our_header.split(',').take(7).collect::<Vec<_>>(), &SAMPLER_COLUMNS);

    // 3. Adaptation block: same lines up to the numbers.
    for i in 0..4 {
        assert_eq!(shape(&our_rest[i]), shape(&their_rest[i]), "adaptation line {i}");
    }
    // 4. Draw lines: 8 numeric fields, integers where CmdStan has them.
    let draws: Vec<&String> = our_rest.iter().filter(|l| !l.starts_with('#')).collect();
    assert_eq!(draws.len(), 1000);
    for d in &draws {
        let f: Vec<&str> = d.split(',').collect();
        assert_eq!(f.len(), 8);
        for (j, v) in f.iter().enumerate() {
            let x: f64 = v.parse().unwrap_or_else(|_| panic!("field {j} {v:?} is not a number"));
            if (3..=5).contains(&j) {
                assert!(!v.contains('.') && x.fract() == 0.0, "field {j} should be an integer: {v}");
            }
        }
    }
    // 5. Timing block: exactly CmdStan's spacing; then hbmc's own last line,
    //    the gradient count (after the timing block, where cmdstanpy and
    //    ArviZ ignore it).
    let (last, our_rest) = our_rest.split_last().expect("lines after the header");
    assert!(last.starts_with("# Gradient evaluations: ") && last.ends_with("; adaptation: stan"), "{last}");
    let tail: Vec<&String> = our_rest.iter().rev().take(5).collect::<Vec<_>>().into_iter().rev().collect();
    let their_tail: Vec<&String> = their_rest.iter().rev().take(5).collect::<Vec<_>>().into_iter().rev().collect();
    for (o, t) in tail.iter().zip(&their_tail) {
        assert_eq!(shape(o), shape(t), "timing line");
    }

    // 6. Reading back: step size and metric round-trip exactly.
    let read = read_cmdstan_csv(&path).expect("read back");
    assert_eq!(read.step_size, Some(run.chains[0].step_size));
    assert_eq!(read.inv_metric, run.chains[0].inv_metric);
    assert_eq!(read.num_draws(), 1000);
    assert_eq!(read.config_value("seed"), Some("1234"));
    assert_eq!(read.config_value("metric"), Some("diag_e"));
    assert!(!read.interrupted);
    // And CmdStan's own file reads too.
    let theirs = parse_cmdstan_csv(CMDSTAN_SAMPLE.as_bytes()).expect("CmdStan sample");
    assert_eq!(theirs.step_size, Some(0.932037));
    assert_eq!(theirs.inv_metric, Some(InvMetric::Diag(vec![0.544113])));
    assert_eq!(theirs.draws[7], vec![0.229815, 0.138661, 0.302213]);
    assert_eq!(theirs.timing, Some((0.003, 0.007)));
    let _ = std::fs::remove_dir_all(&dir);
}

fn without_timing(text: &str) -> Vec<&str> {
    text.lines().filter(|l| !l.contains("seconds (")).collect()
}

fn run_to_dir(dir: &Path, threads: usize) -> Vec<String> {
    let settings = SamplerSettings { chains: 4, seed: 77, threads, warmup: 300, draws: 300, ..Default::default() };
    let stop = AtomicBool::new(false);
    let run = sample(bernoulli, &settings, &OutputOptions::csv(CsvOptions::new(dir.join("b"), "b")), &NoProgress, &stop)
        .expect("run");
    assert_eq!(run.chains.len(), 4);
    run.csv_paths().iter().map(|p| std::fs::read_to_string(p).expect("read")).collect()
}

/// The same seed gives byte-identical files with 1 and 2 threads, apart
/// from the three elapsed-time lines.
#[test]
fn same_seed_same_files_whatever_the_threads() {
    let (d1, d2) = (temp_dir("threads1"), temp_dir("threads2"));
    let one = run_to_dir(&d1, 1);
    let two = run_to_dir(&d2, 2);
    for (a, b) in one.iter().zip(&two) {
        let (la, lb) = (without_timing(a), without_timing(b));
        assert_eq!(la.len(), lb.len());
        for (i, (x, y)) in la.iter().zip(&lb).enumerate() {
            assert_eq!(x, y, "line {i} differs");
        }
        assert_eq!(a.lines().count(), b.lines().count());
        assert_eq!(a.lines().count() - without_timing(a).len(), 3);
    }
    // Different chains differ.
    assert_ne!(without_timing(&one[0])[50..], without_timing(&one[1])[50..]);
    let _ = std::fs::remove_dir_all(&d1);
    let _ = std::fs::remove_dir_all(&d2);
}

/// The stop flag ends chains early; files are flushed, marked partial and
/// still readable; the result says so.
#[test]
fn interruption_leaves_marked_partial_files() {
    let dir = temp_dir("interrupt");
    let stop = AtomicBool::new(false);
    let seen = AtomicUsize::new(0);
    let progress = |u: &ProgressUpdate| {
        if u.phase == Phase::Sampling && u.iteration >= 1200 {
            stop.store(true, Ordering::SeqCst);
        }
        seen.fetch_add(1, Ordering::SeqCst);
    };
    let settings = SamplerSettings { chains: 2, seed: 5, threads: 2, refresh: 100, ..Default::default() };
    let run = sample(bernoulli, &settings, &OutputOptions::csv(CsvOptions::new(dir.join("p"), "p")), &progress, &stop)
        .expect("run");
    assert!(run.interrupted);
    assert!(seen.load(Ordering::SeqCst) >= 12);
    for c in &run.chains {
        assert_eq!(c.status, ChainStatus::Interrupted);
        assert!(c.draws_done < 1000);
        let path = c.csv_path.as_ref().expect("file");
        let text = std::fs::read_to_string(path).expect("read");
        let last = text.lines().last().expect("non-empty");
        assert!(last.starts_with("# Sampling interrupted after") && last.ends_with("this file is partial"), "{last}");
        let read = read_cmdstan_csv(path).expect("partial file reads");
        assert!(read.interrupted);
        assert_eq!(read.num_draws(), c.draws_done);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Files written by a run summarise as the in-memory draws do.
#[test]
fn summary_from_files_equals_summary_from_memory() {
    let dir = temp_dir("summary");
    let settings = SamplerSettings { chains: 2, seed: 3, threads: 2, warmup: 200, draws: 200, ..Default::default() };
    let output = OutputOptions { csv: Some(CsvOptions::new(dir.join("s"), "s")), keep_draws: true };
    let run = sample(bernoulli, &settings, &output, &NoProgress, &AtomicBool::new(false)).expect("run");
    let files: Vec<StanCsv> = run.csv_paths().iter().map(|p| read_cmdstan_csv(p).expect("read")).collect();
    let from_files = Draws::from_csv(&files).expect("same columns");
    assert_eq!(from_files, run.draws());
    let opts = SummaryOptions { include_lp: true, ..Default::default() };
    assert_eq!(summarize(&from_files, &opts), summarize(&run.draws(), &opts));
    // The same through `read_csv_files`, with diagnostics from the sampler
    // columns agreeing with the run's own statistics.
    let (draws, diag) = read_csv_files(&run.csv_paths()).expect("read");
    assert_eq!(draws, run.draws());
    let from_run = SamplerDiagnostics::from_run(&run, 0.8, 10);
    assert_eq!(diag.divergences, from_run.divergences);
    assert_eq!(diag.max_depth_hits, from_run.max_depth_hits);
    assert_eq!(diag.adapt_delta, Some(0.8));
    assert_eq!(diag.max_depth, Some(10));
    for (a, b) in diag.ebfmi.iter().zip(&from_run.ebfmi) {
        assert!((a - b).abs() < 1e-9 * b.abs(), "E-BFMI {a} vs {b}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
