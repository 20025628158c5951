//! Running chains: settings, progress reporting, results, and [`sample`],
//! which runs the chains on `threads` scoped std threads.
//!
//! Each chain's random numbers come from [`ChainRng::new`]`(seed, chain, ..)`
//! only, and each chain writes its own file, so the same seed gives the same
//! draws (and byte-identical CSV files apart from the timing lines) whatever
//! the number of threads.
//!
//! [`ChainRng::new`]: crate::ChainRng::new

use crate::adapt::{DualAveragingSettings, ScheduleSettings};
use crate::chain::run_chain;
use crate::density::{LogDensity, OutputMap};
use crate::draws::Draws;
use crate::init::Init;
use crate::nuts::hamiltonian::{InvMetric, MetricKind};
use crate::output::CsvOptions;
use std::fmt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;

/// How the metric is adapted during warmup.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum AdaptMethod {
    /// nutpie's: diagonal metric `sqrt(var(draws) / var(grads))`, updated
    /// after every draw from overlapping windows (diagonal metric only).
    Nutpie,
    /// nutpie's schedule with a low-rank modified diagonal metric: the
    /// diagonal plus a few directions estimated from the draws' and the
    /// gradients' covariances (diagonal metric only).
    LowRank,
    /// Stan's windowed adaptation (75 / 25 doubling / 50), draw variances
    /// (the default).
    #[default]
    Stan,
}

impl AdaptMethod {
    /// The name used on the command line and in the CSV file.
    pub fn name(self) -> &'static str {
        match self {
            AdaptMethod::Nutpie => "nutpie",
            AdaptMethod::LowRank => "low-rank",
            AdaptMethod::Stan => "stan",
        }
    }
}

/// Warmup adaptation settings beyond `adapt_delta` (CmdStan's `adapt`
/// arguments, with its defaults, and the choice of method).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AdaptSettings {
    /// Whether to adapt at all during warmup (`engaged`, default true).
    pub engaged: bool,
    /// Metric adaptation method (Stan's by default, and for a dense metric;
    /// nutpie's on request).
    pub method: AdaptMethod,
    /// Dual-averaging regularisation scale (0.05).
    pub gamma: f64,
    /// Dual-averaging relaxation exponent (0.75).
    pub kappa: f64,
    /// Dual-averaging iteration offset (10).
    pub t0: f64,
    /// Initial fast buffer (75).
    pub init_buffer: usize,
    /// Terminal fast buffer (50).
    pub term_buffer: usize,
    /// First slow window (25).
    pub window: usize,
}

impl Default for AdaptSettings {
    fn default() -> Self {
        AdaptSettings { engaged: true, method: AdaptMethod::default(), gamma: 0.05, kappa: 0.75, t0: 10.0, init_buffer: 75, term_buffer: 50, window: 25 }
    }
}

impl AdaptSettings {
    pub(crate) fn dual_averaging(&self, delta: f64) -> DualAveragingSettings {
        DualAveragingSettings { delta, gamma: self.gamma, kappa: self.kappa, t0: self.t0 }
    }

    pub(crate) fn schedule(&self) -> ScheduleSettings {
        ScheduleSettings { init_buffer: self.init_buffer, term_buffer: self.term_buffer, window: self.window }
    }
}

/// Everything that controls a sampling run. `Default` gives CmdStan's
/// defaults: 4 chains, 1000 warmup, 1000 draws, `adapt_delta` 0.8, maximum
/// tree depth 10, diagonal metric, random inits in (-2, 2).
#[derive(Clone, Debug, PartialEq)]
pub struct SamplerSettings {
    /// Number of chains.
    pub chains: usize,
    /// CmdStan's `id`: the 1-based number of this run's first chain (1).
    /// Chain `k` (0-based) of the run is chain `chain_id - 1 + k` of the
    /// fit: its random numbers and its file name are that chain's, so the
    /// chains of one fit can run as separate processes or on other machines.
    pub chain_id: usize,
    /// Warmup iterations per chain.
    pub warmup: usize,
    /// Post-warmup iterations per chain (before thinning).
    pub draws: usize,
    /// Keep every `thin`-th iteration (1 keeps all).
    pub thin: usize,
    /// Random seed; with the chain number it determines every draw.
    pub seed: u64,
    /// Target acceptance statistic of step-size adaptation.
    pub adapt_delta: f64,
    /// Maximum tree depth (at most `2^max_depth` leapfrog steps).
    pub max_depth: u32,
    /// Metric to adapt.
    pub metric: MetricKind,
    /// Starting inverse metric (default: the identity of kind `metric`).
    pub init_inv_metric: Option<InvMetric>,
    /// Starting (or, without adaptation, fixed) step size (1).
    pub step_size: f64,
    /// Each transition's step size is the adapted one times a uniform factor
    /// in `(1 - jitter, 1 + jitter)` (CmdStan's `stepsize_jitter`, 0).
    pub step_size_jitter: f64,
    /// Energy error above which a transition counts as divergent (1000).
    pub max_energy_error: f64,
    /// Other adaptation settings.
    pub adapt: AdaptSettings,
    /// How chains start.
    pub init: Init,
    /// Worker threads; 0 means the number of cores.
    pub threads: usize,
    /// Also write (and keep) the warmup draws.
    pub save_warmup: bool,
    /// Report progress every this many iterations.
    pub refresh: usize,
}

impl Default for SamplerSettings {
    fn default() -> Self {
        SamplerSettings {
            chains: 4,
            chain_id: 1,
            warmup: 1000,
            draws: 1000,
            thin: 1,
            seed: 0,
            adapt_delta: 0.8,
            max_depth: 10,
            metric: MetricKind::Diag,
            init_inv_metric: None,
            step_size: 1.0,
            step_size_jitter: 0.0,
            max_energy_error: 1000.0,
            adapt: AdaptSettings::default(),
            init: Init::default(),
            threads: 0,
            save_warmup: false,
            refresh: 100,
        }
    }
}

impl SamplerSettings {
    /// The number of worker threads used: `threads`, or the number of cores
    /// when 0, never more than the number of chains.
    pub fn effective_threads(&self) -> usize {
        let t = if self.threads == 0 {
            std::thread::available_parallelism().map_or(1, |n| n.get())
        } else {
            self.threads
        };
        t.clamp(1, self.chains.max(1))
    }

    /// Checks the settings; says what is wrong.
    pub fn validate(&self) -> Result<(), RunError> {
        let bad = |m: String| Err(RunError::InvalidSettings(m));
        if self.chains == 0 {
            return bad("chains must be at least 1".into());
        }
        if self.chain_id == 0 {
            return bad("the first chain's id must be at least 1 (ids are 1-based, as CmdStan's `id`)".into());
        }
        if self.thin == 0 {
            return bad("thin must be at least 1".into());
        }
        if !(self.adapt_delta > 0.0 && self.adapt_delta < 1.0) {
            return bad(format!("adapt_delta must be in (0, 1), got {}", self.adapt_delta));
        }
        if !(self.step_size > 0.0 && self.step_size.is_finite()) {
            return bad(format!("step size must be positive and finite, got {}", self.step_size));
        }
        if !(0.0..1.0).contains(&self.step_size_jitter) {
            return bad(format!("step size jitter must be in [0, 1), got {}", self.step_size_jitter));
        }
        if self.max_depth == 0 || self.max_depth > 30 {
            return bad(format!("max_depth must be in 1..=30, got {}", self.max_depth));
        }
        if self.adapt.window == 0 {
            return bad("the adaptation window must be at least 1".into());
        }
        if !(self.adapt.gamma > 0.0 && self.adapt.kappa > 0.0 && self.adapt.t0 >= 0.0) {
            return bad("adaptation gamma and kappa must be positive and t0 non-negative".into());
        }
        if matches!(self.adapt.method, AdaptMethod::Nutpie | AdaptMethod::LowRank) && self.metric == MetricKind::Dense {
            return bad("nutpie's adaptation estimates a diagonal metric only; use Stan's adaptation \
                        (AdaptMethod::Stan) for a dense metric"
                .into());
        }
        if let Some(m) = &self.init_inv_metric {
            if m.kind() != self.metric {
                return bad("init_inv_metric is not of the kind given by `metric`".into());
            }
        }
        if let Init::Points(p) = &self.init {
            if p.len() != 1 && p.len() != self.chains {
                return bad(format!("give 1 or {} initial points, not {}", self.chains, p.len()));
            }
        }
        Ok(())
    }
}

/// Where draws go.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct OutputOptions {
    /// Write one CmdStan CSV file per chain.
    pub csv: Option<CsvOptions>,
    /// Keep all draws in memory (for tests and small runs); memory then
    /// grows with the number of draws.
    pub keep_draws: bool,
}

impl OutputOptions {
    /// Keep draws in memory only.
    pub fn memory() -> Self {
        OutputOptions { csv: None, keep_draws: true }
    }

    /// Write CSV files only.
    pub fn csv(options: CsvOptions) -> Self {
        OutputOptions { csv: Some(options), keep_draws: false }
    }
}

/// Warmup or sampling.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Warmup (adaptation) iterations.
    Warmup,
    /// Post-warmup iterations.
    Sampling,
}

/// A progress report from one chain.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ProgressUpdate {
    /// Chain number, 0-based.
    pub chain: usize,
    /// Iterations done so far (warmup and sampling together).
    pub iteration: usize,
    /// Total iterations of the chain.
    pub total: usize,
    /// Current phase.
    pub phase: Phase,
    /// Divergent transitions so far (warmup and sampling).
    pub divergences: u64,
    /// Whether the chain has finished (completed, interrupted or failed).
    pub finished: bool,
}

/// Receives progress reports (every `refresh` iterations and at the end of
/// each chain), from the chains' threads.
pub trait Progress: Sync {
    /// Called with each report.
    fn update(&self, update: &ProgressUpdate);
}

/// Ignores progress.
pub struct NoProgress;

impl Progress for NoProgress {
    fn update(&self, _update: &ProgressUpdate) {}
}

impl<F: Fn(&ProgressUpdate) + Sync> Progress for F {
    fn update(&self, update: &ProgressUpdate) {
        self(update)
    }
}

/// How a chain ended.
#[derive(Clone, Debug, PartialEq)]
pub enum ChainStatus {
    /// All iterations done.
    Completed,
    /// Stopped by the stop flag; its file is partial.
    Interrupted,
    /// Stopped by an error (no initial point, a fatal model error, I/O).
    Failed(String),
}

/// Results and statistics of one chain.
#[derive(Clone, Debug, PartialEq)]
pub struct ChainResult {
    /// Chain number, 0-based (the CSV `id` is `chain + 1`).
    pub chain: usize,
    /// How the chain ended.
    pub status: ChainStatus,
    /// Its CSV file, if written.
    pub csv_path: Option<PathBuf>,
    /// Step size after warmup.
    pub step_size: f64,
    /// Inverse metric after warmup.
    pub inv_metric: Option<InvMetric>,
    /// The adapted low-rank metric when the chain ended warmup with one
    /// (`inv_metric` and the CSV give its diagonal only).
    pub low_rank_metric: Option<crate::adapt::LowRankInvMetric>,
    /// Post-warmup iterations done.
    pub draws_done: usize,
    /// Divergent post-warmup transitions.
    pub divergences: u64,
    /// Divergent warmup transitions.
    pub warmup_divergences: u64,
    /// Post-warmup transitions that hit the maximum tree depth.
    pub max_depth_hits: u64,
    /// E-BFMI of the post-warmup energies (NaN with fewer than 2 draws).
    pub ebfmi: f64,
    /// Mean and standard deviation of the post-warmup energies (NaN with
    /// fewer than 2 draws): a chain whose energies lie far above the
    /// others' stayed where the others' log density is far higher.
    pub energy_mean_sd: (f64, f64),
    /// Mean post-warmup acceptance statistic.
    pub mean_accept_stat: f64,
    /// Gradient evaluations, warmup and sampling.
    pub gradient_evals: u64,
    /// Gradient evaluations of the warmup alone (initial step-size searches
    /// included).
    pub warmup_gradient_evals: u64,
    /// Warmup wall time in seconds.
    pub warmup_seconds: f64,
    /// Sampling wall time in seconds.
    pub sampling_seconds: f64,
    /// Messages about the run (short warmup, recoverable model errors).
    pub notes: Vec<String>,
    /// Why the warmup started again from a new random point, once per
    /// restart ([`crate::adapt::stuck`]).
    pub warmup_restarts: Vec<String>,
    /// Post-warmup draws of every column, if kept: `draws[column][draw]`.
    pub draws: Option<Vec<Vec<f64>>>,
    /// Warmup draws, if kept and `save_warmup`, when no CSV file is
    /// written (otherwise the file holds them).
    pub warmup_draws: Option<Vec<Vec<f64>>>,
}

/// The result of [`sample`].
#[derive(Clone, Debug, PartialEq)]
pub struct RunResult {
    /// All column names: the sampler columns then the model's.
    pub column_names: Vec<String>,
    /// One entry per chain, in chain order.
    pub chains: Vec<ChainResult>,
    /// Whether the stop flag ended the run early.
    pub interrupted: bool,
    /// Wall time of the whole run in seconds.
    pub elapsed_seconds: f64,
}

impl RunResult {
    /// The in-memory draws of all chains (those that kept draws).
    pub fn draws(&self) -> Draws {
        Draws {
            column_names: self.column_names.clone(),
            chains: self.chains.iter().filter_map(|c| c.draws.clone()).collect(),
        }
    }

    /// Paths of the CSV files written.
    pub fn csv_paths(&self) -> Vec<PathBuf> {
        self.chains.iter().filter_map(|c| c.csv_path.clone()).collect()
    }

    /// The first failed chain and its message, if any.
    pub fn first_failure(&self) -> Option<(usize, &str)> {
        self.chains.iter().find_map(|c| match &c.status {
            ChainStatus::Failed(m) => Some((c.chain, m.as_str())),
            _ => None,
        })
    }

    /// Gradient evaluations over all chains, warmup included.
    pub fn total_gradient_evals(&self) -> u64 {
        self.chains.iter().map(|c| c.gradient_evals).sum()
    }

    /// Post-warmup divergences over all chains.
    pub fn total_divergences(&self) -> u64 {
        self.chains.iter().map(|c| c.divergences).sum()
    }
}

/// Errors that prevent a run from starting.
#[derive(Clone, Debug, PartialEq)]
pub enum RunError {
    /// The settings are inconsistent.
    InvalidSettings(String),
    /// An output file or directory could not be created.
    Io(String),
}

impl fmt::Display for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RunError::InvalidSettings(m) => write!(f, "invalid sampler settings: {m}"),
            RunError::Io(m) => write!(f, "output error: {m}"),
        }
    }
}

impl std::error::Error for RunError {}

/// Runs `settings.chains` NUTS chains (fixed_param chains for a model of
/// dimension 0) on `settings.effective_threads()`
/// threads. `make_model(chain)` builds the model of each chain (on the
/// chain's thread). Draws go to CSV files and/or memory as `output` says;
/// `progress` is called from the chains' threads; setting `stop` ends every
/// chain after its current iteration, leaving partial files marked as such.
///
/// Errors of single chains (no valid initial point, a fatal model error, a
/// write error) do not make this fail: they are in each chain's
/// [`ChainStatus`]. `Err` means the run could not start.
pub fn sample<M, F>(
    make_model: F,
    settings: &SamplerSettings,
    output: &OutputOptions,
    progress: &dyn Progress,
    stop: &AtomicBool,
) -> Result<RunResult, RunError>
where
    M: LogDensity + OutputMap,
    F: Fn(usize) -> M + Sync,
{
    settings.validate()?;
    if let Some(csv) = &output.csv {
        if let Some(dir) = csv.path_for_chain(0).parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir)
                    .map_err(|e| RunError::Io(format!("cannot create {}: {e}", dir.display())))?;
            }
        }
    }
    let start = std::time::Instant::now();
    let next_chain = AtomicUsize::new(0);
    type Slot = Option<(ChainResult, Vec<String>)>;
    let results: Mutex<Vec<Slot>> = Mutex::new(vec![None; settings.chains]);
    let threads = settings.effective_threads();

    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| loop {
                let local = next_chain.fetch_add(1, Ordering::SeqCst);
                if local >= settings.chains {
                    break;
                }
                let chain = settings.chain_id - 1 + local;
                let mut model = make_model(chain);
                // A model with no parameters runs as Stan's fixed_param sampler.
                let outcome = if model.dim() == 0 {
                    crate::fixed_param::run_fixed_param_chain(&mut model, chain, settings, output, progress, stop)
                } else {
                    run_chain(&mut model, chain, settings, output, progress, stop)
                };
                // A poisoned lock means another worker panicked; keep the
                // results we have rather than propagating the panic.
                let mut guard = results.lock().unwrap_or_else(|e| e.into_inner());
                guard[local] = Some(outcome);
            });
        }
    });

    let results = results.into_inner().unwrap_or_else(|e| e.into_inner());
    let mut chains = Vec::with_capacity(settings.chains);
    let mut column_names = Vec::new();
    for (local, r) in results.into_iter().enumerate() {
        let chain = settings.chain_id - 1 + local;
        match r {
            Some((res, names)) => {
                if column_names.is_empty() {
                    column_names = names;
                }
                chains.push(res);
            }
            None => chains.push(crate::chain::failed_result(chain, "the chain's thread stopped unexpectedly".into())),
        }
    }
    let interrupted = chains.iter().any(|c| c.status == ChainStatus::Interrupted);
    Ok(RunResult { column_names, chains, interrupted, elapsed_seconds: start.elapsed().as_secs_f64() })
}
