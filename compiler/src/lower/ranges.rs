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

    /// Every value the integer expression `e` can take, sorted and
    /// distinct, when they are known at lowering time: the distinct
    /// values of an integer data array that `e` reads an element of
    /// (`n[g]`: the group sizes the data hold, however far apart), a
    /// constant shifted by them, or else every value of
    /// [`Lowerer::value_range`] when it holds at most `cap`. `None` when
    /// more than `cap` values are possible or they are not known.
    pub(super) fn value_set(&mut self, e: &TypedExpr, cap: usize) -> Option<Vec<i64>> {
        use TypedExprKind as K;
        if let Some(tuples) = self.values_over_loops(&[e]) {
            return (tuples.len() <= cap).then(|| tuples.into_iter().map(|t| t[0]).collect());
        }
        let set = match &e.kind {
            K::Index { base, .. } => match &base.kind {
                K::Var(v) if !self.loop_ranges.contains_key(v) => self.data_values(*v),
                _ => None,
            },
            K::Var(v) if !self.loop_ranges.contains_key(v) => match self.data_values(*v) {
                Some(values) => Some(values),
                None => self.constant_int(*v).and_then(|init| self.value_set(&init, cap)),
            },
            // A constant plus or minus a set of values.
            K::Binary { op: op @ (BinOp::Add | BinOp::Sub), lhs, rhs } => match (self.const_int(lhs), self.const_int(rhs)) {
                (_, Ok(c)) => {
                    let c = if *op == BinOp::Sub { c.checked_neg()? } else { c };
                    self.value_set(lhs, cap)?.into_iter().map(|x| x.checked_add(c)).collect()
                }
                (Ok(c), _) if *op == BinOp::Add => self.value_set(rhs, cap)?.into_iter().map(|x| x.checked_add(c)).collect(),
                _ => None,
            },
            _ => None,
        };
        let set = match set {
            Some(mut values) => {
                values.sort_unstable();
                values.dedup();
                values
            }
            None => {
                let (lo, hi) = self.value_range(e)?;
                if hi < lo || (hi - lo) as u64 >= cap as u64 {
                    return None;
                }
                (lo..=hi).collect()
            }
        };
        (set.len() <= cap).then_some(set)
    }

    /// The distinct values of the tuple `es`, expressions of the data and
    /// of the loop variables around them (`n[g]`, `end[g] - start[g] +
    /// 1` in `for (g in 1:G)`), found by evaluating them for every value
    /// of those loop variables (at most [`MAX_EVALUATIONS`] in all):
    /// exactly the lengths the loops will meet, and which go together.
    /// `None` when they read anything else, or an evaluation fails.
    pub(super) fn values_over_loops(&mut self, es: &[&TypedExpr]) -> Option<Vec<Vec<i64>>> {
        let mut vars: Vec<VarId> = Vec::new();
        for e in es {
            e.for_each_var(&mut |v| {
                if !vars.contains(&v) {
                    vars.push(v);
                }
            });
        }
        let ranges: Vec<(VarId, i64, i64)> = vars.iter().filter_map(|v| self.loop_ranges.get(v).map(|&(lo, hi)| (*v, lo, hi))).collect();
        if ranges.is_empty() {
            return None;
        }
        let mut count: u64 = 1;
        for &(_, lo, hi) in &ranges {
            let n = u64::try_from(i128::from(hi) - i128::from(lo) + 1).unwrap_or(0);
            count = count.saturating_mul(n);
        }
        if count == 0 || count.saturating_mul(es.len() as u64) > MAX_EVALUATIONS {
            return None;
        }
        let mut at: Vec<i64> = ranges.iter().map(|r| r.1).collect();
        let mut tuples = Vec::new();
        loop {
            let values: Vec<(VarId, i64)> = ranges.iter().map(|r| r.0).zip(at.iter().copied()).collect();
            let mut tuple = Vec::with_capacity(es.len());
            for e in es {
                let mut fixed = (*e).clone();
                substitute_ints(&mut fixed, &values);
                // `const_int` folds constant ints and sizes; an element of
                // the data (`n[3]`) is the data evaluator's.
                tuple.push(self.const_int(&fixed).ok().or_else(|| crate::bind::const_int_of_data(self.bound, &fixed))?);
            }
            tuples.push(tuple);
            // The next combination, the last variable fastest.
            let mut i = ranges.len();
            loop {
                if i == 0 {
                    tuples.sort_unstable();
                    tuples.dedup();
                    return Some(tuples);
                }
                i -= 1;
                if at[i] < ranges[i].2 {
                    at[i] += 1;
                    break;
                }
                at[i] = ranges[i].1;
            }
        }
    }

    /// The distinct values of an integer variable of the data (see
    /// [`Lowerer::data_range`] for which variables those are).
    fn data_values(&mut self, var: VarId) -> Option<Vec<i64>> {
        self.data_range(var)?;
        match self.bound.value(var).map(|d| &d.storage) {
            Some(DataStorage::Ints(values)) => {
                let mut values = values.clone();
                values.sort_unstable();
                values.dedup();
                Some(values)
            }
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

/// The most evaluations [`Lowerer::values_over_loops`] makes of one
/// length (one per combination of its loop variables' values).
const MAX_EVALUATIONS: u64 = 100_000;

/// `e` with each variable of `values` replaced by its integer.
fn substitute_ints(e: &mut TypedExpr, values: &[(VarId, i64)]) {
    if let TypedExprKind::Var(v) = e.kind {
        if let Some(&(_, n)) = values.iter().find(|(u, _)| *u == v) {
            e.kind = TypedExprKind::IntLit(n);
        }
        return;
    }
    for c in e.children_mut() {
        substitute_ints(c, values);
    }
}

fn e_is_int(e: &TypedExpr) -> bool {
    e.ty.is_int_valued() && e.ty.is_scalar()
}
