//! Values the gradient computes and never uses, removed.
//!
//! The reverse sweep recomputes each loop iteration before differentiating
//! it, and a nested loop once more where its enclosing block is
//! recomputed: a recomputed `log(r11)` whose value only fed the target
//! (already summed by the forward sweep) is dead there. Cranelift drops
//! dead arithmetic itself but keeps a dead library call (it cannot know
//! the callee is pure), and a call to `log` costs about 70 instructions
//! (electric_covariance_conditional made four dead ones per cell).
//! So every call whose arguments are all scalars (the library's pure
//! math: no buffer it could write, no random number generator) and whose
//! results are never used is removed, with the arithmetic that fed only
//! it, to a fixed point. Loads stay (the reference interpreter checks
//! their bounds, an oracle for lowering), as does every statement with an
//! effect.

use crate::ir::{user_function_index, CallArg, Expr, Function, MessagePart, Stmt, Value};
use std::collections::HashSet;

/// Removes `func`'s dead pure calls and the dead arithmetic feeding them.
pub fn prune(func: &mut Function) {
    loop {
        let mut used = HashSet::new();
        uses(&func.body, &mut used);
        if !remove_dead(&mut func.body, &used) {
            return;
        }
    }
}

/// Every value some statement reads.
fn uses(stmts: &[Stmt], used: &mut HashSet<Value>) {
    for s in stmts {
        match s {
            Stmt::Let { expr, .. } => match expr {
                Expr::Load { index, .. } => {
                    used.insert(*index);
                }
                Expr::Unary(_, x) => {
                    used.insert(*x);
                }
                Expr::Binary(_, a, b) | Expr::Cmp(_, a, b) => {
                    used.extend([*a, *b]);
                }
                Expr::Select { cond, then, otherwise } => {
                    used.extend([*cond, *then, *otherwise]);
                }
                Expr::F64(_) | Expr::I64(_) | Expr::Target | Expr::ChunkIndex => {}
            },
            Stmt::Call { args, .. } => {
                for a in args {
                    match a {
                        CallArg::Value(v) | CallArg::Buffer { offset: v, .. } => {
                            used.insert(*v);
                        }
                        CallArg::Rng => {}
                    }
                }
            }
            Stmt::Store { index, value, .. } | Stmt::Accumulate { index, value, .. } => {
                used.extend([*index, *value]);
            }
            Stmt::AddTarget(v) => {
                used.insert(*v);
            }
            Stmt::For { start, end, body, .. } => {
                used.extend([*start, *end]);
                uses(body, used);
            }
            Stmt::If { cond, then, otherwise } => {
                used.insert(*cond);
                uses(then, used);
                uses(otherwise, used);
            }
            Stmt::While { cond_block, cond, body } => {
                used.insert(*cond);
                uses(cond_block, used);
                uses(body, used);
            }
            Stmt::Print(parts) | Stmt::Reject(parts) => {
                for p in parts {
                    if let MessagePart::Value(v) = p {
                        used.insert(*v);
                    }
                }
            }
            Stmt::TapeSave { slot, value, .. } => {
                used.extend([*slot, *value]);
            }
            Stmt::TapeLoad { slot, .. } => {
                used.insert(*slot);
            }
            Stmt::Break | Stmt::Continue | Stmt::RunChunks { .. } => {}
        }
    }
}

/// Removes the dead statements of `stmts` (nested blocks included);
/// whether any was removed.
fn remove_dead(stmts: &mut Vec<Stmt>, used: &HashSet<Value>) -> bool {
    let before = stmts.len();
    stmts.retain(|s| match s {
        Stmt::Let { dst, expr } => used.contains(dst) || matches!(expr, Expr::Load { .. }),
        Stmt::TapeLoad { dst, .. } => used.contains(dst),
        Stmt::Call { dst: Some(dst), partials, args, func } => {
            // A user function may reject (or recurse too deep): not pure.
            let pure = args.iter().all(|a| matches!(a, CallArg::Value(_)))
                && user_function_index(&func.symbol).is_none();
            !pure || used.contains(dst) || partials.iter().any(|p| used.contains(p))
        }
        _ => true,
    });
    let mut removed = stmts.len() != before;
    for s in stmts.iter_mut() {
        match s {
            Stmt::For { body, .. } => removed |= remove_dead(body, used),
            Stmt::If { then, otherwise, .. } => {
                removed |= remove_dead(then, used);
                removed |= remove_dead(otherwise, used);
            }
            Stmt::While { cond_block, body, .. } => {
                removed |= remove_dead(cond_block, used);
                removed |= remove_dead(body, used);
            }
            _ => {}
        }
    }
    removed
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{BinaryOp, CType, FuncRef, FunctionKind, ScalarType, UnaryOp};

    fn log_ref() -> FuncRef {
        FuncRef { symbol: "hbm_log".into(), params: vec![CType::F64], ret: CType::F64 }
    }

    #[test]
    fn a_dead_pure_call_and_its_arithmetic_go_and_used_ones_stay() {
        let mut f = Function::new(FunctionKind::Gradient);
        let x = f.new_value(ScalarType::F64);
        let dead = f.new_value(ScalarType::F64);
        let neg = f.new_value(ScalarType::F64);
        let live = f.new_value(ScalarType::F64);
        let sum = f.new_value(ScalarType::F64);
        f.body = vec![
            Stmt::Let { dst: x, expr: Expr::F64(2.0) },
            Stmt::Call { dst: Some(dead), partials: vec![], func: log_ref(), args: vec![CallArg::Value(x)] },
            Stmt::Let { dst: neg, expr: Expr::Unary(UnaryOp::Neg, dead) },
            Stmt::Call { dst: Some(live), partials: vec![], func: log_ref(), args: vec![CallArg::Value(x)] },
            Stmt::Let { dst: sum, expr: Expr::Binary(BinaryOp::Add, live, x) },
            Stmt::AddTarget(sum),
        ];
        prune(&mut f);
        let calls = f.body.iter().filter(|s| matches!(s, Stmt::Call { .. })).count();
        assert_eq!(calls, 1, "{:?}", f.body);
        assert!(!f.body.iter().any(|s| matches!(s, Stmt::Let { dst, .. } if *dst == neg)));
        assert!(f.body.iter().any(|s| matches!(s, Stmt::Call { dst: Some(d), .. } if *d == live)));
        assert_eq!(f.body.len(), 4);
    }
}
