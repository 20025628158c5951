//! IR pass: what the log density computes from the data alone, computed
//! once when the data are bound.
//!
//! A loop over observations often takes a costly function of the data in
//! every iteration of every gradient: the `lgamma(n + 1)` of a count
//! density, the `log(y)` of a lognormal or gamma density kept in full
//! (hbmc samples with every constant: docs/language.md), a covariate
//! transformed in the model block (`log(x[n])`). `ir::licm` cannot move
//! them (they vary with the loop), and `ir::tabulate` only builds tables
//! of what varies with a small inner loop. This pass computes each into a
//! `Data` table with one element per iteration, filled by a copy of the
//! loop appended to the `TransformedData` function (which runs once per
//! binding of the data, in both engines); the loop loads the table
//! instead. The gradient never sees them: a `Data` load has no adjoint.
//!
//! What goes into a table: a statement at the top level of a loop of the
//! `LogDensity` function that pays to move (a library call, a division or
//! a square root, as `ir::licm` judges it, and what is computed from
//! them) and that is computed from the loop's variable and constants
//! alone, through pure arithmetic (integer division excepted), the
//! stdlib's pure scalar functions (no partials) and loads of `Data` and
//! `IntData` buffers at indices affine in the loop's variable and inside
//! the buffer over the whole range (so the copy, which runs every
//! iteration whether or not the log density would, reads nothing out of
//! bounds). The log density never writes those arenas, and the copy runs
//! after every statement of the transformed data, so it reads the values
//! the log density would. The loop's bounds must be known when the model
//! is compiled (constants or integer data), with at most
//! [`MAX_DATA_TABLE`] iterations.
//!
//! A value may also read the variables of enclosing loops whose bounds are
//! known too (no `while` between): the `lchoose(n, k[i])` of a binomial
//! summed over a range of counts `n` (a discrete count marginalised out, as
//! posteriordb's `Survey` or an N-mixture model), inside a branch of the
//! outer loop or not. Its table has one element per iteration of the loops
//! it reads (the outer ones first), filled by the same loop nest, and the
//! inner loop loads it at the combined index; such values are never summed
//! ahead of the loop (their sum depends on the outer iteration). Loads may
//! then be affine in any of those loop variables, inside their buffers over
//! the whole box of iterations.
//!
//! A value in a branch of an `if` at the top level of the loop counts too
//! (posteriordb's `leuk_model`: `poisson_lpmf(dN[i, j] | ...)` under `if
//! (Y[i, j] != 0)`, whose `lgamma(dN[i, j] + 1)` is data-only; `Mh_model`'s
//! `lchoose(T, y[i])` under `if (y[i] > 0)`): the fill computes it for every
//! iteration whatever the condition (it reads data inside their buffers and
//! pure functions, so computing it where the condition fails is harmless),
//! and the branch loads it, so the condition, which may read parameters,
//! still decides whether it is added. Such a value is never summed ahead of
//! the loop. What the branch keeps stays in it, in its order.

use super::batch::{definitions, uses_in};
use super::chunks::collect_constants;
use super::tabulate::{copy_definition, costly_values_read_elsewhere, defines, drop_unused, slice_of, KnownInts};
use super::{Arena, BinaryOp, BufferId, CallArg, Expr, Function, FunctionKind, Module, ScalarType, Stmt, Value};
use super::licm::pure_symbols;
use std::collections::{HashMap, HashSet};

/// The most elements of one table (a loop's trip count): 8 MiB of `f64`.
pub const MAX_DATA_TABLE: i64 = 1 << 20;

/// Computes the data-only values of the `LogDensity` function's loops into
/// tables filled at the end of the transformed data (see the module docs),
/// reading integer data from `int_data_init` (the `IntData` arena before
/// transformed data run). Returns how many tables it made.
pub fn tabulate_data_terms(module: &mut Module, int_data_init: &[i64]) -> usize {
    let (Some(ld), Some(td)) = (
        module.functions.iter().position(|f| f.kind == FunctionKind::LogDensity),
        module.functions.iter().position(|f| f.kind == FunctionKind::TransformedData),
    ) else {
        return 0;
    };
    let mut computed_later = HashSet::new();
    super::batch::writes_in(&module.functions[td].body, &mut computed_later);
    let mut func = std::mem::replace(&mut module.functions[ld], Function::new(FunctionKind::LogDensity));
    let mut fill = std::mem::replace(&mut module.functions[td], Function::new(FunctionKind::TransformedData));
    let body = std::mem::take(&mut func.body);
    let lets = definitions(&body);
    let mut constants = HashMap::new();
    collect_constants(&body, &mut constants);
    let mut pass = Pass { module, func: &mut func, fill: &mut fill, lets, constants, int_data: int_data_init, computed_later: &computed_later, tables: 0, enclosing: Vec::new() };
    let body = pass.block(body);
    let tables = pass.tables;
    func.body = body;
    module.functions[ld] = func;
    module.functions[td] = fill;
    tables
}

struct Pass<'a> {
    module: &'a mut Module,
    /// The log density being rewritten.
    func: &'a mut Function,
    /// The transformed data function the tables are filled at the end of.
    fill: &'a mut Function,
    /// The expression of every `let` of the log density.
    lets: HashMap<Value, Expr>,
    /// Every constant of the log density, by value.
    constants: HashMap<Value, Expr>,
    int_data: &'a [i64],
    computed_later: &'a HashSet<BufferId>,
    tables: usize,
    /// The loops around the statements being rewritten, outermost first:
    /// each loop's variable and bounds when they are known when the model is
    /// compiled, `None` for a loop whose bounds are not (or a `while`),
    /// which hides the loops outside it.
    enclosing: Vec<Option<(Value, i64, i64)>>,
}

impl Pass<'_> {
    fn known(&self) -> KnownInts<'_> {
        KnownInts { lets: &self.lets, buffers: &self.module.buffers, int_data: self.int_data, computed_later: self.computed_later }
    }

    /// `stmts` with the data-only values of each loop in it (innermost
    /// first) loaded from tables.
    fn block(&mut self, stmts: Vec<Stmt>) -> Vec<Stmt> {
        let mut out = Vec::with_capacity(stmts.len());
        for s in stmts {
            match s {
                Stmt::For { var, start, end, body } => {
                    let bounds = self.known().int_const(start, 0).zip(self.known().int_const(end, 0));
                    let bounds = bounds.filter(|(lo, hi)| (1..=MAX_DATA_TABLE).contains(&(hi - lo)));
                    self.enclosing.push(bounds.map(|(lo, hi)| (var, lo, hi)));
                    let mut body = self.block(body);
                    self.enclosing.pop();
                    if let Some((lo, hi)) = bounds {
                        self.tabulate(var, lo, hi, &mut body, &mut out);
                    }
                    out.push(Stmt::For { var, start, end, body });
                }
                Stmt::While { cond_block, cond, body } => {
                    self.enclosing.push(None);
                    let (cond_block, body) = (self.block(cond_block), self.block(body));
                    self.enclosing.pop();
                    out.push(Stmt::While { cond_block, cond, body })
                }
                Stmt::If { cond, then, otherwise } => out.push(Stmt::If { cond, then: self.block(then), otherwise: self.block(otherwise) }),
                s => out.push(s),
            }
        }
        out
    }

    /// Moves the data-only values of the loop `var in lo..hi` (body `body`)
    /// into tables filled at the end of the transformed data. A value the
    /// loop only adds to the target is summed there instead, and its sum
    /// added once, by a statement appended to `before` (which the loop
    /// follows). Then, if enclosing loops have known bounds, the values that
    /// also read their variables go into tables over those loops too.
    fn tabulate(&mut self, var: Value, lo: i64, hi: i64, body: &mut Vec<Stmt>, before: &mut Vec<Stmt>) {
        self.tabulate_over(&[], (var, lo, hi), body, before);
        // The enclosing loops up to the first whose bounds are unknown.
        let mut outer: Vec<(Value, i64, i64)> = self.enclosing.iter().rev().map_while(|l| *l).collect();
        if outer.is_empty() {
            return;
        }
        outer.reverse();
        self.tabulate_over(&outer, (var, lo, hi), body, before);
    }

    /// [`Pass::tabulate`] for the values of `body` (the loop `inner`'s)
    /// computed from the variables of `inner` and of the enclosing loops
    /// `outer` (outermost first), data and constants alone. With no outer
    /// loop, a value only added to the target is summed ahead of the loop
    /// (into `before`); otherwise every value goes into a table over the
    /// outer loops its computation reads and `inner`, at most
    /// [`MAX_DATA_TABLE`] elements.
    fn tabulate_over(&mut self, outer: &[(Value, i64, i64)], inner: (Value, i64, i64), whole: &mut Vec<Stmt>, before: &mut Vec<Stmt>) {
        let loops: Vec<(Value, i64, i64)> = outer.iter().copied().chain([inner]).collect();
        // The data-only statements of the branches of the loop's `if`s are
        // considered as if computed before the `if` (they read in-bounds
        // data and pure functions, so computing them whatever the
        // condition is harmless); whatever of them is not tabulated goes
        // back into its branch at the end. `whole` is left as it is unless
        // a table is made.
        let (mut flat, hoisted) = self.hoist_from_branches(whole, &loops);
        let body = &mut flat;
        let mut from_data: HashSet<Value> = HashSet::new();
        let mut member = vec![false; body.len()];
        for (j, s) in body.iter().enumerate() {
            if self.data_only(s, &loops, &from_data) {
                member[j] = true;
                from_data.extend(defines(s));
            }
        }
        let tabulated = costly_values_read_elsewhere(body, &member);
        if tabulated.is_empty() {
            return;
        }
        let slice = slice_of(body, &member, &tabulated, |_| true);
        // The enclosing loops the slice reads, which the tables span.
        let mut read = Vec::new();
        for (s, _) in body.iter().zip(&slice).filter(|(_, &in_slice)| in_slice) {
            uses_in(std::slice::from_ref(s), &mut read);
        }
        let spanned: Vec<(Value, i64, i64)> = outer.iter().copied().filter(|(v, _, _)| read.contains(v)).collect();
        if !outer.is_empty() && spanned.is_empty() {
            // The single loop's round already took these.
            return;
        }
        let dims: Vec<(Value, i64, i64)> = spanned.iter().copied().chain([inner]).collect();
        let size = dims.iter().try_fold(1i64, |n, (_, lo, hi)| n.checked_mul(hi - lo));
        let Some(size) = size.filter(|&n| n <= MAX_DATA_TABLE) else { return };

        // The fill, at the end of the transformed data: the loops of `dims`,
        // nested in order, each over its own copy of the variable.
        let mut renamed: HashMap<Value, Value> = HashMap::new();
        let mut nest = Vec::with_capacity(dims.len());
        for &(v, lo, hi) in &dims {
            let lo_f = self.fill_let(Expr::I64(lo), ScalarType::I64);
            let hi_f = self.fill_let(Expr::I64(hi), ScalarType::I64);
            let v_f = self.fill.new_value(ScalarType::I64);
            renamed.insert(v, v_f);
            nest.push((v_f, lo_f, hi_f));
        }
        let mut copies = self.copy_slice(body, &slice, &mut renamed);
        let at_f = {
            let fill = &mut *self.fill;
            flat_index(&spanned, inner, |v| renamed[&v], |expr, ty| {
                let v = fill.new_value(ty);
                copies.push(Stmt::Let { dst: v, expr });
                v
            })
        };
        let mut tables = HashMap::new();
        let summed = if dims.len() == 1 { only_added_to_target(body, &tabulated) } else { HashSet::new() };
        for &v in &tabulated {
            // The slice holds every tabulated value's definition.
            let value = renamed[&v];
            if summed.contains(&v) {
                let sum = self.module.add_buffer(format!("data_sum#{}", self.module.buffers.len()), Arena::Data, 1);
                let zero_f = self.fill_let(Expr::I64(0), ScalarType::I64);
                let zero = self.fill_let(Expr::F64(0.0), ScalarType::F64);
                self.fill.body.push(Stmt::Store { buf: sum, index: zero_f, value: zero });
                copies.push(Stmt::Accumulate { buf: sum, index: zero_f, value });
                let zero_in = self.func.new_value(ScalarType::I64);
                let total = self.func.new_value(ScalarType::F64);
                before.push(Stmt::Let { dst: zero_in, expr: Expr::I64(0) });
                before.push(Stmt::Let { dst: total, expr: Expr::Load { buf: sum, index: zero_in } });
                before.push(Stmt::AddTarget(total));
            } else {
                let ty = self.func.type_of(v);
                let arena = if ty == ScalarType::F64 { Arena::Data } else { Arena::IntData };
                let buf = self.module.add_buffer(format!("data_table#{}", self.module.buffers.len()), arena, size as usize);
                copies.push(Stmt::Store { buf, index: at_f, value });
                tables.insert(v, buf);
            }
            self.tables += 1;
        }
        let mut fill_loop = copies;
        for &(v_f, lo_f, hi_f) in nest.iter().rev() {
            fill_loop = vec![Stmt::For { var: v_f, start: lo_f, end: hi_f, body: fill_loop }];
        }
        self.fill.body.extend(fill_loop);
        if !summed.is_empty() {
            body.retain(|s| !matches!(s, Stmt::AddTarget(v) if summed.contains(v)));
        }

        // The loop loads the tables, and drops what only they needed.
        let mut rewritten = Vec::new();
        let at_in = {
            let func = &mut *self.func;
            flat_index(&spanned, inner, |v| v, |expr, ty| {
                let v = func.new_value(ty);
                rewritten.push(Stmt::Let { dst: v, expr });
                v
            })
        };
        for s in std::mem::take(body) {
            match defines(&s).first().and_then(|d| tables.get(d).map(|b| (*d, *b))) {
                Some((v, buf)) => rewritten.push(Stmt::Let { dst: v, expr: Expr::Load { buf, index: at_in } }),
                None => rewritten.push(s),
            }
        }
        *whole = restore_to_branches(drop_unused(rewritten, &from_data), &hoisted);
    }

    /// `body` (a loop's, whose loops are `loops`) with the data-only
    /// statements of the branches of its top-level `if`s (and the
    /// constants of those branches they read) moved just before the `if`,
    /// in order; the values so moved; and the branches of each top-level
    /// `if` as they were, in order, for [`restore_to_branches`].
    fn hoist_from_branches(&self, body: &[Stmt], loops: &[(Value, i64, i64)]) -> (Vec<Stmt>, Hoisted) {
        let mut from_data: HashSet<Value> = HashSet::new();
        let mut hoisted = Hoisted { values: HashSet::new(), branches: Vec::new() };
        let mut out = Vec::with_capacity(body.len());
        for s in body {
            let Stmt::If { cond, then, otherwise } = s else {
                if self.data_only(s, loops, &from_data) {
                    from_data.extend(defines(s));
                }
                out.push(s.clone());
                continue;
            };
            let mut kept = [Vec::new(), Vec::new()];
            for (k, branch) in [then, otherwise].into_iter().enumerate() {
                let mut moved = vec![false; branch.len()];
                let mut constant_at: HashMap<Value, usize> = HashMap::new();
                for (i, t) in branch.iter().enumerate() {
                    if let Stmt::Let { dst, expr: Expr::F64(_) | Expr::I64(_) } = t {
                        constant_at.insert(*dst, i);
                    } else if self.data_only(t, loops, &from_data) {
                        moved[i] = true;
                        from_data.extend(defines(t));
                        let mut operands = Vec::new();
                        uses_in(std::slice::from_ref(t), &mut operands);
                        for v in operands {
                            if let Some(&j) = constant_at.get(&v) {
                                moved[j] = true;
                            }
                        }
                    }
                }
                for (t, &m) in branch.iter().zip(&moved) {
                    if m {
                        hoisted.values.extend(defines(t));
                        out.push(t.clone());
                    } else {
                        kept[k].push(t.clone());
                    }
                }
            }
            hoisted.branches.push([then.clone(), otherwise.clone()]);
            let [then, otherwise] = kept;
            out.push(Stmt::If { cond: *cond, then, otherwise });
        }
        (out, hoisted)
    }

    /// Whether `s` (at the top level of the last loop of `loops`) computes
    /// its values from the loops' variables, the values of `from_data` and
    /// constants alone, reading only data inside their buffers over every
    /// iteration of the loops.
    fn data_only(&self, s: &Stmt, loops: &[(Value, i64, i64)], from_data: &HashSet<Value>) -> bool {
        let ok = |v: &Value| loops.iter().any(|(var, _, _)| var == v) || from_data.contains(v) || self.constants.contains_key(v);
        match s {
            Stmt::Let { expr, .. } => match expr {
                Expr::F64(_) | Expr::I64(_) | Expr::Target | Expr::ChunkIndex => false,
                Expr::Unary(_, x) => ok(x),
                // Integer division traps on zero, which the copy must not reach.
                Expr::Binary(BinaryOp::Div | BinaryOp::Rem, a, b) => ok(a) && ok(b) && self.func.type_of(*a) == ScalarType::F64,
                Expr::Binary(_, a, b) | Expr::Cmp(_, a, b) => ok(a) && ok(b),
                Expr::Select { cond, then, otherwise } => ok(cond) && ok(then) && ok(otherwise),
                Expr::Load { buf, index } => {
                    let buffer = self.module.buffer(*buf);
                    let len = buffer.len as i64;
                    let vars: Vec<Value> = loops.iter().map(|(v, _, _)| *v).collect();
                    // The index's least and greatest values over the box of iterations.
                    let range = self.known().affine_in(*index, &vars, 0).and_then(|(a, b)| {
                        loops.iter().zip(&a).try_fold((b, b), |(first, last), ((_, lo, hi), &k)| {
                            let (x, y) = (k.checked_mul(*lo)?, k.checked_mul(hi - 1)?);
                            Some((first.checked_add(x.min(y))?, last.checked_add(x.max(y))?))
                        })
                    });
                    let in_range = range.is_some_and(|(first, last)| (0..len).contains(&first) && (0..len).contains(&last));
                    matches!(buffer.arena, Arena::Data | Arena::IntData) && ok(index) && in_range
                }
            },
            Stmt::Call { dst: Some(_), partials, func, args } => {
                partials.is_empty()
                    && pure_symbols().contains(func.symbol.as_str())
                    && args.iter().all(|a| matches!(a, CallArg::Value(v) if ok(v)))
            }
            _ => false,
        }
    }

    /// Copies into the fill function the statements of `stmts` marked in
    /// `slice`, reading the copies of what they read (`renamed`, which
    /// gains their values); a constant they read is copied too.
    fn copy_slice(&mut self, stmts: &[Stmt], slice: &[bool], renamed: &mut HashMap<Value, Value>) -> Vec<Stmt> {
        let mut copies = Vec::new();
        for (s, _) in stmts.iter().zip(slice).filter(|(_, &in_slice)| in_slice) {
            // Slices hold only lets and calls with a result.
            let Some(&old) = defines(s).first() else { continue };
            let mut operands = Vec::new();
            uses_in(std::slice::from_ref(s), &mut operands);
            for v in operands {
                if renamed.contains_key(&v) {
                    continue;
                }
                // Members read only the loop variable (renamed), members
                // (renamed before they are read: the slice is in order) and
                // constants, so `v` is a constant.
                let copy = self.fill.new_value(self.func.type_of(v));
                copies.push(Stmt::Let { dst: copy, expr: self.constants[&v].clone() });
                renamed.insert(v, copy);
            }
            let dst = self.fill.new_value(self.func.type_of(old));
            if let Some(copy) = copy_definition(s, dst, |v| renamed.get(&v).copied().unwrap_or(v)) {
                renamed.insert(old, dst);
                copies.push(copy);
            }
        }
        copies
    }

    /// Appends `let v = expr` to the fill function; returns `v`.
    fn fill_let(&mut self, expr: Expr, ty: ScalarType) -> Value {
        let v = self.fill.new_value(ty);
        self.fill.body.push(Stmt::Let { dst: v, expr });
        v
    }
}

/// `stmts` with the statements defining a value of `hoisted` (moved out of
/// the branches of the `if` they precede by `Pass::hoist_from_branches`,
/// then loaded from a table or kept) put back at the start of the branch
/// they came from, in order.
fn restore_to_branches(stmts: Vec<Stmt>, hoisted: &Hoisted) -> Vec<Stmt> {
    if hoisted.values.is_empty() {
        return stmts;
    }
    let mut out = Vec::with_capacity(stmts.len());
    // The moved statements (or the table loads replacing them) not yet put back.
    let mut pending: HashMap<Value, Stmt> = HashMap::new();
    let mut ifs = hoisted.branches.iter();
    for s in stmts {
        if let Some(&v) = defines(&s).first().filter(|v| hoisted.values.contains(v)) {
            pending.insert(v, s);
            continue;
        }
        let Stmt::If { cond, then, otherwise } = s else {
            out.push(s);
            continue;
        };
        // The rewrite keeps every top-level `if`, in order, and leaves
        // their branches as they were.
        let Some([then_was, otherwise_was]) = ifs.next() else {
            out.push(Stmt::If { cond, then, otherwise });
            continue;
        };
        let mut merge = |was: &[Stmt], kept: Vec<Stmt>| -> Vec<Stmt> {
            let mut kept = kept.into_iter();
            let mut merged = Vec::with_capacity(was.len());
            for t in was {
                match defines(t).first().filter(|v| hoisted.values.contains(v)) {
                    // Dropped when nothing reads it any more.
                    Some(v) => merged.extend(pending.remove(v)),
                    None => merged.extend(kept.next()),
                }
            }
            merged
        };
        let then = merge(then_was, then);
        let otherwise = merge(otherwise_was, otherwise);
        out.push(Stmt::If { cond, then, otherwise });
    }
    // Every moved statement precedes the `if` it came from.
    debug_assert!(pending.is_empty());
    out
}

/// What [`Pass::hoist_from_branches`] moved out of a loop's `if`s.
struct Hoisted {
    /// The values of the statements moved.
    values: HashSet<Value>,
    /// The branches (`then`, `otherwise`) of each top-level `if` as they
    /// were, in order.
    branches: Vec<[Vec<Stmt>; 2]>,
}

/// The element of a table over the loops `outer` (outermost first) and
/// `inner` for the iteration whose variables are `var_of` each loop's
/// variable: `(v - lo)` of each loop times the number of iterations of the
/// loops inside it, summed. `emit` defines a value and returns it.
fn flat_index(
    outer: &[(Value, i64, i64)],
    inner: (Value, i64, i64),
    var_of: impl Fn(Value) -> Value,
    mut emit: impl FnMut(Expr, ScalarType) -> Value,
) -> Value {
    fn offset(v: Value, lo: i64, emit: &mut impl FnMut(Expr, ScalarType) -> Value) -> Value {
        let lo_v = emit(Expr::I64(lo), ScalarType::I64);
        emit(Expr::Binary(BinaryOp::Sub, v, lo_v), ScalarType::I64)
    }
    let mut at = offset(var_of(inner.0), inner.1, &mut emit);
    // The product of the extents is at most MAX_DATA_TABLE (checked
    // before), so no partial product overflows.
    let mut stride = inner.2 - inner.1;
    for &dim in outer.iter().rev() {
        let d = offset(var_of(dim.0), dim.1, &mut emit);
        let k = emit(Expr::I64(stride), ScalarType::I64);
        let scaled = emit(Expr::Binary(BinaryOp::Mul, d, k), ScalarType::I64);
        at = emit(Expr::Binary(BinaryOp::Add, at, scaled), ScalarType::I64);
        stride *= dim.2 - dim.1;
    }
    at
}

/// The values of `tabulated` that `body` (a loop's) reads only in one
/// `target +=` at its top level, when nothing in it reads the target or
/// leaves an iteration early: their sum over the loop may be added once,
/// before it. A `reject` may stop the loop half-way, but then the target
/// is not used.
fn only_added_to_target(body: &[Stmt], tabulated: &[Value]) -> HashSet<Value> {
    if reads_target_or_jumps(body) {
        return HashSet::new();
    }
    let mut uses = Vec::new();
    uses_in(body, &mut uses);
    tabulated
        .iter()
        .copied()
        .filter(|v| {
            let adds = body.iter().filter(|s| matches!(s, Stmt::AddTarget(a) if a == v)).count();
            adds == 1 && uses.iter().filter(|u| *u == v).count() == 1
        })
        .collect()
}

/// Whether `stmts` read `target()`, `break` or `continue` (at any depth:
/// a jump in an inner loop would do, conservatively), or run chunks.
fn reads_target_or_jumps(stmts: &[Stmt]) -> bool {
    stmts.iter().any(|s| match s {
        Stmt::Let { expr: Expr::Target, .. } | Stmt::Break | Stmt::Continue | Stmt::RunChunks { .. } => true,
        Stmt::For { body, .. } => reads_target_or_jumps(body),
        Stmt::If { then, otherwise, .. } => reads_target_or_jumps(then) || reads_target_or_jumps(otherwise),
        Stmt::While { cond_block, body, .. } => reads_target_or_jumps(cond_block) || reads_target_or_jumps(body),
        _ => false,
    })
}
