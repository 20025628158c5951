//! Bad densities never crash the sampler: NaN regions, recoverable errors,
//! fatal errors, no valid initial point, output-map errors.

use crate::common;

use common::*;
use hbmc_runtime::*;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// A standard normal in 2-d whose density is NaN where x0 > 1 and which
/// returns a recoverable error where x1 < -1.5: the sampler must treat both
/// as zero density, i.e. sample the normal truncated to x0 <= 1, x1 >= -1.5.
#[test]
fn nan_and_error_regions_are_rejected_not_fatal() {
    let make = |_c: usize| {
        PlainModel::new(
            FnDensity::new(2, |x: &[f64], g: &mut [f64]| {
                if x[1] < -1.5 {
                    return Err(LogDensityError::recoverable("x1 below its support"));
                }
                g[0] = -x[0];
                g[1] = -x[1];
                if x[0] > 1.0 {
                    return Ok(f64::NAN);
                }
                Ok(-0.5 * (x[0] * x[0] + x[1] * x[1]))
            }),
            "x",
        )
    };
    let settings = SamplerSettings { seed: 2024, threads: 2, ..Default::default() };
    let run = run_memory(make, &settings);
    let draws = run.draws();
    let x0 = draws.column_by_name("x.1").expect("x.1");
    let x1 = draws.column_by_name("x.2").expect("x.2");
    assert!(x0.iter().all(|c| c.iter().all(|v| *v <= 1.0)));
    assert!(x1.iter().all(|c| c.iter().all(|v| *v >= -1.5)));
    // E[X | X <= 1] = -phi(1)/Phi(1); E[X | X >= -1.5] = phi(1.5)/Phi(1.5).
    let phi = |z: f64| (-0.5 * z * z).exp() / (2.0 * std::f64::consts::PI).sqrt();
    let (cdf1, cdf15) = (0.841344746068543, 0.933192798731142);
    let m0 = moments(&draws, "x.1");
    let m1 = moments(&draws, "x.2");
    assert_within("truncated mean x0", m0.mean, -phi(1.0) / cdf1, m0.mcse_mean, 4.0);
    assert_within("truncated mean x1", m1.mean, phi(1.5) / cdf15, m1.mcse_mean, 4.0);
    // Hitting the boundary shows up as divergences, with a note about the error.
    assert!(run.chains.iter().all(|c| c.divergences > 0));
    assert!(run.chains.iter().any(|c| c.notes.iter().any(|n| n.contains("x1 below its support"))));
}

#[test]
fn no_valid_initial_point_fails_the_chain_with_a_message() {
    let make = |_c: usize| PlainModel::new(FnDensity::new(3, |_x: &[f64], _g: &mut [f64]| Ok(f64::NAN)), "x");
    let settings = SamplerSettings { chains: 2, seed: 1, threads: 1, ..Default::default() };
    let run = sample(make, &settings, &OutputOptions::memory(), &NoProgress, &AtomicBool::new(false)).expect("starts");
    let (chain, msg) = run.first_failure().expect("failure reported");
    assert_eq!(chain, 0);
    assert!(msg.contains("no initial point") && msg.contains("100 tries"), "{msg}");
    // A density NaN everywhere (NaN data reaching a distribution) says so.
    assert!(msg.contains("NaN at every point tried") && msg.contains("is_nan(y[n])"), "{msg}");
}

#[test]
fn an_infinite_density_everywhere_gets_no_nan_hint() {
    let make = |_c: usize| PlainModel::new(FnDensity::new(2, |_x: &[f64], _g: &mut [f64]| Ok(f64::NEG_INFINITY)), "x");
    let settings = SamplerSettings { chains: 1, seed: 1, threads: 1, ..Default::default() };
    let run = sample(make, &settings, &OutputOptions::memory(), &NoProgress, &AtomicBool::new(false)).expect("starts");
    let (_, msg) = run.first_failure().expect("failure reported");
    assert!(msg.contains("check the model's support") && !msg.contains("NaN"), "{msg}");
}

#[test]
fn given_initial_points_are_used_and_checked() {
    let density = |x: &[f64], g: &mut [f64]| {
        if x[0] <= 0.0 {
            return Ok(f64::NEG_INFINITY);
        }
        g[0] = 1.0 / x[0] - 1.0;
        Ok(x[0].ln() - x[0])
    };
    let make = move |_c: usize| PlainModel::new(FnDensity::new(1, density), "x");
    let bad = SamplerSettings { chains: 1, init: Init::Points(vec![vec![-1.0]]), ..Default::default() };
    let run = sample(make, &bad, &OutputOptions::memory(), &NoProgress, &AtomicBool::new(false)).expect("starts");
    let (_, msg) = run.first_failure().expect("bad init rejected");
    assert!(msg.contains("given initial point"), "{msg}");
    let wrong_count = SamplerSettings { chains: 3, init: Init::Points(vec![vec![1.0], vec![2.0]]), ..Default::default() };
    assert!(matches!(
        sample(make, &wrong_count, &OutputOptions::memory(), &NoProgress, &AtomicBool::new(false)),
        Err(RunError::InvalidSettings(_))
    ));
    // With no warmup and no adaptation the first draw starts from the given point.
    let good = SamplerSettings {
        chains: 1,
        warmup: 0,
        draws: 1,
        step_size: 1e-6,
        init: Init::Points(vec![vec![3.0]]),
        ..Default::default()
    };
    let run = run_memory(make, &good);
    let x = run.draws().column_by_name("x").expect("x")[0][0];
    assert!((x - 3.0).abs() < 1e-3, "{x}");
}

#[test]
fn fatal_model_error_stops_only_that_chain() {
    let calls = AtomicU64::new(0);
    let make = |chain: usize| {
        let calls = &calls;
        PlainModel::new(
            FnDensity::new(1, move |x: &[f64], g: &mut [f64]| {
                if chain == 1 && calls.fetch_add(1, Ordering::SeqCst) > 500 {
                    return Err(LogDensityError::fatal("index out of range in the model"));
                }
                g[0] = -x[0];
                Ok(-0.5 * x[0] * x[0])
            }),
            "x",
        )
    };
    let settings = SamplerSettings { chains: 2, seed: 8, threads: 2, ..Default::default() };
    let run = sample(make, &settings, &OutputOptions::memory(), &NoProgress, &AtomicBool::new(false)).expect("starts");
    assert_eq!(run.chains[0].status, ChainStatus::Completed);
    assert_eq!(run.chains[1].status, ChainStatus::Failed("index out of range in the model".into()));
}

/// An output map that fails recoverably writes NaN for that draw; a wrong
/// number of values fails the chain.
struct FlakyOutput {
    n: usize,
    wrong_len: bool,
}

impl LogDensity for FlakyOutput {
    fn dim(&self) -> usize {
        1
    }
    fn logp_grad(&mut self, x: &[f64], g: &mut [f64]) -> Result<f64, LogDensityError> {
        g[0] = -x[0];
        Ok(-0.5 * x[0] * x[0])
    }
}

impl OutputMap for FlakyOutput {
    fn column_names(&self) -> Vec<String> {
        vec!["x".into(), "y_rep".into()]
    }
    fn write_columns(&mut self, x: &[f64], rng: &mut ChainRng, out: &mut Vec<f64>) -> Result<(), LogDensityError> {
        self.n += 1;
        if self.wrong_len {
            out.push(x[0]);
            return Ok(());
        }
        if self.n % 10 == 0 {
            return Err(LogDensityError::recoverable("y_rep overflow"));
        }
        out.push(x[0]);
        out.push(x[0] + rng.std_normal());
        Ok(())
    }
}

#[test]
fn output_map_errors() {
    let settings = SamplerSettings { chains: 1, seed: 4, warmup: 100, draws: 100, ..Default::default() };
    let run = run_memory(|_| FlakyOutput { n: 0, wrong_len: false }, &settings);
    let draws = run.draws();
    let y = &draws.column_by_name("y_rep").expect("y_rep")[0];
    assert_eq!(y.iter().filter(|v| v.is_nan()).count(), 10);
    let run = sample(|_| FlakyOutput { n: 0, wrong_len: true }, &settings, &OutputOptions::memory(), &NoProgress, &AtomicBool::new(false))
        .expect("starts");
    let (_, msg) = run.first_failure().expect("fails");
    assert!(msg.contains("1 output values but declared 2"), "{msg}");
}

#[test]
fn progress_reports_every_refresh_and_at_the_end() {
    let updates = std::sync::Mutex::new(Vec::new());
    let progress = |u: &ProgressUpdate| updates.lock().expect("lock").push(*u);
    let make = |_c: usize| PlainModel::new(FnDensity::new(1, |x: &[f64], g: &mut [f64]| { g[0] = -x[0]; Ok(-0.5 * x[0] * x[0]) }), "x");
    let settings = SamplerSettings { chains: 2, seed: 1, warmup: 200, draws: 300, refresh: 50, threads: 2, ..Default::default() };
    let run = sample(make, &settings, &OutputOptions::default(), &progress, &AtomicBool::new(false)).expect("run");
    assert!(!run.interrupted);
    let updates = updates.into_inner().expect("lock");
    for chain in 0..2 {
        let mine: Vec<&ProgressUpdate> = updates.iter().filter(|u| u.chain == chain).collect();
        assert_eq!(mine.len(), 11, "10 periodic + 1 final");
        assert_eq!(mine.iter().filter(|u| u.phase == Phase::Warmup).count(), 4);
        let last = mine.last().expect("final");
        assert!(last.finished && last.iteration == 500 && last.total == 500);
    }
}

/// A normal at (-1, 0) with sd 0.3 where x0 <= 1.5, `trap` (value and
/// gradient) where x0 > 1.5, sampled by 8 chains at seed 5, which starts
/// chains 3 and 5 (0-based 2 and 4) in the trap. Both chains must restart
/// their warmup with a note containing `why`, and every chain must then
/// sample the normal.
fn chains_started_in_a_trap_restart(trap: fn(&[f64], &mut [f64]) -> f64, why: &str) {
    let density = move |x: &[f64], g: &mut [f64]| {
        if x[0] > 1.5 {
            return Ok(trap(x, g));
        }
        let s2 = 0.3f64 * 0.3;
        g[0] = -(x[0] + 1.0) / s2;
        g[1] = -x[1] / s2;
        Ok(-0.5 * ((x[0] + 1.0).powi(2) + x[1] * x[1]) / s2)
    };
    let make = move |_c: usize| PlainModel::new(FnDensity::new(2, density), "x");
    let settings = SamplerSettings { chains: 8, seed: 5, threads: 2, ..Default::default() };
    let run = run_memory(make, &settings);
    let restarted: Vec<usize> = run.chains.iter().filter(|c| !c.warmup_restarts.is_empty()).map(|c| c.chain).collect();
    let draws = run.draws();
    let x0 = draws.column_by_name("x.1").expect("x.1");
    for (chain, col) in x0.iter().enumerate() {
        let mean = col.iter().sum::<f64>() / col.len() as f64;
        assert!((mean + 1.0).abs() < 0.1, "chain {chain} (restarted: {restarted:?}) has mean x0 {mean}");
    }
    assert_eq!(restarted, vec![2, 4], "the chains started in the trap");
    for c in &run.chains {
        for r in &c.warmup_restarts {
            assert!(r.contains("new random initial point") && r.contains(why), "{r}");
        }
    }
}

/// Where x0 > 1.5 the density is low (about -1000) and bumpy at a scale of
/// 1e-6 (as an ODE's solved at a loose tolerance where its solution
/// collapses). A chain started there can only take steps of about 1e-7 and
/// crawls at the maximum tree depth to the end of the run without the
/// restart.
#[test]
fn a_chain_crawling_from_a_rough_start_restarts_its_warmup() {
    chains_started_in_a_trap_restart(
        |x, g| {
            let k = 1e6;
            let (s0, c0) = (k * x[0]).sin_cos();
            let (s1, c1) = (k * x[1]).sin_cos();
            g[0] = -10.0 + 0.3 * k * c0 * s1;
            g[1] = 0.3 * k * s0 * c1;
            -1000.0 - 10.0 * x[0] + 0.3 * s0 * s1
        },
        "maximum tree depth",
    );
}

/// Where x0 > 1.5 the log density is about -1e100 and rough (as an ODE
/// whose random rates make it explode, posteriordb's soil_incubation from
/// about one start in 36). Every first step from there diverges, the step
/// size falls by about 15 per transition, and without the restart the
/// chain never moves again: all its draws are its start.
#[test]
fn a_chain_frozen_at_an_exploding_start_restarts_its_warmup() {
    chains_started_in_a_trap_restart(
        |x, g| {
            let (k, scale) = (1e3, 1e100);
            let (s0, c0) = (k * x[0]).sin_cos();
            let (s1, c1) = (k * x[1]).sin_cos();
            g[0] = -scale * k * c0 * s1;
            g[1] = -scale * k * s0 * c1;
            -scale * (2.0 + s0 * s1)
        },
        "too far in the tails",
    );
}
