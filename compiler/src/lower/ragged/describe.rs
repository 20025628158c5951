//! Integer expressions written back as Stan source, for messages that
//! name a run-time length (`n[g]`, `pos[g + 1] - pos[g]`).

use crate::check::typed::{TypedExpr, TypedExprKind, TypedIndex, VarId};
use crate::syntax::ast::{BinOp, UnOp};

/// `e` as Stan source; a variable of an inlined user function
/// (`n__f3`) by the name written in the function (`n`).
pub(super) fn describe(e: &TypedExpr, name: &dyn Fn(VarId) -> String) -> String {
    use TypedExprKind as K;
    match &e.kind {
        K::IntLit(n) => n.to_string(),
        K::Var(v) => {
            let full = name(*v);
            match full.split_once("__") {
                Some((written, _)) => written.to_string(),
                None => full,
            }
        }
        K::Index { base, indices, .. } => {
            let ixs: Vec<String> = indices
                .iter()
                .map(|ix| match ix {
                    TypedIndex::Single(i) => describe(i, name),
                    TypedIndex::Range { lower, upper } => format!(
                        "{}:{}",
                        lower.as_ref().map(|l| describe(l, name)).unwrap_or_default(),
                        upper.as_ref().map(|u| describe(u, name)).unwrap_or_default()
                    ),
                    _ => ":".to_string(),
                })
                .collect();
            format!("{}[{}]", describe(base, name), ixs.join(", "))
        }
        K::Call { func, args } => {
            let args: Vec<String> = args.iter().map(|a| describe(a, name)).collect();
            format!("{func}({})", args.join(", "))
        }
        K::Binary { op, lhs, rhs } => {
            let sym = op.symbol();
            let right = match rhs.kind {
                K::Binary { op: BinOp::Add | BinOp::Sub, .. } => format!("({})", describe(rhs, name)),
                _ => describe(rhs, name),
            };
            format!("{} {sym} {right}", describe(lhs, name))
        }
        K::Unary { op: UnOp::Neg, operand } => format!("-{}", describe(operand, name)),
        _ => "the length".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::types::Type;
    use crate::check::typed::Level;
    use crate::syntax::span::Span;

    fn expr(kind: TypedExprKind) -> TypedExpr {
        TypedExpr { kind, ty: Type::int(), level: Level::Data, span: Span::default() }
    }

    /// An indexed length and a difference of two, with an inlined
    /// function's suffix dropped.
    #[test]
    fn lengths_read_as_written() {
        let names = |v: VarId| ["n", "g__f2", "pos"][v].to_string();
        let n_g = expr(TypedExprKind::Index {
            base: Box::new(expr(TypedExprKind::Var(0))),
            indices: vec![TypedIndex::Single(expr(TypedExprKind::Var(1)))],
            zipped: Vec::new(),
        });
        assert_eq!(describe(&n_g, &names), "n[g]");
        let sum = expr(TypedExprKind::Binary { op: BinOp::Add, lhs: Box::new(expr(TypedExprKind::Var(2))), rhs: Box::new(expr(TypedExprKind::IntLit(1))) });
        let diff = expr(TypedExprKind::Binary { op: BinOp::Sub, lhs: Box::new(n_g), rhs: Box::new(sum) });
        assert_eq!(describe(&diff, &names), "n[g] - (pos + 1)");
    }
}
