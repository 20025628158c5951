//! Reads CmdStan-format CSV files (hbmc's or CmdStan's own): configuration
//! comments, column header, warmup draws (if saved), the adaptation block
//! (step size and inverse metric), the draws, and the timing block.

use crate::nuts::hamiltonian::InvMetric;
use std::fmt;
use std::io::BufRead;
use std::path::{Path, PathBuf};

/// A problem reading a CSV file.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadError {
    /// File, if known.
    pub path: Option<PathBuf>,
    /// 1-based line number, if the problem is on a line.
    pub line: Option<usize>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(p) = &self.path {
            write!(f, "{}", p.display())?;
            if let Some(l) = self.line {
                write!(f, ":{l}")?;
            }
            write!(f, ": ")?;
        } else if let Some(l) = self.line {
            write!(f, "line {l}: ")?;
        }
        write!(f, "{}", self.message)
    }
}

impl std::error::Error for ReadError {}

/// The contents of one CmdStan CSV file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StanCsv {
    /// Configuration `key = value` pairs from the leading comments, in order,
    /// with any `(Default)` mark removed. Keys repeat (e.g. `file`).
    pub config: Vec<(String, String)>,
    /// Comment lines before the header that are not `key = value` pairs.
    pub other_comments: Vec<String>,
    /// Column names from the header line.
    pub column_names: Vec<String>,
    /// Warmup draws (present when the file saved them), column-major:
    /// `warmup[column][draw]`.
    pub warmup: Vec<Vec<f64>>,
    /// Post-warmup draws, column-major: `draws[column][draw]`.
    pub draws: Vec<Vec<f64>>,
    /// Adapted step size, if the adaptation block is present.
    pub step_size: Option<f64>,
    /// Adapted inverse metric, if present.
    pub inv_metric: Option<InvMetric>,
    /// `(warmup, sampling)` seconds from the timing block, if present.
    pub timing: Option<(f64, f64)>,
    /// Whether the file says the run was interrupted (a partial file).
    pub interrupted: bool,
}

impl StanCsv {
    /// The first configuration value for `key` (e.g. `"seed"`, `"id"`).
    pub fn config_value(&self, key: &str) -> Option<&str> {
        self.config.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// Number of post-warmup draws.
    pub fn num_draws(&self) -> usize {
        self.draws.first().map_or(0, |c| c.len())
    }

    /// Index of the column called `name`.
    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.column_names.iter().position(|c| c == name)
    }
}

/// Reads the file at `path`.
pub fn read_cmdstan_csv(path: impl AsRef<Path>) -> Result<StanCsv, ReadError> {
    let path = path.as_ref();
    let file = std::fs::File::open(path).map_err(|e| ReadError {
        path: Some(path.to_path_buf()),
        line: None,
        message: format!("cannot open: {e}"),
    })?;
    parse_cmdstan_csv(std::io::BufReader::new(file)).map_err(|mut e| {
        e.path = Some(path.to_path_buf());
        e
    })
}

/// Reads the configuration comments and the column header of the file at
/// `path`, not its draws.
pub fn read_csv_header(path: impl AsRef<Path>) -> Result<(Vec<(String, String)>, Vec<String>), ReadError> {
    let path = path.as_ref();
    let at = |line: Option<usize>, message: String| ReadError { path: Some(path.to_path_buf()), line, message };
    let file = std::fs::File::open(path).map_err(|e| at(None, format!("cannot open: {e}")))?;
    let mut config = Vec::new();
    for (i, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line.map_err(|e| at(Some(i + 1), format!("read error: {e}")))?;
        let line = line.trim_end_matches('\r');
        if let Some(comment) = line.strip_prefix('#') {
            config.extend(config_pair(comment.trim()));
        } else if !line.trim().is_empty() {
            return Ok((config, line.split(',').map(|s| s.trim().to_string()).collect()));
        }
    }
    Err(at(None, "no column header found".into()))
}

/// Parses CmdStan CSV text from a reader.
pub fn parse_cmdstan_csv<R: BufRead>(reader: R) -> Result<StanCsv, ReadError> {
    #[derive(PartialEq)]
    enum Expect {
        None,
        StepSize,
        MetricHeader,
        DiagRow,
        DenseRows,
    }
    let mut out = StanCsv::default();
    let mut header_seen = false;
    let mut rows: Vec<Vec<f64>> = Vec::new(); // column-major rows since last boundary
    let mut expect = Expect::None;
    let mut dense_rows: Vec<Vec<f64>> = Vec::new();
    let mut timing_warm: Option<f64> = None;
    let err = |line: usize, message: String| ReadError { path: None, line: Some(line), message };

    for (i, line) in reader.lines().enumerate() {
        let lineno = i + 1;
        let line = line.map_err(|e| err(lineno, format!("read error: {e}")))?;
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        if let Some(rest) = line.strip_prefix('#') {
            let text = rest.trim();
            if !header_seen {
                if let Some(pair) = config_pair(text) {
                    out.config.push(pair);
                } else if !text.is_empty() {
                    out.other_comments.push(text.to_string());
                }
                continue;
            }
            // Comments after the header.
            if expect == Expect::DenseRows {
                if let Some(row) = parse_number_list(text) {
                    if !row.is_empty() {
                        let n = row.len();
                        dense_rows.push(row);
                        if dense_rows.len() == n {
                            let values: Vec<f64> = dense_rows.drain(..).flatten().collect();
                            out.inv_metric = Some(InvMetric::Dense { dim: n, values });
                            expect = Expect::None;
                        }
                        continue;
                    }
                }
                expect = Expect::None;
            }
            if text == "Adaptation terminated" {
                // Rows so far were warmup draws.
                out.warmup = std::mem::replace(&mut rows, vec![Vec::new(); out.column_names.len()]);
                expect = Expect::StepSize;
            } else if expect == Expect::StepSize && text.starts_with("Step size") {
                let v = text.split_once('=').map(|(_, v)| v.trim()).unwrap_or("");
                out.step_size = Some(v.parse().map_err(|_| err(lineno, format!("bad step size {v:?}")))?);
                expect = Expect::MetricHeader;
            } else if expect == Expect::MetricHeader && text.starts_with("Diagonal elements of inverse mass matrix") {
                expect = Expect::DiagRow;
            } else if expect == Expect::MetricHeader && text.starts_with("Elements of inverse mass matrix") {
                expect = Expect::DenseRows;
            } else if expect == Expect::DiagRow {
                let row = parse_number_list(text).ok_or_else(|| err(lineno, "bad inverse metric".to_string()))?;
                out.inv_metric = Some(InvMetric::Diag(row));
                expect = Expect::None;
            } else if let Some(t) = text.strip_prefix("Elapsed Time:") {
                timing_warm = first_number(t);
            } else if text.ends_with("seconds (Sampling)") {
                if let (Some(w), Some(s)) = (timing_warm, first_number(text)) {
                    out.timing = Some((w, s));
                }
            } else if text.to_ascii_lowercase().contains("interrupted") {
                out.interrupted = true;
            }
            continue;
        }
        if !header_seen {
            out.column_names = line.split(',').map(|s| s.trim().to_string()).collect();
            header_seen = true;
            rows = vec![Vec::new(); out.column_names.len()];
            continue;
        }
        // A draw.
        let mut n = 0;
        for (j, field) in line.split(',').enumerate() {
            if j >= rows.len() {
                return Err(err(lineno, format!("more than {} values", rows.len())));
            }
            let v = parse_num(field.trim())
                .ok_or_else(|| err(lineno, format!("not a number: {:?}", field.trim())))?;
            rows[j].push(v);
            n += 1;
        }
        if n != rows.len() {
            return Err(err(lineno, format!("{n} values, expected {}", rows.len())));
        }
    }
    if !header_seen {
        return Err(ReadError { path: None, line: None, message: "no column header found".to_string() });
    }
    if out.warmup.is_empty() {
        // No adaptation block: warmup rows, if saved, are the first
        // ceil(num_warmup / thin) rows (a run without adaptation, or one
        // interrupted during warmup).
        let n_warm = saved_warmup_rows(&out.config);
        out.warmup = rows
            .iter_mut()
            .map(|col| {
                let rest = col.split_off(n_warm.min(col.len()));
                std::mem::replace(col, rest)
            })
            .collect();
    }
    out.draws = rows;
    Ok(out)
}

/// A configuration comment's `key = value` pair (the text after `#`,
/// trimmed), without CmdStan's `(Default)` mark.
pub fn config_pair(text: &str) -> Option<(String, String)> {
    let (k, v) = text.split_once('=')?;
    let v = v.trim();
    let v = v.strip_suffix("(Default)").unwrap_or(v).trim();
    Some((k.trim().to_string(), v.to_string()))
}

/// How many leading rows are warmup draws in a file without an adaptation
/// block (a run without adaptation, or one interrupted during warmup): the
/// first `ceil(num_warmup / thin)` when the header says `save_warmup = 1`.
pub(crate) fn saved_warmup_rows(config: &[(String, String)]) -> usize {
    let value = |key: &str| config.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str());
    let num: usize = value("num_warmup").and_then(|v| v.parse().ok()).unwrap_or(0);
    let thin: usize = value("thin").and_then(|v| v.parse().ok()).unwrap_or(1).max(1);
    if value("save_warmup") == Some("1") {
        num.div_ceil(thin)
    } else {
        0
    }
}

/// A number as CmdStan writes it (also `nan`, `inf`, `-inf`, `NA`).
pub(crate) fn parse_num(s: &str) -> Option<f64> {
    match s {
        "nan" | "NaN" | "-nan" | "NA" => Some(f64::NAN),
        "inf" | "+inf" | "Inf" => Some(f64::INFINITY),
        "-inf" | "-Inf" => Some(f64::NEG_INFINITY),
        _ => s.parse().ok(),
    }
}

fn parse_number_list(text: &str) -> Option<Vec<f64>> {
    text.split(',').map(|f| parse_num(f.trim())).collect()
}

fn first_number(text: &str) -> Option<f64> {
    text.split_whitespace().find_map(parse_num)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_dense_metric_and_warmup() {
        let text = "# model = m\n#   seed = 4 (Default)\nlp__,a\n1,2\n# Adaptation terminated\n\
                    # Step size = 0.5\n# Elements of inverse mass matrix:\n# 1, 0.5\n# 0.5, 2\n3,4\n5,nan\n\
                    # \n#  Elapsed Time: 0.1 seconds (Warm-up)\n#                0.2 seconds (Sampling)\n";
        let csv = parse_cmdstan_csv(text.as_bytes()).expect("valid");
        assert_eq!(csv.config_value("seed"), Some("4"));
        assert_eq!(csv.warmup, vec![vec![1.0], vec![2.0]]);
        assert_eq!(csv.draws[0], vec![3.0, 5.0]);
        assert!(csv.draws[1][1].is_nan());
        assert_eq!(csv.step_size, Some(0.5));
        assert_eq!(csv.inv_metric, Some(InvMetric::Dense { dim: 2, values: vec![1.0, 0.5, 0.5, 2.0] }));
        assert_eq!(csv.timing, Some((0.1, 0.2)));
        assert!(parse_cmdstan_csv("a,b\n1\n".as_bytes()).is_err());
        assert!(parse_cmdstan_csv("a,b\n1,x\n".as_bytes()).is_err());
    }

    #[test]
    fn saved_warmup_without_adaptation_block_is_counted_from_the_header() {
        // engaged = 0: no adaptation block; 5 warmup iterations thinned by 2
        // are 3 rows, then the draws.
        let text = "#     num_warmup = 5\n#     save_warmup = 1\n#     thin = 2\nlp__,a\n\
                    1,1\n2,2\n3,3\n4,4\n5,5\n";
        let csv = parse_cmdstan_csv(text.as_bytes()).expect("valid");
        assert_eq!(csv.warmup[1], vec![1.0, 2.0, 3.0]);
        assert_eq!(csv.draws[1], vec![4.0, 5.0]);
        // Without save_warmup every row is a draw.
        let csv = parse_cmdstan_csv(text.replace("save_warmup = 1", "save_warmup = 0").as_bytes()).expect("valid");
        assert_eq!(csv.num_draws(), 5);
        assert!(csv.warmup[0].is_empty());
    }
}
