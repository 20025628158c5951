//! Truncation of a user-defined distribution, `y ~ foo(theta) T[L, U];`,
//! as stanc writes it: the statement becomes
//!
//! ```text
//! if (y < L || y > U) target += negative_infinity();
//! else target += foo_lupdf(y | theta) - log_diff_exp(foo_lcdf(U | theta), foo_lcdf(L | theta));
//! ```
//!
//! with `foo_lccdf(L | theta)` for `T[L, ]` and `foo_lcdf(U | theta)` for
//! `T[, U]`. For a `_lpmf` the interval includes `L`, so its cdf is taken
//! at `L - 1`, as for the library's discrete distributions. The user must
//! define the `_lcdf`/`_lccdf` the bounds need (E0013 otherwise).

use super::map_rect::{bin, call, int};
use super::*;

/// A conditional call `func(variate | args)`.
fn cond_call(func: &str, variate: Expr, args: &[Expr], span: Span) -> Expr {
    let func = Ident { name: func.to_string(), span };
    Expr { kind: ExprKind::CondCall { func, variate: Box::new(variate), args: args.to_vec() }, span }
}

fn target_plus(e: Expr, span: Span) -> Stmt {
    Stmt { kind: StmtKind::TargetPlus(e), span }
}

impl Expander {
    /// The statement a truncated `lhs ~ stem(args) T[...]` stands for,
    /// `def` being the user's `stem_lpdf` or `stem_lpmf`; `None` (with an
    /// error) when a cdf the bounds need is not defined.
    pub(super) fn truncated_tilde(&mut self, lhs: Expr, stem: &Ident, def: &str, args: &[Expr], t: &Truncation, span: Span) -> Option<Stmt> {
        let discrete = def.ends_with("_lpmf");
        let (lcdf, lccdf) = (format!("{}_lcdf", stem.name), format!("{}_lccdf", stem.name));
        let needed: Vec<&String> = match (&t.lower, &t.upper) {
            (Some(_), None) => vec![&lccdf],
            (None, Some(_)) | (Some(_), Some(_)) => vec![&lcdf],
            (None, None) => Vec::new(),
        };
        let missing: Vec<&String> = needed.into_iter().filter(|n| !self.defs.contains_key(*n)).collect();
        if !missing.is_empty() {
            let names = missing.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ");
            self.diags.push(
                Diagnostic::error("E0013", format!("truncating the user-defined distribution `{}` needs {names}", stem.name))
                    .with_label(t.span, "truncation here")
                    .with_help(format!(
                        "define {names} in the functions block (`T[L, ]` uses `{lccdf}`, `T[, U]` and `T[L, U]` use `{lcdf}`)"
                    )),
            );
            return None;
        }
        // The cdf's argument for the lower bound: `L - 1` for counts.
        let below = |l: &Expr| if discrete { bin(BinOp::Sub, paren(l.clone()), int(1, l.span)) } else { l.clone() };
        let norm = match (&t.lower, &t.upper) {
            (Some(l), Some(u)) => Some(call(
                "log_diff_exp",
                vec![cond_call(&lcdf, u.clone(), args, t.span), cond_call(&lcdf, below(l), args, t.span)],
                t.span,
            )),
            (Some(l), None) => Some(cond_call(&lccdf, below(l), args, t.span)),
            (None, Some(u)) => Some(cond_call(&lcdf, u.clone(), args, t.span)),
            (None, None) => None,
        };
        let unnormalised = match def.strip_suffix("_lpdf") {
            Some(stem) => format!("{stem}_lupdf"),
            None => format!("{}_lupmf", def.trim_end_matches("_lpmf")),
        };
        let density = cond_call(&unnormalised, lhs.clone(), args, stem.span);
        let Some(norm) = norm else {
            return Some(target_plus(density, span));
        };
        let outside: Vec<Expr> = [(&t.lower, BinOp::Lt), (&t.upper, BinOp::Gt)]
            .into_iter()
            .filter_map(|(b, op)| b.as_ref().map(|b| bin(op, paren(lhs.clone()), paren(b.clone()))))
            .collect();
        let cond = outside.into_iter().reduce(|a, b| bin(BinOp::Or, a, b))?;
        let reject = target_plus(call("negative_infinity", Vec::new(), t.span), t.span);
        let inside = target_plus(bin(BinOp::Sub, density, paren(norm)), span);
        Some(Stmt { kind: StmtKind::If { cond, then: Box::new(reject), otherwise: Some(Box::new(inside)) }, span })
    }
}
