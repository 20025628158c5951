//! Stan's generalised linear model densities, `bernoulli_logit_glm(y | x,
//! alpha, beta)` and its kin, checked as the density of their linear
//! predictor: `bernoulli_logit(y | alpha + x * beta)`. The typed program
//! holds the expanded form, so lowering (with the product computed once,
//! ahead of the element loop), simulation and prediction treat a GLM like
//! any other sampling statement.

use super::broadcast;
use super::signatures::{self, DensitySuffix};
use super::typed::{TypedExpr, TypedExprKind};
use super::Checker;
use crate::diagnostics::Diagnostic;
use crate::syntax::ast::BinOp;
use crate::syntax::span::Span;

/// One GLM density: the density of its linear predictor and its
/// parameters, `(before..., x, [alpha,] beta, extra...)`.
#[derive(Clone, Copy, Debug)]
pub struct Glm {
    pub name: &'static str,
    pub base: &'static str,
    /// Parameters of `base` before the linear predictor (the trials `N`
    /// of `binomial_logit_glm`).
    pub before: &'static [&'static str],
    /// Whether it takes an intercept `alpha` (`ordered_logistic_glm` has
    /// none: its cutpoints play that part).
    pub alpha: bool,
    pub extra: &'static [&'static str],
}

/// Every GLM density hbmc knows.
pub const GLMS: &[Glm] = &[
    Glm { name: "bernoulli_logit_glm", base: "bernoulli_logit", before: &[], alpha: true, extra: &[] },
    Glm { name: "poisson_log_glm", base: "poisson_log", before: &[], alpha: true, extra: &[] },
    Glm { name: "normal_id_glm", base: "normal", before: &[], alpha: true, extra: &["sigma"] },
    Glm { name: "neg_binomial_2_log_glm", base: "neg_binomial_2_log", before: &[], alpha: true, extra: &["phi"] },
    Glm { name: "binomial_logit_glm", base: "binomial_logit", before: &["N"], alpha: true, extra: &[] },
    Glm { name: "ordered_logistic_glm", base: "ordered_logistic", before: &[], alpha: false, extra: &["cuts"] },
    Glm { name: "categorical_logit_glm", base: "categorical_logit", before: &[], alpha: true, extra: &[] },
];

/// The GLM of this name.
pub fn glm(name: &str) -> Option<&'static Glm> {
    GLMS.iter().find(|g| g.name == name)
}

/// Splits `bernoulli_logit_glm_lpmf` into its GLM and suffix.
pub fn split_glm_name(name: &str) -> Option<(&'static Glm, DensitySuffix)> {
    use DensitySuffix::*;
    [Lupdf, Lupmf, Lpdf, Lpmf]
        .into_iter()
        .find_map(|s| name.strip_suffix(s.text()).and_then(glm).map(|g| (g, s)))
}

impl Glm {
    /// Whether this is `categorical_logit_glm`, whose linear predictor is a
    /// vector of logits per outcome (checked by
    /// [`Checker::categorical_glm_params`], not by its base's signature).
    pub fn is_categorical(&self) -> bool {
        self.base == "categorical_logit"
    }

    /// Its signature in words, for messages.
    pub fn signature(&self) -> String {
        if self.is_categorical() {
            return format!(
                "{}(y | row_vector|matrix x, vector alpha, matrix beta) with y an int or an int array, the density of `categorical_logit(y[n] | alpha + (x[n] * beta)')` for each row n of x",
                self.name
            );
        }
        let before: String = self.before.iter().map(|b| format!("{b}, ")).collect();
        let alpha = if self.alpha { "real|vector alpha, " } else { "" };
        let extra: String = self.extra.iter().map(|e| format!(", {e}")).collect();
        let eta = if self.alpha { "alpha + x * beta" } else { "x * beta" };
        format!("{}(y | {before}matrix x, {alpha}vector beta{extra}), the density of `{}(y | {before}{eta}{extra})`", self.name, self.base)
    }
}

impl Checker {
    /// The base density's parameters for a GLM's: `[before..., alpha + x *
    /// beta (or x * beta), extra...]`; `None` (reported) when the
    /// arguments do not fit.
    pub(super) fn glm_params(&mut self, glm: &Glm, y: Option<&TypedExpr>, params: Vec<TypedExpr>, span: Span) -> Option<Vec<TypedExpr>> {
        if glm.is_categorical() {
            return self.categorical_glm_params(glm, y, params, span);
        }
        let n = glm.before.len() + 2 + usize::from(glm.alpha) + glm.extra.len();
        if params.len() != n {
            self.report(
                Diagnostic::error("E1002", format!("`{}` takes {n} arguments after `|`, but {} are given", glm.name, params.len()))
                    .with_label(span, "wrong number of arguments")
                    .with_help(glm.signature()),
            );
            return None;
        }
        let mut it = params.into_iter();
        let before: Vec<TypedExpr> = it.by_ref().take(glm.before.len()).collect();
        let x = it.next()?;
        let alpha = if glm.alpha { Some(it.next()?) } else { None };
        let beta = it.next()?;
        let bad = |this: &mut Self, what: &TypedExpr, why: String| {
            this.report(
                Diagnostic::error("E1002", format!("`{}` cannot take this {why}", glm.name))
                    .with_label(what.span, format!("`{}`", this.show(&what.ty)))
                    .with_help(glm.signature()),
            );
        };
        let x_ok = x.ty.array.is_empty() && !x.ty.elem.is_scalar() && !matches!(x.ty.elem, super::types::ElemType::Vector(_));
        if !x_ok {
            bad(self, &x, "`x`: it must be a matrix (or a row vector for one observation)".into());
            return None;
        }
        let Some(product_ty) = signatures::multiply(&x.ty, &beta.ty).filter(|_| beta.ty.array.is_empty()) else {
            bad(self, &beta, format!("`beta` with `x` of type `{}`: `x * beta` is not defined", self.show(&x.ty)));
            return None;
        };
        let level = x.level.max(beta.level);
        let product = TypedExpr {
            kind: TypedExprKind::Binary { op: BinOp::Mul, lhs: Box::new(x), rhs: Box::new(beta) },
            ty: product_ty.clone(),
            level,
            span,
        };
        let eta = match alpha {
            None => product,
            Some(alpha) => {
                let Ok(eta_ty) = broadcast::align(&alpha.ty, &product_ty, false).map(|t| t.promoted()) else {
                    bad(self, &alpha, format!("`alpha`: it does not align with `x * beta` of type `{}`", self.show(&product_ty)));
                    return None;
                };
                let level = level.max(alpha.level);
                TypedExpr {
                    kind: TypedExprKind::Binary { op: BinOp::Add, lhs: Box::new(alpha), rhs: Box::new(product) },
                    ty: eta_ty,
                    level,
                    span,
                }
            }
        };
        Some(before.into_iter().chain(std::iter::once(eta)).chain(it).collect())
    }
}
