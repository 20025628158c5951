//! IR pass: a large likelihood loop of the gradient is cut into a fixed
//! number of chunks that may run on several threads (`hbmc run
//! --threads-per-chain`), with results that do not depend on the threads.
//!
//! A top-level loop of `Gradient` that only adds to the target and
//! accumulates into adjoints (the fused reverse loop of `y ~ ...` over many
//! observations, after `ir::batch`)
//!
//! ```text
//! for i in start..end { <body: target += ..., adj[k] += ..., batch scratch> }
//! ```
//!
//! becomes a chunk function and, in `Gradient`,
//!
//! ```text
//! in[j] = v                          for every value the body uses from outside
//! run_chunks gradient_chunkN x K
//! for c in 0..K { target += target_part[c] }
//! for k in 0..len(adj) { for c in 0..K { adj[k] += adj_part[c * len + k] } }
//!
//! fn gradient_chunkN {               c = chunk_index
//!   v = in[j]; adj_part[c * len ..][..len] = 0
//!   for i in start + c * trip / K .. start + (c + 1) * trip / K {
//!     <body, with adj[k] -> adj_part[c * len + k], scratch -> its slice c>
//!   }
//!   target_part[c] = target
//! }
//! ```
//!
//! **Deterministic whatever the thread count.** `K` and the chunk
//! boundaries depend only on the loop's trip count (the data), never on the
//! threads; each chunk sums its own part in the loop's order into memory of
//! its own, and `Gradient` adds the parts in chunk order after all chunks
//! are done. So one thread (chunks one after the other), two or eight give
//! bitwise the same target and gradient, and the interpreter (which runs
//! `RunChunks` in order) gives the JIT's bits. The sums differ from the
//! unchunked loop's in rounding only (the order of the additions), which is
//! why the pass runs for every evaluation of a model, threads or not.
//!
//! **Which loops.** Top-level `For` loops of `Gradient` with constant bounds
//! whose estimated cost (statements run, library calls weighted) is at least
//! [`ChunkPolicy::min_cost`], and whose body
//! - writes only (a) adjoint-like buffers by `Accumulate` that the loop
//!   never loads, stores or passes to a call (the parts to reduce), and
//!   (b) the scratch arrays of `ir::batch`, which every iteration fills
//!   before it reads them (each chunk gets its own copy);
//! - has no `print`, `reject`, integer division or remainder (so no chunk
//!   can fail: the chunks of one loop never need to agree on which error
//!   came first), no `target()` read, no RNG, no `break`/`continue` of the
//!   loop itself;
//! - touches no other buffer overlapping a reduced or scratch buffer.
//!
//! `K` is at most [`MAX_CHUNKS`] (24: divides evenly among 2, 3, 4, 6 or 8
//! threads), about one chunk per [`CHUNK_COST`] of estimated work, and small
//! enough that reducing the parts (`K` times the reduced length) costs at
//! most an eighth of the loop.

use std::collections::{HashMap, HashSet};

use super::{Arena, BinaryOp, BufferId, CType, CallArg, Expr, Function, FunctionKind, Module, ScalarType, Stmt, Value};

/// The most chunks a loop is cut into.
pub const MAX_CHUNKS: u32 = 24;
/// Loops estimated cheaper than this stay as they are (about 10,000
/// observations of a logistic regression): below it, waking threads costs
/// more than it saves.
pub const MIN_COST: u64 = 1 << 18;
/// Estimated work per chunk, at least.
pub const CHUNK_COST: u64 = 1 << 15;

/// Trip count assumed for an inner loop whose bounds are not constants
/// (`ir::batch`'s blocks of 256 observations, the last one shorter).
const UNKNOWN_TRIP: u64 = 128;
/// Weight of a library call against one native statement.
const CALL_COST: u64 = 8;

/// When loops are chunked and into how many chunks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChunkPolicy {
    /// Loops estimated cheaper than this are not chunked.
    pub min_cost: u64,
    /// Estimated work per chunk, at least.
    pub chunk_cost: u64,
    /// At most this many chunks.
    pub max_chunks: u32,
    /// Cap the chunks so that reducing the parts costs at most an eighth
    /// of the loop (off only in tests that chunk tiny loops).
    pub cap_reduction: bool,
}

impl Default for ChunkPolicy {
    fn default() -> Self {
        ChunkPolicy { min_cost: MIN_COST, chunk_cost: CHUNK_COST, max_chunks: MAX_CHUNKS, cap_reduction: true }
    }
}

/// Chunks every eligible loop of the module's `Gradient` function with the
/// default policy; returns how many loops were chunked. Runs after AD and
/// `ir::batch`.
pub fn chunk_large_loops(module: &mut Module) -> usize {
    chunk_large_loops_with(module, ChunkPolicy::default())
}

/// As [`chunk_large_loops`] with a given policy.
pub fn chunk_large_loops_with(module: &mut Module, policy: ChunkPolicy) -> usize {
    let Some(fi) = module.functions.iter().position(|f| f.kind == FunctionKind::Gradient) else {
        return 0;
    };
    let mut next_id = module
        .functions
        .iter()
        .filter_map(|f| match f.kind {
            FunctionKind::GradientChunk(n) => Some(n + 1),
            _ => None,
        })
        .max()
        .unwrap_or(0);
    let mut func = std::mem::replace(&mut module.functions[fi], Function::new(FunctionKind::Gradient));
    let constants = top_level_constants(&func.body);
    let body = std::mem::take(&mut func.body);
    let mut out = Vec::with_capacity(body.len());
    let mut chunk_fns = Vec::new();
    for s in body {
        let Stmt::For { var, start, end, body } = s else {
            out.push(s);
            continue;
        };
        let plan = match (constants.get(&start), constants.get(&end)) {
            (Some(Expr::I64(a)), Some(Expr::I64(b))) => plan(module, &func, var, *a, *b, &body, policy),
            _ => None,
        };
        match plan {
            Some(plan) => {
                let id = next_id;
                next_id += 1;
                let chunk = build(module, &mut func, &constants, id, var, start, &body, &plan, &mut out);
                chunk_fns.push(chunk);
            }
            None => out.push(Stmt::For { var, start, end, body }),
        }
    }
    func.body = out;
    module.functions[fi] = func;
    let n = chunk_fns.len();
    module.functions.extend(chunk_fns);
    n
}

/// How one eligible loop is cut.
struct Plan {
    /// At most `trip`, so no chunk is empty.
    chunks: u32,
    trip: i64,
    /// Buffers the loop accumulates into: one part per chunk.
    reduced: Vec<BufferId>,
    /// Scratch arrays of `ir::batch`: one copy per chunk.
    scratch: Vec<BufferId>,
    /// Values the body uses from outside, in first-use order.
    free: Vec<Value>,
}

/// Whether a buffer is a scratch array of `ir::batch` (named there
/// `batch.<symbol>.arg<j>`, `.partial`, `.sum<j>`; no source variable's
/// buffer has such a name, as source names have no dots). Invariant the
/// chunking relies on: every iteration of the loop that `ir::batch` split
/// writes the part of the array it reads (the block's `0..len`) before
/// reading it, so nothing flows between iterations through it.
fn is_batch_scratch(name: &str) -> bool {
    let Some(rest) = name.strip_prefix("batch.") else { return false };
    let Some((_, last)) = rest.rsplit_once('.') else { return false };
    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    last == "partial"
        || last.strip_prefix("arg").is_some_and(digits)
        || last.strip_prefix("sum").is_some_and(digits)
}

/// What the loop body does with buffers and values.
#[derive(Default)]
struct Scan {
    loads: HashSet<BufferId>,
    stores: HashSet<BufferId>,
    accumulates: HashSet<BufferId>,
    defined: HashSet<Value>,
    used: Vec<Value>,
    cost: u64,
    refused: bool,
}

impl Scan {
    fn use_(&mut self, v: Value) {
        self.used.push(v);
    }

    fn block(&mut self, func: &Function, stmts: &[Stmt], depth: usize, consts: &HashMap<Value, Expr>) {
        for s in stmts {
            self.cost += 1;
            match s {
                Stmt::Let { dst, expr } => {
                    self.defined.insert(*dst);
                    match expr {
                        Expr::Target | Expr::ChunkIndex => self.refused = true,
                        Expr::Load { buf, index } => {
                            self.loads.insert(*buf);
                            self.use_(*index);
                        }
                        Expr::Binary(op, a, b) => {
                            if matches!(op, BinaryOp::Div | BinaryOp::Rem) && func.type_of(*a) == ScalarType::I64 {
                                self.refused = true;
                            }
                            self.use_(*a);
                            self.use_(*b);
                        }
                        Expr::Unary(_, x) => self.use_(*x),
                        Expr::Cmp(_, a, b) => {
                            self.use_(*a);
                            self.use_(*b);
                        }
                        Expr::Select { cond, then, otherwise } => {
                            self.use_(*cond);
                            self.use_(*then);
                            self.use_(*otherwise);
                        }
                        Expr::F64(_) | Expr::I64(_) => {}
                    }
                }
                Stmt::Call { dst, partials, func: f, args } => {
                    self.cost += CALL_COST;
                    self.defined.extend(dst.iter().chain(partials));
                    for (a, p) in args.iter().zip(&f.params) {
                        match a {
                            CallArg::Value(v) => self.use_(*v),
                            CallArg::Buffer { buf, offset } => {
                                self.use_(*offset);
                                if *p == CType::PtrF64 {
                                    self.stores.insert(*buf);
                                } else {
                                    self.loads.insert(*buf);
                                }
                            }
                            CallArg::Rng => self.refused = true,
                        }
                    }
                }
                Stmt::Store { buf, index, value } => {
                    self.stores.insert(*buf);
                    self.use_(*index);
                    self.use_(*value);
                }
                Stmt::Accumulate { buf, index, value } => {
                    self.accumulates.insert(*buf);
                    self.use_(*index);
                    self.use_(*value);
                }
                Stmt::AddTarget(v) => self.use_(*v),
                Stmt::For { var, start, end, body } => {
                    self.use_(*start);
                    self.use_(*end);
                    self.defined.insert(*var);
                    let trip = match (consts.get(start), consts.get(end)) {
                        (Some(Expr::I64(a)), Some(Expr::I64(b))) => (b - a).max(0) as u64,
                        _ => UNKNOWN_TRIP,
                    };
                    let before = std::mem::take(&mut self.cost);
                    self.block(func, body, depth + 1, consts);
                    self.cost = before + trip.saturating_mul(self.cost);
                }
                Stmt::If { cond, then, otherwise } => {
                    self.use_(*cond);
                    self.block(func, then, depth, consts);
                    self.block(func, otherwise, depth, consts);
                }
                Stmt::While { cond_block, cond, body } => {
                    let before = std::mem::take(&mut self.cost);
                    self.block(func, cond_block, depth + 1, consts);
                    self.use_(*cond);
                    self.block(func, body, depth + 1, consts);
                    self.cost = before + UNKNOWN_TRIP.saturating_mul(self.cost);
                }
                Stmt::Break | Stmt::Continue => {
                    if depth == 0 {
                        self.refused = true;
                    }
                }
                // A chunk's context has no tapes (and chunks may run on
                // other threads than the evaluator's).
                Stmt::Reject(_) | Stmt::Print(_) | Stmt::RunChunks { .. } | Stmt::TapeSave { .. } | Stmt::TapeLoad { .. } => self.refused = true,
            }
        }
    }
}

/// Every top-level value of a function known before it runs: `let v =
/// <constant>`, and integer arithmetic on such values (`ir::batch`
/// computes its number of blocks), folded.
fn top_level_constants(body: &[Stmt]) -> HashMap<Value, Expr> {
    let mut out = HashMap::new();
    for s in body {
        let Stmt::Let { dst, expr } = s else { continue };
        let known = match expr {
            Expr::I64(_) | Expr::F64(_) => Some(expr.clone()),
            Expr::Binary(op, a, b) => match (out.get(a), out.get(b)) {
                (Some(Expr::I64(x)), Some(Expr::I64(y))) => fold(*op, *x, *y).map(Expr::I64),
                _ => None,
            },
            _ => None,
        };
        if let Some(e) = known {
            out.insert(*dst, e);
        }
    }
    out
}

/// `x op y` on integers, as `interp::ops` computes it, when it cannot fail.
fn fold(op: BinaryOp, x: i64, y: i64) -> Option<i64> {
    match op {
        BinaryOp::Add => Some(x.wrapping_add(y)),
        BinaryOp::Sub => Some(x.wrapping_sub(y)),
        BinaryOp::Mul => Some(x.wrapping_mul(y)),
        BinaryOp::Div if y > 0 => Some(x / y),
        BinaryOp::Min => Some(x.min(y)),
        BinaryOp::Max => Some(x.max(y)),
        _ => None,
    }
}

/// How to chunk `for _ in start..end { body }`, when it is eligible.
fn plan(module: &Module, func: &Function, var: Value, start: i64, end: i64, body: &[Stmt], policy: ChunkPolicy) -> Option<Plan> {
    let trip = end.checked_sub(start)?;
    if trip < 2 {
        return None;
    }
    // Constants of the body too, for the trip counts of inner loops.
    let mut consts = top_level_constants(&func.body);
    collect_constants(body, &mut consts);
    let mut scan = Scan::default();
    scan.defined.insert(var);
    scan.block(func, body, 0, &consts);
    if scan.refused {
        return None;
    }
    let cost = scan.cost.saturating_mul(trip as u64);
    if cost < policy.min_cost.max(1) {
        return None;
    }
    let mut scratch: Vec<BufferId> = scan.stores.iter().copied().collect();
    scratch.sort();
    for b in &scratch {
        let buf = module.buffer(*b);
        if buf.arena != Arena::Work || !is_batch_scratch(&buf.name) || scan.accumulates.contains(b) {
            return None;
        }
    }
    let mut reduced: Vec<BufferId> = scan.accumulates.iter().copied().collect();
    reduced.sort();
    for b in &reduced {
        let buf = module.buffer(*b);
        if !matches!(buf.arena, Arena::Work | Arena::Grad) || scan.loads.contains(b) {
            return None;
        }
    }
    // No buffer the loop touches may share memory with one it privatises.
    let touched: Vec<BufferId> = scan.loads.iter().chain(&scan.stores).chain(&scan.accumulates).copied().collect();
    for p in scratch.iter().chain(&reduced) {
        let a = module.buffer(*p);
        for t in &touched {
            let b = module.buffer(*t);
            let overlap = a.arena == b.arena && a.offset < b.offset + b.len && b.offset < a.offset + a.len;
            if t != p && overlap {
                return None;
            }
        }
    }
    let reduced_len: u64 = reduced.iter().map(|b| module.buffer(*b).len as u64).sum();
    let mut chunks = (cost / policy.chunk_cost.max(1)).min(u64::from(policy.max_chunks)).min(trip as u64);
    if policy.cap_reduction && reduced_len > 0 {
        chunks = chunks.min(cost / 8 / reduced_len);
    }
    if chunks < 2 {
        return None;
    }
    let chunks = chunks as u32;
    let mut seen = HashSet::new();
    let free = scan
        .used
        .iter()
        .copied()
        .filter(|v| !scan.defined.contains(v) && seen.insert(*v))
        .collect();
    Some(Plan { chunks, trip, reduced, scratch, free })
}

/// The constants (`let v = f64 x` or `i64 k`) anywhere in `stmts`.
pub(super) fn collect_constants(stmts: &[Stmt], out: &mut HashMap<Value, Expr>) {
    for s in stmts {
        match s {
            Stmt::Let { dst, expr: e @ (Expr::I64(_) | Expr::F64(_)) } => {
                out.insert(*dst, e.clone());
            }
            Stmt::For { body, .. } => collect_constants(body, out),
            Stmt::If { then, otherwise, .. } => {
                collect_constants(then, out);
                collect_constants(otherwise, out);
            }
            Stmt::While { cond_block, body, .. } => {
                collect_constants(cond_block, out);
                collect_constants(body, out);
            }
            _ => {}
        }
    }
}

fn let_(f: &mut Function, out: &mut Vec<Stmt>, ty: ScalarType, expr: Expr) -> Value {
    let dst = f.new_value(ty);
    out.push(Stmt::Let { dst, expr });
    dst
}

fn int(f: &mut Function, out: &mut Vec<Stmt>, x: i64) -> Value {
    let_(f, out, ScalarType::I64, Expr::I64(x))
}

/// Emits the chunk function of `plan` and, into `out` (the gradient's
/// body), the statements that replace the loop. Returns the chunk function.
#[allow(clippy::too_many_arguments)]
fn build(
    module: &mut Module,
    grad: &mut Function,
    constants: &HashMap<Value, Expr>,
    id: u32,
    var: Value,
    start: Value,
    body: &[Stmt],
    plan: &Plan,
    out: &mut Vec<Stmt>,
) -> Function {
    let k = plan.chunks as usize;
    let prefix = format!("chunks{id}");
    let target_parts = module.add_buffer(format!("{prefix}.target"), Arena::Work, k);
    // Each privatised buffer's copies, chunk c at c * len.
    let mut slices: HashMap<BufferId, (BufferId, usize)> = HashMap::new();
    for b in plan.reduced.iter().chain(&plan.scratch) {
        let src = module.buffer(*b).clone();
        let copy = module.add_buffer(format!("{prefix}.{}", src.name), Arena::Work, k * src.len);
        slices.insert(*b, (copy, src.len));
    }
    // Values from outside: constants are made again, others spilled.
    let spilled: Vec<Value> = plan.free.iter().copied().filter(|v| !constants.contains_key(v)).collect();
    let (n_f, n_i) = spilled.iter().fold((0, 0), |(f, i), v| match grad.type_of(*v) {
        ScalarType::F64 => (f + 1, i),
        ScalarType::I64 => (f, i + 1),
    });
    let in_f = module.add_buffer(format!("{prefix}.in"), Arena::Work, n_f);
    let in_i = module.add_buffer(format!("{prefix}.in"), Arena::IntWork, n_i);
    let mut slot_of = HashMap::new();
    let (mut jf, mut ji) = (0i64, 0i64);
    for v in &spilled {
        let (buf, j) = match grad.type_of(*v) {
            ScalarType::F64 => (in_f, &mut jf),
            ScalarType::I64 => (in_i, &mut ji),
        };
        let index = int(grad, out, *j);
        out.push(Stmt::Store { buf, index, value: *v });
        slot_of.insert(*v, (buf, *j));
        *j += 1;
    }
    out.push(Stmt::RunChunks { function: id, count: plan.chunks });

    // The chunk function: the gradient's value table, so the body keeps
    // its value numbers.
    let mut f = Function { values: grad.values.clone(), ..Function::new(FunctionKind::GradientChunk(id)) };
    let mut cb = Vec::new();
    // The loop's start is a constant (`plan` checks), needed by the bounds.
    if let (false, Some(e)) = (plan.free.contains(&start), constants.get(&start)) {
        cb.push(Stmt::Let { dst: start, expr: e.clone() });
    }
    for v in &plan.free {
        if let Some(e) = constants.get(v) {
            cb.push(Stmt::Let { dst: *v, expr: e.clone() });
        } else if let Some(&(buf, j)) = slot_of.get(v) {
            let index = int(&mut f, &mut cb, j);
            cb.push(Stmt::Let { dst: *v, expr: Expr::Load { buf, index } });
        }
    }
    let c = let_(&mut f, &mut cb, ScalarType::I64, Expr::ChunkIndex);
    let mut bases: HashMap<BufferId, (BufferId, Value)> = HashMap::new();
    let mut sorted: Vec<(&BufferId, &(BufferId, usize))> = slices.iter().collect();
    sorted.sort();
    for (orig, &(copy, len)) in sorted {
        let n = int(&mut f, &mut cb, len as i64);
        let base = let_(&mut f, &mut cb, ScalarType::I64, Expr::Binary(BinaryOp::Mul, c, n));
        bases.insert(*orig, (copy, base));
        if plan.reduced.contains(orig) {
            let (zero, from) = (let_(&mut f, &mut cb, ScalarType::F64, Expr::F64(0.0)), int(&mut f, &mut cb, 0));
            let i = f.new_value(ScalarType::I64);
            let mut zb = Vec::new();
            let index = let_(&mut f, &mut zb, ScalarType::I64, Expr::Binary(BinaryOp::Add, base, i));
            zb.push(Stmt::Store { buf: copy, index, value: zero });
            cb.push(Stmt::For { var: i, start: from, end: n, body: zb });
        }
    }
    // Chunk c runs iterations start + [c * trip / K, (c + 1) * trip / K).
    let trip = int(&mut f, &mut cb, plan.trip);
    let kv = int(&mut f, &mut cb, i64::from(plan.chunks));
    let one = int(&mut f, &mut cb, 1);
    let c1 = let_(&mut f, &mut cb, ScalarType::I64, Expr::Binary(BinaryOp::Add, c, one));
    let lo_mul = let_(&mut f, &mut cb, ScalarType::I64, Expr::Binary(BinaryOp::Mul, c, trip));
    let hi_mul = let_(&mut f, &mut cb, ScalarType::I64, Expr::Binary(BinaryOp::Mul, c1, trip));
    let lo_rel = let_(&mut f, &mut cb, ScalarType::I64, Expr::Binary(BinaryOp::Div, lo_mul, kv));
    let hi_rel = let_(&mut f, &mut cb, ScalarType::I64, Expr::Binary(BinaryOp::Div, hi_mul, kv));
    let lo = let_(&mut f, &mut cb, ScalarType::I64, Expr::Binary(BinaryOp::Add, start, lo_rel));
    let hi = let_(&mut f, &mut cb, ScalarType::I64, Expr::Binary(BinaryOp::Add, start, hi_rel));
    let body = rewrite(&mut f, body, &bases);
    cb.push(Stmt::For { var, start: lo, end: hi, body });
    let t = let_(&mut f, &mut cb, ScalarType::F64, Expr::Target);
    cb.push(Stmt::Store { buf: target_parts, index: c, value: t });
    f.body = cb;

    // Back in the gradient: the parts, in chunk order.
    let (zero, count) = (int(grad, out, 0), int(grad, out, i64::from(plan.chunks)));
    let ci = grad.new_value(ScalarType::I64);
    let mut tb = Vec::new();
    let part = let_(grad, &mut tb, ScalarType::F64, Expr::Load { buf: target_parts, index: ci });
    tb.push(Stmt::AddTarget(part));
    out.push(Stmt::For { var: ci, start: zero, end: count, body: tb });
    for b in &plan.reduced {
        let (copy, len) = slices[b];
        let n = int(grad, out, len as i64);
        let e = grad.new_value(ScalarType::I64);
        let ci = grad.new_value(ScalarType::I64);
        let mut inner = Vec::new();
        let base = let_(grad, &mut inner, ScalarType::I64, Expr::Binary(BinaryOp::Mul, ci, n));
        let index = let_(grad, &mut inner, ScalarType::I64, Expr::Binary(BinaryOp::Add, base, e));
        let x = let_(grad, &mut inner, ScalarType::F64, Expr::Load { buf: copy, index });
        inner.push(Stmt::Accumulate { buf: *b, index: e, value: x });
        let outer = vec![Stmt::For { var: ci, start: zero, end: count, body: inner }];
        out.push(Stmt::For { var: e, start: zero, end: n, body: outer });
    }
    f
}

/// The loop body with every access to a privatised buffer moved to the
/// chunk's copy (`index` -> `base + index`).
fn rewrite(f: &mut Function, stmts: &[Stmt], bases: &HashMap<BufferId, (BufferId, Value)>) -> Vec<Stmt> {
    let mut out = Vec::with_capacity(stmts.len());
    let moved = |f: &mut Function, out: &mut Vec<Stmt>, buf: BufferId, index: Value| -> (BufferId, Value) {
        match bases.get(&buf) {
            Some(&(copy, base)) => (copy, let_(f, out, ScalarType::I64, Expr::Binary(BinaryOp::Add, base, index))),
            None => (buf, index),
        }
    };
    for s in stmts {
        match s {
            Stmt::Let { dst, expr: Expr::Load { buf, index } } => {
                let (buf, index) = moved(f, &mut out, *buf, *index);
                out.push(Stmt::Let { dst: *dst, expr: Expr::Load { buf, index } });
            }
            Stmt::Store { buf, index, value } => {
                let (buf, index) = moved(f, &mut out, *buf, *index);
                out.push(Stmt::Store { buf, index, value: *value });
            }
            Stmt::Accumulate { buf, index, value } => {
                let (buf, index) = moved(f, &mut out, *buf, *index);
                out.push(Stmt::Accumulate { buf, index, value: *value });
            }
            Stmt::Call { dst, partials, func, args } => {
                let args = args
                    .iter()
                    .map(|a| match a {
                        CallArg::Buffer { buf, offset } => {
                            let (buf, offset) = moved(f, &mut out, *buf, *offset);
                            CallArg::Buffer { buf, offset }
                        }
                        other => other.clone(),
                    })
                    .collect();
                out.push(Stmt::Call { dst: *dst, partials: partials.clone(), func: func.clone(), args });
            }
            Stmt::For { var, start, end, body } => {
                let body = rewrite(f, body, bases);
                out.push(Stmt::For { var: *var, start: *start, end: *end, body });
            }
            Stmt::If { cond, then, otherwise } => {
                let then = rewrite(f, then, bases);
                let otherwise = rewrite(f, otherwise, bases);
                out.push(Stmt::If { cond: *cond, then, otherwise });
            }
            Stmt::While { cond_block, cond, body } => {
                let cond_block = rewrite(f, cond_block, bases);
                let body = rewrite(f, body, bases);
                out.push(Stmt::While { cond_block, cond: *cond, body });
            }
            // Lets of other expressions, target terms, jumps (messages
            // never occur in a chunked loop, see `Scan`).
            other => out.push(other.clone()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::interp::testutil::{buf, module, B};
    use crate::ir::{Arena, MessagePart};

    const FORCED: ChunkPolicy = ChunkPolicy { min_cost: 0, chunk_cost: 1, max_chunks: 4, cap_reduction: false };

    /// A gradient whose one loop over 100 data values adds them to the
    /// target and to `acc[0]`, plus what `extra` adds to the body.
    fn gradient(extra: impl Fn(&mut B, BufferId, BufferId, Value)) -> Module {
        let mut m = module();
        let x = buf(&mut m, "x", Arena::Data, 100);
        let acc = buf(&mut m, "acc", Arena::Work, 1);
        let mut b = B::new(FunctionKind::Gradient, &m);
        let (lo, hi) = (b.i(0), b.i(100));
        b.for_(lo, hi, |b, i| {
            let xi = b.load(x, i);
            b.add_target(xi);
            let zero = b.i(0);
            b.acc(acc, zero, xi);
            extra(b, x, acc, i);
        });
        m.functions.push(b.finish());
        m
    }

    #[test]
    fn a_loop_that_only_adds_is_chunked_and_verifies() {
        let mut m = gradient(|_, _, _, _| {});
        assert_eq!(chunk_large_loops_with(&mut m, FORCED), 1);
        crate::ir::verify::verify(&m).unwrap_or_else(|e| panic!("{e:?}"));
        assert!(m.function(FunctionKind::GradientChunk(0)).is_some());
        // The default policy leaves such a small loop alone.
        let mut m = gradient(|_, _, _, _| {});
        assert_eq!(chunk_large_loops(&mut m), 0);
    }

    #[test]
    fn loops_that_print_read_what_they_accumulate_or_store_stay_whole() {
        let print = |b: &mut B, _: BufferId, _: BufferId, _: Value| b.print(vec![MessagePart::Text("x".into())]);
        let read_acc = |b: &mut B, _: BufferId, acc: BufferId, _: Value| {
            let zero = b.i(0);
            let a = b.load(acc, zero);
            b.add_target(a);
        };
        let store = |b: &mut B, _: BufferId, acc: BufferId, _: Value| {
            let (zero, one) = (b.i(0), b.f(1.0));
            b.store(acc, zero, one);
        };
        let target = |b: &mut B, _: BufferId, _: BufferId, _: Value| {
            let t = b.target();
            b.add_target(t);
        };
        let int_div = |b: &mut B, _: BufferId, _: BufferId, i: Value| {
            let two = b.i(2);
            let _ = b.bin(BinaryOp::Div, i, two);
        };
        for (name, m) in [
            ("print", gradient(print)),
            ("load of the accumulated buffer", gradient(read_acc)),
            ("store", gradient(store)),
            ("target()", gradient(target)),
            ("integer division", gradient(int_div)),
        ] {
            let mut m = m;
            assert_eq!(chunk_large_loops_with(&mut m, FORCED), 0, "a loop with a {name} was chunked");
        }
    }

    #[test]
    fn batch_scratch_names() {
        assert!(is_batch_scratch("batch.hbm_bernoulli_logit_lpmf_grad_batch.arg0"));
        assert!(is_batch_scratch("batch.hbm_poisson_log_lpmf_grad_batch.partial"));
        assert!(is_batch_scratch("batch.hbm_x.sum12"));
        assert!(!is_batch_scratch("batch.adj"));
        assert!(!is_batch_scratch("batch"));
        assert!(!is_batch_scratch("mu.arg0"));
    }
}
