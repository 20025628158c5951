//! Evaluating the data-only expressions of declarations (sizes and bounds)
//! over the data bound so far.
//!
//! Deliberately small: literals, data variables (whole, or indexed down to
//! one element), dim sizes, arithmetic, comparisons and logic, the ternary,
//! and the functions sizes are usually written with (`size num_elements rows
//! cols min max sum abs fmin fmax sqrt exp log square pow`). Anything else
//! is reported at its span rather than guessed; general transformed data
//! needs the IR interpreter.

use super::value::{BoundData, DataStorage, DataValue};
use crate::check::typed::{Size, TypedDecl, TypedExpr, TypedExprKind, TypedIndex, TypedProgram};
use crate::check::types::ElemType;
use crate::diagnostics::Diagnostic;
use crate::syntax::ast::{BinOp, UnOp};
use crate::syntax::span::Span;

/// What the evaluator can see: dim sizes and the values bound so far.
pub(crate) struct EvalCtx<'a> {
    pub dim_sizes: &'a [Option<usize>],
    pub values: &'a [Option<DataValue>],
}

/// A value during evaluation.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Val<'a> {
    Int(i64),
    Real(f64),
    /// A whole container variable.
    Data(&'a DataValue),
}

/// Why an expression has no value.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum EvalError {
    /// It reads a variable or dim that has no valid value; that problem was
    /// reported where it arose, so this one stays quiet.
    Unavailable,
    /// A construct the evaluator does not handle, or an arithmetic failure.
    Failed { span: Span, what: String },
}

fn fail<T>(e: &TypedExpr, what: impl Into<String>) -> Result<T, EvalError> {
    Err(EvalError::Failed {
        span: e.span,
        what: what.into(),
    })
}

impl<'a> EvalCtx<'a> {
    /// Evaluates an expression.
    pub fn eval(&self, e: &TypedExpr) -> Result<Val<'a>, EvalError> {
        match &e.kind {
            TypedExprKind::IntLit(i) => Ok(Val::Int(*i)),
            TypedExprKind::RealLit(x) => Ok(Val::Real(*x)),
            TypedExprKind::Var(v) => match self.values.get(*v).and_then(Option::as_ref) {
                Some(d) if d.shape.is_empty() => match &d.storage {
                    DataStorage::Ints(x) => x
                        .first()
                        .map(|&i| Val::Int(i))
                        .ok_or(EvalError::Unavailable),
                    DataStorage::Reals(x) => x
                        .first()
                        .map(|&r| Val::Real(r))
                        .ok_or(EvalError::Unavailable),
                },
                Some(d) => Ok(Val::Data(d)),
                None => Err(EvalError::Unavailable),
            },
            TypedExprKind::DimSize(d) => match self.dim_sizes.get(*d).copied().flatten() {
                Some(n) => i64::try_from(n)
                    .map(Val::Int)
                    .or_else(|_| fail(e, "the dim's size is too large")),
                None => Err(EvalError::Unavailable),
            },
            TypedExprKind::Unary { op, operand } => {
                let v = self.eval(operand)?;
                match (op, v) {
                    (UnOp::Plus, Val::Int(_) | Val::Real(_)) => Ok(v),
                    (UnOp::Neg, Val::Int(i)) => i
                        .checked_neg()
                        .map(Val::Int)
                        .map_or_else(|| fail(e, "integer overflow"), Ok),
                    (UnOp::Neg, Val::Real(x)) => Ok(Val::Real(-x)),
                    (UnOp::Not, Val::Int(i)) => Ok(Val::Int((i == 0) as i64)),
                    (UnOp::Not, Val::Real(x)) => Ok(Val::Int((x == 0.0) as i64)),
                    _ => fail(e, format!("`{}` of a container", op.symbol())),
                }
            }
            TypedExprKind::Binary { op, lhs, rhs } => {
                let (a, b) = (self.eval(lhs)?, self.eval(rhs)?);
                binary(e, *op, a, b)
            }
            TypedExprKind::Ternary {
                cond,
                then,
                otherwise,
            } => {
                let c = match self.eval(cond)? {
                    Val::Int(i) => i != 0,
                    Val::Real(x) => x != 0.0,
                    Val::Data(_) => return fail(cond, "a container used as a condition"),
                };
                self.eval(if c { then } else { otherwise })
            }
            TypedExprKind::Index { base, indices, .. } => self.index(e, base, indices),
            TypedExprKind::Call { func, args } => self.call(e, func, args),
            _ => fail(
                e,
                "this kind of expression cannot be evaluated while data are read",
            ),
        }
    }

    /// `x[i, j]` down to one element.
    fn index(
        &self,
        e: &TypedExpr,
        base: &TypedExpr,
        indices: &[TypedIndex],
    ) -> Result<Val<'a>, EvalError> {
        let Val::Data(d) = self.eval(base)? else {
            return fail(e, "indexing a scalar");
        };
        let mut idx = Vec::with_capacity(indices.len());
        for i in indices {
            let TypedIndex::Single(ie) = i else {
                return fail(e, "only single indices (one element) can be evaluated here");
            };
            match self.eval(ie)? {
                Val::Int(k) if k >= 1 => idx.push(usize::try_from(k - 1).unwrap_or(usize::MAX)),
                Val::Int(k) => return fail(ie, format!("index {k} is below 1")),
                _ => return fail(ie, "an index must be an integer"),
            }
        }
        if idx.len() != d.shape.len() {
            return fail(e, "only indexing down to one element can be evaluated here");
        }
        let Some(off) = d.offset(&idx) else {
            return fail(
                e,
                format!(
                    "index out of range (the shape is {})",
                    super::show::shape(&d.shape)
                ),
            );
        };
        match &d.storage {
            DataStorage::Ints(v) => v.get(off).map(|&i| Val::Int(i)),
            DataStorage::Reals(v) => v.get(off).map(|&x| Val::Real(x)),
        }
        .map_or_else(|| fail(e, "index out of range"), Ok)
    }

    fn call(&self, e: &TypedExpr, func: &str, args: &[TypedExpr]) -> Result<Val<'a>, EvalError> {
        let vals = args
            .iter()
            .map(|a| self.eval(a))
            .collect::<Result<Vec<_>, _>>()?;
        let count = |n: usize| {
            i64::try_from(n)
                .map(Val::Int)
                .or_else(|_| fail(e, "too large"))
        };
        let elem = args.first().map(|a| a.ty.elem);
        match (func, vals.as_slice()) {
            ("size", [Val::Data(d)]) => count(d.shape.first().copied().unwrap_or(1)),
            ("size" | "num_elements", [Val::Int(_) | Val::Real(_)]) => Ok(Val::Int(1)),
            ("num_elements", [Val::Data(d)]) => count(d.len()),
            ("rows" | "cols", [Val::Data(d)]) => {
                let elem_shape = &d.shape[d.array_rank.min(d.shape.len())..];
                let n = match (func, elem, elem_shape) {
                    ("rows", Some(ElemType::RowVector(_)), _)
                    | ("cols", Some(ElemType::Vector(_)), _) => 1,
                    ("rows", _, [n, ..]) => *n,
                    ("cols", Some(ElemType::RowVector(_)), [n]) | ("cols", _, [_, n]) => *n,
                    _ => return fail(e, format!("`{func}` of this value")),
                };
                count(n)
            }
            (
                "min" | "max",
                [a @ (Val::Int(_) | Val::Real(_)), b @ (Val::Int(_) | Val::Real(_))],
            ) => {
                let lt = match (a, b) {
                    (Val::Int(x), Val::Int(y)) => x < y,
                    _ => real(*a) < real(*b),
                };
                Ok(if lt == (func == "min") { *a } else { *b })
            }
            ("min" | "max" | "sum", [Val::Data(d)]) => reduce(e, func, d),
            ("abs", [Val::Int(i)]) => i
                .checked_abs()
                .map(Val::Int)
                .map_or_else(|| fail(e, "integer overflow"), Ok),
            ("abs" | "fabs", [Val::Real(x)]) => Ok(Val::Real(x.abs())),
            // Bounds written `lower=negative_infinity()` are no bound (see
            // `lower::transform`), which needs their value here.
            ("negative_infinity", []) => Ok(Val::Real(f64::NEG_INFINITY)),
            ("positive_infinity", []) => Ok(Val::Real(f64::INFINITY)),
            ("fmin" | "fmax" | "pow", [a, b]) if is_scalar(a) && is_scalar(b) => {
                let (x, y) = (real(*a), real(*b));
                Ok(Val::Real(match func {
                    "fmin" => x.min(y),
                    "fmax" => x.max(y),
                    _ => x.powf(y),
                }))
            }
            ("sqrt" | "exp" | "log" | "square", [a]) if is_scalar(a) => {
                let x = real(*a);
                Ok(Val::Real(match func {
                    "sqrt" => x.sqrt(),
                    "exp" => x.exp(),
                    "log" => x.ln(),
                    _ => x * x,
                }))
            }
            _ => fail(
                e,
                format!("`{func}(...)` cannot be evaluated while data are read"),
            ),
        }
    }
}

fn is_scalar(v: &Val) -> bool {
    !matches!(v, Val::Data(_))
}

fn real(v: Val) -> f64 {
    match v {
        Val::Int(i) => i as f64,
        Val::Real(x) => x,
        Val::Data(_) => f64::NAN,
    }
}

/// `min`, `max` or `sum` of a container's elements.
fn reduce<'a>(e: &TypedExpr, func: &str, d: &DataValue) -> Result<Val<'a>, EvalError> {
    match &d.storage {
        DataStorage::Ints(v) => {
            let r = match func {
                "min" => v.iter().copied().min(),
                "max" => v.iter().copied().max(),
                _ => v.iter().try_fold(0i64, |a, &x| a.checked_add(x)),
            };
            r.map(Val::Int).map_or_else(
                || fail(e, format!("`{func}` of an empty container or overflow")),
                Ok,
            )
        }
        DataStorage::Reals(v) => Ok(Val::Real(match func {
            "min" => v.iter().copied().fold(f64::INFINITY, f64::min),
            "max" => v.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            _ => v.iter().sum(),
        })),
    }
}

/// A binary operator on scalars, with Stan's integer semantics (`/` on two
/// ints truncates, as in C++).
fn binary<'a>(e: &TypedExpr, op: BinOp, a: Val<'a>, b: Val<'a>) -> Result<Val<'a>, EvalError> {
    use BinOp::*;
    if !is_scalar(&a) || !is_scalar(&b) {
        return fail(
            e,
            format!(
                "`{}` on a container cannot be evaluated while data are read",
                op.symbol()
            ),
        );
    }
    let overflow = || fail(e, "integer overflow");
    if let (Val::Int(x), Val::Int(y)) = (a, b) {
        let r = match op {
            Add => x.checked_add(y),
            Sub => x.checked_sub(y),
            Mul => x.checked_mul(y),
            Div | IntDiv | Mod if y == 0 => return fail(e, "division by zero"),
            Div | IntDiv => x.checked_div(y),
            Mod => x.checked_rem(y),
            _ => None,
        };
        if let Some(r) = r {
            return Ok(Val::Int(r));
        }
        if matches!(op, Add | Sub | Mul | Div | IntDiv | Mod) {
            return overflow();
        }
    }
    let (x, y) = (real(a), real(b));
    let truth = |t: bool| Ok(Val::Int(t as i64));
    match op {
        Add => Ok(Val::Real(x + y)),
        Sub => Ok(Val::Real(x - y)),
        Mul | EltMul => Ok(Val::Real(x * y)),
        Div | EltDiv => Ok(Val::Real(x / y)),
        Pow | EltPow => Ok(Val::Real(x.powf(y))),
        Eq => truth(x == y),
        Neq => truth(x != y),
        Lt => truth(x < y),
        Leq => truth(x <= y),
        Gt => truth(x > y),
        Geq => truth(x >= y),
        And => truth(x != 0.0 && y != 0.0),
        Or => truth(x != 0.0 || y != 0.0),
        Mod | IntDiv | LeftDiv => fail(e, format!("`{}` needs integers here", op.symbol())),
    }
}

/// The value of an int expression over the bound data (and the transformed
/// data computed to size the program), or `None` when it reads anything
/// else (a loop variable, a local, a parameter) or is not an int.
pub(crate) fn const_int_of_data(bound: &BoundData, e: &TypedExpr) -> Option<i64> {
    let dim_sizes: Vec<Option<usize>> = bound.dim_sizes.iter().copied().map(Some).collect();
    let ctx = EvalCtx { dim_sizes: &dim_sizes, values: &bound.values };
    match ctx.eval(e) {
        Ok(Val::Int(n)) => Some(n),
        _ => None,
    }
}

/// The value of a real (or int) expression over the bound data, as
/// [`const_int_of_data`]; `None` when it reads anything else.
pub(crate) fn const_real_of_data(bound: &BoundData, e: &TypedExpr) -> Option<f64> {
    let dim_sizes: Vec<Option<usize>> = bound.dim_sizes.iter().copied().map(Some).collect();
    let ctx = EvalCtx { dim_sizes: &dim_sizes, values: &bound.values };
    match ctx.eval(e) {
        Ok(Val::Int(n)) => Some(n as f64),
        Ok(Val::Real(x)) => Some(x),
        _ => None,
    }
}

/// Evaluates one declared size to a non-negative length.
pub(crate) fn size(ctx: &EvalCtx, size: &Size) -> Result<usize, SizeError> {
    match size {
        Size::Dim(d) => ctx
            .dim_sizes
            .get(*d)
            .copied()
            .flatten()
            .ok_or(SizeError::Unavailable),
        Size::Expr(e) => match ctx.eval(e) {
            Ok(Val::Int(n)) => usize::try_from(n).map_err(|_| SizeError::Negative {
                span: e.span,
                value: n,
            }),
            Ok(_) => Err(SizeError::Failed {
                span: e.span,
                what: "a size must be a single integer".into(),
            }),
            Err(EvalError::Unavailable) => Err(SizeError::Unavailable),
            Err(EvalError::Failed { span, what }) => Err(SizeError::Failed { span, what }),
        },
    }
}

/// Why a declared size has no value.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum SizeError {
    /// Depends on something already reported as wrong.
    Unavailable,
    Negative {
        span: Span,
        value: i64,
    },
    Failed {
        span: Span,
        what: String,
    },
}

/// The shape (every axis, Stan's indexing order) of a declaration whose
/// sizes are data-only, evaluated over bound data: how later stages size
/// parameters and other blocks' variables.
pub fn decl_shape(
    program: &TypedProgram,
    bound: &BoundData,
    decl: &TypedDecl,
) -> Result<Vec<usize>, Diagnostic> {
    let dim_sizes: Vec<Option<usize>> = bound.dim_sizes.iter().copied().map(Some).collect();
    let ctx = EvalCtx {
        dim_sizes: &dim_sizes,
        values: &bound.values,
    };
    let name = &program.var(decl.var).name;
    decl.sizes
        .iter()
        .map(|s| size(&ctx, s).map_err(|e| size_diagnostic(program, name, decl, e)))
        .collect()
}

/// The diagnostic for a size that cannot be evaluated (E4050) or is
/// negative (E4051).
pub(crate) fn size_diagnostic(
    program: &TypedProgram,
    name: &str,
    decl: &TypedDecl,
    e: SizeError,
) -> Diagnostic {
    let ty = super::show::decl_type(program, decl);
    match e {
        SizeError::Negative { span, value } => Diagnostic::error(
            "E4051",
            format!("the size of `{name}` is {value}, which is negative"),
        )
        .with_label(span, format!("this size is {value}"))
        .with_label(decl.span, format!("declared here as `{ty}`"))
        .with_help("sizes must be 0 or more; check the data this size is computed from"),
        SizeError::Failed { span, what } => Diagnostic::error(
            "E4050",
            format!("the size of `{name}` cannot be computed from the data: {what}"),
        )
        .with_label(span, "this size must be computable from earlier data")
        .with_label(decl.span, format!("declared here as `{ty}`"))
        .with_help("write sizes with data variables, dim names, literals and arithmetic"),
        SizeError::Unavailable => Diagnostic::error(
            "E4050",
            format!("the size of `{name}` depends on data or dims that have no valid value"),
        )
        .with_label(decl.span, format!("declared here as `{ty}`"))
        .with_help("fix the errors reported for the data this size is computed from"),
    }
}
