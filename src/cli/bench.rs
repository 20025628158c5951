//! `hbmc bench model.hbm --data d.json`: compile time and the median time of
//! one log-density-with-gradient evaluation; with `--sampler`, the time per
//! leapfrog step of real NUTS transitions and its part outside the gradient.

use super::load_model;
use clap::Args;
use hbmc::model::{BoundModel, Engine, Evaluator};
use hbmc_runtime::nuts::timing::{time_trajectory, TrajectoryTimingSettings};
use hbmc_runtime::{sample, AdaptSettings, InvMetric, LogDensity, LogDensityError, NoProgress, OutputOptions, PlainModel, SamplerSettings};
use std::sync::atomic::AtomicBool;
use std::path::PathBuf;
use std::time::Instant;

/// Arguments of `hbmc bench`.
#[derive(Args)]
pub struct BenchArgs {
    /// The model file.
    model: PathBuf,
    /// Data files (JSON or CSV); may be repeated.
    #[arg(long)]
    data: Vec<PathBuf>,
    /// Timed batches of evaluations.
    #[arg(long, default_value_t = 21)]
    batches: usize,
    /// Run exactly this many evaluations and report their mean, without
    /// calibrating batches: for instruction counts under
    /// `valgrind --tool=callgrind`, which are repeatable on a busy machine.
    #[arg(long)]
    evals: Option<usize>,
    /// Time real NUTS transitions after a short warmup (step size and
    /// diagonal-based metric adapted as `hbmc run` does) and report the
    /// time per leapfrog step, the gradient's share and the sampler's own
    /// overhead.
    #[arg(long)]
    sampler: bool,
    /// With `--sampler`: the warmup adaptation, as `hbmc run --adapt`
    /// [default: low-rank, as `hbmc run`].
    #[arg(long, value_enum, requires = "sampler")]
    adapt: Option<super::run::Adapt>,
    /// With `--sampler`: warmup iterations before the timed transitions.
    #[arg(long, default_value_t = 300)]
    warmup: usize,
    /// With `--sampler`: transitions per timed batch (the fastest of
    /// `--batches` is reported).
    #[arg(long, default_value_t = 100)]
    transitions: usize,
    /// With `--sampler`: random seed.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Also time the gradient on this many threads (as `hbmc run
    /// --threads-per-chain`), in batches alternating with one thread's, and
    /// report the speedup; the two gradients are checked to be bitwise equal.
    #[arg(long, default_value_t = 1)]
    threads_per_chain: usize,
}

/// Runs `hbmc bench`.
pub fn run(args: BenchArgs) -> i32 {
    let started = Instant::now();
    let cpu_started = thread_cpu_ns();
    let model = match load_model(&args.model, &args.data, Engine::Jit) {
        Ok(m) => m,
        Err(code) => return code,
    };
    let total_compile = started.elapsed();
    let compile_cpu = cpu_started.zip(thread_cpu_ns()).map(|(a, b)| b.saturating_sub(a));
    let dim = model.dim();
    let mut eval = model.evaluator();
    let x: Vec<f64> = (0..dim).map(|i| 0.1 * ((i % 7) as f64 - 3.0)).collect();
    let mut grad = vec![0.0; dim];
    if let Err(e) = eval.log_density_gradient(&x, &mut grad) {
        eprintln!("error: the log density cannot be evaluated at the benchmark point: {}", e.message);
        return super::EXIT_DIAGNOSTICS;
    }
    if args.sampler {
        return bench_sampler(&args, &model, &x, total_compile);
    }
    if args.threads_per_chain == 0 {
        eprintln!("error: --threads-per-chain must be at least 1");
        return super::EXIT_USAGE;
    }
    let mut threaded = match args.threads_per_chain {
        1 => None,
        n => match model.evaluator_with_threads(n) {
            Ok(e) => Some(e),
            Err(e) => {
                eprintln!("error: {e}");
                return super::EXIT_DIAGNOSTICS;
            }
        },
    };
    if let Some(n) = args.evals {
        let eval = threaded.as_mut().unwrap_or(&mut eval);
        let t = Instant::now();
        for _ in 0..n {
            let _ = eval.log_density_gradient(&x, &mut grad);
        }
        println!(
            "{n} gradient evaluations on {} thread(s) took {:.3} us each (mean)",
            eval.threads(),
            t.elapsed().as_secs_f64() * 1e6 / n.max(1) as f64
        );
        return 0;
    }
    // Size a batch to take about 10 ms, then time batches and report the median.
    let mut per_batch = 1usize;
    loop {
        let t = Instant::now();
        for _ in 0..per_batch {
            let _ = eval.log_density_gradient(&x, &mut grad);
        }
        if t.elapsed().as_secs_f64() > 0.01 || per_batch > 1 << 24 {
            break;
        }
        per_batch *= 2;
    }
    let mut time_batch = |eval: &mut Evaluator| {
        let t = Instant::now();
        for _ in 0..per_batch {
            let _ = eval.log_density_gradient(&x, &mut grad);
        }
        t.elapsed().as_secs_f64() / per_batch as f64
    };
    let mut times = Vec::new();
    let mut threaded_times = Vec::new();
    for _ in 0..args.batches.max(1) {
        times.push(time_batch(&mut eval));
        if let Some(t) = threaded.as_mut() {
            threaded_times.push(time_batch(t));
        }
    }
    times.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    println!("model: {}", args.model.display());
    println!("unconstrained parameters: {dim}");
    println!("compile time (read, check, bind, lower, AD, JIT): {:.1} ms", total_compile.as_secs_f64() * 1e3);
    println!("  of which bind to native code: {:.1} ms", model.compile_time.as_secs_f64() * 1e3);
    if let Some(ns) = compile_cpu {
        println!("  CPU time of the compiling thread (not counting time descheduled): {:.1} ms", ns as f64 * 1e-6);
    }
    println!("gradient evaluation took {:.3} us (median of {} batches of {per_batch})", median * 1e6, times.len());
    if let Some(t) = threaded.as_mut() {
        threaded_times.sort_by(f64::total_cmp);
        let m = threaded_times[threaded_times.len() / 2];
        let n = args.threads_per_chain;
        if t.threads() == 1 {
            println!("threads per chain: no likelihood loop of this model is large enough to share; {n} threads run as one");
        }
        println!(
            "gradient evaluation on {n} threads took {:.3} us (median, batches alternating with one thread's): {:.2}x the speed of one thread",
            m * 1e6,
            median / m
        );
        let (mut g1, mut gn) = (vec![0.0; dim], vec![0.0; dim]);
        let same = match (eval.log_density_gradient(&x, &mut g1), t.log_density_gradient(&x, &mut gn)) {
            (Ok(a), Ok(b)) => a.to_bits() == b.to_bits() && g1.iter().zip(&gn).all(|(p, q)| p.to_bits() == q.to_bits()),
            _ => false,
        };
        if !same {
            eprintln!("error: the gradient on {n} threads differs from one thread's (it must be bitwise equal)");
            return super::EXIT_DIAGNOSTICS;
        }
        println!("value and gradient on {n} threads: bitwise equal to one thread's");
    }
    0
}

/// The model's log density for the runtime, as `hbmc run` evaluates it.
struct BenchDensity {
    eval: Evaluator,
    dim: usize,
}

impl LogDensity for BenchDensity {
    fn dim(&self) -> usize {
        self.dim
    }

    fn logp_grad(&mut self, position: &[f64], gradient: &mut [f64]) -> Result<f64, LogDensityError> {
        self.eval.log_density_gradient(position, gradient).map_err(|e| LogDensityError::recoverable(e.message))
    }
}

/// `hbmc bench --sampler`: one chain warms up as `hbmc run` would (its
/// default adaptation unless `--adapt` names another, `--warmup`
/// iterations), then its final step size, metric (low-rank included) and
/// draw start timed transitions ([`time_trajectory`]).
fn bench_sampler(args: &BenchArgs, model: &BoundModel, x: &[f64], total_compile: std::time::Duration) -> i32 {
    let dim = model.dim();
    let settings = SamplerSettings {
        chains: 1,
        warmup: args.warmup.max(1),
        draws: 1,
        seed: args.seed,
        threads: 1,
        adapt: AdaptSettings { method: super::run::Adapt::method(args.adapt), ..Default::default() },
        ..Default::default()
    };
    let make = |_chain: usize| PlainModel::new(BenchDensity { eval: model.evaluator(), dim }, "x");
    let warm = match sample(make, &settings, &OutputOptions::memory(), &NoProgress, &AtomicBool::new(false)) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: the warmup run failed: {e}");
            return super::EXIT_DIAGNOSTICS;
        }
    };
    let chain = &warm.chains[0];
    let draws = warm.draws();
    // The unconstrained coordinates `x.1`, ... follow the sampler columns;
    // without them (a failed chain) the benchmark starts where `hbmc bench` does.
    let start: Vec<f64> = (0..dim)
        .map(|i| {
            let name = if dim == 1 { "x".to_string() } else { format!("x.{}", i + 1) };
            draws.column_by_name(&name).and_then(|c| c.first().and_then(|d| d.last().copied())).unwrap_or(x[i])
        })
        .collect();
    let timing_settings = TrajectoryTimingSettings {
        step_size: chain.step_size,
        inv_metric: chain.inv_metric.clone().unwrap_or_else(|| InvMetric::Diag(vec![1.0; dim])),
        low_rank: chain.low_rank_metric.clone(),
        max_depth: settings.max_depth,
        warm_transitions: 20,
        transitions: args.transitions.max(1),
        batches: args.batches.max(1),
        seed: args.seed,
    };
    let mut density = BenchDensity { eval: model.evaluator(), dim };
    let t = match time_trajectory(&mut density, &start, &timing_settings) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: timing the transitions failed: {e}");
            return super::EXIT_DIAGNOSTICS;
        }
    };
    println!("model: {}", args.model.display());
    println!("unconstrained parameters: {dim}");
    println!("compile time (read, check, bind, lower, AD, JIT): {:.1} ms", total_compile.as_secs_f64() * 1e3);
    println!(
        "after {} warmup iterations: step size {:.4}; fastest of {} unclocked batches of {} transitions: {} leapfrog steps ({:.1} per transition, {} divergent)",
        settings.warmup,
        chain.step_size,
        t.timed_batches,
        t.transitions,
        t.leapfrog_steps,
        t.leapfrog_steps as f64 / t.transitions as f64,
        t.divergences
    );
    let metric = match &chain.low_rank_metric {
        Some(m) => format!("low-rank of rank {} (modifying the diagonal)", m.vals.len()),
        None => "diagonal".to_string(),
    };
    println!("metric ({} adaptation): {metric}", settings.adapt.method.name());
    println!("gradient evaluation: {:.3} us", t.gradient * 1e6);
    println!("time per leapfrog step: {:.3} us", t.per_step * 1e6);
    println!(
        "sampler overhead per leapfrog step (outside the gradient): {:.3} us = {:.1}% of the gradient",
        t.overhead() * 1e6,
        100.0 * t.overhead() / t.gradient
    );
    if let Some(g) = t.gradient_in_trajectory {
        // The gradient runs slower inside a trajectory (other data in the
        // caches, new points for the branch predictors): what is left is
        // the sampler's own work.
        println!(
            "gradient clocked inside the trajectory: {:.3} us, so the sampler's own work is {:.3} us = {:.1}% of it",
            g * 1e6,
            (t.per_step - g) * 1e6,
            100.0 * (t.per_step - g) / g
        );
    }
    0
}

/// CPU time this thread has run, in nanoseconds (Linux's
/// `/proc/thread-self/schedstat`); `None` where it is not available. On a
/// busy machine the wall-clock compile time counts the time other processes
/// had the CPU; this does not.
fn thread_cpu_ns() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    text.split_whitespace().next()?.parse().ok()
}
