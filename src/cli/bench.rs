//! `hbmc bench model.hbm --data d.json`: compile time and the median time of
//! one log-density-with-gradient evaluation.

use super::load_model;
use clap::Args;
use hbmc::model::Engine;
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
}

/// Runs `hbmc bench`.
pub fn run(args: BenchArgs) -> i32 {
    let started = Instant::now();
    let model = match load_model(&args.model, &args.data, Engine::Jit) {
        Ok(m) => m,
        Err(code) => return code,
    };
    let total_compile = started.elapsed();
    let dim = model.dim();
    let mut eval = model.evaluator();
    let x: Vec<f64> = (0..dim).map(|i| 0.1 * ((i % 7) as f64 - 3.0)).collect();
    let mut grad = vec![0.0; dim];
    if let Err(e) = eval.log_density_gradient(&x, &mut grad) {
        eprintln!("error: the log density cannot be evaluated at the benchmark point: {}", e.message);
        return super::EXIT_DIAGNOSTICS;
    }
    if let Some(n) = args.evals {
        let t = Instant::now();
        for _ in 0..n {
            let _ = eval.log_density_gradient(&x, &mut grad);
        }
        println!("{n} gradient evaluations took {:.3} us each (mean)", t.elapsed().as_secs_f64() * 1e6 / n.max(1) as f64);
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
    let mut times: Vec<f64> = (0..args.batches.max(1))
        .map(|_| {
            let t = Instant::now();
            for _ in 0..per_batch {
                let _ = eval.log_density_gradient(&x, &mut grad);
            }
            t.elapsed().as_secs_f64() / per_batch as f64
        })
        .collect();
    times.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    println!("model: {}", args.model.display());
    println!("unconstrained parameters: {dim}");
    println!("compile time (read, check, bind, lower, AD, JIT): {:.1} ms", total_compile.as_secs_f64() * 1e3);
    println!("  of which bind to native code: {:.1} ms", model.compile_time.as_secs_f64() * 1e3);
    println!("gradient evaluation took {:.3} us (median of {} batches of {per_batch})", median * 1e6, times.len());
    0
}
