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
//!
//! A `while` loop that touches active values, and a `for` loop that may
//! `break` ([`super::jumps`]), also count the iterations they start
//! ([`Carry::trips`]), so that the reverse replays only those. A `while`
//! loop is keyed by its condition value (it has no loop variable); its
//! iteration is its condition block and its body, and its tapes grow at
//! run time, one slot per evaluation of the condition.

use super::activity::Active;
use super::affine::IndexFacts;
use super::AdError;
use crate::ir::batch::definitions;
use crate::ir::{Arena, BinaryOp, BufferId, Expr, Function, Module, Stmt, Value};
use std::collections::{HashMap, HashSet};

/// Where a carried cell's start-of-iteration values are kept.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Tape {
    /// A buffer laid out at compile time, of one slot per iteration: the
    /// trip count is bounded once the data are bound.
    Fixed(BufferId),
    /// Growable tape number `n` of the evaluator
    /// ([`crate::ir::tapes`]): the trip count is known only at run time.
    Growable(u32),
}

/// The carried cells of one loop, each with its tape.
#[derive(Clone, Debug)]
pub struct Carry {
    /// (cell, tape) pairs: the tape has one slot (of the cell's length, or
    /// of one element for a cell in `element`) per iteration.
    pub cells: Vec<(BufferId, Tape)>,
    /// Cells the loop writes at one element only, whose index is a value
    /// from before the loop (`epsilon[t] = epsilon[t] - theta[q] *
    /// epsilon[t - q]` in a loop over `q`): every iteration writes that
    /// element and no other, so saving it alone per iteration puts back
    /// the whole state an iteration started from, and the state before
    /// the loop.
    pub element: HashMap<BufferId, ElementIndex>,
    /// The `IntWork` cell in which the forward sweep counts the
    /// iterations the loop starts, for a loop whose trip count is decided
    /// as it runs (a `while` loop, or a `for` loop with a `break`, see
    /// [`super::jumps`]): the reverse sweep replays that many.
    pub trips: Option<BufferId>,
}

/// The index of the one element a loop writes, as integer arithmetic on
/// values from before the loop (the lowering recomputes `t - 1` in every
/// iteration; the save before the iteration computes it again).
#[derive(Clone, Debug, PartialEq)]
pub enum ElementIndex {
    /// A value defined before the loop.
    Value(Value),
    /// A constant.
    Const(i64),
    /// An operation on two of them.
    Binary(BinaryOp, Box<ElementIndex>, Box<ElementIndex>),
}

impl ElementIndex {
    /// `v` as arithmetic on values not in `defined` (the loop's own), when
    /// it is: constants and integer operations of such values.
    fn of(v: Value, defined: &HashSet<Value>, defs: &HashMap<Value, Expr>, depth: usize) -> Option<Self> {
        if !defined.contains(&v) {
            return Some(ElementIndex::Value(v));
        }
        if depth > 16 {
            return None;
        }
        match defs.get(&v)? {
            Expr::I64(c) => Some(ElementIndex::Const(*c)),
            Expr::Binary(op @ (BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul), a, b) => Some(ElementIndex::Binary(
                *op,
                Box::new(Self::of(*a, defined, defs, depth + 1)?),
                Box::new(Self::of(*b, defined, defs, depth + 1)?),
            )),
            _ => None,
        }
    }
}

/// The carried cells of every loop of `func` that has some, by the loop
/// variable of the forward function. `facts` ([`index_facts`]) give the
/// loop bounds, such as `N + 1`, their values from the data.
pub fn find(module: &mut Module, func: &Function, active: &Active, facts: &IndexFacts) -> Result<HashMap<Value, Carry>, AdError> {
    let mut out = HashMap::new();
    let in_place = in_place_adds(module, &func.body, &facts.defs, &facts.consts);
    visit(module, func, active, &func.body, facts, &in_place, &mut 0, &mut out)?;
    Ok(out)
}

/// The integer values of `func` that are constants once the data are
/// bound, and the `IntData` arena as far as it is known then: the data's
/// integers, with transformed data's when they were computed; the buffers
/// whose elements it does not hold (transformed data not computed) are
/// the third element.
fn known_ints(module: &Module, func: &Function, data: Option<&[f64]>, int_data: &[i64]) -> (HashMap<Value, i64>, Vec<i64>, Vec<BufferId>) {
    // Transformed data are computed (by the interpreter, hundreds of
    // millions of instructions at 100,000 observations) only when the body
    // reads an integer they write at a constant index, or a loop's bound
    // reads one: the constants differ from those without them only from
    // such a load on (a per-observation read such as a zero-based group
    // index adds none), and the ranges of loop variables only there.
    let computed = transformed_int_buffers(module);
    let without = constants(module, &func.body, int_data, &computed);
    let defs = definitions(&func.body);
    let needed = loads_at_constant(&func.body, &computed, &without) || bound_reads(&func.body, &computed, &defs);
    match data.filter(|_| needed).and_then(|d| with_transformed_ints(module, d, int_data)) {
        Some(ints) => (constants(module, &func.body, &ints, &[]), ints, Vec::new()),
        None => (without, int_data.to_vec(), computed),
    }
}

/// The constants, definitions and ranges of the function's integer values
/// once the data are bound (`data` and `int_data` are the initial `Data`
/// and `IntData` arenas; `data` is `None` when the data are not bound).
pub fn index_facts(module: &Module, func: &Function, data: Option<&[f64]>, int_data: &[i64]) -> IndexFacts {
    let (consts, ints, unknown) = known_ints(module, func, data, int_data);
    // A load of an integer the data fix lies between the buffer's smallest
    // and largest elements, whatever its index (`cell_first[g]`).
    let load_range = |buf: BufferId| {
        let b = module.buffer(buf);
        if b.arena != Arena::IntData || unknown.contains(&buf) {
            return None;
        }
        let xs = ints.get(b.offset..b.offset + b.len)?;
        Some((*xs.iter().min()?, *xs.iter().max()?))
    };
    let ranges = value_ranges(&func.body, &consts, &load_range);
    IndexFacts { consts, defs: definitions(&func.body), ranges }
}

/// Whether some loop's bound is computed from a load of one of `bufs`.
fn bound_reads(stmts: &[Stmt], bufs: &[BufferId], defs: &HashMap<Value, Expr>) -> bool {
    fn reads(v: Value, bufs: &[BufferId], defs: &HashMap<Value, Expr>, depth: usize) -> bool {
        match defs.get(&v) {
            Some(Expr::Load { buf, .. }) => bufs.contains(buf),
            Some(Expr::Binary(_, a, b)) if depth < 8 => reads(*a, bufs, defs, depth + 1) || reads(*b, bufs, defs, depth + 1),
            _ => false,
        }
    }
    stmts.iter().any(|s| match s {
        Stmt::For { start, end, body, .. } => reads(*start, bufs, defs, 0) || reads(*end, bufs, defs, 0) || bound_reads(body, bufs, defs),
        Stmt::If { then, otherwise, .. } => bound_reads(then, bufs, defs) || bound_reads(otherwise, bufs, defs),
        Stmt::While { cond_block, body, .. } => bound_reads(cond_block, bufs, defs) || bound_reads(body, bufs, defs),
        _ => false,
    })
}

/// The most iterations a loop from `start` to `end` can make, when the
/// data bound it: its constant trip count, or, when a bound varies at run
/// time (an inner loop `for (j in 1:i)` whose bound is the enclosing
/// loop's variable), the largest end less the smallest start. Slot
/// `iter - start` of a tape of this many slots is in range on every trip.
fn max_trips(start: Value, end: Value, f: &IndexFacts) -> Option<usize> {
    if let (Some(&a), Some(&b)) = (f.consts.get(&start), f.consts.get(&end)) {
        return Some((b - a).max(0) as usize);
    }
    let (&(lo, _), &(_, hi)) = (f.ranges.get(&start)?, f.ranges.get(&end)?);
    Some(hi.checked_sub(lo)?.max(0) as usize)
}

/// An inclusive range of the values of every integer value whose range
/// follows from the constants: loop variables between their bounds'
/// ranges, and sums, differences, products, minima and maxima of such
/// values, and loads of buffers `load_range` knows the range of (SSA: one
/// definition each, the range holds on every iteration).
fn value_ranges(stmts: &[Stmt], consts: &HashMap<Value, i64>, load_range: &dyn Fn(BufferId) -> Option<(i64, i64)>) -> HashMap<Value, (i64, i64)> {
    fn combine(op: BinaryOp, (a, b): (i64, i64), (c, d): (i64, i64)) -> Option<(i64, i64)> {
        Some(match op {
            BinaryOp::Add => (a.checked_add(c)?, b.checked_add(d)?),
            BinaryOp::Sub => (a.checked_sub(d)?, b.checked_sub(c)?),
            BinaryOp::Mul => {
                let p = [a.checked_mul(c)?, a.checked_mul(d)?, b.checked_mul(c)?, b.checked_mul(d)?];
                (*p.iter().min()?, *p.iter().max()?)
            }
            BinaryOp::Min => (a.min(c), b.min(d)),
            BinaryOp::Max => (a.max(c), b.max(d)),
            _ => return None,
        })
    }
    fn walk(stmts: &[Stmt], load_range: &dyn Fn(BufferId) -> Option<(i64, i64)>, out: &mut HashMap<Value, (i64, i64)>) {
        for s in stmts {
            match s {
                Stmt::Let { dst, expr: Expr::Load { buf, .. } } if !out.contains_key(dst) => {
                    if let Some(r) = load_range(*buf) {
                        out.insert(*dst, r);
                    }
                }
                Stmt::Let { dst, expr: Expr::Binary(op, a, b) } if !out.contains_key(dst) => {
                    if let (Some(&x), Some(&y)) = (out.get(a), out.get(b)) {
                        if let Some(r) = combine(*op, x, y) {
                            out.insert(*dst, r);
                        }
                    }
                }
                Stmt::For { var, start, end, body } => {
                    if let (Some(&(lo, _)), Some(&(_, hi))) = (out.get(start), out.get(end)) {
                        out.insert(*var, (lo, hi.saturating_sub(1).max(lo)));
                    }
                    walk(body, load_range, out);
                }
                Stmt::If { then, otherwise, .. } => {
                    walk(then, load_range, out);
                    walk(otherwise, load_range, out);
                }
                Stmt::While { cond_block, body, .. } => {
                    walk(cond_block, load_range, out);
                    walk(body, load_range, out);
                }
                _ => {}
            }
        }
    }
    let mut out: HashMap<Value, (i64, i64)> = consts.iter().map(|(v, x)| (*v, (*x, *x))).collect();
    walk(stmts, load_range, &mut out);
    out
}

/// The largest tape (in elements) a carried loop may get: beyond it the
/// gradient is refused rather than allocating gigabytes of `Work`.
pub const MAX_TAPE_LEN: usize = 1 << 24;

fn visit(
    module: &mut Module,
    func: &Function,
    active: &Active,
    stmts: &[Stmt],
    facts: &IndexFacts,
    in_place: &HashSet<Value>,
    growable: &mut u32,
    out: &mut HashMap<Value, Carry>,
) -> Result<(), AdError> {
    for s in stmts {
        match s {
            // A loop the reverse sweep never differentiates is only re-run
            // whole, from the state its enclosing iteration starts with.
            Stmt::For { var, start, end, body } if active.touches(body) => {
                let cells = carried_cells(module, Some(*var), body, facts, in_place);
                // A loop that may `break` counts its iterations.
                let trips = super::jumps::split_exit(body).1.map(|_| module.add_buffer("loop.trips", Arena::IntWork, 1));
                if !cells.is_empty() || trips.is_some() {
                    let element = single_elements(*var, body, &cells);
                    let Some(trip) = max_trips(*start, *end, facts) else {
                        // No bound follows from the data: the tapes grow
                        // at run time.
                        let taped = cells
                            .into_iter()
                            .map(|c| {
                                let t = Tape::Growable(*growable);
                                *growable += 1;
                                (c, t)
                            })
                            .collect();
                        out.insert(*var, Carry { cells: taped, element, trips });
                        visit(module, func, active, body, facts, in_place, growable, out)?;
                        continue;
                    };
                    let mut taped = Vec::new();
                    for c in cells {
                        let arena = module.buffer(c).arena;
                        let name = format!("{}.carried", module.buffer(c).name);
                        let len = if element.contains_key(&c) { 1 } else { module.buffer(c).len };
                        let tape_len = trip.max(1).saturating_mul(len);
                        if tape_len > MAX_TAPE_LEN {
                            return Err(AdError::new(format!(
                                "`{}` ({len} elements) carries a value through {trip} loop iterations; saving it every iteration would take {tape_len} elements, more than the {MAX_TAPE_LEN} allowed",
                                module.buffer(c).name
                            )));
                        }
                        taped.push((c, Tape::Fixed(module.add_buffer(name, arena, tape_len))));
                    }
                    out.insert(*var, Carry { cells: taped, element, trips });
                }
                visit(module, func, active, body, facts, in_place, growable, out)?;
            }
            Stmt::For { .. } => {}
            Stmt::If { then, otherwise, .. } => {
                visit(module, func, active, then, facts, in_place, growable, out)?;
                visit(module, func, active, otherwise, facts, in_place, growable, out)?;
            }
            // An iteration is the condition's block and the body: its
            // trip count is known only as it runs, so its tapes grow, one
            // slot per evaluation of the condition.
            Stmt::While { cond_block, cond, body } if active.touches(cond_block) || active.touches(body) => {
                let iteration: Vec<Stmt> = cond_block.iter().chain(body.iter()).cloned().collect();
                let cells = carried_cells(module, None, &iteration, facts, in_place);
                let element = single_elements(*cond, &iteration, &cells);
                let cells = cells
                    .into_iter()
                    .map(|c| {
                        let t = Tape::Growable(*growable);
                        *growable += 1;
                        (c, t)
                    })
                    .collect();
                let trips = Some(module.add_buffer("while.trips", Arena::IntWork, 1));
                out.insert(*cond, Carry { cells, element, trips });
                visit(module, func, active, cond_block, facts, in_place, growable, out)?;
                visit(module, func, active, body, facts, in_place, growable, out)?;
            }
            Stmt::While { .. } => {}
            _ => {}
        }
    }
    Ok(())
}

/// The cells among `cells` that the loop over `var` writes (stores,
/// accumulations) at one index only, integer arithmetic on values from
/// before the loop (see [`ElementIndex`]), and passes to no call: with that
/// index.
fn single_elements(var: Value, body: &[Stmt], cells: &[BufferId]) -> HashMap<BufferId, ElementIndex> {
    fn defined_in(stmts: &[Stmt], defined: &mut HashSet<Value>) {
        for s in stmts {
            match s {
                Stmt::Let { dst, .. } | Stmt::TapeLoad { dst, .. } => {
                    defined.insert(*dst);
                }
                Stmt::Call { dst, .. } => defined.extend(*dst),
                Stmt::For { var, body, .. } => {
                    defined.insert(*var);
                    defined_in(body, defined);
                }
                Stmt::If { then, otherwise, .. } => {
                    defined_in(then, defined);
                    defined_in(otherwise, defined);
                }
                Stmt::While { cond_block, body, .. } => {
                    defined_in(cond_block, defined);
                    defined_in(body, defined);
                }
                _ => {}
            }
        }
    }
    fn writes(stmts: &[Stmt], b: BufferId, at: &mut Vec<Option<Value>>) {
        for s in stmts {
            match s {
                Stmt::Store { buf, index, .. } | Stmt::Accumulate { buf, index, .. } if *buf == b => at.push(Some(*index)),
                Stmt::Call { args, .. } if args.iter().any(|a| matches!(a, crate::ir::CallArg::Buffer { buf, .. } if *buf == b)) => {
                    at.push(None)
                }
                Stmt::For { body, .. } => writes(body, b, at),
                Stmt::If { then, otherwise, .. } => {
                    writes(then, b, at);
                    writes(otherwise, b, at);
                }
                Stmt::While { cond_block, body, .. } => {
                    writes(cond_block, b, at);
                    writes(body, b, at);
                }
                _ => {}
            }
        }
    }
    let mut defined = HashSet::from([var]);
    defined_in(body, &mut defined);
    let defs = definitions(body);
    let mut out = HashMap::new();
    for &b in cells {
        let mut at = Vec::new();
        writes(body, b, &mut at);
        let indices: Option<Vec<ElementIndex>> = at.iter().map(|i| ElementIndex::of((*i)?, &defined, &defs, 0)).collect();
        if let Some(first) = indices.as_ref().and_then(|v| v.first()) {
            if indices.as_ref().is_some_and(|v| v.iter().all(|i| i == first)) {
                out.insert(b, first.clone());
            }
        }
    }
    out
}


/// Integer values of the function known at compile time: constants, loads
/// of the data's integers (not transformed data, which are computed at run
/// time: `unknown` lists them when their values are not in `int_data`),
/// and sums, differences and products of those. Loop bounds are such
/// values once the data are bound.
fn constants(module: &Module, stmts: &[Stmt], int_data: &[i64], unknown: &[BufferId]) -> HashMap<Value, i64> {
    let computed = unknown.to_vec();
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

/// The `IntData` arena once transformed data are computed, when the
/// transformed-data function writes integers and runs (with the reference
/// interpreter, as lowering does for sizes): transformed data are computed
/// once, before any log density, so their integers are constants of the
/// gradient. `None` when there is nothing to compute or it fails (the
/// bounds that read them stay unknown; binding reports the failure).
fn with_transformed_ints(module: &Module, data: &[f64], int_data: &[i64]) -> Option<Vec<i64>> {
    if transformed_int_buffers(module).is_empty() {
        return None;
    }
    let mut arenas = crate::ir::arenas::Arenas::new(&module.arena_sizes);
    arenas.data.get_mut(..data.len())?.copy_from_slice(data);
    arenas.int_data.get_mut(..int_data.len())?.copy_from_slice(int_data);
    crate::interp::run(module, crate::ir::FunctionKind::TransformedData, &mut arenas, None).ok()?;
    Some(arenas.int_data)
}

/// Whether `stmts` load an element of one of `bufs` at an index that
/// `consts` knows.
fn loads_at_constant(stmts: &[Stmt], bufs: &[BufferId], consts: &HashMap<Value, i64>) -> bool {
    stmts.iter().any(|s| match s {
        Stmt::Let { expr: Expr::Load { buf, index }, .. } => bufs.contains(buf) && consts.contains_key(index),
        Stmt::For { body, .. } => loads_at_constant(body, bufs, consts),
        Stmt::If { then, otherwise, .. } => loads_at_constant(then, bufs, consts) || loads_at_constant(otherwise, bufs, consts),
        Stmt::While { cond_block, body, .. } => loads_at_constant(cond_block, bufs, consts) || loads_at_constant(body, bufs, consts),
        _ => false,
    })
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

/// Scratch buffers (real or integer locals) the body reads and writes
/// whose values one iteration may leave for the next: all but those whose
/// every read sees a value of the same iteration or does not matter
/// ([`reads_own_values`]) and those filled element by element
/// ([`element_wise`], and in moving windows:
/// [`super::affine::fills_in_windows`]).
fn carried_cells(module: &Module, var: Option<Value>, body: &[Stmt], facts: &IndexFacts, in_place: &HashSet<Value>) -> Vec<BufferId> {
    let (consts, defs) = (&facts.consts, &facts.defs);
    let mut reads = Vec::new();
    let mut writes = Vec::new();
    touches(body, &mut reads, &mut writes);
    let mut out: Vec<BufferId> = reads
        .iter()
        .copied()
        .filter(|b| writes.contains(b))
        .filter(|&b| matches!(module.buffer(b).arena, Arena::Work | Arena::IntWork))
        .filter(|&b| !reads_own_values(module, body, b, consts, defs, in_place))
        // Element by element needs a loop variable: a `while` loop has none.
        .filter(|&b| !var.is_some_and(|var| element_wise(var, body, b, consts, defs, in_place)))
        .filter(|&b| !var.is_some_and(|var| super::affine::fills_in_windows(var, body, b, facts)))
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Whether no read of `b` in the body depends on a value an earlier
/// iteration left: each load comes, on every path through the body, after
/// `b` is overwritten whole (a plain store to a one-element `b`, or a loop
/// over `0..len(b)` that stores `b[j]` before any other access to it, see
/// [`fills`]; a branch overwrites `b` when both arms do) or after a store
/// at the same index value, or is the first half of an in-place addition
/// `b[i] = b[i] + e` (see [`in_place_adds`]), whose derivative does not
/// depend on the value read.
fn reads_own_values(module: &Module, body: &[Stmt], b: BufferId, consts: &HashMap<Value, i64>, defs: &HashMap<Value, Expr>, in_place: &HashSet<Value>) -> bool {
    let mut state = Written::default();
    let facts = Facts { module, consts, defs, in_place };
    reads_after_writes(&facts, body, b, &mut state)
}

/// Whether every read of `b` in `stmts` (a top-level loop or branch of
/// `func`) sees a value `stmts` wrote, on every path and in every loop
/// iteration (see [`reads_own_values`]): re-running them from any value of
/// `b` then computes what they computed forward.
pub fn reads_only_own_values(module: &Module, func: &Function, stmts: &[Stmt], b: BufferId, facts: &IndexFacts) -> bool {
    reads_only_own_values_given(module, stmts, b, facts, &in_place_additions(module, func, facts))
}

/// [`reads_only_own_values`] with the function's in-place additions
/// already found ([`in_place_additions`]), for a caller asking of many
/// statements.
pub fn reads_only_own_values_given(module: &Module, stmts: &[Stmt], b: BufferId, facts: &IndexFacts, in_place: &HashSet<Value>) -> bool {
    let body = match stmts {
        [Stmt::For { body, .. }] => body.as_slice(),
        other => other,
    };
    reads_own_values(module, body, b, &facts.consts, &facts.defs, in_place)
}

/// The values of `func`'s in-place additions (see `in_place_adds`).
pub fn in_place_additions(module: &Module, func: &Function, facts: &IndexFacts) -> HashSet<Value> {
    in_place_adds(module, &func.body, &facts.defs, &facts.consts)
}

/// Whether `stmt`, a top-level loop of `func`, fills `b` element by element
/// (see [`element_wise`]): its reverse recomputes each iteration from the
/// values the loop left, so a copy of `b` taken before the loop and put
/// back after its reverse gives earlier statements what they read.
pub fn fills_element_wise(module: &Module, func: &Function, stmt: &Stmt, b: BufferId, facts: &IndexFacts) -> bool {
    let Stmt::For { var, body, .. } = stmt else { return false };
    let in_place = in_place_adds(module, &func.body, &facts.defs, &facts.consts);
    element_wise(*var, body, b, &facts.consts, &facts.defs, &in_place)
}

/// What the walk of a loop body knows about the function.
struct Facts<'a> {
    module: &'a Module,
    consts: &'a HashMap<Value, i64>,
    defs: &'a HashMap<Value, Expr>,
    in_place: &'a HashSet<Value>,
}

/// Whether two index values are certainly equal: the same value, equal
/// constants, or the same operation on equal operands, loads included from
/// the data and parameters (which the log density does not write).
fn same_value(a: Value, b: Value, consts: &HashMap<Value, i64>, defs: &HashMap<Value, Expr>, module: &Module, depth: usize) -> bool {
    if a == b {
        return true;
    }
    if let (Some(x), Some(y)) = (consts.get(&a), consts.get(&b)) {
        return x == y;
    }
    if depth > 16 {
        return false;
    }
    let same = |x: Value, y: Value| same_value(x, y, consts, defs, module, depth + 1);
    match (defs.get(&a), defs.get(&b)) {
        (Some(Expr::Binary(o1, a1, b1)), Some(Expr::Binary(o2, a2, b2))) => o1 == o2 && same(*a1, *a2) && same(*b1, *b2),
        (Some(Expr::Load { buf: x, index: i }), Some(Expr::Load { buf: y, index: j })) => {
            x == y && matches!(module.buffer(*x).arena, Arena::Data | Arena::IntData | Arena::Params) && same(*i, *j)
        }
        _ => false,
    }
}

/// What is certainly written of a buffer at a point of a loop body.
#[derive(Clone, Default)]
struct Written {
    /// All of it.
    whole: bool,
    /// The elements at these index values.
    at: HashSet<Value>,
}

/// Walks `stmts` in order, updating `state`: `false` when some read of `b`
/// may see a value from before the walk.
fn reads_after_writes(f: &Facts, stmts: &[Stmt], b: BufferId, state: &mut Written) -> bool {
    let len = f.module.buffer(b).len;
    for s in stmts {
        if state.whole {
            return true;
        }
        match s {
            Stmt::Store { buf, index, value } if *buf == b => {
                // An in-place sum is recomputed from whatever value the
                // element holds: it is not this iteration's value.
                if !f.in_place.contains(value) {
                    state.at.insert(*index);
                    // Every element stored at a constant index: all of it.
                    let mut covered: Vec<i64> = state.at.iter().filter_map(|i| f.consts.get(i).copied()).collect();
                    covered.sort();
                    covered.dedup();
                    state.whole |= covered.len() == len && covered.iter().enumerate().all(|(k, &i)| i == k as i64);
                }
            }
            Stmt::Let { dst, expr: Expr::Load { buf, index } } if *buf == b => {
                let seen = state.at.iter().any(|&i| same_value(i, *index, f.consts, f.defs, f.module, 0));
                if !seen && !f.in_place.contains(dst) {
                    return false;
                }
            }
            // Its reverse reads only the adjoint.
            Stmt::Accumulate { .. } => {}
            Stmt::Call { func, args, .. } => {
                for (a, t) in args.iter().zip(&func.params) {
                    let crate::ir::CallArg::Buffer { buf, offset } = a else { continue };
                    if *buf != b {
                        continue;
                    }
                    if *t != crate::ir::CType::PtrF64 {
                        return false;
                    }
                    // An output written whole, by a call with an adjoint rule
                    // that says how much it writes.
                    let whole = f.consts.get(offset) == Some(&0)
                        && super::rules::rule(&func.symbol).is_some_and(|r| {
                            r.outputs.iter().any(|&(pos, n)| {
                                args.get(pos) == Some(a) && output_len(n, args, f.consts) == Some(len as i64)
                            })
                        });
                    state.whole |= whole;
                }
            }
            Stmt::For { var, start, end, body } => {
                if fills(f.module, *var, *start, *end, body, b, f.consts, f.defs) {
                    state.whole = true;
                } else if !reads_after_writes(f, body, b, &mut state.clone()) {
                    // A loop may run no iteration: what it writes is not
                    // certainly written after it.
                    return false;
                }
            }
            Stmt::If { then, otherwise, .. } => {
                let (mut t, mut o) = (state.clone(), state.clone());
                if !reads_after_writes(f, then, b, &mut t) || !reads_after_writes(f, otherwise, b, &mut o) {
                    return false;
                }
                state.whole = t.whole && o.whole;
                state.at = t.at.intersection(&o.at).copied().collect();
            }
            Stmt::While { cond_block, body, .. } => {
                let mut w = state.clone();
                if !reads_after_writes(f, cond_block, b, &mut w) || !reads_after_writes(f, body, b, &mut w) {
                    return false;
                }
            }
            _ => {}
        }
    }
    true
}

/// The element count a call's output has, from constant size arguments.
fn output_len(n: super::rules::Len, args: &[crate::ir::CallArg], consts: &HashMap<Value, i64>) -> Option<i64> {
    let arg = |i: usize| match args.get(i) {
        Some(crate::ir::CallArg::Value(v)) => consts.get(v).copied(),
        _ => None,
    };
    match n {
        super::rules::Len::Arg(i) => arg(i),
        super::rules::Len::Square(i) => arg(i)?.checked_mul(arg(i)?),
        super::rules::Len::Product(i, j) => arg(i)?.checked_mul(arg(j)?),
    }
}

/// The loads and sums of in-place additions: `x = b[i]`
/// used only by `y = x + e` (or `e + x`), itself used only by the store
/// `b[i] = y` (the lowering of `b[i] += e` on a vector or matrix element,
/// possibly through a one-use temporary `t[0] = y; z = t[0]; b[i] = z`,
/// and with the index computed twice); `x`, `y` and `z` are in the set.
/// The reverse of such an addition passes the stored element's adjoint to
/// the loaded one whatever the value read, so an iteration recomputed from
/// a later value of `b` still gets its derivatives right.
fn in_place_adds(module: &Module, body: &[Stmt], defs: &HashMap<Value, Expr>, consts: &HashMap<Value, i64>) -> HashSet<Value> {
    let mut uses: HashMap<Value, usize> = HashMap::new();
    count_uses(body, &mut uses);
    let mut loads: HashMap<BufferId, usize> = HashMap::new();
    let mut stores: HashMap<BufferId, usize> = HashMap::new();
    count_accesses(body, &mut loads, &mut stores);
    // `z = t[k]` right after `t[k] = y` in the same block, for a temporary
    // `t` stored and loaded only there: `z` is `y`.
    let mut alias: HashMap<Value, Value> = HashMap::new();
    fn aliases(stmts: &[Stmt], c: &AliasCtx, alias: &mut HashMap<Value, Value>) {
        let mut pending: HashMap<BufferId, (Value, Value)> = HashMap::new();
        for s in stmts {
            match s {
                Stmt::Store { buf, index, value } if c.loads.get(buf) == Some(&1) && c.stores.get(buf) == Some(&1) => {
                    pending.insert(*buf, (*index, *value));
                }
                Stmt::Let { dst, expr: Expr::Load { buf, index } } => {
                    if let Some(&(i, y)) = pending.get(buf) {
                        if same_value(i, *index, c.consts, c.defs, c.module, 0) {
                            alias.insert(*dst, y);
                        }
                    }
                }
                Stmt::For { body, .. } => aliases(body, c, alias),
                Stmt::If { then, otherwise, .. } => {
                    aliases(then, c, alias);
                    aliases(otherwise, c, alias);
                }
                Stmt::While { cond_block, body, .. } => {
                    aliases(cond_block, c, alias);
                    aliases(body, c, alias);
                }
                _ => {}
            }
        }
    }
    let ctx = AliasCtx { module, defs, consts, loads: &loads, stores: &stores };
    aliases(body, &ctx, &mut alias);
    let mut out = HashSet::new();
    fn walk(stmts: &[Stmt], c: &AliasCtx, uses: &HashMap<Value, usize>, alias: &HashMap<Value, Value>, out: &mut HashSet<Value>) {
        for s in stmts {
            match s {
                Stmt::Store { buf, index, value } => {
                    let z = *value;
                    let y = alias.get(&z).copied().unwrap_or(z);
                    if uses.get(&z) != Some(&1) || uses.get(&y) != Some(&1) {
                        continue;
                    }
                    let Some(Expr::Binary(BinaryOp::Add, p, q)) = c.defs.get(&y) else { continue };
                    for x in [p, q] {
                        if let (Some(Expr::Load { buf: lb, index: li }), Some(1)) = (c.defs.get(x), uses.get(x)) {
                            if lb == buf && p != q && same_value(*li, *index, c.consts, c.defs, c.module, 0) {
                                out.extend([*x, y, z]);
                            }
                        }
                    }
                }
                Stmt::For { body, .. } => walk(body, c, uses, alias, out),
                Stmt::If { then, otherwise, .. } => {
                    walk(then, c, uses, alias, out);
                    walk(otherwise, c, uses, alias, out);
                }
                Stmt::While { cond_block, body, .. } => {
                    walk(cond_block, c, uses, alias, out);
                    walk(body, c, uses, alias, out);
                }
                _ => {}
            }
        }
    }
    walk(body, &ctx, &uses, &alias, &mut out);
    out
}

/// What [`in_place_adds`] needs to know.
struct AliasCtx<'a> {
    module: &'a Module,
    defs: &'a HashMap<Value, Expr>,
    consts: &'a HashMap<Value, i64>,
    loads: &'a HashMap<BufferId, usize>,
    stores: &'a HashMap<BufferId, usize>,
}

/// How many loads and stores (accumulations and calls included) each
/// buffer has in `stmts`.
fn count_accesses(stmts: &[Stmt], loads: &mut HashMap<BufferId, usize>, stores: &mut HashMap<BufferId, usize>) {
    for s in stmts {
        match s {
            Stmt::Let { expr: Expr::Load { buf, .. }, .. } => *loads.entry(*buf).or_insert(0) += 1,
            Stmt::Store { buf, .. } => *stores.entry(*buf).or_insert(0) += 1,
            Stmt::Accumulate { buf, .. } => {
                *loads.entry(*buf).or_insert(0) += 1;
                *stores.entry(*buf).or_insert(0) += 1;
            }
            Stmt::Call { args, .. } => {
                for a in args {
                    if let crate::ir::CallArg::Buffer { buf, .. } = a {
                        *loads.entry(*buf).or_insert(0) += 1;
                        *stores.entry(*buf).or_insert(0) += 1;
                    }
                }
            }
            Stmt::Print(parts) | Stmt::Reject(parts) => {
                for p in parts {
                    if let crate::ir::MessagePart::Buffer(b, _) = p {
                        *loads.entry(*b).or_insert(0) += 1;
                    }
                }
            }
            Stmt::For { body, .. } => count_accesses(body, loads, stores),
            Stmt::If { then, otherwise, .. } => {
                count_accesses(then, loads, stores);
                count_accesses(otherwise, loads, stores);
            }
            Stmt::While { cond_block, body, .. } => {
                count_accesses(cond_block, loads, stores);
                count_accesses(body, loads, stores);
            }
            Stmt::Let { .. } | Stmt::AddTarget(_) | Stmt::Break | Stmt::Continue | Stmt::RunChunks { .. } | Stmt::TapeSave { .. } | Stmt::TapeLoad { .. } => {}
        }
    }
}

/// How many times each value is used as an operand in `stmts`.
fn count_uses(stmts: &[Stmt], uses: &mut HashMap<Value, usize>) {
    let mut add = |v: Value| *uses.entry(v).or_insert(0) += 1;
    let mut later: Vec<&[Stmt]> = Vec::new();
    for s in stmts {
        match s {
            Stmt::Let { expr, .. } => match expr {
                Expr::Load { index, .. } => add(*index),
                Expr::Unary(_, x) => add(*x),
                Expr::Binary(_, a, c) | Expr::Cmp(_, a, c) => {
                    add(*a);
                    add(*c);
                }
                Expr::Select { cond, then, otherwise } => {
                    add(*cond);
                    add(*then);
                    add(*otherwise);
                }
                Expr::F64(_) | Expr::I64(_) | Expr::Target | Expr::ChunkIndex => {}
            },
            Stmt::Call { args, .. } => {
                for a in args {
                    match a {
                        crate::ir::CallArg::Value(v) => add(*v),
                        crate::ir::CallArg::Buffer { offset, .. } => add(*offset),
                        crate::ir::CallArg::Rng => {}
                    }
                }
            }
            Stmt::Store { index, value, .. } | Stmt::Accumulate { index, value, .. } => {
                add(*index);
                add(*value);
            }
            Stmt::AddTarget(v) => add(*v),
            Stmt::For { start, end, body, .. } => {
                add(*start);
                add(*end);
                later.push(body);
            }
            Stmt::If { cond, then, otherwise } => {
                add(*cond);
                later.push(then);
                later.push(otherwise);
            }
            Stmt::While { cond_block, cond, body } => {
                add(*cond);
                later.push(cond_block);
                later.push(body);
            }
            Stmt::Reject(parts) | Stmt::Print(parts) => {
                for p in parts {
                    if let crate::ir::MessagePart::Value(v) = p {
                        add(*v);
                    }
                }
            }
            Stmt::TapeSave { slot, value, .. } => {
                add(*slot);
                add(*value);
            }
            Stmt::TapeLoad { slot, .. } => add(*slot),
            Stmt::Break | Stmt::Continue | Stmt::RunChunks { .. } => {}
        }
    }
    for b in later {
        count_uses(b, uses);
    }
}

/// Whether `for var in start..end { body }` overwrites every element of
/// `b` before any read of it: the loop nest stores `b` outside branches
/// (once or several times per iteration: `m[2 * j] = ...; m[1 + 2 * j] =
/// ...` fills a 2-row matrix), reads only elements this iteration has
/// already stored (a load at the index value of an earlier store in the
/// same or an enclosing block), and the stores' indices, evaluated over
/// every iteration of the loops around them (constant bounds), take each
/// value of `0..len(b)` exactly once (`b[j] = ...`, or `m[i + 2 * j] =
/// ...` over `i`, `j`).
fn fills(module: &Module, var: Value, start: Value, end: Value, body: &[Stmt], b: BufferId, consts: &HashMap<Value, i64>, defs: &HashMap<Value, Expr>) -> bool {
    let len = module.buffer(b).len;
    if len > 4096 {
        return false;
    }
    let nest = [Stmt::For { var, start, end, body: body.to_vec() }];
    let mut stores = Vec::new();
    let mut loops = Vec::new();
    if !find_stores(&nest, b, consts, &mut loops, &mut Vec::new(), &mut stores) || stores.is_empty() {
        return false;
    }
    let total: i64 = stores.iter().map(|(_, loops)| loops.iter().map(|&(_, a, e)| (e - a).max(0)).product::<i64>()).sum();
    if total != len as i64 {
        return false;
    }
    let mut seen = vec![false; len];
    fn each(k: usize, loops: &[(Value, i64, i64)], env: &mut HashMap<Value, i64>, f: &mut dyn FnMut(&HashMap<Value, i64>) -> bool) -> bool {
        let Some(&(v, a, e)) = loops.get(k) else { return f(env) };
        for i in a..e {
            env.insert(v, i);
            if !each(k + 1, loops, env, f) {
                return false;
            }
        }
        true
    }
    for (index, loops) in &stores {
        let mut env: HashMap<Value, i64> = HashMap::new();
        let ok = each(0, loops, &mut env, &mut |env| match eval_index(*index, env, consts, defs, 0) {
            Some(i) if i >= 0 && (i as usize) < len && !seen[i as usize] => {
                seen[i as usize] = true;
                true
            }
            _ => false,
        });
        if !ok {
            return false;
        }
    }
    seen.iter().all(|&x| x)
}

/// Finds the stores to `b` in a loop nest, each with the constant-bound
/// loops around it; `false` when `b` is read other than at an element
/// already stored (`visible`: the index values of the earlier stores of
/// this block and the blocks around it, which ran before in the same
/// iteration), stored in a branch or under a loop whose bounds are not
/// constants, or when the nest can leave an iteration early.
fn find_stores(
    stmts: &[Stmt],
    b: BufferId,
    consts: &HashMap<Value, i64>,
    loops: &mut Vec<(Value, i64, i64)>,
    visible: &mut Vec<Value>,
    stores: &mut Vec<(Value, Vec<(Value, i64, i64)>)>,
) -> bool {
    let outer = visible.len();
    for s in stmts {
        match s {
            Stmt::Store { buf, index, .. } if *buf == b => {
                stores.push((*index, loops.clone()));
                visible.push(*index);
            }
            // A read of an element stored earlier in this iteration.
            Stmt::Let { expr: Expr::Load { buf, index }, .. } if *buf == b && visible.contains(index) => {}
            // An iteration that may stop before its stores.
            Stmt::Break | Stmt::Continue => return false,
            Stmt::For { var, start, end, body } => {
                let (Some(&a), Some(&e)) = (consts.get(start), consts.get(end)) else {
                    let mut acc = Vec::new();
                    super::activity::accesses(std::slice::from_ref(s), &mut acc);
                    if acc.iter().any(|&(buf, _, _)| buf == b) {
                        return false;
                    }
                    continue;
                };
                loops.push((*var, a, e));
                let ok = find_stores(body, b, consts, loops, visible, stores);
                loops.pop();
                if !ok {
                    return false;
                }
            }
            other => {
                let mut acc = Vec::new();
                super::activity::accesses(std::slice::from_ref(other), &mut acc);
                if acc.iter().any(|&(buf, _, _)| buf == b) {
                    return false;
                }
                // A branch or `while` may hold a `break` of this nest.
                if matches!(other, Stmt::If { .. } | Stmt::While { .. }) && leaves_early(std::slice::from_ref(other)) {
                    return false;
                }
            }
        }
    }
    // The stores of an inner loop are not visible after it: it may have
    // run no iteration.
    visible.truncate(outer);
    true
}

/// Whether `stmts` hold a `break` or `continue` outside any loop of their
/// own (one that leaves the loop around them).
fn leaves_early(stmts: &[Stmt]) -> bool {
    stmts.iter().any(|s| match s {
        Stmt::Break | Stmt::Continue => true,
        Stmt::If { then, otherwise, .. } => leaves_early(then) || leaves_early(otherwise),
        _ => false,
    })
}

/// The value of an integer index for given loop variables.
fn eval_index(v: Value, env: &HashMap<Value, i64>, consts: &HashMap<Value, i64>, defs: &HashMap<Value, Expr>, depth: usize) -> Option<i64> {
    if let Some(&x) = env.get(&v).or_else(|| consts.get(&v)) {
        return Some(x);
    }
    if depth > 32 {
        return None;
    }
    match defs.get(&v)? {
        Expr::Binary(op, a, c) => {
            let (x, y) = (eval_index(*a, env, consts, defs, depth + 1)?, eval_index(*c, env, consts, defs, depth + 1)?);
            match op {
                BinaryOp::Add => x.checked_add(y),
                BinaryOp::Sub => x.checked_sub(y),
                BinaryOp::Mul => x.checked_mul(y),
                _ => None,
            }
        }
        _ => None,
    }
}

/// Whether the loop fills `b` element by element, so that the reverse
/// sweep, recomputing iterations backwards from the values the loop left,
/// gets each iteration's derivatives right: every store (and
/// accumulation) is at `var + c` for one constant `c`, every load at
/// `var + c'` with `c' < c` (an element an earlier iteration wrote, or
/// none did), or at `var + c` after a plain store at `var + c` in program
/// order, or is the load of an in-place addition `b[var + c] += e` (see
/// [`in_place_adds`]: its derivative does not depend on the value read,
/// which is the loop's final one when the iteration is recomputed; a later
/// plain load of that element would see a sum recomputed from it, so it
/// needs a plain store first). `mu[t] = phi * mu[t - 1]` and `h[t] += phi
/// * (h[t - 1] - mu)` are such loops; `v[1] = v[1] * phi` is not. Such a
/// loop needs no copy of `b` per iteration.
fn element_wise(var: Value, body: &[Stmt], b: BufferId, consts: &HashMap<Value, i64>, defs: &HashMap<Value, Expr>, in_place: &HashSet<Value>) -> bool {
    /// One access to `b` in program order.
    struct Access {
        offset: Option<i64>,
        load: bool,
        store: bool,
        /// The load or the store of an in-place addition.
        in_place: bool,
    }
    fn walk(stmts: &[Stmt], b: BufferId, f: &dyn Fn(Value) -> Option<i64>, in_place: &HashSet<Value>, acc: &mut Vec<Access>) {
        for s in stmts {
            match s {
                Stmt::Let { dst, expr: Expr::Load { buf, index } } if *buf == b => {
                    acc.push(Access { offset: f(*index), load: true, store: false, in_place: in_place.contains(dst) })
                }
                Stmt::Store { buf, index, value } if *buf == b => {
                    acc.push(Access { offset: f(*index), load: false, store: true, in_place: in_place.contains(value) })
                }
                Stmt::Accumulate { buf, index, .. } if *buf == b => {
                    acc.push(Access { offset: f(*index), load: true, store: true, in_place: false })
                }
                Stmt::Call { args, .. } => {
                    if args.iter().any(|a| matches!(a, crate::ir::CallArg::Buffer { buf, .. } if *buf == b)) {
                        acc.push(Access { offset: None, load: true, store: true, in_place: false });
                    }
                }
                Stmt::For { body, .. } => walk(body, b, f, in_place, acc),
                Stmt::If { then, otherwise, .. } => {
                    walk(then, b, f, in_place, acc);
                    walk(otherwise, b, f, in_place, acc);
                }
                Stmt::While { cond_block, body, .. } => {
                    walk(cond_block, b, f, in_place, acc);
                    walk(body, b, f, in_place, acc);
                }
                _ => {}
            }
        }
    }
    let offset = |v: Value| offset_from(var, v, consts, defs, 0);
    let mut acc = Vec::new();
    walk(body, b, &offset, in_place, &mut acc);
    let mut stores = acc.iter().filter(|a| a.store).map(|a| a.offset);
    let Some(Some(c)) = stores.next() else { return false };
    if !stores.all(|o| o == Some(c)) {
        return false;
    }
    // Whether element `var + c` holds what the forward iteration held
    // there when the iteration is recomputed: after a plain store, and
    // still after an in-place addition to that.
    let mut recomputed_right = false;
    for a in &acc {
        if a.load {
            match a.offset {
                Some(o) if o < c => {}
                Some(o) if o == c && (recomputed_right || (a.in_place && !a.store)) => {}
                _ => return false,
            }
        }
        if a.store && !a.in_place {
            recomputed_right = true;
        }
    }
    true
}

/// `Some(c)` when `v` is `var + c` for a constant `c`.
fn offset_from(var: Value, v: Value, consts: &HashMap<Value, i64>, defs: &HashMap<Value, Expr>, depth: usize) -> Option<i64> {
    if v == var {
        return Some(0);
    }
    if depth > 32 {
        return None;
    }
    match defs.get(&v)? {
        Expr::Binary(BinaryOp::Add, a, c) => match (consts.get(a), consts.get(c)) {
            (None, Some(&k)) => offset_from(var, *a, consts, defs, depth + 1)?.checked_add(k),
            (Some(&k), None) => offset_from(var, *c, consts, defs, depth + 1)?.checked_add(k),
            _ => None,
        },
        Expr::Binary(BinaryOp::Sub, a, c) => offset_from(var, *a, consts, defs, depth + 1)?.checked_sub(*consts.get(c)?),
        _ => None,
    }
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
