//! Values carried from one loop iteration to the next in one-element cells
//! (`mu = mu * phi + ...` inside a loop), and the per-iteration store of
//! them that lets the reverse sweep recompute an iteration from the values
//! it started with.
//!
//! The reverse sweep recomputes each iteration of a loop before
//! differentiating it. A cell the iteration reads before writing holds, at
//! that time, its value from the end of the loop, not from the start of the
//! iteration. So the iteration's first action, wherever it runs forward
//! (the forward sweep for top-level loops, the recomputation of the
//! enclosing block for nested ones), is to copy each carried cell into slot
//! `var - start` of the cell's tape; the reverse of iteration `var` starts
//! by copying it back. The tape has one slot per iteration, sized at
//! compile time from the loop's constant trip count; a nested loop reuses
//! its tape for every iteration of the enclosing loop, since the enclosing
//! loop's reverse recomputes (and so refills) it just before reversing it.
//! Loops that carry nothing get no tape and stay as they were.

use super::AdError;
use crate::ir::{Arena, BinaryOp, BufferId, Expr, Function, Module, Stmt, Value};
use std::collections::HashMap;

/// The carried cells of one loop, each with its tape.
#[derive(Clone, Debug)]
pub struct Carry {
    /// (cell, tape) pairs: the tape has one slot per iteration.
    pub cells: Vec<(BufferId, BufferId)>,
}

/// The carried cells of every loop of `func` that has some, by the loop
/// variable of the forward function.
/// `int_data` is the initial `IntData` arena (the data's integers), from
/// which loop bounds such as `N + 1` are evaluated.
pub fn find(module: &mut Module, func: &Function, int_data: &[i64]) -> Result<HashMap<Value, Carry>, AdError> {
    let consts = constants(module, &func.body, int_data);
    let mut out = HashMap::new();
    visit(module, func, &func.body, &consts, &mut out)?;
    Ok(out)
}

fn visit(module: &mut Module, func: &Function, stmts: &[Stmt], consts: &HashMap<Value, i64>, out: &mut HashMap<Value, Carry>) -> Result<(), AdError> {
    for s in stmts {
        match s {
            Stmt::For { var, start, end, body } => {
                let mut cells = carried_cells(module, body);
                let bounds = (consts.get(start), consts.get(end));
                if matches!(bounds, (None, _) | (_, None)) {
                    // Without a trip count there is no tape. A vector read
                    // and written in the loop is taken to be filled element
                    // by element (`mu[t] = ... mu[t - 1]`), as before
                    // values could be carried; a one-element cell certainly
                    // carries its value and is refused below.
                    cells.retain(|&c| module.buffer(c).len == 1);
                }
                if !cells.is_empty() {
                    let (Some(&a), Some(&b)) = bounds else {
                        return Err(AdError {
                            message: format!(
                                "`{}` carries a value from one loop iteration to the next in a loop whose bounds are not constants of the data; gradients through such loops are not supported yet",
                                module.buffer(cells[0]).name
                            ),
                        });
                    };
                    let trip = (b - a).max(0) as usize;
                    let cells = cells
                        .into_iter()
                        .map(|c| {
                            let arena = module.buffer(c).arena;
                            let name = format!("{}.carried", module.buffer(c).name);
                            let len = module.buffer(c).len;
                            (c, module.add_buffer(name, arena, trip.max(1) * len))
                        })
                        .collect();
                    out.insert(*var, Carry { cells });
                }
                visit(module, func, body, consts, out)?;
            }
            Stmt::If { then, otherwise, .. } => {
                visit(module, func, then, consts, out)?;
                visit(module, func, otherwise, consts, out)?;
            }
            Stmt::While { cond_block, body, .. } => {
                visit(module, func, cond_block, consts, out)?;
                visit(module, func, body, consts, out)?;
            }
            _ => {}
        }
    }
    Ok(())
}

/// Integer values of the function known at compile time: constants, loads
/// of the data's integers (not transformed data, which are computed at run
/// time: their initial arena holds no values), and sums, differences and
/// products of those. Loop bounds are such values once the data are bound.
fn constants(module: &Module, stmts: &[Stmt], int_data: &[i64]) -> HashMap<Value, i64> {
    let computed = transformed_int_buffers(module);
    let mut out = HashMap::new();
    let mut walk_ctx = (module, int_data, &computed);
    fn walk(stmts: &[Stmt], ctx: &mut (&Module, &[i64], &Vec<BufferId>), out: &mut HashMap<Value, i64>) {
        for s in stmts {
            match s {
                Stmt::Let { dst, expr } => {
                    let known = match expr {
                        Expr::I64(x) => Some(*x),
                        Expr::Load { buf, index } => {
                            let b = ctx.0.buffer(*buf);
                            match out.get(index) {
                                Some(&i) if b.arena == Arena::IntData && !ctx.2.contains(buf) && i >= 0 && (i as usize) < b.len => {
                                    ctx.1.get(b.offset + i as usize).copied()
                                }
                                _ => None,
                            }
                        }
                        Expr::Binary(op, a, c) => match (out.get(a), out.get(c)) {
                            (Some(&x), Some(&y)) => match op {
                                BinaryOp::Add => x.checked_add(y),
                                BinaryOp::Sub => x.checked_sub(y),
                                BinaryOp::Mul => x.checked_mul(y),
                                _ => None,
                            },
                            _ => None,
                        },
                        _ => None,
                    };
                    if let Some(x) = known {
                        out.insert(*dst, x);
                    }
                }
                Stmt::For { body, .. } => walk(body, ctx, out),
                Stmt::If { then, otherwise, .. } => {
                    walk(then, ctx, out);
                    walk(otherwise, ctx, out);
                }
                Stmt::While { cond_block, body, .. } => {
                    walk(cond_block, ctx, out);
                    walk(body, ctx, out);
                }
                _ => {}
            }
        }
    }
    walk(stmts, &mut walk_ctx, &mut out);
    out
}

/// `IntData` buffers the transformed-data function writes.
fn transformed_int_buffers(module: &Module) -> Vec<BufferId> {
    let mut reads = Vec::new();
    let mut writes = Vec::new();
    if let Some(f) = module.function(crate::ir::FunctionKind::TransformedData) {
        touches(&f.body, &mut reads, &mut writes);
    }
    writes
}

/// The largest local (in elements) saved whole per iteration; larger ones
/// (a `vector[N]` filled element by element from the previous one, as in
/// GARCH) would make the tape quadratic in N.
pub const MAX_CARRIED_LEN: usize = 64;

/// Small scratch buffers (real or integer locals) that the body reads
/// and writes, unless the body's first statement touching the cell is a
/// plain store to it (then every iteration starts by redefining it, and
/// nothing is carried).
fn carried_cells(module: &Module, body: &[Stmt]) -> Vec<BufferId> {
    let mut reads = Vec::new();
    let mut writes = Vec::new();
    touches(body, &mut reads, &mut writes);
    let mut out: Vec<BufferId> = reads
        .iter()
        .copied()
        .filter(|b| writes.contains(b))
        .filter(|&b| {
            let buf = module.buffer(b);
            buf.len <= MAX_CARRIED_LEN && matches!(buf.arena, Arena::Work | Arena::IntWork)
        })
        .filter(|&b| !redefined_first(body, b))
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Whether the body's first access to `b` (in program order, into nested
/// blocks) is a plain store: then every iteration starts by redefining it
/// (the same rule the activity check applied before values could be
/// carried, so loops it accepted keep their code).
fn redefined_first(body: &[Stmt], b: BufferId) -> bool {
    let mut acc = Vec::new();
    super::activity::accesses(body, &mut acc);
    acc.iter().find(|&&(buf, _, _)| buf == b).is_some_and(|&(_, is_load, accum)| !is_load && !accum)
}

/// Buffers read (loads, call arguments) and written
/// (stores, accumulations, call arguments) anywhere in `stmts`.
fn touches(stmts: &[Stmt], reads: &mut Vec<BufferId>, writes: &mut Vec<BufferId>) {
    for s in stmts {
        match s {
            Stmt::Let { expr: Expr::Load { buf, .. }, .. } => reads.push(*buf),
            Stmt::Store { buf, .. } => writes.push(*buf),
            // An accumulation alone carries nothing the reverse sweep
            // recomputes: it is not re-run, and its reverse reads only
            // the adjoint.
            Stmt::Accumulate { buf, .. } => writes.push(*buf),
            Stmt::Call { func, args, .. } => {
                for a in args {
                    if let crate::ir::CallArg::Buffer { buf, .. } = a {
                        reads.push(*buf);
                    }
                }
                writes.extend(super::reverse::call_outputs(func, args).map(|(_, b, _)| b));
            }
            Stmt::For { body, .. } => touches(body, reads, writes),
            Stmt::If { then, otherwise, .. } => {
                touches(then, reads, writes);
                touches(otherwise, reads, writes);
            }
            Stmt::While { cond_block, body, .. } => {
                touches(cond_block, reads, writes);
                touches(body, reads, writes);
            }
            _ => {}
        }
    }
}
