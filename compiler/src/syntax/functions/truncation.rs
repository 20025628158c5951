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
//!
//! A density whose variate is a container (`real foo_lpdf(vector y, real
//! theta)`) is truncated as stanc 2.36 vectorises it, the bounds single
//! values: the whole variate is outside when its `min` is below `L` or its
//! `max` above `U`, and the normalisation is taken once per element,
//! `num_elements(y) * log_diff_exp(...)` with scalar arguments, or, when an
//! argument is itself a container (`vector theta`), one term per element of
//! it with that argument indexed (`foo_lcdf(U | theta[i])`). Which it is
//! is read from the density's declared argument types.

use super::map_rect::{bin, call, int};
use super::*;

/// The prefix of the internal function that marks the variate of a
/// truncated user density declared with a single-value variate
/// (`truncated#foo_lpdf(y)`): the checker takes it for `y` itself when `y`
/// is one value, and otherwise says why it cannot be truncated (E0013),
/// where the comparison `y < L` would only say that `<` takes no vector.
pub const TRUNCATED_VARIATE: &str = "truncated#";

/// The log probability of the interval `t` under the distribution of
/// `args`: `log_diff_exp(lcdf(U | args), lcdf(L | args))`, `lccdf(L |
/// args)` or `lcdf(U | args)` (with `L - 1` for counts, whose interval
/// includes `L`); `None` without bounds.
fn interval_log_probability(lcdf: &str, lccdf: &str, t: &Truncation, args: &[Expr], discrete: bool) -> Option<Expr> {
    let below = |l: &Expr| if discrete { bin(BinOp::Sub, paren(l.clone()), int(1, l.span)) } else { l.clone() };
    match (&t.lower, &t.upper) {
        (Some(l), Some(u)) => Some(call(
            "log_diff_exp",
            vec![cond_call(lcdf, u.clone(), args, t.span), cond_call(lcdf, below(l), args, t.span)],
            t.span,
        )),
        (Some(l), None) => Some(cond_call(lccdf, below(l), args, t.span)),
        (None, Some(u)) => Some(cond_call(lcdf, u.clone(), args, t.span)),
        (None, None) => None,
    }
}

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
        let norm = interval_log_probability(&lcdf, &lccdf, t, args, discrete);
        let unnormalised = match def.strip_suffix("_lpdf") {
            Some(stem) => format!("{stem}_lupdf"),
            None => format!("{}_lupmf", def.trim_end_matches("_lpmf")),
        };
        let density = cond_call(&unnormalised, lhs.clone(), args, stem.span);
        let Some(norm) = norm else {
            return Some(target_plus(density, span));
        };
        // The declared argument types: is the variate a container, and
        // which arguments are?
        let declared: Vec<bool> = self.defs.get(def).map(|f| f.params.iter().map(|p| is_container(&p.ty)).collect()).unwrap_or_default();
        let vectorised = declared.first().copied().unwrap_or(false);
        // Outside the bounds: the variate's least element below `L`, its
        // greatest above `U` (the variate itself when it is one value).
        let extreme = |f: &str| {
            if vectorised {
                call(f, vec![lhs.clone()], lhs.span)
            } else {
                call(&format!("{TRUNCATED_VARIATE}{def}"), vec![paren(lhs.clone())], lhs.span)
            }
        };
        let outside: Vec<Expr> = [(&t.lower, BinOp::Lt, "min"), (&t.upper, BinOp::Gt, "max")]
            .into_iter()
            .filter_map(|(b, op, f)| b.as_ref().map(|b| bin(op, extreme(f), paren(b.clone()))))
            .collect();
        let cond = outside.into_iter().reduce(|a, b| bin(BinOp::Or, a, b))?;
        let reject = target_plus(call("negative_infinity", Vec::new(), t.span), t.span);
        let looped: Vec<usize> = (0..args.len()).filter(|&i| vectorised && declared.get(i + 1).copied().unwrap_or(false)).collect();
        let inside = match (vectorised, looped.first()) {
            (false, _) => target_plus(bin(BinOp::Sub, density, paren(norm)), span),
            // One normalisation per element of the variate.
            (true, None) => {
                let n = call("num_elements", vec![lhs.clone()], t.span);
                target_plus(bin(BinOp::Sub, density, bin(BinOp::Mul, n, paren(norm))), span)
            }
            // One per element of the container arguments, each indexed.
            (true, Some(&first)) => {
                let i = Ident { name: self.fresh("i"), span: t.span };
                let indexed: Vec<Expr> = args
                    .iter()
                    .enumerate()
                    .map(|(k, a)| if looped.contains(&k) { index(a, Expr::var(&i)) } else { a.clone() })
                    .collect();
                let per_element = interval_log_probability(&lcdf, &lccdf, t, &indexed, discrete)?;
                let minus = Expr { kind: ExprKind::Unary { op: UnOp::Neg, operand: Box::new(paren(per_element)) }, span: t.span };
                let body = Box::new(target_plus(minus, t.span));
                let upper = call("num_elements", vec![args[first].clone()], t.span);
                let each = Stmt { kind: StmtKind::For { var: i, lower: int(1, t.span), upper, body }, span };
                Stmt { kind: StmtKind::Block(vec![target_plus(density, span), each]), span }
            }
        };
        Some(Stmt { kind: StmtKind::If { cond, then: Box::new(reject), otherwise: Some(Box::new(inside)) }, span })
    }
}

/// Whether a declared argument type holds several values (an array, a
/// vector, a row vector or a matrix).
fn is_container(t: &FunType) -> bool {
    t.array_dims > 0 || matches!(t.base.as_str(), "vector" | "row_vector" | "matrix")
}

/// `base[i]`.
fn index(base: &Expr, i: Expr) -> Expr {
    Expr { kind: ExprKind::Index { base: Box::new(paren(base.clone())), indices: vec![Index::Single(i)] }, span: base.span }
}
