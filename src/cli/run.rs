//! `hbmc run model.hbm --data d.json ...`: compile, sample with NUTS, write
//! CmdStan CSV (plus the dims beside it), print a labelled summary and the
//! sampler's warnings.

use super::atomic::write_atomically;
use super::fit_claim::{claim_prefix, fit_fingerprint, PlannedRun};
use super::fit_record::{record_path, ChainState, FitRecord};
use super::fit_summary::{fit_dims_from_json, summarize_draws, summarize_files, Destination, SummaryRequest, SummaryView};
use super::{load_model_as, EXIT_DIAGNOSTICS, EXIT_USAGE};
use clap::{Args, ValueEnum};
use hbmc::model::{BoundModel, Engine, Evaluator};
use hbmc_runtime::{
    sample, AdaptMethod, AdaptSettings, ChainRng, CsvOptions, Init, LogDensity, LogDensityError, MetricKind, OutputMap, OutputOptions,
    Draws, Progress, ProgressUpdate, SamplerDiagnostics, SamplerSettings, SAMPLER_COLUMNS,
};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Arguments of `hbmc run`.
#[derive(Args)]
pub struct RunArgs {
    /// The model file.
    model: PathBuf,
    /// Data files (JSON or CSV); may be repeated.
    #[arg(long)]
    data: Vec<PathBuf>,
    /// Number of chains.
    #[arg(long, default_value_t = 4)]
    chains: usize,
    /// The id (1-based, CmdStan's `id`) of this run's first chain: with
    /// `--chains 1 --chain-id 3` this process runs chain 3 of a fit, the
    /// same draws and file (`PREFIX_3.csv`) as chain 3 of a 4-chain run with
    /// the same seed, so chains can run on several machines.
    #[arg(long, default_value_t = 1)]
    chain_id: usize,
    /// Warmup (adaptation) iterations per chain.
    #[arg(long, default_value_t = 1000)]
    warmup: usize,
    /// Draws per chain after warmup [default: 2000 with the default
    /// low-rank adaptation, whose draws cost a quarter to a third of
    /// Stan's gradients each but are more correlated, 1000 (CmdStan's)
    /// with `--adapt stan` or `nutpie`].
    #[arg(long)]
    draws: Option<usize>,
    /// Random seed: with the chain number it fixes every draw, whatever the thread count.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Target acceptance rate of step-size adaptation (0 < delta < 1)
    /// [default: 0.85 with the low-rank adaptation, 0.8 (CmdStan's)
    /// otherwise].
    #[arg(long, allow_negative_numbers = true)]
    adapt_delta: Option<f64>,
    /// Maximum tree depth (1 to 30).
    #[arg(long, default_value_t = 10)]
    max_depth: u32,
    /// Metric (mass matrix) to adapt.
    #[arg(long, value_enum, default_value_t = Metric::Diag)]
    metric: Metric,
    /// Warmup adaptation: `low-rank` (the default with the diagonal
    /// metric): nutpie's schedule, a diagonal metric from the draws' and
    /// gradients' variances modified in a few directions estimated from
    /// them (correlated pairs), 2-37x fewer gradients per effective draw
    /// than Stan's on the examples (BENCHMARKS.md); `stan`: Stan's windowed
    /// adaptation (the default, and the only choice, with --metric dense);
    /// `nutpie`: nutpie's gradient-based diagonal metric alone.
    #[arg(long, value_enum)]
    adapt: Option<Adapt>,
    /// Multiply each transition's step size by a uniform factor in
    /// (1 - jitter, 1 + jitter), as CmdStan's stepsize_jitter [default:
    /// 0.15 with the low-rank adaptation, 0 (CmdStan's) otherwise].
    #[arg(long, allow_negative_numbers = true)]
    step_size_jitter: Option<f64>,
    /// Keep every `thin`-th draw (CmdStan's `thin`): the files and the
    /// summary hold `draws / thin` draws per chain (rounded up).
    #[arg(long, default_value_t = 1)]
    thin: usize,
    /// Significant digits of the values in the CSV files (CmdStan's
    /// `sig_figs`, 1 to 18) [default: as many as round-trip each value,
    /// written `sig_figs = 17`]; fewer make smaller files, whose
    /// summaries (`hbmc summary`, cmdstanpy) see the rounded values.
    #[arg(long)]
    sig_figs: Option<u8>,
    /// Also write the warmup draws, first in each CSV file, as CmdStan's
    /// save_warmup=1 (summaries still use post-warmup draws only).
    #[arg(long)]
    save_warmup: bool,
    /// Worker threads (default: the machine's cores).
    #[arg(long, default_value_t = 0)]
    threads: usize,
    /// Threads per chain for the gradient of a large likelihood (at least
    /// about 10,000 observations): its loop is cut into chunks fixed by the
    /// data and summed in a fixed order, so the draws are the same for
    /// every value. Each chain keeps `N - 1` extra threads.
    #[arg(long, default_value_t = 1)]
    threads_per_chain: usize,
    /// Output prefix: writes PREFIX_1.csv ... and PREFIX_dims.json.
    #[arg(long)]
    output: Option<PathBuf>,
    /// Initial points drawn uniformly in (-radius, radius) on the unconstrained scale [default: 2].
    #[arg(long, allow_negative_numbers = true)]
    init_radius: Option<f64>,
    /// Initial values: a JSON file of values on the constrained scale (as
    /// CmdStan reads inits; parameters it does not name start at random),
    /// or, as CmdStan's `init=`, a number: `0` starts every chain at 0 on
    /// the unconstrained scale, `x > 0` is `--init-radius x` (a file named
    /// like a number: write `./0`).
    #[arg(long, allow_negative_numbers = true)]
    init: Option<PathBuf>,
    #[command(flatten)]
    view: SummaryView,
    /// Delete chain files under the output prefix that this run would not
    /// rewrite and that are not chains of this fit (an earlier run's),
    /// instead of refusing to run.
    #[arg(long)]
    overwrite: bool,
    /// No progress bars.
    #[arg(long)]
    quiet: bool,
    /// Sample from the prior: drop the likelihood (every `~` on data and
    /// every `target +=` that reads data), so that generated quantities
    /// such as `y_rep` are prior predictive draws.
    #[arg(long)]
    prior: bool,
}

#[derive(Clone, Copy, ValueEnum)]
enum Metric {
    Diag,
    Dense,
}

/// The warmup adaptation named on the command line (`--adapt`).
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Adapt {
    Nutpie,
    LowRank,
    Stan,
}

impl Adapt {
    /// The runtime's method; the diagonal metric's default is low-rank.
    pub(crate) fn method(adapt: Option<Adapt>) -> AdaptMethod {
        match adapt {
            Some(Adapt::Stan) => AdaptMethod::Stan,
            Some(Adapt::Nutpie) => AdaptMethod::Nutpie,
            Some(Adapt::LowRank) | None => AdaptMethod::LowRank,
        }
    }
}

/// The most memory a run keeps its draws in for the summary (the summary's
/// own chunk of columns, `FitSummarySettings::chunk_bytes`); larger fits
/// are summarised from their files.
const KEPT_DRAWS_MAX_BYTES: usize = 256 << 20;

/// Runs `hbmc run`.
pub fn run(args: RunArgs) -> i32 {
    if args.threads_per_chain == 0 {
        eprintln!("error: --threads-per-chain must be at least 1 (1: the chain's own thread only)");
        return EXIT_USAGE;
    }
    if args.chains == 0 || args.chain_id == 0 {
        eprintln!("error: --chains and --chain-id must be at least 1 (chain ids are 1-based, as CmdStan's `id`)");
        return EXIT_USAGE;
    }
    let adapt_method = match (args.adapt, args.metric) {
        (Some(Adapt::Nutpie | Adapt::LowRank), Metric::Dense) => {
            eprintln!(
                "error: --adapt nutpie and --adapt low-rank estimate a diagonal-based metric only; with --metric dense \
                 use --adapt stan (the default)"
            );
            return EXIT_USAGE;
        }
        (Some(Adapt::Stan), _) | (None, Metric::Dense) => AdaptMethod::Stan,
        (adapt, Metric::Diag) => Adapt::method(adapt),
    };
    // The low-rank adaptation's defaults, chosen together over 6 seeds of
    // every README example (BENCHMARKS.md, "Issue 11.2: low-rank as the
    // default"): its draws are cheaper but more correlated than Stan's, so
    // twice the draws keep R-hat and the effective draws at least Stan's,
    // still for far fewer gradients; at adapt_delta 0.8 its larger steps
    // diverged now and then on the Mundlak logits (7 of 16 seeds), at 0.85
    // never (16 and 10 seeds); the jitter is CmdStan's option.
    let low_rank = adapt_method == AdaptMethod::LowRank;
    let draws = args.draws.unwrap_or(if low_rank { 2000 } else { 1000 });
    let jitter = args.step_size_jitter.unwrap_or(if low_rank { 0.15 } else { 0.0 });
    let adapt_delta = args.adapt_delta.unwrap_or(if low_rank { 0.85 } else { 0.8 });
    if !(adapt_delta > 0.0 && adapt_delta < 1.0) {
        eprintln!("error: --adapt-delta must be between 0 and 1 (exclusive), got {adapt_delta}");
        return EXIT_USAGE;
    }
    if draws == 0 {
        eprintln!("error: --draws must be at least 1");
        return EXIT_USAGE;
    }
    if args.thin == 0 {
        eprintln!("error: --thin must be at least 1 (1 keeps every draw)");
        return EXIT_USAGE;
    }
    if let Some(p) = args.sig_figs.filter(|p| !(1..=18).contains(p)) {
        eprintln!("error: --sig-figs must be in 1..=18 (CmdStan's range), got {p}");
        return EXIT_USAGE;
    }
    if !(0.0..1.0).contains(&jitter) {
        eprintln!("error: --step-size-jitter must be in [0, 1), got {jitter}");
        return EXIT_USAGE;
    }
    if !(1..=30).contains(&args.max_depth) {
        eprintln!("error: --max-depth must be in 1..=30 (CmdStan's range), got {}", args.max_depth);
        return EXIT_USAGE;
    }
    let init_file = match init_radius_or_file(&args) {
        Ok(init) => init,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_USAGE;
        }
    };
    let args = RunArgs { init_radius: Some(init_file.radius), init: init_file.file, ..args };
    let prior = args.prior;
    let model = match load_model_as(&args.model, &args.data, Engine::Jit, |m, _, _| {
        let m = hbmc::model::Model { transformed_data_seed: args.seed, ..m };
        if !prior {
            return Ok((m, Vec::new()));
        }
        let (program, removed) = hbmc::simulate::prior_program(&m.program);
        eprintln!("--prior: sampling the prior, without the {removed} likelihood statement(s) of the model block (and of `_lp` functions called in transformed parameters)");
        Ok((hbmc::model::Model { program, ..m }, Vec::new()))
    }) {
        Ok(m) => m,
        Err(code) => return code,
    };
    let stem = args.model.file_stem().map_or("model".into(), |s| s.to_string_lossy().into_owned());
    let prefix = args.output.clone().unwrap_or_else(|| PathBuf::from("output").join(&stem));
    if let Some(dir) = prefix.parent().filter(|d| !d.as_os_str().is_empty()) {
        if let Err(e) = std::fs::create_dir_all(dir) {
            eprintln!("error: cannot create the output directory `{}`: {e}", dir.display());
            return EXIT_USAGE;
        }
    }
    if model.dim() == 0 {
        eprintln!("the model has no parameters: running Stan's fixed_param sampler (generated quantities drawn per iteration, no warmup)");
    } else {
        report_gradient_time(&model);
    }
    if args.threads_per_chain > 1 && !model.has_chunked_loops() {
        eprintln!(
            "note: --threads-per-chain {} has no effect: no likelihood loop of this model is large enough to share \
             (docs/design.md, \"Threads within a chain\")",
            args.threads_per_chain
        );
    }
    let stop = Arc::new(AtomicBool::new(false));
    {
        let stop = stop.clone();
        // A second Ctrl-C while files are being finished is ignored; the
        // handler only raises the flag the chains poll.
        let _ = ctrlc::set_handler(move || stop.store(true, Ordering::SeqCst));
    }
    let init = match &args.init {
        None => Init::Random { radius: args.radius() },
        Some(path) => match user_inits(&model, path, &args) {
            Ok(points) => Init::Points(points),
            Err(e) => {
                eprintln!("error: {e}");
                return EXIT_USAGE;
            }
        },
    };
    let settings = SamplerSettings {
        chains: args.chains,
        chain_id: args.chain_id,
        warmup: args.warmup,
        draws,
        seed: args.seed,
        adapt_delta,
        max_depth: args.max_depth,
        metric: match args.metric {
            Metric::Diag => MetricKind::Diag,
            Metric::Dense => MetricKind::Dense,
        },
        threads: args.threads,
        init,
        save_warmup: args.save_warmup,
        thin: args.thin,
        step_size_jitter: jitter,
        adapt: AdaptSettings { method: adapt_method, ..Default::default() },
        ..Default::default()
    };
    let mut csv = CsvOptions::new(&prefix, &stem);
    csv.sig_figs = args.sig_figs;
    csv.data_file = args.data.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(",");
    // One run, one set of files: no other run's chains left under the prefix.
    let claimed = fit_fingerprint(&args.model, &args.data, args.prior, adapt_method.name()).and_then(|lines| {
        csv.extra_comments = lines;
        let planned = PlannedRun { settings: &settings, csv: &csv, output_names: model.output_names(), fixed_param: model.dim() == 0 };
        claim_prefix(&prefix, &planned, args.overwrite)
    });
    let identity = match claimed {
        Ok(identity) => identity,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_USAGE;
        }
    };
    let dims = match write_dims(&model, &prefix) {
        Ok(json) => fit_dims_from_json(&json),
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_USAGE;
        }
    };
    // Bad --vars patterns are found before sampling, not after.
    let columns: Vec<String> = SAMPLER_COLUMNS.iter().map(|c| c.to_string()).chain(model.output_names().iter().cloned()).collect();
    if let Err(e) = args.view.selection().and_then(|s| s.check(&columns, &dims)) {
        eprintln!("error: {e}");
        return EXIT_USAGE;
    }
    // The run's record: which files make up its part of the fit.
    let first = args.chain_id - 1;
    let chain_files: Vec<(usize, PathBuf)> = (first..first + args.chains).map(|c| (c + 1, csv.path_for_chain(c))).collect();
    let record_file = record_path(&prefix, first + 1, first + args.chains);
    let mut record = FitRecord::new(&args.model, &args.data, identity, &chain_files);
    if let Err(e) = record.write(&record_file) {
        eprintln!("error: {e}");
        return EXIT_USAGE;
    }
    // Draws stream to the files. A small fit's draws are also kept, for
    // the summary: re-reading the files just written made the summary a
    // fifth of the run's wall time. The files' numbers read back exactly (shortest
    // round-trip form), so both give the same summary.
    let kept_bytes = (args.chains * draws).saturating_mul(columns.len() * std::mem::size_of::<f64>());
    let keep_draws = csv.sig_figs.is_none() && kept_bytes <= KEPT_DRAWS_MAX_BYTES;
    let output = OutputOptions { csv: Some(csv), keep_draws };
    let show_progress = !args.quiet && std::io::stderr().is_terminal();
    let bars = Bars::new(args.chain_id.saturating_sub(1), args.chains, args.warmup + draws, show_progress);
    let make = |chain: usize| ChainModel::new(&model, args.seed, chain, args.threads_per_chain);
    let result = sample(make, &settings, &output, &bars, &stop);
    bars.finish();
    let mut run = match result {
        Ok(r) => r,
        Err(e) => {
            // No chain was written: the record would list files that are not there.
            let _ = std::fs::remove_file(&record_file);
            eprintln!("error: sampling could not start: {e}");
            return EXIT_DIAGNOSTICS;
        }
    };
    for chain in &run.chains {
        if let hbmc_runtime::ChainStatus::Failed(m) = &chain.status {
            eprintln!("error: chain {} failed: {m}", chain.chain + 1);
        }
        for r in &chain.warmup_restarts {
            eprintln!("note: chain {}: {r}", chain.chain + 1);
        }
        if let Some(entry) = record.chains.iter_mut().find(|c| c.id == chain.chain + 1) {
            entry.state = match chain.status {
                hbmc_runtime::ChainStatus::Completed => ChainState::Complete,
                hbmc_runtime::ChainStatus::Interrupted => ChainState::Partial,
                hbmc_runtime::ChainStatus::Failed(_) => ChainState::Failed,
            };
            entry.draws = Some(chain.draws_done);
        }
    }
    if let Err(e) = record.write(&record_file) {
        eprintln!("error: {e}");
        return EXIT_USAGE;
    }
    let files: Vec<PathBuf> = run.chains.iter().filter_map(|c| c.csv_path.clone()).collect();
    let request = SummaryRequest {
        dims: &dims,
        view: &args.view,
        sig_figs: 3,
        threads: args.threads,
        diagnostics: Some(SamplerDiagnostics::from_run(&run, adapt_delta, args.max_depth)),
        destination: Destination::Stdout,
        allow_mixed: false,
    };
    // The summary reads the files back, as CmdStan's stansummary does,
    // unless every chain is complete and its draws were kept.
    let complete = run.chains.iter().all(|c| c.status == hbmc_runtime::ChainStatus::Completed && c.draws_done == draws);
    let held: Option<Vec<Vec<Vec<f64>>>> = if complete && files.len() == run.chains.len() {
        run.chains.iter_mut().map(|c| c.draws.take()).collect()
    } else {
        None
    };
    let summary = match held {
        Some(chains) => {
            let mut draws = Draws { column_names: run.column_names.clone(), chains };
            summarize_draws(&mut draws, &files, &request)
        }
        None => summarize_files(&files, &request),
    };
    match summary {
        Ok(warnings) => {
            for w in warnings {
                eprintln!("warning: {w}");
            }
        }
        Err(e) => {
            eprintln!("error: cannot summarise the draws: {e}");
            return EXIT_DIAGNOSTICS;
        }
    }
    let files: Vec<String> = files.iter().map(|p| p.display().to_string()).collect();
    if run.interrupted {
        eprintln!("interrupted: the draws so far are in {} (partial files, marked as such)", files.join(", "));
        return 130;
    }
    let warmup_grads: u64 = run.chains.iter().map(|c| c.warmup_gradient_evals).sum();
    let total_grads = run.total_gradient_evals();
    eprintln!(
        "gradient evaluations: {total_grads} ({warmup_grads} warmup + {} sampling), {} adaptation",
        total_grads - warmup_grads,
        adapt_method.name()
    );
    eprintln!(
        "draws written to {}; dims in {}; the run's record in {}",
        files.join(", "),
        dims_path(&prefix).display(),
        record_file.display()
    );
    if run.chains.iter().any(|c| matches!(c.status, hbmc_runtime::ChainStatus::Failed(_))) {
        return EXIT_DIAGNOSTICS;
    }
    0
}

/// Where the chains start: `--init-radius`, or `--init` as a file or, as
/// CmdStan's `init=`, a number (the radius; 0 puts every chain at the
/// unconstrained origin).
struct InitChoice {
    radius: f64,
    file: Option<PathBuf>,
}

impl RunArgs {
    /// The radius of random initial points: `--init-radius`, or CmdStan's 2.
    fn radius(&self) -> f64 {
        self.init_radius.unwrap_or(2.0)
    }
}

fn init_radius_or_file(args: &RunArgs) -> Result<InitChoice, String> {
    let number = args.init.as_ref().and_then(|p| p.to_str()).and_then(|s| s.trim().parse::<f64>().ok());
    let radius = match (number, args.init_radius) {
        (Some(r), Some(given)) => return Err(format!("--init {r} and --init-radius {given} both give the initial radius: give one")),
        (Some(r), None) => r,
        (None, _) => args.radius(),
    };
    if !(radius >= 0.0 && radius.is_finite()) {
        let what = "a finite number >= 0 (the radius of the initial points on the unconstrained scale)";
        return Err(match number {
            Some(_) => format!("--init must be {what} or a JSON file of initial values, got {radius}"),
            None => format!("--init-radius must be {what}, got {radius}"),
        });
    }
    Ok(InitChoice { radius, file: if number.is_some() { None } else { args.init.clone() } })
}

/// One unconstrained starting point per chain from a JSON file of
/// constrained initial values (missing parameters drawn per chain).
fn user_inits(model: &BoundModel, path: &Path, args: &RunArgs) -> Result<Vec<Vec<f64>>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read the initial values `{}`: {e}", path.display()))?;
    let json: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("the initial values `{}` are not valid JSON: {e}", path.display()))?;
    let mut eval = model.evaluator();
    (0..args.chains)
        .map(|local| {
            let chain = args.chain_id.saturating_sub(1) + local;
            let mut rng = hbmc_stdlib::ChainRng::new(args.seed ^ 0x1417, chain as u64);
            let base: Vec<f64> = (0..model.dim()).map(|_| (2.0 * rand::Rng::random::<f64>(&mut rng) - 1.0) * args.radius()).collect();
            eval.unconstrain_json(&json, &base, &mut rng)
                .map_err(|e| format!("initial values in `{}`: {}", path.display(), e.message))
        })
        .collect()
}

/// Prints the time of one gradient evaluation, as CmdStan does before sampling.
fn report_gradient_time(model: &BoundModel) {
    let mut eval = model.evaluator();
    let x = vec![0.0; model.dim()];
    let mut g = vec![0.0; model.dim()];
    let reps = 100;
    let t = std::time::Instant::now();
    for _ in 0..reps {
        let _ = eval.log_density_gradient(&x, &mut g);
    }
    let secs = t.elapsed().as_secs_f64() / reps as f64;
    eprintln!("Gradient evaluation took {secs:.3e} seconds");
    eprintln!("1000 transitions using 10 leapfrog steps per transition would take {:.3} seconds.", secs * 1e4);
}

/// `PREFIX_dims.json`.
pub(super) fn dims_path(prefix: &Path) -> PathBuf {
    let mut s = prefix.as_os_str().to_owned();
    s.push("_dims.json");
    PathBuf::from(s)
}

/// Writes `PREFIX_dims.json` (atomically): each dim's size and labels,
/// and the dims of each output variable, so that tools can label the
/// draws; returns what it wrote.
pub(super) fn write_dims(model: &BoundModel, prefix: &Path) -> Result<serde_json::Value, String> {
    let data = model.data();
    let mut dims = serde_json::Map::new();
    for (d, size) in data.dim_sizes.iter().enumerate() {
        let name = model_dim_name(model, d);
        let labels = data.dim_labels(d).map(<[String]>::to_vec).unwrap_or_else(|| (1..=*size).map(|i| i.to_string()).collect());
        dims.insert(name, serde_json::json!(labels));
    }
    let json = serde_json::json!({ "dims": dims, "variables": model.output_dims() });
    let path = dims_path(prefix);
    write_atomically(&path, serde_json::to_string_pretty(&json).unwrap_or_default().as_bytes())
        .map_err(|e| format!("cannot write `{}`: {e}", path.display()))?;
    Ok(json)
}

fn model_dim_name(model: &BoundModel, d: usize) -> String {
    model.dim_names().get(d).cloned().unwrap_or_else(|| format!("dim{d}"))
}

/// One chain's model: its own evaluator and generated-quantities RNG.
struct ChainModel {
    eval: Evaluator,
    rng: hbmc_stdlib::ChainRng,
    names: Vec<String>,
    dim: usize,
}

impl ChainModel {
    fn new(model: &BoundModel, seed: u64, chain: usize, threads: usize) -> ChainModel {
        // Fewer threads change the speed only, never the draws.
        let eval = model.evaluator_with_threads(threads).unwrap_or_else(|e| {
            eprintln!("warning: {e}; chain {} evaluates its gradient on one thread (same draws)", chain + 1);
            model.evaluator()
        });
        ChainModel {
            eval,
            rng: hbmc_stdlib::ChainRng::new(seed, chain as u64),
            names: model.output_names().to_vec(),
            dim: model.dim(),
        }
    }
}

impl LogDensity for ChainModel {
    fn dim(&self) -> usize {
        self.dim
    }

    fn logp_grad(&mut self, position: &[f64], gradient: &mut [f64]) -> Result<f64, LogDensityError> {
        self.eval
            .log_density_gradient(position, gradient)
            .map_err(|e| LogDensityError { message: e.message, recoverable: true })
    }
}

impl OutputMap for ChainModel {
    fn column_names(&self) -> Vec<String> {
        self.names.clone()
    }

    fn write_columns(&mut self, position: &[f64], _rng: &mut ChainRng, out: &mut Vec<f64>) -> Result<(), LogDensityError> {
        // Generated quantities use the chain's own stdlib generator, seeded
        // from (seed, chain) like the sampler's.
        self.eval
            .write_draw(position, &mut self.rng, out)
            .map_err(|e| LogDensityError { message: e.message, recoverable: true })
    }
}

/// Progress bars per chain on a terminal.
struct Bars {
    /// The 0-based id of the run's first chain.
    first: usize,
    multi: Option<indicatif::MultiProgress>,
    bars: Vec<indicatif::ProgressBar>,
}

impl Bars {
    /// Bars for chains `first..first + chains` (0-based ids).
    fn new(first: usize, chains: usize, total: usize, show: bool) -> Bars {
        if !show {
            return Bars { first, multi: None, bars: Vec::new() };
        }
        let multi = indicatif::MultiProgress::new();
        let style = indicatif::ProgressStyle::with_template("chain {prefix} {bar:30} {pos:>5}/{len} {msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
        let bars = (0..chains)
            .map(|c| {
                let b = multi.add(indicatif::ProgressBar::new(total as u64));
                b.set_style(style.clone());
                b.set_prefix(format!("{}", first + c + 1));
                b
            })
            .collect();
        Bars { first, multi: Some(multi), bars }
    }

    fn finish(&self) {
        for b in &self.bars {
            b.finish();
        }
        if let Some(m) = &self.multi {
            let _ = m.clear();
        }
    }
}

impl Progress for Bars {
    fn update(&self, u: &ProgressUpdate) {
        if let Some(b) = u.chain.checked_sub(self.first).and_then(|i| self.bars.get(i)) {
            b.set_position(u.iteration as u64);
            let phase = match u.phase {
                hbmc_runtime::Phase::Warmup => "warmup",
                hbmc_runtime::Phase::Sampling => "sampling",
            };
            if u.divergences > 0 {
                b.set_message(format!("{phase}, {} divergent", u.divergences));
            } else {
                b.set_message(phase);
            }
        }
    }
}
