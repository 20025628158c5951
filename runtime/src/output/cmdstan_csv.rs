//! Writes one CmdStan-compatible CSV file per chain.
//!
//! Layout, as CmdStan 2.33 writes it (`services/util/mcmc_writer.hpp`):
//! 1. configuration comments (`# model = ...`, `# method = sample (Default)`,
//!    the indented argument tree, `# id = ...`, `# random`, `#   seed = ...`,
//!    `# output`, ...), values equal to CmdStan's defaults marked
//!    `(Default)`; cmdstanpy and ArviZ read these;
//! 2. any extra comment lines the caller gives (e.g. dims and labels);
//! 3. the column header, `lp__,accept_stat__,stepsize__,treedepth__,
//!    n_leapfrog__,divergent__,energy__,` then the model's columns;
//! 4. warmup draws if `save_warmup`;
//! 5. after warmup with adaptation, the adaptation block: `# Adaptation
//!    terminated`, `# Step size = ...`, `# Diagonal elements of inverse mass
//!    matrix:` (or `# Elements of inverse mass matrix:` and one line per row)
//!    and `# v1, v2, ...`;
//! 6. the draws, streamed through a buffered writer;
//! 7. the timing block: `# `, `#  Elapsed Time: X seconds (Warm-up)`,
//!    `#                Y seconds (Sampling)`, `#                Z seconds
//!    (Total)`, `# ` — or, when the run was interrupted, a comment line
//!    saying so;
//! 8. (not CmdStan's) `# Gradient evaluations: W (Warm-up), S (Sampling);
//!    adaptation: stan|nutpie|none`, written by the chain after a completed
//!    run.
//!
//! Numbers: by default every value is written with the shortest decimal
//! representation that reads back to the same `f64` (so draws, step size and
//! metric round-trip exactly); CmdStan's own default is 6 significant
//! digits, which `CsvOptions::sig_figs` reproduces. The header then says
//! `sig_figs = 17` (enough to round-trip) instead of CmdStan's `-1`. NaN and
//! infinities are written `nan`, `inf`, `-inf`. Timings use 6 significant
//! digits as CmdStan does.
//!
//! Deliberate departures from CmdStan's header: no `start_datetime` and no
//! `num_threads` line, and `output file` is the file name without its
//! directory, so that the same seed gives byte-identical files (apart from
//! the elapsed times) whatever the thread count and output directory;
//! `stanc_version` names hbmc. The `stan_version_*` lines name the CmdStan
//! release whose layout is followed (2.33), for readers that check them.

use crate::nuts::hamiltonian::InvMetric;
use crate::sampler::SamplerSettings;
use crate::Init;
use std::fmt::Write as _;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// The sampler-parameter columns CmdStan writes first, in order.
pub const SAMPLER_COLUMNS: [&str; 7] =
    ["lp__", "accept_stat__", "stepsize__", "treedepth__", "n_leapfrog__", "divergent__", "energy__"];

/// Where and how to write CSV files.
#[derive(Clone, Debug, PartialEq)]
pub struct CsvOptions {
    /// Files are `{prefix}_{chain}.csv`, chains numbered from 1 (as CmdStan
    /// names per-chain files). A trailing `.csv` on the prefix is dropped.
    pub path_prefix: PathBuf,
    /// Model name for the `# model = ` line.
    pub model_name: String,
    /// Data file for the `#   file = ` line under `# data` (may be empty).
    pub data_file: String,
    /// Significant digits; `None` writes the shortest round-trip form.
    pub sig_figs: Option<u8>,
    /// Extra comment lines (without the leading `# `) written after the
    /// configuration block, e.g. dims and coordinate labels.
    pub extra_comments: Vec<String>,
    /// Flush the file every this many draws (and always at the end).
    pub flush_every: usize,
}

impl CsvOptions {
    /// Options writing `{prefix}_{chain}.csv` for a model called `model_name`.
    pub fn new(path_prefix: impl Into<PathBuf>, model_name: impl Into<String>) -> Self {
        CsvOptions {
            path_prefix: path_prefix.into(),
            model_name: model_name.into(),
            data_file: String::new(),
            sig_figs: None,
            extra_comments: Vec::new(),
            flush_every: 100,
        }
    }

    /// The file of chain `chain` (0-based): `{prefix}_{chain+1}.csv`.
    pub fn path_for_chain(&self, chain: usize) -> PathBuf {
        let prefix = self.path_prefix.to_string_lossy();
        let prefix = prefix.strip_suffix(".csv").unwrap_or(&prefix);
        PathBuf::from(format!("{prefix}_{}.csv", chain + 1))
    }
}

/// Formats `x` as written in the CSV files (see the module docs).
pub fn format_value(x: f64, sig_figs: Option<u8>) -> String {
    let mut s = String::new();
    push_value(&mut s, x, sig_figs);
    s
}

/// Appends `x` formatted as in [`format_value`] to `out`.
pub fn push_value(out: &mut String, x: f64, sig_figs: Option<u8>) {
    if x.is_nan() {
        out.push_str("nan");
        return;
    }
    if x.is_infinite() {
        out.push_str(if x > 0.0 { "inf" } else { "-inf" });
        return;
    }
    match sig_figs {
        None => {
            // The shortest round-trip form. zmij (already in the tree as
            // serde_json's formatter) is ~6x faster than `{}`, which made
            // CSV writing an eighth of a run's CPU with `log_lik` columns.
            // It writes integers as `3.0`; CmdStan writes `3`.
            let mut buffer = zmij::Buffer::new();
            let text = buffer.format_finite(x);
            out.push_str(text.strip_suffix(".0").unwrap_or(text));
        }
        Some(p) => push_sig(out, x, p.max(1) as usize),
    }
}

/// `%g`-like formatting with `p` significant digits, trailing zeros removed
/// (C++ stream default formatting, as CmdStan uses).
fn push_sig(out: &mut String, x: f64, p: usize) {
    if x == 0.0 {
        out.push('0');
        return;
    }
    let sci = format!("{:.*e}", p - 1, x);
    let (mantissa, exp) = match sci.split_once('e') {
        Some((m, e)) => (m.to_string(), e.parse::<i32>().unwrap_or(0)),
        None => (sci.clone(), 0),
    };
    if exp < -4 || exp >= p as i32 {
        out.push_str(trim_zeros(&mantissa));
        let _ = write!(out, "e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs());
    } else {
        let decimals = (p as i32 - 1 - exp).max(0) as usize;
        let fixed = format!("{:.*}", decimals, x);
        out.push_str(trim_zeros(&fixed));
    }
}

fn trim_zeros(s: &str) -> &str {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
    }
}

/// Mark for values equal to CmdStan's defaults.
fn dflt(is_default: bool) -> &'static str {
    if is_default {
        " (Default)"
    } else {
        ""
    }
}

/// The configuration comment lines (without `# `) for chain `chain`.
pub fn header_lines(settings: &SamplerSettings, csv: &CsvOptions, chain: usize, path: &Path) -> Vec<String> {
    let s = settings;
    let a = &s.adapt;
    let mut l = Vec::new();
    let g = |x: f64| format_value(x, None);
    l.push("stan_version_major = 2".to_string());
    l.push("stan_version_minor = 33".to_string());
    l.push("stan_version_patch = 0".to_string());
    l.push(format!("model = {}", csv.model_name));
    l.push("method = sample (Default)".to_string());
    l.push("  sample".to_string());
    l.push(format!("    num_samples = {}{}", s.draws, dflt(s.draws == 1000)));
    l.push(format!("    num_warmup = {}{}", s.warmup, dflt(s.warmup == 1000)));
    l.push(format!("    save_warmup = {}{}", u8::from(s.save_warmup), dflt(!s.save_warmup)));
    l.push(format!("    thin = {}{}", s.thin, dflt(s.thin == 1)));
    l.push("    adapt".to_string());
    l.push(format!("      engaged = {}{}", u8::from(a.engaged), dflt(a.engaged)));
    l.push(format!("      gamma = {}{}", g(a.gamma), dflt(a.gamma == 0.05)));
    l.push(format!("      delta = {}{}", g(s.adapt_delta), dflt(s.adapt_delta == 0.8)));
    l.push(format!("      kappa = {}{}", g(a.kappa), dflt(a.kappa == 0.75)));
    l.push(format!("      t0 = {}{}", g(a.t0), dflt(a.t0 == 10.0)));
    l.push(format!("      init_buffer = {}{}", a.init_buffer, dflt(a.init_buffer == 75)));
    l.push(format!("      term_buffer = {}{}", a.term_buffer, dflt(a.term_buffer == 50)));
    l.push(format!("      window = {}{}", a.window, dflt(a.window == 25)));
    l.push("    algorithm = hmc (Default)".to_string());
    l.push("      hmc".to_string());
    l.push("        engine = nuts (Default)".to_string());
    l.push("          nuts".to_string());
    l.push(format!("            max_depth = {}{}", s.max_depth, dflt(s.max_depth == 10)));
    l.push(format!(
        "        metric = {}{}",
        s.metric.cmdstan_name(),
        dflt(s.metric == crate::MetricKind::Diag)
    ));
    l.push("        metric_file =  (Default)".to_string());
    l.push(format!("        stepsize = {}{}", g(s.step_size), dflt(s.step_size == 1.0)));
    l.push(format!("        stepsize_jitter = {}{}", g(s.step_size_jitter), dflt(s.step_size_jitter == 0.0)));
    // Each file holds one chain and says so, as a CmdStan run with
    // `num_chains=1 id=K` would: chain K's file is then the same bytes
    // whether its process ran all chains or only this one (`--chain-id`).
    l.push("    num_chains = 1 (Default)".to_string());
    l.push(format!("id = {}{}", chain + 1, dflt(chain == 0)));
    l.push("data".to_string());
    l.push(format!("  file = {}{}", csv.data_file, dflt(csv.data_file.is_empty())));
    match &s.init {
        Init::Random { radius } => l.push(format!("init = {}{}", g(*radius), dflt(*radius == 2.0))),
        Init::Points(_) => l.push("init = user".to_string()),
    }
    l.push("random".to_string());
    l.push(format!("  seed = {}", s.seed));
    l.push("output".to_string());
    // The file name only: the same run written to two directories gives
    // identical files.
    let file_name = path.file_name().map_or_else(|| path.display().to_string(), |f| f.to_string_lossy().into_owned());
    l.push(format!("  file = {file_name}"));
    l.push("  diagnostic_file =  (Default)".to_string());
    l.push(format!("  refresh = {}{}", s.refresh, dflt(s.refresh == 100)));
    match csv.sig_figs {
        None => l.push("  sig_figs = 17".to_string()),
        Some(p) => l.push(format!("  sig_figs = {p}")),
    }
    l.push("  profile_file = profile.csv (Default)".to_string());
    l.push(format!("stanc_version = hbmc {}", env!("CARGO_PKG_VERSION")));
    l.push("stancflags = ".to_string());
    l
}

/// Streams one chain's CSV file.
pub(crate) struct CsvChainWriter<W: Write> {
    w: W,
    sig_figs: Option<u8>,
    line: String,
    flush_every: usize,
    since_flush: usize,
}

impl<W: Write> CsvChainWriter<W> {
    pub(crate) fn new(w: W, sig_figs: Option<u8>, flush_every: usize) -> Self {
        CsvChainWriter { w, sig_figs, line: String::with_capacity(256), flush_every: flush_every.max(1), since_flush: 0 }
    }

    fn comment(&mut self, text: &str) -> io::Result<()> {
        writeln!(self.w, "# {text}")
    }

    /// Configuration comments, extra comments and the column header.
    pub(crate) fn write_header(&mut self, config: &[String], extra: &[String], columns: &[String]) -> io::Result<()> {
        for c in config.iter().chain(extra) {
            self.comment(c)?;
        }
        writeln!(self.w, "{}", columns.join(","))?;
        self.w.flush()
    }

    /// The adaptation block CmdStan writes after warmup.
    pub(crate) fn write_adaptation(&mut self, step_size: f64, metric: &InvMetric) -> io::Result<()> {
        self.comment("Adaptation terminated")?;
        self.comment(&format!("Step size = {}", format_value(step_size, self.sig_figs)))?;
        let join = |row: &[f64], sig: Option<u8>| {
            row.iter().map(|v| format_value(*v, sig)).collect::<Vec<_>>().join(", ")
        };
        match metric {
            InvMetric::Diag(d) => {
                self.comment("Diagonal elements of inverse mass matrix:")?;
                let row = join(d, self.sig_figs);
                self.comment(&row)?;
            }
            InvMetric::Dense { dim, values } => {
                self.comment("Elements of inverse mass matrix:")?;
                for i in 0..*dim {
                    let row = join(&values[i * dim..(i + 1) * dim], self.sig_figs);
                    self.comment(&row)?;
                }
            }
        }
        self.w.flush()
    }

    /// One draw (all columns).
    pub(crate) fn write_draw(&mut self, values: &[f64]) -> io::Result<()> {
        self.line.clear();
        // Finite values in the shortest form go straight through zmij, as
        // `push_value` writes them: without its call per value (zmij
        // inlined makes it a large function, with a large prologue) a
        // draw's instructions outside zmij fell by 28% (callgrind,
        // electric_intercept).
        let mut buffer = zmij::Buffer::new();
        for (i, v) in values.iter().enumerate() {
            if i > 0 {
                self.line.push(',');
            }
            if self.sig_figs.is_none() && v.is_finite() {
                let text = buffer.format_finite(*v);
                self.line.push_str(text.strip_suffix(".0").unwrap_or(text));
            } else {
                push_value(&mut self.line, *v, self.sig_figs);
            }
        }
        self.line.push('\n');
        self.w.write_all(self.line.as_bytes())?;
        self.since_flush += 1;
        if self.since_flush >= self.flush_every {
            self.since_flush = 0;
            self.w.flush()?;
        }
        Ok(())
    }

    /// CmdStan's timing block.
    pub(crate) fn write_timing(&mut self, warmup_seconds: f64, sampling_seconds: f64) -> io::Result<()> {
        let f = |x: f64| format_value(x, Some(6));
        self.comment("")?;
        self.comment(&format!(" Elapsed Time: {} seconds (Warm-up)", f(warmup_seconds)))?;
        self.comment(&format!("{}{} seconds (Sampling)", " ".repeat(15), f(sampling_seconds)))?;
        self.comment(&format!("{}{} seconds (Total)", " ".repeat(15), f(warmup_seconds + sampling_seconds)))?;
        self.comment("")?;
        self.w.flush()
    }

    /// A free comment line (interruption, failure).
    pub(crate) fn write_comment(&mut self, text: &str) -> io::Result<()> {
        self.comment(text)?;
        self.w.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_formatting() {
        assert_eq!(format_value(3.0, None), "3");
        assert_eq!(format_value(0.1, None), "0.1");
        assert_eq!(format_value(-1.5e-7, None), "-1.5e-7");
        assert_eq!(format_value(1e20, None), "1e+20");
        assert_eq!(format_value(-0.0, None), "-0");
        assert_eq!(format_value(123456.0, None), "123456");
        assert_eq!(format_value(f64::NAN, None), "nan");
        assert_eq!(format_value(f64::NEG_INFINITY, None), "-inf");
        for x in [0.1 + 0.2, -123.456_789_012_345_67, 1e-300, 6.02214076e23, 2.0f64.sqrt()] {
            assert_eq!(format_value(x, None).parse::<f64>().ok(), Some(x));
        }
        assert_eq!(format_value(0.123456789, Some(6)), "0.123457");
        assert_eq!(format_value(123456789.0, Some(6)), "1.23457e+08");
        assert_eq!(format_value(0.0000123456, Some(6)), "1.23456e-05");
        assert_eq!(format_value(2.5, Some(6)), "2.5");
        assert_eq!(format_value(100.0, Some(6)), "100");
    }

    #[test]
    fn a_draw_is_its_values_as_push_value_writes_them() {
        let values = [3.0, -0.0, 0.1 + 0.2, f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 1e20, -1.5e-7, 5e-324, 123456.0];
        for sig_figs in [None, Some(6)] {
            let mut w = CsvChainWriter::new(Vec::new(), sig_figs, 1);
            w.write_draw(&values).expect("write to memory");
            w.write_draw(&values[..1]).expect("write to memory");
            let expect: Vec<String> = values.iter().map(|&v| format_value(v, sig_figs)).collect();
            let text = String::from_utf8(w.w).expect("utf-8");
            assert_eq!(text, format!("{}\n{}\n", expect.join(","), expect[0]));
        }
    }

    #[test]
    fn chain_paths() {
        let o = CsvOptions::new("out/model.csv", "m");
        assert_eq!(o.path_for_chain(0), PathBuf::from("out/model_1.csv"));
        let o = CsvOptions::new("out/model", "m");
        assert_eq!(o.path_for_chain(3), PathBuf::from("out/model_4.csv"));
    }
}
