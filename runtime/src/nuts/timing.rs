//! What one leapfrog step of a real trajectory costs beyond the gradient:
//! runs NUTS transitions of a density with a fixed step size and metric (as
//! after warmup) and, separately, the gradient alone at the same points, so
//! `hbmc bench --sampler` can report the sampler's own overhead.

use super::hamiltonian::{Hamiltonian, InvMetric, Metric, Point};
use super::tree::{transition, NutsOptions, TreeWorkspace};
use crate::density::LogDensity;
use crate::rng::ChainRng;
use std::time::Instant;

/// Settings of [`time_trajectory`].
#[derive(Clone, Debug)]
pub struct TrajectoryTimingSettings {
    /// Step size of every transition.
    pub step_size: f64,
    /// Inverse metric of every transition.
    pub inv_metric: InvMetric,
    /// A low-rank metric to use instead of `inv_metric` (its diagonal).
    pub low_rank: Option<crate::adapt::LowRankInvMetric>,
    /// Maximum tree depth.
    pub max_depth: u32,
    /// Untimed transitions first (to reach the typical set and size the
    /// trajectory's storage).
    pub warm_transitions: usize,
    /// Transitions per timed batch.
    pub transitions: usize,
    /// Timed batches; the fastest is reported (least disturbed by load).
    pub batches: usize,
    /// Seed of the momenta and of the multinomial sampling.
    pub seed: u64,
}

/// Timings of [`time_trajectory`], per leapfrog step, of its fastest batch.
#[derive(Clone, Debug, PartialEq)]
pub struct TrajectoryTiming {
    /// Batches whose steps were timed (the fastest is reported).
    pub timed_batches: usize,
    /// Transitions per batch.
    pub transitions: usize,
    /// Leapfrog steps of the batch.
    pub leapfrog_steps: u64,
    /// Whole transitions, divided by the number of leapfrog steps (seconds).
    pub per_step: f64,
    /// The gradient alone at the batch's positions, per evaluation (seconds).
    pub gradient: f64,
    /// Divergent transitions in the batch.
    pub divergences: usize,
    /// The gradient inside the transitions, per evaluation (seconds),
    /// clocked around each call in every other batch (the fastest of
    /// those); `None` with fewer than two batches. Those batches' times
    /// per step are not reported (the clock costs time).
    pub gradient_in_trajectory: Option<f64>,
}

impl TrajectoryTiming {
    /// Time per leapfrog step outside the gradient (seconds).
    pub fn overhead(&self) -> f64 {
        self.per_step - self.gradient
    }
}

/// A density whose evaluations are clocked when `on`, so that the
/// gradient's share of a trajectory is measured where it runs (after the
/// trajectory's passes, at its points) and not only in a loop of its own.
struct Clocked<'a, D> {
    inner: &'a mut D,
    on: bool,
    spent: std::time::Duration,
}

impl<D: LogDensity> LogDensity for Clocked<'_, D> {
    fn dim(&self) -> usize {
        self.inner.dim()
    }

    fn logp_grad(&mut self, position: &[f64], gradient: &mut [f64]) -> Result<f64, crate::density::LogDensityError> {
        if !self.on {
            return self.inner.logp_grad(position, gradient);
        }
        let t = Instant::now();
        let r = self.inner.logp_grad(position, gradient);
        self.spent += t.elapsed();
        r
    }
}

/// Runs `warm_transitions` then `batches` x `transitions` NUTS transitions
/// from `start`. After each batch it evaluates the gradient alone as many
/// times as the batch took leapfrog steps, at the batch's draws in turn, so
/// that the gradient is timed in the same region of the posterior. Every
/// other batch clocks the gradient inside the trajectory instead of timing
/// the steps.
pub fn time_trajectory<D: LogDensity>(
    density: &mut D,
    start: &[f64],
    settings: &TrajectoryTimingSettings,
) -> Result<TrajectoryTiming, String> {
    let dim = density.dim();
    if start.len() != dim || settings.inv_metric.dim() != dim {
        return Err(format!(
            "start point has {} and metric {} coordinates; the density has {dim}",
            start.len(),
            settings.inv_metric.dim()
        ));
    }
    let metric = match &settings.low_rank {
        Some(m) if m.scale.len() == dim => Metric::low_rank(m.clone())?,
        Some(m) => return Err(format!("the low-rank metric has {} coordinates; the density has {dim}", m.scale.len())),
        None => Metric::new(&settings.inv_metric)?,
    };
    let mut clocked = Clocked { inner: density, on: false, spent: std::time::Duration::ZERO };
    let mut ham = Hamiltonian::new(&mut clocked, metric);
    let mut rng = ChainRng::new(settings.seed, 0, 0);
    let mut ws = TreeWorkspace::new(dim);
    let mut z = Point::new(dim);
    z.q.copy_from_slice(start);
    ham.evaluate(&mut z);
    if !z.logp.is_finite() {
        return Err("the log density is not finite at the start point".to_string());
    }
    let options = NutsOptions { max_depth: settings.max_depth, max_energy_error: 1000.0 };
    for _ in 0..settings.warm_transitions {
        transition(&mut ham, &mut rng, &mut ws, &mut z, settings.step_size, options);
    }
    let n = settings.transitions.max(1);
    // The draws of a batch, where the gradient is timed afterwards.
    let mut draws: Vec<f64> = Vec::with_capacity(n * dim);
    let mut grad = vec![0.0; dim];
    let mut best: Option<TrajectoryTiming> = None;
    let mut in_trajectory: Option<f64> = None;
    let mut timed_batches = 0;
    for batch in 0..settings.batches.max(1) {
        draws.clear();
        let evals_before = ham.n_evals;
        ham.density.on = batch % 2 == 1;
        ham.density.spent = std::time::Duration::ZERO;
        let mut leapfrog_steps = 0;
        let mut divergences = 0;
        let t = Instant::now();
        for _ in 0..n {
            let s = transition(&mut ham, &mut rng, &mut ws, &mut z, settings.step_size, options);
            leapfrog_steps += s.n_leapfrog;
            divergences += s.divergent as usize;
            draws.extend_from_slice(&z.q);
        }
        let elapsed = t.elapsed().as_secs_f64();
        if let Some(e) = &ham.fatal {
            return Err(format!("model error during the timed transitions: {}", e.message));
        }
        // Invariant: every leapfrog step evaluates the gradient once.
        debug_assert_eq!(ham.n_evals - evals_before, leapfrog_steps);
        let evals = leapfrog_steps.max(1) as usize;
        let t = Instant::now();
        for k in 0..evals {
            let x = &draws[(k % n) * dim..(k % n + 1) * dim];
            // Failed evaluations cost time like the sampler's do.
            let _ = ham.density.inner.logp_grad(x, &mut grad);
        }
        let gradient = t.elapsed().as_secs_f64() / evals as f64;
        if ham.density.on {
            let clocked = ham.density.spent.as_secs_f64() / evals as f64;
            in_trajectory = Some(in_trajectory.map_or(clocked, |c| c.min(clocked)));
            if let Some(b) = &mut best {
                b.gradient = b.gradient.min(gradient);
            }
            continue;
        }
        timed_batches += 1;
        let timing = TrajectoryTiming {
            timed_batches: 0,
            transitions: n,
            leapfrog_steps,
            per_step: elapsed / leapfrog_steps.max(1) as f64,
            gradient,
            divergences,
            gradient_in_trajectory: None,
        };
        best = match best {
            Some(b) if b.per_step <= timing.per_step => Some(TrajectoryTiming { gradient: b.gradient.min(gradient), ..b }),
            Some(b) => Some(TrajectoryTiming { gradient: b.gradient.min(gradient), ..timing }),
            None => Some(timing),
        };
    }
    // Invariant: batch 0, which is not clocked, ran (batches.max(1)).
    best.map(|b| TrajectoryTiming { gradient_in_trajectory: in_trajectory, timed_batches, ..b })
        .ok_or_else(|| "no timed batch".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::density::FnDensity;

    #[test]
    fn timing_counts_steps_and_rejects_bad_input() {
        let dim = 10;
        let mut d = FnDensity::new(dim, |x: &[f64], g: &mut [f64]| {
            let mut lp = 0.0;
            for (gi, xi) in g.iter_mut().zip(x) {
                *gi = -xi;
                lp -= 0.5 * xi * xi;
            }
            Ok(lp)
        });
        let settings = TrajectoryTimingSettings {
            step_size: 0.5,
            inv_metric: InvMetric::Diag(vec![1.0; dim]),
            low_rank: None,
            max_depth: 10,
            warm_transitions: 10,
            transitions: 50,
            batches: 3,
            seed: 1,
        };
        let t = time_trajectory(&mut d, &vec![0.1; dim], &settings).expect("runs");
        // A standard normal at step 0.5 takes a few steps per transition.
        assert!(t.leapfrog_steps >= 50 && t.leapfrog_steps <= 50 * 1023, "{t:?}");
        assert!(t.per_step > 0.0 && t.gradient > 0.0 && t.divergences == 0, "{t:?}");
        assert!(t.gradient_in_trajectory.is_some_and(|g| g > 0.0), "{t:?}");
        assert_eq!(t.timed_batches, 2, "batches 0 and 2 of 3 are timed, 1 clocked");
        let one = TrajectoryTimingSettings { batches: 1, ..settings.clone() };
        assert_eq!(time_trajectory(&mut d, &vec![0.1; dim], &one).expect("runs").gradient_in_trajectory, None);
        assert!(time_trajectory(&mut d, &[0.0; 3], &settings).is_err());
    }
}
