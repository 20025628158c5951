//! `Draw` statements of simulation programs: each element of the left side
//! drawn from the distribution's `_rng`, redrawn while it falls outside the
//! variable's bounds (a prior truncated by the declaration, as a half-normal
//! `real<lower=0> s; s ~ normal(0, 1);`).

use super::{LowerError, LowerResult, Lowerer};
use crate::check::typed::{TypedExpr, TypedExprKind};
use crate::ir::{BinaryOp, CmpOp, MessagePart, ScalarType, Stmt, Value};

/// How many times one element is redrawn before the simulation gives up.
const MAX_REDRAWS: i64 = 10_000;

impl Lowerer<'_> {
    /// Lowers `lhs = dist_rng(args)` element by element with redraws.
    pub fn lower_draw(
        &mut self,
        lhs: &TypedExpr,
        dist: &str,
        args: &[TypedExpr],
        lower: Option<&TypedExpr>,
        upper: Option<&TypedExpr>,
    ) -> LowerResult<()> {
        let (var, indices) = match &lhs.kind {
            TypedExprKind::Var(v) => (*v, None),
            TypedExprKind::Index { base, indices, zipped } => match &base.kind {
                TypedExprKind::Var(v) => (*v, Some((base.ty.clone(), indices, zipped))),
                _ => return Err(LowerError::unsupported(lhs.span, "drawing into nested indexing")),
            },
            _ => return Err(LowerError::unsupported(lhs.span, "drawing into this expression")),
        };
        let storage = self
            .storage
            .get(&var)
            .cloned()
            .ok_or_else(|| LowerError::unsupported(lhs.span, "a variable without storage"))?;
        let name = self.program.var(var).name.clone();
        // The `_rng` call typed like the left side, so that its arguments
        // align with the left side's axes element by element.
        let draw = TypedExpr {
            kind: TypedExprKind::Call { func: format!("{dist}_rng"), args: args.to_vec() },
            ty: lhs.ty.clone(),
            level: lhs.level,
            span: lhs.span,
        };
        let shape = self.shape(lhs)?;
        let tries = self.temp_buffer("redraws", ScalarType::I64, 1);
        let bad_cell = self.temp_buffer("out_of_bounds", ScalarType::I64, 1);
        self.each_index(&shape, &mut |this: &mut Self, idx: &[Value]| {
            let at = match &indices {
                None => this.offset(&storage, idx),
                Some((base_ty, indices, zipped)) => {
                    let base_idx = this.base_index(lhs, base_ty, &storage.shape, indices, zipped, idx)?;
                    this.offset(&storage, &base_idx)
                }
            };
            let zero = this.fb.i64(0);
            this.fb.store(tries, zero, zero);
            // loop { draw; store; bad = outside bounds; if !(bad && tries < max) break }
            this.fb.open();
            let x = this.elem(&draw, idx)?;
            let x = if storage.ty == ScalarType::F64 { this.fb.to_f64(x) } else { x };
            this.fb.store(storage.buf, at, x);
            let mut bad = this.fb.i64(0);
            for (bound, cmp) in [(lower, CmpOp::Lt), (upper, CmpOp::Gt)] {
                if let Some(b) = bound {
                    let bv = this.operand_elem(&lhs.ty, b, idx)?;
                    let (xv, bv) = if storage.ty == ScalarType::F64 { (x, this.fb.to_f64(bv)) } else { (x, bv) };
                    let outside = this.fb.cmp(cmp, xv, bv);
                    bad = this.fb.binary(BinaryOp::Or, bad, outside);
                }
            }
            this.fb.store(bad_cell, zero, bad);
            let n = this.fb.load(tries, zero, ScalarType::I64);
            let one = this.fb.i64(1);
            let next = this.fb.binary(BinaryOp::Add, n, one);
            this.fb.store(tries, zero, next);
            let max = this.fb.i64(MAX_REDRAWS);
            let more = this.fb.cmp(CmpOp::Lt, next, max);
            let again = this.fb.binary(BinaryOp::And, bad, more);
            let cond_block = this.fb.close();
            this.fb.emit(Stmt::While { cond_block, cond: again, body: Vec::new() });
            let still_bad = this.fb.load(bad_cell, zero, ScalarType::I64);
            this.fb.emit(Stmt::If {
                cond: still_bad,
                then: vec![Stmt::Reject(vec![MessagePart::Text(format!(
                    "could not draw `{name}` within its bounds from `{dist}` in {MAX_REDRAWS} tries: fix it with --fix or change its prior"
                ))])],
                otherwise: Vec::new(),
            });
            Ok(())
        })
    }
}
