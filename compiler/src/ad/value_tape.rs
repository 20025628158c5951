//! Square roots, divisions and exponentials of loop iterations, kept by
//! the forward sweep for the reverse instead of computed again.
//!
//! The reverse sweep recomputes each iteration of a loop before
//! differentiating it ([`super::reverse`]): cheap for loads and
//! arithmetic, but a square root or a division has a latency of 13-20
//! cycles, and a chain of them (a 2x2 Cholesky factor's `1 / sqrt(p11)`,
//! then `1 / sqrt(p22 - r21²)`, per cell of the conditional covariance
//! examples) is waited for again in the recomputation; an `exp` is a
//! library call of some 40 instructions (a GP kernel's, once per cell of
//! the covariance, was a third of its gradient's time, half of it in the
//! reverse), and its derivative is its value. So in a loop nest
//! whose loop variables have ranges once the data are bound, the forward
//! sweep stores, after each such value the reverse needs, the value into
//! slot (iteration, value) of the loop's tape, a `Work` buffer with one
//! slot per combination of the values the enclosing loop variables can
//! take (so no two iterations share one, whatever the nest), and every
//! recomputation of the iteration loads it back instead of recomputing
//! it. Other values are recomputed as before (a load and a store
//! cost more than a multiply-add), as is everything of loops that run
//! only in the reverse sweep (fused loops: the forward sweep never runs
//! them) and of loops whose ranges are unknown or whose tape would have
//! fewer than [`MIN_SLOTS`] slots (calls: [`MIN_CALL_SLOTS`]) or more
//! than [`MAX_LEN`] elements.
//!
//! Library calls too: the reverse took a call's partials by calling its
//! `_grad` form again (value and partials; or its `_d<k>` partial where
//! the value went unused) when it recomputed the iteration, some 30-150
//! instructions a call (a `log` or `log1p` inside) where a load is one.
//! So in the same loops, a call of scalars whose value depends on the
//! parameters and that has a `_grad` form (but `exp`, kept as above, and
//! `log`, whose partial is a division) is made in its `_grad` form by the
//! forward sweep, which stores its value and the partials of its active
//! arguments, each on a tape of its own (one element a slot); the
//! recomputation loads them (the value where the reverse reads it:
//! `log_sum_exp`'s adjoint reads its terms), and the call's reverse
//! multiplies by the loaded partials. Calls in the loop body's branches
//! are kept too (a branch runs at most once an iteration, and the
//! recomputation takes the same arm). What the reverse reads none of
//! goes: `ad::prune` removes a store nothing loads, and an unused load
//! from a call's tape ([`CALL_TAPE_PREFIX`]). The `_grad` forms' values
//! are their plain forms' to the bit (the plain forms are made from them),
//! so the target is the same. js_super's terms (BPA's Jolly-Seber model)
//! took 1.46x fewer instructions per gradient.
//!
//! Nested loops the forward sweep's tapes do not cover (in a fused loop,
//! or in a nest without bounded ranges) are re-run by the reverse sweep's
//! recomputation of the enclosing iteration just before their own
//! reverse, which recomputes each of their iterations again; their calls
//! get tapes of their own, one slot per value of the loop's variable,
//! written by the re-run and read by the reverse
//! (`ValueTapes::find_reruns`).

use super::activity::Active;
use super::affine::IndexFacts;
use super::reciprocals::Reciprocals;
use crate::ir::{Arena, BinaryOp, BufferId, CallArg, Expr, FuncRef, Function, Module, ScalarType, Stmt, UnaryOp, Value};
use crate::lower::SymbolTable;
use std::collections::{HashMap, HashSet};

/// The largest tape, in elements, a loop nest gets (512 KiB): past it the
/// reverse recomputes, as without tapes.
pub const MAX_LEN: usize = 1 << 16;

/// The fewest slots (iterations of the nest) a tape is made for. Below,
/// the few divisions it saves per gradient are less than what a perturbed
/// register allocation elsewhere in the function can cost: a 4-slot tape
/// of electric_covariance's per-grade `1 / sigma_y` gave 290 more
/// instructions per gradient (three more in a 96-iteration loop).
pub const MIN_SLOTS: i64 = 16;

/// The fewest slots a loop's call tapes are made for: a library call the
/// reverse makes again costs some 30-150 instructions (a `tanh`, an
/// `exp` and a `log1p`) where its load is one, more than a perturbed
/// register allocation; an LKJ Cholesky factor's transform has one
/// `tanh` per correlation, 6 of them for a 4 x 4 factor.
pub const MIN_CALL_SLOTS: i64 = 1;

/// What the choice of values to keep reads.
struct Context<'a> {
    forward: &'a Function,
    active: &'a Active,
    facts: &'a IndexFacts,
    reciprocals: &'a Reciprocals,
    /// Values some statement of the pruned forward function reads.
    live: &'a HashSet<Value>,
    /// The stdlib's symbols, for the calls' `_grad` forms.
    symbols: &'a SymbolTable,
}

/// The tape of one loop.
struct LoopTape {
    buf: BufferId,
    /// The loop variables of the nest down to this loop (forward names),
    /// each with the element stride of a step of it.
    strides: Vec<(Value, i64)>,
    /// The element of the tape where iteration (all variables at the
    /// lowest value of their range) starts, negated: the element of value
    /// `pos` is `Σ var × stride + pos - base`.
    base: i64,
}

/// A library call of a loop iteration whose value and partials the
/// forward sweep keeps, each on a tape of its own (one element a slot):
/// what the reverse reads none of is then a store `ad::prune` removes.
struct TapedCall {
    /// Its `_grad` form, which the forward sweep calls instead.
    grad: FuncRef,
    /// The tape of its value.
    value: usize,
    /// The tape of each real argument's partial; `None` for an argument
    /// that depends on no parameter (its partial is never read).
    partials: Vec<Option<usize>>,
}

/// The taped values of a function: see the module comment.
#[derive(Default)]
pub(super) struct ValueTapes {
    tapes: Vec<LoopTape>,
    /// Taped value (forward name) -> (its loop's tape, position in a slot).
    at: HashMap<Value, (usize, usize)>,
    /// Taped calls, by their value (forward name).
    calls: HashMap<Value, TapedCall>,
    /// Calls of nested loops that the reverse sweep re-runs just before
    /// their reverse, by value (forward name), each with its loop's
    /// variable: see [`Self::find_reruns`].
    rerun_calls: HashMap<Value, (Value, TapedCall)>,
    /// The loops (forward variables) of `rerun_calls`.
    rerun_loops: HashSet<Value>,
}

/// The name every call tape's buffer starts with: [`super::prune`] may
/// remove an unused load from one (its index is in bounds by
/// construction, so no check of the reference interpreter is lost).
pub(super) const CALL_TAPE_PREFIX: &str = "tape.calls.";

impl ValueTapes {
    /// Finds the loops of `forward`'s top-level statements for which
    /// `in_forward` says the forward sweep runs them, and makes their
    /// tapes in `module`.
    pub fn find(
        module: &mut Module,
        forward: &Function,
        active: &Active,
        facts: &IndexFacts,
        reciprocals: &Reciprocals,
        symbols: &SymbolTable,
        in_forward: &[bool],
    ) -> Self {
        let mut out = ValueTapes::default();
        // What nothing reads (a value the lowering computes for code it
        // then left out) is not kept: its store would keep it alive.
        let mut pruned = forward.clone();
        super::prune::prune(&mut pruned, module);
        let mut live = HashSet::new();
        super::prune::each_use(&pruned.body, &mut |v| {
            live.insert(v);
        });
        let ctx = Context { forward, active, facts, reciprocals, live: &live, symbols };
        for (s, &runs) in forward.body.iter().zip(in_forward) {
            if runs {
                out.visit(module, std::slice::from_ref(s), &ctx, &mut Vec::new());
            }
        }
        for s in &forward.body {
            out.find_reruns(module, std::slice::from_ref(s), &ctx, false);
        }
        out
    }

    /// Tapes for the calls of nested loops (`nested`: inside another
    /// statement) that the forward sweep's tapes do not keep: a fused
    /// loop's (the forward sweep never runs it) or a loop's whose nest has
    /// no bounded ranges. The reverse sweep's recomputation of an
    /// enclosing iteration re-runs such a loop just before its reverse,
    /// which recomputes each iteration again: each term's `_grad` call
    /// twice per iteration (the capture-recapture models' Bernoulli terms
    /// over occasions, per individual, in a fused loop). So the re-run
    /// stores value and partials in slot `var - lo` of the loop's own
    /// tapes (one slot per value its variable can take; the re-run and its
    /// reverse belong to the same enclosing iteration), and the reverse
    /// loads them (`reverse`'s `rerun_storing` and `rerun_loading`).
    fn find_reruns(&mut self, module: &mut Module, stmts: &[Stmt], ctx: &Context, nested: bool) {
        for s in stmts {
            match s {
                Stmt::For { var, body, .. } => {
                    if nested && ctx.active.touches(body) && !super::reverse::contains_jump(body) {
                        self.add_rerun(module, *var, body, ctx);
                    }
                    self.find_reruns(module, body, ctx, true);
                }
                Stmt::If { then, otherwise, .. } => {
                    self.find_reruns(module, then, ctx, true);
                    self.find_reruns(module, otherwise, ctx, true);
                }
                Stmt::While { cond_block, body, .. } => {
                    self.find_reruns(module, cond_block, ctx, true);
                    self.find_reruns(module, body, ctx, true);
                }
                _ => {}
            }
        }
    }

    /// The re-run tapes of loop `var` (see [`Self::find_reruns`]), when
    /// its variable's range is bounded.
    fn add_rerun(&mut self, module: &mut Module, var: Value, body: &[Stmt], ctx: &Context) {
        // Every real argument active: a `_grad` form computes every
        // partial, and where the re-run took the value alone (its plain
        // call) one of a constant can cost more than the reverse's call it
        // saves (`log_rising_factorial(x, n)`'s partial in a count n is a
        // `digamma`: dirichlet_multinomial took 2.6% more instructions).
        let calls: Vec<_> = calls_worth_keeping(body, ctx)
            .into_iter()
            .filter(|(v, _, active)| !self.calls.contains_key(v) && active.iter().all(|a| *a))
            .collect();
        if calls.is_empty() {
            return;
        }
        let Some(&(lo, hi)) = ctx.facts.ranges.get(&var) else { return };
        let Some(span) = hi.checked_sub(lo).and_then(|d| d.checked_add(1)).filter(|s| *s > 0) else { return };
        let elements: usize = calls.iter().map(|(_, _, active)| 1 + active.iter().filter(|a| **a).count()).sum();
        if (elements as u64).saturating_mul(span as u64) > MAX_LEN as u64 {
            return;
        }
        let ranges = [(var, lo, span)];
        for (v, grad, active) in calls {
            let Some(call) = self.add_call_tapes(module, &format!("{CALL_TAPE_PREFIX}rerun.{v}"), grad, active, &ranges) else { return };
            self.rerun_calls.insert(v, (var, call));
            self.rerun_loops.insert(var);
        }
    }

    /// Whether loop `var` (forward name) has re-run tapes.
    pub fn reruns(&self, var: Value) -> bool {
        self.rerun_loops.contains(&var)
    }

    /// The loop (forward variable) whose re-run keeps the call of value
    /// `dst`, if one does.
    pub fn rerun_loop_of(&self, dst: Value) -> Option<Value> {
        self.rerun_calls.get(&dst).map(|(var, _)| *var)
    }

    /// After the re-run's `_grad` call of value `dst` (renamed `value`,
    /// with `partials` for every real argument), the stores of value and
    /// active partials into its loop's slot.
    pub fn save_rerun_call(&self, dst: Value, value: Value, partials: &[Value], rename: &HashMap<Value, Value>, func: &mut Function, out: &mut Vec<Stmt>) {
        let Some((_, call)) = self.rerun_calls.get(&dst) else { return };
        let kept = std::iter::once((call.value, value)).chain(call.partials.iter().zip(partials).filter_map(|(t, p)| t.map(|t| (t, *p))));
        for (k, v) in kept {
            let (buf, index) = self.element_at(k, 0, rename, func, out);
            out.push(Stmt::Store { buf, index, value: v });
        }
    }

    /// [`Self::load_call`] for a re-run tape's call.
    pub fn load_rerun_call(&self, dst: Value, rename: &HashMap<Value, Value>, func: &mut Function, out: &mut Vec<Stmt>) -> Option<(Value, Vec<Value>)> {
        let (_, call) = self.rerun_calls.get(&dst)?;
        Some(self.load_taped(call, rename, func, out))
    }

    fn visit(&mut self, module: &mut Module, stmts: &[Stmt], ctx: &Context, nest: &mut Vec<Value>) {
        for s in stmts {
            match s {
                Stmt::For { var, body, .. } => {
                    nest.push(*var);
                    if ctx.active.touches(body) && !super::reverse::contains_jump(body) {
                        self.add_loop(module, body, ctx, nest);
                    }
                    self.visit(module, body, ctx, nest);
                    nest.pop();
                }
                Stmt::If { then, otherwise, .. } => {
                    self.visit(module, then, ctx, nest);
                    self.visit(module, otherwise, ctx, nest);
                }
                // No ranges for what a `while` runs.
                _ => {}
            }
        }
    }

    /// Makes the tapes of the loop `body` with loop variables `nest`, when
    /// it has values worth keeping and the ranges bound it.
    fn add_loop(&mut self, module: &mut Module, body: &[Stmt], ctx: &Context, nest: &[Value]) {
        let values = worth_keeping(body, ctx);
        let calls = calls_worth_keeping(body, ctx);
        if values.is_empty() && calls.is_empty() {
            return;
        }
        // The nest's ranges, innermost first, and its number of slots.
        let mut ranges = Vec::with_capacity(nest.len());
        let mut slots = 1i64;
        for &v in nest.iter().rev() {
            let Some(&(lo, hi)) = ctx.facts.ranges.get(&v) else { return };
            let Some(span) = hi.checked_sub(lo).and_then(|d| d.checked_add(1)).filter(|s| *s > 0) else { return };
            slots = match slots.checked_mul(span) {
                Some(s) if s as u64 <= MAX_LEN as u64 => s,
                _ => return,
            };
            ranges.push((v, lo, span));
        }
        // Below `MIN_SLOTS`, where tapes were new for calls, only calls of
        // active arguments alone (as for the re-run tapes, `add_rerun`).
        let calls: Vec<_> = if slots < MIN_SLOTS { calls.into_iter().filter(|(_, _, active)| active.iter().all(|a| *a)).collect() } else { calls };
        if slots < MIN_CALL_SLOTS || (calls.is_empty() && slots < MIN_SLOTS) {
            return;
        }
        if !values.is_empty() && slots >= MIN_SLOTS && (values.len() as u64).saturating_mul(slots as u64) <= MAX_LEN as u64 {
            let name = format!("tape.values.{}", values[0]);
            let Some(k) = self.add_tape(module, name, values.len() as i64, &ranges) else { return };
            for (pos, v) in values.into_iter().enumerate() {
                self.at.insert(v, (k, pos));
            }
        }
        let elements: usize = calls.iter().map(|(_, _, active)| 1 + active.iter().filter(|a| **a).count()).sum();
        if calls.is_empty() || (elements as u64).saturating_mul(slots as u64) > MAX_LEN as u64 {
            return;
        }
        for (v, grad, active) in calls {
            let Some(call) = self.add_call_tapes(module, &format!("{CALL_TAPE_PREFIX}{v}"), grad, active, &ranges) else { return };
            self.calls.insert(v, call);
        }
    }

    /// The tapes of one call over the nest `ranges` (as [`Self::add_tape`]'s):
    /// its value's, named `name`, and each active argument's partial's;
    /// `None` when one does not fit.
    fn add_call_tapes(&mut self, module: &mut Module, name: &str, grad: FuncRef, active: Vec<bool>, ranges: &[(Value, i64, i64)]) -> Option<TapedCall> {
        let value = self.add_tape(module, name.to_string(), 1, ranges)?;
        let mut partials = Vec::with_capacity(active.len());
        for (i, a) in active.into_iter().enumerate() {
            // The value's tape, of the same shape, fitted.
            partials.push(if a { Some(self.add_tape(module, format!("{name}.d{i}"), 1, ranges)?) } else { None });
        }
        Some(TapedCall { grad, value, partials })
    }

    /// Adds a tape of `width` elements a slot over the nest `ranges`
    /// (loop variable, lowest value and number of values, innermost
    /// first; checked by the caller) and returns its index; `None` when
    /// its offset overflows (a range of huge bounds), with nothing added.
    /// A tape of width 1 over ranges a wider one fitted always fits.
    fn add_tape(&mut self, module: &mut Module, name: String, width: i64, ranges: &[(Value, i64, i64)]) -> Option<usize> {
        let mut strides = Vec::with_capacity(ranges.len());
        let (mut stride, mut base) = (width, 0i64);
        for &(v, lo, span) in ranges {
            strides.push((v, stride));
            base = lo.checked_mul(stride)?.checked_add(base)?;
            stride = stride.checked_mul(span)?;
        }
        strides.reverse();
        let buf = module.add_buffer(name, Arena::Work, usize::try_from(stride).ok()?);
        self.tapes.push(LoopTape { buf, strides, base });
        Some(self.tapes.len() - 1)
    }

    /// A copy of `s` (a top-level statement the forward sweep runs) that
    /// stores each taped value into its tape after computing it.
    pub fn with_saves(&self, s: &Stmt, func: &mut Function) -> Stmt {
        match s {
            Stmt::For { var, start, end, body } => Stmt::For { var: *var, start: *start, end: *end, body: self.block_with_saves(body, func) },
            Stmt::If { cond, then, otherwise } => Stmt::If {
                cond: *cond,
                then: self.block_with_saves(then, func),
                otherwise: self.block_with_saves(otherwise, func),
            },
            other => other.clone(),
        }
    }

    fn block_with_saves(&self, stmts: &[Stmt], func: &mut Function) -> Vec<Stmt> {
        let mut out = Vec::with_capacity(stmts.len());
        for s in stmts {
            match s {
                Stmt::Let { dst, .. } | Stmt::Call { dst: Some(dst), .. } if self.at.contains_key(dst) => {
                    out.push(s.clone());
                    let (buf, index) = self.element(*dst, &HashMap::new(), func, &mut out);
                    out.push(Stmt::Store { buf, index, value: *dst });
                }
                Stmt::Call { dst: Some(dst), args, .. } if self.calls.contains_key(dst) => {
                    let call = &self.calls[dst];
                    let ps: Vec<Value> = call.partials.iter().map(|_| func.new_value(ScalarType::F64)).collect();
                    out.push(Stmt::Call { dst: Some(*dst), partials: ps.clone(), func: call.grad.clone(), args: args.clone() });
                    let kept = std::iter::once((call.value, *dst)).chain(call.partials.iter().zip(&ps).filter_map(|(t, p)| t.map(|t| (t, *p))));
                    for (k, v) in kept {
                        let (buf, index) = self.element_at(k, 0, &HashMap::new(), func, &mut out);
                        out.push(Stmt::Store { buf, index, value: v });
                    }
                }
                Stmt::For { .. } | Stmt::If { .. } => out.push(self.with_saves(s, func)),
                other => out.push(other.clone()),
            }
        }
        out
    }

    /// Whether the forward sweep keeps `v` on a tape.
    pub fn keeps(&self, v: Value) -> bool {
        self.at.contains_key(&v)
    }

    /// When `dst` is taped, emits its load from the tape into a new value
    /// (the recomputation's name for it) and returns that value; `rename`
    /// maps forward names to the recomputation's (the loop variables).
    pub fn load(&self, dst: Value, rename: &HashMap<Value, Value>, func: &mut Function, out: &mut Vec<Stmt>) -> Option<Value> {
        if !self.at.contains_key(&dst) {
            return None;
        }
        let (buf, index) = self.element(dst, rename, func, out);
        let v = func.new_value(ScalarType::F64);
        out.push(Stmt::Let { dst: v, expr: Expr::Load { buf, index } });
        Some(v)
    }

    /// Whether the forward sweep keeps the call of value `v` (forward
    /// name) with its partials on tapes.
    pub fn keeps_call(&self, v: Value) -> bool {
        self.calls.contains_key(&v)
    }

    /// When the call of value `dst` is taped, emits the loads of its value
    /// and partials from the tapes (a zero for the partial of an argument
    /// that depends on no parameter, which the reverse never reads) and
    /// returns them; `rename` as for [`Self::load`].
    pub fn load_call(&self, dst: Value, rename: &HashMap<Value, Value>, func: &mut Function, out: &mut Vec<Stmt>) -> Option<(Value, Vec<Value>)> {
        let call = self.calls.get(&dst)?;
        Some(self.load_taped(call, rename, func, out))
    }

    /// The loads of a taped call's value and partials (a zero for an
    /// inactive argument's).
    fn load_taped(&self, call: &TapedCall, rename: &HashMap<Value, Value>, func: &mut Function, out: &mut Vec<Stmt>) -> (Value, Vec<Value>) {
        let load = |k: usize, func: &mut Function, out: &mut Vec<Stmt>| {
            let (buf, index) = self.element_at(k, 0, rename, func, out);
            let v = func.new_value(ScalarType::F64);
            out.push(Stmt::Let { dst: v, expr: Expr::Load { buf, index } });
            v
        };
        let value = load(call.value, func, out);
        let mut partials = Vec::with_capacity(call.partials.len());
        for t in &call.partials {
            let p = match t {
                Some(k) => load(*k, func, out),
                None => {
                    let z = func.new_value(ScalarType::F64);
                    out.push(Stmt::Let { dst: z, expr: Expr::F64(0.0) });
                    z
                }
            };
            partials.push(p);
        }
        (value, partials)
    }

    /// The tape and element of taped value `v` in the iteration the
    /// (renamed) loop variables name.
    fn element(&self, v: Value, rename: &HashMap<Value, Value>, func: &mut Function, out: &mut Vec<Stmt>) -> (BufferId, Value) {
        let (k, pos) = self.at[&v];
        self.element_at(k, pos, rename, func, out)
    }

    /// The element at position `pos` of tape `k`'s slot of the iteration
    /// the (renamed) loop variables name.
    fn element_at(&self, k: usize, pos: usize, rename: &HashMap<Value, Value>, func: &mut Function, out: &mut Vec<Stmt>) -> (BufferId, Value) {
        let tape = &self.tapes[k];
        let mut def = |out: &mut Vec<Stmt>, expr: Expr| {
            let dst = func.new_value(ScalarType::I64);
            out.push(Stmt::Let { dst, expr });
            dst
        };
        let mut index = def(out, Expr::I64(pos as i64 - tape.base));
        for &(var, stride) in &tape.strides {
            let var = rename.get(&var).copied().unwrap_or(var);
            let s = def(out, Expr::I64(stride));
            let step = def(out, Expr::Binary(BinaryOp::Mul, var, s));
            index = def(out, Expr::Binary(BinaryOp::Add, index, step));
        }
        (tape.buf, index)
    }
}

/// The square roots, divisions and `exp` calls defined directly in a loop
/// body whose values the reverse sweep needs, in order: those read by
/// anything but another such definition, the divisions its reverse reads
/// (every active one: `d(a/b)` reads `a/b`), the square roots whose
/// reverse reads them (an active one without its reciprocal in the
/// block), every active `exp` (`d exp(x)` reads `exp(x)`), and active
/// divisions' divisors other than a literal 1. A square root that only
/// feeds `1 / sqrt(x)` is not needed: the reciprocal is kept and the
/// root's derivative is half of it. Values nothing reads once the forward
/// function is pruned are never kept.
fn worth_keeping(body: &[Stmt], ctx: &Context) -> Vec<Value> {
    let (active, reciprocals) = (ctx.active, ctx.reciprocals);
    let real = |v: &Value| ctx.live.contains(v) && ctx.forward.type_of(*v) == ScalarType::F64;
    let costly: Vec<(Value, Costly)> = body
        .iter()
        .filter_map(|s| match s {
            // Integer divisions are cheap enough, and not tape elements.
            Stmt::Let { dst, expr: e @ (Expr::Unary(UnaryOp::Sqrt, _) | Expr::Binary(BinaryOp::Div, ..)) } if real(dst) => Some((*dst, Costly::Expr(e))),
            Stmt::Call { dst: Some(dst), .. } if real(dst) && is_taped_call(s) => Some((*dst, Costly::Exp)),
            _ => None,
        })
        .collect();
    let is_costly: HashSet<Value> = costly.iter().map(|(v, _)| *v).collect();
    let mut needed: HashSet<Value> = HashSet::new();
    // Reads by anything but the definitions of costly values.
    for s in body {
        match s {
            Stmt::Let { dst, .. } if is_costly.contains(dst) => {}
            other => super::prune::each_use(std::slice::from_ref(other), &mut |v| {
                if is_costly.contains(&v) {
                    needed.insert(v);
                }
            }),
        }
    }
    for &(v, e) in &costly {
        if !active.value(v) {
            continue;
        }
        match e {
            // The reverse of an active `exp` reads its value.
            Costly::Exp => {
                needed.insert(v);
            }
            Costly::Expr(&Expr::Binary(BinaryOp::Div, a, b)) => {
                needed.insert(v);
                if !reciprocals.is_one(a) && is_costly.contains(&b) {
                    needed.insert(b);
                }
            }
            _ if reciprocals.of_sqrt(v).is_none() => {
                needed.insert(v);
            }
            _ => {}
        }
    }
    costly.into_iter().map(|(v, _)| v).filter(|v| needed.contains(v)).collect()
}

/// A value [`worth_keeping`] considers: a square root or division, or an
/// `exp` call.
#[derive(Clone, Copy)]
enum Costly<'a> {
    Expr(&'a Expr),
    Exp,
}

/// Whether `s` is a call whose value a tape may keep: `exp` of one value,
/// with no partials (the reverse differentiates it from its value alone,
/// `reverse::Gen::reverse_call`).
fn is_taped_call(s: &Stmt) -> bool {
    matches!(s, Stmt::Call { dst: Some(_), partials, func, args } if func.symbol == "hbm_exp" && partials.is_empty() && matches!(args[..], [CallArg::Value(_)]))
}

/// The call `s`, when its reverse can take its partials from the
/// forward sweep: a call of scalars whose value is real and depends on the
/// parameters, with a `_grad` form (value and partials in one call), but
/// for `exp` (its own value is its partial: kept by [`worth_keeping`])
/// and `log` (its partial is a division). Its value, its `_grad` form,
/// and whether each real argument depends on the parameters. The choice
/// of both the loops' tapes ([`calls_worth_keeping`]) and the top-level
/// calls' kept partials (`reverse`'s `call_with_partials`).
pub(super) fn grad_form(s: &Stmt, forward: &Function, active: &Active, symbols: &SymbolTable) -> Option<(Value, FuncRef, Vec<bool>)> {
    let Stmt::Call { dst: Some(d), partials, func, args } = s else { return None };
    if !partials.is_empty()
        || !active.value(*d)
        || forward.type_of(*d) != ScalarType::F64
        || func.symbol == "hbm_exp"
        || func.symbol == "hbm_log"
        || !args.iter().all(|a| matches!(a, CallArg::Value(_)))
    {
        return None;
    }
    let grad = symbols.get(&format!("{}_grad", func.symbol))?;
    let active: Vec<bool> = args
        .iter()
        .zip(&func.params)
        .filter(|(_, t)| **t == crate::ir::CType::F64)
        .map(|(a, _)| matches!(a, CallArg::Value(v) if active.value(*v)))
        .collect();
    (active.len() == func.real_params(false)).then_some((*d, grad, active))
}

/// The library calls of a loop body (in its branches too, not in nested
/// loops, which have tapes of their own) whose value and partials the
/// forward sweep keeps ([`grad_form`], read by the forward function, an
/// argument active). The reverse sweep called the `_grad` form again when
/// it recomputed the iteration, to get the partials; one load each costs
/// less. With each: the `_grad` form, and whether each real argument
/// depends on the parameters.
fn calls_worth_keeping(body: &[Stmt], ctx: &Context) -> Vec<(Value, FuncRef, Vec<bool>)> {
    let mut out = Vec::new();
    for s in body {
        match s {
            Stmt::Call { .. } => {
                if let Some((d, grad, active)) = grad_form(s, ctx.forward, ctx.active, ctx.symbols) {
                    if ctx.live.contains(&d) && active.iter().any(|a| *a) {
                        out.push((d, grad, active));
                    }
                }
            }
            Stmt::If { then, otherwise, .. } => {
                out.extend(calls_worth_keeping(then, ctx));
                out.extend(calls_worth_keeping(otherwise, ctx));
            }
            _ => {}
        }
    }
    out
}
