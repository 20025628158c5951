//! Loop-invariant materialisation. A statement over a container (`y ~
//! normal(X * beta, s)`, `mu = alpha + X * beta`) is lowered as a loop over
//! its elements; a matrix product, a library routine or an array literal
//! inside it is computed whole into a scratch buffer. Computed at the point
//! of use that would be once per element (quadratic in the container's
//! size), so before lowering the statement every such subexpression is
//! computed once, ahead of the loop, and [`Lowerer::materialize`] reads the
//! buffer instead. Nothing in a statement's expressions depends on the
//! element loop's indices (they are IR values, not variables), so the hoist
//! is always sound; branches of `?:` are left alone since they run only
//! when chosen.

use super::{LowerResult, Lowerer, Storage};
use crate::check::typed::{TypedExpr, TypedExprKind};
use crate::syntax::ast::BinOp;

/// Whether `e` is computed whole into a buffer when one element is read.
fn is_materialised(e: &TypedExpr) -> bool {
    match &e.kind {
        TypedExprKind::Binary { op: BinOp::Mul, lhs, rhs } => !lhs.ty.is_scalar() && !rhs.ty.is_scalar(),
        TypedExprKind::Call { func, args } => {
            super::call::is_buffer_function(func) || super::linalg_fns::is_composite_matrix(func, args)
        }
        TypedExprKind::ArrayExpr(_) | TypedExprKind::RowVectorExpr(_) => !e.ty.is_scalar(),
        _ => false,
    }
}

impl Lowerer<'_> {
    /// Computes every materialised subexpression of `exprs` once, innermost
    /// first; the buffers stay in use until [`Lowerer::end_hoist`].
    pub(crate) fn hoist_materialised(&mut self, exprs: &[&TypedExpr]) -> LowerResult<()> {
        for e in exprs {
            self.hoist_in(e)?;
        }
        Ok(())
    }

    /// Forgets the hoisted buffers: the next statement computes its own.
    pub(crate) fn end_hoist(&mut self) {
        self.hoisted.clear();
        self.hoisted_small.clear();
    }

    /// Like [`Lowerer::hoist_materialised`] for the subexpressions of `e`
    /// but not `e` itself (computed straight into its variable).
    pub(crate) fn hoist_below(&mut self, e: &TypedExpr) -> LowerResult<()> {
        for c in e.children() {
            self.hoist_in(c)?;
        }
        Ok(())
    }

    /// Lowers `expanded`, a temporary expression built during lowering (a
    /// composite's expansion, `linalg_fns`), with its materialised
    /// subexpressions computed once ahead of `lower` rather than once per
    /// element read (which made `quad_form(crossprod(X), P)` cost N^5),
    /// then forgets them: the hoist tables are keyed by address, and the
    /// temporary's addresses are freed when the caller drops it.
    pub(crate) fn lower_expansion<T>(
        &mut self,
        expanded: &TypedExpr,
        lower: impl FnOnce(&mut Self, &TypedExpr) -> LowerResult<T>,
    ) -> LowerResult<T> {
        let hoisted = self.hoist_below(expanded).and_then(|()| lower(self, expanded));
        let mut stack = vec![expanded];
        while let Some(e) = stack.pop() {
            self.hoisted.remove(&(e as *const TypedExpr));
            self.hoisted_small.remove(&(e as *const TypedExpr));
            stack.extend(e.children());
        }
        hoisted
    }

    /// The hoisted buffer of `e`, if it has one.
    pub(crate) fn hoisted_storage(&self, e: &TypedExpr) -> Option<Storage> {
        self.hoisted.get(&(e as *const TypedExpr)).cloned()
    }

    fn hoist_in(&mut self, e: &TypedExpr) -> LowerResult<()> {
        // Of a `?:` only the condition always runs.
        let inner = match &e.kind {
            TypedExprKind::Ternary { cond, .. } => vec![&**cond],
            _ => e.children(),
        };
        // A density's inverse link that its link form drops
        // (`categorical_lpmf(y | softmax(b))`) is never computed: only
        // what it is applied to.
        let dropped = match &e.kind {
            TypedExprKind::Call { func, args } => args.get(1).filter(|p| self.is_link_argument(func, 0, p)),
            _ => None,
        };
        for c in inner {
            match dropped {
                Some(d) if std::ptr::eq(c, d) => self.hoist_below(c)?,
                _ => self.hoist_in(c)?,
            }
        }
        if is_materialised(e) && !self.hoisted.contains_key(&(e as *const TypedExpr)) && !self.hoisted_small.contains_key(&(e as *const TypedExpr)) {
            if let Some(sv) = self.try_small(e)? {
                self.hoisted_small.insert(e as *const TypedExpr, sv);
                return Ok(());
            }
            let storage = self.materialize(e)?;
            self.hoisted.insert(e as *const TypedExpr, storage);
        }
        Ok(())
    }
}
