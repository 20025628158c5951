//! Stan's checks of declared constraints at the end of `transformed data`,
//! `transformed parameters` and `generated quantities`: a value outside its
//! bounds, or not of its constrained type (`simplex`, `cov_matrix`, ...),
//! rejects. In transformed data the data are refused; in transformed
//! parameters the evaluation, so the proposal, is rejected (a declared
//! bound there truncates the posterior, as in Stan); in generated
//! quantities the draw's outputs are NaN with the message, as a `reject`
//! there. Offset/multiplier declares no constraint.

use super::transform::{bound_elem, scalar_bound_once, structured_name};
use super::{layout, LowerError, LowerResult, Lowerer};
use crate::check::typed::{Constraint, TypedDecl, TypedExpr, TypedStmt, TypedStmtKind};
use crate::ir::{BinaryOp, CallArg, CmpOp, MessagePart, Stmt, Value};

impl Lowerer<'_> {
    /// The checks of every top-level declaration among `stmts` (one block's
    /// statements, all lowered already), each worded with `block`.
    pub(super) fn check_declared_constraints(&mut self, stmts: &[TypedStmt], block: &str) -> LowerResult<()> {
        for s in stmts {
            let TypedStmtKind::Decl(decl) = &s.kind else { continue };
            match &decl.constraint {
                Constraint::None | Constraint::OffsetMultiplier { .. } => {}
                Constraint::Bounds { lower, upper } => self.check_bounds(decl, lower.as_ref(), upper.as_ref(), block)?,
                _ => self.check_structured(decl, block)?,
            }
        }
        Ok(())
    }

    /// `lower <= x <= upper` for every element, as Stan's
    /// `check_greater_or_equal`/`check_less_or_equal` (NaN fails).
    fn check_bounds(
        &mut self,
        decl: &TypedDecl,
        lower: Option<&TypedExpr>,
        upper: Option<&TypedExpr>,
        block: &str,
    ) -> LowerResult<()> {
        // A transformed parameter computed where it is read (inlined) has
        // no storage; only those declared without a constraint are, so
        // there is nothing to check then.
        let Some(storage) = self.storage.get(&decl.var).cloned() else { return Ok(()) };
        let info = self.program.var(decl.var);
        let (name, ty) = (info.name.clone(), info.ty.clone());
        let len = layout::element_count(&storage.shape);
        let lower_once = scalar_bound_once(self, lower, len)?;
        let upper_once = scalar_bound_once(self, upper, len)?;
        let what = if storage.shape.is_empty() { format!("{block} `{name}` is ") } else { format!("an element of {block} `{name}` is ") };
        self.each_index(&storage.shape.clone(), &mut |this: &mut Self, idx: &[Value]| {
            let at = this.offset(&storage, idx);
            let x = this.fb.load(storage.buf, at, storage.ty);
            let x = this.fb.to_f64(x);
            if let Some(lb) = bound_elem(this, &ty, lower, idx, lower_once)? {
                this.reject_unless(x, CmpOp::Ge, lb, &what, ", but must be greater than or equal to ");
            }
            if let Some(ub) = bound_elem(this, &ty, upper, idx, upper_once)? {
                this.reject_unless(x, CmpOp::Le, ub, &what, ", but must be less than or equal to ");
            }
            Ok(())
        })
    }

    /// Rejects with `what x relation bound` unless `x cmp bound`.
    pub(super) fn reject_unless(&mut self, x: Value, cmp: CmpOp, bound: Value, what: &str, relation: &str) {
        let ok = self.fb.cmp(cmp, x, bound);
        let zero = self.fb.i64(0);
        let bad = self.fb.cmp(CmpOp::Eq, ok, zero);
        self.fb.emit(Stmt::If {
            cond: bad,
            then: vec![Stmt::Reject(vec![
                MessagePart::Text(what.to_string()),
                MessagePart::Value(x),
                MessagePart::Text(relation.to_string()),
                MessagePart::Value(bound),
            ])],
            otherwise: Vec::new(),
        });
    }

    /// One `hbm_check_<type>(y, rows, cols)` per element of the
    /// declaration's arrays, rejecting when it fails.
    fn check_structured(&mut self, decl: &TypedDecl, block: &str) -> LowerResult<()> {
        let Some(storage) = self.storage.get(&decl.var).cloned() else { return Ok(()) };
        let type_name = structured_name(&decl.constraint)
            .ok_or_else(|| LowerError::unsupported(decl.span, format!("checking a `{}`", decl.constraint.name())))?;
        let symbol = format!("hbm_check_{type_name}");
        let f = self
            .symbols
            .get(&symbol)
            .ok_or_else(|| LowerError::unsupported(decl.span, format!("the library function `{symbol}`")))?;
        let (array, elem) = storage.shape.split_at(storage.array_rank.min(storage.shape.len()));
        let (rows, cols) = match elem {
            [k] => (*k, 1),
            [r, c] => (*r, *c),
            _ => return Err(LowerError::unsupported(decl.span, format!("a `{}` of shape {elem:?}", decl.constraint.name()))),
        };
        let name = self.program.var(decl.var).name.clone();
        let message = format!(
            "{block} `{name}`{} is not a valid {}: {}",
            if array.is_empty() { "" } else { " has an element that" },
            decl.constraint.name(),
            decl.constraint.requirement()
        );
        let per_element = rows * cols;
        self.repeat(layout::element_count(array), |this, i| {
            let size = this.fb.i64(per_element as i64);
            let offset = this.fb.binary(BinaryOp::Mul, i, size);
            let (r, c) = (this.fb.i64(rows as i64), this.fb.i64(cols as i64));
            let status = this.fb.call(f.clone(), vec![CallArg::Buffer { buf: storage.buf, offset }, CallArg::Value(r), CallArg::Value(c)]);
            this.reject_unless_zero(status, &message);
            Ok(())
        })
    }
}
