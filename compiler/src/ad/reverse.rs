//! Building the gradient function: forward sweep, then the reverse sweep
//! with recomputation of nested blocks.

use super::activity::{Active, Overwrites};
use super::affine::IndexFacts;
use super::carry::{Carry, Tape};
use super::reciprocals::Reciprocals;
use super::target_guards::TargetGuards;
use super::value_tape::ValueTapes;
use super::rules::{self, AdjArg};
use super::AdError;
use crate::ir::{
    Arena, BinaryOp, BufferId, CallArg, CType, CmpOp, Expr, FuncRef, Function, FunctionKind, Module, ScalarType, Stmt,
    UnaryOp, Value,
};
use std::collections::{HashMap, HashSet};

/// Builds the `Gradient` function from the `LogDensity` one.
pub fn build(
    module: &mut Module,
    forward: &Function,
    active: &Active,
    adjoint: &HashMap<BufferId, BufferId>,
    carries: &HashMap<Value, Carry>,
    overwrites: &Overwrites,
    facts: &IndexFacts,
) -> Result<Function, AdError> {
    let restored = &overwrites.restored;
    let mut g = Gen {
        carries,
        facts,
        func: Function { values: forward.values.clone(), ..Function::new(FunctionKind::Gradient) },
        forward,
        active,
        adjoint,
        module,
        symbols: crate::lower::SymbolTable::from_stdlib(),
        with_target: false,
        partials: HashMap::new(),
        discards: HashMap::new(),
        reciprocals: Reciprocals::of(forward),
        guards: TargetGuards::of(forward),
        tapes: ValueTapes::default(),
        in_place: None,
        rerun_storing: HashSet::new(),
        rerun_stored: HashSet::new(),
        rerun_loading: HashSet::new(),
        top_partials: HashMap::new(),
    };
    let mut body = Vec::new();
    // Zero every adjoint buffer: gradients accumulate.
    let mut adj_bufs: Vec<BufferId> = adjoint.values().copied().collect();
    adj_bufs.sort();
    for b in adj_bufs {
        let len = g.module.buffer(b).len;
        g.zero_buffer(&mut body, b, len);
    }
    // Fused loops (see `fusable`) are left out of the forward sweep: their
    // reverse loop computes the same terms and adds them to the target.
    // Only active loops have a reverse loop to carry their terms.
    let fused: Vec<bool> = forward
        .body
        .iter()
        .enumerate()
        .map(|(i, s)| fusable(i, s, &forward.body) && g.touches_active(std::slice::from_ref(s)) && !g.carries_in(std::slice::from_ref(s)))
        .collect();
    let uses_target = mentions_target(&forward.body);
    let in_forward: Vec<bool> = fused.iter().map(|&f| !f || uses_target).collect();
    g.tapes = ValueTapes::find(g.module, forward, active, facts, &g.reciprocals, &g.symbols, &in_forward);
    // Old values of top-level stores that overwrite a buffer already read
    // (see `activity::check_no_overwrite_after_use`), by statement.
    let mut old_values: HashMap<usize, (BufferId, Value, Value)> = HashMap::new();
    // Top-level branches that read and write a buffer are recomputed by
    // their reverse from the values they started with (later overwrites
    // of what a top-level statement read are refused or undone instead:
    // see `activity::check_no_overwrite_after_use`).
    let snapshots = g.block_snapshots(&forward.body, false);
    // Top-level statements that overwrite, without reading, what an
    // earlier one read: copied before them, put back once reversed.
    let overwritten: HashMap<usize, Vec<(BufferId, BufferId)>> = overwrites
        .snapshotted
        .iter()
        .map(|(&i, bufs)| (i, bufs.iter().map(|&b| (b, g.snapshot_buffer(b, "overwritten"))).collect()))
        .collect();
    for (i, (s, &f)) in forward.body.iter().zip(&fused).enumerate() {
        g.copy_snapshots(&snapshots[i].before, true, &mut body);
        if let Some(snaps) = overwritten.get(&i) {
            g.copy_snapshots(snaps, true, &mut body);
        }
        if let Stmt::Store { buf, index, .. } = s {
            if restored.contains(buf) {
                let old = g.define(&mut body, g.module.buffer(*buf).arena.scalar_type(), Expr::Load { buf: *buf, index: *index });
                old_values.insert(i, (*buf, *index, old));
            }
        }
        if !f || uses_target {
            if g.call_with_partials(s, &mut body) {
                continue;
            }
            let s = g.tapes.with_saves(s, &mut g.func);
            g.with_snapshots(&s, &mut body);
        }
    }
    let mut scope = Scope::top(&forward.body);
    let mut reverse = Vec::new();
    for (i, (s, &f)) in forward.body.iter().zip(&fused).enumerate().rev() {
        g.with_target = f && !uses_target;
        g.copy_snapshots(&snapshots[i].before, false, &mut reverse);
        g.reverse_stmt(s, &mut scope, &mut reverse)?;
        g.with_target = false;
        if let Some(snaps) = overwritten.get(&i) {
            g.copy_snapshots(snaps, false, &mut reverse);
        }
        if let Some(&(buf, index, old)) = old_values.get(&i) {
            reverse.push(Stmt::Store { buf, index, value: old });
        }
    }
    if !scope.cells.is_empty() {
        return Err(AdError::new("internal: a top-level value escaped its scope".into()));
    }
    body.extend(reverse);
    // Discarded adjoints are never read; zeroing them keeps every run of
    // the function deterministic in all of `Work`.
    let mut discards: Vec<BufferId> = g.discards.values().copied().collect();
    discards.sort();
    let mut prologue = Vec::new();
    for b in discards {
        let len = g.module.buffer(b).len;
        g.zero_buffer(&mut prologue, b, len);
    }
    prologue.extend(body);
    g.func.body = prologue;
    Ok(g.func)
}

/// Buffers saved around one statement of a block, each with its copy
/// (see `Gen::block_snapshots`).
#[derive(Default)]
struct Snapshots {
    before: Vec<(BufferId, BufferId)>,
    after: Vec<(BufferId, BufferId)>,
}

/// The reverse sweep's view of one block.
struct Scope {
    /// Values defined in this block (original names).
    local: HashSet<Value>,
    /// The current adjoint of each local value.
    adj: HashMap<Value, Value>,
    /// Cells collecting adjoints of values defined outside this block.
    cells: HashMap<Value, BufferId>,
    /// Original value -> the value holding it here (recomputed names).
    rename: HashMap<Value, Value>,
}

impl Scope {
    fn top(stmts: &[Stmt]) -> Scope {
        Scope { local: defined_in(stmts), adj: HashMap::new(), cells: HashMap::new(), rename: HashMap::new() }
    }
}

/// Values defined directly in a block (not in nested blocks).
fn defined_in(stmts: &[Stmt]) -> HashSet<Value> {
    let mut out = HashSet::new();
    for s in stmts {
        match s {
            Stmt::Let { dst, .. } => {
                out.insert(*dst);
            }
            Stmt::Call { dst, partials, .. } => {
                out.extend(*dst);
                out.extend(partials.iter().copied());
            }
            _ => {}
        }
    }
    out
}

/// Buffers stored anywhere in a block (by a store or as a call's output):
/// their accumulations are re-run when the block is recomputed (the block
/// re-initialises them).
fn stored_in(stmts: &[Stmt], out: &mut HashSet<BufferId>) {
    for s in stmts {
        match s {
            Stmt::Store { buf, .. } => {
                out.insert(*buf);
            }
            Stmt::Call { func, args, .. } => out.extend(call_outputs(func, args).map(|(_, b, _)| b)),
            Stmt::For { body, .. } => stored_in(body, out),
            Stmt::If { then, otherwise, .. } => {
                stored_in(then, out);
                stored_in(otherwise, out);
            }
            Stmt::While { cond_block, body, .. } => {
                stored_in(cond_block, out);
                stored_in(body, out);
            }
            _ => {}
        }
    }
}

struct Gen<'a> {
    /// Loops that carry values in cells, by forward loop variable.
    carries: &'a HashMap<Value, Carry>,
    /// Constants, definitions and ranges of integer values (index analysis).
    facts: &'a IndexFacts,
    func: Function,
    forward: &'a Function,
    active: &'a Active,
    adjoint: &'a HashMap<BufferId, BufferId>,
    module: &'a mut Module,
    symbols: crate::lower::SymbolTable,
    /// While reversing a fused loop: its recomputation adds the target
    /// terms (the forward sweep left the loop out).
    with_target: bool,
    /// Partials computed during recomputation, by the original value of
    /// the call: its `_grad` form gives value and partials in one call.
    partials: HashMap<Value, Vec<Value>>,
    /// Scratch adjoint buffers for inactive inputs of calls on buffers.
    discards: HashMap<BufferId, BufferId>,
    /// Reciprocals of the forward sweep the reverse multiplies by.
    reciprocals: Reciprocals,
    /// Selects that guard a target term: their reverse needs no condition.
    guards: TargetGuards,
    /// Values of loop iterations the forward sweep stores for the reverse.
    tapes: ValueTapes,
    /// The forward function's in-place additions, found when first asked
    /// (`carry::in_place_additions`).
    in_place: Option<HashSet<Value>>,
    /// Loops (forward variables) with re-run tapes (`value_tape`'s
    /// `find_reruns`) being re-run just before their reverse: their calls
    /// store value and partials.
    rerun_storing: HashSet<Value>,
    /// Such loops re-run, their reverse not yet emitted: it loads.
    rerun_stored: HashSet<Value>,
    /// Such loops whose reverse is being emitted: their calls load.
    rerun_loading: HashSet<Value>,
    /// The one-element buffers of the partials of top-level calls the
    /// forward sweep made in their `_grad` form, by the call's value.
    top_partials: HashMap<Value, Vec<BufferId>>,
}

impl Gen<'_> {
    fn fresh(&mut self, ty: ScalarType) -> Value {
        self.func.new_value(ty)
    }

    fn define(&mut self, out: &mut Vec<Stmt>, ty: ScalarType, expr: Expr) -> Value {
        let dst = self.fresh(ty);
        out.push(Stmt::Let { dst, expr });
        dst
    }

    fn f64(&mut self, out: &mut Vec<Stmt>, x: f64) -> Value {
        self.define(out, ScalarType::F64, Expr::F64(x))
    }

    fn i64(&mut self, out: &mut Vec<Stmt>, x: i64) -> Value {
        self.define(out, ScalarType::I64, Expr::I64(x))
    }

    fn bin(&mut self, out: &mut Vec<Stmt>, op: BinaryOp, a: Value, b: Value) -> Value {
        self.define(out, ScalarType::F64, Expr::Binary(op, a, b))
    }

    fn zero_buffer(&mut self, out: &mut Vec<Stmt>, buf: BufferId, len: usize) {
        let start = self.i64(out, 0);
        let end = self.i64(out, len as i64);
        let var = self.fresh(ScalarType::I64);
        let mut body = Vec::new();
        let zero = self.f64(&mut body, 0.0);
        body.push(Stmt::Store { buf, index: var, value: zero });
        out.push(Stmt::For { var, start, end, body });
    }

    /// Whether any loop in `stmts` carries values in cells.
    fn carries_in(&self, stmts: &[Stmt]) -> bool {
        stmts.iter().any(|s| match s {
            Stmt::For { var, body, .. } => self.carries.contains_key(var) || self.carries_in(body),
            Stmt::If { then, otherwise, .. } => self.carries_in(then) || self.carries_in(otherwise),
            Stmt::While { cond_block, cond, body } => self.carries.contains_key(cond) || self.carries_in(cond_block) || self.carries_in(body),
            _ => false,
        })
    }

    /// Emits `s` for the forward sweep: a loop that carries values (here or
    /// in a branch, not in a nested loop, whose values the enclosing loop's
    /// reverse saves when it recomputes it) first saves them per iteration.
    fn with_snapshots(&mut self, s: &Stmt, out: &mut Vec<Stmt>) {
        match s {
            Stmt::For { var, start, end, body } if self.carries.contains_key(var) => {
                let mut b = Vec::new();
                self.count_trips(*var, *var, *start, &mut b, out);
                self.save_carried(*var, *var, *start, &HashMap::new(), &mut b);
                b.extend(body.iter().cloned());
                out.push(Stmt::For { var: *var, start: *start, end: *end, body: b });
            }
            Stmt::While { cond_block, cond, body } if self.carries.contains_key(cond) => {
                let (mut cb, mut b) = (Vec::new(), Vec::new());
                self.save_while(*cond, &HashMap::new(), &mut cb, &mut b, out);
                cb.extend(cond_block.iter().cloned());
                b.extend(body.iter().cloned());
                out.push(Stmt::While { cond_block: cb, cond: *cond, body: b });
            }
            Stmt::If { cond, then, otherwise } => {
                let mut t = Vec::new();
                for x in then {
                    self.with_snapshots(x, &mut t);
                }
                let mut o = Vec::new();
                for x in otherwise {
                    self.with_snapshots(x, &mut o);
                }
                out.push(Stmt::If { cond: *cond, then: t, otherwise: o });
            }
            other => out.push(other.clone()),
        }
    }

    /// The tape slot of iteration `iter` of a loop from `start`.
    fn carried_slot(&mut self, iter: Value, start: Value, out: &mut Vec<Stmt>) -> Value {
        self.define(out, ScalarType::I64, Expr::Binary(BinaryOp::Sub, iter, start))
    }

    /// For a loop of `orig_var` that counts its iterations (it may
    /// `break`): its count set to 0 before the loop (`before`), and to
    /// `iter - start + 1` at the start of iteration `iter` (`out`).
    fn count_trips(&mut self, orig_var: Value, iter: Value, start: Value, out: &mut Vec<Stmt>, before: &mut Vec<Stmt>) {
        let Some(trips) = self.carries.get(&orig_var).and_then(|c| c.trips) else { return };
        let zero = self.i64(before, 0);
        before.push(Stmt::Store { buf: trips, index: zero, value: zero });
        let k = self.carried_slot(iter, start, out);
        let one = self.i64(out, 1);
        let n = self.define(out, ScalarType::I64, Expr::Binary(BinaryOp::Add, k, one));
        let at = self.i64(out, 0);
        out.push(Stmt::Store { buf: trips, index: at, value: n });
    }

    /// A `while` loop (its condition `cond` names it) that counts its
    /// iterations and saves its carried locals: the count set to 0 before
    /// the loop (`before`); each evaluation of the condition (`cond_block`)
    /// first saves the carried locals at the slot of the count, and each
    /// iteration (`body`) adds 1 to it. `rename` gives this scope's
    /// values for the forward function's.
    fn save_while(&mut self, cond: Value, rename: &HashMap<Value, Value>, cond_block: &mut Vec<Stmt>, body: &mut Vec<Stmt>, before: &mut Vec<Stmt>) {
        let Some(trips) = self.carries.get(&cond).and_then(|c| c.trips) else { return };
        let zero = self.i64(before, 0);
        before.push(Stmt::Store { buf: trips, index: zero, value: zero });
        let at = self.i64(cond_block, 0);
        let k = self.define(cond_block, ScalarType::I64, Expr::Load { buf: trips, index: at });
        self.copy_carried_at(cond, k, true, rename, cond_block);
        let one = self.i64(body, 1);
        let n = self.define(body, ScalarType::I64, Expr::Binary(BinaryOp::Add, k, one));
        body.push(Stmt::Store { buf: trips, index: at, value: n });
    }

    /// Copies the carried locals of loop `orig_var` into their tapes at the
    /// start of iteration `iter` (`to_tape`), or back from them; `rename`
    /// gives the values of this scope for those of the forward function
    /// (the index of a cell saved as one element).
    fn copy_carried(&mut self, orig_var: Value, iter: Value, start: Value, to_tape: bool, rename: &HashMap<Value, Value>, out: &mut Vec<Stmt>) {
        if !self.carries.get(&orig_var).is_some_and(|c| !c.cells.is_empty()) {
            return;
        }
        let slot = self.carried_slot(iter, start, out);
        self.copy_carried_at(orig_var, slot, to_tape, rename, out)
    }

    /// [`Self::copy_carried`] at tape slot `slot`.
    fn copy_carried_at(&mut self, orig_var: Value, slot: Value, to_tape: bool, rename: &HashMap<Value, Value>, out: &mut Vec<Stmt>) {
        let Some(carry) = self.carries.get(&orig_var).cloned() else { return };
        for (cell, tape) in carry.cells {
            let ty = self.module.buffer(cell).arena.scalar_type();
            if let Some(index) = carry.element.get(&cell) {
                let e = self.element_index(index, rename, out);
                self.copy_element(cell, e, tape, slot, to_tape, ty, out);
                continue;
            }
            let len = self.module.buffer(cell).len;
            let n = self.i64(out, len as i64);
            let base = self.define(out, ScalarType::I64, Expr::Binary(BinaryOp::Mul, slot, n));
            let from = self.i64(out, 0);
            let e = self.fresh(ScalarType::I64);
            let mut body = Vec::new();
            let at = self.define(&mut body, ScalarType::I64, Expr::Binary(BinaryOp::Add, base, e));
            self.copy_element(cell, e, tape, at, to_tape, ty, &mut body);
            out.push(Stmt::For { var: e, start: from, end: n, body });
        }
    }

    /// Computes a carried element's index in this scope.
    fn element_index(&mut self, index: &super::carry::ElementIndex, rename: &HashMap<Value, Value>, out: &mut Vec<Stmt>) -> Value {
        use super::carry::ElementIndex as E;
        match index {
            E::Value(v) => rename.get(v).copied().unwrap_or(*v),
            E::Const(c) => self.i64(out, *c),
            E::Binary(op, a, b) => {
                let (a, b) = (self.element_index(a, rename, out), self.element_index(b, rename, out));
                self.define(out, ScalarType::I64, Expr::Binary(*op, a, b))
            }
        }
    }

    /// Copies element `e` of `cell` to slot `at` of its tape (`to_tape`),
    /// or back.
    #[allow(clippy::too_many_arguments)]
    fn copy_element(&mut self, cell: BufferId, e: Value, tape: Tape, at: Value, to_tape: bool, ty: ScalarType, out: &mut Vec<Stmt>) {
        match (tape, to_tape) {
            (Tape::Fixed(tape), _) => {
                let (src, si, dst, di) = if to_tape { (cell, e, tape, at) } else { (tape, at, cell, e) };
                let v = self.define(out, ty, Expr::Load { buf: src, index: si });
                out.push(Stmt::Store { buf: dst, index: di, value: v });
            }
            (Tape::Growable(tape), true) => {
                let v = self.define(out, ty, Expr::Load { buf: cell, index: e });
                out.push(Stmt::TapeSave { tape, slot: at, value: v });
            }
            (Tape::Growable(tape), false) => {
                let v = self.fresh(ty);
                out.push(Stmt::TapeLoad { dst: v, tape, slot: at });
                out.push(Stmt::Store { buf: cell, index: e, value: v });
            }
        }
    }

    fn save_carried(&mut self, orig_var: Value, iter: Value, start: Value, rename: &HashMap<Value, Value>, out: &mut Vec<Stmt>) {
        self.copy_carried(orig_var, iter, start, true, rename, out)
    }

    /// Puts back the values the carried locals of loop `orig_var` had at
    /// the start of iteration `iter`.
    fn restore_carried(&mut self, orig_var: Value, iter: Value, start: Value, rename: &HashMap<Value, Value>, out: &mut Vec<Stmt>) {
        self.copy_carried(orig_var, iter, start, false, rename, out)
    }

    /// The value holding `v` in this scope.
    fn r(scope: &Scope, v: Value) -> Value {
        scope.rename.get(&v).copied().unwrap_or(v)
    }

    /// Adds `c` to the adjoint of `v` (an original value).
    fn add_adj(&mut self, out: &mut Vec<Stmt>, scope: &mut Scope, v: Value, c: Value) {
        if !self.active.value(v) {
            return;
        }
        if scope.local.contains(&v) {
            let next = match scope.adj.get(&v) {
                Some(&a) => self.bin(out, BinaryOp::Add, a, c),
                None => c,
            };
            scope.adj.insert(v, next);
        } else {
            let cell = match scope.cells.get(&v) {
                Some(&b) => b,
                None => {
                    let b = self.module.add_buffer(format!("adj.cell.{v}"), Arena::Work, 1);
                    scope.cells.insert(v, b);
                    b
                }
            };
            let zero = self.i64(out, 0);
            out.push(Stmt::Accumulate { buf: cell, index: zero, value: c });
        }
    }

    fn reverse_stmt(&mut self, s: &Stmt, scope: &mut Scope, out: &mut Vec<Stmt>) -> Result<(), AdError> {
        match s {
            Stmt::Let { dst, expr } => {
                let Some(g) = scope.adj.remove(dst) else { return Ok(()) };
                self.reverse_expr(*dst, expr, g, scope, out)
            }
            Stmt::Call { dst, func, args, .. } if has_buffer_arg(args) => self.reverse_buffer_call(*dst, func, args, scope, out),
            Stmt::Call { dst, func, args, .. } => {
                let Some(d) = dst else { return Ok(()) };
                let Some(g) = scope.adj.remove(d) else { return Ok(()) };
                let known = match self.partials.get(d) {
                    Some(ps) => Some(ps.clone()),
                    None => self.load_top_partials(*d, out),
                };
                self.reverse_call(func, args, *d, known, g, scope, out)
            }
            Stmt::Store { buf, index, value } => {
                let Some(&adj) = self.adjoint.get(buf) else { return Ok(()) };
                let i = Self::r(scope, *index);
                let a = self.define(out, ScalarType::F64, Expr::Load { buf: adj, index: i });
                let zero = self.f64(out, 0.0);
                out.push(Stmt::Store { buf: adj, index: i, value: zero });
                self.add_adj(out, scope, *value, a);
                Ok(())
            }
            Stmt::Accumulate { buf, index, value } => {
                let Some(&adj) = self.adjoint.get(buf) else { return Ok(()) };
                let i = Self::r(scope, *index);
                let a = self.define(out, ScalarType::F64, Expr::Load { buf: adj, index: i });
                self.add_adj(out, scope, *value, a);
                Ok(())
            }
            Stmt::AddTarget(v) => {
                let one = self.f64(out, 1.0);
                self.add_adj(out, scope, *v, one);
                Ok(())
            }
            Stmt::For { var, start, end, body } => self.reverse_for(*var, *start, *end, body, scope, out),
            Stmt::If { cond, then, otherwise } => {
                let c = Self::r(scope, *cond);
                // A branch runs at most once per run of this block, so its
                // adjoints of values from outside this block go straight
                // into this block's cells (no cell zeroed and added back
                // per run: 24 instructions an iteration when the branch is
                // in a loop); only values local to this block need cells
                // of their own, added to their adjoints after the branch.
                let (t, t_cells) = self.nested_with_cells(then, scope, &[], scope.cells.clone())?;
                let mut cells = Self::share_cells(scope, t_cells);
                let (o, o_cells) = self.nested_with_cells(otherwise, scope, &[], scope.cells.clone())?;
                cells.extend(Self::share_cells(scope, o_cells));
                if t.is_empty() && o.is_empty() {
                    return Ok(());
                }
                cells.sort();
                cells.dedup();
                self.with_cells(out, scope, &cells, |_, out| out.push(Stmt::If { cond: c, then: t, otherwise: o }));
                Ok(())
            }
            Stmt::While { cond_block, cond, body } => self.reverse_while(cond_block, *cond, body, scope, out),
            Stmt::Break | Stmt::Continue | Stmt::Reject(_) | Stmt::Print(_) => Ok(()),
            // Made after AD (`ir::chunks`), never differentiated.
            Stmt::RunChunks { .. } => Err(AdError::new("chunked loops cannot be differentiated".into())),
            // Made by the AD itself, never in the function it reverses.
            Stmt::TapeSave { .. } | Stmt::TapeLoad { .. } => Err(AdError::new("a function with tapes cannot be differentiated again".into())),
        }
    }

    /// Whether any statement in the block computes an active value or
    /// writes an active buffer.
    fn touches_active(&self, stmts: &[Stmt]) -> bool {
        self.active.touches(stmts)
    }

    /// Zeroes the cells before `emit` and adds their contents to the outer
    /// adjoints after it.
    fn with_cells(&mut self, out: &mut Vec<Stmt>, scope: &mut Scope, cells: &[(Value, BufferId)], emit: impl FnOnce(&mut Self, &mut Vec<Stmt>)) {
        let zero_i = self.i64(out, 0);
        for &(_, cell) in cells {
            let zero = self.f64(out, 0.0);
            out.push(Stmt::Store { buf: cell, index: zero_i, value: zero });
        }
        emit(self, out);
        for &(v, cell) in cells {
            let a = self.define(out, ScalarType::F64, Expr::Load { buf: cell, index: zero_i });
            self.add_adj(out, scope, v, a);
        }
    }

    /// Registers a branch's cells of values from outside `outer` as
    /// `outer`'s own (the branch accumulated into them directly) and
    /// returns the cells of values local to `outer`, which still need
    /// adding to their adjoints after the branch.
    fn share_cells(outer: &mut Scope, cells: Vec<(Value, BufferId)>) -> Vec<(Value, BufferId)> {
        let mut own = Vec::new();
        for (v, b) in cells {
            if outer.local.contains(&v) {
                own.push((v, b));
            } else {
                outer.cells.insert(v, b);
            }
        }
        own
    }

    /// The recomputation and reverse of a nested block, with its cells.
    /// `bindings` are renamings already made by the caller (loop variable).
    fn nested(&mut self, stmts: &[Stmt], outer: &Scope, bindings: &[(Value, Value)]) -> Result<(Vec<Stmt>, Vec<(Value, BufferId)>), AdError> {
        self.nested_with_cells(stmts, outer, bindings, HashMap::new())
    }

    /// `nested`, with the block's adjoints of outer values accumulated in
    /// `cells` (those already made; others get new ones).
    fn nested_with_cells(&mut self, stmts: &[Stmt], outer: &Scope, bindings: &[(Value, Value)], cells: HashMap<Value, BufferId>) -> Result<(Vec<Stmt>, Vec<(Value, BufferId)>), AdError> {
        if !self.touches_active(stmts) {
            return Ok((Vec::new(), Vec::new()));
        }
        let mut scope = Scope { local: defined_in(stmts), adj: HashMap::new(), cells, rename: outer.rename.clone() };
        for &(from, to) in bindings {
            scope.rename.insert(from, to);
        }
        let mut block = Vec::new();
        let mut local_bufs = HashSet::new();
        stored_in(stmts, &mut local_bufs);
        // Carried cells were put back to their values at the start of this
        // iteration: their accumulations run again too.
        for carry in self.carries.values() {
            local_bufs.extend(carry.cells.iter().map(|&(c, _)| c));
        }
        let snapshots = self.block_snapshots(stmts, true);
        // Nested loops left out of the recomputation whose target terms
        // this (fused) block must add: their reverse adds them instead.
        let mut target_in_reverse = vec![false; stmts.len()];
        for (i, s) in stmts.iter().enumerate() {
            self.copy_snapshots(&snapshots[i].before, true, &mut block);
            if self.rerun_redundant(i, stmts) {
                // `s` is a loop or a branch (what `rerun_redundant` takes).
                target_in_reverse[i] = self.with_target && adds_target(std::slice::from_ref(s));
            } else {
                self.recompute(std::slice::from_ref(s), &mut scope.rename, &local_bufs, true, &mut block)?;
            }
            self.copy_snapshots(&snapshots[i].after, true, &mut block);
        }
        // The recomputation above re-ran the other nested loops whole,
        // with their target terms when this block is a fused loop's; the
        // reverse of such a loop recomputes it again and must not add them
        // twice.
        let with_target = std::mem::replace(&mut self.with_target, false);
        let mut reversed = Ok(());
        for (i, s) in stmts.iter().enumerate().rev() {
            self.copy_snapshots(&snapshots[i].after, false, &mut block);
            self.copy_snapshots(&snapshots[i].before, false, &mut block);
            self.with_target = target_in_reverse[i];
            reversed = self.reverse_stmt(s, &mut scope, &mut block);
            self.with_target = false;
            if reversed.is_err() {
                break;
            }
        }
        self.with_target = with_target;
        reversed?;
        let mut cells: Vec<(Value, BufferId)> = scope.cells.into_iter().collect();
        cells.sort();
        Ok((block, cells))
    }

    /// The snapshots that let the reverse of each statement of a block see
    /// the buffers as the statement's forward run did. The reverse sweep
    /// recomputes the whole block, then reverses its statements last to
    /// first; the reverse of a loop or branch recomputes it again, and a
    /// call's adjoint reads its arguments. So before statement `i` is
    /// reversed, every buffer it reads that a later statement of the block
    /// overwrites is put back as it was after statement `i` (`after`),
    /// and every buffer a branch reads and writes as it was before it
    /// (`before`: the branch is recomputed from there). Loops keep their
    /// own start-of-iteration values on tapes ([`super::carry`]).
    fn block_snapshots(&mut self, stmts: &[Stmt], with_after: bool) -> Vec<Snapshots> {
        let mut out = Vec::with_capacity(stmts.len());
        // Taken out while the snapshots are made, put back at the end.
        let in_place = self.in_place.take().unwrap_or_else(|| super::carry::in_place_additions(self.module, self.forward, self.facts));
        for (i, s) in stmts.iter().enumerate() {
            let mut snaps = Snapshots::default();
            if !self.touches_active(std::slice::from_ref(s)) {
                out.push(snaps);
                continue;
            }
            let mut read = HashSet::new();
            match s {
                Stmt::For { .. } | Stmt::If { .. } | Stmt::While { .. } => read_in(std::slice::from_ref(s), &mut read),
                Stmt::Call { args, .. } => read.extend(args.iter().filter_map(|a| match a {
                    CallArg::Buffer { buf, .. } => Some(*buf),
                    _ => None,
                })),
                _ => {}
            }
            let mut later = HashSet::new();
            if with_after {
                written_in(&stmts[i + 1..], &mut later);
            }
            // Later statements that write only elements this one does not
            // read leave it nothing to copy (`gamma[t, k]` written after
            // `gamma[t - 1, j]` read).
            let mut after: Vec<BufferId> = read
                .intersection(&later)
                .copied()
                .filter(|&b| self.is_scratch(b))
                .filter(|&b| !super::affine::apart(std::slice::from_ref(s), &stmts[i + 1..], b, self.facts))
                .collect();
            after.sort();
            snaps.after = after.into_iter().map(|b| (b, self.snapshot_buffer(b, "after"))).collect();
            if let Stmt::If { .. } = s {
                let mut own = HashSet::new();
                written_in(std::slice::from_ref(s), &mut own);
                // A buffer whose every read in the branch sees a value the
                // branch wrote (a local of a copy per run-time length) is
                // recomputed from any value: nothing to keep.
                let mut before: Vec<BufferId> = read
                    .intersection(&own)
                    .copied()
                    .filter(|&b| self.is_scratch(b))
                    .filter(|&b| !super::carry::reads_only_own_values_given(self.module, std::slice::from_ref(s), b, self.facts, &in_place))
                    .collect();
                before.sort();
                snaps.before = before.into_iter().map(|b| (b, self.snapshot_buffer(b, "before"))).collect();
            }
            out.push(snaps);
        }
        self.in_place = Some(in_place);
        out
    }

    /// Whether `b` holds values the log density computes (so a later
    /// statement may overwrite them).
    fn is_scratch(&self, b: BufferId) -> bool {
        matches!(self.module.buffer(b).arena, Arena::Work | Arena::IntWork)
    }

    /// A buffer shaped like `of` that keeps one copy of it.
    fn snapshot_buffer(&mut self, of: BufferId, when: &str) -> BufferId {
        let (name, arena, len) = {
            let b = self.module.buffer(of);
            (format!("{}.{when}", b.name), b.arena, b.len)
        };
        self.module.add_buffer(name, arena, len)
    }

    /// Copies each buffer into its snapshot (`save`), or back.
    fn copy_snapshots(&mut self, snaps: &[(BufferId, BufferId)], save: bool, out: &mut Vec<Stmt>) {
        for &(buf, snap) in snaps {
            let (src, dst) = if save { (buf, snap) } else { (snap, buf) };
            let len = self.module.buffer(buf).len;
            let ty = self.module.buffer(buf).arena.scalar_type();
            let from = self.i64(out, 0);
            let n = self.i64(out, len as i64);
            let e = self.fresh(ScalarType::I64);
            let mut body = Vec::new();
            let v = self.define(&mut body, ty, Expr::Load { buf: src, index: e });
            body.push(Stmt::Store { buf: dst, index: e, value: v });
            out.push(Stmt::For { var: e, start: from, end: n, body });
        }
    }

    /// Whether statement `i` of a block can be left out of the block's
    /// recomputation: a nested loop that reads none of the buffers it
    /// writes, whose writes no later statement of the block touches, and
    /// that, when it adds target terms the recomputation must add (a
    /// fused loop's), has a reverse to add them in (it touches active
    /// values: `to_vector(u_raw[g]) ~ std_normal()` per grade). Such a loop
    /// defines no value outside itself, and its own reverse recomputes
    /// each of its iterations, stores and target terms included, just
    /// before differentiating it; re-running it whole first (as for
    /// `alpha[p, g] = mu[g] + sigma[g] * z[p, g]`, once per `p`) would
    /// only repeat that work.
    fn rerun_redundant(&self, i: usize, stmts: &[Stmt]) -> bool {
        if let Stmt::If { then, otherwise, .. } = &stmts[i] {
            return self.branch_rerun_redundant(then, otherwise, &stmts[i + 1..]);
        }
        let Stmt::For { var, body, .. } = &stmts[i] else { return false };
        // Its reverse reads the count its recomputation makes.
        if self.carries.get(var).is_some_and(|c| c.trips.is_some()) {
            return false;
        }
        if self.with_target && adds_target(body) && (!self.touches_active(body) || contains_jump(body)) {
            return false;
        }
        let mut written = HashSet::new();
        written_in(body, &mut written);
        let mut read = HashSet::new();
        read_in(body, &mut read);
        if !read.is_disjoint(&written) {
            return false;
        }
        stmts[i + 1..].iter().all(|later| {
            let mut touched = HashSet::new();
            touched_in(std::slice::from_ref(later), &mut touched);
            touched.is_disjoint(&written)
        })
    }

    /// [`Self::rerun_redundant`] for a branch: one whose writes no later
    /// statement of the block (`later`) touches, with no jump and no loop
    /// that carries values, each of whose arms that adds target terms or
    /// may `reject` has a reverse to do so (it touches active values). Its values
    /// are its own (a branch's names do not outlive it), and its reverse
    /// recomputes it whole from the buffers as they were before it (no
    /// later statement changed what it writes), target terms included in
    /// a fused loop; re-running it first repeated every call of the arm
    /// taken (Mh_model's `binomial_logit` and `log_sum_exp` twice per
    /// observation in its fused loop).
    fn branch_rerun_redundant(&self, then: &[Stmt], otherwise: &[Stmt], later: &[Stmt]) -> bool {
        let arms = [then, otherwise];
        // An arm's reverse is empty when it touches no active value: its
        // target terms and checks (`reject`, which a fused loop runs only
        // in the reverse sweep) would not run at all.
        let effects = |a: &[Stmt]| adds_target(a) || rejects(a);
        if arms.iter().any(|a| contains_jump(a) || self.carries_in(a) || (effects(a) && !self.touches_active(a))) {
            return false;
        }
        let mut written = HashSet::new();
        written_in(then, &mut written);
        written_in(otherwise, &mut written);
        none_touches(later, &written)
    }

    /// The reverse of a counted loop: the same range backwards (so that
    /// loops whose iterations feed each other get complete adjoints),
    /// recomputing each iteration's values before differentiating it.
    fn reverse_for(&mut self, var: Value, start: Value, end: Value, body: &[Stmt], scope: &mut Scope, out: &mut Vec<Stmt>) -> Result<(), AdError> {
        if !self.touches_active(body) {
            return Ok(());
        }
        // A loop that may `break` ends with its exit test (`jumps`), which
        // the reverse leaves out: it replays the iterations counted.
        let (body, exit) = super::jumps::split_exit(body);
        if contains_jump(body) {
            return Err(AdError::new("internal: `break` or `continue` left in a loop whose values depend on parameters".into()));
        }
        let s = Self::r(scope, start);
        let e = match (exit, self.carries.get(&var).and_then(|c| c.trips)) {
            (None, _) => Self::r(scope, end),
            (Some(_), Some(trips)) => {
                let at = self.i64(out, 0);
                let n = self.define(out, ScalarType::I64, Expr::Load { buf: trips, index: at });
                self.define(out, ScalarType::I64, Expr::Binary(BinaryOp::Add, s, n))
            }
            (Some(_), None) => return Err(AdError::new("internal: a loop that may `break` has no count of its iterations".into())),
        };
        let k = self.fresh(ScalarType::I64);
        // j = end - 1 - (k - start): the original loop variable, backwards.
        let mut prologue = Vec::new();
        let one = self.i64(&mut prologue, 1);
        let last = self.define(&mut prologue, ScalarType::I64, Expr::Binary(BinaryOp::Sub, e, one));
        let off = self.define(&mut prologue, ScalarType::I64, Expr::Binary(BinaryOp::Sub, k, s));
        let j = self.define(&mut prologue, ScalarType::I64, Expr::Binary(BinaryOp::Sub, last, off));
        self.restore_carried(var, j, s, &scope.rename, &mut prologue);
        // The re-run just before stored its calls' values and partials.
        let loads = self.rerun_stored.remove(&var);
        if loads {
            self.rerun_loading.insert(var);
        }
        let nested = self.nested(body, scope, &[(var, j)]);
        self.rerun_loading.remove(&var);
        let (inner, cells) = nested?;
        let mut loop_body = prologue;
        loop_body.extend(inner);
        self.with_cells(out, scope, &cells, |_, out| out.push(Stmt::For { var: k, start: s, end: e, body: loop_body }));
        // The last reverse iteration recomputed the first iteration's
        // stores: put back the carried locals' values from before the loop
        // (when it ran at all), for the reverse of earlier statements.
        if self.carries.get(&var).is_some_and(|c| !c.cells.is_empty()) {
            let ran = self.define(out, ScalarType::I64, Expr::Cmp(CmpOp::Lt, s, e));
            let mut back = Vec::new();
            self.restore_carried(var, s, s, &scope.rename, &mut back);
            out.push(Stmt::If { cond: ran, then: back, otherwise: Vec::new() });
        }
        Ok(())
    }

    /// The reverse of a `while` loop (named by its condition `cond`): its
    /// counted iterations backwards, each recomputed from the carried
    /// locals it started with (condition block, then body, less the exit
    /// test of a loop that may `break`) and differentiated; then the
    /// carried locals put back as they were before the loop. The failed
    /// last evaluation of the condition computes nothing the reverse
    /// needs: its values reach only the condition.
    fn reverse_while(&mut self, cond_block: &[Stmt], cond: Value, body: &[Stmt], scope: &mut Scope, out: &mut Vec<Stmt>) -> Result<(), AdError> {
        if !self.touches_active(cond_block) && !self.touches_active(body) {
            return Ok(());
        }
        // The last evaluation would leave such a store for the statements
        // after the loop with no reverse to take its adjoint.
        let mut written = HashSet::new();
        written_in(cond_block, &mut written);
        if written.iter().any(|&b| self.active.buffer(b)) {
            return Err(AdError::new("a `while` condition that stores values depending on parameters cannot be differentiated yet; compute them in the loop's body".into()));
        }
        let Some(trips) = self.carries.get(&cond).and_then(|c| c.trips) else {
            return Err(AdError::new("internal: a `while` loop has no count of its iterations".into()));
        };
        let (body, _) = super::jumps::split_exit(body);
        if contains_jump(body) {
            return Err(AdError::new("internal: `break` or `continue` left in a `while` loop whose values depend on parameters".into()));
        }
        let iteration: Vec<Stmt> = cond_block.iter().chain(body.iter()).cloned().collect();
        let at = self.i64(out, 0);
        let n = self.define(out, ScalarType::I64, Expr::Load { buf: trips, index: at });
        let k = self.fresh(ScalarType::I64);
        // j = n - 1 - k: the iteration, backwards.
        let mut prologue = Vec::new();
        let one = self.i64(&mut prologue, 1);
        let last = self.define(&mut prologue, ScalarType::I64, Expr::Binary(BinaryOp::Sub, n, one));
        let j = self.define(&mut prologue, ScalarType::I64, Expr::Binary(BinaryOp::Sub, last, k));
        self.copy_carried_at(cond, j, false, &scope.rename, &mut prologue);
        let (inner, cells) = self.nested(&iteration, scope, &[])?;
        let mut loop_body = prologue;
        loop_body.extend(inner);
        self.with_cells(out, scope, &cells, |_, out| out.push(Stmt::For { var: k, start: at, end: n, body: loop_body }));
        // Slot 0 holds what the first evaluation of the condition started
        // from, whether or not the body ever ran.
        self.copy_carried_at(cond, at, false, &scope.rename, out);
        Ok(())
    }

    /// Re-emits a block's computations with fresh names: every `Let` and
    /// `Call`, stores, nested loops and branches; accumulations only into
    /// buffers the block itself initialises; never target terms.
    fn recompute(&mut self, stmts: &[Stmt], rename: &mut HashMap<Value, Value>, local_bufs: &HashSet<BufferId>, save: bool, out: &mut Vec<Stmt>) -> Result<(), AdError> {
        let rn = |rename: &HashMap<Value, Value>, v: Value| rename.get(&v).copied().unwrap_or(v);
        for s in stmts {
            match s {
                Stmt::Let { dst, expr } => {
                    if let Some(kept) = self.tapes.load(*dst, rename, &mut self.func, out) {
                        rename.insert(*dst, kept);
                        continue;
                    }
                    let ty = self.forward.type_of(*dst);
                    let new = self.fresh(ty);
                    let expr = map_expr(expr, |v| rn(rename, v));
                    out.push(Stmt::Let { dst: new, expr });
                    rename.insert(*dst, new);
                }
                // A call whose value and partials the forward sweep kept:
                // its reverse reads the partials loaded here.
                Stmt::Call { dst: Some(d), .. } if self.tapes.keeps_call(*d) => {
                    // Invariant: the guard checked that the tapes keep the call.
                    let (value, ps) = self.tapes.load_call(*d, rename, &mut self.func, out).expect("a kept call loads");
                    rename.insert(*d, value);
                    self.partials.insert(*d, ps);
                }
                // A call the loop's re-run kept, in the loop's reverse.
                Stmt::Call { dst: Some(d), .. } if self.tapes.rerun_loop_of(*d).is_some_and(|l| self.rerun_loading.contains(&l)) => {
                    // Invariant: the guard checked that a re-run tape keeps the call.
                    let (value, ps) = self.tapes.load_rerun_call(*d, rename, &mut self.func, out).expect("a re-run call loads");
                    rename.insert(*d, value);
                    self.partials.insert(*d, ps);
                }
                // An `exp` the forward sweep kept on a tape.
                Stmt::Call { dst: Some(d), .. } if self.tapes.keeps(*d) => {
                    // Invariant: the guard checked that the tape keeps `d`.
                    let kept = self.tapes.load(*d, rename, &mut self.func, out).expect("a kept value loads");
                    rename.insert(*d, kept);
                }
                Stmt::Call { dst: Some(d), partials, func, args } if partials.is_empty() && self.active.value(*d) => {
                    let args: Vec<CallArg> = args.iter().map(|a| map_arg(a, |v| rn(rename, v))).collect();
                    let n = self.fresh(self.forward.type_of(*d));
                    rename.insert(*d, n);
                    // Value and partials in one `_grad` call when there is
                    // one; the reverse of this call reuses the partials
                    // (`prune` puts the `_d<k>` call back if the value goes
                    // unused).
                    let reals = func.real_params(false);
                    let grad = self.symbol(&format!("{}_grad", func.symbol)).ok();
                    match grad {
                        Some(g) if args.iter().all(|a| matches!(a, CallArg::Value(_))) => {
                            let ps: Vec<Value> = (0..reals).map(|_| self.fresh(ScalarType::F64)).collect();
                            out.push(Stmt::Call { dst: Some(n), partials: ps.clone(), func: g, args });
                            if self.tapes.rerun_loop_of(*d).is_some_and(|l| self.rerun_storing.contains(&l)) {
                                self.tapes.save_rerun_call(*d, n, &ps, rename, &mut self.func, out);
                            }
                            self.partials.insert(*d, ps);
                        }
                        _ => out.push(Stmt::Call { dst: Some(n), partials: Vec::new(), func: func.clone(), args }),
                    }
                }
                Stmt::Call { dst, partials, func, args } => {
                    let new_dst = dst.map(|d| {
                        let n = self.fresh(self.forward.type_of(d));
                        rename.insert(d, n);
                        n
                    });
                    let new_partials: Vec<Value> = partials
                        .iter()
                        .map(|p| {
                            let n = self.fresh(ScalarType::F64);
                            rename.insert(*p, n);
                            n
                        })
                        .collect();
                    let args = args.iter().map(|a| map_arg(a, |v| rn(rename, v))).collect();
                    out.push(Stmt::Call { dst: new_dst, partials: new_partials, func: func.clone(), args });
                }
                Stmt::Store { buf, index, value } => {
                    out.push(Stmt::Store { buf: *buf, index: rn(rename, *index), value: rn(rename, *value) });
                }
                Stmt::Accumulate { buf, index, value } => {
                    if local_bufs.contains(buf) {
                        out.push(Stmt::Accumulate { buf: *buf, index: rn(rename, *index), value: rn(rename, *value) });
                    }
                }
                Stmt::For { var, start, end, body } => {
                    let v = self.fresh(ScalarType::I64);
                    let (s0, e0) = (rn(rename, *start), rn(rename, *end));
                    let mut inner_rename = rename.clone();
                    inner_rename.insert(*var, v);
                    let mut inner = Vec::new();
                    // This loop's reverse comes next and restores its
                    // carried cells; deeper loops save theirs when it
                    // recomputes them.
                    if save {
                        self.count_trips(*var, v, s0, &mut inner, out);
                        self.save_carried(*var, v, s0, rename, &mut inner);
                    }
                    // Its reverse comes next: it loads what its calls store.
                    let stores = save && self.tapes.reruns(*var);
                    if stores {
                        self.rerun_storing.insert(*var);
                    }
                    let recomputed = self.recompute(body, &mut inner_rename, local_bufs, false, &mut inner);
                    self.rerun_storing.remove(var);
                    recomputed?;
                    if stores {
                        self.rerun_stored.insert(*var);
                    }
                    out.push(Stmt::For { var: v, start: s0, end: e0, body: inner });
                }
                Stmt::If { cond, then, otherwise } => {
                    let c = rn(rename, *cond);
                    let mut tr = rename.clone();
                    let mut t = Vec::new();
                    self.recompute(then, &mut tr, local_bufs, save, &mut t)?;
                    let mut or = rename.clone();
                    let mut o = Vec::new();
                    self.recompute(otherwise, &mut or, local_bufs, save, &mut o)?;
                    out.push(Stmt::If { cond: c, then: t, otherwise: o });
                }
                Stmt::While { cond_block, cond, body } => {
                    let mut wr = rename.clone();
                    let (mut cb, mut b) = (Vec::new(), Vec::new());
                    // As a `for` loop's: this loop's reverse comes next.
                    if save {
                        self.save_while(*cond, rename, &mut cb, &mut b, out);
                    }
                    self.recompute(cond_block, &mut wr, local_bufs, false, &mut cb)?;
                    let c = rn(&wr, *cond);
                    self.recompute(body, &mut wr, local_bufs, false, &mut b)?;
                    out.push(Stmt::While { cond_block: cb, cond: c, body: b });
                }
                Stmt::Break => out.push(Stmt::Break),
                Stmt::Continue => out.push(Stmt::Continue),
                Stmt::AddTarget(v) if self.with_target => out.push(Stmt::AddTarget(rn(rename, *v))),
                // Checks run again: if the forward sweep skipped this code,
                // its index checks must still guard the loads.
                Stmt::Reject(parts) => out.push(Stmt::Reject(
                    parts
                        .iter()
                        .map(|p| match p {
                            crate::ir::MessagePart::Value(v) => crate::ir::MessagePart::Value(rn(rename, *v)),
                            other => other.clone(),
                        })
                        .collect(),
                )),
                Stmt::AddTarget(_) | Stmt::Print(_) => {}
                Stmt::RunChunks { .. } => return Err(AdError::new("chunked loops cannot be differentiated".into())),
                Stmt::TapeSave { .. } | Stmt::TapeLoad { .. } => return Err(AdError::new("a function with tapes cannot be differentiated again".into())),
            }
        }
        Ok(())
    }

    /// Propagates the adjoint `g` of `dst = expr` to its operands.
    fn reverse_expr(&mut self, dst: Value, expr: &Expr, g: Value, scope: &mut Scope, out: &mut Vec<Stmt>) -> Result<(), AdError> {
        let renamed = |scope: &Scope, v: Value| Self::r(scope, v);
        let y = renamed(scope, dst);
        match expr {
            Expr::Load { buf, index } => {
                if let Some(&adj) = self.adjoint.get(buf) {
                    let i = renamed(scope, *index);
                    out.push(Stmt::Accumulate { buf: adj, index: i, value: g });
                }
            }
            Expr::Unary(op, x) => {
                let xv = renamed(scope, *x);
                let c = match op {
                    UnaryOp::Neg => self.define(out, ScalarType::F64, Expr::Unary(UnaryOp::Neg, g)),
                    UnaryOp::Abs => {
                        let zero = self.f64(out, 0.0);
                        let neg = self.define(out, ScalarType::I64, Expr::Cmp(CmpOp::Lt, xv, zero));
                        let ng = self.define(out, ScalarType::F64, Expr::Unary(UnaryOp::Neg, g));
                        self.define(out, ScalarType::F64, Expr::Select { cond: neg, then: ng, otherwise: g })
                    }
                    UnaryOp::Sqrt => {
                        // d sqrt(x) = 1 / (2 sqrt(x)): half the reciprocal
                        // when the forward computes it next to this root.
                        if let Some(q) = self.reciprocals.of_sqrt(dst) {
                            let half = self.f64(out, 0.5);
                            let hq = self.bin(out, BinaryOp::Mul, half, renamed(scope, q));
                            self.bin(out, BinaryOp::Mul, g, hq)
                        } else {
                            let two = self.f64(out, 2.0);
                            let den = self.bin(out, BinaryOp::Mul, two, y);
                            self.bin(out, BinaryOp::Div, g, den)
                        }
                    }
                    UnaryOp::Floor | UnaryOp::Ceil | UnaryOp::Trunc | UnaryOp::Round | UnaryOp::Not | UnaryOp::ToF64 => return Ok(()),
                };
                self.add_adj(out, scope, *x, c);
            }
            Expr::Binary(op, a, b) => {
                let (av, bv) = (renamed(scope, *a), renamed(scope, *b));
                match op {
                    BinaryOp::Add => {
                        self.add_adj(out, scope, *a, g);
                        self.add_adj(out, scope, *b, g);
                    }
                    BinaryOp::Sub => {
                        self.add_adj(out, scope, *a, g);
                        if self.active.value(*b) {
                            let ng = self.define(out, ScalarType::F64, Expr::Unary(UnaryOp::Neg, g));
                            self.add_adj(out, scope, *b, ng);
                        }
                    }
                    BinaryOp::Mul if a == b => {
                        // x * x (`square`): 2 g x, one product and one
                        // sum (the general rule adds g x twice). The sum
                        // doubles the forward value, off the adjoint's
                        // chain: g (x + x) is g x + g x to the bit, but
                        // for overflow and subnormals.
                        if self.active.value(*a) {
                            let twice = self.bin(out, BinaryOp::Add, av, av);
                            let c = self.bin(out, BinaryOp::Mul, g, twice);
                            self.add_adj(out, scope, *a, c);
                        }
                    }
                    BinaryOp::Mul => {
                        if self.active.value(*a) {
                            let c = self.bin(out, BinaryOp::Mul, g, bv);
                            self.add_adj(out, scope, *a, c);
                        }
                        if self.active.value(*b) {
                            let c = self.bin(out, BinaryOp::Mul, g, av);
                            self.add_adj(out, scope, *b, c);
                        }
                    }
                    BinaryOp::Div if self.reciprocals.is_one(*a) => {
                        // d(1/b) = -(1/b)² db: no second division.
                        if let Some(x) = self.reciprocals.radicand(dst).filter(|&x| self.active.value(x)) {
                            // y = 1 / sqrt(x): dy = -(y³ / 2) dx, the factor
                            // from forward values only, so one multiply of
                            // the adjoint (reciprocals.rs); sqrt(x)'s other
                            // uses, if any, reach x through its own rule.
                            let half = self.f64(out, 0.5);
                            let hy = self.bin(out, BinaryOp::Mul, half, y);
                            let yy = self.bin(out, BinaryOp::Mul, y, y);
                            let k = self.bin(out, BinaryOp::Mul, hy, yy);
                            let t = self.bin(out, BinaryOp::Mul, g, k);
                            let nt = self.define(out, ScalarType::F64, Expr::Unary(UnaryOp::Neg, t));
                            self.add_adj(out, scope, x, nt);
                        } else if self.active.value(*b) {
                            let t = self.bin(out, BinaryOp::Mul, g, y);
                            let t = self.bin(out, BinaryOp::Mul, t, y);
                            let nt = self.define(out, ScalarType::F64, Expr::Unary(UnaryOp::Neg, t));
                            self.add_adj(out, scope, *b, nt);
                        }
                    }
                    BinaryOp::Div => {
                        // d(a/b) = da / b - (a/b) db / b
                        let gb = self.bin(out, BinaryOp::Div, g, bv);
                        self.add_adj(out, scope, *a, gb);
                        if self.active.value(*b) {
                            let t = self.bin(out, BinaryOp::Mul, gb, y);
                            let nt = self.define(out, ScalarType::F64, Expr::Unary(UnaryOp::Neg, t));
                            self.add_adj(out, scope, *b, nt);
                        }
                    }
                    BinaryOp::Min | BinaryOp::Max => {
                        // The gradient goes to the operand that was chosen (the first on ties).
                        let cmp = if *op == BinaryOp::Min { CmpOp::Le } else { CmpOp::Ge };
                        let first = self.define(out, ScalarType::I64, Expr::Cmp(cmp, av, bv));
                        let zero = self.f64(out, 0.0);
                        let ga = self.define(out, ScalarType::F64, Expr::Select { cond: first, then: g, otherwise: zero });
                        let gb = self.define(out, ScalarType::F64, Expr::Select { cond: first, then: zero, otherwise: g });
                        self.add_adj(out, scope, *a, ga);
                        self.add_adj(out, scope, *b, gb);
                    }
                    BinaryOp::Rem | BinaryOp::And | BinaryOp::Or => {}
                }
            }
            Expr::Select { cond, then, otherwise } => {
                if let Some(v) = self.guards.finite_branch(dst) {
                    // A guard of a target term: wherever the log density
                    // is finite it picked `v`, so no condition to
                    // recompute (target_guards.rs).
                    self.add_adj(out, scope, v, g);
                    return Ok(());
                }
                let c = renamed(scope, *cond);
                let zero = self.f64(out, 0.0);
                let gt = self.define(out, ScalarType::F64, Expr::Select { cond: c, then: g, otherwise: zero });
                let go = self.define(out, ScalarType::F64, Expr::Select { cond: c, then: zero, otherwise: g });
                self.add_adj(out, scope, *then, gt);
                self.add_adj(out, scope, *otherwise, go);
            }
            Expr::F64(_) | Expr::I64(_) | Expr::Cmp(..) | Expr::ChunkIndex => {}
            Expr::Target => {
                return Err(AdError::new("`target()` used in a computation cannot be differentiated yet".into()));
            }
        }
        Ok(())
    }

    /// A top-level call of scalars whose value depends on the parameters,
    /// made by the forward sweep in its `_grad` form (value and partials),
    /// the partials kept for its reverse. The reverse of a top-level call
    /// reads the forward sweep's values as they are (nothing is recomputed
    /// at the top level), so it called the `_grad` form or `_d<k>` again
    /// for the partials: a bounded scalar's `inv_logit`, `log_inv_logit`
    /// and `log1m_inv_logit` each took a second `exp`, a prior's density a
    /// second evaluation. The choice is `value_tape::grad_form`'s, as for
    /// calls in loops (not `exp`, its partial is its value, nor `log`, a
    /// division). The partials go through one-element buffers (named
    /// with `value_tape::CALL_TAPE_PREFIX`), stored here and loaded by
    /// the reverse, rather than as values live from the forward sweep to
    /// the reverse across every loop between, for the register allocator.
    /// Where the reverse reads none of the partials (no adjoint reaches
    /// the value), `ad::prune` removes the stores and makes a scalar
    /// function's call its plain form again. Whether `s` was emitted so
    /// (into `out`); if not, nothing was.
    fn call_with_partials(&mut self, s: &Stmt, out: &mut Vec<Stmt>) -> bool {
        let Stmt::Call { args, .. } = s else { return false };
        let Some((d, grad, active)) = super::value_tape::grad_form(s, self.forward, self.active, &self.symbols) else { return false };
        // Every real argument active: the `_grad` form computes every
        // partial, and one of a constant costs more than the plain call it
        // saves (a prior's `gamma(0.001, 0.001)` takes `digamma` of the
        // shape, `pow(x, c)` the logarithm of `x`): such calls stay as
        // they were (ChangeDetection's gamma prior cost 1.7% more
        // instructions, accel_gp's `pow` 0.7%).
        if active.is_empty() || !active.iter().all(|a| *a) {
            return false;
        }
        let reals = active.len();
        let ps: Vec<Value> = (0..reals).map(|_| self.fresh(ScalarType::F64)).collect();
        out.push(Stmt::Call { dst: Some(d), partials: ps.clone(), func: grad, args: args.clone() });
        let mut bufs = Vec::with_capacity(reals);
        for (i, p) in ps.into_iter().enumerate() {
            let buf = self.module.add_buffer(format!("{}top.{d}.d{i}", super::value_tape::CALL_TAPE_PREFIX), Arena::Work, 1);
            let at = self.i64(out, 0);
            out.push(Stmt::Store { buf, index: at, value: p });
            bufs.push(buf);
        }
        self.top_partials.insert(d, bufs);
        true
    }

    /// The loads of the partials the forward sweep kept for the top-level
    /// call of value `d` ([`Self::call_with_partials`]), if it did.
    fn load_top_partials(&mut self, d: Value, out: &mut Vec<Stmt>) -> Option<Vec<Value>> {
        let bufs = self.top_partials.get(&d)?.clone();
        Some(
            bufs.into_iter()
                .map(|buf| {
                    let at = self.i64(out, 0);
                    self.define(out, ScalarType::F64, Expr::Load { buf, index: at })
                })
                .collect(),
        )
    }

    /// Propagates through a library call with the stdlib's partials.
    fn reverse_call(
        &mut self,
        func: &FuncRef,
        args: &[CallArg],
        result: Value,
        known: Option<Vec<Value>>,
        g: Value,
        scope: &mut Scope,
        out: &mut Vec<Stmt>,
    ) -> Result<(), AdError> {
        if args.iter().any(|a| !matches!(a, CallArg::Value(_))) {
            return Err(AdError::new(format!("the gradient of `{}` (a call on buffers) is not supported yet", func.symbol)));
        }
        let vals: Vec<Value> = args
            .iter()
            .filter_map(|a| match a {
                CallArg::Value(v) => Some(*v),
                _ => None,
            })
            .collect();
        // Real arguments, in order: the ones partials are given for.
        let reals: Vec<(usize, Value)> = vals
            .iter()
            .enumerate()
            .filter(|(i, _)| func.params.get(*i) == Some(&CType::F64))
            .map(|(i, v)| (i, *v))
            .collect();
        if reals.iter().all(|(_, v)| !self.active.value(*v)) {
            return Ok(());
        }
        if func.symbol == "hbm_log" && known.is_none() && vals.len() == 1 {
            // d log(x) = 1 / x: one division, no call.
            let c = self.bin(out, BinaryOp::Div, g, Self::r(scope, vals[0]));
            self.add_adj(out, scope, vals[0], c);
            return Ok(());
        }
        if func.symbol == "hbm_exp" && known.is_none() && vals.len() == 1 {
            // d exp(x) = exp(x): the call's own value, no second `exp`.
            let c = self.bin(out, BinaryOp::Mul, g, Self::r(scope, result));
            self.add_adj(out, scope, vals[0], c);
            return Ok(());
        }
        let renamed: Vec<CallArg> = vals.iter().map(|v| CallArg::Value(Self::r(scope, *v))).collect();
        // `_grad` (value and every partial) where the stdlib has one, else
        // `_d1` for unary math.
        let grad_name = format!("{}_grad", func.symbol);
        let partials: Vec<Value> = if let Some(ps) = known {
            ps
        } else if let Ok(grad) = self.symbol(&grad_name) {
            let value = self.fresh(ScalarType::F64);
            let ps: Vec<Value> = reals.iter().map(|_| self.fresh(ScalarType::F64)).collect();
            out.push(Stmt::Call { dst: Some(value), partials: ps.clone(), func: grad, args: renamed });
            ps
        } else {
            // One `_d<k>` call per real argument (k counts every argument from 1).
            let mut ps = Vec::new();
            for (i, _) in &reals {
                let d = self.symbol(&format!("{}_d{}", func.symbol, i + 1))?;
                let p = self.fresh(ScalarType::F64);
                out.push(Stmt::Call { dst: Some(p), partials: Vec::new(), func: d, args: renamed.clone() });
                ps.push(p);
            }
            ps
        };
        for ((_, v), p) in reals.iter().zip(partials) {
            if self.active.value(*v) {
                let c = self.bin(out, BinaryOp::Mul, g, p);
                self.add_adj(out, scope, *v, c);
            }
        }
        Ok(())
    }

    /// Propagates through a library call on buffers with its rule from
    /// [`rules`]: one adjoint call that consumes the adjoints of the outputs
    /// and of the scalar result and accumulates into the adjoints of the
    /// inputs, then zeroes the outputs' adjoints (the forward call
    /// overwrote them, as a store does).
    fn reverse_buffer_call(&mut self, dst: Option<Value>, func: &FuncRef, args: &[CallArg], scope: &mut Scope, out: &mut Vec<Stmt>) -> Result<(), AdError> {
        // A call that writes nothing and returns an integer (a check of a
        // declared constraint) has no derivative.
        if func.ret != CType::F64 && call_outputs(func, args).next().is_none() {
            return Ok(());
        }
        let g = dst.and_then(|d| scope.adj.remove(&d));
        let reads_active = self.reads_active(func, args);
        let writes_active = call_outputs(func, args).any(|(_, b, _)| self.adjoint.contains_key(&b));
        if !reads_active && !writes_active {
            return Ok(());
        }
        let rule = rules::rule(&func.symbol).ok_or_else(|| AdError {
            message: match rules::no_rule_reason(&func.symbol) {
                Some(reason) => reason.to_string(),
                None => format!("the gradient of `{}` (a call on buffers) is not supported yet", func.symbol),
            },
        })?;
        if reads_active {
            self.emit_adjoint_call(&rule, args, g, scope, out)?;
        }
        for &(pos, len) in &rule.outputs {
            let Some(CallArg::Buffer { buf, offset }) = args.get(pos) else {
                return Err(AdError::new(format!("internal: argument {pos} of `{}` is not a buffer", func.symbol)));
            };
            if let Some(&adj) = self.adjoint.get(buf) {
                let n = self.output_len(len, args, scope, out)?;
                let at = Self::r(scope, *offset);
                self.zero_range(out, adj, at, n);
            }
        }
        Ok(())
    }

    /// Whether a call reads an active buffer or an active real value.
    fn reads_active(&self, func: &FuncRef, args: &[CallArg]) -> bool {
        args.iter().zip(&func.params).any(|(a, t)| match (a, t) {
            (CallArg::Buffer { buf, .. }, CType::PtrConstF64) => self.active.buffer(*buf),
            (CallArg::Value(v), CType::F64) => self.active.value(*v),
            _ => false,
        })
    }

    /// Emits the adjoint call of a rule, with cells for the adjoints of
    /// scalar arguments.
    fn emit_adjoint_call(&mut self, rule: &rules::Rule, args: &[CallArg], g: Option<Value>, scope: &mut Scope, out: &mut Vec<Stmt>) -> Result<(), AdError> {
        let func = self.symbol(&rule.adjoint)?;
        let bad = |what: &str| AdError::new(format!("internal: the rule of `{}` refers to {what}", rule.adjoint));
        let mut call_args = Vec::with_capacity(rule.args.len());
        let mut value_cells: Vec<(Value, BufferId)> = Vec::new();
        let zero_i = self.i64(out, 0);
        for a in &rule.args {
            call_args.push(match *a {
                AdjArg::Fwd(i) => map_arg(args.get(i).ok_or_else(|| bad("a missing argument"))?, |v| Self::r(scope, v)),
                AdjArg::Adj(i) => {
                    let Some(CallArg::Buffer { buf, offset }) = args.get(i) else { return Err(bad("a buffer argument that is not one")) };
                    let adj = match self.adjoint.get(buf) {
                        Some(&b) => b,
                        None => self.discard_buffer(*buf),
                    };
                    CallArg::Buffer { buf: adj, offset: Self::r(scope, *offset) }
                }
                AdjArg::ResultAdj => CallArg::Value(match g {
                    Some(g) => g,
                    None => self.f64(out, 0.0),
                }),
                AdjArg::ValueAdj(i) => {
                    let Some(CallArg::Value(v)) = args.get(i) else { return Err(bad("a value argument that is not one")) };
                    let cell = self.module.add_buffer(format!("adj.arg.{v}"), Arena::Work, 1);
                    let zero = self.f64(out, 0.0);
                    out.push(Stmt::Store { buf: cell, index: zero_i, value: zero });
                    value_cells.push((*v, cell));
                    CallArg::Buffer { buf: cell, offset: zero_i }
                }
            });
        }
        out.push(Stmt::Call { dst: None, partials: Vec::new(), func, args: call_args });
        for (v, cell) in value_cells {
            if self.active.value(v) {
                let a = self.define(out, ScalarType::F64, Expr::Load { buf: cell, index: zero_i });
                self.add_adj(out, scope, v, a);
            }
        }
        Ok(())
    }

    /// The element count an output of a call has, from its size arguments.
    fn output_len(&mut self, len: rules::Len, args: &[CallArg], scope: &Scope, out: &mut Vec<Stmt>) -> Result<Value, AdError> {
        let arg = |i: usize| match args.get(i) {
            Some(CallArg::Value(v)) => Ok(Self::r(scope, *v)),
            _ => Err(AdError::new(format!("internal: size argument {i} of a call is not a value"))),
        };
        Ok(match len {
            rules::Len::Arg(i) => arg(i)?,
            rules::Len::Square(i) => {
                let n = arg(i)?;
                self.define(out, ScalarType::I64, Expr::Binary(BinaryOp::Mul, n, n))
            }
            rules::Len::Product(i, j) => {
                let (a, b) = (arg(i)?, arg(j)?);
                self.define(out, ScalarType::I64, Expr::Binary(BinaryOp::Mul, a, b))
            }
        })
    }

    /// `buf[start .. start + n] = 0`.
    fn zero_range(&mut self, out: &mut Vec<Stmt>, buf: BufferId, start: Value, n: Value) {
        let from = self.i64(out, 0);
        let var = self.fresh(ScalarType::I64);
        let mut body = Vec::new();
        let at = self.define(&mut body, ScalarType::I64, Expr::Binary(BinaryOp::Add, start, var));
        let zero = self.f64(&mut body, 0.0);
        body.push(Stmt::Store { buf, index: at, value: zero });
        out.push(Stmt::For { var, start: from, end: n, body });
    }

    /// A scratch buffer shaped like `of` that receives the adjoint an
    /// adjoint call computes for an inactive input (the IR has no null
    /// pointer); never read.
    fn discard_buffer(&mut self, of: BufferId) -> BufferId {
        if let Some(&b) = self.discards.get(&of) {
            return b;
        }
        let len = self.module.buffer(of).len;
        let name = format!("{}.adj.discarded", self.module.buffer(of).name);
        let b = self.module.add_buffer(name, Arena::Work, len);
        self.discards.insert(of, b);
        b
    }

    /// A stdlib function reference by symbol.
    fn symbol(&self, name: &str) -> Result<FuncRef, AdError> {
        self.symbols
            .get(name)
            .ok_or_else(|| AdError::new(format!("no derivative function `{name}` in the stdlib")))
    }
}

/// Whether top-level statement `i` can be left out of the forward sweep: a
/// loop that adds to the target, prints nothing, and writes no buffer that
/// any other top-level statement reads or writes.
fn fusable(i: usize, s: &Stmt, body: &[Stmt]) -> bool {
    let Stmt::For { body: inner, .. } = s else { return false };
    if !adds_target(inner) || prints(inner) {
        return false;
    }
    let mut written = HashSet::new();
    written_in(inner, &mut written);
    none_touches(&body[..i], &written) && none_touches(&body[i + 1..], &written)
}

/// Whether no statement of `stmts` reads or writes a buffer of `written`.
fn none_touches(stmts: &[Stmt], written: &HashSet<BufferId>) -> bool {
    stmts.iter().all(|s| {
        let mut touched = HashSet::new();
        touched_in(std::slice::from_ref(s), &mut touched);
        touched.is_disjoint(written)
    })
}

fn adds_target(stmts: &[Stmt]) -> bool {
    stmts.iter().any(|s| match s {
        Stmt::AddTarget(_) => true,
        Stmt::For { body, .. } => adds_target(body),
        Stmt::If { then, otherwise, .. } => adds_target(then) || adds_target(otherwise),
        Stmt::While { body, .. } => adds_target(body),
        _ => false,
    })
}

/// Whether a block (nested blocks included) may `reject`.
fn rejects(stmts: &[Stmt]) -> bool {
    any_nested(stmts, &|s| matches!(s, Stmt::Reject(_)))
}

fn prints(stmts: &[Stmt]) -> bool {
    any_nested(stmts, &|s| matches!(s, Stmt::Print(_)))
}

/// Whether some statement of a block, nested blocks (a `while`'s
/// condition block included) searched too, satisfies `is`.
fn any_nested(stmts: &[Stmt], is: &dyn Fn(&Stmt) -> bool) -> bool {
    stmts.iter().any(|s| {
        is(s)
            || match s {
                Stmt::For { body, .. } => any_nested(body, is),
                Stmt::If { then, otherwise, .. } => any_nested(then, is) || any_nested(otherwise, is),
                Stmt::While { cond_block, body, .. } => any_nested(cond_block, is) || any_nested(body, is),
                _ => false,
            }
    })
}

fn written_in(stmts: &[Stmt], out: &mut HashSet<BufferId>) {
    for s in stmts {
        match s {
            Stmt::Store { buf, .. } | Stmt::Accumulate { buf, .. } => {
                out.insert(*buf);
            }
            // A buffer passed for a parameter the callee only reads
            // (`PtrConstF64`) is not written: a likelihood call on the
            // parameters (`normal_sum_vec(&w, ...)`) then leaves its loop
            // fusable with the loops that fill them.
            Stmt::Call { func, args, .. } => {
                for (i, a) in args.iter().enumerate() {
                    if let CallArg::Buffer { buf, .. } = a {
                        if func.params.get(i) != Some(&CType::PtrConstF64) {
                            out.insert(*buf);
                        }
                    }
                }
            }
            Stmt::For { body, .. } => written_in(body, out),
            Stmt::If { then, otherwise, .. } => {
                written_in(then, out);
                written_in(otherwise, out);
            }
            Stmt::While { cond_block, body, .. } => {
                written_in(cond_block, out);
                written_in(body, out);
            }
            _ => {}
        }
    }
}

/// Buffers read or written anywhere in `stmts`.
fn touched_in(stmts: &[Stmt], out: &mut HashSet<BufferId>) {
    written_in(stmts, out);
    // Every buffer passed to a call, read or written.
    read_in(stmts, out);
    for s in stmts {
        match s {
            Stmt::Let { expr: Expr::Load { buf, .. }, .. } => {
                out.insert(*buf);
            }
            Stmt::For { body, .. } => touched_in(body, out),
            Stmt::If { then, otherwise, .. } => {
                touched_in(then, out);
                touched_in(otherwise, out);
            }
            Stmt::While { cond_block, body, .. } => {
                touched_in(cond_block, out);
                touched_in(body, out);
            }
            _ => {}
        }
    }
}

/// Buffers whose contents `stmts` may read: loads, accumulations (a
/// read-modify-write) and every buffer passed to a call.
fn read_in(stmts: &[Stmt], out: &mut HashSet<BufferId>) {
    for s in stmts {
        match s {
            Stmt::Let { expr: Expr::Load { buf, .. }, .. } | Stmt::Accumulate { buf, .. } => {
                out.insert(*buf);
            }
            Stmt::Call { args, .. } => {
                for a in args {
                    if let CallArg::Buffer { buf, .. } = a {
                        out.insert(*buf);
                    }
                }
            }
            Stmt::For { body, .. } => read_in(body, out),
            Stmt::If { then, otherwise, .. } => {
                read_in(then, out);
                read_in(otherwise, out);
            }
            Stmt::While { cond_block, body, .. } => {
                read_in(cond_block, out);
                read_in(body, out);
            }
            _ => {}
        }
    }
}

/// Whether the function reads `target()` (then nothing is fused: the
/// running target must be exact where it is read).
fn mentions_target(stmts: &[Stmt]) -> bool {
    stmts.iter().any(|s| match s {
        Stmt::Let { expr: Expr::Target, .. } => true,
        Stmt::For { body, .. } => mentions_target(body),
        Stmt::If { then, otherwise, .. } => mentions_target(then) || mentions_target(otherwise),
        Stmt::While { cond_block, body, .. } => mentions_target(cond_block) || mentions_target(body),
        _ => false,
    })
}

pub(super) fn contains_jump(stmts: &[Stmt]) -> bool {
    stmts.iter().any(|s| match s {
        Stmt::Break | Stmt::Continue => true,
        Stmt::If { then, otherwise, .. } => contains_jump(then) || contains_jump(otherwise),
        // A jump inside a nested loop leaves only that loop.
        _ => false,
    })
}

fn map_expr(e: &Expr, f: impl Fn(Value) -> Value) -> Expr {
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

fn map_arg(a: &CallArg, f: impl Fn(Value) -> Value) -> CallArg {
    match a {
        CallArg::Value(v) => CallArg::Value(f(*v)),
        CallArg::Buffer { buf, offset } => CallArg::Buffer { buf: *buf, offset: f(*offset) },
        CallArg::Rng => CallArg::Rng,
    }
}

/// Whether a call passes any buffer pointer.
fn has_buffer_arg(args: &[CallArg]) -> bool {
    args.iter().any(|a| matches!(a, CallArg::Buffer { .. }))
}

/// The buffers a call writes (its `PtrF64` arguments): position, buffer and
/// offset value.
pub(super) fn call_outputs<'a>(func: &'a FuncRef, args: &'a [CallArg]) -> impl Iterator<Item = (usize, BufferId, Value)> + 'a {
    args.iter().zip(&func.params).enumerate().filter_map(|(i, (a, t))| match (a, t) {
        (CallArg::Buffer { buf, offset }, CType::PtrF64) => Some((i, *buf, *offset)),
        _ => None,
    })
}
