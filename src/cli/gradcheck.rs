//! `hbmc gradcheck model.hbm --data d.json [--seed S]`: the compiled
//! gradient against finite differences, as CmdStan's `diagnose` prints it.

use super::{load_model, EXIT_DIAGNOSTICS};
use clap::Args;
use hbmc::model::Engine;
use std::path::PathBuf;

/// Arguments of `hbmc gradcheck`.
#[derive(Args)]
pub struct GradcheckArgs {
    /// The model file.
    model: PathBuf,
    /// Data files (JSON or CSV); may be repeated.
    #[arg(long)]
    data: Vec<PathBuf>,
    /// Seed of the random points.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// How many random points to check.
    #[arg(long, default_value_t = 3)]
    points: usize,
    /// Points are drawn uniformly in (-radius, radius) on the unconstrained scale.
    #[arg(long, default_value_t = 2.0)]
    radius: f64,
    /// Finite-difference step (relative to max(1, |x|)). The difference is
    /// the 4-point central stencil, whose error is O(step^4): a larger step
    /// than the 2-point rule needs keeps rounding error small.
    #[arg(long, default_value_t = 1e-3)]
    epsilon: f64,
    /// Largest accepted error, relative to max(1, |gradient|).
    #[arg(long, default_value_t = 1e-6)]
    error: f64,
    /// Check the reference interpreter instead of the native code.
    #[arg(long)]
    interpreter: bool,
}

/// Runs `hbmc gradcheck`.
pub fn run(args: GradcheckArgs) -> i32 {
    let engine = if args.interpreter { Engine::Interpreter } else { Engine::Jit };
    let model = match load_model(&args.model, &args.data, engine) {
        Ok(m) => m,
        Err(code) => return code,
    };
    let names = model.unconstrained_names();
    let mut eval = model.evaluator();
    let mut rng = hbmc_stdlib::ChainRng::new(args.seed, 0);
    let mut failures = 0;
    let dim = model.dim();
    for point in 1..=args.points {
        let x: Vec<f64> = (0..dim).map(|_| (2.0 * rng.uniform() - 1.0) * args.radius).collect();
        let mut grad = vec![0.0; dim];
        let lp = match eval.log_density_gradient(&x, &mut grad) {
            Ok(lp) => lp,
            Err(e) => {
                println!("point {point}: the log density could not be evaluated: {}", e.message);
                failures += 1;
                continue;
            }
        };
        println!("point {point}: log density = {lp}");
        println!("{:>24} {:>16} {:>20} {:>20} {:>14}", "param", "value", "model", "finite diff", "error");
        for i in 0..dim {
            let mut fd_at = |h: f64| {
                let mut at = |d: f64| {
                    let mut y = x.clone();
                    y[i] += d;
                    eval.log_density(&y)
                };
                match (at(h), at(-h), at(2.0 * h), at(-2.0 * h)) {
                    (Ok(a), Ok(b), Ok(c), Ok(d)) => (8.0 * (a - b) - (c - d)) / (12.0 * h),
                    _ => f64::NAN,
                }
            };
            let h = args.epsilon * x[i].abs().max(1.0);
            let within = |fd: f64| (grad[i] - fd).abs() / grad[i].abs().max(1.0) <= args.error;
            let mut fd = fd_at(h);
            let mut note = "";
            if !within(fd) {
                // A density with a kink (the asymmetric Laplace at y = mu)
                // is not smooth across it: a step that crosses one misses
                // by part of the jump. A 1000 times smaller step crosses
                // one about 1000 times less often, while a wrong
                // derivative stays wrong at every step.
                let small = fd_at(h * 1e-3);
                if within(small) {
                    fd = small;
                    note = "  (step / 1000: the larger step crosses a kink)";
                }
            }
            let err = grad[i] - fd;
            let bad = !within(fd);
            if bad {
                failures += 1;
            }
            println!(
                "{:>24} {:>16.6} {:>20.10e} {:>20.10e} {:>14.4e}{}{note}",
                names.get(i).map_or("?", String::as_str),
                x[i],
                grad[i],
                fd,
                err,
                if bad { "  <- over tolerance" } else { "" }
            );
        }
    }
    if failures > 0 {
        eprintln!("{failures} partial derivative(s) differ from finite differences by more than {:e} (relative)", args.error);
        EXIT_DIAGNOSTICS
    } else {
        eprintln!("all {} partial derivatives at {} point(s) agree with finite differences", dim * args.points, args.points);
        0
    }
}
