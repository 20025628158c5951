//! Sizes and names of the model's outward-facing variables once data are
//! bound: how many unconstrained reals each parameter takes, and the
//! CmdStan column names (with dim labels for summaries) of every output.

use crate::check::typed::Constraint;
use crate::syntax::ast::MatrixType;
use crate::check::types::{Axis, DimNames, Type};

/// The number of elements of a shape.
pub fn element_count(shape: &[usize]) -> usize {
    shape.iter().product()
}

/// How many unconstrained reals a parameter of this constraint and shape
/// takes (Stan's transforms): `shape` is every axis, array axes first, and
/// `array_rank` of them are array axes.
pub fn unconstrained_len(constraint: &Constraint, shape: &[usize], array_rank: usize) -> usize {
    let (array, elem) = shape.split_at(array_rank.min(shape.len()));
    let per_element = match (constraint, elem) {
        (Constraint::Simplex | Constraint::SumToZero, [k]) => k.saturating_sub(1),
        (Constraint::CholeskyFactorCorr | Constraint::CorrMatrix, [k, _]) => k * k.saturating_sub(1) / 2,
        (Constraint::CovMatrix, [k, _]) => k + k * k.saturating_sub(1) / 2,
        (Constraint::CholeskyFactorCov, [m, n]) => n * (n + 1) / 2 + m.saturating_sub(*n) * n,
        (Constraint::Matrix(kind), [n, m]) => {
            let (free_rows, free_cols) = match kind {
                MatrixType::SumToZero => (n.saturating_sub(1), m.saturating_sub(1)),
                MatrixType::ColumnStochastic => (n.saturating_sub(1), *m),
                MatrixType::RowStochastic => (*n, m.saturating_sub(1)),
            };
            free_rows * free_cols
        }
        _ => element_count(elem),
    };
    element_count(array) * per_element
}

/// Every multi-index of a shape (1-based) in CmdStan's column order: the
/// first index varies fastest.
pub fn column_major_indices(shape: &[usize]) -> Vec<Vec<usize>> {
    let total = element_count(shape);
    let mut out = Vec::with_capacity(total);
    let mut index = vec![1; shape.len()];
    for _ in 0..total {
        out.push(index.clone());
        for (i, size) in index.iter_mut().zip(shape) {
            if *i < *size {
                *i += 1;
                break;
            }
            *i = 1;
        }
    }
    out
}

/// The offset of a 1-based multi-index in Stan's memory layout: array axes
/// row-major, then the element (vector in order, matrix column-major).
pub fn memory_offset(shape: &[usize], array_rank: usize, index: &[usize]) -> usize {
    let mut offset = 0;
    for (&ix, &size) in index.iter().zip(shape).take(array_rank) {
        offset = offset * size + (ix - 1);
    }
    let elem_shape = &shape[array_rank.min(shape.len())..];
    let elem_index = &index[array_rank.min(index.len())..];
    let elem_len = element_count(elem_shape);
    // Column-major over the element's axes (a complex matrix's storage
    // has three: part, row, column).
    let mut within = 0;
    for (&ix, &size) in elem_index.iter().zip(elem_shape).rev() {
        within = within * size + (ix - 1);
    }
    offset * elem_len + within
}

/// The names of one variable's output columns, in CmdStan order:
/// `name` for a scalar, `name.i.j` otherwise.
pub fn cmdstan_names(name: &str, shape: &[usize]) -> Vec<String> {
    if shape.is_empty() {
        return vec![name.to_string()];
    }
    // One pass with a reused buffer: at 100,000 elements (a `log_lik`)
    // a `Vec` and a `format!` per element were a third of the compile time.
    let mut out = Vec::with_capacity(element_count(shape));
    let mut line = String::new();
    for_each_index(shape, |ix| {
        line.clear();
        line.push_str(name);
        for i in ix {
            line.push('.');
            push_usize(&mut line, *i);
        }
        out.push(line.clone());
    });
    out
}

/// One step of a CmdStan column name into its variable's value: `.i` an
/// index (1-based) of an array, vector or matrix, `:k` a tuple's slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnStep {
    Index(usize),
    Slot(usize),
}

/// A CmdStan column name split into the declared variable's name and the
/// steps into its value (`t.2:1.3`: `t`, index 2, slot 1, index 3);
/// `None` when a step is not a number (`z.real`).
pub fn column_steps(column: &str) -> Option<(&str, Vec<ColumnStep>)> {
    let end = column.find(['.', ':']).unwrap_or(column.len());
    let (base, mut rest) = column.split_at(end);
    let mut steps = Vec::new();
    while let Some(sep) = rest.chars().next() {
        let body = &rest[1..];
        let len = body.find(['.', ':']).unwrap_or(body.len());
        let n: usize = body[..len].parse().ok()?;
        steps.push(if sep == ':' { ColumnStep::Slot(n) } else { ColumnStep::Index(n) });
        rest = &body[len..];
    }
    Some((base, steps))
}

/// The variable a CmdStan column belongs to after tuples are split
/// (`syntax::tuples`): its name and its tuple slots, without indices
/// (`t.2:1.3` is a column of `t:1`, `x.1.2` of `x`).
pub fn element_variable(column: &str) -> String {
    let end = column.find(['.', ':']).unwrap_or(column.len());
    let mut name = column[..end].to_string();
    let mut rest = &column[end..];
    while let Some(sep) = rest.chars().next() {
        let body = &rest[1..];
        let len = body.find(['.', ':']).unwrap_or(body.len());
        if sep == ':' {
            name.push(':');
            name.push_str(&body[..len]);
        }
        rest = &body[len..];
    }
    name
}

/// Calls `f` with every 1-based multi-index of `shape` in column-major
/// order (the order of [`column_major_indices`]), without allocating one.
pub fn for_each_index(shape: &[usize], mut f: impl FnMut(&[usize])) {
    let total = element_count(shape);
    let mut index = vec![1; shape.len()];
    for _ in 0..total {
        f(&index);
        for (i, size) in index.iter_mut().zip(shape) {
            if *i < *size {
                *i += 1;
                break;
            }
            *i = 1;
        }
    }
}

/// The names of complex elements' columns: each name followed by its
/// `real` and `imag` column (joined by `join`); `names` unchanged when the
/// elements are real.
fn with_parts(names: Vec<String>, complex: bool, join: impl Fn(&str, &str) -> String) -> Vec<String> {
    if !complex {
        return names;
    }
    names.iter().flat_map(|n| [join(n, "real"), join(n, "imag")]).collect()
}

/// Appends the decimal digits of `n`.
fn push_usize(s: &mut String, mut n: usize) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &d in &digits[at..] {
        s.push(char::from(d));
    }
}

/// Labelled names for summaries, in the same order as [`cmdstan_names`]:
/// an axis over a dim shows `dim=label` (or `dim=i` without labels), other
/// axes the plain index: `theta[grade=2]`, `alpha[pair=17, grade=4]`.
pub fn labelled_names(
    name: &str,
    ty: &Type,
    shape: &[usize],
    dims: &dyn DimNames,
    labels: &dyn Fn(usize) -> Option<Vec<String>>,
) -> Vec<String> {
    OutputVar::new(name, ty, shape, dims, labels).labelled_names()
}

/// One axis of an output variable, as its labelled names show it.
#[derive(Clone, Debug, PartialEq)]
pub enum OutputAxis {
    /// An axis over a dim: its name and, when the data give them, labels.
    Dim { name: String, labels: Option<Vec<String>> },
    /// An axis without a dim (plain index).
    Anon,
}

/// An output variable's name, shape and axes: what its column names are
/// built from. The names are built when asked for rather than when the
/// model is lowered: at 100,000 elements (a `log_lik`) building both kinds
/// took a third of the compile time, and `hbmc bench` or a library user
/// that only evaluates the density never reads them.
#[derive(Clone, Debug, PartialEq)]
pub struct OutputVar {
    /// The variable's name.
    pub name: String,
    /// Its shape (every axis, array axes first).
    pub shape: Vec<usize>,
    /// Each axis of the type (as many as `shape`'s, or fewer for a scalar).
    pub axes: Vec<OutputAxis>,
    /// Whether each element is complex: two columns, `.real` and `.imag`.
    pub complex: bool,
    /// For a tuple, whose columns interleave several element variables
    /// (`lower::tuple_columns`), its CmdStan names and labelled names, built
    /// when lowered.
    pub tuple: Option<(Vec<String>, Vec<String>)>,
}

impl OutputVar {
    /// The output variable `name` of type `ty` and shape `shape`, with dim
    /// names from `dims` and each dim's labels from `labels`.
    pub fn new(name: &str, ty: &Type, shape: &[usize], dims: &dyn DimNames, labels: &dyn Fn(usize) -> Option<Vec<String>>) -> OutputVar {
        let axes = if shape.is_empty() {
            Vec::new()
        } else {
            ty.axes()
                .iter()
                .map(|a| match a {
                    Axis::Dim(d) => OutputAxis::Dim { name: dims.dim_name(*d).to_string(), labels: labels(*d) },
                    Axis::Anon => OutputAxis::Anon,
                })
                .collect()
        };
        OutputVar { name: name.to_string(), shape: shape.to_vec(), axes, complex: ty.is_complex_valued(), tuple: None }
    }

    /// The CmdStan names of its columns ([`cmdstan_names`]; a complex
    /// element's two columns end in `.real` and `.imag`, as CmdStan's).
    pub fn cmdstan_names(&self) -> Vec<String> {
        if let Some((names, _)) = &self.tuple {
            return names.clone();
        }
        with_parts(cmdstan_names(&self.name, &self.shape), self.complex, |n, p| format!("{n}.{p}"))
    }

    /// The labelled names of its columns ([`labelled_names`]; a complex
    /// element's two columns end in `.real` and `.imag`).
    pub fn labelled_names(&self) -> Vec<String> {
        if let Some((_, labels)) = &self.tuple {
            return labels.clone();
        }
        with_parts(self.real_labelled_names(), self.complex, |n, p| format!("{n}.{p}"))
    }

    /// The labelled names of its elements.
    fn real_labelled_names(&self) -> Vec<String> {
        if self.shape.is_empty() {
            return vec![self.name.clone()];
        }
        let mut out = Vec::with_capacity(element_count(&self.shape));
        let mut line = String::new();
        for_each_index(&self.shape, |ix| {
            line.clear();
            line.push_str(&self.name);
            line.push('[');
            for (k, &i) in ix.iter().enumerate() {
                if k > 0 {
                    line.push_str(", ");
                }
                match self.axes.get(k) {
                    Some(OutputAxis::Dim { name, labels }) => {
                        line.push_str(name);
                        line.push('=');
                        match labels.as_ref().and_then(|l| l.get(i - 1)) {
                            Some(label) => line.push_str(label),
                            None => push_usize(&mut line, i),
                        }
                    }
                    _ => push_usize(&mut line, i),
                }
            }
            line.push(']');
            out.push(line.clone());
        });
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::types::{DimId, ElemType};

    #[test]
    fn unconstrained_sizes_follow_stan() {
        assert_eq!(unconstrained_len(&Constraint::None, &[3, 4], 0), 12);
        assert_eq!(unconstrained_len(&Constraint::Simplex, &[5], 0), 4);
        assert_eq!(unconstrained_len(&Constraint::Simplex, &[2, 5], 1), 8);
        assert_eq!(unconstrained_len(&Constraint::CholeskyFactorCorr, &[4, 4], 0), 6);
        assert_eq!(unconstrained_len(&Constraint::CorrMatrix, &[3, 3], 0), 3);
        assert_eq!(unconstrained_len(&Constraint::CovMatrix, &[3, 3], 0), 6);
        assert_eq!(unconstrained_len(&Constraint::CholeskyFactorCov, &[4, 2], 0), 3 + 4);
        assert_eq!(unconstrained_len(&Constraint::Ordered, &[7], 0), 7);
    }

    #[test]
    fn names_are_column_major_like_cmdstan() {
        assert_eq!(cmdstan_names("a", &[2, 3]), ["a.1.1", "a.2.1", "a.1.2", "a.2.2", "a.1.3", "a.2.3"]);
        assert_eq!(cmdstan_names("s", &[]), ["s"]);
        assert_eq!(cmdstan_names("v", &[12])[9..], ["v.10", "v.11", "v.12"]);
    }

    #[test]
    fn columns_name_their_variables_and_steps() {
        assert_eq!(element_variable("t.2:1.3"), "t:1");
        assert_eq!(element_variable("u.1.1:1.2:2.1"), "u:1:2");
        assert_eq!(element_variable("p:2.1"), "p:2");
        assert_eq!(element_variable("x.1.2"), "x");
        assert_eq!(element_variable("z.1.real"), "z");
        use ColumnStep::{Index, Slot};
        assert_eq!(column_steps("t.2:1.3"), Some(("t", vec![Index(2), Slot(1), Index(3)])));
        assert_eq!(column_steps("mu"), Some(("mu", vec![])));
        assert_eq!(column_steps("z.real"), None);
    }

    #[test]
    fn memory_offsets_are_stan_layout() {
        // matrix[3, 4]: column-major.
        assert_eq!(memory_offset(&[3, 4], 0, &[2, 3]), 1 + 2 * 3);
        // array[2] vector[3]: row-major over the array.
        assert_eq!(memory_offset(&[2, 3], 1, &[2, 1]), 3);
        // array[2, 5] real: row-major.
        assert_eq!(memory_offset(&[2, 5], 2, &[2, 3]), 5 + 2);
        // array[2] matrix[3, 4]
        assert_eq!(memory_offset(&[2, 3, 4], 1, &[2, 1, 2]), 12 + 3);
    }

    struct Names;
    impl DimNames for Names {
        fn dim_name(&self, id: DimId) -> &str {
            ["pair", "grade"][id]
        }
    }

    #[test]
    fn labelled_names_use_dim_labels() {
        let ty = Type::matrix(Axis::Dim(0), Axis::Dim(1));
        let labels = |d: usize| (d == 1).then(|| vec!["1".into(), "2".into(), "3".into(), "4".into()]);
        let names = labelled_names("alpha", &ty, &[2, 4], &Names, &labels);
        assert_eq!(names[0], "alpha[pair=1, grade=1]");
        assert_eq!(names[3], "alpha[pair=2, grade=2]");
        let v = Type::scalar_or_elem(ElemType::Vector(Axis::Anon));
        assert_eq!(labelled_names("v", &v, &[2], &Names, &labels), ["v[1]", "v[2]"]);
    }
}
