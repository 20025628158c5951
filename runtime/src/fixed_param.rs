//! One chain of Stan's `fixed_param` sampler, run for a model with no
//! parameters: every iteration keeps the (empty) point and draws the output
//! columns (generated quantities) anew.
//!
//! The file follows CmdStan 2.33 for `algorithm = fixed_param`
//! (`services/sample/fixed_param.hpp`): the configuration block says
//! `algorithm = fixed_param` in place of the `hmc` subtree; the sampler
//! columns are only `lp__,accept_stat__`, both written as 0; there are no
//! warmup iterations (the `num_warmup` line still shows the setting) and no
//! adaptation block; the timing block gives 0 seconds of warm-up.

use crate::chain::failed_result;
use crate::density::{LogDensity, OutputMap};
use crate::output::cmdstan_csv::{header_lines, CsvChainWriter};
use crate::rng::{ChainRng, STREAM_OUTPUT};
use crate::sampler::{ChainResult, ChainStatus, OutputOptions, Phase, Progress, ProgressUpdate, SamplerSettings};
use std::fs::File;
use std::io::BufWriter;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

/// The sampler columns of a `fixed_param` file, in order.
pub const FIXED_PARAM_COLUMNS: [&str; 2] = ["lp__", "accept_stat__"];

/// The configuration comment lines of a `fixed_param` run: those of NUTS
/// with the `hmc` subtree replaced by `algorithm = fixed_param`.
pub fn fixed_param_header_lines(
    settings: &SamplerSettings,
    csv: &crate::CsvOptions,
    chain: usize,
    path: &std::path::Path,
) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_hmc = false;
    for line in header_lines(settings, csv, chain, path) {
        if line.trim_start().starts_with("algorithm = ") {
            out.push("    algorithm = fixed_param".to_string());
            in_hmc = true;
            continue;
        }
        // The hmc subtree is indented deeper than `algorithm`; it ends at
        // the next line at the depth of `algorithm` or above.
        if in_hmc && line.starts_with("      ") {
            continue;
        }
        in_hmc = false;
        out.push(line);
    }
    out
}

/// Runs chain `chain` of a model whose [`LogDensity::dim`] is 0. Returns
/// its result and the column names (sampler columns first).
pub(crate) fn run_fixed_param_chain<M: LogDensity + OutputMap>(
    model: &mut M,
    chain: usize,
    settings: &SamplerSettings,
    output: &OutputOptions,
    progress: &dyn Progress,
    stop: &AtomicBool,
) -> (ChainResult, Vec<String>) {
    let mut result = failed_result(chain, String::new());
    let model_columns = model.column_names();
    let mut columns: Vec<String> = FIXED_PARAM_COLUMNS.iter().map(|s| s.to_string()).collect();
    columns.extend(model_columns.iter().cloned());
    let total = settings.draws;
    let report = |iteration: usize, finished: bool| {
        progress.update(&ProgressUpdate {
            chain,
            iteration,
            total,
            phase: Phase::Sampling,
            divergences: 0,
            finished,
        });
    };
    let mut writer = None;
    if let Some(opts) = &output.csv {
        let path = opts.path_for_chain(chain);
        match File::create(&path) {
            Ok(f) => {
                let mut w = CsvChainWriter::new(BufWriter::new(f), opts.sig_figs, opts.flush_every);
                let cfg = fixed_param_header_lines(settings, opts, chain, &path);
                if let Err(e) = w.write_header(&cfg, &opts.extra_comments, &columns) {
                    result.status = ChainStatus::Failed(format!("writing the CSV file failed: {e}"));
                    report(0, true);
                    return (result, columns);
                }
                writer = Some(w);
                result.csv_path = Some(path);
            }
            Err(e) => {
                result.status = ChainStatus::Failed(format!("cannot create {}: {e}", path.display()));
                report(0, true);
                return (result, columns);
            }
        }
    }
    let mut out_rng = ChainRng::new(settings.seed, chain as u64, STREAM_OUTPUT);
    let mut kept: Vec<Vec<f64>> = vec![Vec::new(); columns.len()];
    let mut row = Vec::with_capacity(columns.len());
    let mut gq = Vec::with_capacity(model_columns.len());
    let refresh = settings.refresh.max(1);
    let start = Instant::now();
    let mut interrupted_at = None;
    let mut failure = None;
    for i in 0..settings.draws {
        if stop.load(Ordering::Relaxed) {
            interrupted_at = Some(i);
            break;
        }
        gq.clear();
        row.clear();
        row.extend_from_slice(&[0.0, 0.0]);
        match model.write_columns(&[], &mut out_rng, &mut gq) {
            Ok(()) if gq.len() == model_columns.len() => row.extend_from_slice(&gq),
            Ok(()) => {
                failure = Some(format!(
                    "the model wrote {} output values but declared {} columns",
                    gq.len(),
                    model_columns.len()
                ));
                break;
            }
            Err(e) if e.recoverable => {
                row.extend(std::iter::repeat_n(f64::NAN, model_columns.len()));
                result.notes.push(format!("the model rejected a draw: {}", e.message));
            }
            Err(e) => {
                failure = Some(e.message);
                break;
            }
        }
        result.draws_done += 1;
        if i % settings.thin.max(1) == 0 {
            if let Some(w) = writer.as_mut() {
                if let Err(e) = w.write_draw(&row) {
                    failure = Some(format!("writing the CSV file failed: {e}"));
                    break;
                }
            }
            if output.keep_draws {
                for (col, v) in kept.iter_mut().zip(&row) {
                    col.push(*v);
                }
            }
        }
        if (i + 1) % refresh == 0 {
            report(i + 1, false);
        }
    }
    result.sampling_seconds = start.elapsed().as_secs_f64();
    result.warmup_seconds = 0.0;
    result.mean_accept_stat = 0.0;
    // Recoverable messages can repeat every draw: keep the first only.
    result.notes.truncate(1);
    let end = match (&failure, interrupted_at) {
        (Some(m), _) => {
            if let Some(w) = writer.as_mut() {
                let _ = w.write_comment(&format!("Sampling failed: {m}"));
            }
            ChainStatus::Failed(m.clone())
        }
        (None, Some(done)) => {
            if let Some(w) = writer.as_mut() {
                let _ = w.write_comment(&format!(
                    "Sampling interrupted after {done} of {total} iterations: this file is partial"
                ));
            }
            ChainStatus::Interrupted
        }
        (None, None) => match writer.as_mut().map(|w| w.write_timing(0.0, result.sampling_seconds)) {
            Some(Err(e)) => ChainStatus::Failed(format!("writing the CSV file failed: {e}")),
            _ => ChainStatus::Completed,
        },
    };
    result.status = end;
    if output.keep_draws {
        result.draws = Some(kept);
    }
    report(interrupted_at.unwrap_or(total), true);
    (result, columns)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::density::LogDensityError;
    use crate::sampler::NoProgress;
    use rand::Rng;

    /// No parameters; one output column drawn uniformly on (0, 1).
    struct Uniform;

    impl LogDensity for Uniform {
        fn dim(&self) -> usize {
            0
        }
        fn logp_grad(&mut self, _: &[f64], _: &mut [f64]) -> Result<f64, LogDensityError> {
            Ok(0.0)
        }
    }

    impl OutputMap for Uniform {
        fn column_names(&self) -> Vec<String> {
            vec!["u".to_string()]
        }
        fn write_columns(&mut self, q: &[f64], rng: &mut ChainRng, out: &mut Vec<f64>) -> Result<(), LogDensityError> {
            assert!(q.is_empty());
            out.push(rng.random::<f64>());
            Ok(())
        }
    }

    #[test]
    fn header_has_fixed_param_and_no_hmc_subtree() {
        let s = SamplerSettings::default();
        let o = crate::CsvOptions::new("x", "m");
        let lines = fixed_param_header_lines(&s, &o, 0, std::path::Path::new("x_1.csv"));
        assert!(lines.iter().any(|l| l == "    algorithm = fixed_param"), "{lines:#?}");
        for gone in ["hmc", "engine", "nuts", "max_depth", "metric", "stepsize"] {
            assert!(!lines.iter().any(|l| l.trim_start().starts_with(gone)), "{gone}: {lines:#?}");
        }
        // The lines after the subtree are kept.
        assert!(lines.iter().any(|l| l.starts_with("    num_chains = ")), "{lines:#?}");
        assert!(lines.iter().any(|l| l.starts_with("id = ")), "{lines:#?}");
    }

    #[test]
    fn every_iteration_draws_anew_with_zero_lp() {
        let s = SamplerSettings { chains: 1, draws: 200, seed: 3, ..Default::default() };
        let out = OutputOptions::memory();
        let (r, cols) = run_fixed_param_chain(&mut Uniform, 0, &s, &out, &NoProgress, &AtomicBool::new(false));
        assert_eq!(cols, vec!["lp__", "accept_stat__", "u"]);
        assert_eq!(r.status, ChainStatus::Completed);
        let d = r.draws.expect("kept draws");
        assert_eq!(d[2].len(), 200);
        assert!(d[0].iter().chain(&d[1]).all(|v| *v == 0.0));
        let mean = d[2].iter().sum::<f64>() / 200.0;
        assert!((mean - 0.5).abs() < 0.1, "{mean}");
        let distinct: std::collections::HashSet<u64> = d[2].iter().map(|v| v.to_bits()).collect();
        assert_eq!(distinct.len(), 200);
    }
}
