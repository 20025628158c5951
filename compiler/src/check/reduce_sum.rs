//! Typing of `reduce_sum(f, x, grainsize, s...)` (and
//! `reduce_sum_static`), which `syntax::functions` expands into the marker
//! call `reduce_sum@f(grainsize, x, s..., value)`, `value` being `f(x, 1,
//! size(x), s...)` expanded. Here the grainsize must be an `int`, and `x`
//! and the shared arguments the types `f` declares (as stanc3 requires;
//! the expansion alone would accept any argument its body can use). The
//! typed result is `value` itself: nothing after checking sees the call.

use super::typed::TypedExpr;
use super::types::{ElemType, Type};
use super::Checker;
use crate::diagnostics::Diagnostic;
use crate::syntax::ast::{Expr, FunType, Ident};
use crate::syntax::span::Span;

/// Whether a value of type `ty` may be passed where a user function
/// declares `declared` (an `int` is promoted to `real`, as in Stan).
pub(crate) fn fits_declared(ty: &Type, declared: &FunType) -> bool {
    ty.array.len() == declared.array_dims
        && match declared.base.as_str() {
            "int" => ty.elem.is_int(),
            "real" => ty.elem.is_scalar(),
            "vector" => matches!(ty.elem, ElemType::Vector(_)),
            "row_vector" => matches!(ty.elem, ElemType::RowVector(_)),
            "matrix" => matches!(ty.elem, ElemType::Matrix(..)),
            _ => false,
        }
}

/// A declared type as Stan writes it (`array[,] real`).
pub(crate) fn declared_text(t: &FunType) -> String {
    match t.array_dims {
        0 => t.base.clone(),
        n => format!("array[{}] {}", ",".repeat(n - 1), t.base),
    }
}

impl Checker {
    /// Checks the marker call of an expanded `reduce_sum` (`call` is
    /// `reduce_sum` or `reduce_sum_static`, `f` the function passed); `None`
    /// after reporting what is wrong.
    pub(super) fn check_reduce_sum(&mut self, call: &str, f: &str, marker: &Ident, args: &[Expr], span: Span) -> Option<TypedExpr> {
        // The value last: a shared argument of the wrong type is reported
        // as such, not as whatever the body then fails to do with it.
        let (value, given) = args.split_last()?;
        let typed: Vec<TypedExpr> = given.iter().map(|a| self.check_expr(a)).collect::<Option<_>>()?;
        let (grainsize, passed) = typed.split_first()?;
        if !grainsize.ty.is_int_scalar() {
            let found = self.show(&grainsize.ty);
            self.report(
                Diagnostic::error("E1002", format!("the grainsize of `{call}` must be an `int`, found `{found}`"))
                    .with_label(grainsize.span, "grainsize")
                    .with_help("pass a positive `int` (1 lets Stan choose the slices)"),
            );
            return None;
        }
        let params = self.declared_functions.get(&crate::syntax::functions::def_name(f)).map(|d| d.params.clone());
        match params {
            Some(params) => {
                // `passed` is `x` then the shared arguments; `f` takes the
                // slice, `start`, `end`, then the shared arguments.
                let declared = params.iter().take(1).chain(params.iter().skip(3));
                for (k, (a, p)) in passed.iter().zip(declared).enumerate() {
                    if !fits_declared(&a.ty, &p.ty) {
                        let (found, want) = (self.show(&a.ty), declared_text(&p.ty));
                        let what = if k == 0 { "the sliced argument `x`".to_string() } else { format!("the shared argument {k}") };
                        self.report(
                            Diagnostic::error("E1002", format!("{what} of `{call}` is a `{found}`, but `{f}` declares `{want} {}`", p.name.name))
                                .with_label(a.span, format!("`{found}`"))
                                .with_label(p.name.span, format!("declared `{want}`"))
                                .with_help("pass the types the partial sum declares, in its order after `start` and `end`"),
                        );
                        return None;
                    }
                }
            }
            // An expansion outside the whole program (an ODE system's own
            // check): the program's check has compared the types.
            None if passed.first().is_some_and(|x| x.ty.array.is_empty()) => {
                self.report(
                    Diagnostic::error("E1002", format!("the argument `x` of `{call}` must be an array"))
                        .with_label(marker.span, "sliced here"),
                );
                return None;
            }
            None => {}
        }
        let value = self.check_expr(value)?;
        Some(TypedExpr { span, ..value })
    }
}
