//! `break` and `continue` in loops the reverse sweep differentiates,
//! rewritten before the analyses as guarded code with one flag per loop.
//!
//! The reverse sweep recomputes a loop iteration inside its own reverse
//! loop and then differentiates it statement by statement; a `break` or
//! `continue` recomputed there would leave the reverse loop instead of the
//! iteration. So in every loop that touches active values and jumps out
//! of its own body, the iteration starts by setting the loop's flag cell
//! (an `IntWork` element) to 0; a `continue` sets it to 1 and a `break` to
//! 2, and what follows a statement that may have set it runs only while it
//! is 0. A loop with a `break` ends its body with the one jump that is
//! left, the *exit test* `if (flag == 2) break;` ([`split_exit`]): the
//! forward sweep runs it, and counts the iterations the loop started, and
//! the reverse sweep replays that many iterations without it
//! ([`super::carry::Carry::trips`]). Every path computes what the original
//! loop computed, in the same order.

use super::activity::Active;
use crate::ir::{Arena, BufferId, CmpOp, Expr, Function, Module, ScalarType, Stmt, Value};

/// What a loop body's jumps set its flag to.
const CONTINUED: i64 = 1;
const BROKEN: i64 = 2;

/// Rewrites the jumps of every loop of `func` that touches active values.
pub fn structure(module: &mut Module, func: &mut Function, active: &Active) {
    let body = std::mem::take(&mut func.body);
    func.body = Rewriter { module, func, active }.block(body);
}

/// The body of a loop less its trailing exit test, and the test's
/// condition, when the body ends with one (`if (c) break;`, nothing else
/// in either arm) and jumps nowhere else.
pub fn split_exit(body: &[Stmt]) -> (&[Stmt], Option<Value>) {
    if let Some((Stmt::If { cond, then, otherwise }, rest)) = body.split_last() {
        if matches!(then.as_slice(), [Stmt::Break]) && otherwise.is_empty() && !super::reverse::contains_jump(rest) {
            return (rest, Some(*cond));
        }
    }
    (body, None)
}

struct Rewriter<'a> {
    module: &'a mut Module,
    func: &'a mut Function,
    active: &'a Active,
}

impl Rewriter<'_> {
    fn define(&mut self, out: &mut Vec<Stmt>, ty: ScalarType, expr: Expr) -> Value {
        let dst = self.func.new_value(ty);
        out.push(Stmt::Let { dst, expr });
        dst
    }

    /// `flag[0] = x`.
    fn set(&mut self, flag: BufferId, x: i64, out: &mut Vec<Stmt>) {
        let index = self.define(out, ScalarType::I64, Expr::I64(0));
        let value = self.define(out, ScalarType::I64, Expr::I64(x));
        out.push(Stmt::Store { buf: flag, index, value });
    }

    /// `flag[0] == x`, as a value.
    fn is(&mut self, flag: BufferId, x: i64, out: &mut Vec<Stmt>) -> Value {
        let index = self.define(out, ScalarType::I64, Expr::I64(0));
        let f = self.define(out, ScalarType::I64, Expr::Load { buf: flag, index });
        let k = self.define(out, ScalarType::I64, Expr::I64(x));
        self.define(out, ScalarType::I64, Expr::Cmp(CmpOp::Eq, f, k))
    }

    /// A block with its loops rewritten (inner loops first).
    fn block(&mut self, stmts: Vec<Stmt>) -> Vec<Stmt> {
        stmts.into_iter().map(|s| self.stmt(s)).collect()
    }

    fn stmt(&mut self, s: Stmt) -> Stmt {
        match s {
            Stmt::For { var, start, end, body } => {
                let body = self.block(body);
                let body = self.loop_body(body);
                Stmt::For { var, start, end, body }
            }
            Stmt::While { cond_block, cond, body } => {
                let cond_block = self.block(cond_block);
                let body = self.block(body);
                let body = self.loop_body(body);
                Stmt::While { cond_block, cond, body }
            }
            Stmt::If { cond, then, otherwise } => {
                Stmt::If { cond, then: self.block(then), otherwise: self.block(otherwise) }
            }
            other => other,
        }
    }

    /// A loop body with its own jumps made flags, when it touches active
    /// values and has any; otherwise as it is (the fused, tape-free code
    /// of loops the reverse sweep only re-runs stays the same).
    fn loop_body(&mut self, body: Vec<Stmt>) -> Vec<Stmt> {
        if !super::reverse::contains_jump(&body) || !self.active.touches(&body) {
            return body;
        }
        let name = "loop.jump";
        let flag = self.module.add_buffer(name, Arena::IntWork, 1);
        let breaks = contains_break(&body);
        let mut out = Vec::with_capacity(body.len() + 4);
        self.set(flag, 0, &mut out);
        self.guarded(body, flag, &mut out);
        if breaks {
            let c = self.is(flag, BROKEN, &mut out);
            out.push(Stmt::If { cond: c, then: vec![Stmt::Break], otherwise: Vec::new() });
        }
        out
    }

    /// Emits `stmts` with this loop's jumps as flag stores, and what
    /// follows a statement that may jump under `if (flag == 0)`.
    fn guarded(&mut self, stmts: Vec<Stmt>, flag: BufferId, out: &mut Vec<Stmt>) {
        let mut rest = stmts.into_iter();
        while let Some(s) = rest.next() {
            match s {
                // What follows a jump in its block never runs.
                Stmt::Break => return self.set(flag, BROKEN, out),
                Stmt::Continue => return self.set(flag, CONTINUED, out),
                Stmt::If { cond, then, otherwise } if super::reverse::contains_jump(&then) || super::reverse::contains_jump(&otherwise) => {
                    let (mut t, mut o) = (Vec::new(), Vec::new());
                    self.guarded(then, flag, &mut t);
                    self.guarded(otherwise, flag, &mut o);
                    out.push(Stmt::If { cond, then: t, otherwise: o });
                    let after: Vec<Stmt> = rest.collect();
                    if !after.is_empty() {
                        let go_on = self.is(flag, 0, out);
                        let mut inner = Vec::new();
                        self.guarded(after, flag, &mut inner);
                        out.push(Stmt::If { cond: go_on, then: inner, otherwise: Vec::new() });
                    }
                    return;
                }
                other => out.push(other),
            }
        }
    }
}

/// Whether `stmts` hold a `break` of the loop around them (not of a loop
/// of their own).
fn contains_break(stmts: &[Stmt]) -> bool {
    stmts.iter().any(|s| match s {
        Stmt::Break => true,
        Stmt::If { then, otherwise, .. } => contains_break(then) || contains_break(otherwise),
        _ => false,
    })
}
