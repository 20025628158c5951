//! Densities of a linked parameter lowered in their link's form:
//! `bernoulli(inv_logit(a))` is `bernoulli_logit(a)`, `binomial(n,
//! inv_logit(a))` is `binomial_logit(n, a)`, `poisson(exp(a))` is
//! `poisson_log(a)` and `neg_binomial_2(exp(a), φ)` is
//! `neg_binomial_2_log(a, φ)` (stanc3's optimiser makes the same
//! rewrites). The density is the same function with fewer calls per
//! element (no `inv_logit` then `log` of it), and more accurate where the
//! probability rounds to 0 or 1. The constants a sampling statement drops
//! are the same in both forms. A mean with an exposure, `poisson(E .*
//! exp(a))`, is `poisson_log(log(E) + a)`. `categorical(softmax(b))` is
//! `categorical_logit(b)`: no `softmax` into a buffer (`lower/hoist.rs`
//! leaves it, [`is_link_argument`]), the logits taken once
//! (`lower/unrolled.rs`).

use super::unrolled::MAX_UNROLLED_LOG_SUM_EXP;
use super::Lowerer;
use crate::check::signatures::{self, Distribution};
use crate::check::typed::{TypedExpr, TypedExprKind};
use crate::check::types::Type;
use crate::syntax::ast::BinOp;

impl Lowerer<'_> {
    /// The link-scale distribution and parameters of `dist(params)`, when
    /// a parameter is written as the link's inverse of an expression.
    pub(super) fn link_form(&mut self, dist: &Distribution, params: &[TypedExpr]) -> Option<(&'static Distribution, Vec<TypedExpr>)> {
        let (inverse_link, position, linked) = linked_density(dist.name)?;
        let param = params.get(position)?;
        let inner = match linked_argument(param, inverse_link) {
            Some(inner) if self.pays(inverse_link, inner) => inner.clone(),
            None if inverse_link == "exp" => log_of_offset_product(param)?,
            _ => return None,
        };
        let mut linked_params = params.to_vec();
        linked_params[position] = inner;
        Some((signatures::distribution(linked)?, linked_params))
    }

    /// Whether `param`, the parameter at `position` (0 the first after
    /// the variate) of the distribution `dist_name` (`categorical`, or its
    /// `_lpmf`/`_lupmf` name), is an inverse link that the link form never
    /// computes: the `softmax` of `categorical(softmax(b))`.
    pub(super) fn is_link_argument(&mut self, dist_name: &str, position: usize, param: &TypedExpr) -> bool {
        let name = dist_name.strip_suffix("_lpmf").or_else(|| dist_name.strip_suffix("_lupmf")).unwrap_or(dist_name);
        match linked_density(name) {
            Some((inverse_link, p, _)) if p == position => linked_argument(param, inverse_link).is_some_and(|a| self.pays(inverse_link, a)),
            _ => false,
        }
    }

    /// Whether the link form costs less: always, but for `softmax` of
    /// more outcomes than `lower/unrolled.rs` takes one by one, where the
    /// library's `softmax` and one `log` per term cost less than
    /// `categorical_logit`'s `log_sum_exp` (1.24x fewer instructions at
    /// 20 outcomes).
    fn pays(&mut self, inverse_link: &str, inner: &TypedExpr) -> bool {
        inverse_link != "softmax" || self.shape(inner).is_ok_and(|s| s.iter().product::<usize>() <= MAX_UNROLLED_LOG_SUM_EXP)
    }
}

/// `log(o) + z` of a mean written `o * exp(z)` or `exp(z) * o` (also with
/// `.*`): an exposure or offset, as in `poisson(E .* exp(eta))`. With `o`
/// data, `log(o)` is computed once when the data are bound
/// (`ir::data_tables`), so the density is the link form's at the cost of
/// one addition. `o` is a real value or container, or one `int`.
fn log_of_offset_product(param: &TypedExpr) -> Option<TypedExpr> {
    let TypedExprKind::Binary { op: BinOp::Mul | BinOp::EltMul, lhs, rhs } = &param.kind else {
        return None;
    };
    let (offset, z) = match (linked_argument(lhs, "exp"), linked_argument(rhs, "exp")) {
        (_, Some(z)) => (&**lhs, z),
        (Some(z), None) => (&**rhs, z),
        (None, None) => return None,
    };
    let log_ty = match &offset.ty {
        ty if ty.is_int_scalar() => Type::real(),
        ty if !ty.elem.is_int() => ty.clone(),
        _ => return None,
    };
    let log = TypedExpr {
        kind: TypedExprKind::Call { func: "log".into(), args: vec![offset.clone()] },
        ty: log_ty,
        level: offset.level,
        span: offset.span,
    };
    Some(TypedExpr { kind: TypedExprKind::Binary { op: BinOp::Add, lhs: Box::new(log), rhs: Box::new(z.clone()) }, ..param.clone() })
}

/// The inverse link, the position of the parameter it is written around,
/// and the density in the link's form, of a density that has one.
fn linked_density(name: &str) -> Option<(&'static str, usize, &'static str)> {
    Some(match name {
        "bernoulli" => ("inv_logit", 0, "bernoulli_logit"),
        "binomial" => ("inv_logit", 1, "binomial_logit"),
        "poisson" => ("exp", 0, "poisson_log"),
        "neg_binomial_2" => ("exp", 0, "neg_binomial_2_log"),
        "categorical" => ("softmax", 0, "categorical_logit"),
        _ => return None,
    })
}

/// `a` of `param = inverse_link(a)`.
fn linked_argument<'e>(param: &'e TypedExpr, inverse_link: &str) -> Option<&'e TypedExpr> {
    match &param.kind {
        TypedExprKind::Call { func, args } if func == inverse_link && args.len() == 1 => args.first(),
        _ => None,
    }
}
