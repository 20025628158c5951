//! Typing of `map_rect(f, phi, thetas, x_rs, x_is)`, which
//! `syntax::functions` expands into statements computing the result and
//! the marker call `map_rect@f(phi, thetas, x_rs, x_is, out)`. Here the
//! arguments must have Stan's types, `x_rs` and `x_is` be data (the
//! expansion alone would accept whatever the body can use); the typed
//! result is `out`.

use super::typed::{Level, TypedExpr};
use super::types::{ElemType, Type};
use super::Checker;
use crate::diagnostics::Diagnostic;
use crate::syntax::ast::Expr;
use crate::syntax::span::Span;

/// The name of a marker call's mapped function (`map_rect@job`).
pub fn split_map_rect(func: &str) -> Option<&str> {
    func.strip_prefix("map_rect@")
}

/// What each argument after `f` must be: its description and test.
const RULES: [(&str, fn(&Type) -> bool); 4] = [
    ("the shared parameters `phi`, a `vector`", |t| t.array.is_empty() && matches!(t.elem, ElemType::Vector(_))),
    ("the job parameters `thetas`, an `array[] vector`", |t| t.array.len() == 1 && matches!(t.elem, ElemType::Vector(_))),
    ("the real data `x_rs`, an `array[,] real`", |t| t.array.len() == 2 && t.elem.is_scalar()),
    ("the integer data `x_is`, an `array[,] int`", |t| t.array.len() == 2 && t.elem.is_int()),
];

impl Checker {
    /// Checks the marker call of an expanded `map_rect`; `None` after
    /// reporting what is wrong.
    pub(super) fn check_map_rect(&mut self, args: &[Expr], span: Span) -> Option<TypedExpr> {
        let (out, given) = args.split_last()?;
        let typed: Vec<TypedExpr> = given.iter().map(|a| self.check_expr(a)).collect::<Option<_>>()?;
        for (k, (t, (what, ok))) in typed.iter().zip(RULES).enumerate() {
            if !ok(&t.ty) {
                let found = self.show(&t.ty);
                self.report(
                    Diagnostic::error("E1002", format!("argument {} of `map_rect` must be {what}, found `{found}`", k + 2))
                        .with_label(t.span, "wrong type")
                        .with_help("see `map_rect` in Stan's functions reference"),
                );
                return None;
            }
            if k >= 2 && t.level != Level::Data {
                self.report(
                    Diagnostic::error("E1002", format!("argument {} of `map_rect`, {what}, must be data", k + 2))
                        .with_label(t.span, "depends on parameters")
                        .with_help("pass job-specific parameters in `thetas` and shared ones in `phi`"),
                );
                return None;
            }
        }
        let out = self.check_expr(out)?;
        Some(TypedExpr { span, ..out })
    }
}
