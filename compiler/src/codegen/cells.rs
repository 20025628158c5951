//! Which buffer elements a call-free loop may keep in variables while it
//! runs ([`Translator::promote_cells`](super::lower)): the AD adds the
//! adjoint of every value from outside a loop into a one-element cell
//! (`cell[0] += ...`) and the gradient of a parameter indexed by an outer
//! loop variable (`grad.beta[g - 1] += ...` in a loop over the cells of
//! group `g`) on every iteration; in memory each addition waits for the
//! previous one's store, in a register it is one add.
//!
//! An element qualifies when every access the loop makes to its buffer
//! names an element the same way on every iteration: a constant index, or
//! one value defined outside the loop plus a constant (`g - 1`, `g`,
//! `g + 1` are distinct elements; `g - 1` and `h - 1`, or `g - 1` and
//! `0`, might be the same one, so such a buffer stays in memory). Buffers
//! never overlap, and a call-free loop reaches memory only through its own
//! loads and stores, so nothing else sees the element while it is in a
//! variable.

use std::collections::{HashMap, HashSet};

use crate::ir::{BufferId, Expr, Stmt, Value};

/// How an index names its element: a constant, or a value (defined outside
/// the loop) plus a constant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum IndexBase {
    Const,
    Value(Value),
}

/// The element an index names: its base and the constant added to it.
pub(crate) fn cell_key(index: Value, consts: &HashMap<Value, i64>, offsets: &HashMap<Value, (Value, i64)>) -> (IndexBase, i64) {
    if let Some(&k) = consts.get(&index) {
        return (IndexBase::Const, k);
    }
    match offsets.get(&index) {
        Some(&(base, k)) => (IndexBase::Value(base), k),
        None => (IndexBase::Value(index), 0),
    }
}

/// The elements a loop over `var` with body `body` can keep in variables:
/// per buffer, the shared base of its indices and each constant with
/// whether the loop writes that element. Sorted by buffer.
pub(crate) fn loop_cells(
    var: Value,
    body: &[Stmt],
    consts: &HashMap<Value, i64>,
    offsets: &HashMap<Value, (Value, i64)>,
) -> Vec<(BufferId, IndexBase, Vec<(i64, bool)>)> {
    let mut inside = HashSet::from([var]);
    defined(body, &mut inside);
    let mut found: HashMap<BufferId, Option<(IndexBase, Vec<(i64, bool)>)>> = HashMap::new();
    accesses(body, &mut |buf, index, write| {
        let (base, k) = cell_key(index, consts, offsets);
        let entry = found.entry(buf).or_insert_with(|| Some((base, Vec::new())));
        let moving = matches!(base, IndexBase::Value(b) if inside.contains(&b));
        match entry {
            Some((b, ks)) if *b == base && !moving => match ks.iter_mut().find(|(j, _)| *j == k) {
                Some((_, w)) => *w |= write,
                None => ks.push((k, write)),
            },
            _ => *entry = None,
        }
    });
    let mut cells: Vec<_> = found.into_iter().filter_map(|(buf, c)| c.map(|(base, ks)| (buf, base, ks))).collect();
    cells.sort_by_key(|(buf, ..)| buf.0);
    cells
}

/// Every load, store and addition in `stmts`, at any depth, as (buffer,
/// index, whether it writes).
fn accesses(stmts: &[Stmt], f: &mut impl FnMut(BufferId, Value, bool)) {
    for s in stmts {
        match s {
            Stmt::Let { expr: Expr::Load { buf, index }, .. } => f(*buf, *index, false),
            Stmt::Store { buf, index, .. } | Stmt::Accumulate { buf, index, .. } => f(*buf, *index, true),
            Stmt::For { body, .. } => accesses(body, f),
            Stmt::If { then, otherwise, .. } => {
                accesses(then, f);
                accesses(otherwise, f);
            }
            Stmt::While { cond_block, body, .. } => {
                accesses(cond_block, f);
                accesses(body, f);
            }
            _ => {}
        }
    }
}

/// The values `stmts` define, at any depth (they change from one
/// iteration to the next).
fn defined(stmts: &[Stmt], out: &mut HashSet<Value>) {
    for s in stmts {
        match s {
            Stmt::Let { dst, .. } | Stmt::TapeLoad { dst, .. } => {
                out.insert(*dst);
            }
            Stmt::Call { dst, partials, .. } => {
                out.extend(dst.iter().copied());
                out.extend(partials.iter().copied());
            }
            Stmt::For { var, body, .. } => {
                out.insert(*var);
                defined(body, out);
            }
            Stmt::If { then, otherwise, .. } => {
                defined(then, out);
                defined(otherwise, out);
            }
            Stmt::While { cond_block, body, .. } => {
                defined(cond_block, out);
                defined(body, out);
            }
            _ => {}
        }
    }
}
