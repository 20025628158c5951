//! IR pass: a loop's sum of logs as the log of one product.
//!
//! A loop that adds a `log` into one fixed element on every iteration, as
//! a log-Jacobian does,
//!
//! ```text
//! for k in a..b {
//!   ...
//!   t = call hbm_log(x)
//!   s = add t, r
//!   work.acc[0] += s            (or `target += s`)
//! }
//! ```
//!
//! calls `log` once per iteration, and each call is on the iteration's
//! chain of dependent work and makes the loop call out (its values spill
//! around the call, its one-element cells stay in memory). Here it keeps
//! the product of the `x` instead and takes one `log` after the loop:
//!
//! ```text
//! P[0] = 1.0; K[0] = 0.0
//! for k in a..b {
//!   ...
//!   q = mul P[0], x
//!   if 2^-400 <= q <= 2^400 { P[0] = q } else { <the same, rescaled> }
//!   work.acc[0] += r
//! }
//! work.acc[0] += K[0] ln 2 + log(P[0])
//! ```
//!
//! `P` stays in [2^-400, 2^400] (or 0, inf, NaN): when a product leaves
//! that range the rare path scales the factor and the product by 2^±600,
//! exactly, and counts the scalings in `K`, so no product underflows or
//! overflows; a negative factor makes `P` NaN, as its `log` would. So
//! `log(P) + K ln 2` is the sum of the logs but for rounding (one rounding
//! per factor in the product, against one per term in the sum: the same
//! order), and the special values come out as the sum's: a zero factor
//! gives -inf, an infinite one +inf, both NaN.
//!
//! The gradient is unchanged: the reverse sweep computes `log`'s partial
//! from `x` itself and never reads the forward sweep's `log`. The pass
//! runs after AD, on the `LogDensity` and `Gradient` functions, which the
//! interpreter and the JIT run alike.
//!
//! Where it applies: the added value is a tree of additions, each read
//! only by the next, defined in the loop's body (not in a nested loop),
//! with `log` calls read only there among its leaves; and the element is
//! one the loop only adds to: every access the loop makes to the buffer,
//! nested loops included, is an addition at the same element (a constant
//! index, or one value from outside the loop). A term added to the target
//! qualifies when the function never reads `target()`. Loops nested in the
//! loop are handled first, so the one `log` after an inner loop joins the
//! product of the loop around it.

use super::batch::{reads_target, uses_in};
use super::{Arena, BinaryOp, BufferId, CallArg, CmpOp, Expr, FuncRef, Function, FunctionKind, Module, ScalarType, Stmt, Value};
use std::collections::{HashMap, HashSet};

/// Bounds of the running product (2^-400 and 2^400), by their bits: a
/// decimal literal of 2^-400 rounds to its neighbour.
const LOW: f64 = f64::from_bits((1023 - 400) << 52);
const HIGH: f64 = f64::from_bits((1023 + 400) << 52);
/// The rare path's scale factors (2^600 and 2^-600) and their exponent.
const UP: f64 = f64::from_bits((1023 + 600) << 52);
const DOWN: f64 = f64::from_bits((1023 - 600) << 52);
const STEP: f64 = 600.0;
/// `ln 2` in two parts, the first with 32 significant bits (so its product
/// with a count of scalings below 2^21 is exact), as fdlibm splits it.
const LN2_HI: f64 = 6.93147180369123816490e-01;
const LN2_LO: f64 = 1.90821492927058770002e-10;

/// Rewrites every eligible loop of the module's `LogDensity` and
/// `Gradient` functions (see the module docs). Returns how many
/// accumulations were rewritten.
pub fn log_products(module: &mut Module) -> usize {
    let mut count = 0;
    module.rewrite_bodies(&[FunctionKind::LogDensity, FunctionKind::Gradient], |module, func, body| {
        let target_ok = !reads_target(&body);
        let mut pass = Pass { module, func, target_ok, count: 0 };
        let body = pass.block(body);
        count += pass.count;
        body
    });
    count
}

struct Pass<'a> {
    module: &'a mut Module,
    func: &'a mut Function,
    target_ok: bool,
    count: usize,
}

/// Where a rewritten term was added: a buffer element or the target.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Sink {
    /// The buffer and how the index names its element.
    Cell(BufferId, Key),
    Target,
}

/// How an index names an element: a constant, or a value from outside the
/// loop.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
enum Key {
    Const(i64),
    Outer(Value),
}

/// A definition in the loop's body (through branches) the sum may be
/// made of.
enum Def {
    Add(Value, Value),
    /// `log(x)` of the argument `x`.
    Log(Value),
    Other,
}

impl Pass<'_> {
    /// Rewrites the loops of a block, innermost first.
    fn block(&mut self, stmts: Vec<Stmt>) -> Vec<Stmt> {
        let mut out = Vec::with_capacity(stmts.len());
        for s in stmts {
            match s {
                Stmt::For { var, start, end, body } => {
                    let body = self.block(body);
                    self.rewrite_loop(var, start, end, body, &mut out);
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
                s => out.push(s),
            }
        }
        out
    }

    fn new_value(&mut self, ty: ScalarType) -> Value {
        self.func.new_value(ty)
    }

    fn constant(&mut self, out: &mut Vec<Stmt>, x: f64) -> Value {
        let v = self.new_value(ScalarType::F64);
        out.push(Stmt::Let { dst: v, expr: Expr::F64(x) });
        v
    }

    fn let_(&mut self, out: &mut Vec<Stmt>, ty: ScalarType, expr: Expr) -> Value {
        let v = self.new_value(ty);
        out.push(Stmt::Let { dst: v, expr });
        v
    }

    /// Pushes the loop onto `out`, rewritten when some of its additions
    /// qualify (with the product's set-up before it and its `log` after).
    fn rewrite_loop(&mut self, var: Value, start: Value, end: Value, mut body: Vec<Stmt>, out: &mut Vec<Stmt>) {
        // The values of the body are read only in the body.
        let mut uses = Vec::new();
        uses_in(&body, &mut uses);
        let mut reads: HashMap<Value, usize> = HashMap::new();
        for v in uses {
            *reads.entry(v).or_default() += 1;
        }
        let mut defs: HashMap<Value, Def> = HashMap::new();
        let mut consts: HashMap<Value, i64> = HashMap::new();
        let mut inside: HashSet<Value> = HashSet::from([var]);
        collect_defs(&body, &mut defs, &mut consts, &mut inside);
        // The constants of nested loops too, for `only_added_at`: made
        // once, where a copy per nested loop and site made hundreds of
        // copies per run-time length cost seconds to compile.
        let mut deep = consts.clone();
        super::batch::integer_constants(&body, &mut deep);
        let mut sites = Vec::new();
        find_sites(&body, &mut Vec::new(), &mut sites);
        // Later sites first, so that rewriting one (which inserts
        // statements before it) leaves the positions of the others valid.
        sites.sort_by(|a, b| b.cmp(a));
        let mut plans: Vec<Plan> = Vec::new();
        for (path, i) in sites {
            let (sink, value) = match at(&body, &path, i) {
                Stmt::Accumulate { buf, index, value } => {
                    if self.module.buffer(*buf).arena != Arena::Work {
                        continue;
                    }
                    let key = match consts.get(index) {
                        Some(&k) => Key::Const(k),
                        None if !inside.contains(index) => Key::Outer(*index),
                        None => continue,
                    };
                    if !only_added_at(&body, *buf, key, &deep) {
                        continue;
                    }
                    (Sink::Cell(*buf, key), *value)
                }
                Stmt::AddTarget(v) if self.target_ok => (Sink::Target, *v),
                _ => continue,
            };
            let mut logs = Vec::new();
            terms(value, &defs, &reads, &mut logs);
            if logs.is_empty() {
                continue;
            }
            plans.push(Plan { path, index: i, sink, value, logs });
        }
        if plans.is_empty() {
            out.push(Stmt::For { var, start, end, body });
            return;
        }
        let log_ref = log_ref_of(&body);
        let mut edit = Edit::default();
        let mut after = Vec::new();
        for plan in plans {
            self.count += 1;
            let n = self.module.buffers.len();
            let p = self.module.add_buffer(format!("log_product#{n}"), Arena::Work, 1);
            let k = self.module.add_buffer(format!("log_product#{n}.scalings"), Arena::Work, 1);
            let zero = self.let_(out, ScalarType::I64, Expr::I64(0));
            let one = self.constant(out, 1.0);
            let fzero = self.constant(out, 0.0);
            out.push(Stmt::Store { buf: p, index: zero, value: one });
            out.push(Stmt::Store { buf: k, index: zero, value: fzero });
            // Each log's argument into the product, the rest of the sum
            // added as before.
            let mut update = Vec::new();
            let zero_in = self.let_(&mut update, ScalarType::I64, Expr::I64(0));
            for &(t, x) in &plan.logs {
                self.multiply_into(&mut update, p, k, zero_in, x);
                edit.dropped.insert(t);
            }
            let rest = strip(plan.value, &edit.dropped.clone(), &defs, &reads, &mut edit);
            let block = block_at(&mut body, &plan.path);
            match (rest, &block[plan.index]) {
                (Some(r), Stmt::Accumulate { buf, index, .. }) => update.push(Stmt::Accumulate { buf: *buf, index: *index, value: r }),
                (Some(r), _) => update.push(Stmt::AddTarget(r)),
                (None, _) => {}
            }
            block.splice(plan.index..=plan.index, update);
            // After the loop: the log of the product, added where the
            // terms were.
            let zero_after = self.let_(&mut after, ScalarType::I64, Expr::I64(0));
            let pv = self.let_(&mut after, ScalarType::F64, Expr::Load { buf: p, index: zero_after });
            let kv = self.let_(&mut after, ScalarType::F64, Expr::Load { buf: k, index: zero_after });
            let lp = self.new_value(ScalarType::F64);
            after.push(Stmt::Call { dst: Some(lp), partials: Vec::new(), func: log_ref.clone(), args: vec![CallArg::Value(pv)] });
            let lo = self.constant(&mut after, LN2_LO);
            let hi = self.constant(&mut after, LN2_HI);
            let klo = self.let_(&mut after, ScalarType::F64, Expr::Binary(BinaryOp::Mul, kv, lo));
            let tail = self.let_(&mut after, ScalarType::F64, Expr::Binary(BinaryOp::Add, klo, lp));
            let khi = self.let_(&mut after, ScalarType::F64, Expr::Binary(BinaryOp::Mul, kv, hi));
            let sum = self.let_(&mut after, ScalarType::F64, Expr::Binary(BinaryOp::Add, khi, tail));
            match plan.sink {
                Sink::Cell(buf, Key::Const(c)) => {
                    let idx = self.let_(&mut after, ScalarType::I64, Expr::I64(c));
                    after.push(Stmt::Accumulate { buf, index: idx, value: sum });
                }
                Sink::Cell(buf, Key::Outer(idx)) => after.push(Stmt::Accumulate { buf, index: idx, value: sum }),
                Sink::Target => after.push(Stmt::AddTarget(sum)),
            }
        }
        apply(&mut body, &edit);
        out.push(Stmt::For { var, start, end, body });
        out.extend(after);
    }

    /// `P *= x` keeping `P` in range, counting the scalings in `K`.
    fn multiply_into(&mut self, out: &mut Vec<Stmt>, p: BufferId, k: BufferId, zero: Value, x: Value) {
        use ScalarType::{F64, I64};
        let pv = self.let_(out, F64, Expr::Load { buf: p, index: zero });
        let q = self.let_(out, F64, Expr::Binary(BinaryOp::Mul, pv, x));
        let low = self.constant(out, LOW);
        let high = self.constant(out, HIGH);
        let above = self.let_(out, I64, Expr::Cmp(CmpOp::Ge, q, low));
        let below = self.let_(out, I64, Expr::Cmp(CmpOp::Le, q, high));
        let ok = self.let_(out, I64, Expr::Binary(BinaryOp::And, above, below));
        // In range: the product is the rounded exact one (no underflow or
        // overflow on the way), P stays in range.
        let then = vec![Stmt::Store { buf: p, index: zero, value: q }];
        // Otherwise: negatives (and NaN) as NaN, the factor scaled into
        // [2^-474, 2^424] and the product back into [2^-400, 2^400].
        let mut rare = Vec::new();
        let r = &mut rare;
        let kv = self.let_(r, F64, Expr::Load { buf: k, index: zero });
        let fzero = self.constant(r, 0.0);
        let nan = self.constant(r, f64::NAN);
        let nonneg = self.let_(r, I64, Expr::Cmp(CmpOp::Ge, x, fzero));
        let xn = self.let_(r, F64, Expr::Select { cond: nonneg, then: x, otherwise: nan });
        let (xs, ex) = self.scale(r, xn, f64::from_bits((1023 - 300) << 52), f64::from_bits((1023 + 300) << 52));
        let q1 = self.let_(r, F64, Expr::Binary(BinaryOp::Mul, pv, xs));
        let (q2, eq) = self.scale(r, q1, LOW, HIGH);
        let k1 = self.let_(r, F64, Expr::Binary(BinaryOp::Add, kv, ex));
        let k2 = self.let_(r, F64, Expr::Binary(BinaryOp::Add, k1, eq));
        r.push(Stmt::Store { buf: p, index: zero, value: q2 });
        r.push(Stmt::Store { buf: k, index: zero, value: k2 });
        out.push(Stmt::If { cond: ok, then, otherwise: rare });
    }

    /// `v` times 2^600 when below `lo`, 2^-600 when above `hi` (exact for
    /// what this pass gives it), and the scaling's count (-600, 600, 0).
    fn scale(&mut self, out: &mut Vec<Stmt>, v: Value, lo: f64, hi: f64) -> (Value, Value) {
        use ScalarType::{F64, I64};
        let lo = self.constant(out, lo);
        let hi = self.constant(out, hi);
        let small = self.let_(out, I64, Expr::Cmp(CmpOp::Lt, v, lo));
        let big = self.let_(out, I64, Expr::Cmp(CmpOp::Gt, v, hi));
        let up = self.constant(out, UP);
        let down = self.constant(out, DOWN);
        let one = self.constant(out, 1.0);
        let minus = self.constant(out, -STEP);
        let plus = self.constant(out, STEP);
        let none = self.constant(out, 0.0);
        let f_big = self.let_(out, F64, Expr::Select { cond: big, then: down, otherwise: one });
        let f = self.let_(out, F64, Expr::Select { cond: small, then: up, otherwise: f_big });
        let e_big = self.let_(out, F64, Expr::Select { cond: big, then: plus, otherwise: none });
        let e = self.let_(out, F64, Expr::Select { cond: small, then: minus, otherwise: e_big });
        let scaled = self.let_(out, F64, Expr::Binary(BinaryOp::Mul, v, f));
        (scaled, e)
    }
}

/// The definitions of the loop body's values (through branches, not in
/// nested loops, whose values are out of scope), its integer constants,
/// and every value it defines at any depth.
fn collect_defs(stmts: &[Stmt], defs: &mut HashMap<Value, Def>, consts: &mut HashMap<Value, i64>, inside: &mut HashSet<Value>) {
    for s in stmts {
        match s {
            Stmt::Let { dst, expr } => {
                inside.insert(*dst);
                match expr {
                    Expr::I64(c) => {
                        consts.insert(*dst, *c);
                        defs.insert(*dst, Def::Other);
                    }
                    Expr::Binary(BinaryOp::Add, a, b) => {
                        defs.insert(*dst, Def::Add(*a, *b));
                    }
                    _ => {
                        defs.insert(*dst, Def::Other);
                    }
                }
            }
            Stmt::Call { dst, partials, func, args } => {
                inside.extend(partials.iter().copied());
                if let Some(d) = dst {
                    inside.insert(*d);
                    let def = match args.as_slice() {
                        [CallArg::Value(x)] if func.symbol == "hbm_log" && partials.is_empty() => Def::Log(*x),
                        _ => Def::Other,
                    };
                    defs.insert(*d, def);
                }
            }
            Stmt::If { then, otherwise, .. } => {
                collect_defs(then, defs, consts, inside);
                collect_defs(otherwise, defs, consts, inside);
            }
            Stmt::For { var, body, .. } => {
                inside.insert(*var);
                defined_in(body, inside);
            }
            Stmt::While { cond_block, body, .. } => {
                defined_in(cond_block, inside);
                defined_in(body, inside);
            }
            Stmt::TapeLoad { dst, .. } => {
                inside.insert(*dst);
            }
            _ => {}
        }
    }
}

/// Every value `stmts` define, at any depth.
fn defined_in(stmts: &[Stmt], out: &mut HashSet<Value>) {
    let mut defs = HashMap::new();
    let mut consts = HashMap::new();
    collect_defs(stmts, &mut defs, &mut consts, out);
}

/// The accumulations and target terms of a loop body, through branches
/// (not in nested loops), as (path of branch positions, index).
fn find_sites(stmts: &[Stmt], path: &mut Vec<usize>, out: &mut Vec<(Vec<usize>, usize)>) {
    for (i, s) in stmts.iter().enumerate() {
        match s {
            Stmt::Accumulate { .. } | Stmt::AddTarget(_) => out.push((path.clone(), i)),
            Stmt::If { then, otherwise, .. } => {
                path.extend([i, 1]);
                find_sites(then, path, out);
                path.truncate(path.len() - 2);
                path.extend([i, 0]);
                find_sites(otherwise, path, out);
                path.truncate(path.len() - 2);
            }
            _ => {}
        }
    }
}

/// The branch a path step names: position, then 1 for `then`, 0 for
/// `otherwise`.
fn branch(s: &Stmt, then_side: usize) -> &Vec<Stmt> {
    match s {
        Stmt::If { then, otherwise, .. } => {
            if then_side == 1 {
                then
            } else {
                otherwise
            }
        }
        _ => unreachable!("a site path goes through branches"),
    }
}

fn at<'s>(stmts: &'s [Stmt], path: &[usize], i: usize) -> &'s Stmt {
    let mut block = stmts;
    for pair in path.chunks(2) {
        block = branch(&block[pair[0]], pair[1]);
    }
    &block[i]
}

fn block_at<'s>(stmts: &'s mut Vec<Stmt>, path: &[usize]) -> &'s mut Vec<Stmt> {
    let mut block = stmts;
    for pair in path.chunks(2) {
        block = match &mut block[pair[0]] {
            Stmt::If { then, otherwise, .. } => {
                if pair[1] == 1 {
                    then
                } else {
                    otherwise
                }
            }
            _ => unreachable!("a site path goes through branches"),
        };
    }
    block
}

/// Whether every access of `stmts` (at any depth) to `buf` adds to the
/// element `key` names (`consts`: the integer constants of `stmts` at
/// any depth, [`super::batch::integer_constants`]).
fn only_added_at(stmts: &[Stmt], buf: BufferId, key: Key, consts: &HashMap<Value, i64>) -> bool {
    stmts.iter().all(|s| match s {
        Stmt::Let { expr: Expr::Load { buf: b, .. }, .. } | Stmt::Store { buf: b, .. } => *b != buf,
        Stmt::Accumulate { buf: b, index, .. } => {
            *b != buf
                || match key {
                    Key::Const(c) => consts.get(index) == Some(&c),
                    Key::Outer(v) => *index == v,
                }
        }
        Stmt::Call { args, .. } => !args.iter().any(|a| matches!(a, CallArg::Buffer { buf: b, .. } if *b == buf)),
        Stmt::For { body, .. } => only_added_at(body, buf, key, consts),
        Stmt::If { then, otherwise, .. } => only_added_at(then, buf, key, consts) && only_added_at(otherwise, buf, key, consts),
        Stmt::While { cond_block, body, .. } => only_added_at(cond_block, buf, key, consts) && only_added_at(body, buf, key, consts),
        Stmt::RunChunks { .. } => false,
        _ => true,
    })
}

/// One accumulation to rewrite.
struct Plan {
    path: Vec<usize>,
    index: usize,
    sink: Sink,
    /// The value it added.
    value: Value,
    /// The `log` calls among the value's terms: each call's value and
    /// argument.
    logs: Vec<(Value, Value)>,
}

/// What [`apply`] changes in the body: the `log` calls to drop, the
/// additions that keep one operand or none (to drop; their reader reads
/// the operand instead), and those that keep both with new operands.
#[derive(Default)]
struct Edit {
    dropped: HashSet<Value>,
    dissolved: HashSet<Value>,
    rewritten: HashMap<Value, (Value, Value)>,
}

/// The `log` leaves of the addition tree under `v` (each value of the
/// tree read once: only by the addition above it), each as the call's
/// value and its argument.
fn terms(v: Value, defs: &HashMap<Value, Def>, reads: &HashMap<Value, usize>, logs: &mut Vec<(Value, Value)>) {
    if reads.get(&v).copied().unwrap_or(0) != 1 {
        return;
    }
    match defs.get(&v) {
        Some(Def::Log(x)) => logs.push((v, *x)),
        Some(Def::Add(a, b)) => {
            terms(*a, defs, reads, logs);
            terms(*b, defs, reads, logs);
        }
        _ => {}
    }
}

/// The sum under `v` without the `dropped` logs (`None` when nothing is
/// left), recording in `edit` what becomes of its additions.
fn strip(v: Value, dropped: &HashSet<Value>, defs: &HashMap<Value, Def>, reads: &HashMap<Value, usize>, edit: &mut Edit) -> Option<Value> {
    if dropped.contains(&v) {
        return None;
    }
    if reads.get(&v).copied().unwrap_or(0) != 1 {
        return Some(v);
    }
    let Some(&Def::Add(a, b)) = defs.get(&v) else { return Some(v) };
    match (strip(a, dropped, defs, reads, edit), strip(b, dropped, defs, reads, edit)) {
        (Some(x), Some(y)) => {
            if (x, y) != (a, b) {
                edit.rewritten.insert(v, (x, y));
            }
            Some(v)
        }
        (Some(x), None) | (None, Some(x)) => {
            edit.dissolved.insert(v);
            Some(x)
        }
        (None, None) => {
            edit.dissolved.insert(v);
            None
        }
    }
}

/// Applies `edit` to a loop body (through branches).
fn apply(stmts: &mut Vec<Stmt>, edit: &Edit) {
    stmts.retain(|s| match s {
        Stmt::Call { dst: Some(d), .. } => !edit.dropped.contains(d),
        Stmt::Let { dst, .. } => !edit.dissolved.contains(dst),
        _ => true,
    });
    for s in stmts.iter_mut() {
        match s {
            Stmt::Let { dst, expr } => {
                if let Some(&(a, b)) = edit.rewritten.get(dst) {
                    *expr = Expr::Binary(BinaryOp::Add, a, b);
                }
            }
            Stmt::If { then, otherwise, .. } => {
                apply(then, edit);
                apply(otherwise, edit);
            }
            _ => {}
        }
    }
}

/// The body's `log` function reference (the one the leaves call).
fn log_ref_of(stmts: &[Stmt]) -> FuncRef {
    fn find(stmts: &[Stmt]) -> Option<FuncRef> {
        stmts.iter().find_map(|s| match s {
            Stmt::Call { func, .. } if func.symbol == "hbm_log" => Some(func.clone()),
            Stmt::If { then, otherwise, .. } => find(then).or_else(|| find(otherwise)),
            _ => None,
        })
    }
    // Called only when a leaf was found, which is such a call.
    find(stmts).expect("a rewritten loop calls log")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bounds_are_the_powers_of_two_the_rescaling_assumes() {
        assert_eq!(LOW, 2f64.powi(-400));
        assert_eq!(HIGH, 2f64.powi(400));
        assert_eq!(UP, 2f64.powi(600));
        assert_eq!(DOWN, 2f64.powi(-600));
        assert_eq!(LN2_HI + LN2_LO, std::f64::consts::LN_2);
        // 32 significant bits: its product with a count below 2^21 is exact.
        assert_eq!(LN2_HI.to_bits() & ((1 << 21) - 1), 0);
    }
}
