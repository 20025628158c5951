//! IR pass: likelihood loops call a batched density once per block of
//! observations instead of a scalar one per observation.
//!
//! A loop such as the fused reverse loop of `y ~ bernoulli_logit(eta)`
//!
//! ```text
//! for i in start..end {
//!   <prefix: loads, arithmetic, index checks>        computes n, eta
//!   lp, [d] = call hbm_bernoulli_logit_lpmf_grad(n, eta)
//!   target += lp
//!   <suffix: scatters d into adjoints>
//! }
//! ```
//!
//! becomes, per block of [`BLOCK`] iterations,
//!
//! ```text
//! for i in b0..b1 { <prefix>; arg0[i - b0] = n; arg1[i - b0] = eta }
//! s = call hbm_bernoulli_logit_lpmf_grad_batch(b1 - b0, arg0, arg1, partial)
//! target += s
//! for i' in b0..b1 { <prefix, only what the suffix reads>; d' = partial[i' - b0]; <suffix> }
//! ```
//!
//! so that the density's `exp`/`log1p` run in the stdlib's SIMD kernel
//! (`hbmc_stdlib::dist::batch`) and the scratch arrays stay in L1.
//!
//! Both passes drop repeats as they copy the prefix: a load or expression
//! computed again takes the first value, an index check made again is
//! dropped, and `1.0 * x` is x (plain Stan reads `g[i]` and checks it once
//! per use). An accumulation in the suffix into one fixed element (the
//! gradient of a scalar parameter) becomes a store into scratch, summed per
//! block by the stdlib (`hbm_sum_batch`) and added once: otherwise each
//! iteration waits for the previous one's load-add-store. Which
//! scalar densities have a batched form is read from the stdlib's symbol
//! table (`SymbolKind::LpdfBatch`/`LpdfGradBatch`).
//!
//! The split is only made where it cannot change what the loop computes
//! beyond the order of the additions to the target:
//! - the prefix only defines values (`let`, calls on values) and checks
//!   (`if` blocks of the same, ending in `reject`), so running all of a
//!   block's prefixes first, and again (the part the suffix needs) in the
//!   second loop, gives the same values;
//! - the call's value is only added to the target, nothing in the function
//!   reads `target()`, and the suffix has no `break`/`continue`;
//! - the suffix writes no buffer the prefix reads.
//!
//! - a deferred accumulation's buffer is not read, stored to or passed to
//!   a call in the loop, so adding its block sum at the block's end gives
//!   the same value up to the order of the additions.
//!
//! Before the split, arithmetic of the prefix that depends on the
//! observation only through its group is moved to per-group tables filled
//! before the loop (`ir::group_tables`), so both passes load it.
//!
//! Elementwise functions are also batched in a rectangular nest, an outer
//! loop of `let`s and one inner loop of a constant trip count (the fill of
//! a GP covariance, `exp` per cell): its cells are split as one loop's
//! iterations, in blocks of whole rows, each pass a nest over the block's
//! rows. And a loop's (or the nest's inner) pure statements are first
//! moved ahead of the stores and accumulations they follow
//! ([`pure_first`]; a gradient's forward sweep saves values on tapes in
//! the middle of the arithmetic), so calls after a store can be batched.
//!
//! One difference is visible: when both a check in the prefix of a later
//! iteration and a statement of the suffix of an earlier one reject, the
//! later check's message is the one reported (both reject the point).
//! The pass runs after AD, on the `LogDensity` and `Gradient` functions;
//! the interpreter and the JIT run its output alike.

use super::{Arena, BinaryOp, BufferId, CType, CallArg, CmpOp, Expr, FuncRef, Function, FunctionKind, MessagePart, Module, ScalarType, Stmt, UnaryOp, Value};
use super::group_tables::{tabulate, LoopShape};
use hbmc_stdlib::SymbolKind;
use std::collections::{HashMap, HashSet};

/// Observations per batched call: the scratch arrays (a few times 2 KiB)
/// stay in L1 between the three passes over a block.
pub const BLOCK: i64 = 256;

/// Loops with fewer iterations than this (when the count is a constant)
/// stay as they are: the split only pays over many observations.
const MIN_ITERATIONS: i64 = 8;

/// The same for a loop split at elementwise functions: one call saved
/// per iteration pays for a block's fixed costs (the batched call, the
/// deferred sums' calls) only over more iterations than a density's
/// (measured: 30 observations of a Weibull survival model took 11% more
/// instructions split, a loop over 3 elements with one `log` 33% more).
/// When the count is known only at run time, the loop is kept as it was
/// next to the split and runs below this count.
const MIN_MAP_ITERATIONS: i64 = 64;

/// Splits every eligible likelihood loop of the module's `LogDensity` and
/// `Gradient` functions (see the module docs). Returns how many loops were
/// split.
pub fn batch_likelihood_loops(module: &mut Module) -> usize {
    let table = batch_table();
    let sum_ref = sum_ref();
    let mut count = 0;
    module.rewrite_bodies(&[FunctionKind::LogDensity, FunctionKind::Gradient], |module, func, body| {
        if reads_target(&body) {
            return body;
        }
        let mut constants = HashMap::new();
        integer_constants(&body, &mut constants);
        let mut pass = Pass { module, func, table: &table, sum: sum_ref.clone(), constants, count: 0, depth: 0 };
        let body = pass.block(body);
        count += pass.count;
        body
    });
    count
}

/// The batched form of a scalar call.
#[derive(Clone)]
struct Batched {
    func: FuncRef,
    /// An elementwise function (`SymbolKind::MapBatch`): each element's
    /// value is written to scratch for the rest of the loop to read,
    /// rather than summed into the target as a density's.
    map: bool,
}

/// Scalar density or function symbol -> its batched form.
fn batch_table() -> HashMap<&'static str, Batched> {
    let mut table = HashMap::new();
    for s in hbmc_stdlib::symbols() {
        let (of, map) = match s.kind {
            SymbolKind::LpdfBatch { of } | SymbolKind::LpdfGradBatch { of } => (of, false),
            SymbolKind::MapBatch { of } => (of, true),
            _ => continue,
        };
        let params: Option<Vec<CType>> = s.args.iter().map(|t| ir_ctype(*t)).collect();
        let (Some(params), Some(ret)) = (params, ir_ctype(s.ret)) else { continue };
        table.insert(of, Batched { func: FuncRef { symbol: s.name.to_string(), params, ret }, map });
    }
    table
}

/// Whether `v`'s value reaches the target or an accumulation in `body`
/// (a loop's statements, its top level) through additions alone: every
/// reader is `target +=`, `buf[i] +=` or an addition whose value does
/// the same (`ir::log_products`' sums).
fn only_added(v: Value, body: &[Stmt]) -> bool {
    body.iter().all(|s| match s {
        Stmt::AddTarget(_) | Stmt::Accumulate { .. } => true,
        Stmt::Let { dst, expr: Expr::Binary(BinaryOp::Add, a, b) } if *a == v || *b == v => only_added(*dst, body),
        other => {
            let mut used = Vec::new();
            uses_in(std::slice::from_ref(other), &mut used);
            !used.contains(&v)
        }
    })
}

/// The call of the stdlib's `hbm_sum_batch(x, len) -> f64`, with the
/// signature its table gives.
fn sum_ref() -> Option<FuncRef> {
    let s = hbmc_stdlib::symbols().into_iter().find(|s| s.kind == SymbolKind::Reduce && s.name == "hbm_sum_batch")?;
    let params: Option<Vec<CType>> = s.args.iter().map(|t| ir_ctype(*t)).collect();
    Some(FuncRef { symbol: s.name.to_string(), params: params?, ret: ir_ctype(s.ret)? })
}

fn ir_ctype(t: hbmc_stdlib::CType) -> Option<CType> {
    use hbmc_stdlib::CType as L;
    Some(match t {
        L::F64 => CType::F64,
        L::I64 => CType::I64,
        L::I32 => CType::I32,
        L::PtrF64 => CType::PtrF64,
        L::PtrConstF64 => CType::PtrConstF64,
        L::PtrRng => CType::PtrRng,
        L::Void => CType::Void,
        L::PtrScalarConstrained => return None,
    })
}

struct Pass<'a> {
    module: &'a mut Module,
    func: &'a mut Function,
    table: &'a HashMap<&'static str, Batched>,
    /// The stdlib's sum of an array (`hbm_sum_batch`); without it no
    /// accumulation is deferred.
    sum: Option<FuncRef>,
    /// Integer constants of the function (`let v = i64 c`), for trip counts.
    constants: HashMap<Value, i64>,
    count: usize,
    /// Loops around the statements being rewritten.
    depth: usize,
}

/// One batched call of a split loop.
struct SiteCall {
    /// Its value (a density's only added to the target).
    value: Value,
    /// Its partial, for a `_grad` call.
    partial: Option<Value>,
    /// Its arguments, all values.
    args: Vec<Value>,
    batched: Batched,
    /// Which of the passes before the last computes its arguments: 0, or
    /// one more than the deepest batched call they depend on.
    level: usize,
}

/// Where a loop is split and at which calls.
struct Site {
    /// The prefix is `body[..prefix_end]`: it only defines values and
    /// checks, and the passes before the last one run what it needs.
    prefix_end: usize,
    /// The suffix is `body[suffix_start..]` (`prefix_end + 1` for a
    /// density, whose call sits between the two).
    suffix_start: usize,
    /// One density, or elementwise functions (`SymbolKind::MapBatch`).
    calls: Vec<SiteCall>,
}

/// The scratch arrays of one batched call in a block.
struct CallBufs {
    args: Vec<BufferId>,
    /// Whether `args` are an earlier call's (written by its stores).
    shared: bool,
    value: Option<BufferId>,
    partial: Option<BufferId>,
}

/// The longest row (inner trip count) of a nest split in blocks of whole
/// rows ([`Pass::nest_site`]): a block's scratch holds at least one row.
const MAX_ROW: i64 = 16 * BLOCK;

/// The loop a split runs over: one loop, or a rectangular nest of two
/// whose cells are split as one loop's iterations.
struct Shape {
    /// The (outer) loop's variable and range.
    var: Value,
    start: Value,
    end: Value,
    nest: Option<Nest>,
}

/// The inner part of a nest: the outer body is `lets`, then the loop
/// `for var in start..end`, of `n` iterations.
struct Nest {
    lets: Vec<Stmt>,
    var: Value,
    start: Value,
    end: Value,
    n: i64,
}

impl Shape {
    /// The loop statement with (innermost) body `body`.
    fn rebuild(&self, body: &[Stmt]) -> Stmt {
        let body = match &self.nest {
            None => body.to_vec(),
            Some(n) => {
                let mut outer = n.lets.clone();
                outer.push(Stmt::For { var: n.var, start: n.start, end: n.end, body: body.to_vec() });
                outer
            }
        };
        Stmt::For { var: self.var, start: self.start, end: self.end, body }
    }
}

/// One pass of a split over a block ([`Pass::open_pass`]).
struct Frame {
    /// The innermost loop variable.
    var: Value,
    /// The cell's place in the block is `var - base`.
    base: Value,
    nest: Option<FrameNest>,
}

/// A nest's pass: the outer loop variable, the outer `let`s (and the
/// base), and the inner loop's range, renamed.
struct FrameNest {
    outer: Value,
    head: Vec<Stmt>,
    start: Value,
    end: Value,
}

impl Frame {
    /// The pass's loop (or nest) over the block's iterations `b0..b1`,
    /// with (innermost) body `body`.
    fn close(self, b0: Value, b1: Value, body: Vec<Stmt>) -> Stmt {
        match self.nest {
            None => Stmt::For { var: self.var, start: b0, end: b1, body },
            Some(FrameNest { outer, mut head, start, end }) => {
                head.push(Stmt::For { var: self.var, start, end, body });
                Stmt::For { var: outer, start: b0, end: b1, body: head }
            }
        }
    }
}

/// Levels of batched elementwise calls in one loop: a call whose argument
/// depends on another batched call's value is computed in a pass of its
/// own after that call's, up to this many passes before the last one.
const MAP_LEVELS: usize = 2;

impl Pass<'_> {
    fn block(&mut self, stmts: Vec<Stmt>) -> Vec<Stmt> {
        let mut out = Vec::with_capacity(stmts.len());
        for s in stmts {
            match s {
                Stmt::For { var, start, end, body } => {
                    self.depth += 1;
                    let body = self.block(body);
                    self.depth -= 1;
                    let flat = || Shape { var, start, end, nest: None };
                    let found = match self.site(self.trip(start, end), &body) {
                        Some(site) => Some((flat(), body.clone(), site)),
                        None => self.nest_site(var, start, end, &body).or_else(|| self.reordered_site(var, start, end, &body)),
                    };
                    let original = Stmt::For { var, start, end, body };
                    match found {
                        Some((shape, inner, site)) => self.emit_split(&shape, &inner, &site, original, &mut out),
                        None => out.push(original),
                    }
                }
                Stmt::If { cond, then, otherwise } => {
                    let then = self.block(then);
                    let otherwise = self.block(otherwise);
                    out.push(Stmt::If { cond, then, otherwise });
                }
                Stmt::While { cond_block, cond, body } => {
                    let body = self.block(body);
                    out.push(Stmt::While { cond_block, cond, body });
                }
                other => out.push(other),
            }
        }
        out
    }

    /// Emits the split of the loop `original` (see [`Pass::split`]) and
    /// counts it. When elementwise calls are batched and the trip count is
    /// known only at run time, the split runs from [`MIN_MAP_ITERATIONS`]
    /// cells on and the loop as it was below (a handful of elements cost
    /// more split than they save).
    fn emit_split(&mut self, shape: &Shape, body: &[Stmt], site: &Site, original: Stmt, out: &mut Vec<Stmt>) {
        self.count += 1;
        let map = site.calls.iter().any(|c| c.batched.map);
        if !map || self.shape_trip(shape).is_some() {
            self.split(shape, body, site, out);
            return;
        }
        let mut split = Vec::new();
        self.split(shape, body, site, &mut split);
        let mut len = self.bin(out, BinaryOp::Sub, shape.end, shape.start);
        if let Some(nest) = &shape.nest {
            let n = self.let_(out, ScalarType::I64, Expr::I64(nest.n));
            len = self.bin(out, BinaryOp::Mul, len, n);
        }
        let least = self.let_(out, ScalarType::I64, Expr::I64(MIN_MAP_ITERATIONS));
        let few = self.let_(out, ScalarType::I64, Expr::Cmp(CmpOp::Lt, len, least));
        out.push(Stmt::If { cond: few, then: vec![original], otherwise: split });
    }

    /// The trip count of `start..end` when both are constants.
    fn trip(&self, start: Value, end: Value) -> Option<i64> {
        self.constant(start).zip(self.constant(end)).map(|(a, b)| b - a)
    }

    /// The number of cells a split loop or nest runs, when it is a
    /// constant.
    fn shape_trip(&self, shape: &Shape) -> Option<i64> {
        let rows = self.trip(shape.start, shape.end)?;
        Some(shape.nest.as_ref().map_or(rows, |n| rows.saturating_mul(n.n)))
    }

    /// Where and at which calls the loop can be split: at its one density
    /// with a batched form, or, without one and when the loop is not
    /// inside another, at every elementwise function with a batched form
    /// that [`Pass::map_site`] accepts. (An inner loop's trip count is
    /// often a handful, components or outcomes: blocks, scratch and a
    /// second pass cost more than the calls save there; the densities'
    /// loops are the observations'. A loop split at some of its calls
    /// keeps the others' cost: a three-outcome `categorical_logit`'s loop
    /// took 2% more instructions split at its first `exp` alone.)
    fn site(&self, trip: Option<i64>, body: &[Stmt]) -> Option<Site> {
        match self.densities(body)[..] {
            [] if self.depth == 0 => self.map_site(trip, body),
            [at] => self.site_at(trip, body, at),
            _ => None,
        }
    }

    /// Positions of the top-level calls of `body` with a batched density.
    fn densities(&self, body: &[Stmt]) -> Vec<usize> {
        body.iter()
            .enumerate()
            .filter_map(|(i, s)| match s {
                Stmt::Call { func, .. } => self.table.get(func.symbol.as_str()).filter(|b| !b.map).map(|_| i),
                _ => None,
            })
            .collect()
    }

    /// The split at elementwise calls of a loop not inside another, with
    /// no batched density, once [`pure_first`] has moved its pure
    /// statements ahead of its stores (a gradient's forward sweep stores
    /// values for the reverse between a value and the `exp` of it).
    fn reordered_site(&self, var: Value, start: Value, end: Value, body: &[Stmt]) -> Option<(Shape, Vec<Stmt>, Site)> {
        if self.depth != 0 || !self.densities(body).is_empty() {
            return None;
        }
        let body = pure_first(body)?;
        let site = self.map_site(self.trip(start, end), &body)?;
        Some((Shape { var, start, end, nest: None }, body, site))
    }

    /// The split at elementwise calls of a rectangular nest not inside
    /// another loop: an outer loop whose body is `let`s and then an inner
    /// loop of a constant trip count `n` (up to [`MAX_ROW`]), with no
    /// batched density. Its cells are split as one loop's iterations, in
    /// blocks of whole rows (the outer loop's iterations): a covariance
    /// matrix's fill, `exp` per cell, over N rows of N. The inner body's
    /// pure statements are moved ahead of its stores first
    /// ([`pure_first`]). Besides [`Pass::map_site`]'s conditions, the outer
    /// `let`s, which every pass computes again, may load no buffer that the
    /// nest writes.
    fn nest_site(&self, var: Value, start: Value, end: Value, body: &[Stmt]) -> Option<(Shape, Vec<Stmt>, Site)> {
        let (Stmt::For { var: inner_var, start: inner_start, end: inner_end, body: inner }, lets) = body.split_last()? else { return None };
        if self.depth != 0 || !lets.iter().all(|s| matches!(s, Stmt::Let { expr, .. } if !matches!(expr, Expr::Target))) {
            return None;
        }
        let n = self.trip(*inner_start, *inner_end).filter(|n| (1..=MAX_ROW).contains(n))?;
        if !self.densities(inner).is_empty() {
            return None;
        }
        let inner = pure_first(inner).unwrap_or_else(|| inner.clone());
        let nest = Nest { lets: lets.to_vec(), var: *inner_var, start: *inner_start, end: *inner_end, n };
        let shape = Shape { var, start, end, nest: Some(nest) };
        let site = self.map_site(self.shape_trip(&shape), &inner)?;
        let mut loaded = HashSet::new();
        loads_in(lets, &mut loaded);
        let mut written = HashSet::new();
        writes_in(&inner, &mut written);
        if !loaded.is_disjoint(&written) {
            return None;
        }
        Some((shape, inner, site))
    }

    /// The batched form of the call `s`, when it has one of the signature
    /// the split writes: a length, one array per argument (all values), a
    /// values array for an elementwise function, and one partials array
    /// for a `_grad` call with a single partial.
    fn batchable(&self, s: &Stmt) -> Option<(Value, Option<Value>, Vec<Value>, Batched)> {
        let Stmt::Call { dst: Some(value), partials, func, args } = s else { return None };
        let batched = self.table.get(func.symbol.as_str())?.clone();
        let args: Vec<Value> = args.iter().map(|a| if let CallArg::Value(v) = a { Some(*v) } else { None }).collect::<Option<_>>()?;
        let expected = 1 + args.len() + usize::from(batched.map) + usize::from(!partials.is_empty());
        if batched.func.params.len() != expected || partials.len() > 1 {
            return None;
        }
        Some((*value, partials.first().copied(), args, batched))
    }

    /// The split of a loop at its density call at `at`.
    fn site_at(&self, trip: Option<i64>, body: &[Stmt], at: usize) -> Option<Site> {
        let (value, partial, args, batched) = self.batchable(&body[at])?;
        let (prefix, suffix) = (&body[..at], &body[at + 1..]);
        if !prefix.iter().all(pure_or_check) || jumps(suffix) {
            return None;
        }
        // A density's value is used once: added to the target at the
        // suffix's top level.
        let adds = suffix.iter().filter(|s| matches!(s, Stmt::AddTarget(v) if *v == value)).count();
        let mut uses = Vec::new();
        uses_in(suffix, &mut uses);
        if adds != 1 || uses.iter().filter(|v| **v == value).count() != 1 {
            return None;
        }
        let mut loaded = HashSet::new();
        loads_in(prefix, &mut loaded);
        let mut written = HashSet::new();
        writes_in(suffix, &mut written);
        if !loaded.is_disjoint(&written) {
            return None;
        }
        if trip.is_some_and(|t| t < MIN_ITERATIONS) {
            return None;
        }
        let call = SiteCall { value, partial, args, batched, level: 0 };
        Some(Site { prefix_end: at, suffix_start: at + 1, calls: vec![call] })
    }

    /// The split of a loop without a batched density at its elementwise
    /// calls. The prefix is the body's longest run of statements that
    /// only define values and check; the calls batched are those of the
    /// prefix, and those of the suffix's top level whose arguments the
    /// prefix defines (or the code before the loop): a pure call computed
    /// earlier gives the same value. A call whose argument depends on
    /// another's value gets a pass of its own after that one's (up to
    /// [`MAP_LEVELS`] such passes; a deeper call stays as it is, as does
    /// what depends on it). Not split: a loop with an index check that
    /// depends on a batched value (pass 0 makes all checks), or whose
    /// early passes load a buffer that the loop writes.
    fn map_site(&self, trip: Option<i64>, body: &[Stmt]) -> Option<Site> {
        let prefix_end = body.iter().position(|s| !pure_or_check(s)).unwrap_or(body.len());
        if jumps(&body[prefix_end..]) || trip.is_some_and(|t| t < MIN_MAP_ITERATIONS) {
            return None;
        }
        let mut in_loop = HashSet::new();
        defined_in(body, &mut in_loop);
        // Per top-level value of the prefix: how many batched passes it
        // waits for (None: it depends on a call that stays scalar because
        // it is too deep).
        let mut levels: HashMap<Value, Option<usize>> = HashMap::new();
        let level_of = |levels: &HashMap<Value, Option<usize>>, vs: &[Value]| -> Option<Option<usize>> {
            let mut max = Some(0);
            for v in vs {
                let l = if in_loop.contains(v) { *levels.get(v)? } else { Some(0) };
                max = max.zip(l).map(|(a, b)| a.max(b));
            }
            Some(max)
        };
        let mut calls = Vec::new();
        for (pos, s) in body.iter().enumerate() {
            let in_prefix = pos < prefix_end;
            // A `log` of what no batched call computes, whose value only
            // additions carry to the target or an accumulation, is left to
            // `ir::log_products`, which runs later and turns a loop's sum
            // of logs into one log of a product (hmm_gaussian_forward.stan
            // took 2% more instructions with it batched instead). A log
            // that anything else reads (a normal's ln σ behind its σ > 0
            // guard) is not that pass's, and is batched in a loop of a
            // known trip count (behind the run-time guard of a loop over a
            // handful of states, hmm_gaussian_forward.stan's, it took 1.8%
            // more instructions).
            let known_trips = trip.is_some();
            let candidate = self.batchable(s).filter(|b| b.3.map);
            let candidate = candidate.filter(|b| {
                !(b.3.func.symbol == "hbm_log_batch" && level_of(&levels, &b.2) == Some(Some(0)) && (!known_trips || only_added(b.0, body)))
            });
            if let Some((value, partial, args, batched)) = candidate {
                // A suffix call's arguments must come from the prefix's
                // top level (or from before the loop).
                let Some(level) = level_of(&levels, &args) else { continue };
                match level {
                    Some(l) if l < MAP_LEVELS => {
                        calls.push(SiteCall { value, partial, args, batched, level: l });
                        if in_prefix {
                            levels.extend(std::iter::once(value).chain(partial).map(|v| (v, Some(l + 1))));
                        }
                    }
                    _ if in_prefix => levels.extend(std::iter::once(value).chain(partial).map(|v| (v, None))),
                    _ => {}
                }
                continue;
            }
            if !in_prefix {
                continue;
            }
            match s {
                Stmt::Let { dst, expr } => {
                    let mut ops = Vec::new();
                    map_expr(expr, |v| {
                        ops.push(v);
                        v
                    });
                    levels.insert(*dst, level_of(&levels, &ops).flatten());
                }
                Stmt::Call { dst, partials, .. } => {
                    let mut ops = Vec::new();
                    uses_in(std::slice::from_ref(s), &mut ops);
                    let l = level_of(&levels, &ops).flatten();
                    levels.extend(dst.iter().chain(partials).map(|v| (*v, l)));
                }
                _ => {
                    // A check: pass 0 makes it, so it may read nothing a
                    // batched call computes (its own values aside).
                    let mut own = HashSet::new();
                    defined_in(std::slice::from_ref(s), &mut own);
                    let mut ops = Vec::new();
                    uses_in(std::slice::from_ref(s), &mut ops);
                    ops.retain(|v| !own.contains(v));
                    if level_of(&levels, &ops) != Some(Some(0)) {
                        return None;
                    }
                }
            }
        }
        if calls.is_empty() {
            return None;
        }
        // The passes before the last run all iterations of a block first:
        // what they load must not be written in the loop.
        let mut keep: HashSet<Value> = calls.iter().flat_map(|c| c.args.iter().copied()).collect();
        let needed = needed_prefix(&body[..prefix_end], &mut keep, true);
        let mut loaded = HashSet::new();
        loads_in(&needed, &mut loaded);
        let mut written = HashSet::new();
        writes_in(body, &mut written);
        if !loaded.is_disjoint(&written) {
            return None;
        }
        Some(Site { prefix_end, suffix_start: prefix_end, calls })
    }

    fn constant(&self, v: Value) -> Option<i64> {
        self.constants.get(&v).copied()
    }

    fn let_(&mut self, out: &mut Vec<Stmt>, ty: ScalarType, expr: Expr) -> Value {
        let dst = self.func.new_value(ty);
        out.push(Stmt::Let { dst, expr });
        dst
    }

    fn bin(&mut self, out: &mut Vec<Stmt>, op: BinaryOp, a: Value, b: Value) -> Value {
        let ty = self.func.type_of(a);
        self.let_(out, ty, Expr::Binary(op, a, b))
    }

    /// Splits the loop or nest `shape`, whose (innermost) body is `body`,
    /// at `site`'s calls (see the module docs).
    fn split(&mut self, shape: &Shape, body: &[Stmt], site: &Site, out: &mut Vec<Stmt>) {
        use ScalarType::{F64, I64};
        let base = site.calls.first().map_or("map", |c| c.batched.func.symbol.trim_start_matches("hbm_")).to_string();
        // The loop as a whole, for what it reads, writes and defines.
        let whole = [shape.rebuild(body)];
        // Iterations of the (outer) loop per block, and cells per block.
        let (step, cells) = match &shape.nest {
            None => (BLOCK, BLOCK),
            Some(nest) => {
                let rows = (BLOCK / nest.n).max(1);
                (rows, rows * nest.n)
            }
        };

        // Scratch per call: its arguments (shared with an earlier call of
        // the same arguments and level, `log1p(x)` and `log1p_d1(x)`),
        // values and partials.
        let mut bufs: Vec<CallBufs> = Vec::with_capacity(site.calls.len());
        for (c, call) in site.calls.iter().enumerate() {
            let name = call.batched.func.symbol.trim_start_matches("hbm_");
            let name = if c == 0 { name.to_string() } else { format!("{name}.{c}") };
            let mut add = |what: &str| self.module.add_buffer(format!("batch.{name}.{what}"), Arena::Work, cells as usize);
            let earlier = site.calls[..c].iter().position(|e| e.args == call.args && e.level == call.level);
            let (args, shared) = match earlier {
                Some(e) => (bufs[e].args.clone(), true),
                None => ((0..call.args.len()).map(|j| add(&format!("arg{j}"))).collect(), false),
            };
            let value = call.batched.map.then(|| add("value"));
            let partial = call.partial.map(|_| add("partial"));
            bufs.push(CallBufs { args, shared, value, partial });
        }

        // Group-level arithmetic of a loop's prefix from per-group tables,
        // filled before the loop (`ir::group_tables`).
        let trip = self.trip(shape.start, shape.end);
        let mut tabled = body[..site.prefix_end].to_vec();
        let fill = match shape.nest {
            None => {
                let loop_shape = LoopShape { var: shape.var, body, trip, constants: &self.constants, name: &base };
                tabulate(self.module, self.func, &loop_shape, &mut tabled, &body[site.prefix_end..])
            }
            Some(_) => Vec::new(),
        };
        let rebuilt: Vec<Stmt>;
        let (body, prefix_end) = if fill.is_empty() {
            (body, site.prefix_end)
        } else {
            out.extend(fill);
            let at = tabled.len();
            tabled.extend_from_slice(&body[site.prefix_end..]);
            rebuilt = tabled;
            (&rebuilt[..], at)
        };
        let suffix_start = prefix_end + (site.suffix_start - site.prefix_end);

        // The body with each batched call replaced by loads of its value
        // and partial at `slot`, the place in the block (a name each pass
        // renames to its own), and a density's addition to the target gone.
        let slot = self.func.new_value(I64);
        let density = site.calls.iter().find(|c| !c.batched.map).map(|c| c.value);
        let mut prefix = Vec::new();
        let mut rest = Vec::new();
        for (i, s) in body.iter().enumerate() {
            let to = if i < prefix_end { &mut prefix } else { &mut rest };
            let Some(c) = site.calls.iter().position(|c| matches!(s, Stmt::Call { dst: Some(v), .. } if *v == c.value)) else {
                if i >= suffix_start && matches!((s, density), (Stmt::AddTarget(v), Some(d)) if *v == d) {
                    continue;
                }
                to.push(s.clone());
                continue;
            };
            let (call, b) = (&site.calls[c], &bufs[c]);
            if let Some(buf) = b.value {
                to.push(Stmt::Let { dst: call.value, expr: Expr::Load { buf, index: slot } });
            }
            if let (Some(p), Some(buf)) = (call.partial, b.partial) {
                to.push(Stmt::Let { dst: p, expr: Expr::Load { buf, index: slot } });
            }
        }
        let prefix = &prefix[..];

        // Blocks: for blk in 0..ceil((end - start) / step).
        let (start, end) = (shape.start, shape.end);
        let len = self.bin(out, BinaryOp::Sub, end, start);
        let block = self.let_(out, I64, Expr::I64(step));
        let block_m1 = self.let_(out, I64, Expr::I64(step - 1));
        let padded = self.bin(out, BinaryOp::Add, len, block_m1);
        let blocks = self.bin(out, BinaryOp::Div, padded, block);
        let zero = self.let_(out, I64, Expr::I64(0));
        let blk = self.func.new_value(I64);
        let mut blk_body = Vec::new();
        let off = self.bin(&mut blk_body, BinaryOp::Mul, blk, block);
        let b0 = self.bin(&mut blk_body, BinaryOp::Add, start, off);
        let b0_plus = self.bin(&mut blk_body, BinaryOp::Add, b0, block);
        let b1 = self.bin(&mut blk_body, BinaryOp::Min, b0_plus, end);
        let mut count = self.bin(&mut blk_body, BinaryOp::Sub, b1, b0);
        if let Some(nest) = &shape.nest {
            let n = self.let_(&mut blk_body, I64, Expr::I64(nest.n));
            count = self.bin(&mut blk_body, BinaryOp::Mul, count, n);
        }
        let first = self.let_(&mut blk_body, I64, Expr::I64(0));

        // Pass per level: the prefix it needs (pass 0: checks included;
        // repeats dropped; earlier levels' values loaded), the arguments
        // to scratch, then one batched call per block and function.
        let levels = site.calls.iter().map(|c| c.level + 1).max().unwrap_or(0);
        for level in 0..levels {
            let at_level: Vec<usize> = (0..site.calls.len()).filter(|&c| site.calls[c].level == level).collect();
            let mut keep: HashSet<Value> = at_level.iter().flat_map(|&c| site.calls[c].args.iter().copied()).collect();
            let needed = needed_prefix(prefix, &mut keep, level == 0);
            let mut pass = Vec::new();
            let mut rename = HashMap::new();
            // Each pass has loop variables of its own (the IR is SSA, and
            // the loop as it was may be kept next to the split).
            let frame = self.open_pass(shape, b0, &mut rename);
            let k = self.slot_in(&needed, slot, frame.var, frame.base, &mut rename, &mut pass);
            self.copy_dedup(&needed, &mut rename, &mut Dedup::default(), &mut pass);
            let k = k.unwrap_or_else(|| self.bin(&mut pass, BinaryOp::Sub, frame.var, frame.base));
            for &c in at_level.iter().filter(|&&c| !bufs[c].shared) {
                for (&arg, &buf) in site.calls[c].args.iter().zip(&bufs[c].args) {
                    let arg = rename.get(&arg).copied().unwrap_or(arg);
                    let x = match self.func.type_of(arg) {
                        F64 => arg,
                        I64 => self.let_(&mut pass, F64, Expr::Unary(UnaryOp::ToF64, arg)),
                    };
                    pass.push(Stmt::Store { buf, index: k, value: x });
                }
            }
            blk_body.push(frame.close(b0, b1, pass));
            for &c in &at_level {
                let (call, b) = (&site.calls[c], &bufs[c]);
                let mut call_args = vec![CallArg::Value(count)];
                call_args.extend(b.args.iter().chain(&b.value).chain(&b.partial).map(|&buf| CallArg::Buffer { buf, offset: first }));
                let sum = self.func.new_value(F64);
                blk_body.push(Stmt::Call { dst: Some(sum), partials: Vec::new(), func: call.batched.func.clone(), args: call_args });
                if !call.batched.map {
                    blk_body.push(Stmt::AddTarget(sum));
                }
            }
        }

        // Last pass: what the suffix reads of the prefix, the values and
        // partials from scratch, and the suffix (fresh value names).
        // Accumulations into one fixed element are summed per block
        // instead (see `deferrable`).
        let name = base;
        let mut rest = rest;
        let groups = self.factor_group_terms(&name, &whole, prefix, &mut rest);
        for g in &groups {
            let zero_loop = g.zero_loop(self.func);
            out.extend(zero_loop);
        }
        let deferred = if self.sum.is_some() { deferrable(&whole, &rest) } else { Vec::new() };
        if !rest.is_empty() {
            let mut used = Vec::new();
            uses_in(&rest, &mut used);
            let mut keep: HashSet<Value> = used.into_iter().collect();
            let needed = needed_prefix(prefix, &mut keep, false);
            let mut rename: HashMap<Value, Value> = HashMap::new();
            let frame = self.open_pass(shape, b0, &mut rename);
            let mut dedup = Dedup::default();
            let mut pass2 = Vec::new();
            let k2 = self.slot_in(&needed, slot, frame.var, frame.base, &mut rename, &mut pass2);
            self.copy_dedup(&needed, &mut rename, &mut dedup, &mut pass2);
            let k2 = k2.unwrap_or_else(|| self.bin(&mut pass2, BinaryOp::Sub, frame.var, frame.base));
            rename.insert(slot, k2);
            // Deferred accumulations: each observation's term to scratch,
            // the block's sum added once (see `deferrable`).
            let mut rest = rest;
            let mut sums = Vec::new();
            for (j, &(at, constant)) in deferred.iter().enumerate() {
                let Stmt::Accumulate { buf, index, value } = rest[at] else { continue };
                let scratch = self.module.add_buffer(format!("batch.{name}.sum{j}"), Arena::Work, cells as usize);
                rest[at] = Stmt::Store { buf: scratch, index: k2, value };
                sums.push((scratch, buf, index, constant));
            }
            dedup.loads = false;
            self.copy_dedup(&rest, &mut rename, &mut dedup, &mut pass2);
            blk_body.push(frame.close(b0, b1, pass2));
            for (scratch, buf, index, constant) in sums {
                // Invariant: `sums` is empty unless `self.sum` is known.
                let Some(sum) = self.sum.clone() else { continue };
                let total = self.func.new_value(F64);
                let args = vec![CallArg::Buffer { buf: scratch, offset: first }, CallArg::Value(count)];
                blk_body.push(Stmt::Call { dst: Some(total), partials: Vec::new(), func: sum, args });
                let index = match constant {
                    Some(c) => self.let_(&mut blk_body, I64, Expr::I64(c)),
                    None => index,
                };
                blk_body.push(Stmt::Accumulate { buf, index, value: total });
            }
        }
        out.push(Stmt::For { var: blk, start: zero, end: blocks, body: blk_body });
        for g in &groups {
            let spread_loop = g.spread_loop(self.func);
            out.extend(spread_loop);
        }
    }

    /// Starts one pass over the block whose (outer) iterations start at
    /// `b0`: fresh names for the loop variables (`rename` maps the loop's
    /// to them) and, for a nest, the outer `let`s computed again and the
    /// base the cell's place in the block is counted from: `(o - b0) * n`
    /// cells before the row's first.
    fn open_pass(&mut self, shape: &Shape, b0: Value, rename: &mut HashMap<Value, Value>) -> Frame {
        use ScalarType::I64;
        let outer = self.func.new_value(I64);
        rename.insert(shape.var, outer);
        let Some(nest) = &shape.nest else { return Frame { var: outer, base: b0, nest: None } };
        let mut head = Vec::new();
        self.copy_block(&nest.lets, rename, &mut head);
        let row = self.bin(&mut head, BinaryOp::Sub, outer, b0);
        let n = self.let_(&mut head, I64, Expr::I64(nest.n));
        let before = self.bin(&mut head, BinaryOp::Mul, row, n);
        let r = |v: Value| rename.get(&v).copied().unwrap_or(v);
        let (start, end) = (r(nest.start), r(nest.end));
        let base = self.bin(&mut head, BinaryOp::Sub, start, before);
        let var = self.func.new_value(I64);
        rename.insert(nest.var, var);
        Frame { var, base, nest: Some(FrameNest { outer, head, start, end }) }
    }

    /// The place in the block, `var - base`, defined at the top of a pass
    /// (and `slot` renamed to it) when `needed` reads a batched value
    /// there; otherwise `None`, and the caller defines it after the
    /// prefix, as before calls' values were loaded in the prefix (the
    /// same code for a loop with one call).
    fn slot_in(&mut self, needed: &[Stmt], slot: Value, var: Value, base: Value, rename: &mut HashMap<Value, Value>, pass: &mut Vec<Stmt>) -> Option<Value> {
        let mut used = Vec::new();
        uses_in(needed, &mut used);
        if !used.contains(&slot) {
            return None;
        }
        let k = self.bin(pass, BinaryOp::Sub, var, base);
        rename.insert(slot, k);
        Some(k)
    }

    /// Finds the suffix's accumulations `G[e] += q * B[j]` into one fixed
    /// element `e` (the gradient of a scalar coefficient, see `deferrable`)
    /// whose other factor is a group-level value: a load at a per-observation
    /// index `j` of a buffer the loop never writes (`z[g[i]]`, `xbar[g[i]]`).
    /// Each is summed per group instead: `S[j] += q` in the loop, and
    /// `G[e] += S[jj] * B[jj]` over the groups `jj` after it, so the loop
    /// does one accumulation per (j, q) instead of a load, a product and a
    /// store per term and observation. An accumulation `A[j] += q` into a
    /// buffer the loop touches nowhere else is folded in too (`A[jj] +=
    /// S[jj]` after the loop). Only the grouping of the additions changes
    /// (a sum of products over observations becomes a sum over groups of
    /// products of per-group sums): the same value up to rounding.
    ///
    /// Rewrites `rest` (the removed terms' accumulations go, `S[j] += q` is
    /// appended, and `let`s nothing uses any more are dropped); returns the
    /// groups, whose loops the caller places around the batched loop.
    fn factor_group_terms(&mut self, name: &str, body: &[Stmt], prefix: &[Stmt], rest: &mut Vec<Stmt>) -> Vec<GroupSum> {
        let mut defs: HashMap<Value, Expr> = HashMap::new();
        for s in prefix.iter().chain(rest.iter()) {
            if let Stmt::Let { dst, expr } = s {
                defs.insert(*dst, expr.clone());
            }
        }
        let mut loop_defined = HashSet::new();
        defined_in(body, &mut loop_defined);
        let mut written = HashSet::new();
        writes_in(body, &mut written);
        let mut touched = HashSet::new();
        reads_all(body, &mut touched);
        stores_all(body, &mut touched);
        // Equal expressions get one name (lowering computes `g[i] - 1` once
        // per use); loads only in the prefix, which nothing in the loop
        // writes to.
        let mut canon: HashMap<Value, Value> = HashMap::new();
        let mut seen: Vec<(Expr, Value)> = Vec::new();
        for (k, s) in prefix.iter().chain(rest.iter()).enumerate() {
            let Stmt::Let { dst, expr } = s else { continue };
            let expr = map_expr(expr, |v| canon.get(&v).copied().unwrap_or(v));
            if matches!(expr, Expr::Target) || (matches!(expr, Expr::Load { .. }) && k >= prefix.len()) {
                continue;
            }
            match seen.iter().find(|(e, _)| same_expr(e, &expr)) {
                Some(&(_, first)) => {
                    canon.insert(*dst, first);
                }
                None => seen.push((expr, *dst)),
            }
        }
        let c = |v: Value| canon.get(&v).copied().unwrap_or(v);
        // A group-level value: a load, at an index read from data (`g[i]`,
        // not `i` itself), of a buffer the loop never writes.
        let group_level = |v: Value| match defs.get(&v) {
            Some(Expr::Load { buf, index }) if !written.contains(buf) && loop_defined.contains(index) && indirect(&defs, *index, 0) => Some((*buf, c(*index))),
            _ => None,
        };
        let mut groups: Vec<GroupSum> = Vec::new();
        let mut removed = vec![false; rest.len()];
        for (at, constant) in deferrable(body, rest) {
            let Stmt::Accumulate { buf: target, index: element, value } = rest[at] else { continue };
            let Some(&Expr::Binary(BinaryOp::Mul, a, b)) = defs.get(&value) else { continue };
            // (q, B[j], whether q is the product's first operand)
            let (q, (data, j), q_first) = match (group_level(b), group_level(a)) {
                (Some(load), _) => (a, load, true),
                (None, Some(load)) => (b, load, false),
                (None, None) => continue,
            };
            if self.func.type_of(q) != ScalarType::F64 || group_level(q).is_some() {
                continue;
            }
            let q = c(q);
            let term = GroupTerm { data, q_first, target, element, constant };
            match groups.iter_mut().find(|g| g.index == j && g.factor == q) {
                Some(g) => g.terms.push(term),
                None => groups.push(GroupSum { index: j, factor: q, terms: vec![term], also: None, sums: BufferId(0), len: 0 }),
            }
            removed[at] = true;
        }
        let mut accumulated: HashMap<BufferId, usize> = HashMap::new();
        count_accumulations(body, &mut accumulated);
        for (k, g) in groups.iter_mut().enumerate() {
            // Every index the loop uses is in range of every buffer it is
            // used with, so `j` is below each length.
            let mut len = g.terms.iter().map(|t| self.module.buffer(t.data).len).min().unwrap_or(0);
            let also = rest.iter().enumerate().position(|(at, s)| {
                !removed[at] && matches!(s, Stmt::Accumulate { buf, index, value } if c(*index) == g.index && c(*value) == g.factor && !touched.contains(buf) && accumulated.get(buf) == Some(&1))
            });
            if let Some(at) = also {
                if let Stmt::Accumulate { buf, .. } = rest[at] {
                    len = len.min(self.module.buffer(buf).len);
                    g.also = Some(buf);
                    removed[at] = true;
                }
            }
            g.len = len as i64;
            g.sums = self.module.add_buffer(format!("batch.{name}.group{k}"), Arena::Work, len);
        }
        let mut kept: Vec<Stmt> = std::mem::take(rest).into_iter().zip(&removed).filter(|(_, r)| !**r).map(|(s, _)| s).collect();
        kept.extend(groups.iter().map(|g| Stmt::Accumulate { buf: g.sums, index: g.index, value: g.factor }));
        drop_unused_lets(&mut kept);
        *rest = kept;
        groups
    }

    /// Copies top-level statements as [`Pass::copy_block`] does, dropping
    /// repeats: a `let` of an expression already computed (a load too,
    /// while `dedup.loads`) takes the earlier value's name, `1.0 * x` is x,
    /// and an index check of a condition already checked is dropped (the
    /// first one rejected if it held).
    fn copy_dedup(&mut self, stmts: &[Stmt], rename: &mut HashMap<Value, Value>, dedup: &mut Dedup, out: &mut Vec<Stmt>) {
        let r = |rename: &HashMap<Value, Value>, v: Value| rename.get(&v).copied().unwrap_or(v);
        for s in stmts {
            match s {
                Stmt::Let { dst, expr } => {
                    let expr = map_expr(expr, |v| r(rename, v));
                    if let Expr::Binary(BinaryOp::Mul, a, b) = expr {
                        let unit = if dedup.ones.contains(&a) { Some(b) } else if dedup.ones.contains(&b) { Some(a) } else { None };
                        if let Some(x) = unit.filter(|x| self.func.type_of(*x) == ScalarType::F64) {
                            rename.insert(*dst, x);
                            continue;
                        }
                    }
                    if let Some(&(_, earlier)) = dedup.exprs.iter().find(|(e, _)| same_expr(e, &expr)) {
                        rename.insert(*dst, earlier);
                        continue;
                    }
                    let fresh = self.fresh(*dst, rename);
                    match expr {
                        Expr::F64(x) if x.to_bits() == 1.0f64.to_bits() => {
                            dedup.ones.insert(fresh);
                        }
                        Expr::Target => {}
                        Expr::Load { .. } if !dedup.loads => {}
                        _ => dedup.exprs.push((expr.clone(), fresh)),
                    }
                    out.push(Stmt::Let { dst: fresh, expr });
                }
                Stmt::If { cond, then, otherwise } if otherwise.is_empty() => {
                    let cond = r(rename, *cond);
                    if dedup.checked.contains(&cond) {
                        continue;
                    }
                    if then.iter().any(|s| matches!(s, Stmt::Reject(_))) {
                        dedup.checked.insert(cond);
                    }
                    let copied = self.copy_stmt(s, rename);
                    out.push(copied);
                }
                _ => {
                    let copied = self.copy_stmt(s, rename);
                    out.push(copied);
                }
            }
        }
    }

    /// Copies statements with fresh names for every value they define;
    /// values from outside keep theirs.
    fn copy_block(&mut self, stmts: &[Stmt], rename: &mut HashMap<Value, Value>, out: &mut Vec<Stmt>) {
        for s in stmts {
            let copied = self.copy_stmt(s, rename);
            out.push(copied);
        }
    }

    fn fresh(&mut self, v: Value, rename: &mut HashMap<Value, Value>) -> Value {
        let ty = self.func.type_of(v);
        let n = self.func.new_value(ty);
        rename.insert(v, n);
        n
    }

    fn copy_stmt(&mut self, s: &Stmt, rename: &mut HashMap<Value, Value>) -> Stmt {
        let r = |rename: &HashMap<Value, Value>, v: Value| rename.get(&v).copied().unwrap_or(v);
        match s {
            Stmt::Let { dst, expr } => {
                let expr = map_expr(expr, |v| r(rename, v));
                Stmt::Let { dst: self.fresh(*dst, rename), expr }
            }
            Stmt::Call { dst, partials, func, args } => {
                let args = args
                    .iter()
                    .map(|a| match a {
                        CallArg::Value(v) => CallArg::Value(r(rename, *v)),
                        CallArg::Buffer { buf, offset } => CallArg::Buffer { buf: *buf, offset: r(rename, *offset) },
                        CallArg::Rng => CallArg::Rng,
                    })
                    .collect();
                let dst = dst.map(|d| self.fresh(d, rename));
                let partials = partials.iter().map(|p| self.fresh(*p, rename)).collect();
                Stmt::Call { dst, partials, func: func.clone(), args }
            }
            Stmt::Store { buf, index, value } => Stmt::Store { buf: *buf, index: r(rename, *index), value: r(rename, *value) },
            Stmt::Accumulate { buf, index, value } => Stmt::Accumulate { buf: *buf, index: r(rename, *index), value: r(rename, *value) },
            Stmt::AddTarget(v) => Stmt::AddTarget(r(rename, *v)),
            Stmt::For { var, start, end, body } => {
                let (start, end) = (r(rename, *start), r(rename, *end));
                let var = self.fresh(*var, rename);
                let mut b = Vec::new();
                self.copy_block(body, rename, &mut b);
                Stmt::For { var, start, end, body: b }
            }
            Stmt::If { cond, then, otherwise } => {
                let cond = r(rename, *cond);
                let (mut t, mut o) = (Vec::new(), Vec::new());
                self.copy_block(then, rename, &mut t);
                self.copy_block(otherwise, rename, &mut o);
                Stmt::If { cond, then: t, otherwise: o }
            }
            Stmt::While { cond_block, cond, body } => {
                let mut c = Vec::new();
                self.copy_block(cond_block, rename, &mut c);
                let cond = r(rename, *cond);
                let mut b = Vec::new();
                self.copy_block(body, rename, &mut b);
                Stmt::While { cond_block: c, cond, body: b }
            }
            Stmt::Break => Stmt::Break,
            Stmt::Continue => Stmt::Continue,
            Stmt::Reject(parts) => Stmt::Reject(map_parts(parts, |v| r(rename, v))),
            Stmt::Print(parts) => Stmt::Print(map_parts(parts, |v| r(rename, v))),
            Stmt::RunChunks { function, count } => Stmt::RunChunks { function: *function, count: *count },
            Stmt::TapeSave { tape, slot, value } => Stmt::TapeSave { tape: *tape, slot: r(rename, *slot), value: r(rename, *value) },
            Stmt::TapeLoad { dst, tape, slot } => {
                let slot = r(rename, *slot);
                Stmt::TapeLoad { dst: self.fresh(*dst, rename), tape: *tape, slot }
            }
        }
    }
}

/// One group-level factor of a batched loop's accumulations
/// ([`Pass::factor_group_terms`]): `S[j] += q` per observation.
struct GroupSum {
    /// The per-observation group index `j`.
    index: Value,
    /// The per-observation factor `q`.
    factor: Value,
    /// The terms `G[e] += q * B[j]` it replaces.
    terms: Vec<GroupTerm>,
    /// A buffer `A` whose `A[j] += q` it replaces.
    also: Option<BufferId>,
    /// `S`, zeroed before the loop.
    sums: BufferId,
    /// Elements of `S` (the shortest buffer indexed by `j`).
    len: i64,
}

/// `G[e] += q * B[j]` (or `B[j] * q`) of a [`GroupSum`].
struct GroupTerm {
    data: BufferId,
    q_first: bool,
    target: BufferId,
    element: Value,
    /// The element when it is an integer constant defined in the loop
    /// (defined again after it).
    constant: Option<i64>,
}

impl GroupSum {
    /// `for jj in 0..len { S[jj] = 0 }`.
    fn zero_loop(&self, func: &mut Function) -> Vec<Stmt> {
        let (start, end, var) = (func.new_value(ScalarType::I64), func.new_value(ScalarType::I64), func.new_value(ScalarType::I64));
        let zero = func.new_value(ScalarType::F64);
        let body = vec![Stmt::Let { dst: zero, expr: Expr::F64(0.0) }, Stmt::Store { buf: self.sums, index: var, value: zero }];
        vec![
            Stmt::Let { dst: start, expr: Expr::I64(0) },
            Stmt::Let { dst: end, expr: Expr::I64(self.len) },
            Stmt::For { var, start, end, body },
        ]
    }

    /// `for jj in 0..len { s = S[jj]; G[e] += s * B[jj] ...; A[jj] += s }`.
    fn spread_loop(&self, func: &mut Function) -> Vec<Stmt> {
        use ScalarType::{F64, I64};
        let (start, end, var) = (func.new_value(I64), func.new_value(I64), func.new_value(I64));
        let sum = func.new_value(F64);
        let mut body = vec![Stmt::Let { dst: sum, expr: Expr::Load { buf: self.sums, index: var } }];
        for t in &self.terms {
            let (b, product) = (func.new_value(F64), func.new_value(F64));
            body.push(Stmt::Let { dst: b, expr: Expr::Load { buf: t.data, index: var } });
            let (x, y) = if t.q_first { (sum, b) } else { (b, sum) };
            body.push(Stmt::Let { dst: product, expr: Expr::Binary(BinaryOp::Mul, x, y) });
            let element = match t.constant {
                Some(c) => {
                    let e = func.new_value(I64);
                    body.push(Stmt::Let { dst: e, expr: Expr::I64(c) });
                    e
                }
                None => t.element,
            };
            body.push(Stmt::Accumulate { buf: t.target, index: element, value: product });
        }
        if let Some(a) = self.also {
            body.push(Stmt::Accumulate { buf: a, index: var, value: sum });
        }
        vec![
            Stmt::Let { dst: start, expr: Expr::I64(0) },
            Stmt::Let { dst: end, expr: Expr::I64(self.len) },
            Stmt::For { var, start, end, body },
        ]
    }
}

/// Whether an integer value is computed from a load (an index read from
/// data, such as `g[i] - 1`), through `let`s in `defs`.
fn indirect(defs: &HashMap<Value, Expr>, v: Value, depth: usize) -> bool {
    if depth > 16 {
        return false;
    }
    match defs.get(&v) {
        Some(Expr::Load { .. }) => true,
        Some(Expr::Unary(_, x)) => indirect(defs, *x, depth + 1),
        Some(Expr::Binary(_, a, b)) => indirect(defs, *a, depth + 1) || indirect(defs, *b, depth + 1),
        _ => false,
    }
}

/// How many `Accumulate`s into each buffer `stmts` hold, at any depth.
fn count_accumulations(stmts: &[Stmt], out: &mut HashMap<BufferId, usize>) {
    for s in stmts {
        match s {
            Stmt::Accumulate { buf, .. } => *out.entry(*buf).or_insert(0) += 1,
            Stmt::For { body, .. } => count_accumulations(body, out),
            Stmt::If { then, otherwise, .. } => {
                count_accumulations(then, out);
                count_accumulations(otherwise, out);
            }
            Stmt::While { cond_block, body, .. } => {
                count_accumulations(cond_block, out);
                count_accumulations(body, out);
            }
            _ => {}
        }
    }
}

/// Drops the top-level `let`s of `stmts` whose value nothing uses (until
/// none is left): what only removed statements read.
fn drop_unused_lets(stmts: &mut Vec<Stmt>) {
    loop {
        let mut used = Vec::new();
        uses_in(stmts, &mut used);
        let used: HashSet<Value> = used.into_iter().collect();
        let before = stmts.len();
        stmts.retain(|s| !matches!(s, Stmt::Let { dst, expr } if !used.contains(dst) && !matches!(expr, Expr::Target)));
        if stmts.len() == before {
            return;
        }
    }
}

/// What [`Pass::copy_dedup`] has seen so far in one loop body.
struct Dedup {
    /// Expressions computed at the top level, with their values.
    exprs: Vec<(Expr, Value)>,
    /// Values that are the constant 1.0.
    ones: HashSet<Value>,
    /// Conditions of index checks already made.
    checked: HashSet<Value>,
    /// Whether loads may be reused (no statement copied since writes a
    /// buffer that one reads).
    loads: bool,
}

impl Default for Dedup {
    fn default() -> Self {
        Dedup { exprs: Vec::new(), ones: HashSet::new(), checked: HashSet::new(), loads: true }
    }
}

/// Equal expressions (constants compared by bits, so 0.0 and -0.0 differ).
pub(super) fn same_expr(a: &Expr, b: &Expr) -> bool {
    match (a, b) {
        (Expr::F64(x), Expr::F64(y)) => x.to_bits() == y.to_bits(),
        (Expr::Target, _) | (_, Expr::Target) => false,
        _ => a == b,
    }
}

/// Positions in `rest` (the suffix) of the top-level accumulations that can
/// be summed per block and added once at its end: into an element whose
/// index is fixed during the loop (defined outside `body`, or an integer
/// constant, returned to be defined again), of a buffer that nothing in
/// `body` reads, stores to or passes to a call. Only the order of the
/// additions changes. Each one, added to the same element every iteration,
/// would otherwise be a chain of load-add-store through memory, one
/// iteration after the other.
fn deferrable(body: &[Stmt], rest: &[Stmt]) -> Vec<(usize, Option<i64>)> {
    let mut defined = HashSet::new();
    defined_in(body, &mut defined);
    let mut constants = HashMap::new();
    integer_constants(body, &mut constants);
    let mut read = HashSet::new();
    reads_all(body, &mut read);
    stores_all(body, &mut read);
    rest.iter()
        .enumerate()
        .filter_map(|(i, s)| match s {
            Stmt::Accumulate { buf, index, .. } if !read.contains(buf) => match constants.get(index) {
                Some(&c) => Some((i, Some(c))),
                None if !defined.contains(index) => Some((i, None)),
                None => None,
            },
            _ => None,
        })
        .collect()
}

/// Every value `stmts` define, loop variables included.
pub(super) fn defined_in(stmts: &[Stmt], out: &mut HashSet<Value>) {
    for s in stmts {
        match s {
            Stmt::Let { dst, .. } => {
                out.insert(*dst);
            }
            Stmt::Call { dst, partials, .. } => out.extend(dst.iter().chain(partials).copied()),
            Stmt::For { var, body, .. } => {
                out.insert(*var);
                defined_in(body, out);
            }
            Stmt::If { then, otherwise, .. } => {
                defined_in(then, out);
                defined_in(otherwise, out);
            }
            Stmt::While { cond_block, body, .. } => {
                defined_in(cond_block, out);
                defined_in(body, out);
            }
            _ => {}
        }
    }
}

/// Every buffer `stmts` store to (not accumulate into), at any depth.
fn stores_all(stmts: &[Stmt], out: &mut HashSet<BufferId>) {
    for s in stmts {
        match s {
            Stmt::Store { buf, .. } => {
                out.insert(*buf);
            }
            Stmt::For { body, .. } => stores_all(body, out),
            Stmt::If { then, otherwise, .. } => {
                stores_all(then, out);
                stores_all(otherwise, out);
            }
            Stmt::While { cond_block, body, .. } => {
                stores_all(cond_block, out);
                stores_all(body, out);
            }
            _ => {}
        }
    }
}

/// Every buffer `stmts` load or pass to a call, at any depth.
fn reads_all(stmts: &[Stmt], out: &mut HashSet<BufferId>) {
    for s in stmts {
        match s {
            Stmt::Let { expr: Expr::Load { buf, .. }, .. } => {
                out.insert(*buf);
            }
            Stmt::Call { args, .. } => out.extend(args.iter().filter_map(|a| match a {
                CallArg::Buffer { buf, .. } => Some(*buf),
                _ => None,
            })),
            Stmt::For { body, .. } => reads_all(body, out),
            Stmt::If { then, otherwise, .. } => {
                reads_all(then, out);
                reads_all(otherwise, out);
            }
            Stmt::While { cond_block, body, .. } => {
                reads_all(cond_block, out);
                reads_all(body, out);
            }
            _ => {}
        }
    }
}

/// The prefix statements that define a value in `keep` (which grows by
/// their operands), in order; with `checks`, every `if` (the index checks)
/// too, with what it reads.
fn needed_prefix(prefix: &[Stmt], keep: &mut HashSet<Value>, checks: bool) -> Vec<Stmt> {
    let mut taken = vec![false; prefix.len()];
    for (i, s) in prefix.iter().enumerate().rev() {
        let take = match s {
            Stmt::Let { dst, .. } => keep.contains(dst),
            Stmt::Call { dst, partials, .. } => dst.iter().chain(partials).any(|v| keep.contains(v)),
            _ => checks,
        };
        if take {
            taken[i] = true;
            let mut used = Vec::new();
            uses_in(std::slice::from_ref(s), &mut used);
            keep.extend(used);
        }
    }
    prefix.iter().zip(taken).filter(|(_, t)| *t).map(|(s, _)| s.clone()).collect()
}

/// `body` with its pure statements ([`pure_or_check`]) that follow stores
/// and accumulations moved ahead of them, or `None` when none moves. A
/// statement moves only while it loads no buffer the statements it passes
/// write; the first statement of another kind (or a load that cannot
/// move) ends the moves. So every value keeps its definition, and the
/// stores write what they did; only a check may now reject before a store
/// that it followed, which leaves nothing visible (a rejection discards
/// the evaluation).
fn pure_first(body: &[Stmt]) -> Option<Vec<Stmt>> {
    let mut moved = Vec::new();
    let mut passed = Vec::new();
    let mut written = HashSet::new();
    let mut end = body.len();
    for (i, s) in body.iter().enumerate() {
        match s {
            Stmt::Store { buf, .. } | Stmt::Accumulate { buf, .. } => {
                written.insert(*buf);
                passed.push(s.clone());
            }
            _ if pure_or_check(s) => {
                let mut loaded = HashSet::new();
                loads_in(std::slice::from_ref(s), &mut loaded);
                if !loaded.is_disjoint(&written) {
                    end = i;
                    break;
                }
                if !passed.is_empty() {
                    moved.push(i);
                }
            }
            _ => {
                end = i;
                break;
            }
        }
    }
    if moved.is_empty() {
        return None;
    }
    let pure: Vec<Stmt> = body[..end].iter().filter(|s| !matches!(s, Stmt::Store { .. } | Stmt::Accumulate { .. })).cloned().collect();
    Some(pure.into_iter().chain(passed).chain(body[end..].iter().cloned()).collect())
}

/// A statement that only defines values or checks: `let` (not of the
/// target), a call on values alone, or an `if` of such ending in `reject`.
fn pure_or_check(s: &Stmt) -> bool {
    match s {
        Stmt::Let { expr, .. } => !matches!(expr, Expr::Target),
        Stmt::Call { args, .. } => args.iter().all(|a| matches!(a, CallArg::Value(_))),
        Stmt::If { then, otherwise, .. } => then.iter().chain(otherwise).all(|s| matches!(s, Stmt::Reject(_)) || pure_or_check(s)),
        Stmt::Reject(_) => true,
        _ => false,
    }
}

/// Adds every `let v = i64 c` of `stmts`, at any depth, to `out` (each
/// value is defined once, so one map serves a body and the loops nested in
/// it).
pub(crate) fn integer_constants(stmts: &[Stmt], out: &mut HashMap<Value, i64>) {
    for s in stmts {
        match s {
            Stmt::Let { dst, expr: Expr::I64(x) } => {
                out.insert(*dst, *x);
            }
            Stmt::For { body, .. } => integer_constants(body, out),
            Stmt::If { then, otherwise, .. } => {
                integer_constants(then, out);
                integer_constants(otherwise, out);
            }
            Stmt::While { cond_block, body, .. } => {
                integer_constants(cond_block, out);
                integer_constants(body, out);
            }
            _ => {}
        }
    }
}

/// Whether `stmts` may leave or restart the loop they are in.
fn jumps(stmts: &[Stmt]) -> bool {
    stmts.iter().any(|s| match s {
        Stmt::Break | Stmt::Continue => true,
        Stmt::If { then, otherwise, .. } => jumps(then) || jumps(otherwise),
        _ => false,
    })
}

/// Whether anything reads `target()`.
pub(super) fn reads_target(stmts: &[Stmt]) -> bool {
    stmts.iter().any(|s| match s {
        Stmt::Let { expr: Expr::Target, .. } => true,
        Stmt::For { body, .. } => reads_target(body),
        Stmt::If { then, otherwise, .. } => reads_target(then) || reads_target(otherwise),
        Stmt::While { cond_block, body, .. } => reads_target(cond_block) || reads_target(body),
        _ => false,
    })
}

/// Every value `stmts` use (with repeats).
pub(super) fn uses_in(stmts: &[Stmt], out: &mut Vec<Value>) {
    for s in stmts {
        match s {
            Stmt::Let { expr, .. } => {
                map_expr(expr, |v| {
                    out.push(v);
                    v
                });
            }
            Stmt::Call { args, .. } => out.extend(args.iter().filter_map(|a| match a {
                CallArg::Value(v) | CallArg::Buffer { offset: v, .. } => Some(*v),
                CallArg::Rng => None,
            })),
            Stmt::Store { index, value, .. } | Stmt::Accumulate { index, value, .. } => out.extend([*index, *value]),
            Stmt::AddTarget(v) => out.push(*v),
            Stmt::For { start, end, body, .. } => {
                out.extend([*start, *end]);
                uses_in(body, out);
            }
            Stmt::If { cond, then, otherwise } => {
                out.push(*cond);
                uses_in(then, out);
                uses_in(otherwise, out);
            }
            Stmt::While { cond_block, cond, body } => {
                uses_in(cond_block, out);
                out.push(*cond);
                uses_in(body, out);
            }
            Stmt::Reject(parts) | Stmt::Print(parts) => out.extend(parts.iter().filter_map(|p| match p {
                MessagePart::Value(v) => Some(*v),
                _ => None,
            })),
            Stmt::TapeSave { slot, value, .. } => out.extend([*slot, *value]),
            Stmt::TapeLoad { slot, .. } => out.push(*slot),
            Stmt::Break | Stmt::Continue | Stmt::RunChunks { .. } => {}
        }
    }
}

/// Buffers loaded anywhere in `stmts`.
fn loads_in(stmts: &[Stmt], out: &mut HashSet<BufferId>) {
    for s in stmts {
        match s {
            Stmt::Let { expr: Expr::Load { buf, .. }, .. } => {
                out.insert(*buf);
            }
            Stmt::If { then, otherwise, .. } => {
                loads_in(then, out);
                loads_in(otherwise, out);
            }
            _ => {}
        }
    }
}

/// Buffers `stmts` may write: stores, accumulations, and every buffer
/// passed to a call.
pub(super) fn writes_in(stmts: &[Stmt], out: &mut HashSet<BufferId>) {
    for s in stmts {
        match s {
            Stmt::Store { buf, .. } | Stmt::Accumulate { buf, .. } => {
                out.insert(*buf);
            }
            Stmt::Call { args, .. } => out.extend(args.iter().filter_map(|a| match a {
                CallArg::Buffer { buf, .. } => Some(*buf),
                _ => None,
            })),
            Stmt::For { body, .. } => writes_in(body, out),
            Stmt::If { then, otherwise, .. } => {
                writes_in(then, out);
                writes_in(otherwise, out);
            }
            Stmt::While { cond_block, body, .. } => {
                writes_in(cond_block, out);
                writes_in(body, out);
            }
            _ => {}
        }
    }
}

pub(super) fn map_expr(e: &Expr, mut f: impl FnMut(Value) -> Value) -> Expr {
    match e {
        Expr::F64(x) => Expr::F64(*x),
        Expr::I64(x) => Expr::I64(*x),
        Expr::Load { buf, index } => Expr::Load { buf: *buf, index: f(*index) },
        Expr::Unary(op, x) => Expr::Unary(*op, f(*x)),
        Expr::Binary(op, a, b) => Expr::Binary(*op, f(*a), f(*b)),
        Expr::Cmp(op, a, b) => Expr::Cmp(*op, f(*a), f(*b)),
        Expr::Select { cond, then, otherwise } => Expr::Select { cond: f(*cond), then: f(*then), otherwise: f(*otherwise) },
        Expr::Target => Expr::Target,
        Expr::ChunkIndex => Expr::ChunkIndex,
    }
}

fn map_parts(parts: &[MessagePart], f: impl Fn(Value) -> Value) -> Vec<MessagePart> {
    parts
        .iter()
        .map(|p| match p {
            MessagePart::Value(v) => MessagePart::Value(f(*v)),
            other => other.clone(),
        })
        .collect()
}

/// The defining expression of every value of a block and its nested
/// blocks (the IR is in SSA form: one definition per value).
pub(crate) fn definitions(stmts: &[Stmt]) -> HashMap<Value, Expr> {
    fn walk(stmts: &[Stmt], out: &mut HashMap<Value, Expr>) {
        for s in stmts {
            match s {
                Stmt::Let { dst, expr } => {
                    out.insert(*dst, expr.clone());
                }
                Stmt::For { body, .. } => walk(body, out),
                Stmt::If { then, otherwise, .. } => {
                    walk(then, out);
                    walk(otherwise, out);
                }
                Stmt::While { cond_block, body, .. } => {
                    walk(cond_block, out);
                    walk(body, out);
                }
                _ => {}
            }
        }
    }
    let mut out = HashMap::new();
    walk(stmts, &mut out);
    out
}
