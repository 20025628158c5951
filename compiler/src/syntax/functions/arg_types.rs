//! The types of call arguments read off the program before type checking,
//! for choosing among the overloads of a user function (`overloads.rs`).
//!
//! A variable's type is its declaration (a block's or a body's local, a
//! function's argument, a loop variable), a literal's its kind, and the rest
//! follows the checker's own rules: its operator typing
//! ([`crate::check::binary_type`], [`crate::check::unary_type`]) and its
//! library signatures ([`signatures::resolve_function`]); a user function's
//! call has its declared result, a univariate `_rng` of scalars its draw.
//! A tuple has no checker type: [`signature_type`] writes it as a signature
//! does. Anything else (a vectorised or multivariate draw, an expression
//! the checker would refuse) is unknown (`None`): the resolver then decides
//! without it only when it cannot matter.

use crate::check::signatures;
use crate::check::typed::{Level, TypedExpr, TypedExprKind};
use crate::check::types::{Axis, ElemType, Type};
use crate::syntax::ast::{BaseTypeExpr, Expr, ExprKind, FunType, Index, TypeExpr};
use crate::syntax::span::Span;

/// What a name in scope was declared as.
#[derive(Clone, Debug)]
pub(super) enum Declared {
    /// A variable of a block or a local of a body: `vector[n] x;`.
    Var(TypeExpr),
    /// An argument of the function whose body is read: `array[] real x`.
    Arg(FunType),
    /// A `foreach` variable: an element of what it runs over.
    Elem(Type),
}

/// What the inference needs to know about the names in an expression.
pub(super) trait Names {
    /// The declaration in scope of the variable `name`.
    fn variable(&self, name: &str) -> Option<Declared>;
    /// The declared result of the user function a call names, `None` when
    /// it names none (or that function has overloads not yet chosen).
    fn user_result(&self, called: &str) -> Option<FunType>;
}

impl Declared {
    /// The declared type (`None` for a tuple).
    pub(super) fn ty(&self) -> Option<Type> {
        match self {
            Declared::Var(t) => Some(Type::array_of(vec![Axis::Anon; t.array_sizes.len()], base_elem(&t.base)?)),
            Declared::Arg(t) => fun_type(t),
            Declared::Elem(t) => Some(t.clone()),
        }
    }

    /// Element `index` (from 1) of a tuple that is not an array.
    fn tuple_element(&self, index: usize) -> Option<Declared> {
        let at = index.checked_sub(1)?;
        match self {
            Declared::Var(TypeExpr { array_sizes, base: BaseTypeExpr::Tuple(elements), .. }) if array_sizes.is_empty() => {
                elements.get(at).cloned().map(Declared::Var)
            }
            Declared::Arg(t) if t.array_dims == 0 => t.elements.get(at).cloned().map(Declared::Arg),
            _ => None,
        }
    }

    /// What `foreach` over this runs through: an array's elements, a
    /// vector's or matrix's scalars.
    pub(super) fn element(&self) -> Option<Declared> {
        match self {
            Declared::Var(t) if !t.array_sizes.is_empty() => {
                Some(Declared::Var(TypeExpr { array_sizes: t.array_sizes[1..].to_vec(), ..t.clone() }))
            }
            Declared::Arg(t) if t.array_dims > 0 => Some(Declared::Arg(FunType { array_dims: t.array_dims - 1, ..t.clone() })),
            _ => element_type(&self.ty()?).map(Declared::Elem),
        }
    }
}

/// The element `foreach` gives of a value of type `t`.
pub(super) fn element_type(t: &Type) -> Option<Type> {
    if !t.array.is_empty() {
        return Some(Type::array_of(t.array[1..].to_vec(), t.elem));
    }
    match t.elem {
        ElemType::Vector(_) | ElemType::RowVector(_) | ElemType::Matrix(..) => Some(Type::real()),
        ElemType::ComplexVector(_) | ElemType::ComplexRowVector(_) | ElemType::ComplexMatrix(..) => Some(Type::scalar_or_elem(ElemType::Complex)),
        _ => None,
    }
}

/// The type a function signature names (`None` for `void` or a tuple).
pub(super) fn fun_type(t: &FunType) -> Option<Type> {
    let a = Axis::Anon;
    let elem = match t.base.as_str() {
        "int" => ElemType::INT,
        "real" => ElemType::Real,
        "vector" => ElemType::Vector(a),
        "row_vector" => ElemType::RowVector(a),
        "matrix" => ElemType::Matrix(a, a),
        "complex" => ElemType::Complex,
        "complex_vector" => ElemType::ComplexVector(a),
        "complex_row_vector" => ElemType::ComplexRowVector(a),
        "complex_matrix" => ElemType::ComplexMatrix(a, a),
        _ => return None,
    };
    Some(Type::array_of(vec![a; t.array_dims], elem))
}

/// The element kind a declaration's base type holds (constraints dropped).
fn base_elem(b: &BaseTypeExpr) -> Option<ElemType> {
    let a = Axis::Anon;
    Some(match b {
        BaseTypeExpr::Int { .. } | BaseTypeExpr::DimIndex(_) => ElemType::INT,
        BaseTypeExpr::Real { .. } => ElemType::Real,
        BaseTypeExpr::Vector { .. }
        | BaseTypeExpr::Simplex { .. }
        | BaseTypeExpr::Ordered { .. }
        | BaseTypeExpr::PositiveOrdered { .. }
        | BaseTypeExpr::UnitVector { .. }
        | BaseTypeExpr::SumToZeroVector { .. } => ElemType::Vector(a),
        BaseTypeExpr::RowVector { .. } => ElemType::RowVector(a),
        BaseTypeExpr::Matrix { .. }
        | BaseTypeExpr::ConstrainedMatrix { .. }
        | BaseTypeExpr::CholeskyFactorCorr { .. }
        | BaseTypeExpr::CholeskyFactorCov { .. }
        | BaseTypeExpr::CorrMatrix { .. }
        | BaseTypeExpr::CovMatrix { .. } => ElemType::Matrix(a, a),
        BaseTypeExpr::Complex => ElemType::Complex,
        BaseTypeExpr::ComplexVector { .. } => ElemType::ComplexVector(a),
        BaseTypeExpr::ComplexRowVector { .. } => ElemType::ComplexRowVector(a),
        BaseTypeExpr::ComplexMatrix { .. } => ElemType::ComplexMatrix(a, a),
        BaseTypeExpr::Tuple(_) => return None,
    })
}

/// The declaration behind a variable or a tuple element of one.
pub(super) fn declared_of(e: &Expr, names: &dyn Names) -> Option<Declared> {
    match &e.kind {
        ExprKind::Var(v) => names.variable(&v.name),
        ExprKind::TupleIndex { base, index } => declared_of(base, names)?.tuple_element(*index),
        ExprKind::Paren(x) => declared_of(x, names),
        _ => None,
    }
}

/// `e`'s type as a signature writes it, tuples included (`tuple(real,
/// vector)`, `array[] tuple(int, real)`, a tuple literal's from its
/// items'); `None` when it cannot be told before checking.
pub(super) fn signature_type(e: &Expr, names: &dyn Names) -> Option<FunType> {
    match (&e.kind, declared_of(e, names)) {
        (_, Some(Declared::Var(t))) => declared_fun_type(&t, e.span),
        (_, Some(Declared::Arg(t))) => Some(t),
        (ExprKind::TupleExpr(items), _) => {
            let elements = items.iter().map(|x| signature_type(x, names)).collect::<Option<Vec<_>>>()?;
            Some(FunType { array_dims: 0, base: "tuple(...)".to_string(), elements, span: e.span })
        }
        (ExprKind::Call { func, .. } | ExprKind::CondCall { func, .. }, _) if names.user_result(&func.name).is_some() => names.user_result(&func.name),
        _ => {
            let t = infer(e, names)?;
            Some(FunType { array_dims: t.array.len(), base: t.elem.kind_name().to_string(), elements: Vec::new(), span: e.span })
        }
    }
}

/// A tuple-valued `e`'s type as a signature writes it; `None` for
/// anything else.
pub(super) fn tuple_text(e: &Expr, names: &dyn Names) -> Option<String> {
    let text = super::type_text(&signature_type(e, names)?);
    text.contains("tuple(").then_some(text)
}

/// A declaration's type as a signature writes it, constraints and sizes
/// dropped.
fn declared_fun_type(t: &TypeExpr, span: Span) -> Option<FunType> {
    let (base, elements) = match &t.base {
        BaseTypeExpr::Tuple(elements) => {
            ("tuple(...)".to_string(), elements.iter().map(|x| declared_fun_type(x, span)).collect::<Option<Vec<_>>>()?)
        }
        other => (base_elem(other)?.kind_name().to_string(), Vec::new()),
    };
    Some(FunType { array_dims: t.array_sizes.len(), base, elements, span })
}

/// The type of `e`, or `None` when it cannot be told before checking.
pub(super) fn infer(e: &Expr, names: &dyn Names) -> Option<Type> {
    match &e.kind {
        ExprKind::IntLit(_) => Some(Type::int()),
        ExprKind::RealLit(_) | ExprKind::Target => Some(Type::real()),
        ExprKind::Paren(x) => infer(x, names),
        ExprKind::Var(_) | ExprKind::TupleIndex { .. } => declared_of(e, names)?.ty(),
        ExprKind::Unary { op, operand } => crate::check::unary_type(*op, &infer(operand, names)?),
        ExprKind::Binary { op, lhs, rhs } => crate::check::binary_type(*op, &infer(lhs, names)?, &infer(rhs, names)?).ok(),
        ExprKind::Ternary { then, otherwise, .. } => join(infer(then, names)?, infer(otherwise, names)?),
        ExprKind::Index { base, indices } => index(infer(base, names)?, indices, names),
        ExprKind::ArrayExpr(items) => {
            let t = joined(items, names)?;
            let mut array = vec![Axis::Anon];
            array.extend(t.array);
            Some(Type::array_of(array, t.elem))
        }
        ExprKind::RowVectorExpr(items) => {
            let t = joined(items, names)?;
            let a = Axis::Anon;
            let elem = match (t.array.is_empty(), t.elem) {
                (true, ElemType::Int { .. } | ElemType::Real) => ElemType::RowVector(a),
                (true, ElemType::Complex) => ElemType::ComplexRowVector(a),
                (true, ElemType::RowVector(_)) => ElemType::Matrix(a, a),
                (true, ElemType::ComplexRowVector(_)) => ElemType::ComplexMatrix(a, a),
                _ => return None,
            };
            Some(Type::scalar_or_elem(elem))
        }
        ExprKind::Call { func, args } => match names.user_result(&func.name) {
            Some(result) => fun_type(&result),
            None if is_density(&func.name) => Some(Type::real()),
            None if func.name.ends_with("_rng") => scalar_draw(&func.name, args, names),
            None => {
                let typed = args
                    .iter()
                    .map(|a| {
                        let ty = infer(a, names)?;
                        Some(TypedExpr { kind: TypedExprKind::RealLit(0.0), ty, level: Level::Data, span: a.span })
                    })
                    .collect::<Option<Vec<_>>>()?;
                signatures::resolve_function(&func.name, &typed).ok()
            }
        },
        ExprKind::CondCall { func, .. } => match names.user_result(&func.name) {
            Some(result) => fun_type(&result),
            None => Some(Type::real()),
        },
        ExprKind::TupleExpr(_) => None,
    }
}

/// A univariate `_rng` given scalars draws one `int` (discrete) or `real`;
/// other draws (vectorised, multivariate) are not told here.
fn scalar_draw(name: &str, args: &[Expr], names: &dyn Names) -> Option<Type> {
    let (dist, suffix) = signatures::split_written_density_name(name)?;
    let scalars = args.iter().all(|a| infer(a, names).is_some_and(|t| t.is_scalar()));
    if suffix != signatures::DensitySuffix::Rng || dist.multivariate || !scalars {
        return None;
    }
    Some(if dist.discrete { Type::int() } else { Type::real() })
}

/// Whether `name` is a log density or a cdf (a `real`).
fn is_density(name: &str) -> bool {
    ["_lpdf", "_lupdf", "_lpmf", "_lupmf", "_lcdf", "_lccdf", "_cdf"].iter().any(|s| name.ends_with(s))
}

/// The type both of two values fit (an int meets a real as a real).
fn join(a: Type, b: Type) -> Option<Type> {
    if a.accepts(&b) {
        Some(a)
    } else if b.accepts(&a) {
        Some(b)
    } else {
        None
    }
}

/// The one type every item of `[...]` or `{...}` fits.
fn joined(items: &[Expr], names: &dyn Names) -> Option<Type> {
    let mut types = items.iter().map(|x| infer(x, names));
    let first = types.next()??;
    types.try_fold(first, |acc, t| join(acc, t?))
}

/// `base[indices]`: a single index drops its axis, a range, `:` or an
/// array of ints keeps it.
fn index(base: Type, indices: &[Index], names: &dyn Names) -> Option<Type> {
    let mut kept = Vec::with_capacity(indices.len());
    for i in indices {
        kept.push(match i {
            Index::Single(x) => {
                let t = infer(x, names)?;
                if t.is_int_scalar() {
                    false
                } else if t.is_int_array_1d() {
                    true
                } else {
                    return None;
                }
            }
            Index::Range { .. } | Index::All(_) => true,
        });
    }
    let n = base.array.len();
    if indices.len() > n + base.elem.axes().len() {
        return None;
    }
    let keeps = |pos: usize| kept.get(pos).copied().unwrap_or(true);
    let array: Vec<Axis> = (0..n).filter(|&p| keeps(p)).map(|_| Axis::Anon).collect();
    let complex = base.elem.is_complex();
    let a = Axis::Anon;
    let scalar = if complex { ElemType::Complex } else { ElemType::Real };
    let elem = match base.elem.axes().len() {
        0 => base.elem,
        1 if keeps(n) => base.elem.erase_dims(),
        1 => scalar,
        _ => match (keeps(n), keeps(n + 1), complex) {
            (true, true, _) => base.elem.erase_dims(),
            (false, false, _) => scalar,
            (false, true, false) => ElemType::RowVector(a),
            (false, true, true) => ElemType::ComplexRowVector(a),
            (true, false, false) => ElemType::Vector(a),
            (true, false, true) => ElemType::ComplexVector(a),
        },
    };
    Some(Type::array_of(array, elem))
}
