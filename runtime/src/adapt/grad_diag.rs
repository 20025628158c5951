//! nutpie's diagonal mass-matrix adaptation (Seyboldt et al., "Preconditioning
//! Hamiltonian Monte Carlo by minimising Fisher divergence", as nuts-rs runs
//! it), written from its public description.
//!
//! The inverse metric is `sqrt(var(draws) / var(grads))` per coordinate: for
//! a Gaussian posterior both `var(draws) = s^2` and `1 / var(grads) = s^2`,
//! and their geometric mean uses the information in the gradients, so a few
//! draws already give a usable estimate. The first estimate, before any
//! draw, is `1 / |grad|` at the initial point.
//!
//! Schedule (fractions of the warmup `n`):
//! - draws `0 .. 0.3 n` (early phase): two estimators run side by side, the
//!   foreground (used for the metric) and the background; every 10 draws
//!   the background becomes the foreground and a fresh background starts,
//!   so the metric forgets the transient of the first draws quickly;
//! - draws `0.3 n .. 0.85 n`: the same with windows growing by 1.5x from 80
//!   draws (or from what the background holds at the phase change); no
//!   switch is made if the next window would not end before the final phase;
//! - the metric is recomputed from the foreground after every draw until
//!   the final phase;
//! - draws `0.85 n .. n` (final phase): the metric is fixed, only the step
//!   size adapts.
//!
//! The step size follows dual averaging ([`DualAveraging`]) throughout; it
//! is searched afresh (Stan's heuristic) and dual averaging restarted when
//! the first estimate from draws replaces the gradient-based start, since
//! that change of metric is the large one. Once no switch can come any
//! more it adapts to the symmetric acceptance statistic (the chain passes
//! [`GradDiagStep::late`]). The final step size is the dual averaging's
//! weighted mean, as in Stan.
//!
//! [`DualAveraging`]: super::DualAveraging

use crate::nuts::hamiltonian::InvMetric;

/// Fractions of the warmup after which the step size is searched afresh
/// and its dual averaging restarted, as at Stan's window ends (after draws
/// 75, 100, 150, 250 and 450 of 1000). Besides the restart at the first
/// estimate from draws, these let a chain leave a local mode it fell into
/// early: on posteriordb's Lotka-Volterra (BENCHMARKS.md, "Lotka-Volterra:
/// stuck chains") chains under Stan's schedule left such a mode right
/// after these restarts, and the gradient-based schedule without them left
/// about one chain in six there for the whole run. A restart is skipped
/// when its draw did not move or diverged: a chain still stuck at an
/// explosive start (arma11 at lp -1e120) needs its dual averaging to keep
/// growing the step size, which a restart would slow for hundreds of draws.
pub const STEP_SIZE_RESTARTS: [f64; 5] = [0.075, 0.1, 0.15, 0.25, 0.45];

/// Smallest and largest inverse-metric element allowed: beyond these the
/// estimate comes from a degenerate coordinate (constant draws or gradients).
const INV_METRIC_RANGE: (f64, f64) = (1e-10, 1e10);

/// Settings of the gradient-based schedule (nuts-rs defaults).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GradDiagSettings {
    /// Fraction of the warmup in the early phase (0.3).
    pub early_fraction: f64,
    /// Fraction of the warmup at its end where only the step size adapts (0.15).
    pub final_fraction: f64,
    /// Switch interval of the early phase, in draws (10).
    pub early_window: usize,
    /// First window of the main phase, in draws (80).
    pub window: usize,
    /// Growth factor of the main-phase windows (1.5).
    pub window_growth: f64,
}

impl Default for GradDiagSettings {
    fn default() -> Self {
        GradDiagSettings {
            early_fraction: 0.3,
            final_fraction: 0.15,
            early_window: 10,
            window: 80,
            window_growth: 1.5,
        }
    }
}

/// Welford mean and variance of draws and of gradients, side by side.
#[derive(Clone, Debug)]
struct DrawGradVariance {
    n: usize,
    mean_q: Vec<f64>,
    m2_q: Vec<f64>,
    mean_g: Vec<f64>,
    m2_g: Vec<f64>,
}

impl DrawGradVariance {
    fn new(dim: usize) -> Self {
        DrawGradVariance {
            n: 0,
            mean_q: vec![0.0; dim],
            m2_q: vec![0.0; dim],
            mean_g: vec![0.0; dim],
            m2_g: vec![0.0; dim],
        }
    }

    fn clear(&mut self) {
        self.n = 0;
        for v in [
            &mut self.mean_q,
            &mut self.m2_q,
            &mut self.mean_g,
            &mut self.m2_g,
        ] {
            v.iter_mut().for_each(|x| *x = 0.0);
        }
    }

    fn add(&mut self, q: &[f64], grad: &[f64]) {
        self.n += 1;
        let inv_n = 1.0 / self.n as f64;
        welford(&mut self.mean_q, &mut self.m2_q, q, inv_n);
        welford(&mut self.mean_g, &mut self.m2_g, grad, inv_n);
    }

    /// `sqrt(var(q) / var(grad))` per coordinate into `out`; a coordinate
    /// whose ratio is not finite and positive keeps its value in `out`.
    fn write_inv_metric(&self, out: &mut [f64]) {
        // The (n - 1) denominators cancel in the ratio.
        for ((o, vq), vg) in out.iter_mut().zip(&self.m2_q).zip(&self.m2_g) {
            let v = (vq / vg).sqrt();
            if v.is_finite() && v > 0.0 {
                *o = v.clamp(INV_METRIC_RANGE.0, INV_METRIC_RANGE.1);
            }
        }
    }
}

#[inline]
fn welford(mean: &mut [f64], m2: &mut [f64], x: &[f64], inv_n: f64) {
    for ((m, s), xi) in mean.iter_mut().zip(m2.iter_mut()).zip(x) {
        let d = xi - *m;
        *m += d * inv_n;
        *s += d * (xi - *m);
    }
}

/// The inverse metric `1 / |grad|` (clamped; 1 where the gradient is 0 or
/// not finite): the first guess before any draw, exact in scale for a
/// Gaussian at one standard deviation from its mean.
pub fn inv_metric_from_gradient(grad: &[f64]) -> InvMetric {
    InvMetric::Diag(
        grad.iter()
            .map(|g| {
                let v = 1.0 / g.abs();
                if v.is_finite() {
                    v.clamp(INV_METRIC_RANGE.0, INV_METRIC_RANGE.1)
                } else {
                    1.0
                }
            })
            .collect(),
    )
}

/// What the chain must do after one warmup draw.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GradDiagStep {
    /// The metric changed: install [`GradDiagAdaptation::inv_metric`].
    pub metric_changed: bool,
    /// Search the step size afresh and restart dual averaging: the first
    /// metric estimated from draws is in place, or the warmup reached one
    /// of [`STEP_SIZE_RESTARTS`].
    pub reinit_step_size: bool,
    /// The foreground and background estimators were switched here.
    pub switched: bool,
    /// No switch can come any more (or the metric is fixed): nutpie then
    /// adapts the step size to the symmetric acceptance statistic.
    pub late: bool,
}

/// State of the gradient-based diagonal adaptation of one chain.
#[derive(Clone, Debug)]
pub struct GradDiagAdaptation {
    foreground: DrawGradVariance,
    background: DrawGradVariance,
    inv_metric: Vec<f64>,
    early_end: usize,
    final_start: usize,
    early_window: usize,
    window: usize,
    window_growth: f64,
    draw: usize,
    first_estimate_done: bool,
    /// Draw counts after which the step size restarts ([`STEP_SIZE_RESTARTS`]).
    step_size_restarts: Vec<usize>,
}

impl GradDiagAdaptation {
    /// The adaptation for `num_warmup` warmup draws in `dim` dimensions,
    /// started from the initial point `q0` with gradient `grad0` (which
    /// enter both estimators, as the first sample).
    pub fn new(
        dim: usize,
        num_warmup: usize,
        settings: GradDiagSettings,
        q0: &[f64],
        grad0: &[f64],
    ) -> Self {
        let n = num_warmup as f64;
        let final_start = num_warmup - ((settings.final_fraction * n) as usize).min(num_warmup);
        let early_end = ((settings.early_fraction * n) as usize).min(final_start);
        let mut a = GradDiagAdaptation {
            foreground: DrawGradVariance::new(dim),
            background: DrawGradVariance::new(dim),
            inv_metric: match inv_metric_from_gradient(grad0) {
                InvMetric::Diag(v) => v,
                InvMetric::Dense { .. } => {
                    unreachable!("inv_metric_from_gradient returns a diagonal metric")
                }
            },
            early_end,
            final_start,
            early_window: settings.early_window.max(1),
            window: settings.window.max(1),
            window_growth: settings.window_growth.max(1.0),
            draw: 0,
            first_estimate_done: false,
            step_size_restarts: Vec::new(),
        };
        a.step_size_restarts = STEP_SIZE_RESTARTS
            .iter()
            .map(|f| (f * n).round() as usize)
            .filter(|&d| d > 0 && d < final_start)
            .collect();
        a.step_size_restarts.dedup();
        a.foreground.add(q0, grad0);
        a.background.add(q0, grad0);
        a
    }

    /// The current inverse metric (diagonal).
    pub fn inv_metric(&self) -> InvMetric {
        InvMetric::Diag(self.inv_metric.clone())
    }

    /// First draw of the final, step-size-only phase.
    pub fn final_start(&self) -> usize {
        self.final_start
    }

    /// Whether the metric can still change at the current draw.
    pub fn in_metric_phase(&self) -> bool {
        self.draw < self.final_start
    }

    /// Whether the step size restarts after warmup draw `draw` (0-based)
    /// by the schedule ([`STEP_SIZE_RESTARTS`]).
    pub fn scheduled_step_size_restart(&self, draw: usize) -> bool {
        self.step_size_restarts.contains(&(draw + 1))
    }

    /// Advances by one warmup draw. `sample` is the draw and its gradient
    /// if it is usable for the estimate (the chain moved; not divergent),
    /// `None` otherwise.
    pub fn step(&mut self, sample: Option<(&[f64], &[f64])>) -> GradDiagStep {
        let draw = self.draw;
        self.draw += 1;
        let mut out = GradDiagStep {
            metric_changed: false,
            reinit_step_size: false,
            switched: false,
            late: true,
        };
        if draw >= self.final_start {
            return out;
        }
        let early = draw < self.early_end;
        if !early && draw == self.early_end {
            // Never shrink below what the background already holds.
            self.window = self.window.max(self.background.n);
        }
        let switch_every = if early {
            self.early_window
        } else {
            self.window
        };
        if let Some((q, g)) = sample {
            self.foreground.add(q, g);
            self.background.add(q, g);
        }
        let next_window = if early {
            self.early_window
        } else {
            (self.window + 1).max((self.window as f64 * self.window_growth).round() as usize)
        };
        // No switch if the next window would run into the final phase: the
        // current foreground then keeps growing until the end.
        let late = draw + next_window > self.final_start;
        out.late = late;
        if self.background.n >= switch_every && !late {
            std::mem::swap(&mut self.foreground, &mut self.background);
            self.background.clear();
            out.switched = true;
            if !early {
                self.window = next_window;
            }
        }
        // nuts-rs waits for 3 samples (the initial point and two draws).
        if self.foreground.n >= 3 {
            self.foreground.write_inv_metric(&mut self.inv_metric);
            out.metric_changed = true;
            if !self.first_estimate_done {
                self.first_estimate_done = true;
                out.reinit_step_size = true;
            }
        }
        out.reinit_step_size |= sample.is_some() && self.scheduled_step_size_restart(draw);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run_schedule(num_warmup: usize) -> (Vec<usize>, Vec<usize>, GradDiagAdaptation) {
        let q = [0.0, 1.0];
        let g = [0.5, -2.0];
        let mut a = GradDiagAdaptation::new(2, num_warmup, GradDiagSettings::default(), &q, &g);
        let mut switches = Vec::new();
        let mut changes = Vec::new();
        for i in 0..num_warmup {
            // Alternate values so that variances are positive.
            let s = if i % 2 == 0 { 1.0 } else { -1.0 };
            let st = a.step(Some((&[s, 2.0 * s], &[-s, -0.5 * s])));
            if st.switched {
                switches.push(i);
            }
            if st.metric_changed {
                changes.push(i);
            }
        }
        (switches, changes, a)
    }

    #[test]
    fn schedule_for_1000_warmup() {
        let (switches, changes, a) = run_schedule(1000);
        assert_eq!(a.final_start(), 850);
        // Early phase (draws 0..300): the background holds the initial point
        // plus draw 0..8 at draw 8 (10 samples), then 10 draws per window.
        let early: Vec<usize> = switches.iter().copied().filter(|&d| d < 300).collect();
        assert_eq!(early.first(), Some(&8));
        assert!(early.windows(2).all(|w| w[1] - w[0] == 10), "{early:?}");
        // Main phase: windows of 80, then 1.5x longer, while they end before 850.
        let main: Vec<usize> = switches.iter().copied().filter(|&d| d >= 300).collect();
        let gaps: Vec<usize> = main.windows(2).map(|w| w[1] - w[0]).collect();
        // The last early switch is at 298; the background then holds draw
        // 299 when the main phase starts, and reaches 80 samples at 378.
        assert_eq!(early.last(), Some(&298));
        assert_eq!(main.first(), Some(&378));
        // At 378 the next window (120) ends at 498 < 850: switch. At 498 the
        // next (180) ends at 678: switch. At 678 the next (270) would end
        // at 948 > 850: no switch, the foreground keeps growing to 850.
        assert_eq!(gaps, vec![120]);
        assert_eq!(main.last(), Some(&498));
        // The metric changes at every draw from the third sample to the final phase.
        assert_eq!(changes.first(), Some(&1));
        assert_eq!(changes.last(), Some(&849));
        assert_eq!(changes.len(), 849);
    }

    #[test]
    fn step_size_restarts_at_the_first_estimate_and_stans_window_ends() {
        let q = [0.0, 1.0];
        let g = [0.5, -2.0];
        let mut a = GradDiagAdaptation::new(2, 1000, GradDiagSettings::default(), &q, &g);
        let restarts: Vec<usize> = (0..1000)
            .filter(|i| {
                let s = if i % 2 == 0 { 1.0 } else { -1.0 };
                a.step(Some((&[s, 2.0 * s], &[-s, -0.5 * s]))).reinit_step_size
            })
            .collect();
        // Draw 1 gives the first estimate; then after draws 75, 100, 150,
        // 250 and 450 (0-based 74, ...).
        assert_eq!(restarts, vec![1, 74, 99, 149, 249, 449]);
        // A draw that did not move (or diverged) skips its restart.
        let mut b = GradDiagAdaptation::new(2, 1000, GradDiagSettings::default(), &q, &g);
        let skipped: Vec<usize> = (0..1000)
            .filter(|&i| {
                let s = if i % 2 == 0 { 1.0 } else { -1.0 };
                let (dq, dg) = ([s, 2.0 * s], [-s, -0.5 * s]);
                b.step((i != 74).then_some((&dq[..], &dg[..]))).reinit_step_size
            })
            .collect();
        assert_eq!(skipped, vec![1, 99, 149, 249, 449]);
        // A short warmup keeps those before its final phase only.
        let short = GradDiagAdaptation::new(2, 20, GradDiagSettings::default(), &q, &g);
        assert_eq!(short.step_size_restarts, vec![2, 3, 5, 9]);
    }

    #[test]
    fn short_warmup_keeps_phases_ordered() {
        for n in [0, 1, 5, 20, 50, 150] {
            let (switches, changes, a) = run_schedule(n);
            assert!(a.final_start() <= n);
            assert!(switches.iter().all(|&d| d < a.final_start()));
            assert!(changes.iter().all(|&d| d < a.final_start()));
        }
    }

    #[test]
    fn gradient_start_is_inverse_absolute_gradient() {
        let InvMetric::Diag(v) = inv_metric_from_gradient(&[2.0, -0.25, 0.0, f64::NAN]) else {
            panic!("diagonal expected")
        };
        assert_eq!(v, vec![0.5, 4.0, 1.0, 1.0]);
    }

    #[test]
    fn estimate_is_the_ratio_of_two_pass_variances() {
        // Logistic draws (inverse CDF) with scales 1e-2 .. 1e2 and their
        // gradients -tanh(x / 2s) / s: the Welford estimate must equal
        // sqrt(var(x) / var(g)) computed in two passes, to rounding.
        let scales = [1e-2, 1e-1, 1.0, 10.0, 1e2];
        let mut rng = crate::rng::ChainRng::new(11, 0, 0);
        let mut est = DrawGradVariance::new(scales.len());
        let mut xs = Vec::new();
        let mut gs = Vec::new();
        for _ in 0..2000 {
            let x: Vec<f64> = scales
                .iter()
                .map(|s| {
                    let u = rng.uniform_range(1e-12, 1.0 - 1e-12);
                    s * (u / (1.0 - u)).ln()
                })
                .collect();
            let g: Vec<f64> = x.iter().zip(&scales).map(|(x, s)| -(0.5 * x / s).tanh() / s).collect();
            est.add(&x, &g);
            xs.push(x);
            gs.push(g);
        }
        let two_pass_var = |rows: &[Vec<f64>], i: usize| {
            let m = rows.iter().map(|r| r[i]).sum::<f64>() / rows.len() as f64;
            rows.iter().map(|r| (r[i] - m).powi(2)).sum::<f64>() / (rows.len() - 1) as f64
        };
        let mut out = vec![1.0; scales.len()];
        est.write_inv_metric(&mut out);
        for (i, s) in scales.iter().enumerate() {
            let expect = (two_pass_var(&xs, i) / two_pass_var(&gs, i)).sqrt();
            assert!((out[i] / expect - 1.0).abs() < 1e-9, "{} vs {expect}", out[i]);
            // ... and near its limit pi s^2 (2000 draws: within 10%).
            let limit = std::f64::consts::PI * s * s;
            assert!((out[i] / limit - 1.0).abs() < 0.1, "{} vs {limit}", out[i]);
        }
        // A coordinate with constant gradients keeps its previous value.
        let mut flat = DrawGradVariance::new(1);
        flat.add(&[0.0], &[1.0]);
        flat.add(&[1.0], &[1.0]);
        let mut keep = [7.0];
        flat.write_inv_metric(&mut keep);
        assert_eq!(keep, [7.0]);
    }
}
