//! The variate of a truncated user density declared with a single-value
//! variate (`real foo_lpdf(real y, ...)`), which `syntax::functions`
//! writes as the marker call `truncated#foo_lpdf(y)` in the bounds test
//! `y < L`. One value is the variate itself. A container is refused here
//! by the rule it breaks: Stan truncates only univariate densities, and a
//! vector variate (Stan 2.36) only of a density declared to take one.

use super::typed::TypedExpr;
use super::Checker;
use crate::diagnostics::Diagnostic;
use crate::syntax::ast::Expr;

impl Checker {
    /// The typed variate `arg` of the truncated user density `density`
    /// (`foo_lpdf` or `foo_lpmf`); `None` after reporting a container.
    pub(super) fn check_truncated_variate(&mut self, density: &str, arg: &Expr) -> Option<TypedExpr> {
        let typed = self.check_expr(arg)?;
        if typed.ty.is_scalar() {
            return Some(typed);
        }
        let stem = density.strip_suffix("_lpdf").or_else(|| density.strip_suffix("_lpmf")).unwrap_or(density);
        let shown = self.show(&typed.ty);
        let single = if density.ends_with("_lpmf") { "int" } else { "real" };
        let container = if density.ends_with("_lpmf") { "array[] int" } else { "vector" };
        self.report(
            Diagnostic::error("E0013", format!("a `{shown}` cannot be truncated by `{stem}`, whose `{density}` takes a single value"))
                .with_label(typed.span, format!("a `{shown}`"))
                .with_help(format!(
                    "Stan truncates a univariate density, and a container variate only of a density declared to take one \
                     (Stan 2.36): declare `real {density}({container} y, ...)`, with bounds of one value each; or \
                     truncate each element, `for (n in 1:N) y[n] ~ {stem}(...) T[L, U];` (`{single}` variates)"
                )),
        );
        None
    }
}
