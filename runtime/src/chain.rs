//! One chain from start to finish: initial point, warmup with adaptation,
//! sampling, output of every draw, statistics.

use crate::adapt::{
    DualAveraging, GradDiagAdaptation, GradDiagSettings, LowRankAdaptation, LowRankSettings, MetricEstimator, MetricUpdate,
    Schedule, Stuck, StuckWatch,
};
use crate::density::{LogDensity, OutputMap};
use crate::init::{initial_point, Init};
use crate::nuts::hamiltonian::{Hamiltonian, InvMetric, Metric, Point};
use crate::nuts::init_step_size;
use crate::nuts::tree::{transition, NutsOptions, TransitionStats, TreeWorkspace};
use crate::output::cmdstan_csv::{header_lines, CsvChainWriter, SAMPLER_COLUMNS};
use crate::rng::{ChainRng, STREAM_OUTPUT, STREAM_SAMPLER};
use crate::sampler::{
    AdaptMethod, ChainResult, ChainStatus, OutputOptions, Phase, Progress, ProgressUpdate, SamplerSettings,
};
use std::fs::File;
use std::io::BufWriter;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

/// A warmup draw whose log density rose by more than this many times
/// `dim + 1` over the previous draw's is still falling from a start far
/// in the tails (a chain in its typical set moves by a few `sqrt(dim)`):
/// the gradient-based adaptations start again from it with the unit
/// metric, since `1 / |grad|` and `var(q) / var(grad)` from such draws
/// give a metric too small for the chain to leave (posteriordb's arma11
/// from an explosive start: gradients about 1e77).
const TRANSIENT_JUMP: f64 = 1e3;

/// A chain result for a chain that could not run at all.
pub(crate) fn failed_result(chain: usize, message: String) -> ChainResult {
    ChainResult {
        chain,
        status: ChainStatus::Failed(message),
        csv_path: None,
        step_size: f64::NAN,
        inv_metric: None,
        low_rank_metric: None,
        draws_done: 0,
        divergences: 0,
        warmup_divergences: 0,
        max_depth_hits: 0,
        ebfmi: f64::NAN,
        energy_mean_sd: (f64::NAN, f64::NAN),
        mean_accept_stat: f64::NAN,
        gradient_evals: 0,
        warmup_gradient_evals: 0,
        warmup_seconds: 0.0,
        sampling_seconds: 0.0,
        notes: Vec::new(),
        warmup_restarts: Vec::new(),
        draws: None,
        warmup_draws: None,
    }
}

/// Online E-BFMI: sums of squared successive energy differences and
/// Welford variance of the energies, so memory does not grow with draws.
#[derive(Default)]
struct EbfmiAccumulator {
    n: usize,
    last: f64,
    sum_sq_diff: f64,
    mean: f64,
    m2: f64,
}

impl EbfmiAccumulator {
    fn add(&mut self, e: f64) {
        if self.n > 0 {
            self.sum_sq_diff += (e - self.last) * (e - self.last);
        }
        self.last = e;
        self.n += 1;
        let d = e - self.mean;
        self.mean += d / self.n as f64;
        self.m2 += d * (e - self.mean);
    }

    /// Mean and standard deviation of the energies (NaN with fewer than 2).
    fn mean_sd(&self) -> (f64, f64) {
        if self.n < 2 {
            (f64::NAN, f64::NAN)
        } else {
            (self.mean, (self.m2 / (self.n - 1) as f64).sqrt())
        }
    }

    fn value(&self) -> f64 {
        if self.n < 2 || self.m2.is_nan() || self.m2 <= 0.0 {
            f64::NAN
        } else {
            self.sum_sq_diff / self.m2
        }
    }
}

/// `step_size` times a uniform factor in `(1 - jitter, 1 + jitter)`; no
/// random number is drawn when `jitter` is 0.
fn jittered(step_size: f64, jitter: f64, rng: &mut ChainRng) -> f64 {
    if jitter > 0.0 {
        step_size * rng.uniform_range(1.0 - jitter, 1.0 + jitter)
    } else {
        step_size
    }
}

/// Where one chain's rows go.
struct Sink {
    csv: Option<CsvChainWriter<BufWriter<File>>>,
    io_error: Option<String>,
    keep: bool,
    draws: Vec<Vec<f64>>,
    warmup: Vec<Vec<f64>>,
}

impl Sink {
    fn io<T>(&mut self, r: std::io::Result<T>) {
        if let Err(e) = r {
            if self.io_error.is_none() {
                self.io_error = Some(format!("writing the CSV file failed: {e}"));
            }
        }
    }

    fn row(&mut self, row: &[f64], warmup: bool) {
        if let Some(w) = self.csv.as_mut() {
            let r = w.write_draw(row);
            self.io(r);
        }
        // Warmup rows written to a file are not kept: the file holds them
        // and the summary ignores them.
        if self.keep && !(warmup && self.csv.is_some()) {
            let target = if warmup { &mut self.warmup } else { &mut self.draws };
            for (col, v) in target.iter_mut().zip(row) {
                col.push(*v);
            }
        }
    }

    fn comment(&mut self, text: &str) {
        if let Some(w) = self.csv.as_mut() {
            let r = w.write_comment(text);
            self.io(r);
        }
    }
}

/// Runs chain `chain` of `model`. Returns its result and the full list of
/// column names (sampler columns first).
pub(crate) fn run_chain<M: LogDensity + OutputMap>(
    model: &mut M,
    chain: usize,
    settings: &SamplerSettings,
    output: &OutputOptions,
    progress: &dyn Progress,
    stop: &AtomicBool,
) -> (ChainResult, Vec<String>) {
    let mut result = failed_result(chain, String::new());
    let dim = model.dim();
    let mut columns: Vec<String> = SAMPLER_COLUMNS.iter().map(|s| s.to_string()).collect();
    let model_columns = model.column_names();
    columns.extend(model_columns.iter().cloned());
    let total_iter = settings.warmup + settings.draws;
    let report = |iteration: usize, phase: Phase, divergences: u64, finished: bool| {
        progress.update(&ProgressUpdate { chain, iteration, total: total_iter, phase, divergences, finished });
    };

    let mut sink = Sink {
        csv: None,
        io_error: None,
        keep: output.keep_draws,
        // Kept draws get their full length at once: grown a row at a time,
        // each column's vector was copied on every doubling.
        draws: (0..columns.len())
            .map(|_| Vec::with_capacity(if output.keep_draws { settings.draws.div_ceil(settings.thin.max(1)) } else { 0 }))
            .collect(),
        warmup: vec![Vec::new(); columns.len()],
    };
    if let Some(opts) = &output.csv {
        let path = opts.path_for_chain(chain);
        match File::create(&path) {
            Ok(f) => {
                let mut w = CsvChainWriter::new(BufWriter::new(f), opts.sig_figs, opts.flush_every);
                let cfg = header_lines(settings, opts, chain, &path);
                let r = w.write_header(&cfg, &opts.extra_comments, &columns);
                sink.csv = Some(w);
                sink.io(r);
                result.csv_path = Some(path);
            }
            Err(e) => {
                result.status = ChainStatus::Failed(format!("cannot create {}: {e}", path.display()));
                report(0, Phase::Warmup, 0, true);
                return (result, columns);
            }
        }
    }

    let finish_failed = |mut result: ChainResult, mut sink: Sink, message: String| {
        sink.comment(&format!("Sampling failed: {message}"));
        result.status = ChainStatus::Failed(message);
        if sink.keep {
            result.draws = Some(sink.draws);
        }
        result
    };

    let mut rng = ChainRng::new(settings.seed, chain as u64, STREAM_SAMPLER);
    let mut out_rng = ChainRng::new(settings.seed, chain as u64, STREAM_OUTPUT);

    // Initial point.
    let q0 = match initial_point(&settings.init, chain + 1 - settings.chain_id, model, &mut rng) {
        Ok(q) => q,
        Err(m) => {
            report(0, Phase::Warmup, 0, true);
            return (finish_failed(result, sink, m), columns);
        }
    };
    let inv0 = settings.init_inv_metric.clone().unwrap_or_else(|| InvMetric::identity(settings.metric, dim));
    if inv0.dim() != dim {
        let m = format!("initial inverse metric has dimension {}, the model {dim}", inv0.dim());
        return (finish_failed(result, sink, m), columns);
    }
    let metric = match Metric::new(&inv0) {
        Ok(m) => m,
        Err(m) => return (finish_failed(result, sink, m), columns),
    };

    let mut ham = Hamiltonian::new(model, metric);
    let mut z = Point::new(dim);
    z.q.copy_from_slice(&q0);
    ham.evaluate(&mut z);
    let mut ws = TreeWorkspace::new(dim);
    let options = NutsOptions { max_depth: settings.max_depth, max_energy_error: settings.max_energy_error };

    let adapting = settings.adapt.engaged && settings.warmup > 0;
    let mut step_size = settings.step_size;
    let mut dual = DualAveraging::new(settings.adapt.dual_averaging(settings.adapt_delta), (10.0 * step_size).ln());
    let mut schedule = Schedule::new(settings.warmup, settings.adapt.schedule());
    let mut estimator = MetricEstimator::new(settings.metric, dim);
    let low_rank = adapting && settings.adapt.method == AdaptMethod::LowRank;
    let nutpie = adapting && (settings.adapt.method == AdaptMethod::Nutpie || low_rank);
    let mut low_rank_adapt = low_rank.then(|| {
        LowRankAdaptation::new(dim, settings.warmup, GradDiagSettings::default(), LowRankSettings::default(), &z.q, &z.grad)
    });
    let mut grad_diag = (nutpie && !low_rank)
        .then(|| GradDiagAdaptation::new(dim, settings.warmup, GradDiagSettings::default(), &z.q, &z.grad));
    // The draw before the current transition: a draw equal to it (the
    // chain did not move) tells nothing about the gradient's variance.
    let mut previous_q = if nutpie { z.q.to_vec() } else { Vec::new() };
    let mut previous_logp = z.logp;
    if let Some(first_guess) = gradient_first_guess(&low_rank_adapt, &grad_diag) {
        // A user-given metric is kept as the start; otherwise nutpie's first
        // guess from the initial gradient replaces the identity.
        if settings.init_inv_metric.is_none() {
            match Metric::new(&first_guess) {
                Ok(m) => ham.metric = m,
                Err(m) => result.notes.push(format!("initial metric from the gradient skipped: {m}")),
            }
        }
    }
    if adapting && !nutpie {
        result.notes.append(&mut schedule.notes);
    }
    if adapting {
        match init_step_size(&mut ham, &mut rng, &z, step_size) {
            Ok(eps) => step_size = eps,
            Err(m) => return (finish_failed(result, sink, m), columns),
        }
    }

    let mut row: Vec<f64> = Vec::with_capacity(columns.len());
    let mut gq: Vec<f64> = Vec::with_capacity(model_columns.len());
    let refresh = settings.refresh.max(1);
    let mut divergences_all = 0u64;
    let mut interrupted_at: Option<usize> = None;

    // Builds the output row for the current state; Err on a fatal error.
    let mut make_row = |ham: &mut Hamiltonian<'_, M>, z: &Point, s: &TransitionStats, row: &mut Vec<f64>| -> Result<(), String> {
        row.clear();
        row.extend_from_slice(&[
            z.logp,
            s.accept_stat,
            s.step_size,
            s.depth as f64,
            s.n_leapfrog as f64,
            if s.divergent { 1.0 } else { 0.0 },
            s.energy,
        ]);
        gq.clear();
        match ham.density.write_columns(&z.q, &mut out_rng, &mut gq) {
            Ok(()) if gq.len() == model_columns.len() => row.extend_from_slice(&gq),
            Ok(()) => {
                return Err(format!(
                    "the model wrote {} output values but declared {} columns",
                    gq.len(),
                    model_columns.len()
                ))
            }
            Err(e) if e.recoverable => row.extend(std::iter::repeat_n(f64::NAN, model_columns.len())),
            Err(e) => return Err(e.message),
        }
        Ok(())
    };

    let jitter = settings.step_size_jitter;
    // Only random starts other than the origin can give a new start.
    let random_start = matches!(settings.init, Init::Random { radius } if radius > 0.0);
    let mut stuck = StuckWatch::new(dim, settings.warmup, adapting && random_start);
    // Warmup.
    let warm_start = Instant::now();
    for i in 0..settings.warmup {
        if stop.load(Ordering::Relaxed) {
            interrupted_at = Some(i);
            break;
        }
        let eps = jittered(step_size, jitter, &mut rng);
        let s = transition(&mut ham, &mut rng, &mut ws, &mut z, eps, options);
        if let Some(e) = ham.fatal.take() {
            return (finish_failed(result, sink, e.message), columns);
        }
        if s.divergent {
            result.warmup_divergences += 1;
            divergences_all += 1;
        }
        if settings.save_warmup && i % settings.thin == 0 {
            if let Err(m) = make_row(&mut ham, &z, &s, &mut row) {
                return (finish_failed(result, sink, m), columns);
            }
            sink.row(&row, true);
        }
        let why = stuck.check(i, &z.q, s.hit_max_depth);
        let restarted = why.is_some();
        if let Some(why) = why {
            let (crawl_logp, crawl_eps) = (z.logp, s.step_size);
            let q = match initial_point(&settings.init, chain + 1 - settings.chain_id, &mut *ham.density, &mut rng) {
                Ok(q) => q,
                Err(m) => return (finish_failed(result, sink, m), columns),
            };
            z.q.copy_from_slice(&q);
            ham.evaluate(&mut z);
            restart_gradient_adaptation(&mut low_rank_adapt, &mut grad_diag, settings.warmup - i - 1, &z);
            estimator.restart();
            // The metric a chain starts with: the user's, else the
            // gradient-based first guess, else the unit metric.
            let start = settings
                .init_inv_metric
                .clone()
                .or_else(|| gradient_first_guess(&low_rank_adapt, &grad_diag))
                .unwrap_or_else(|| InvMetric::identity(settings.metric, dim));
            match Metric::new(&start) {
                Ok(m) => ham.metric = m,
                Err(m) => result.notes.push(format!("metric at the restart skipped: {m}")),
            }
            match init_step_size(&mut ham, &mut rng, &z, step_size) {
                Ok(eps) => step_size = eps,
                Err(m) => return (finish_failed(result, sink, m), columns),
            }
            dual.set_mu((10.0 * step_size).ln());
            dual.restart();
            if nutpie {
                previous_q.copy_from_slice(&z.q);
            }
            let message = restart_message(why, i + 1, crawl_eps, crawl_logp);
            sink.comment(&message);
            result.warmup_restarts.push(message);
        }
        let jumped = !restarted && z.logp - previous_logp > TRANSIENT_JUMP * (dim as f64 + 1.0);
        previous_logp = z.logp;
        if restarted && nutpie {
            // The gradient-based adaptations start afresh from the new point.
        } else if jumped && nutpie {
            // Still falling from a start far in the tails: begin the
            // adaptation again from here, with the unit metric (see
            // TRANSIENT_JUMP), for the warmup that is left.
            restart_gradient_adaptation(&mut low_rank_adapt, &mut grad_diag, settings.warmup - i - 1, &z);
            ham.metric = Metric::new(&InvMetric::identity(crate::nuts::hamiltonian::MetricKind::Diag, dim))
                .unwrap_or_else(|_| unreachable!("the unit metric is finite and positive"));
            previous_q.copy_from_slice(&z.q);
            step_size = dual.learn(s.accept_stat);
        } else if let Some(a) = low_rank_adapt.as_mut() {
            let moved = z.q[..] != previous_q[..];
            previous_q.copy_from_slice(&z.q);
            let usable = moved && !s.divergent;
            let st = a.step(usable.then_some((&z.q[..], &z.grad[..])));
            step_size = dual.learn(if st.late { s.accept_stat_sym } else { s.accept_stat });
            if st.metric_changed {
                let installed = match a.take_update() {
                    Some(MetricUpdate::Diag(inv)) => Metric::new(&inv),
                    Some(MetricUpdate::LowRank(m)) => Metric::low_rank(m),
                    None => Err("no metric estimate".to_string()),
                };
                match installed {
                    Ok(m) => ham.metric = m,
                    Err(m) => result.notes.push(format!("metric update skipped: {m}")),
                }
            }
            if st.reinit_step_size {
                match init_step_size(&mut ham, &mut rng, &z, step_size) {
                    Ok(eps) => step_size = eps,
                    Err(m) => return (finish_failed(result, sink, m), columns),
                }
                dual.set_mu((10.0 * step_size).ln());
                dual.restart();
            }
        } else if let Some(a) = grad_diag.as_mut() {
            let moved = z.q[..] != previous_q[..];
            previous_q.copy_from_slice(&z.q);
            let usable = moved && !s.divergent;
            let st = a.step(usable.then_some((&z.q[..], &z.grad[..])));
            // As nutpie: the usual statistic while the metric still moves
            // a lot, the symmetric one once it settles (it also counts
            // energy gains as errors, so the final step size is safer).
            step_size = dual.learn(if st.late { s.accept_stat_sym } else { s.accept_stat });
            if st.metric_changed {
                match Metric::new(&a.inv_metric()) {
                    Ok(m) => ham.metric = m,
                    Err(m) => result.notes.push(format!("metric update skipped: {m}")),
                }
            }
            if st.reinit_step_size {
                match init_step_size(&mut ham, &mut rng, &z, step_size) {
                    Ok(eps) => step_size = eps,
                    Err(m) => return (finish_failed(result, sink, m), columns),
                }
                dual.set_mu((10.0 * step_size).ln());
                dual.restart();
            }
        } else if adapting {
            if !restarted {
                step_size = dual.learn(s.accept_stat);
            }
            // Stan's windows keep counting draws through a restart.
            let st = schedule.step();
            if st.collect && !restarted {
                estimator.add(&z.q);
            }
            if st.end_window {
                if let Some(inv) = estimator.regularized() {
                    match Metric::new(&inv) {
                        Ok(m) => ham.metric = m,
                        Err(m) => result.notes.push(format!("metric update skipped: {m}")),
                    }
                }
                estimator.restart();
                match init_step_size(&mut ham, &mut rng, &z, step_size) {
                    Ok(eps) => step_size = eps,
                    Err(m) => return (finish_failed(result, sink, m), columns),
                }
                dual.set_mu((10.0 * step_size).ln());
                dual.restart();
            }
        }
        if (i + 1) % refresh == 0 {
            report(i + 1, Phase::Warmup, divergences_all, false);
        }
    }
    if adapting && interrupted_at.is_none() {
        step_size = dual.final_step_size();
        let inv = ham.metric.to_inv_metric();
        if let Some(w) = sink.csv.as_mut() {
            let r = w.write_adaptation(step_size, &inv);
            sink.io(r);
        }
    }
    result.step_size = step_size;
    result.inv_metric = Some(ham.metric.to_inv_metric());
    result.low_rank_metric = match &ham.metric {
        Metric::LowRank(m) => Some(m.clone()),
        _ => None,
    };
    result.warmup_seconds = warm_start.elapsed().as_secs_f64();
    result.warmup_gradient_evals = ham.n_evals;

    // Sampling.
    let sample_start = Instant::now();
    let mut ebfmi = EbfmiAccumulator::default();
    let mut accept_sum = 0.0;
    if interrupted_at.is_none() {
        for i in 0..settings.draws {
            if stop.load(Ordering::Relaxed) {
                interrupted_at = Some(settings.warmup + i);
                break;
            }
            let eps = jittered(step_size, jitter, &mut rng);
            let s = transition(&mut ham, &mut rng, &mut ws, &mut z, eps, options);
            if let Some(e) = ham.fatal.take() {
                return (finish_failed(result, sink, e.message), columns);
            }
            result.draws_done += 1;
            if s.divergent {
                result.divergences += 1;
                divergences_all += 1;
            }
            if s.hit_max_depth {
                result.max_depth_hits += 1;
            }
            accept_sum += s.accept_stat;
            ebfmi.add(s.energy);
            if i % settings.thin == 0 {
                if let Err(m) = make_row(&mut ham, &z, &s, &mut row) {
                    return (finish_failed(result, sink, m), columns);
                }
                sink.row(&row, false);
            }
            if (settings.warmup + i + 1) % refresh == 0 {
                report(settings.warmup + i + 1, Phase::Sampling, divergences_all, false);
            }
            if let Some(m) = &sink.io_error {
                let m = m.clone();
                return (finish_failed(result, sink, m), columns);
            }
        }
    }
    result.sampling_seconds = sample_start.elapsed().as_secs_f64();
    result.ebfmi = ebfmi.value();
    result.energy_mean_sd = ebfmi.mean_sd();
    result.mean_accept_stat = if result.draws_done > 0 { accept_sum / result.draws_done as f64 } else { f64::NAN };
    result.gradient_evals = ham.n_evals;
    if let Some(m) = ham.last_error.take() {
        result.notes.push(format!("the model rejected some points; last message: {m}"));
    }

    match interrupted_at {
        Some(done) => {
            sink.comment(&format!(
                "Sampling interrupted after {done} of {total_iter} iterations: this file is partial"
            ));
            result.status = ChainStatus::Interrupted;
        }
        None => {
            if let Some(w) = sink.csv.as_mut() {
                let r = w.write_timing(result.warmup_seconds, result.sampling_seconds);
                sink.io(r);
            }
            // Not in CmdStan's layout: a last comment line, after the timing
            // block. Not before it: cmdstanpy reads every comment line from
            // the inverse metric to `Elapsed Time` as rows of the metric.
            sink.comment(&format!(
                "Gradient evaluations: {} (Warm-up), {} (Sampling); adaptation: {}",
                result.warmup_gradient_evals,
                ham.n_evals - result.warmup_gradient_evals,
                if adapting { settings.adapt.method.name() } else { "none" }
            ));
            result.status = ChainStatus::Completed;
        }
    }
    if let Some(m) = sink.io_error.take() {
        result.status = ChainStatus::Failed(m);
    }
    let phase = if interrupted_at.is_some_and(|d| d < settings.warmup) { Phase::Warmup } else { Phase::Sampling };
    report(interrupted_at.unwrap_or(total_iter), phase, divergences_all, true);
    if sink.keep {
        result.draws = Some(sink.draws);
        if settings.save_warmup && sink.csv.is_none() {
            result.warmup_draws = Some(sink.warmup);
        }
    }
    (result, columns)
}

/// The gradient-based adaptations' first metric (`1 / |grad|` at their
/// start), if the chain runs one.
fn gradient_first_guess(low_rank: &Option<LowRankAdaptation>, grad_diag: &Option<GradDiagAdaptation>) -> Option<InvMetric> {
    grad_diag.as_ref().map(|a| a.inv_metric()).or_else(|| low_rank.as_ref().map(|a| a.initial_inv_metric()))
}

/// The note a warmup restart leaves in the output and on the terminal:
/// after warmup transition `after` (1-based), the step size and log
/// density where the chain was stuck, and why.
fn restart_message(why: Stuck, after: usize, eps: f64, logp: f64) -> String {
    use crate::adapt::stuck::{FROZEN, MOVE, WINDOW};
    let cause = match why {
        Stuck::Crawl => format!(
            "{WINDOW} transitions at the maximum tree depth (step size {eps:.1e}) had moved no unconstrained \
             coordinate by {MOVE} (log density {logp:.1}): the density there is too rough for any usable step size"
        ),
        Stuck::Frozen => format!(
            "{WINDOW} transitions (step size {eps:.1e}) had moved no unconstrained coordinate by {FROZEN:e} of its \
             size (log density {logp:.3e}): the start is too far in the tails for any step to leave it"
        ),
    };
    format!("warmup restarted after transition {after} from a new random initial point: {cause}")
}

/// The gradient-based adaptations (whichever the chain runs) started afresh
/// at `z` for the `left` warmup draws that remain.
fn restart_gradient_adaptation(
    low_rank: &mut Option<LowRankAdaptation>,
    grad_diag: &mut Option<GradDiagAdaptation>,
    left: usize,
    z: &Point,
) {
    let dim = z.q.len();
    if let Some(a) = low_rank.as_mut() {
        *a = LowRankAdaptation::new(dim, left, GradDiagSettings::default(), LowRankSettings::default(), &z.q, &z.grad);
    }
    if let Some(a) = grad_diag.as_mut() {
        *a = GradDiagAdaptation::new(dim, left, GradDiagSettings::default(), &z.q, &z.grad);
    }
}
