//! `categorical_logit_glm(y | x, alpha, beta)`, checked as the density of
//! its linear predictor, as the other GLMs are (see [`super::glm`]). Its
//! predictor is not one value per outcome but one vector of logits per
//! outcome, `alpha + (x[n] * beta)'`, so the expansion is:
//!
//! - `x` a row vector: `categorical_logit(y | alpha + to_vector(x * beta))`,
//!   Stan's own density of one vector of logits for every outcome;
//! - `x` a matrix: `categorical_logit(y | x * beta + rep_matrix(alpha', N))`,
//!   whose matrix of logits has one row per row of `x`: row `n` goes with
//!   `y[n]` (or with `y` itself when it is one int). A user cannot write this
//!   form (Stan's `categorical_logit` takes one vector); only this expansion
//!   makes it, and lowering (`categorical_terms`) and draws read it by row.

use super::broadcast;
use super::glm::Glm;
use super::typed::{Level, TypedExpr, TypedExprKind};
use super::types::{ElemType, Type};
use super::Checker;
use crate::diagnostics::Diagnostic;
use crate::syntax::ast::BinOp;
use crate::syntax::span::Span;

/// Whether a typed `categorical_logit` call or `~` has the GLM's matrix of
/// logits (one row per outcome) rather than Stan's one vector.
pub fn has_rows_of_logits(params: &[TypedExpr]) -> bool {
    matches!(params, [eta] if eta.ty.array.is_empty() && matches!(eta.ty.elem, ElemType::Matrix(..)))
}

impl Checker {
    /// The parameters of `categorical_logit` for `categorical_logit_glm(y |
    /// x, alpha, beta)`, with every argument checked here (the base's
    /// signature check would refuse the matrix of logits); `None` (reported)
    /// when they do not fit Stan's signatures.
    pub(super) fn categorical_glm_params(&mut self, glm: &Glm, y: Option<&TypedExpr>, params: Vec<TypedExpr>, span: Span) -> Option<Vec<TypedExpr>> {
        let Some(y) = y else {
            self.report(
                Diagnostic::error("E1002", format!("`{}` needs `|` after its first argument", glm.name))
                    .with_label(span, "missing `|`")
                    .with_help(glm.signature()),
            );
            return None;
        };
        let [x, alpha, beta]: [TypedExpr; 3] = match params.try_into() {
            Ok(p) => p,
            Err(p) => {
                self.report(
                    Diagnostic::error("E1002", format!("`{}` takes 3 arguments after `|`, but {} are given", glm.name, p.len()))
                        .with_label(span, "wrong number of arguments")
                        .with_help(glm.signature()),
                );
                return None;
            }
        };
        let bad = |this: &mut Self, what: &TypedExpr, why: &str| {
            this.report(
                Diagnostic::error("E1002", format!("`{}` cannot take this {why}", glm.name))
                    .with_label(what.span, format!("`{}`", this.show(&what.ty)))
                    .with_help(glm.signature()),
            );
        };
        if !(y.ty.is_int_valued() && y.ty.array.len() <= 1) {
            bad(self, y, "outcome: it must be an int or a 1-D int array (categories 1 to the columns of `beta`)");
            return None;
        }
        let rows = match (x.ty.array.is_empty(), x.ty.elem) {
            (true, ElemType::RowVector(_)) => None,
            (true, ElemType::Matrix(r, _)) => Some(r),
            _ => {
                bad(self, &x, "`x`: it must be a row vector (one observation) or a matrix (one row per observation)");
                return None;
            }
        };
        let ElemType::Vector(categories) = alpha.ty.elem else {
            bad(self, &alpha, "`alpha`: it must be a vector (one intercept per category)");
            return None;
        };
        if !alpha.ty.array.is_empty() {
            bad(self, &alpha, "`alpha`: it must be a vector (one intercept per category)");
            return None;
        }
        let (predictors, beta_cats) = match (beta.ty.array.is_empty(), beta.ty.elem) {
            (true, ElemType::Matrix(p, c)) => (p, c),
            _ => {
                bad(self, &beta, "`beta`: it must be a matrix (one row per predictor, one column per category)");
                return None;
            }
        };
        let x_cols = *x.ty.elem.axes().last()?;
        if !x_cols.compatible(predictors) {
            bad(self, &beta, "`beta`: its rows must run over the columns of `x` (the predictors)");
            return None;
        }
        if !categories.compatible(beta_cats) {
            bad(self, &alpha, "`alpha`: it must run over the columns of `beta` (the categories)");
            return None;
        }
        if let (Some(r), Some(&n)) = (rows, y.ty.array.first()) {
            if !r.compatible(n) {
                bad(self, &x, "`x`: its rows must run over the outcomes `y`");
                return None;
            }
        }
        let level = x.level.max(alpha.level).max(beta.level);
        let cat = categories.meet(beta_cats);
        let eta = match rows {
            // alpha + to_vector(x * beta)
            None => {
                let product = binary(BinOp::Mul, x, beta, Type::row_vector(beta_cats), level, span);
                let column = call("to_vector", vec![product], Type::vector(beta_cats), level, span);
                binary(BinOp::Add, alpha, column, Type::vector(cat), level, span)
            }
            // x * beta + rep_matrix(to_row_vector(alpha), rows(x))
            Some(r) => {
                let n = call("rows", vec![x.clone()], Type::int(), Level::Data, span);
                let alpha_level = alpha.level;
                let row = call("to_row_vector", vec![alpha], Type::row_vector(categories), alpha_level, span);
                let intercepts = call("rep_matrix", vec![row, n], Type::matrix(r, categories), alpha_level, span);
                let product = binary(BinOp::Mul, x, beta, Type::matrix(r, beta_cats), level, span);
                let Ok(ty) = broadcast::align(&product.ty, &intercepts.ty, false) else {
                    bad(self, &intercepts, "`alpha`: it must run over the columns of `beta` (the categories)");
                    return None;
                };
                binary(BinOp::Add, product, intercepts, ty, level, span)
            }
        };
        Some(vec![eta])
    }
}

fn binary(op: BinOp, lhs: TypedExpr, rhs: TypedExpr, ty: Type, level: Level, span: Span) -> TypedExpr {
    TypedExpr { kind: TypedExprKind::Binary { op, lhs: Box::new(lhs), rhs: Box::new(rhs) }, ty, level, span }
}

fn call(func: &str, args: Vec<TypedExpr>, ty: Type, level: Level, span: Span) -> TypedExpr {
    TypedExpr { kind: TypedExprKind::Call { func: func.into(), args }, ty, level, span }
}
