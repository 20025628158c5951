//! Densities of a linked parameter lowered in their link's form:
//! `bernoulli(inv_logit(a))` is `bernoulli_logit(a)`, `binomial(n,
//! inv_logit(a))` is `binomial_logit(n, a)`, `poisson(exp(a))` is
//! `poisson_log(a)` and `neg_binomial_2(exp(a), φ)` is
//! `neg_binomial_2_log(a, φ)` (stanc3's optimiser makes the same
//! rewrites). The density is the same function with fewer calls per
//! element (no `inv_logit` then `log` of it), and more accurate where the
//! probability rounds to 0 or 1. The constants a sampling statement drops
//! are the same in both forms. Not `categorical(softmax(b))`: lowered as
//! `categorical_logit(b)` (rewritten as a statement, before
//! `lower/hoist.rs` computes the `softmax` into a buffer), a three-outcome
//! loop took 1.21x the instructions of `softmax` and `categorical`.

use crate::check::signatures::{self, Distribution};
use crate::check::typed::{TypedExpr, TypedExprKind};

/// The link-scale distribution and parameters of `dist(params)`, when a
/// parameter is written as the link's inverse of an expression.
pub(super) fn link_form(dist: &Distribution, params: &[TypedExpr]) -> Option<(&'static Distribution, Vec<TypedExpr>)> {
    let (inverse_link, position, linked) = match dist.name {
        "bernoulli" => ("inv_logit", 0, "bernoulli_logit"),
        "binomial" => ("inv_logit", 1, "binomial_logit"),
        "poisson" => ("exp", 0, "poisson_log"),
        "neg_binomial_2" => ("exp", 0, "neg_binomial_2_log"),
        _ => return None,
    };
    let inner = match &params.get(position)?.kind {
        TypedExprKind::Call { func, args } if func == inverse_link && args.len() == 1 => args.first()?,
        _ => return None,
    };
    let mut linked_params = params.to_vec();
    linked_params[position] = inner.clone();
    Some((signatures::distribution(linked)?, linked_params))
}
