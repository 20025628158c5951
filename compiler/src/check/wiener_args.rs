//! Constant arguments of Stan's five- and seven-argument `wiener` outside
//! the domain Stan checks (E1002): a literal `sv` or `st0` below 0, `sw`
//! outside [0, 1), or literal `w` and `sw` whose start-point window
//! `w ± sw/2` leaves (0, 1). At run time the density of such arguments is
//! -inf (a rejected proposal) like every density's; written as constants
//! they could never be valid, so they are refused when the program is
//! checked, with Stan's words.

use super::typed::{TypedExpr, TypedExprKind};
use super::Checker;
use crate::diagnostics::Diagnostic;
use crate::syntax::ast::UnOp;

/// The value of a literal, possibly negated.
fn constant(e: &TypedExpr) -> Option<f64> {
    match &e.kind {
        TypedExprKind::RealLit(x) => Some(*x),
        TypedExprKind::IntLit(i) => Some(*i as f64),
        TypedExprKind::Unary { op: UnOp::Neg, operand } => constant(operand).map(|x| -x),
        _ => None,
    }
}

impl Checker {
    /// Reports the first constant argument of `wiener_sv`/`wiener_full`
    /// (written `wiener`) outside Stan's domain; `None` when there is one.
    pub(super) fn check_wiener_constants(&mut self, written: &str, params: &[TypedExpr]) -> Option<()> {
        // (position, name, valid, Stan's words for the domain)
        let rules: [(usize, &str, fn(f64) -> bool, &str); 3] = [
            (4, "sv", |x| x >= 0.0 && x.is_finite(), "nonnegative and finite"),
            (5, "sw", |x| (0.0..1.0).contains(&x), "in the interval [0, 1)"),
            (6, "st0", |x| x >= 0.0 && x.is_finite(), "nonnegative and finite"),
        ];
        for (k, name, valid, words) in rules {
            let Some(p) = params.get(k) else { continue };
            if let Some(x) = constant(p).filter(|x| !valid(*x)) {
                self.report(
                    Diagnostic::error("E1002", format!("the argument `{name}` of `{written}` is {x}, but must be {words}"))
                        .with_label(p.span, format!("`{name}` is {x}"))
                        .with_help("Stan rejects every draw with this value: the density is 0 for it"),
                );
                return None;
            }
        }
        if let (Some(w), Some(sw)) = (params.get(2).and_then(constant), params.get(5).and_then(constant)) {
            if w - sw / 2.0 <= 0.0 || w + sw / 2.0 >= 1.0 {
                self.report(
                    Diagnostic::error(
                        "E1002",
                        format!("the start point of `{written}` varies over w ± sw/2 = [{}, {}], which must lie inside (0, 1)", w - sw / 2.0, w + sw / 2.0),
                    )
                    .with_label(params[5].span, format!("`sw` is {sw}"))
                    .with_help("sw must be smaller than 2 w and 2 (1 - w)"),
                );
                return None;
            }
        }
        Some(())
    }
}
