//! Guards of target terms: `target += select(ok, v, -inf)`, which the
//! lowering writes for a density outside its support or not finite.
//!
//! The reverse of a `select` needs its condition, and inside a loop the
//! reverse sweep recomputes it: for a guard that is the whole density
//! (`multi_normal_cholesky` of a small factor checks that its value is
//! finite), put back on the chain of every adjoint it feeds. But a guard
//! whose other branch is not finite (±inf or NaN) and whose value is only
//! added to the target makes the target not finite whenever it picks that
//! branch (`-inf + x` is `-inf` or NaN). A gradient is defined only where
//! the log density is finite, and used only there (the sampler, the
//! initialisation and `hbmc gradcheck` reject any other point), and there
//! every such guard picked `v`: so its reverse passes the adjoint to `v`
//! as it is, without the condition, and the gradient is the same to the
//! bit at every point of finite log density. Where the log density is not
//! finite the gradient is the unguarded density's, not zero.

use crate::ir::{Expr, Function, Stmt, Value};
use std::collections::{HashMap, HashSet};

/// The guards of a function: see the module comment.
#[derive(Default)]
pub(super) struct TargetGuards {
    /// A guard's value to its finite branch.
    finite_branch: HashMap<Value, Value>,
}

impl TargetGuards {
    /// Scans every block of `f` (values are defined once).
    pub fn of(f: &Function) -> Self {
        let mut constants = HashSet::new();
        let mut selects = HashMap::new();
        collect(&f.body, &mut constants, &mut selects);
        let mut uses: HashMap<Value, usize> = HashMap::new();
        super::prune::each_use(&f.body, &mut |v| *uses.entry(v).or_default() += 1);
        let mut target_uses: HashMap<Value, usize> = HashMap::new();
        count_target_terms(&f.body, &mut target_uses);
        let finite_branch = selects
            .into_iter()
            .filter(|(dst, _)| target_uses.get(dst).is_some_and(|n| uses.get(dst) == Some(n)))
            .filter_map(|(dst, (then, otherwise))| match (constants.contains(&then), constants.contains(&otherwise)) {
                (false, true) => Some((dst, then)),
                (true, false) => Some((dst, otherwise)),
                _ => None,
            })
            .collect();
        TargetGuards { finite_branch }
    }

    /// The branch `v` of guard `dst`, when `dst` is one.
    pub fn finite_branch(&self, dst: Value) -> Option<Value> {
        self.finite_branch.get(&dst).copied()
    }
}

/// The values defined as a non-finite constant, and every `select`'s
/// branches.
fn collect(block: &[Stmt], constants: &mut HashSet<Value>, selects: &mut HashMap<Value, (Value, Value)>) {
    for s in block {
        match s {
            Stmt::Let { dst, expr: Expr::F64(x) } if !x.is_finite() => {
                constants.insert(*dst);
            }
            Stmt::Let { dst, expr: Expr::Select { then, otherwise, .. } } => {
                selects.insert(*dst, (*then, *otherwise));
            }
            _ => {}
        }
        for b in nested(s) {
            collect(b, constants, selects);
        }
    }
}

/// How many times each value is added to the target.
fn count_target_terms(block: &[Stmt], out: &mut HashMap<Value, usize>) {
    for s in block {
        if let Stmt::AddTarget(v) = s {
            *out.entry(*v).or_default() += 1;
        }
        for b in nested(s) {
            count_target_terms(b, out);
        }
    }
}

/// The blocks nested in `s`.
fn nested(s: &Stmt) -> Vec<&[Stmt]> {
    match s {
        Stmt::For { body, .. } => vec![body],
        Stmt::If { then, otherwise, .. } => vec![then, otherwise],
        Stmt::While { cond_block, body, .. } => vec![cond_block, body],
        _ => vec![],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{CmpOp, FunctionKind, ScalarType};

    /// Builds, in a loop, `c = x < 1; s = select(c, x, k); target += s`
    /// (and prints `s` too when `read_too`), returning the function, `s`
    /// and `x`.
    fn guarded(k: f64, read_too: bool) -> (Function, Value, Value) {
        let mut f = Function::new(FunctionKind::LogDensity);
        let (x, one, kv, s) = (f.new_value(ScalarType::F64), f.new_value(ScalarType::F64), f.new_value(ScalarType::F64), f.new_value(ScalarType::F64));
        let (c, i) = (f.new_value(ScalarType::I64), f.new_value(ScalarType::I64));
        let mut body = vec![
            Stmt::Let { dst: x, expr: Expr::F64(0.5) },
            Stmt::Let { dst: one, expr: Expr::F64(1.0) },
            Stmt::Let { dst: c, expr: Expr::Cmp(CmpOp::Lt, x, one) },
            Stmt::Let { dst: kv, expr: Expr::F64(k) },
            Stmt::Let { dst: s, expr: Expr::Select { cond: c, then: x, otherwise: kv } },
            Stmt::AddTarget(s),
        ];
        if read_too {
            body.push(Stmt::Print(vec![crate::ir::MessagePart::Value(s)]));
        }
        f.body = vec![Stmt::For { var: i, start: one, end: one, body }];
        (f, s, x)
    }

    #[test]
    fn a_select_added_to_the_target_with_a_non_finite_branch_is_a_guard() {
        for k in [f64::NEG_INFINITY, f64::INFINITY, f64::NAN] {
            let (f, s, x) = guarded(k, false);
            assert_eq!(TargetGuards::of(&f).finite_branch(s), Some(x), "{k}");
        }
    }

    #[test]
    fn a_finite_other_branch_or_another_use_is_not() {
        let (f, s, _) = guarded(0.0, false);
        assert_eq!(TargetGuards::of(&f).finite_branch(s), None);
        let (f, s, _) = guarded(f64::NEG_INFINITY, true);
        assert_eq!(TargetGuards::of(&f).finite_branch(s), None);
    }
}
