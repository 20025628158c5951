//! Reads chosen columns of CmdStan CSV files without holding the others.
//!
//! A summary needs every draw of a column at once, but the files are
//! written a draw per row. Reading them whole costs draws x columns of
//! memory (4.8 GB for a `log_lik` over 1,000,000 observations at 400
//! draws). Here a first pass only indexes the files (where each post-warmup
//! row starts), and then any set of columns is read on demand: each row is
//! entered where the previous read left it, so reading the columns chunk
//! by chunk, in order, parses every value once and skips the rest.

use super::reader::{config_pair, parse_num, saved_warmup_rows, ReadError};
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

/// One CmdStan CSV file, indexed: its configuration, columns and where
/// its post-warmup draws are.
#[derive(Clone, Debug, PartialEq)]
pub struct IndexedCsv {
    /// The file.
    pub path: PathBuf,
    /// Configuration `key = value` pairs of the leading comments, as
    /// [`super::StanCsv::config`].
    pub config: Vec<(String, String)>,
    /// Column names from the header line.
    pub column_names: Vec<String>,
    /// Whether the file says its run was interrupted (a partial file).
    pub interrupted: bool,
    /// Byte offset of each post-warmup draw row.
    rows: Vec<u64>,
}

impl IndexedCsv {
    /// Indexes the files at `paths` (see [`IndexedCsv::open`]), one thread
    /// per file: indexing parses every row's line end.
    pub fn open_all<P: AsRef<Path> + Sync>(paths: &[P]) -> Result<Vec<IndexedCsv>, ReadError> {
        std::thread::scope(|scope| {
            let handles: Vec<_> = paths.iter().map(|p| p.as_ref()).map(|p| scope.spawn(move || IndexedCsv::open(p))).collect();
            handles.into_iter().map(join_reader).collect::<Result<Vec<_>, _>>()
        })
    }

    /// Indexes the file at `path`: one pass that checks every row has one
    /// value per column, without parsing the values.
    pub fn open(path: impl AsRef<Path>) -> Result<IndexedCsv, ReadError> {
        let path = path.as_ref();
        let at = |line: Option<usize>, message: String| ReadError { path: Some(path.to_path_buf()), line, message };
        let file = File::open(path).map_err(|e| at(None, format!("cannot open: {e}")))?;
        let mut reader = BufReader::with_capacity(1 << 20, file);
        let mut out = IndexedCsv { path: path.to_path_buf(), config: Vec::new(), column_names: Vec::new(), interrupted: false, rows: Vec::new() };
        let mut header_seen = false;
        let mut warmup_end: Option<usize> = None;
        let mut line = Vec::new();
        let mut offset = 0u64;
        let mut lineno = 0;
        loop {
            line.clear();
            let read = reader.read_until(b'\n', &mut line).map_err(|e| at(Some(lineno + 1), format!("read error: {e}")))?;
            if read == 0 {
                break;
            }
            lineno += 1;
            let start = offset;
            offset += read as u64;
            let text = trim_line_end(&line);
            if text.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            if let Some(comment) = text.strip_prefix(b"#") {
                let comment = String::from_utf8_lossy(comment);
                let comment = comment.trim();
                if !header_seen {
                    out.config.extend(config_pair(comment));
                } else if comment == "Adaptation terminated" {
                    warmup_end = Some(out.rows.len());
                } else if comment.to_ascii_lowercase().contains("interrupted") {
                    out.interrupted = true;
                }
                continue;
            }
            if !header_seen {
                let header = std::str::from_utf8(text).map_err(|_| at(Some(lineno), "the column header is not UTF-8".into()))?;
                out.column_names = header.split(',').map(|s| s.trim().to_string()).collect();
                header_seen = true;
                continue;
            }
            let values = text.iter().filter(|&&b| b == b',').count() + 1;
            if values != out.column_names.len() {
                return Err(at(Some(lineno), format!("{values} values, expected {}", out.column_names.len())));
            }
            out.rows.push(start);
        }
        if !header_seen {
            return Err(at(None, "no column header found".into()));
        }
        let warmup = warmup_end.unwrap_or_else(|| saved_warmup_rows(&out.config)).min(out.rows.len());
        out.rows.drain(..warmup);
        Ok(out)
    }

    /// Number of post-warmup draws.
    pub fn num_draws(&self) -> usize {
        self.rows.len()
    }

    /// The first configuration value for `key` (e.g. `"delta"`).
    pub fn config_value(&self, key: &str) -> Option<&str> {
        self.config.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }
}

fn trim_line_end(line: &[u8]) -> &[u8] {
    let mut end = line.len();
    while end > 0 && matches!(line[end - 1], b'\n' | b'\r') {
        end -= 1;
    }
    &line[..end]
}

/// Where a row was left by the last read: the byte offset from the row's
/// start of the first value not yet read, and that value's column.
#[derive(Clone, Copy, Debug, Default)]
struct RowCursor {
    byte: u64,
    column: usize,
}

/// The chains of one fit as indexed files, read a few columns at a time.
#[derive(Debug)]
pub struct FitColumns {
    files: Vec<IndexedCsv>,
    cursors: Vec<Vec<RowCursor>>,
}

impl FitColumns {
    /// Indexes `paths` (one file per chain); all must have the same columns.
    pub fn open<P: AsRef<Path> + Sync>(paths: &[P]) -> Result<FitColumns, ReadError> {
        let files = IndexedCsv::open_all(paths)?;
        if let Some(first) = files.first() {
            for f in &files[1..] {
                if f.column_names != first.column_names {
                    return Err(ReadError {
                        path: Some(f.path.clone()),
                        line: None,
                        message: format!("its columns differ from those of `{}`: not chains of one fit", first.path.display()),
                    });
                }
            }
        }
        Ok(FitColumns::from_files(files))
    }

    /// From files indexed already (see [`FitColumns::open`] for the checks).
    pub fn from_files(files: Vec<IndexedCsv>) -> FitColumns {
        let cursors = files.iter().map(|f| vec![RowCursor::default(); f.rows.len()]).collect();
        FitColumns { files, cursors }
    }

    /// The files, one per chain.
    pub fn files(&self) -> &[IndexedCsv] {
        &self.files
    }

    /// The files' column names (empty without files).
    pub fn column_names(&self) -> &[String] {
        self.files.first().map_or(&[], |f| &f.column_names)
    }

    /// Post-warmup draws of each chain.
    pub fn draws_per_chain(&self) -> Vec<usize> {
        self.files.iter().map(IndexedCsv::num_draws).collect()
    }

    /// Reads the draws of `columns` (ascending indices) into `out`, column
    /// after column and, within a column, chain after chain:
    /// `out[k * total + first_draw_of_chain + d]` for the `k`-th column,
    /// `total` being the draws of all chains. Reading columns in ascending
    /// chunks parses each row once overall.
    pub fn read_columns(&mut self, columns: &[usize], out: &mut Vec<f64>) -> Result<(), ReadError> {
        let total: usize = self.files.iter().map(IndexedCsv::num_draws).sum();
        out.clear();
        out.resize(columns.len() * total, f64::NAN);
        if columns.windows(2).any(|w| w[0] >= w[1]) || columns.last().is_some_and(|&c| c >= self.column_names().len()) {
            return Err(ReadError { path: None, line: None, message: "columns must be ascending and exist".into() });
        }
        // Each chain's file fills its own part of every column, so the
        // files are read on one thread each (after sampling this read is
        // the run's only serial phase).
        let mut parts: Vec<Vec<&mut [f64]>> = self.files.iter().map(|_| Vec::with_capacity(columns.len())).collect();
        for column in out.chunks_mut(total.max(1)) {
            let mut rest = column;
            for (file, part) in self.files.iter().zip(parts.iter_mut()) {
                let (chain, tail) = rest.split_at_mut(file.num_draws());
                part.push(chain);
                rest = tail;
            }
        }
        std::thread::scope(|scope| {
            let handles: Vec<_> = self
                .files
                .iter()
                .zip(self.cursors.iter_mut())
                .zip(parts)
                .map(|((file, cursors), mut part)| scope.spawn(move || read_file_columns(file, cursors, columns, &mut part)))
                .collect();
            handles.into_iter().map(join_reader).collect::<Result<Vec<()>, _>>()
        })?;
        Ok(())
    }
}

/// The result of a reading thread; a panic in it (a bug) is re-raised.
fn join_reader<T>(handle: std::thread::ScopedJoinHandle<'_, Result<T, ReadError>>) -> Result<T, ReadError> {
    handle.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

/// [`FitColumns::read_columns`] for one file: `out[k][draw]` for the
/// `k`-th of `columns`.
fn read_file_columns(
    file: &IndexedCsv,
    cursors: &mut [RowCursor],
    columns: &[usize],
    out: &mut [&mut [f64]],
) -> Result<(), ReadError> {
    let Some(&first_column) = columns.first() else { return Ok(()) };
    let fail = |draw: usize, message: String| ReadError {
        path: Some(file.path.clone()),
        line: None,
        message: format!("draw {}: {message}", draw + 1),
    };
    let handle = File::open(&file.path).map_err(|e| fail(0, format!("cannot open: {e}")))?;
    let mut reader = BufReader::with_capacity(1 << 16, handle);
    let mut position = 0u64;
    let mut field = Vec::new();
    for (draw, (&row, cursor)) in file.rows.iter().zip(cursors.iter_mut()).enumerate() {
        if cursor.column > first_column {
            *cursor = RowCursor::default();
        }
        let target = row + cursor.byte;
        // Within the buffer this moves in it; beyond, it seeks the file.
        reader.seek_relative(target as i64 - position as i64).map_err(|e| fail(draw, format!("cannot seek: {e}")))?;
        position = target;
        for (k, &column) in columns.iter().enumerate() {
            while cursor.column < column {
                position += next_field(&mut reader, None).map_err(|e| fail(draw, format!("read error: {e}")))?;
                cursor.column += 1;
            }
            field.clear();
            position += next_field(&mut reader, Some(&mut field)).map_err(|e| fail(draw, format!("read error: {e}")))?;
            cursor.column += 1;
            let text = std::str::from_utf8(&field).unwrap_or("").trim();
            out[k][draw] = parse_num(text).ok_or_else(|| {
                fail(draw, format!("column `{}`: not a number: {:?}", file.column_names[column], String::from_utf8_lossy(&field).trim()))
            })?;
        }
        cursor.byte = position - row;
    }
    Ok(())
}

/// Consumes one value and its terminator (`,`, the end of the line or of
/// the file), copying the value into `into` if given; returns the bytes
/// consumed.
fn next_field<R: BufRead>(reader: &mut R, mut into: Option<&mut Vec<u8>>) -> std::io::Result<u64> {
    let mut consumed = 0u64;
    loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            return Ok(consumed);
        }
        match buf.iter().position(|&b| b == b',' || b == b'\n') {
            Some(i) => {
                if let Some(v) = into.as_deref_mut() {
                    v.extend_from_slice(&buf[..i]);
                }
                reader.consume(i + 1);
                return Ok(consumed + i as u64 + 1);
            }
            None => {
                let n = buf.len();
                if let Some(v) = into.as_deref_mut() {
                    v.extend_from_slice(buf);
                }
                reader.consume(n);
                consumed += n as u64;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::parse_cmdstan_csv;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, text).expect("write");
        p
    }

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("hbmc-columns-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("dir");
        dir
    }

    const FILE: &str = "# num_warmup = 2\n# save_warmup = 1\nlp__,a,b.1,b.2\n9,9,9,9\n8,8,8,8\n\
                        # Adaptation terminated\n# Step size = 1\n# Diagonal elements of inverse mass matrix:\n# 1, 1\n\
                        -1,0.5,1,2\r\n-2,nan,3,4\n-3,1e3, 5 ,6\n# \n#  Elapsed Time: 1 seconds (Warm-up)\n";

    #[test]
    fn columns_read_in_any_order_are_those_of_the_whole_file_reader() {
        let dir = scratch("order");
        let one = write(&dir, "f_1.csv", FILE);
        let two = write(&dir, "f_2.csv", &FILE.replace("-3,1e3, 5 ,6", "-3,7,8,9"));
        let whole: Vec<_> = [&one, &two].iter().map(|p| parse_cmdstan_csv(std::fs::read_to_string(p).expect("read").as_bytes()).expect("parse")).collect();
        let mut fit = FitColumns::open(&[&one, &two]).expect("index");
        assert_eq!(fit.draws_per_chain(), vec![3, 3]);
        let mut out = Vec::new();
        // Ascending chunks, then a column before the cursors (which restart the rows).
        for chunk in [vec![0, 2], vec![3], vec![1], vec![0, 1, 2, 3]] {
            fit.read_columns(&chunk, &mut out).expect("read");
            for (k, &c) in chunk.iter().enumerate() {
                let expect: Vec<f64> = whole.iter().flat_map(|f| f.draws[c].clone()).collect();
                let got = &out[k * 6..(k + 1) * 6];
                let same = expect.iter().zip(got).all(|(a, b)| a == b || (a.is_nan() && b.is_nan()));
                assert!(same, "column {c}: {got:?} vs {expect:?}");
            }
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn bad_rows_and_mixed_files_are_errors_naming_them() {
        let dir = scratch("bad");
        let short = write(&dir, "short.csv", "a,b\n1,2\n3\n");
        let e = IndexedCsv::open(&short).expect_err("short row");
        assert_eq!((e.line, e.message.as_str()), (Some(3), "1 values, expected 2"));
        let word = write(&dir, "word.csv", "a,b\n1,x\n");
        let mut fit = FitColumns::open(&[&word]).expect("index");
        let e = fit.read_columns(&[1], &mut Vec::new()).expect_err("not a number");
        assert!(e.to_string().contains("draw 1: column `b`: not a number: \"x\""), "{e}");
        let other = write(&dir, "other.csv", "a,c\n1,2\n");
        let e = FitColumns::open(&[&word, &other]).expect_err("columns differ");
        assert!(e.to_string().starts_with(&format!("{}: its columns differ", other.display())), "{e}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
