//! IR pass: loop-invariant code motion of the log density (before AD) and
//! of the generated quantities.
//!
//! Lowering computes each statement where it stands, so the commonest
//! Stan loop,
//!
//! ```stan
//! for (n in 1:N) y[n] ~ normal(alpha + beta * x[n], sigma);
//! ```
//!
//! loads `sigma` and calls `log` and divides by it once per observation,
//! and the gradient generated from it recomputes both in its reverse loop.
//! Cranelift hoists pure arithmetic out of loops by itself, but not loads
//! or library calls, and the AD, the interpreter and the adjoints it
//! generates all work on this IR. This pass moves every statement of a
//! loop body that computes the same value on every iteration to just
//! before the loop, innermost loops first, so a value invariant in a nest
//! leaves all the loops it does not depend on. Run before
//! [`crate::ad::differentiate`], the reverse sweep then takes the hoisted
//! value's derivative once, after the reverse loop (the adjoints of values
//! from outside a loop are summed in the loop, as for any such value), and
//! the loop, free of calls, keeps those sums in registers
//! (`codegen::cells`).
//!
//! What may move, and why that cannot change a result:
//! - arithmetic, a comparison or a `select` whose operands are defined
//!   outside the loop or are constants (a constant itself is copied before
//!   the loop, not moved): pure, and floating-point operations never trap.
//!   Integer division and remainder stay (they trap on zero, which a loop
//!   that never runs must not reach).
//! - a library call on values alone whose stdlib kind is a pure scalar
//!   function (`SymbolKind::Math`, `Lpdf`, ...): they read no memory and
//!   report invalid arguments through their result (NaN, -inf), never by
//!   stopping the evaluation. User functions stay: they may `reject`.
//! - a load at a constant index inside the buffer, of a buffer the loop
//!   writes nowhere (stores, accumulations, and any buffer passed to a
//!   call). Only constant indices: the IR does not check bounds, and an
//!   index that varies outside the loop may be out of range when the loop
//!   runs no iteration (its range check is inside the loop). A loop that
//!   calls a user function or runs chunks keeps its loads of work buffers.
//!
//! Of that, only what pays moves: calls, divisions, square roots, what is
//! computed from them and what they read (`Hoist::keep_only_what_pays`).
//! A value moved out of a loop that runs no iteration is computed once for
//! nothing. The generated quantities (`Generate`) get the same pass: their
//! `log_lik` loops repeat the likelihood's per draw.

use super::batch::{defined_in, map_expr, uses_in, writes_in};
use super::chunks::collect_constants;
use super::{Arena, BinaryOp, BufferId, CallArg, Expr, Function, FunctionKind, Module, ScalarType, Stmt, UnaryOp, Value};
use hbmc_stdlib::SymbolKind;
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

/// Moves the loop invariants of the module's `LogDensity` and `Generate`
/// functions out of their loops (see the module docs). Returns how many
/// statements moved.
pub fn hoist_loop_invariants(module: &mut Module) -> usize {
    let mut moved = 0;
    // Generated quantities repeat the likelihood's loops per draw
    // (`log_lik[n] = normal_lpdf(y[n] | mu[n], sigma)`); their random
    // draws take the generator and never move.
    module.rewrite_bodies(&[FunctionKind::LogDensity, FunctionKind::Generate], |module, func, body| {
        let mut constants = HashMap::new();
        collect_constants(&body, &mut constants);
        let mut pass = Pass { module, func, constants, moved: 0 };
        let body = pass.block(body);
        moved += pass.moved;
        body
    });
    moved
}

struct Pass<'a> {
    module: &'a Module,
    /// The function being changed (for the types of its values, and new
    /// ones).
    func: &'a mut Function,
    /// Every constant of the function (`let v = f64 x` or `i64 k`), by
    /// value.
    constants: HashMap<Value, Expr>,
    moved: usize,
}

impl Pass<'_> {
    /// `stmts` with the invariants of each loop in them moved before it.
    fn block(&mut self, stmts: Vec<Stmt>) -> Vec<Stmt> {
        let mut out = Vec::with_capacity(stmts.len());
        for s in stmts {
            match s {
                Stmt::For { var, start, end, body } => {
                    let body = self.block(body);
                    let mut inside = HashSet::from([var]);
                    defined_in(&body, &mut inside);
                    let mut hoist = Hoist::new(self.barrier(&[&body]));
                    let body = self.extract(body, &mut inside, &mut hoist);
                    let body = [hoist.keep_only_what_pays(), body].concat();
                    self.moved += hoist.moved;
                    out.extend(hoist.stmts);
                    out.push(Stmt::For { var, start, end, body });
                }
                Stmt::While { cond_block, cond, body } => {
                    let cond_block = self.block(cond_block);
                    let body = self.block(body);
                    let mut inside = HashSet::new();
                    defined_in(&cond_block, &mut inside);
                    defined_in(&body, &mut inside);
                    let mut hoist = Hoist::new(self.barrier(&[&cond_block, &body]));
                    let cond_block = self.extract(cond_block, &mut inside, &mut hoist);
                    let body = self.extract(body, &mut inside, &mut hoist);
                    let cond_block = [hoist.keep_only_what_pays(), cond_block].concat();
                    self.moved += hoist.moved;
                    out.extend(hoist.stmts);
                    out.push(Stmt::While { cond_block, cond, body });
                }
                Stmt::If { cond, then, otherwise } => {
                    let then = self.block(then);
                    let otherwise = self.block(otherwise);
                    out.push(Stmt::If { cond, then, otherwise });
                }
                s => out.push(s),
            }
        }
        out
    }

    /// What a loop's loads may not move past: the buffers it writes, and
    /// whether it may write work buffers it does not name (a user function
    /// call, chunks run on other threads).
    fn barrier(&self, parts: &[&[Stmt]]) -> Barrier {
        let mut written = HashSet::new();
        for part in parts {
            writes_in(part, &mut written);
        }
        Barrier { written, opaque: parts.iter().any(|p| opaque_writes(p)) }
    }

    /// Takes the invariant statements out of `stmts` (at any depth of its
    /// `if` blocks; inner loops are done already) into `hoist`, in order,
    /// and returns what is left. `inside` holds the values defined in the
    /// loop; a value moved out leaves it.
    fn extract(&mut self, stmts: Vec<Stmt>, inside: &mut HashSet<Value>, hoist: &mut Hoist) -> Vec<Stmt> {
        let mut kept = Vec::with_capacity(stmts.len());
        for s in stmts {
            match s {
                Stmt::If { cond, then, otherwise } => {
                    let then = self.extract(then, inside, hoist);
                    let otherwise = self.extract(otherwise, inside, hoist);
                    kept.push(Stmt::If { cond, then, otherwise });
                }
                s if self.invariant(&s, inside, &hoist.barrier) => {
                    for v in defines(&s) {
                        inside.remove(&v);
                    }
                    let s = self.with_constants_outside(s, inside, hoist);
                    hoist.stmts.push(s);
                    hoist.moved += 1;
                }
                s => kept.push(s),
            }
        }
        kept
    }

    /// `s` reading, instead of each constant defined in the loop, a copy
    /// made before the loop (one per constant value). The loop keeps its
    /// own: later passes recognise repeated index arithmetic inside a loop
    /// by its constants (`ir::batch`, `ir::group_tables`), and Cranelift
    /// materialises constants where they are used anyway.
    fn with_constants_outside(&mut self, s: Stmt, inside: &HashSet<Value>, hoist: &mut Hoist) -> Stmt {
        let rename = |v: Value, this: &mut Self, hoist: &mut Hoist| -> Value {
            if !inside.contains(&v) {
                return v;
            }
            // Only constants are both inside and readable by an invariant.
            let Some(c) = this.constants.get(&v).cloned() else { return v };
            let key = constant_key(&c);
            if let Some(&copy) = hoist.copies.get(&key) {
                return copy;
            }
            let copy = this.func.new_value(this.func.type_of(v));
            this.constants.insert(copy, c.clone());
            hoist.stmts.push(Stmt::Let { dst: copy, expr: c });
            hoist.copies.insert(key, copy);
            copy
        };
        match s {
            Stmt::Let { dst, expr } => Stmt::Let { dst, expr: map_expr(&expr, |v| rename(v, self, hoist)) },
            Stmt::Call { dst, partials, func, args } => {
                let args = args
                    .into_iter()
                    .map(|a| match a {
                        CallArg::Value(v) => CallArg::Value(rename(v, self, hoist)),
                        a => a,
                    })
                    .collect();
                Stmt::Call { dst, partials, func, args }
            }
            s => s,
        }
    }

    /// Whether `s` computes the same values on every iteration and may run
    /// before the loop. Constants themselves stay (see
    /// [`Self::with_constants_outside`]).
    fn invariant(&self, s: &Stmt, inside: &HashSet<Value>, barrier: &Barrier) -> bool {
        let outside = |v: &Value| !inside.contains(v) || self.constants.contains_key(v);
        match s {
            Stmt::Let { expr, .. } => match expr {
                Expr::F64(_) | Expr::I64(_) | Expr::Target | Expr::ChunkIndex => false,
                Expr::Unary(_, x) => outside(x),
                Expr::Binary(BinaryOp::Div | BinaryOp::Rem, a, b) => {
                    // Integer division traps on zero; float division cannot.
                    outside(a) && outside(b) && self.func.type_of(*a) == ScalarType::F64
                }
                Expr::Binary(_, a, b) | Expr::Cmp(_, a, b) => outside(a) && outside(b),
                Expr::Select { cond, then, otherwise } => outside(cond) && outside(then) && outside(otherwise),
                Expr::Load { buf, index } => {
                    let len = self.module.buffer(*buf).len;
                    let in_range = matches!(self.constants.get(index), Some(Expr::I64(k)) if *k >= 0 && (*k as usize) < len);
                    let arena = self.module.buffer(*buf).arena;
                    let opaque = barrier.opaque && matches!(arena, Arena::Work | Arena::IntWork);
                    in_range && !barrier.written.contains(buf) && !opaque
                }
            },
            Stmt::Call { func, args, .. } => {
                pure_symbols().contains(func.symbol.as_str()) && args.iter().all(|a| matches!(a, CallArg::Value(v) if outside(v)))
            }
            _ => false,
        }
    }
}

/// What moves out of one loop.
struct Hoist {
    barrier: Barrier,
    /// The statements to place before the loop, in order.
    stmts: Vec<Stmt>,
    /// The copies of the loop's constants made before it, by constant.
    copies: HashMap<(u8, u64), Value>,
    /// Statements moved (not counting the constants' copies).
    moved: usize,
}

impl Hoist {
    fn new(barrier: Barrier) -> Hoist {
        Hoist { barrier, stmts: Vec::new(), copies: HashMap::new(), moved: 0 }
    }

    /// Keeps before the loop only the statements that pay for moving: the
    /// calls, divisions and square roots, what is computed from them (its
    /// derivative would otherwise be taken on every iteration of the
    /// reverse loop), and what they read. The rest (loads of scalar
    /// parameters, cheap arithmetic on them) is returned, in order, to go
    /// back to the top of the loop body: moved, each would cost the
    /// gradient an adjoint cell (set to zero before the loop, summed after
    /// it) to save a load per iteration, more than it saves in the short
    /// loops of small models (eight schools: 3.5% more instructions), and
    /// Cranelift moves pure arithmetic out of the loop anyway. Copies of
    /// constants stay: what goes back may read them.
    fn keep_only_what_pays(&mut self) -> Vec<Stmt> {
        let operands = |s: &Stmt| {
            let mut out = Vec::new();
            uses_in(std::slice::from_ref(s), &mut out);
            out
        };
        // Forward: the costly statements and what is computed from them;
        // the constants' copies stay too.
        let mut costly_values: HashSet<Value> = HashSet::new();
        let mut pays = Vec::with_capacity(self.stmts.len());
        for s in &self.stmts {
            let costly = pays_to_move(s) || operands(s).iter().any(|v| costly_values.contains(v));
            if costly {
                costly_values.extend(defines(s));
            }
            pays.push(costly || matches!(s, Stmt::Let { expr: Expr::F64(_) | Expr::I64(_), .. }));
        }
        // Backward: what those read.
        let mut needed: HashSet<Value> = HashSet::new();
        for (i, s) in self.stmts.iter().enumerate().rev() {
            if pays[i] || defines(s).iter().any(|v| needed.contains(v)) {
                pays[i] = true;
                needed.extend(operands(s));
            }
        }
        let mut back = Vec::new();
        let mut keep = Vec::new();
        for (s, pays) in std::mem::take(&mut self.stmts).into_iter().zip(pays) {
            if pays {
                keep.push(s);
            } else {
                self.moved -= 1;
                back.push(s);
            }
        }
        self.stmts = keep;
        back
    }
}

/// Whether computing `s` costs enough to pay for moving it out of a loop:
/// a call, a division or a square root.
pub(super) fn pays_to_move(s: &Stmt) -> bool {
    matches!(s, Stmt::Call { .. } | Stmt::Let { expr: Expr::Binary(BinaryOp::Div, ..) | Expr::Unary(UnaryOp::Sqrt, _), .. })
}

/// A constant's type and bits, to share one copy per constant.
fn constant_key(c: &Expr) -> (u8, u64) {
    match c {
        Expr::F64(x) => (0, x.to_bits()),
        Expr::I64(k) => (1, *k as u64),
        // Only constants are in `Pass::constants`.
        _ => (2, 0),
    }
}

/// The buffers a loop writes, and whether it may write others unseen.
struct Barrier {
    written: HashSet<BufferId>,
    opaque: bool,
}

/// Whether `stmts` call a user function or run chunks: code that may
/// write work buffers no argument names.
pub(super) fn opaque_writes(stmts: &[Stmt]) -> bool {
    stmts.iter().any(|s| match s {
        Stmt::Call { func, .. } => super::user_function_index(&func.symbol).is_some(),
        Stmt::RunChunks { .. } => true,
        Stmt::For { body, .. } => opaque_writes(body),
        Stmt::If { then, otherwise, .. } => opaque_writes(then) || opaque_writes(otherwise),
        Stmt::While { cond_block, body, .. } => opaque_writes(cond_block) || opaque_writes(body),
        _ => false,
    })
}

/// The values a hoistable statement defines.
fn defines(s: &Stmt) -> Vec<Value> {
    match s {
        Stmt::Let { dst, .. } => vec![*dst],
        Stmt::Call { dst, partials, .. } => dst.iter().chain(partials).copied().collect(),
        _ => Vec::new(),
    }
}

/// The stdlib functions that compute a value from values alone, reading
/// and writing no memory and never stopping the evaluation.
pub(super) fn pure_symbols() -> &'static HashSet<&'static str> {
    static PURE: OnceLock<HashSet<&'static str>> = OnceLock::new();
    PURE.get_or_init(|| {
        hbmc_stdlib::symbols()
            .into_iter()
            .filter(|s| {
                matches!(
                    s.kind,
                    SymbolKind::Math | SymbolKind::Partial { .. } | SymbolKind::Grad { .. } | SymbolKind::Lpdf | SymbolKind::LpdfGrad { .. } | SymbolKind::IntOfReal
                )
            })
            .map(|s| s.name)
            .collect()
    })
}
