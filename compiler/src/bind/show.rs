//! Text for messages: declared types as the user wrote them
//! (`vector<lower=0>[obs]`), data-only expressions, positions (`x[3, 2]`)
//! and values.

use crate::check::typed::{
    Constraint, Size, TypedDecl, TypedExpr, TypedExprKind, TypedIndex, TypedProgram,
};
use crate::check::types::ElemType;
use crate::syntax::ast::UnOp;

/// The declared type as written, e.g. `array[obs] real<lower=0>` or
/// `cov_matrix[K]`.
pub(crate) fn decl_type(program: &TypedProgram, decl: &TypedDecl) -> String {
    let ty = &program.var(decl.var).ty;
    let size = |s: &Size| match s {
        Size::Dim(d) => program
            .dims
            .dims
            .get(*d)
            .map_or("?".to_string(), |d| d.name.clone()),
        Size::Expr(e) => expr(program, e),
    };
    let sizes: Vec<String> = decl.sizes.iter().map(size).collect();
    let (arr, elem) = sizes.split_at(ty.array.len().min(sizes.len()));
    let mut out = String::new();
    if !arr.is_empty() {
        out.push_str(&format!("array[{}] ", arr.join(", ")));
    }
    let bracket = |v: &[String]| {
        if v.is_empty() {
            String::new()
        } else {
            format!("[{}]", v.join(", "))
        }
    };
    let first = elem.get(..1).unwrap_or(&[]);
    let square = match &decl.constraint {
        Constraint::Simplex => Some("simplex"),
        Constraint::Ordered => Some("ordered"),
        Constraint::PositiveOrdered => Some("positive_ordered"),
        Constraint::UnitVector => Some("unit_vector"),
        Constraint::SumToZero => Some("sum_to_zero_vector"),
        Constraint::CholeskyFactorCorr => Some("cholesky_factor_corr"),
        Constraint::CorrMatrix => Some("corr_matrix"),
        Constraint::CovMatrix => Some("cov_matrix"),
        _ => None,
    };
    if let Some(kw) = square {
        out.push_str(kw);
        out.push_str(&bracket(first));
        return out;
    }
    if let Constraint::Matrix(kind) = decl.constraint {
        out.push_str(kind.keyword());
        out.push_str(&bracket(elem));
        return out;
    }
    if decl.constraint == Constraint::CholeskyFactorCov {
        let dims = if elem.len() == 2 && elem[0] == elem[1] {
            first
        } else {
            elem
        };
        out.push_str("cholesky_factor_cov");
        out.push_str(&bracket(dims));
        return out;
    }
    if let ElemType::Int { index_of: Some(d) } = ty.elem {
        out.push_str(program.dims.dims.get(d).map_or("?", |d| d.name.as_str()));
        return out;
    }
    out.push_str(ty.elem.kind_name());
    out.push_str(&constraint(program, &decl.constraint));
    out.push_str(&bracket(elem));
    out
}

/// `<lower=a, upper=b>` or `<offset=m, multiplier=s>`, or nothing.
fn constraint(program: &TypedProgram, c: &Constraint) -> String {
    let parts: Vec<String> = match c {
        Constraint::Bounds { lower, upper } => [("lower", lower), ("upper", upper)]
            .iter()
            .filter_map(|(k, e)| e.as_ref().map(|e| format!("{k}={}", expr(program, e))))
            .collect(),
        Constraint::OffsetMultiplier { offset, multiplier } => {
            [("offset", offset), ("multiplier", multiplier)]
                .iter()
                .filter_map(|(k, e)| e.as_ref().map(|e| format!("{k}={}", expr(program, e))))
                .collect()
        }
        _ => Vec::new(),
    };
    if parts.is_empty() {
        String::new()
    } else {
        format!("<{}>", parts.join(", "))
    }
}

/// An expression as source text (parenthesised where nested).
pub(crate) fn expr(program: &TypedProgram, e: &TypedExpr) -> String {
    let sub = |e: &TypedExpr| {
        let s = expr(program, e);
        match e.kind {
            TypedExprKind::Binary { .. } | TypedExprKind::Ternary { .. } => format!("({s})"),
            _ => s,
        }
    };
    let list = |es: &[TypedExpr]| {
        es.iter()
            .map(|e| expr(program, e))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match &e.kind {
        TypedExprKind::IntLit(i) => i.to_string(),
        TypedExprKind::RealLit(x) => format!("{x:?}"),
        TypedExprKind::Var(v) => program
            .vars
            .get(*v)
            .map_or("?".to_string(), |v| v.name.clone()),
        TypedExprKind::DimSize(d) => program
            .dims
            .dims
            .get(*d)
            .map_or("?".to_string(), |d| d.name.clone()),
        TypedExprKind::Call { func, args } => format!("{func}({})", list(args)),
        TypedExprKind::Binary { op, lhs, rhs } => {
            format!("{} {} {}", sub(lhs), op.symbol(), sub(rhs))
        }
        TypedExprKind::Unary {
            op: UnOp::Transpose,
            operand,
        } => format!("{}'", sub(operand)),
        TypedExprKind::Unary { op, operand } => format!("{}{}", op.symbol(), sub(operand)),
        TypedExprKind::Ternary {
            cond,
            then,
            otherwise,
        } => {
            format!("{} ? {} : {}", sub(cond), sub(then), sub(otherwise))
        }
        TypedExprKind::Index { base, indices, .. } => {
            let idx: Vec<String> = indices
                .iter()
                .map(|i| match i {
                    TypedIndex::Single(e) | TypedIndex::Multi(e) => expr(program, e),
                    TypedIndex::Range { lower, upper } => format!(
                        "{}:{}",
                        lower.as_ref().map_or(String::new(), |e| expr(program, e)),
                        upper.as_ref().map_or(String::new(), |e| expr(program, e))
                    ),
                    TypedIndex::All => String::new(),
                })
                .collect();
            format!("{}[{}]", sub(base), idx.join(", "))
        }
        TypedExprKind::ArrayExpr(es) => format!("{{{}}}", list(es)),
        TypedExprKind::RowVectorExpr(es) => format!("[{}]", list(es)),
        TypedExprKind::Target => "target()".to_string(),
    }
}

/// A 1-based Stan-style position: `x` for a scalar, `x[3, 2]` otherwise.
pub(crate) fn position(name: &str, index0: &[usize]) -> String {
    if index0.is_empty() {
        return name.to_string();
    }
    let idx: Vec<String> = index0.iter().map(|i| (i + 1).to_string()).collect();
    format!("{name}[{}]", idx.join(", "))
}

/// A shape for messages: `192`, `3 × 4`, or `a scalar`.
pub(crate) fn shape(shape: &[usize]) -> String {
    if shape.is_empty() {
        return "a scalar".to_string();
    }
    shape
        .iter()
        .map(usize::to_string)
        .collect::<Vec<_>>()
        .join(" × ")
}

/// A real as Stan would print it, integral values without a fraction.
pub(crate) fn real(x: f64) -> String {
    if x.is_nan() {
        "NaN".to_string()
    } else if x.is_infinite() {
        if x > 0.0 { "inf" } else { "-inf" }.to_string()
    } else {
        format!("{x}")
    }
}
