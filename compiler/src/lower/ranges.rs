//! Ranges of integer values known when lowering, so that index checks that
//! cannot fail are not emitted.
//!
//! With dims, an index that is a member of the axis's dim needs no check.
//! Plain Stan indexes with loop variables and integer data arrays instead
//! (`alpha[pair[n], grade[n]]` in `for (n in 1:N)`), which would otherwise
//! cost two compares and a branch per index per term. Lowering runs after
//! binding, so a loop's constant bounds and the smallest and largest value
//! of every integer data variable are known, and an index whose values all
//! lie within the axis is left unchecked.

use super::Lowerer;
use crate::bind::DataStorage;
use crate::check::typed::{TypedExpr, TypedExprKind, VarId};
use crate::ir::FunctionKind;
use crate::syntax::ast::{BinOp, BlockKind, UnOp};

impl Lowerer<'_> {
    /// An inclusive range containing every element value of the integer
    /// expression `e`, when one is known at lowering time.
    pub(super) fn value_range(&mut self, e: &TypedExpr) -> Option<(i64, i64)> {
        use TypedExprKind as K;
        match &e.kind {
            K::IntLit(k) => Some((*k, *k)),
            K::DimSize(d) => {
                let n = *self.bound.dim_sizes.get(*d)? as i64;
                Some((n, n))
            }
            K::Var(v) => match self.loop_ranges.get(v) {
                Some(r) => Some(*r),
                None => match self.data_range(*v) {
                    Some(r) => Some(r),
                    // An int declared with a value and never assigned
                    // (`int j = pairs[k];`) has that value's range.
                    None => self.constant_int(*v).and_then(|init| self.value_range(&init)),
                },
            },
            // Any element of a data variable lies within its range,
            // whichever element the indices select.
            K::Index { base, .. } => match &base.kind {
                K::Var(v) if !self.loop_ranges.contains_key(v) => self.data_range(*v),
                _ => None,
            },
            K::Binary { op: BinOp::Add, lhs, rhs } => {
                let ((a, b), (c, d)) = (self.value_range(lhs)?, self.value_range(rhs)?);
                Some((a.checked_add(c)?, b.checked_add(d)?))
            }
            K::Binary { op: BinOp::Sub, lhs, rhs } => {
                let ((a, b), (c, d)) = (self.value_range(lhs)?, self.value_range(rhs)?);
                Some((a.checked_sub(d)?, b.checked_sub(c)?))
            }
            K::Unary { op: UnOp::Plus, operand } => self.value_range(operand),
            _ => None,
        }
    }

    /// Records the range of a loop variable whose bounds are constants of
    /// the data (a loop variable cannot be assigned in its body).
    pub(super) fn note_loop_range(&mut self, var: VarId, lower: &TypedExpr, upper: &TypedExpr) {
        if !e_is_int(lower) || !e_is_int(upper) {
            return;
        }
        if let (Ok(lo), Ok(hi)) = (self.const_int(lower), self.const_int(upper)) {
            self.loop_ranges.insert(var, (lo, hi));
        } else if let (Some((lo, _)), Some((_, hi))) = (self.value_range(lower), self.value_range(upper)) {
            // Bounds that vary (`first[g]:last[g]`) within known ranges.
            self.loop_ranges.insert(var, (lo, hi));
        }
    }

    /// The smallest and largest value of an integer variable of the data
    /// block, or of the transformed data block outside its own function
    /// when its values were computed at lowering time (see `sizing`): the
    /// values the arenas hold for the life of the model.
    fn data_range(&mut self, var: VarId) -> Option<(i64, i64)> {
        if let Some(r) = self.data_ranges.get(&var) {
            return *r;
        }
        let fixed = |b: BlockKind| self.program.decls(b).any(|d| d.var == var);
        // While the transformed data are computed, theirs change.
        let is_data = fixed(BlockKind::Data) || (fixed(BlockKind::TransformedData) && self.fb.kind() != FunctionKind::TransformedData);
        if !is_data {
            // Not cached: a transformed data variable is fixed only later.
            return None;
        }
        let range = match self.bound.value(var).map(|d| &d.storage) {
            Some(DataStorage::Ints(values)) if is_data => {
                values.iter().fold(None, |r: Option<(i64, i64)>, &x| Some(r.map_or((x, x), |(lo, hi)| (lo.min(x), hi.max(x)))))
            }
            _ => None,
        };
        self.data_ranges.insert(var, range);
        range
    }
}

fn e_is_int(e: &TypedExpr) -> bool {
    e.ty.is_int_valued() && e.ty.is_scalar()
}
