//! Stage 3: data read and validated against the typed program.
//!
//! [`read_source`] reads one data file (Stan/CmdStan JSON or CSV) into a
//! [`DataSource`]; [`bind_data`] matches the sources against the program's
//! `data` block, resolves every dim's size and labels, and validates every
//! value once, so that generated code may index without checks. The result,
//! [`BoundData`], stores values in Stan's memory layout (see [`value`]).
//! Transformed data are not bound here: they need the IR interpreter.
//!
//! All problems are collected in one pass; each names the variable, the data
//! source (as the user gave its name), what was expected and what was found,
//! points at the declaration in the model, and says what would be right.
//!
//! # Diagnostic codes
//! | code  | severity | meaning |
//! |-------|----------|---------|
//! | E4001 | error    | a data file cannot be read: JSON syntax (with line and column), malformed CSV (with line), duplicate CSV column |
//! | E4002 | error    | JSON data whose top level is not an object |
//! | E4003 | error    | a variable given by two sources (both named) |
//! | E4004 | error    | a JSON object (the top level or `"dims"`) with a member name given twice |
//! | E4010 | error    | a `data` variable that no source gives |
//! | E4011 | warning  | JSON members that the `data` block does not declare, ignored (as CmdStan ignores them) |
//! | E4012 | warning  | CSV columns that match no `data` variable (a leading unnamed column, R's row names, is ignored silently) |
//! | E4013 | error    | a CSV column whose variable is not declared over exactly one dim, or columns over different dims |
//! | E4020 | error    | wrong shape: nesting depth, length, ragged lists, explicit-shape count |
//! | E4021 | error    | wrong element type: a real or string where an int is expected, a string where a number is, a boolean, an object |
//! | E4022 | error    | a missing (empty, NA, null) value, a NaN or inf int, or an overflowing real |
//! | E4030 | error    | a value outside its `<lower=..., upper=...>` bounds |
//! | E4031 | error    | a dim member out of range (not in 1..=size) or not a label of its dim |
//! | E4032 | error    | a constrained type that does not hold (simplex, ordered, positive_ordered, unit_vector, cholesky factors, corr/cov matrices; tolerance 1e-8) |
//! | E4040 | error    | two sources disagree on a dim's size or labels (both named) |
//! | E4041 | error    | a dim that no source gives a size |
//! | E4042 | error    | a malformed `"dims"` object: unknown dim, bad value, duplicate label |
//! | E4050 | error    | a size or bound expression that cannot be evaluated from the data |
//! | E4051 | error    | a size that evaluates to a negative number (also reported when the model is lowered, for sizes of later blocks) |
//! | E4053 | error    | sizes whose product is past `lower::MAX_ELEMENTS` (reported when the model is lowered) |
//!
//! # Choices where the contract is silent
//! - Index variables: a JSON integer is a 1-based position, a JSON string is
//!   a label; a CSV field is a label, except that when the dim has a size
//!   but no labels (`"dims": {"pair": 96}`) it is read as a position.
//! - Labels taken from values (a dim with no labels and no size from the
//!   model or a `"dims"` object) are the distinct values of all its index
//!   variables given as labels, sorted numerically when all read as finite
//!   numbers, else lexicographically (see `dims.rs`).
//! - An empty list `[]` stands for any container whose outer length is 0;
//!   `{"shape": [...], "values": [...]}` gives any shape explicitly, values
//!   row-major (the order of nested lists).
//! - Ints must be written as JSON integers (`3`, not `3.0`); CSV fields are
//!   trimmed and may be quoted.

mod csv;
mod dims;
mod eval;
mod json;
mod json_fast;
mod raw;
mod rdump;
mod show;
mod validate;
pub mod value;

#[cfg(test)]
mod tests;

pub use eval::decl_shape;
pub(crate) use eval::{const_int_of_data, const_real_of_data};
pub use value::{BoundData, DataStorage, DataValue};

use crate::check::typed::{Size, TypedDecl, TypedProgram, VarId};
use crate::check::types::DimId;
use crate::diagnostics::{has_errors, Diagnostic};
use crate::syntax::ast::BlockKind;
use dims::{DimsObject, Given};
use raw::{FlatError, Raw};
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

/// The format of a data file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DataFormat {
    Json,
    Csv,
    /// CmdStan's R dump format (`name <- value`).
    RDump,
}

/// One data file, read but not yet matched against a program.
#[derive(Clone, Debug, PartialEq)]
pub struct DataSource {
    name: String,
    content: Content,
}

#[derive(Clone, Debug, PartialEq)]
enum Content {
    Json(json::JsonData),
    Csv(csv::CsvTable),
}

impl DataSource {
    /// The name the user gave the source (a file name), used in messages.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether it was read as JSON or CSV.
    pub fn format(&self) -> DataFormat {
        match &self.content {
            Content::Json(j) if j.r_dump => DataFormat::RDump,
            Content::Json(_) => DataFormat::Json,
            Content::Csv(_) => DataFormat::Csv,
        }
    }

    /// Removes the variables named (JSON members or CSV columns) and returns
    /// those it gave, in its own order: `hbmc simulate` draws a model's
    /// outcomes anew, so the values a complete data file gives for them are
    /// set aside (and said to be) rather than refused.
    pub fn remove_variables(&mut self, names: &[&str]) -> Vec<String> {
        match &mut self.content {
            Content::Json(j) => {
                let removed = j.vars.iter().filter(|(n, _)| names.contains(&n.as_str())).map(|(n, _)| n.clone()).collect();
                j.vars.retain(|(n, _)| !names.contains(&n.as_str()));
                removed
            }
            Content::Csv(t) => {
                let keep: Vec<bool> = t.header.iter().map(|h| !names.contains(&h.trim())).collect();
                let removed = t.header.iter().zip(&keep).filter(|(_, k)| !**k).map(|(h, _)| h.trim().to_string()).collect();
                let kept = |fields: &mut Vec<String>| {
                    let mut column = keep.iter();
                    // Every row has as many fields as the header (CsvTable's invariant).
                    fields.retain(|_| *column.next().unwrap_or(&true));
                };
                kept(&mut t.header);
                t.rows.iter_mut().for_each(kept);
                removed
            }
        }
    }

    /// The variables (JSON members other than `"dims"`, or CSV columns) it gives.
    pub fn variable_names(&self) -> Vec<&str> {
        match &self.content {
            Content::Json(j) => j.vars.iter().map(|(n, _)| n.as_str()).collect(),
            Content::Csv(t) => t
                .header
                .iter()
                .map(|h| h.trim())
                .filter(|h| !h.is_empty())
                .collect(),
        }
    }
}

/// Reads one data file. The format is decided by the extension (`.json`,
/// `.csv`, any case), else by the text: JSON if it starts with `{`.
pub fn read_source(name: &str, text: &str) -> Result<DataSource, Vec<Diagnostic>> {
    let lower = name.to_ascii_lowercase();
    let is_rdump = lower.ends_with(".r") || lower.ends_with(".rdump")
        || (!lower.ends_with(".json") && !lower.ends_with(".csv") && rdump::looks_like_rdump(text));
    let is_json = if lower.ends_with(".json") {
        true
    } else if lower.ends_with(".csv") {
        false
    } else {
        text.trim_start_matches('\u{feff}')
            .trim_start()
            .starts_with('{')
    };
    let content = if is_rdump {
        rdump::parse(text.trim_start_matches('\u{feff}')).map(Content::Json).map_err(|(code, msg)| {
            vec![Diagnostic::error(code, format!("{name}: {msg}")).with_help(
                "R dump data (CmdStan's, as rstan's `stan_rdump` writes it) is one `name <- value` per line: `N <- 3`, `y <- c(1.5, 2, 0.1)`, `M <- structure(c(1, 2, 3, 4), .Dim = c(2, 2))` (column-major)",
            )]
        })?
    } else if is_json {
        json::parse(text).map(Content::Json).map_err(|(code, msg)| {
            vec![Diagnostic::error(code, format!("{name} is not valid JSON data: {msg}")).with_help(
                "Stan JSON data is one object: `{\"N\": 3, \"y\": [1.5, 2, 0.1], \"dims\": {\"grade\": 4}}`",
            )]
        })?
    } else {
        csv::parse(text).map(Content::Csv).map_err(|e| {
            vec![Diagnostic::error("E4001", format!("{name} is not valid CSV: line {}: {}", e.line, e.message))
                .with_help("a CSV data file has a header row of column names, then one row per observation, comma-separated, fields optionally quoted with `\"`")]
        })?
    };
    Ok(DataSource {
        name: name.to_string(),
        content,
    })
}

/// A single value of R dump data for a declaration with `axes` axes: R
/// has no scalars, so `y <- 5` is also a container of one element
/// (nested `axes` deep), as `stan_rdump` writes such a vector.
fn one_element(raw: &Raw, axes: usize) -> Cow<'_, Raw> {
    if axes == 0 {
        return Cow::Borrowed(raw);
    }
    Cow::Owned((0..axes).fold(raw.clone(), |inner, _| Raw::List(vec![inner])))
}

/// One data variable as one source gives it.
struct Entry<'a> {
    source: usize,
    raw: Cow<'a, Raw>,
    csv_lines: Option<&'a [usize]>,
}

/// Matches the sources against the program's `data` block, resolves dims and
/// validates every value. Returns the bound data when there is no error
/// (warnings may come with it), and every diagnostic.
pub fn bind_data(
    program: &TypedProgram,
    sources: &[DataSource],
) -> (Option<BoundData>, Vec<Diagnostic>) {
    let (bound, mut diags) = bind_declared(program, sources);
    // Tuple elements (`pair:2`, `syntax::tuples`) named as the program writes them.
    let elements: Vec<String> = program.vars.iter().map(|v| v.name.clone()).filter(|n| n.contains(':')).collect();
    diags.iter_mut().for_each(|d| crate::syntax::tuples::show_element_names(d, &elements));
    (bound, diags)
}

fn bind_declared(
    program: &TypedProgram,
    sources: &[DataSource],
) -> (Option<BoundData>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let decls: Vec<&TypedDecl> = program.decls(BlockKind::Data).collect();
    let by_name: HashMap<&str, usize> = decls
        .iter()
        .enumerate()
        .map(|(i, d)| (program.var(d.var).name.as_str(), i))
        .collect();
    // Variables whose problem is already reported: no "missing" error for them.
    let mut reported: HashSet<VarId> = HashSet::new();
    let mut entries: Vec<Option<Entry>> = decls.iter().map(|_| None).collect();
    let mut dims_objects = Vec::new();

    for (si, src) in sources.iter().enumerate() {
        let mut found: Vec<(usize, Entry)> = Vec::new();
        match &src.content {
            Content::Json(j) => {
                let mut extra = Vec::new();
                for (name, raw) in &j.vars {
                    match by_name.get(name.as_str()) {
                        Some(&i) => found.push((
                            i,
                            Entry {
                                source: si,
                                raw: match (j.r_dump, raw) {
                                    (true, Raw::Int(_) | Raw::Real(_) | Raw::Null) => one_element(raw, decls[i].sizes.len()),
                                    _ => Cow::Borrowed(raw),
                                },
                                csv_lines: None,
                            },
                        )),
                        None => extra.push(name.as_str()),
                    }
                }
                if !extra.is_empty() {
                    diags.push(extra_variables(program, &decls, &src.name, &extra));
                }
                if let Some(members) = &j.dims {
                    dims_objects.push(DimsObject {
                        source: &src.name,
                        members,
                    });
                }
                if j.dims_not_object {
                    diags.push(
                        Diagnostic::error("E4042", format!("\"dims\" in {} is not an object", src.name))
                            .with_help("write it as `\"dims\": {\"grade\": [\"1\", \"2\"], \"pair\": 96}`: a size or labels per dim"),
                    );
                }
            }
            Content::Csv(table) => {
                csv_columns(
                    program,
                    &decls,
                    &by_name,
                    si,
                    &src.name,
                    table,
                    &mut found,
                    &mut reported,
                    &mut diags,
                );
            }
        }
        for (i, entry) in found {
            match &entries[i] {
                Some(prev) => {
                    let decl = decls[i];
                    let name = &program.var(decl.var).name;
                    diags.push(
                        Diagnostic::error(
                            "E4003",
                            format!(
                                "`{name}` is given twice: by {} and by {}",
                                sources[prev.source].name, src.name
                            ),
                        )
                        .with_label(
                            decl.span,
                            format!("declared here as `{}`", show::decl_type(program, decl)),
                        )
                        .with_help(format!("give `{name}` in one data source only")),
                    );
                    // The first source's value is still validated, so its
                    // own problems are reported in the same run.
                }
                None => entries[i] = Some(entry),
            }
        }
    }

    // Lay every given value out as a block; ragged lists end here.
    let mut given: Vec<Given> = Vec::new();
    let mut csv_lines: Vec<Option<&[usize]>> = Vec::new();
    let mut given_of: Vec<Option<usize>> = vec![None; decls.len()];
    for (i, entry) in entries.iter().enumerate() {
        let Some(entry) = entry else { continue };
        let decl = decls[i];
        if reported.contains(&decl.var) {
            continue;
        }
        let source = sources[entry.source].name.as_str();
        match raw::flatten(&entry.raw) {
            Ok(flat) => {
                given_of[i] = Some(given.len());
                given.push(Given { decl, source, flat });
                csv_lines.push(entry.csv_lines);
            }
            Err(e) => {
                diags.push(flat_error(program, decl, source, e));
                reported.insert(decl.var);
            }
        }
    }

    let res = dims::resolve(program, &dims_objects, &given, &mut diags);

    let mut values: Vec<Option<DataValue>> = vec![None; program.vars.len()];
    for (i, decl) in decls.iter().enumerate() {
        let var = decl.var;
        if reported.contains(&var) || res.conflicted.contains(&var) {
            continue;
        }
        let Some(g) = given_of[i] else {
            match validate::empty_when_missing(program, decl, &res, &values) {
                Some(empty) => {
                    if let Some(slot) = values.get_mut(var) {
                        *slot = Some(empty);
                    }
                }
                None => diags.push(missing_variable(program, decl, sources)),
            }
            continue;
        };
        let input = validate::Input {
            flat: &given[g].flat,
            source: given[g].source,
            csv_lines: csv_lines[g],
        };
        let value = validate::validate(program, decl, &input, &res, &values, &mut diags);
        if let Some(slot) = values.get_mut(var) {
            *slot = value;
        }
    }

    if has_errors(&diags) {
        return (None, diags);
    }
    let bound = BoundData {
        // No error means every dim has a size (E4041 otherwise).
        dim_sizes: res.sizes.iter().map(|s| s.unwrap_or(0)).collect(),
        dim_labels: res.labels,
        values,
        sources: sources.iter().map(|s| s.name.clone()).collect(),
    };
    (Some(bound), diags)
}

/// The dim a declaration runs over if it has exactly one axis, a dim.
fn one_dim(decl: &TypedDecl) -> Option<DimId> {
    match decl.sizes.as_slice() {
        [Size::Dim(d)] => Some(*d),
        _ => None,
    }
}

/// Matches a CSV file's columns to data variables over one common dim.
#[allow(clippy::too_many_arguments)]
fn csv_columns<'a>(
    program: &TypedProgram,
    decls: &[&TypedDecl],
    by_name: &HashMap<&str, usize>,
    si: usize,
    source: &str,
    table: &'a csv::CsvTable,
    found: &mut Vec<(usize, Entry<'a>)>,
    reported: &mut HashSet<VarId>,
    diags: &mut Vec<Diagnostic>,
) {
    let mut seen = HashSet::new();
    let mut extra = Vec::new();
    let mut table_dim: Option<(DimId, &str)> = None;
    for (j, col) in table.header.iter().enumerate() {
        let name = col.trim();
        if j == 0 && name.is_empty() {
            continue; // R's row names.
        }
        if !seen.insert(name) {
            diags.push(
                Diagnostic::error("E4001", format!("{source} has two columns named `{name}`"))
                    .with_help("give every column a distinct name"),
            );
            if let Some(&i) = by_name.get(name) {
                reported.insert(decls[i].var);
            }
            continue;
        }
        let Some(&i) = by_name.get(name) else {
            extra.push(if name.is_empty() {
                "\"\"".to_string()
            } else {
                format!("`{name}`")
            });
            continue;
        };
        let decl = decls[i];
        let declared = || format!("declared here as `{}`", show::decl_type(program, decl));
        let Some(d) = one_dim(decl) else {
            diags.push(
                Diagnostic::error(
                    "E4013",
                    format!(
                        "column `{name}` of {source} cannot fill `{name}`, declared `{}`: a CSV column fills a variable declared over one dim",
                        show::decl_type(program, decl)
                    ),
                )
                .with_label(decl.span, declared())
                .with_help(format!(
                    "declare it over the dim of the rows, e.g. `vector[obs] {name};` or `array[obs] int {name};`, or give it in a JSON file"
                )),
            );
            reported.insert(decl.var);
            continue;
        };
        match table_dim {
            Some((td, first)) if td != d => {
                let dim_name = |d: DimId| program.dims.get(d).name.clone();
                diags.push(
                    Diagnostic::error(
                        "E4013",
                        format!(
                            "the columns of {source} fill variables over different dims: `{first}` is over `{}` but `{name}` is over `{}`",
                            dim_name(td),
                            dim_name(d)
                        ),
                    )
                    .with_label(decl.span, declared())
                    .with_help("a CSV file has one row per member of one dim; give variables over other dims in another file"),
                );
                reported.insert(decl.var);
                continue;
            }
            Some(_) => {}
            None => table_dim = Some((d, name)),
        }
        let column = table
            .rows
            .iter()
            .map(|row| Raw::Field(row.get(j).map_or("", |f| f.trim()).to_string()))
            .collect();
        found.push((
            i,
            Entry {
                source: si,
                raw: Cow::Owned(Raw::List(column)),
                csv_lines: Some(&table.row_lines),
            },
        ));
    }
    if !extra.is_empty() {
        diags.push(
            Diagnostic::warning(
                "E4012",
                format!(
                    "{source} has {} that {} no data variable, ignored: {}",
                    if extra.len() == 1 {
                        "a column"
                    } else {
                        "columns"
                    },
                    if extra.len() == 1 { "matches" } else { "match" },
                    extra.join(", ")
                ),
            )
            .with_help("declare them in the `data` block to use them, or drop them from the file"),
        );
    }
}

/// E4011 (a warning): JSON members the data block does not declare are
/// ignored, as CmdStan, cmdstanpy and BridgeStan ignore them, because one
/// JSON file is routinely shared by the models of a study.
fn extra_variables(
    program: &TypedProgram,
    decls: &[&TypedDecl],
    source: &str,
    extra: &[&str],
) -> Diagnostic {
    let names: Vec<String> = extra.iter().map(|n| format!("`{n}`")).collect();
    let declared: Vec<String> = decls
        .iter()
        .map(|d| format!("`{}`", program.var(d.var).name))
        .collect();
    let mut diag = Diagnostic::warning(
        "E4011",
        format!(
            "{source} gives {} that the model's `data` block does not declare, ignored: {}",
            if extra.len() == 1 {
                "a variable"
            } else {
                "variables"
            },
            names.join(", ")
        ),
    )
    .with_help(if declared.is_empty() {
        "the model declares no data; remove them to silence this warning".to_string()
    } else {
        format!(
            "the `data` block declares {}; declare the others to use them",
            declared.join(", ")
        )
    });
    for name in extra {
        if let Some(v) = program.vars.iter().find(|v| v.name == *name) {
            if let crate::check::env::VarOrigin::Block(b) = v.origin {
                diag = diag.with_note(format!(
                    "`{name}` is declared in `{}`, which data cannot set",
                    b.keyword()
                ));
            }
        } else if program.dims.lookup(name).is_some() {
            diag = diag.with_note(format!(
                "`{name}` is a dim; give its size or labels in the \"dims\" object: `\"dims\": {{\"{name}\": ...}}`"
            ));
        }
    }
    diag
}

/// E4010: a data variable no source gives.
fn missing_variable(
    program: &TypedProgram,
    decl: &TypedDecl,
    sources: &[DataSource],
) -> Diagnostic {
    let name = &program.var(decl.var).name;
    let ty = show::decl_type(program, decl);
    let where_ = if sources.is_empty() {
        "no data source was given".to_string()
    } else {
        let names: Vec<&str> = sources.iter().map(|s| s.name.as_str()).collect();
        format!("no data source gives it ({})", names.join(", "))
    };
    let mut help = format!("add `{}` to a JSON data file", json_member(name));
    if one_dim(decl).is_some() && !name.contains(':') {
        help.push_str(&format!(", or a column `{name}` to a CSV file"));
    }
    Diagnostic::error(
        "E4010",
        format!("data variable `{name}` (`{ty}`) is missing: {where_}"),
    )
    .with_label(decl.span, format!("declared here as `{ty}`"))
    .with_help(help)
}

/// The JSON member that gives the data variable `name`: `"x": ...`, or for
/// the tuple element `t:2:1` (`syntax::tuples`) `"t": {"2": {"1": ...}}`.
fn json_member(name: &str) -> String {
    let mut parts = name.split(':');
    let mut text = format!("\"{}\": ", parts.next().unwrap_or(name));
    let mut open = 0;
    for slot in parts {
        text.push_str(&format!("{{\"{slot}\": "));
        open += 1;
    }
    text.push_str("...");
    text.push_str(&"}".repeat(open));
    text
}

/// E4020 for a value that is not a rectangular block.
fn flat_error(program: &TypedProgram, decl: &TypedDecl, source: &str, e: FlatError) -> Diagnostic {
    let name = &program.var(decl.var).name;
    let ty = show::decl_type(program, decl);
    let at = |path: &[usize]| show::position(name, path);
    let message = match e {
        FlatError::Ragged {
            at: path,
            found,
            expected,
        } => {
            let mut first = path.clone();
            if let Some(last) = first.last_mut() {
                *last = 0;
            }
            format!(
                "`{name}` in {source} is ragged: `{}` has {found} elements but `{}` has {expected}",
                at(&path),
                at(&first)
            )
        }
        FlatError::Depth {
            at: path,
            scalar_found,
        } => format!(
            "`{name}` in {source} is ragged: `{}` is {} where its siblings are {}",
            at(&path),
            if scalar_found {
                "a single value"
            } else {
                "a list"
            },
            if scalar_found {
                "lists"
            } else {
                "single values"
            }
        ),
        FlatError::ShapedCount { found, expected } => {
            format!("`{name}` in {source} has {found} values but its \"shape\" needs {expected}")
        }
    };
    Diagnostic::error("E4020", message)
        .with_label(decl.span, format!("declared here as `{ty}`"))
        .with_help("every list at the same depth must have the same length: a matrix is a list of rows of equal length")
}
