//! `hbmc gradcheck model.hbm --data d.json [--seed S]`: the compiled
//! gradient against finite differences, as CmdStan's `diagnose` prints it.
//! A point where the log density or a finite difference is not finite
//! (overflow, NaN, a rejection) cannot check the gradient: it is reported
//! as such and another point is drawn, up to [`TRIES_PER_POINT`] per point.
//! A log density so large that its finite differences keep only a few
//! digits is judged within their rounding error ([`stencil_rounding`]),
//! or, past [`UNRESOLVED`], reported and replaced by another point.
//! ODEs are solved at `--ode-tol` (1e-10) for the check, whatever the
//! program asks: at Stan's loose defaults a finite difference of a solve
//! is mostly the solver's error. A point that still disagrees is checked
//! again at 100 and 10,000 times tighter relative tolerances ([`TIGHTER_ODE`]),
//! with an absolute one far below them ([`RELATIVE_ONLY`]):
//! where a state falls far below the absolute tolerance (posteriordb's
//! Lotka-Volterra at a random point: prey at 1e-21, read through a `log`)
//! the solve at 1e-10 is mostly error; a wrong gradient stays wrong at
//! every tolerance.

use super::{load_model_for_gradcheck, EXIT_DIAGNOSTICS, EXIT_USAGE};
use clap::Args;
use hbmc::model::{Engine, Evaluator, OdeControls};
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
    /// Solve every ODE of the model at this relative and absolute
    /// tolerance (and up to 1e8 steps) during the check, instead of the
    /// program's own: at a loose tolerance the finite differences measure
    /// the solver's error, not the gradient's.
    #[arg(long, default_value_t = 1e-10)]
    ode_tol: f64,
    /// Keep the program's own ODE tolerances during the check.
    #[arg(long)]
    model_ode_tol: bool,
    /// At most this many coordinates are compared per point, drawn at
    /// random (seeded) when the model has more; 0 compares every one.
    /// Each takes four or more log densities, so a network with 80,000
    /// weights would take hours.
    #[arg(long, default_value_t = 500)]
    coordinates: usize,
}

/// What one random point gave.
enum PointCheck {
    /// Every partial derivative compared: one row per coordinate.
    Checked(Vec<Row>),
    /// The point cannot check the gradient (the log density, or a finite
    /// difference, is not finite there): why, to report before another
    /// point is tried.
    Unusable(String),
}

/// One coordinate's comparison.
struct Row {
    index: usize,
    model: f64,
    finite_diff: f64,
    bad: bool,
    note: &'static str,
}

/// Draws at most this many points per point asked for, so that a model
/// whose finite differences overflow almost everywhere still ends.
const TRIES_PER_POINT: usize = 10;

/// A point whose finite difference carries a rounding error above this
/// fraction of max(1, |gradient|) cannot check the gradient: it is
/// reported and another point is drawn.
const UNRESOLVED: f64 = 0.1;

/// How many times the spread of the finite differences at three steps a
/// gradient may differ from the middle one by, when the log density is
/// noisy (see `check_point`).
const NOISE_MARGIN: f64 = 3.0;

/// How many times tighter than `--ode-tol` the solves of a point that
/// disagrees are run again, in turn (down to [`TIGHTEST_ODE`]).
const TIGHTER_ODE: [f64; 2] = [1e-2, 1e-4];

/// The recheck's absolute tolerance, as a fraction of its relative one:
/// small enough that a state of 1e-30 is still solved to a relative
/// `tol` (the sensitivities' error control is the states' own).
const RELATIVE_ONLY: f64 = 1e-20;

/// No solve of the check is asked for below this tolerance: past it a
/// double's rounding, not the solver, bounds the error.
const TIGHTEST_ODE: f64 = 1e-14;

/// Rounding error bound of the 4-point stencil at step `h` from its
/// four log-density values: each value is a sum rounded a few times at
/// its own magnitude (taken as 4 ulps of the largest), and the stencil
/// `(8(a - b) - (c - d)) / 12h` multiplies that error by 18 / 12h.
fn stencil_rounding(values: &[f64; 4], h: f64) -> f64 {
    let largest = values.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
    4.0 * f64::EPSILON * largest * 18.0 / (12.0 * h)
}

/// Runs `hbmc gradcheck`.
pub fn run(args: GradcheckArgs) -> i32 {
    let engine = if args.interpreter { Engine::Interpreter } else { Engine::Jit };
    if !(args.ode_tol > 0.0 && args.ode_tol < 1.0) {
        eprintln!("error: --ode-tol must be a tolerance between 0 and 1 (such as 1e-10), got {}", args.ode_tol);
        return EXIT_USAGE;
    }
    let controls = (!args.model_ode_tol).then_some(OdeControls { rel_tol: args.ode_tol, abs_tol: args.ode_tol, max_num_steps: 1e8 });
    let rebound_odes;
    let model = match load_model_for_gradcheck(&args.model, &args.data, engine, controls) {
        Ok((m, rebound)) => {
            rebound_odes = rebound;
            if rebound {
                println!(
                    "the model solves ODEs: every solve runs at relative and absolute tolerance {:e} for this check (--model-ode-tol keeps the program's own)",
                    args.ode_tol
                );
            }
            m
        }
        Err(code) => return code,
    };
    let names = model.unconstrained_names();
    let mut eval = model.evaluator();
    // The same model with tighter ODE tolerances, bound on first need.
    let mut tighter: Vec<Option<Evaluator>> = TIGHTER_ODE.iter().map(|_| None).collect();
    let mut rng = hbmc_stdlib::ChainRng::new(args.seed, 0);
    let mut failures = 0;
    let dim = model.dim();
    let (mut checked, mut tried) = (0, 0);
    let max_tries = args.points.max(1) * TRIES_PER_POINT;
    let sampled = args.coordinates > 0 && dim > args.coordinates;
    if sampled {
        println!(
            "the model has {dim} unconstrained parameters: each point compares {} of them, drawn at random (--coordinates 0 compares every one)",
            args.coordinates
        );
    }
    while checked < args.points && tried < max_tries {
        tried += 1;
        let point = tried;
        let x: Vec<f64> = (0..dim).map(|_| (2.0 * rng.uniform() - 1.0) * args.radius).collect();
        let mut grad = vec![0.0; dim];
        let lp = match eval.log_density_gradient(&x, &mut grad) {
            Ok(lp) if lp.is_finite() => lp,
            Ok(lp) => {
                println!("point {point}: the log density is {lp}; not a point to check the gradient at, trying another");
                continue;
            }
            Err(e) => {
                println!("point {point}: the log density could not be evaluated ({}); trying another point", e.message);
                continue;
            }
        };
        let coords = if sampled { sample_coordinates(&mut rng, dim, args.coordinates) } else { (0..dim).collect() };
        let mut rows = match check_point(&mut eval, &x, &grad, &names, &args, &coords) {
            PointCheck::Checked(rows) => rows,
            PointCheck::Unusable(why) => {
                println!("point {point}: log density = {lp}, but {why}: this point cannot check the gradient (not a mismatch); trying another");
                continue;
            }
        };
        let mut lp = lp;
        if rebound_odes && rows.iter().any(|r| r.bad) {
            if let Some((tol, tight_lp, tight_rows)) = recheck_tighter(&mut tighter, &x, &names, &args, engine, &coords) {
                println!(
                    "point {point}: at ODE tolerance {:e} {} derivative(s) disagree, at {tol:e} none does: the solves at the looser tolerance are mostly error here (a state far below the absolute tolerance), not the gradient",
                    args.ode_tol,
                    rows.iter().filter(|r| r.bad).count()
                );
                (lp, rows) = (tight_lp, tight_rows);
            }
        }
        checked += 1;
        println!("point {point}: log density = {lp}");
        println!("{:>24} {:>16} {:>20} {:>20} {:>14}", "param", "value", "model", "finite diff", "error");
        for r in rows {
            if r.bad {
                failures += 1;
            }
            println!(
                "{:>24} {:>16.6} {:>20.10e} {:>20.10e} {:>14.4e}{}{}",
                names.get(r.index).map_or("?", String::as_str),
                x[r.index],
                r.model,
                r.finite_diff,
                r.model - r.finite_diff,
                if r.bad { "  <- over tolerance" } else { "" },
                r.note
            );
        }
    }
    if checked == 0 {
        eprintln!(
            "no point of {tried} tried could check the gradient: at every one the log density or its finite differences were not finite, or too large for the differences to resolve the gradient; try a smaller --radius (or a smaller --epsilon for overflow)"
        );
        return EXIT_DIAGNOSTICS;
    }
    if failures > 0 {
        eprintln!("{failures} partial derivative(s) differ from finite differences by more than {:e} (relative)", args.error);
        EXIT_DIAGNOSTICS
    } else {
        if checked < args.points {
            eprintln!("only {checked} of the {} point(s) asked for could be checked in {tried} tries", args.points);
        }
        let per_point = if sampled { args.coordinates } else { dim };
        eprintln!("all {} partial derivatives at {checked} point(s) agree with finite differences", per_point * checked);
        0
    }
}

/// Checks `x` again with the ODEs solved at each of [`TIGHTER_ODE`] in
/// turn: the first tolerance at which every partial derivative agrees,
/// with the log density and rows there; `None` if none does (then the
/// point's first rows stand, mismatches and all).
fn recheck_tighter(
    tighter: &mut [Option<Evaluator>],
    x: &[f64],
    names: &[String],
    args: &GradcheckArgs,
    engine: Engine,
    coords: &[usize],
) -> Option<(f64, f64, Vec<Row>)> {
    for (slot, factor) in tighter.iter_mut().zip(TIGHTER_ODE) {
        let tol = (args.ode_tol * factor).max(TIGHTEST_ODE);
        if slot.is_none() {
            // An absolute tolerance far below the relative one: the
            // states that fell below `--ode-tol` are the ones to resolve.
            let controls = OdeControls { rel_tol: tol, abs_tol: tol * RELATIVE_ONLY, max_num_steps: 1e8 };
            // The model bound once already with these data: a failure now
            // only means no tighter check, so the first result stands.
            let (model, _) = load_model_for_gradcheck(&args.model, &args.data, engine, Some(controls)).ok()?;
            *slot = Some(model.evaluator());
        }
        let eval = slot.as_mut()?;
        let mut grad = vec![0.0; x.len()];
        let lp = match eval.log_density_gradient(x, &mut grad) {
            Ok(lp) if lp.is_finite() => lp,
            _ => continue,
        };
        if let PointCheck::Checked(rows) = check_point(eval, x, &grad, names, args, coords) {
            if !rows.iter().any(|r| r.bad) {
                return Some((tol, lp, rows));
            }
        }
        if tol <= TIGHTEST_ODE {
            break;
        }
    }
    None
}

/// `k` distinct coordinates of `0..dim`, drawn uniformly (a partial
/// Fisher-Yates shuffle), in increasing order.
fn sample_coordinates(rng: &mut hbmc_stdlib::ChainRng, dim: usize, k: usize) -> Vec<usize> {
    let mut all: Vec<usize> = (0..dim).collect();
    for j in 0..k.min(dim) {
        let pick = j + ((rng.uniform() * (dim - j) as f64) as usize).min(dim - j - 1);
        all.swap(j, pick);
    }
    all.truncate(k.min(dim));
    all.sort_unstable();
    all
}

/// Compares the partial derivatives at `x` of the coordinates `coords`
/// with the 4-point central difference, or says why the point cannot be
/// used.
fn check_point(eval: &mut Evaluator, x: &[f64], grad: &[f64], names: &[String], args: &GradcheckArgs, coords: &[usize]) -> PointCheck {
    let mut rows = Vec::with_capacity(coords.len());
    for &i in coords {
        let name = names.get(i).map_or("?", String::as_str);
        let mut fd_at = |h: f64| -> Result<(f64, f64), String> {
            let mut at = |d: f64| {
                let mut y = x.to_vec();
                y[i] += d;
                match eval.log_density(&y) {
                    Ok(v) if v.is_finite() => Ok(v),
                    Ok(v) => Err(format!("the log density is {v} one finite-difference step away ({name} moved by {d:e})")),
                    Err(e) => Err(format!(
                        "the log density fails one finite-difference step away ({name} moved by {d:e}): {}",
                        e.message
                    )),
                }
            };
            let (a, b, c, d) = (at(h)?, at(-h)?, at(2.0 * h)?, at(-2.0 * h)?);
            let fd = (8.0 * (a - b) - (c - d)) / (12.0 * h);
            if fd.is_finite() {
                Ok((fd, stencil_rounding(&[a, b, c, d], h)))
            } else {
                Err(format!("the finite difference for {name} overflows ({fd}: the log density is near the largest double there)"))
            }
        };
        let h = args.epsilon * x[i].abs().max(1.0);
        let scale = grad[i].abs().max(1.0);
        let within = |fd: f64| (grad[i] - fd).abs() / scale <= args.error;
        let (mut fd, noise) = match fd_at(h) {
            Ok(fd) => fd,
            Err(why) => return PointCheck::Unusable(why),
        };
        if noise > UNRESOLVED * scale {
            return PointCheck::Unusable(format!(
                "the log density is so large there that the finite difference for {name} is only good to ±{noise:.1e} (its own rounding error)"
            ));
        }
        let mut note = "";
        let mut noisy = false;
        if !within(fd) && (grad[i] - fd).abs() <= args.error * scale + noise {
            // A large log density (|lp| ~ 1e10 in hierarchical_gp at
            // radius 2) leaves only a few digits in f(x+h) - f(x-h):
            // the difference itself is off by up to `noise`, so a
            // gradient that close is as right as the check can tell.
            note = "  (within the finite difference's rounding error: the log density is large here)";
        } else if !within(fd) {
            // A density with a kink (the asymmetric Laplace at y = mu)
            // is not smooth across it: a step that crosses one misses
            // by part of the jump. A 1000 times smaller step crosses
            // one about 1000 times less often, while a wrong
            // derivative stays wrong at every step.
            if let Ok((small, _)) = fd_at(h * 1e-3) {
                if within(small) {
                    fd = small;
                    note = "  (step / 1000: the larger step crosses a kink)";
                }
            }
        }
        if !within(fd) && note.is_empty() {
            // A log density computed with noise of its own (an ODE
            // solved to a tolerance, a difference of nearly equal
            // states) gives differences that change with the step by
            // more than their truncation error: half and twice the step
            // measure that noise (it grows as the step shrinks). A
            // gradient within it (three times the spread seen, which two
            // draws of the noise can understate, and the tolerance) is
            // as right as the check can tell; a smooth density's three
            // differences agree, so a wrong gradient still fails.
            let mut spread = 0.0_f64;
            for step in [0.5 * h, 2.0 * h] {
                match fd_at(step) {
                    Ok((other, _)) => spread = spread.max((fd - other).abs()),
                    Err(why) => return PointCheck::Unusable(why),
                }
            }
            if spread > UNRESOLVED * scale {
                return PointCheck::Unusable(format!(
                    "the finite differences for {name} at three steps disagree by {spread:.1e}: the log density is too noisy there to check the gradient"
                ));
            }
            if (grad[i] - fd).abs() <= args.error * scale + NOISE_MARGIN * spread {
                noisy = true;
                note = "  (within the finite differences' own noise: steps h/2, h and 2h disagree by as much)";
            }
        }
        // A non-finite model gradient at a point where the density and
        // its differences are finite is a real error: `within` is false.
        let bad = !within(fd) && (grad[i] - fd).abs() > args.error * scale + noise && !noisy;
        rows.push(Row { index: i, model: grad[i], finite_diff: fd, bad, note });
    }
    PointCheck::Checked(rows)
}
