//! # hbmc-runtime
//!
//! Samples any log density with the No-U-Turn sampler as Stan runs it, and
//! writes, reads and summarises CmdStan-compatible draws. It knows nothing of
//! the hbm language: a model is anything implementing [`LogDensity`]
//! (unconstrained log density with gradient) and [`OutputMap`] (unconstrained
//! point to output columns: constrained parameters, transformed parameters,
//! generated quantities).
//!
//! ```no_run
//! use hbmc_runtime::*;
//! use std::sync::atomic::AtomicBool;
//!
//! // A standard normal in 2 dimensions.
//! let make_model = |_chain: usize| {
//!     PlainModel::new(
//!         FnDensity::new(2, |x: &[f64], g: &mut [f64]| {
//!             g[0] = -x[0];
//!             g[1] = -x[1];
//!             Ok(-0.5 * (x[0] * x[0] + x[1] * x[1]))
//!         }),
//!         "x",
//!     )
//! };
//! let settings = SamplerSettings { seed: 42, ..Default::default() };
//! let output = OutputOptions { csv: Some(CsvOptions::new("out/normal", "normal")), keep_draws: true };
//! let run = sample(make_model, &settings, &output, &NoProgress, &AtomicBool::new(false)).unwrap();
//! let summary = summarize(&run.draws(), &SummaryOptions::default());
//! print!("{}", summary.to_table(3));
//! for w in sampler_warnings(&SamplerDiagnostics::from_run(&run, 0.8, 10))
//!     .into_iter()
//!     .chain(convergence_warnings(&summary))
//! {
//!     eprintln!("warning: {w}");
//! }
//! ```
//!
//! ## Modules
//! - [`density`]: the model traits and small adapters.
//! - [`rng`]: [`ChainRng`], xoshiro256++ seeded from `(seed, chain, stream)`.
//! - [`nuts`]: Hamiltonian dynamics and one NUTS transition.
//! - [`adapt`]: dual averaging, metric estimation, the windowed schedule.
//! - [`init`]: initial points.
//! - `chain` (private): one chain from start to end.
//! - [`fixed_param`]: one chain of a model without parameters (Stan's
//!   `fixed_param` sampler).
//! - [`sampler`]: settings, threads, progress, results, [`sample`].
//! - [`output`]: CmdStan CSV writer and reader.
//! - [`draws`]: draws in memory.
//! - [`diagnostics`]: R-hat, ESS, MCSE, E-BFMI, warnings.
//! - [`summary`]: summary table.
//! - [`loo`](mod@loo): PSIS-LOO and model comparison.
//!
//! ## Reproducibility
//! A chain's draws depend only on the seed, the chain number and the
//! settings: not on the number of threads, nor on the version of `rand`.

#![warn(missing_docs)]

pub mod adapt;
mod chain;
pub mod density;
pub mod diagnostics;
pub mod draws;
pub mod fixed_param;
pub mod init;
pub mod loo;
pub mod nuts;
pub mod output;
pub mod rng;
pub mod sampler;
pub mod summary;

pub use density::{FnDensity, LogDensity, LogDensityError, OutputMap, PlainModel};
pub use diagnostics::{
    convergence_warnings, ebfmi, ess_bulk, ess_tail, mcse_mean, rhat, sampler_warnings, variable_warnings, SamplerDiagnostics,
};
pub use draws::{read_csv_files, Draws};
pub use init::Init;
pub use loo::{compare, compare_table, loo, CompareRow, LogLik, Loo, LooError, LooOptions};
pub use nuts::hamiltonian::{InvMetric, MetricKind};
pub use nuts::tree::TransitionStats;
pub use output::{format_value, parse_cmdstan_csv, FitColumns, IndexedCsv, read_cmdstan_csv, CsvOptions, ReadError, StanCsv, SAMPLER_COLUMNS};
pub use rng::ChainRng;
pub use sampler::{
    sample, AdaptMethod, AdaptSettings, ChainResult, ChainStatus, NoProgress, OutputOptions, Phase, Progress, ProgressUpdate,
    RunError, RunResult, SamplerSettings,
};
pub use summary::{summarize, summarize_fit, Digest, FitDims, FitSummarySettings, Layout, Selection, Summary, SummaryOptions, SummaryRow, TableFormat};
