//! Validating one data variable against its declaration: shape, element
//! type (NaN and inf are reals, never ints), index ranges and labels,
//! bounds (which no NaN satisfies), and constrained types.
//!
//! Problems of one kind in one variable become one diagnostic (the first
//! offending element in the message, how many more and where in a note), so
//! a bad column of 100,000 rows gives one message, not 100,000.

use super::dims::{preview, Resolution};
use super::eval::{self, EvalCtx, EvalError, SizeError, Val};
use super::json::non_finite;
use super::raw::{Flat, Raw};
use super::show;
use super::value::{row_major_index, storage_index, storage_offset, DataStorage, DataValue};
use crate::check::typed::{Constraint, TypedDecl, TypedExpr, TypedProgram};
use crate::check::types::{DimId, ElemType};
use crate::syntax::ast::MatrixType;
use hbmc_stdlib::transform::check;
use crate::diagnostics::Diagnostic;
use std::collections::HashMap;

/// One variable's data as given.
pub(crate) struct Input<'a, 'b> {
    pub flat: &'b Flat<'a>,
    /// The source's name, as given.
    pub source: &'a str,
    /// For a CSV column, the line of every row.
    pub csv_lines: Option<&'a [usize]>,
}

/// Validates one declaration's data. Reports every problem into `diags`;
/// returns the value only when there is none.
pub(crate) fn validate(
    program: &TypedProgram,
    decl: &TypedDecl,
    input: &Input,
    res: &Resolution,
    values: &[Option<DataValue>],
    diags: &mut Vec<Diagnostic>,
) -> Option<DataValue> {
    let v = Validator::new(program, decl, input, res, values);
    let declared = v.expected_shape(diags)?;
    let ty = &program.var(decl.var).ty;
    let array_rank = ty.array.len();
    // A complex element is given as `[re, im]` (CmdStan's JSON): one more,
    // innermost axis of 2; it is stored with that axis first among the
    // element's axes (the lowering's complex layout).
    let complex = ty.is_complex_valued();
    let shape = if complex { declared.iter().copied().chain([2]).collect() } else { declared.clone() };
    if !v.shape_matches(&shape, diags) {
        return None;
    }
    let mut problems = Problems::default();
    let row_major = v.convert(&shape, &mut problems);
    let value = match complex {
        true => row_major.map(|s| {
            let (storage, stored_shape) = reorder_complex(s, &declared, array_rank);
            DataValue { shape: stored_shape, array_rank, storage }
        }),
        false => row_major.map(|s| DataValue { storage: reorder(s, &shape, array_rank), shape: shape.clone(), array_rank }),
    };
    if let Some(value) = &value {
        v.check_bounds(value, &mut problems, diags);
        v.check_constraint(value, &mut problems);
    }
    let had_problems = !problems.0.is_empty();
    v.report(problems, diags);
    if had_problems {
        None
    } else {
        value
    }
}

/// The value of a data variable no source gives, when its declared shape
/// has a zero-length axis: it has no elements, so there is nothing to give
/// (CmdStan accepts such variables missing). `None` when the shape has no
/// zero axis or its sizes cannot be evaluated: the variable is missing.
pub(crate) fn empty_when_missing(
    program: &TypedProgram,
    decl: &TypedDecl,
    res: &Resolution,
    values: &[Option<DataValue>],
) -> Option<DataValue> {
    let flat = Flat { shape: vec![0], values: Vec::new() };
    let input = Input { flat: &flat, source: "", csv_lines: None };
    let v = Validator::new(program, decl, &input, res, values);
    // Size errors are reported as a missing variable instead: the caller
    // says what to add.
    let shape = v.expected_shape(&mut Vec::new())?;
    if !shape.contains(&0) {
        return None;
    }
    let mut diags = Vec::new();
    let value = validate(program, decl, &input, res, values, &mut diags);
    value.filter(|_| diags.is_empty())
}

/// Collected problems of one variable, by code, in the order first seen.
#[derive(Default)]
struct Problems(Vec<Problem>);

struct Problem {
    code: &'static str,
    message: String,
    help: String,
    more: Vec<String>,
    count: usize,
}

impl Problems {
    fn add(
        &mut self,
        code: &'static str,
        position: String,
        message: impl FnOnce() -> String,
        help: impl FnOnce() -> String,
    ) {
        match self.0.iter_mut().find(|p| p.code == code) {
            Some(p) => {
                p.count += 1;
                if p.more.len() < 5 {
                    p.more.push(position);
                }
            }
            None => self.0.push(Problem {
                code,
                message: message(),
                help: help(),
                more: Vec::new(),
                count: 0,
            }),
        }
    }
}

struct Validator<'a, 'b> {
    program: &'a TypedProgram,
    decl: &'a TypedDecl,
    input: &'b Input<'a, 'b>,
    res: &'b Resolution,
    values: &'b [Option<DataValue>],
    name: &'a str,
    ty_text: String,
}

impl<'a, 'b> Validator<'a, 'b> {
    fn new(
        program: &'a TypedProgram,
        decl: &'a TypedDecl,
        input: &'b Input<'a, 'b>,
        res: &'b Resolution,
        values: &'b [Option<DataValue>],
    ) -> Self {
        Validator {
            program,
            decl,
            input,
            res,
            values,
            name: &program.var(decl.var).name,
            ty_text: show::decl_type(program, decl),
        }
    }

    fn ctx(&self) -> EvalCtx<'b> {
        EvalCtx {
            dim_sizes: &self.res.sizes,
            values: self.values,
        }
    }

    /// The declared label, attached to every diagnostic about this variable.
    fn declared(&self, d: Diagnostic) -> Diagnostic {
        d.with_label(
            self.decl.span,
            format!("declared here as `{}`", self.ty_text),
        )
    }

    /// "`x[3, 2]` in data.json" for the element at a multi-index; `k` is its
    /// row-major number (the CSV row), with the row and line for a CSV column.
    fn position_at(&self, idx: &[usize], k: usize) -> String {
        let pos = format!(
            "`{}` in {}",
            show::position(self.name, idx),
            self.input.source
        );
        match self.input.csv_lines.and_then(|l| l.get(k)) {
            Some(line) => format!("{pos} (row {}, line {line})", k + 1),
            None => pos,
        }
    }

    /// The short form for notes listing further elements: `x[3, 2]`, or
    /// `x[5] (line 6)` for a CSV column.
    fn short_position(&self, idx: &[usize], k: usize) -> String {
        let pos = format!("`{}`", show::position(self.name, idx));
        match self.input.csv_lines.and_then(|l| l.get(k)) {
            Some(line) => format!("{pos} (line {line})"),
            None => pos,
        }
    }

    /// The declared shape, with every size evaluated; `None` after reporting.
    fn expected_shape(&self, diags: &mut Vec<Diagnostic>) -> Option<Vec<usize>> {
        let ctx = self.ctx();
        let mut shape = Vec::with_capacity(self.decl.sizes.len());
        for s in &self.decl.sizes {
            match eval::size(&ctx, s) {
                Ok(n) => shape.push(n),
                // A dim without size or an invalid earlier variable: reported.
                Err(SizeError::Unavailable) => return None,
                Err(e) => {
                    diags.push(eval::size_diagnostic(self.program, self.name, self.decl, e));
                    return None;
                }
            }
        }
        Some(shape)
    }

    /// Whether the data's shape is the declared one; reports if not. A
    /// container with a zero-length axis has no elements, and any nesting
    /// of empty lists (`[]`, `[[]]`, `[[], [], []]`) stands for it, as
    /// CmdStan reads them: JSON cannot show the lengths of the axes inside
    /// an empty list, and writers differ in which ones they keep.
    fn shape_matches(&self, expected: &[usize], diags: &mut Vec<Diagnostic>) -> bool {
        let found = &self.input.flat.shape;
        if found == expected {
            return true;
        }
        let found_empty = self.input.flat.values.is_empty() && found.contains(&0);
        if found_empty && expected.contains(&0) {
            return true;
        }
        let src = self.input.source;
        let message = if found.len() != expected.len() {
            let depth = |n: usize| match n {
                0 if matches!(self.input.flat.values.first(), Some(Raw::Object)) => {
                    "an object (objects are read only as {\"shape\": [...], \"values\": [...]})".to_string()
                }
                0 => "a single value".to_string(),
                1 => "a list".to_string(),
                n => format!("lists nested {n} deep"),
            };
            format!(
                "`{}` in {src} is {}, but `{}` has {} ({})",
                self.name,
                depth(found.len()),
                self.ty_text,
                match expected.len() {
                    0 => "no axes: it is a single value".to_string(),
                    1 => "1 axis".to_string(),
                    n => format!("{n} axes"),
                },
                show::shape(expected)
            )
        } else {
            let elements = |s: &[usize]| {
                if s.len() == 1 {
                    format!("{} elements", s[0])
                } else {
                    format!("shape {}", show::shape(s))
                }
            };
            format!(
                "`{}` in {src} has {}, but `{}` has {}",
                self.name,
                elements(found),
                self.ty_text,
                elements(expected)
            )
        };
        diags.push(
            self.declared(Diagnostic::error("E4020", message))
                .with_help(shape_help(
                    self.name,
                    expected,
                    self.program.var(self.decl.var).ty.elem,
                )),
        );
        false
    }

    /// Converts every element (row-major) to the declared element type.
    fn convert(&self, shape: &[usize], problems: &mut Problems) -> Option<DataStorage> {
        let ty = &self.program.var(self.decl.var).ty;
        let values = &self.input.flat.values;
        match ty.elem {
            ElemType::Int { index_of } => {
                // A dim without a size is already reported; its members
                // cannot be checked.
                let index = match index_of {
                    Some(d) => Some(IndexDim::new(self.res, d)?),
                    None => None,
                };
                let mut out = Vec::with_capacity(values.len());
                for (k, raw) in values.iter().enumerate() {
                    let r = match &index {
                        Some(ix) => self.index_elem(raw, ix),
                        None => int_elem(raw, self.name),
                    };
                    match r {
                        Ok(i) => out.push(i),
                        Err((code, what, help)) => {
                            let idx = row_major_index(shape, k);
                            problems.add(
                                code,
                                self.short_position(&idx, k),
                                || format!("{} is {what}", self.position_at(&idx, k)),
                                || help,
                            );
                        }
                    }
                }
                (out.len() == values.len()).then_some(DataStorage::Ints(out))
            }
            _ => {
                let mut out = Vec::with_capacity(values.len());
                for (k, raw) in values.iter().enumerate() {
                    match real_elem(raw, self.name) {
                        Ok(x) => out.push(x),
                        Err((code, what, help)) => {
                            let idx = row_major_index(shape, k);
                            problems.add(
                                code,
                                self.short_position(&idx, k),
                                || format!("{} is {what}", self.position_at(&idx, k)),
                                || help,
                            );
                        }
                    }
                }
                (out.len() == values.len()).then_some(DataStorage::Reals(out))
            }
        }
    }

    /// One member of a dim: a 1-based int, or a label.
    fn index_elem(&self, raw: &Raw, ix: &IndexDim) -> Result<i64, (&'static str, String, String)> {
        let dim = &self.program.dims.get(ix.dim).name;
        let range_help = || {
            match &ix.labels {
            Some(l) => format!(
                "give 1-based positions 1..={} or labels of dim `{dim}` ({}{})",
                ix.size,
                preview(l),
                ix.origin.as_ref().map_or(String::new(), |o| format!(": the {o}"))
            ),
            None => format!(
                "give members of dim `{dim}` as integers 1..={}, or give the dim labels (in the model or the \"dims\" object) to use values as labels",
                ix.size
            ),
        }
        };
        let in_range = |i: i64| {
            if i >= 1 && usize::try_from(i).is_ok_and(|u| u <= ix.size) {
                Ok(i)
            } else {
                Err((
                    "E4031",
                    format!("{i}, outside dim `{dim}` (1..={})", ix.size),
                    range_help(),
                ))
            }
        };
        match raw {
            Raw::Int(i) => in_range(*i),
            Raw::Text(s) | Raw::Field(s) => {
                let s = s.trim();
                if let Some(pos) = ix.lookup.as_ref().and_then(|m| m.get(s)) {
                    return Ok(*pos);
                }
                match &ix.labels {
                    Some(labels) => Err((
                        "E4031",
                        format!("\"{s}\", not a label of dim `{dim}` (labels: {})", preview(labels)),
                        range_help(),
                    )),
                    // Without labels, a CSV field is read as a position.
                    None => match s.parse::<i64>() {
                        Ok(i) if matches!(raw, Raw::Field(_)) => in_range(i),
                        _ if is_missing(raw) => Err(missing()),
                        _ => Err((
                            "E4031",
                            format!("\"{s}\", but dim `{dim}` has no labels, so its members are the integers 1..={}", ix.size),
                            format!("give labels for `{dim}` in the model or in the JSON \"dims\" object, or give positions 1..={}", ix.size),
                        )),
                    },
                }
            }
            other => int_elem(other, self.name),
        }
    }

    /// Checks `<lower=.., upper=..>`, element by element in storage order.
    fn check_bounds(
        &self,
        value: &DataValue,
        problems: &mut Problems,
        diags: &mut Vec<Diagnostic>,
    ) {
        let Constraint::Bounds { lower, upper } = &self.decl.constraint else {
            return;
        };
        let lo = lower
            .as_ref()
            .map(|e| (e, self.bound_values(e, value, diags)));
        let hi = upper
            .as_ref()
            .map(|e| (e, self.bound_values(e, value, diags)));
        // What is right, for the help line: "must be >= 0 and <= K".
        let rule: Vec<String> = [(&lo, ">=", "lower"), (&hi, "<=", "upper")]
            .iter()
            .filter_map(|(b, op, word)| {
                b.as_ref().map(|(e, v)| {
                    let text = show::expr(self.program, e);
                    match v.as_ref().and_then(|v| v.first()) {
                        // A scalar bound: show its value too.
                        Some(x) if v.as_ref().is_some_and(|v| v.iter().all(|y| y == x)) => {
                            if show::real(*x) == text {
                                format!("{op} {text}")
                            } else {
                                format!("{op} {} (`{word}={text}`)", show::real(*x))
                            }
                        }
                        _ => format!("{op} `{text}`"),
                    }
                })
            })
            .collect();
        for k in 0..value.len() {
            let Some(x) = value.storage.real(k) else {
                continue;
            };
            // Written as "fails to hold" so that a NaN (in the value or the
            // bound) fails, as in Stan's `check_greater_or_equal`; `x < b`
            // would let it through.
            let below = lo
                .as_ref()
                .and_then(|(_, v)| v.as_ref()?.get(k).copied())
                .filter(|b| !(x >= *b));
            let above = hi
                .as_ref()
                .and_then(|(_, v)| v.as_ref()?.get(k).copied())
                .filter(|b| !(x <= *b));
            let (bound, word, side) = match (below, above) {
                (Some(b), _) => (b, "lower", "below"),
                (None, Some(b)) => (b, "upper", "above"),
                (None, None) => continue,
            };
            let relation = if x.is_nan() || bound.is_nan() {
                format!("which fails its {word} bound {} (NaN satisfies no bound)", show::real(bound))
            } else {
                format!("{side} its {word} bound {}", show::real(bound))
            };
            // CSV columns are 1-D, where storage and row-major order agree.
            let idx = storage_index(&value.shape, value.array_rank, k);
            problems.add(
                "E4030",
                self.short_position(&idx, k),
                || {
                    format!("{} is {}, {relation}", self.position_at(&idx, k), show::real(x))
                },
                || {
                    let nan = if x.is_nan() { " (NaN is allowed only in reals without bounds or constraints)" } else { "" };
                    format!("every element of `{}` must be {}{nan}", self.name, rule.join(" and "))
                },
            );
        }
    }

    /// A bound's value for every element (a scalar repeated, or a container
    /// of the variable's shape); `None` after reporting or when unavailable.
    fn bound_values(
        &self,
        e: &TypedExpr,
        value: &DataValue,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<Vec<f64>> {
        let failed = |what: String| {
            self.declared(Diagnostic::error(
                "E4050",
                format!(
                    "the bound of `{}` cannot be computed from the data: {what}",
                    self.name
                ),
            ))
            .with_label(e.span, "this bound must be computable from earlier data")
            .with_help("write bounds with earlier data variables, literals and arithmetic")
        };
        match self.ctx().eval(e) {
            Ok(Val::Int(i)) => Some(vec![i as f64; value.len()]),
            Ok(Val::Real(x)) => Some(vec![x; value.len()]),
            Ok(Val::Data(d)) if d.shape == value.shape && d.array_rank == value.array_rank => {
                Some((0..d.len()).filter_map(|k| d.storage.real(k)).collect())
            }
            Ok(Val::Data(d)) => {
                diags.push(failed(format!(
                    "the bound has shape {} but `{}` has shape {}",
                    show::shape(&d.shape),
                    self.name,
                    show::shape(&value.shape)
                )));
                None
            }
            Err(EvalError::Unavailable) => None,
            Err(EvalError::Failed { span, what }) => {
                diags.push(failed(what).with_label(span, "here"));
                None
            }
        }
    }

    /// Checks simplex, ordered, and the matrix constraints, per array element.
    fn check_constraint(&self, value: &DataValue, problems: &mut Problems) {
        let Some(x) = value.reals() else { return };
        let elem_shape = &value.shape[value.array_rank.min(value.shape.len())..];
        // Checked: an empty array may declare huge (never allocated) elements.
        let product = |s: &[usize]| s.iter().try_fold(1usize, |a, n| a.checked_mul(*n));
        let Some(block) = product(elem_shape) else {
            return;
        };
        if block == 0
            && !matches!(
                self.decl.constraint,
                Constraint::Simplex | Constraint::UnitVector
            )
        {
            return;
        }
        let arr_shape = &value.shape[..value.array_rank.min(value.shape.len())];
        let Some(n_blocks) = product(arr_shape) else {
            return;
        };
        for b in 0..n_blocks {
            let blk = x.get(b * block..(b + 1) * block).unwrap_or(&[]);
            let why = match (&self.decl.constraint, elem_shape) {
                (Constraint::Simplex, _) => check::simplex(blk),
                (Constraint::Ordered, _) => check::ordered(blk, false),
                (Constraint::PositiveOrdered, _) => check::ordered(blk, true),
                (Constraint::UnitVector, _) => check::unit_vector(blk),
                (Constraint::SumToZero, _) => check::sum_to_zero(blk),
                (Constraint::CholeskyFactorCorr, [r, c]) => check::cholesky_factor(blk, *r, *c, true),
                (Constraint::CholeskyFactorCov, [r, c]) => check::cholesky_factor(blk, *r, *c, false),
                (Constraint::CorrMatrix, [r, c]) => check::sym_pos_def(blk, *r, *c, true),
                (Constraint::CovMatrix, [r, c]) => check::sym_pos_def(blk, *r, *c, false),
                (Constraint::Matrix(MatrixType::SumToZero), [r, c]) => check::sum_to_zero_matrix(blk, *r, *c),
                (Constraint::Matrix(MatrixType::ColumnStochastic), [r, c]) => check::column_stochastic(blk, *r, *c),
                (Constraint::Matrix(MatrixType::RowStochastic), [r, c]) => check::row_stochastic(blk, *r, *c),
                _ => None,
            };
            if let Some(why) = why {
                let at = format!(
                    "`{}`",
                    show::position(self.name, &row_major_index(arr_shape, b))
                );
                let pos = format!("{at} in {}", self.input.source);
                let kind = self.decl.constraint.name();
                problems.add(
                    "E4032",
                    at,
                    || format!("{pos} is not a valid {kind}: {why}"),
                    || self.decl.constraint.requirement().to_string(),
                );
            }
        }
    }

    /// Turns the collected problems into diagnostics.
    fn report(&self, problems: Problems, diags: &mut Vec<Diagnostic>) {
        for p in problems.0 {
            let mut d = self
                .declared(Diagnostic::error(p.code, p.message))
                .with_help(p.help);
            if p.count > 0 {
                let mut more = p.more.join(", ");
                if p.count > p.more.len() {
                    more.push_str(", ...");
                }
                d = d.with_note(format!(
                    "{} more element{} of `{}` {} the same problem: {more}",
                    p.count,
                    if p.count == 1 { "" } else { "s" },
                    self.name,
                    if p.count == 1 { "has" } else { "have" },
                ));
            }
            diags.push(d);
        }
    }
}

/// A dim as index variables see it: size, labels and label positions.
struct IndexDim {
    dim: DimId,
    size: usize,
    labels: Option<Vec<String>>,
    /// Where the labels come from, for messages.
    origin: Option<String>,
    lookup: Option<HashMap<String, i64>>,
}

impl IndexDim {
    fn new(res: &Resolution, dim: DimId) -> Option<IndexDim> {
        let labels = res.labels.get(dim).cloned().flatten();
        let lookup = labels.as_ref().map(|l| {
            l.iter()
                .enumerate()
                .map(|(i, s)| {
                    (
                        s.trim().to_string(),
                        i64::try_from(i + 1).unwrap_or(i64::MAX),
                    )
                })
                .collect()
        });
        Some(IndexDim {
            dim,
            size: res.sizes.get(dim).copied().flatten()?,
            labels,
            origin: res.label_origins.get(dim).cloned().flatten(),
            lookup,
        })
    }
}

type ElemError = (&'static str, String, String);

fn missing() -> ElemError {
    (
        "E4022",
        "missing (empty, NA or null)".to_string(),
        "data must be complete: remove or impute missing values before binding".to_string(),
    )
}

fn is_missing(raw: &Raw) -> bool {
    match raw {
        Raw::Null => true,
        Raw::Field(s) => matches!(
            s.trim(),
            "" | "NA" | "na" | "N/A" | "null" | "NULL" | "None"
        ),
        _ => false,
    }
}

/// A non-finite value where an integer is expected: Stan's ints have no
/// NaN or inf.
fn non_finite_int_error(x: f64, name: &str) -> ElemError {
    (
        "E4022",
        format!("{}, which is not finite, but `{name}` holds integers", show::real(x)),
        "int data must be finite: NaN and inf are allowed only for reals; remove or impute the value".to_string(),
    )
}

/// A number written finitely that overflows a real (`1e400`): taken as
/// inf it would be a guess.
fn overflow_error(s: &str) -> ElemError {
    (
        "E4022",
        format!("{s}, which is too large for a real (it would be inf)"),
        "write `inf` (or `Infinity`) if infinity is meant, else correct the value".to_string(),
    )
}

fn type_error(what: String, name: &str, want: &str) -> ElemError {
    let help = if want == "integers" {
        "give whole numbers such as `3` (not `3.0` or `\"3\"`)"
    } else {
        "give numbers such as `1.5`, without quotes"
    };
    (
        "E4021",
        format!("{what}, but `{name}` holds {want}"),
        help.to_string(),
    )
}

fn describe_other(raw: &Raw) -> String {
    match raw {
        Raw::Bool(b) => format!("`{b}`, a JSON boolean"),
        Raw::Object => "a JSON object (only `{\"shape\": [...], \"values\": [...]}` is allowed, for a whole variable)".to_string(),
        Raw::Text(s) => format!("the string \"{s}\""),
        Raw::Field(s) => format!("\"{}\", not a number", s.trim()),
        _ => "a list".to_string(),
    }
}

/// One plain `int` element.
fn int_elem(raw: &Raw, name: &str) -> Result<i64, ElemError> {
    if is_missing(raw) {
        return Err(missing());
    }
    match raw {
        Raw::Int(i) => Ok(*i),
        Raw::Real(x) => Err(type_error(
            format!("{}, a real number", show::real(*x)),
            name,
            "integers",
        )),
        Raw::Text(s) => match non_finite(s) {
            Some(x) => Err(non_finite_int_error(x, name)),
            None => Err(type_error(describe_other(raw), name, "integers")),
        },
        Raw::Field(s) => {
            let s = s.trim();
            if let Ok(i) = s.parse::<i64>() {
                return Ok(i);
            }
            if let Some(x) = non_finite(s) {
                return Err(non_finite_int_error(x, name));
            }
            match s.parse::<f64>() {
                Ok(_) => Err(type_error(format!("{s}, a real number"), name, "integers")),
                Err(_) => Err(type_error(describe_other(raw), name, "integers")),
            }
        }
        other => Err(type_error(describe_other(other), name, "integers")),
    }
}

/// One real element. NaN and +/-inf are read where the user wrote them
/// (CmdStan's spellings, JSON or CSV), as Stan reads real data; bounds and
/// constraints are checked afterwards. A missing cell stays missing, and a
/// finite spelling that overflows is refused rather than taken as inf.
fn real_elem(raw: &Raw, name: &str) -> Result<f64, ElemError> {
    if is_missing(raw) {
        return Err(missing());
    }
    match raw {
        Raw::Int(i) => Ok(*i as f64),
        // The JSON readers refuse numbers beyond f64's range: finite.
        Raw::Real(x) => Ok(*x),
        Raw::Text(s) => non_finite(s).ok_or_else(|| type_error(describe_other(raw), name, "real numbers")),
        Raw::Field(s) => {
            let s = s.trim();
            if let Some(x) = non_finite(s) {
                return Ok(x);
            }
            match s.parse::<f64>() {
                Ok(x) if x.is_finite() => Ok(x),
                Ok(_) => Err(overflow_error(s)),
                Err(_) => Err(type_error(describe_other(raw), name, "real numbers")),
            }
        }
        other => Err(type_error(describe_other(other), name, "real numbers")),
    }
}

/// What a right value looks like, for shape errors.
pub(crate) fn shape_help(name: &str, expected: &[usize], elem: ElemType) -> String {
    let what = if elem.is_int() { "integers" } else { "numbers" };
    if elem.is_complex() {
        return format!(
            "give `{name}` as nested lists of shape {} (outermost first; each complex element as `[re, im]`)",
            show::shape(expected)
        );
    }
    match expected {
        [] => format!("give `{name}` as a single number, e.g. `\"{name}\": 3`"),
        [n] => format!("give `{name}` as a list of {n} {what} (or a CSV column with {n} rows)"),
        _ => format!(
            "give `{name}` as nested lists of shape {} (outermost first; a matrix is a list of its rows)",
            show::shape(expected)
        ),
    }
}

/// Reorders row-major elements into storage order (see `value`).
fn reorder(s: DataStorage, shape: &[usize], array_rank: usize) -> DataStorage {
    // Only matrices (two element axes) differ from row-major.
    if shape.len() < array_rank + 2 {
        return s;
    }
    fn go<T: Copy>(v: Vec<T>, shape: &[usize], array_rank: usize) -> Vec<T> {
        let mut out = v.clone();
        for (k, x) in v.into_iter().enumerate() {
            // The offset is in range: `k` indexes a block of this shape.
            if let Some(slot) = storage_offset(shape, array_rank, &row_major_index(shape, k))
                .and_then(|o| out.get_mut(o))
            {
                *slot = x;
            }
        }
        out
    }
    match s {
        DataStorage::Ints(v) => DataStorage::Ints(go(v, shape, array_rank)),
        DataStorage::Reals(v) => DataStorage::Reals(go(v, shape, array_rank)),
    }
}

/// Reorders the row-major reals of complex data (declared shape, then
/// the part) into storage order: the part axis first among the element's
/// axes (`lower/complex.rs`). Returns the values and their stored shape.
fn reorder_complex(s: DataStorage, declared: &[usize], array_rank: usize) -> (DataStorage, Vec<usize>) {
    let rank = array_rank.min(declared.len());
    let mut stored = declared.to_vec();
    stored.insert(rank, 2);
    let given: Vec<usize> = declared.iter().copied().chain([2]).collect();
    let DataStorage::Reals(v) = s else { return (s, stored) };
    let mut out = v.clone();
    for (k, x) in v.into_iter().enumerate() {
        let mut idx = row_major_index(&given, k);
        let part = idx.pop().unwrap_or(0);
        idx.insert(rank, part);
        // The offset is in range: `k` indexes a value of this shape.
        if let Some(slot) = storage_offset(&stored, array_rank, &idx).and_then(|o| out.get_mut(o)) {
            *slot = x;
        }
    }
    (DataStorage::Reals(out), stored)
}

