//! Which values and buffers depend on the parameters (are *active*), and
//! the patterns the reverse sweep cannot handle by recomputation.

use super::reverse::call_outputs;
use super::AdError;
use crate::ir::{Arena, BufferId, CType, CallArg, Expr, Function, Module, ScalarType, Stmt, UnaryOp, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// The active values and buffers of a function.
#[derive(Debug, Default)]
pub struct Active {
    pub values: HashSet<Value>,
    pub buffers: HashSet<BufferId>,
}

impl Active {
    /// Whether the value needs an adjoint.
    pub fn value(&self, v: Value) -> bool {
        self.values.contains(&v)
    }

    /// Whether the buffer needs an adjoint.
    pub fn buffer(&self, b: BufferId) -> bool {
        self.buffers.contains(&b)
    }

    /// Whether any statement in the block computes an active value or
    /// writes an active buffer (so that the reverse sweep differentiates it).
    pub fn touches(&self, stmts: &[Stmt]) -> bool {
        stmts.iter().any(|s| match s {
            Stmt::Let { dst, .. } => self.value(*dst),
            Stmt::Call { dst, func, args, .. } => dst.is_some_and(|d| self.value(d)) || call_outputs(func, args).any(|(_, b, _)| self.buffer(b)),
            // A store into an active buffer overwrites an element whose
            // adjoint its reverse must clear, even when the stored value is
            // a constant (`mu = rep_vector(0, K)` at the top of each
            // iteration before `mu += ...`): skipping it left the adjoint of
            // one iteration in the next. An addition of a constant has
            // nothing to reverse.
            Stmt::Store { buf, value, .. } => self.value(*value) || self.buffer(*buf),
            Stmt::Accumulate { value, .. } | Stmt::AddTarget(value) => self.value(*value),
            Stmt::For { body, .. } => self.touches(body),
            Stmt::If { then, otherwise, .. } => self.touches(then) || self.touches(otherwise),
            Stmt::While { cond_block, body, .. } => self.touches(cond_block) || self.touches(body),
            _ => false,
        })
    }
}

/// Forward dependence on `Params`, to a fixed point (buffers written late
/// in the body may be read by loops that come first in a loop nest).
pub fn analyse(module: &Module, func: &Function) -> Active {
    let mut active = Active::default();
    for (i, b) in module.buffers.iter().enumerate() {
        if b.arena == Arena::Params {
            active.buffers.insert(BufferId(i as u32));
        }
    }
    loop {
        let before = (active.values.len(), active.buffers.len());
        visit(&func.body, func, &mut active);
        if (active.values.len(), active.buffers.len()) == before {
            return active;
        }
    }
}

fn visit(stmts: &[Stmt], func: &Function, a: &mut Active) {
    for s in stmts {
        match s {
            Stmt::Let { dst, expr } => {
                if func.type_of(*dst) != ScalarType::F64 {
                    continue;
                }
                let on = match expr {
                    Expr::Load { buf, .. } => a.buffer(*buf),
                    Expr::Unary(UnaryOp::ToF64, _) => false,
                    Expr::Unary(_, x) => a.value(*x),
                    Expr::Binary(_, x, y) => a.value(*x) || a.value(*y),
                    Expr::Select { then, otherwise, .. } => a.value(*then) || a.value(*otherwise),
                    // The running target depends on the parameters: a
                    // value read from it that reaches the target needs
                    // its adjoint, which the reverse refuses to build
                    // (inactive, its contribution was silently dropped).
                    Expr::Target => true,
                    Expr::F64(_) | Expr::I64(_) | Expr::Cmp(..) | Expr::ChunkIndex => false,
                };
                if on {
                    a.values.insert(*dst);
                }
            }
            Stmt::Call { dst, func: f, args, .. } => {
                // Inputs are values and read-only pointers; a buffer the
                // call writes is active when any input is, like a store.
                let on = args.iter().zip(&f.params).any(|(arg, t)| match (arg, t) {
                    (CallArg::Value(v), _) => a.value(*v),
                    (CallArg::Buffer { buf, .. }, CType::PtrConstF64) => a.buffer(*buf),
                    _ => false,
                });
                if !on {
                    continue;
                }
                if let Some(d) = dst {
                    if func.type_of(*d) == ScalarType::F64 {
                        a.values.insert(*d);
                    }
                }
                for (_, buf, _) in call_outputs(f, args) {
                    a.buffers.insert(buf);
                }
            }
            Stmt::Store { buf, value, .. } | Stmt::Accumulate { buf, value, .. } => {
                if a.value(*value) {
                    a.buffers.insert(*buf);
                }
            }
            Stmt::For { body, .. } => visit(body, func, a),
            Stmt::If { then, otherwise, .. } => {
                visit(then, func, a);
                visit(otherwise, func, a);
            }
            Stmt::While { cond_block, body, .. } => {
                visit(cond_block, func, a);
                visit(body, func, a);
            }
            // Tapes are made by the AD itself, never in what it analyses.
            Stmt::AddTarget(_) | Stmt::Break | Stmt::Continue | Stmt::Reject(_) | Stmt::Print(_) | Stmt::RunChunks { .. } | Stmt::TapeSave { .. } | Stmt::TapeLoad { .. } => {}
        }
    }
}

/// Buffers loaded and written (stored or accumulated) anywhere in `stmts`,
/// in the order of first access: `true` for a load.
pub(super) fn accesses(stmts: &[Stmt], out: &mut Vec<(BufferId, bool, bool)>) {
    for s in stmts {
        match s {
            Stmt::Let { expr: Expr::Load { buf, .. }, .. } => out.push((*buf, true, false)),
            Stmt::Store { buf, .. } => out.push((*buf, false, false)),
            Stmt::Accumulate { buf, .. } => out.push((*buf, false, true)),
            Stmt::Call { func, args, .. } => {
                for (a, t) in args.iter().zip(&func.params) {
                    if let (CallArg::Buffer { buf, .. }, CType::PtrConstF64) = (a, t) {
                        out.push((*buf, true, false));
                    }
                }
                // An output is written, and then read by the reverse sweep
                // (adjoint rules such as Cholesky's read the forward output),
                // so a later overwrite of it is refused like one after a load.
                for (_, buf, _) in call_outputs(func, args) {
                    out.push((buf, false, false));
                    out.push((buf, true, false));
                }
            }
            Stmt::For { body, .. } => accesses(body, out),
            Stmt::If { then, otherwise, .. } => {
                accesses(then, out);
                accesses(otherwise, out);
            }
            Stmt::While { cond_block, body, .. } => {
                accesses(cond_block, out);
                accesses(body, out);
            }
            _ => {}
        }
    }
}

/// How the gradient undoes the overwrites of values already read (see
/// [`check_no_overwrite_after_use`]).
#[derive(Debug, Default)]
pub struct Overwrites {
    /// Buffers read and then overwritten by later top-level stores: the
    /// forward sweep keeps each such store's old value and the reverse
    /// sweep puts it back.
    pub restored: HashSet<BufferId>,
    /// Top-level loops and branches (by statement index) that overwrite,
    /// without reading or reading only what they wrote themselves,
    /// buffers an earlier statement read: the forward
    /// sweep copies each buffer before the statement and the reverse sweep
    /// copies it back once the statement is reversed (`x[idx] = ...;`
    /// then `x += c;`, which lowers to a copy loop back into `x`).
    pub snapshotted: BTreeMap<usize, BTreeSet<BufferId>>,
}

/// Refuses the pattern recomputation gets wrong and the reverse sweep
/// cannot undo: an active buffer read by one top-level statement and
/// overwritten by a later one other than a plain top-level store, a
/// top-level loop that carries it, or a top-level loop or branch that
/// writes it without reading it or reads only what it wrote itself (a
/// call's output, or a loop that reads an earlier value of what it
/// overwrites without carrying it). Returns how the accepted
/// overwrites are undone, so that the loops the reverse sweep recomputes
/// read the values they read forward. (Values carried across the
/// iterations of a loop are handled by [`super::carry`].)
pub fn check_no_overwrite_after_use(
    module: &Module,
    func: &Function,
    active: &Active,
    carries: &std::collections::HashMap<Value, super::carry::Carry>,
    facts: &super::affine::IndexFacts,
) -> Result<Overwrites, AdError> {
    let ranges = &facts.ranges;
    let per_stmt: Vec<Vec<(BufferId, bool, bool)>> = func
        .body
        .iter()
        .map(|s| {
            let mut v = Vec::new();
            accesses(std::slice::from_ref(s), &mut v);
            v
        })
        .collect();
    let mut undo = Overwrites::default();
    for (i, acc) in per_stmt.iter().enumerate() {
        for &(buf, is_load, _) in acc {
            if !is_load || !active.buffer(buf) {
                continue;
            }
            // A later loop that stores only elements this statement does
            // not read (`nu[1]` read, then `nu[t]` stored for t in 2:T)
            // overwrites nothing it read: the reverse sweep reads the same
            // value here as the forward one did.
            let read = element_ranges(std::slice::from_ref(&func.body[i]), buf, true, ranges);
            let later: Vec<usize> = (i + 1..per_stmt.len())
                .filter(|&k| per_stmt[k].iter().any(|&(b, load, accum)| b == buf && !load && !accum))
                .filter(|&k| {
                    let written = element_ranges(std::slice::from_ref(&func.body[k]), buf, false, ranges);
                    !matches!((&read, &written), (Some(r), Some(w)) if disjoint(r, w))
                })
                .collect();
            if later.is_empty() {
                continue;
            }
            // Only written there: a copy taken before the statement puts
            // back everything it may have overwritten.
            let writes_only = |k: usize| per_stmt[k].iter().all(|&(b, load, accum)| b != buf || (!load && !accum));
            let mut snapshots = Vec::new();
            let undoable = module.buffer(buf).arena == Arena::Work
                && later.iter().all(|&k| match &func.body[k] {
                    Stmt::Store { buf: b, .. } => *b == buf,
                    // A loop that carries the buffer puts back its value
                    // from before the loop when its reverse ends.
                    Stmt::For { var, .. } if carries.get(var).is_some_and(|c| c.cells.iter().any(|&(cell, _)| cell == buf)) => true,
                    Stmt::While { cond, .. } if carries.get(cond).is_some_and(|c| c.cells.iter().any(|&(cell, _)| cell == buf)) => true,
                    Stmt::For { .. } | Stmt::If { .. } | Stmt::While { .. } if writes_only(k) => {
                        snapshots.push(k);
                        true
                    }
                    // Fills it element by element (`h[t] += phi * h[t - 1]`):
                    // its reverse needs no earlier values, and the same copy
                    // puts back what the earlier statement read.
                    s @ Stmt::For { .. } if super::carry::fills_element_wise(module, func, s, buf, facts) => {
                        snapshots.push(k);
                        true
                    }
                    // Reads only what it wrote itself (each iteration
                    // overwrites the buffer before reading it, as an
                    // inlined user function's local reused by a later
                    // loop): its reverse recomputes it from any value, so
                    // the same copy puts back what the earlier statement
                    // read.
                    Stmt::For { .. } | Stmt::If { .. } | Stmt::While { .. }
                        if super::carry::reads_only_own_values(module, func, std::slice::from_ref(&func.body[k]), buf, facts) =>
                    {
                        snapshots.push(k);
                        true
                    }
                    _ => false,
                });
            if !undoable {
                return Err(AdError {
                    message: format!(
                        "`{}` is assigned again, inside a loop or branch or by a call on buffers, after it has been used; gradients of such overwrites are not supported yet — declare a new variable for the new value",
                        module.buffer(buf).name
                    ),
                });
            }
            for k in snapshots {
                undo.snapshotted.entry(k).or_default().insert(buf);
            }
            undo.restored.insert(buf);
        }
    }
    Ok(undo)
}


/// The index ranges of the elements of `buf` that `stmts` read (`reads`)
/// or write, or `None` when one of them is not known from the data (an
/// index whose range does not follow from them, or a call on the buffer).
fn element_ranges(stmts: &[Stmt], buf: BufferId, reads: bool, ranges: &HashMap<Value, (i64, i64)>) -> Option<Vec<(i64, i64)>> {
    fn walk(stmts: &[Stmt], buf: BufferId, reads: bool, ranges: &HashMap<Value, (i64, i64)>, out: &mut Vec<(i64, i64)>) -> Option<()> {
        for s in stmts {
            match s {
                Stmt::Let { expr: Expr::Load { buf: b, index }, .. } if *b == buf && reads => out.push(*ranges.get(index)?),
                Stmt::Store { buf: b, index, .. } if *b == buf && !reads => out.push(*ranges.get(index)?),
                Stmt::Accumulate { buf: b, index, .. } if *b == buf => out.push(*ranges.get(index)?),
                Stmt::Call { args, .. } if args.iter().any(|a| matches!(a, CallArg::Buffer { buf: b, .. } if *b == buf)) => return None,
                Stmt::For { body, .. } => walk(body, buf, reads, ranges, out)?,
                Stmt::If { then, otherwise, .. } => {
                    walk(then, buf, reads, ranges, out)?;
                    walk(otherwise, buf, reads, ranges, out)?;
                }
                Stmt::While { cond_block, body, .. } => {
                    walk(cond_block, buf, reads, ranges, out)?;
                    walk(body, buf, reads, ranges, out)?;
                }
                _ => {}
            }
        }
        Some(())
    }
    let mut out = Vec::new();
    walk(stmts, buf, reads, ranges, &mut out)?;
    Some(out)
}

/// Whether no range of `a` overlaps one of `b`.
fn disjoint(a: &[(i64, i64)], b: &[(i64, i64)]) -> bool {
    a.iter().all(|&(lo, hi)| b.iter().all(|&(l, h)| hi < l || h < lo))
}
