//! Values the gradient computes and never uses, removed.
//!
//! The reverse sweep recomputes each loop iteration before differentiating
//! it, and a nested loop once more where its enclosing block is
//! recomputed: a recomputed `log(r11)` whose value only fed the target
//! (already summed by the forward sweep) is dead there. Cranelift drops
//! dead arithmetic itself but keeps a dead library call (it cannot know
//! the callee is pure), and a call to `log` costs about 70 instructions
//! (electric_covariance_conditional made four dead ones per cell).
//! So every call whose arguments are all scalars or buffers it only reads
//! (the library's pure math and reductions: no buffer it could write, no
//! random number generator) and whose results are never used is removed, with the arithmetic that fed only
//! it, to a fixed point. Loads stay (the reference interpreter checks
//! their bounds, an oracle for lowering), as does every statement with an
//! effect, except in one case: a loop or branch whose body is only values
//! (loads and arithmetic) that nothing after it uses. The reverse sweep
//! makes those when a recomputed iteration's results all went (a loop over
//! 96 cells of electric_covariance_conditional re-reading its data and
//! parameters, about 30 instructions an iteration, for nothing): it reads
//! only what the forward sweep of the same function already read, at the
//! same indices, so the interpreter has checked those bounds there.
//!
//! The recomputed iteration also stores its results again (`alpha[p, g]`
//! of a per-group loop: two stores per cell of electric_covariance, with
//! the arithmetic that makes them), though nothing reads them after the
//! reverse sweep has passed. A store or an addition (`+=`) into a scratch
//! buffer (`Work`, `IntWork`) that no later statement can read (no used
//! load of an overlapping buffer after it, in its enclosing loops, or by a
//! call given a buffer) is removed too: the recomputed iteration's sum of
//! density terms (`tmp.lpdf += binomial_lpmf(...)` in Survey_model, whose
//! sum the forward sweep already added; each term's library call went
//! with it). Scratch is read by nothing outside the function:
//! each compiled function recomputes what it needs, and adjoints are
//! zeroed by the gradient's prologue, so the final contents of scratch
//! carry no meaning.

use crate::ir::{user_function_index, Arena, BufferId, CType, CallArg, Expr, Function, MessagePart, Module, Stmt, Value};
use crate::lower::SymbolTable;
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

/// Removes `func`'s dead scratch stores, dead pure calls and the dead
/// arithmetic feeding them (`module` gives the buffers' arenas and
/// extents, to see which overlap).
pub fn prune(func: &mut Function, module: &Module) {
    // The stores' pass walks each loop's body once per enclosing loop (a
    // large gradient's slowest pass): it runs again only after it removed
    // something, once the calls and blocks that made unused are gone.
    let call_tapes: HashSet<BufferId> = (0..module.buffers.len())
        .map(|i| BufferId(i as u32))
        .filter(|&b| module.buffer(b).name.starts_with(super::value_tape::CALL_TAPE_PREFIX))
        .collect();
    loop {
        let mut used = HashSet::new();
        uses(&func.body, &mut used);
        let stores = remove_dead_stores(&mut func.body, module, &mut Live::default(), &used);
        loop {
            used.clear();
            uses(&func.body, &mut used);
            let calls = remove_dead(&mut func.body, &used, &call_tapes) | partials_alone(&mut func.body, &used);
            let mut counts = HashMap::new();
            each_use(&func.body, &mut |v| *counts.entry(v).or_insert(0usize) += 1);
            let blocks = remove_dead_blocks(&mut func.body, &counts);
            if !calls && !blocks {
                break;
            }
        }
        if !stores {
            return;
        }
    }
}

/// Every value some statement reads.
fn uses(stmts: &[Stmt], used: &mut HashSet<Value>) {
    each_use(stmts, &mut |v| {
        used.insert(v);
    });
}

/// Calls `f` with each value some statement of `stmts` (nested blocks
/// included) reads, once per read.
pub(super) fn each_use(stmts: &[Stmt], f: &mut impl FnMut(Value)) {
    for s in stmts {
        match s {
            Stmt::Let { expr, .. } => match expr {
                Expr::Load { index, .. } => f(*index),
                Expr::Unary(_, x) => f(*x),
                Expr::Binary(_, a, b) | Expr::Cmp(_, a, b) => {
                    f(*a);
                    f(*b);
                }
                Expr::Select { cond, then, otherwise } => {
                    f(*cond);
                    f(*then);
                    f(*otherwise);
                }
                Expr::F64(_) | Expr::I64(_) | Expr::Target | Expr::ChunkIndex => {}
            },
            Stmt::Call { args, .. } => {
                for a in args {
                    match a {
                        CallArg::Value(v) | CallArg::Buffer { offset: v, .. } => f(*v),
                        CallArg::Rng => {}
                    }
                }
            }
            Stmt::Store { index, value, .. } | Stmt::Accumulate { index, value, .. } => {
                f(*index);
                f(*value);
            }
            Stmt::AddTarget(v) => f(*v),
            Stmt::For { start, end, body, .. } => {
                f(*start);
                f(*end);
                each_use(body, f);
            }
            Stmt::If { cond, then, otherwise } => {
                f(*cond);
                each_use(then, f);
                each_use(otherwise, f);
            }
            Stmt::While { cond_block, cond, body } => {
                f(*cond);
                each_use(cond_block, f);
                each_use(body, f);
            }
            Stmt::Print(parts) | Stmt::Reject(parts) => {
                for p in parts {
                    if let MessagePart::Value(v) = p {
                        f(*v);
                    }
                }
            }
            Stmt::TapeSave { slot, value, .. } => {
                f(*slot);
                f(*value);
            }
            Stmt::TapeLoad { slot, .. } => f(*slot),
            Stmt::Break | Stmt::Continue | Stmt::RunChunks { .. } => {}
        }
    }
}

/// Removes the loops and branches of `stmts` (nested blocks included)
/// whose bodies only compute values (`Let`, and loops and branches of
/// them) that no statement outside them reads, given `counts`, the number
/// of reads of each value in the whole function; whether any was removed.
/// `while` loops stay: removing one could make a function that does not
/// end one that does.
fn remove_dead_blocks(stmts: &mut Vec<Stmt>, counts: &HashMap<Value, usize>) -> bool {
    let before = stmts.len();
    stmts.retain(|s| !(matches!(s, Stmt::For { .. } | Stmt::If { .. }) && only_values(std::slice::from_ref(s)) && unread_outside(s, counts)));
    let mut removed = stmts.len() != before;
    for s in stmts.iter_mut() {
        match s {
            Stmt::For { body, .. } => removed |= remove_dead_blocks(body, counts),
            Stmt::If { then, otherwise, .. } => {
                removed |= remove_dead_blocks(then, counts);
                removed |= remove_dead_blocks(otherwise, counts);
            }
            Stmt::While { cond_block, body, .. } => {
                removed |= remove_dead_blocks(cond_block, counts);
                removed |= remove_dead_blocks(body, counts);
            }
            _ => {}
        }
    }
    removed
}

/// Whether `stmts` only compute values: `Let`s, and `for` loops and
/// branches of them.
fn only_values(stmts: &[Stmt]) -> bool {
    stmts.iter().all(|s| match s {
        Stmt::Let { .. } => true,
        Stmt::For { body, .. } => only_values(body),
        Stmt::If { then, otherwise, .. } => only_values(then) && only_values(otherwise),
        _ => false,
    })
}

/// Whether no value `s` defines (its `Let`s, loop variables) is read
/// outside `s`: every read of each is one of `s`'s own.
fn unread_outside(s: &Stmt, counts: &HashMap<Value, usize>) -> bool {
    let mut inner: HashMap<Value, usize> = HashMap::new();
    each_use(std::slice::from_ref(s), &mut |v| *inner.entry(v).or_insert(0) += 1);
    let mut defs = Vec::new();
    defined(std::slice::from_ref(s), &mut defs);
    defs.iter().all(|d| counts.get(d).copied().unwrap_or(0) == inner.get(d).copied().unwrap_or(0))
}

/// The values `stmts` define: `Let`s and loop variables, nested included.
fn defined(stmts: &[Stmt], out: &mut Vec<Value>) {
    for s in stmts {
        match s {
            Stmt::Let { dst, .. } => out.push(*dst),
            Stmt::For { var, body, .. } => {
                out.push(*var);
                defined(body, out);
            }
            Stmt::If { then, otherwise, .. } => {
                defined(then, out);
                defined(otherwise, out);
            }
            _ => {}
        }
    }
}

/// The buffers some statement still to run may read.
#[derive(Clone, Default)]
struct Live {
    bufs: HashSet<BufferId>,
    /// A statement still to run may read any buffer (a user function call,
    /// chunks run by other functions).
    all: bool,
}

impl Live {
    fn union(&mut self, other: Live) {
        self.bufs.extend(other.bufs);
        self.all |= other.all;
    }

    /// Whether a store into `buf` may be read later: some live buffer
    /// shares an element with it.
    fn may_read(&self, buf: BufferId, module: &Module) -> bool {
        if self.all {
            return true;
        }
        let b = module.buffer(buf);
        self.bufs.iter().any(|l| {
            let l = module.buffer(*l);
            l.arena == b.arena && l.offset < b.offset + b.len && b.offset < l.offset + l.len
        })
    }
}

/// Adds every buffer `stmts` may read (nested blocks included) to `live`;
/// `used` as for [`read_of`].
fn reads(stmts: &[Stmt], live: &mut Live, used: &HashSet<Value>) {
    for s in stmts {
        read_of(s, live, used);
        match s {
            Stmt::For { body, .. } => reads(body, live, used),
            Stmt::If { then, otherwise, .. } => {
                reads(then, live, used);
                reads(otherwise, live, used);
            }
            Stmt::While { cond_block, body, .. } => {
                reads(cond_block, live, used);
                reads(body, live, used);
            }
            _ => {}
        }
    }
}

/// Adds the buffers the statement `s` itself reads (not its nested
/// blocks) to `live`. A load whose value nothing uses (`used`: the values
/// some statement reads) reads nothing that matters: it stays for the
/// interpreter's bounds check, but what it finds is never looked at (the
/// reverse sweep's recomputed `lp = tmp.lpdf[0]` after the terms were
/// added into `tmp.lpdf` again).
fn read_of(s: &Stmt, live: &mut Live, used: &HashSet<Value>) {
    match s {
        Stmt::Let { dst, expr: Expr::Load { buf, .. } } => {
            if used.contains(dst) {
                live.bufs.insert(*buf);
            }
        }
        // `+=` reads the old value, but only to put the sum where it was:
        // that old value matters when the sum does, when the buffer is
        // live after it already (liveness is per buffer and no store ends
        // it), so it adds nothing to `live`.
        Stmt::Call { func, args, .. } => {
            // A user function may read its caller's buffers through
            // arguments; a library function reads only those it is given.
            if user_function_index(&func.symbol).is_some() {
                live.all = true;
            }
            for a in args {
                if let CallArg::Buffer { buf, .. } = a {
                    live.bufs.insert(*buf);
                }
            }
        }
        Stmt::RunChunks { .. } => live.all = true,
        Stmt::Print(parts) | Stmt::Reject(parts) => {
            for p in parts {
                if let MessagePart::Buffer(buf, _) = p {
                    live.bufs.insert(*buf);
                }
            }
        }
        _ => {}
    }
}

/// Removes the stores and additions (`+=`) into scratch of `stmts` that
/// nothing after them can read, given `live`, what may be read after
/// `stmts`, and `used` (see [`read_of`]); on return `live` is what may be
/// read before them. Whether any was removed.
fn remove_dead_stores(stmts: &mut Vec<Stmt>, module: &Module, live: &mut Live, used: &HashSet<Value>) -> bool {
    let mut keep = vec![true; stmts.len()];
    let mut removed = false;
    for (at, s) in stmts.iter_mut().enumerate().rev() {
        match s {
            Stmt::Store { buf, .. } | Stmt::Accumulate { buf, .. } => {
                let scratch = matches!(module.buffer(*buf).arena, Arena::Work | Arena::IntWork);
                keep[at] = !scratch || live.may_read(*buf, module);
            }
            // The body runs again after itself: what any iteration reads
            // is live throughout it.
            Stmt::For { body, .. } => {
                reads(body, live, used);
                removed |= remove_dead_stores(body, module, live, used);
            }
            Stmt::While { cond_block, body, .. } => {
                reads(cond_block, live, used);
                reads(body, live, used);
                removed |= remove_dead_stores(body, module, live, used);
                removed |= remove_dead_stores(cond_block, module, live, used);
            }
            Stmt::If { then, otherwise, .. } => {
                let mut other = live.clone();
                removed |= remove_dead_stores(then, module, live, used);
                removed |= remove_dead_stores(otherwise, module, &mut other, used);
                live.union(other);
            }
            _ => read_of(s, live, used),
        }
    }
    removed |= keep.contains(&false);
    let mut at = 0;
    stmts.retain(|_| {
        at += 1;
        keep[at - 1]
    });
    removed
}

/// Removes the dead statements of `stmts` (nested blocks included);
/// whether any was removed.
fn remove_dead(stmts: &mut Vec<Stmt>, used: &HashSet<Value>, call_tapes: &HashSet<BufferId>) -> bool {
    let before = stmts.len();
    stmts.retain(|s| match s {
        // Loads from a call's tape (`value_tape`) are in bounds by
        // construction: unused, they go like arithmetic.
        Stmt::Let { dst, expr } => used.contains(dst) || matches!(expr, Expr::Load { buf, .. } if !call_tapes.contains(buf)),
        Stmt::TapeLoad { dst, .. } => used.contains(dst),
        Stmt::Call { dst: Some(dst), partials, args, func } => {
            // A user function may reject (or recurse too deep): not pure.
            // A routine given buffers it only reads (`PtrConstF64`) is pure
            // too: the reverse sweep recomputes `hbm_normal_sum_vec` of a
            // prior whose value the forward sweep already added.
            let pure = args.iter().zip(&func.params).all(|(a, t)| match a {
                CallArg::Value(_) => true,
                CallArg::Buffer { .. } => *t == crate::ir::CType::PtrConstF64,
                CallArg::Rng => false,
            }) && user_function_index(&func.symbol).is_none();
            !pure || used.contains(dst) || partials.iter().any(|p| used.contains(p))
        }
        _ => true,
    });
    let mut removed = stmts.len() != before;
    for s in stmts.iter_mut() {
        match s {
            Stmt::For { body, .. } => removed |= remove_dead(body, used, call_tapes),
            Stmt::If { then, otherwise, .. } => {
                removed |= remove_dead(then, used, call_tapes);
                removed |= remove_dead(otherwise, used, call_tapes);
            }
            Stmt::While { cond_block, body, .. } => {
                removed |= remove_dead(cond_block, used, call_tapes);
                removed |= remove_dead(body, used, call_tapes);
            }
            _ => {}
        }
    }
    removed
}

/// The `_grad` symbols of the stdlib's scalar math (value and partials of
/// one plain function).
fn math_grads() -> &'static HashSet<&'static str> {
    static GRADS: OnceLock<HashSet<&'static str>> = OnceLock::new();
    GRADS.get_or_init(|| {
        hbmc_stdlib::symbols()
            .into_iter()
            .filter(|s| matches!(s.kind, hbmc_stdlib::SymbolKind::Grad { .. }))
            .map(|s| s.name)
            .collect()
    })
}

/// A `_grad` call whose value nothing uses and of whose partials one is
/// used becomes the routine's `_d<k>` call for that partial; one whose
/// partials nothing uses becomes the plain call for its value (where the
/// stdlib has them). The reverse sweep takes value and every partial in
/// one call, since the value is often wanted too (a fused loop's terms)
/// and it cannot tell which arguments are active; where less is read, less
/// is the cheaper call (`log1p_exp`'s partial is one `exp` where value and
/// partial are an `exp` and a `log1p`; `pow(x, c)` with data `c` needs no
/// `ln x`; `log_rising_factorial(a, n)` with a count n no `digamma`; no
/// `_d<k>` or value costs more than its `_grad`).
fn partials_alone(stmts: &mut [Stmt], used: &HashSet<Value>) -> bool {
    static SYMBOLS: OnceLock<SymbolTable> = OnceLock::new();
    let symbols = SYMBOLS.get_or_init(SymbolTable::from_stdlib);
    let mut changed = false;
    for s in stmts.iter_mut() {
        match s {
            Stmt::Call { dst: Some(dst), partials, func, args } if !partials.is_empty() => {
                let Some(base) = func.symbol.strip_suffix("_grad") else { continue };
                let reals: Vec<usize> = (0..args.len()).filter(|&i| func.params.get(i) == Some(&CType::F64)).collect();
                if reals.len() != partials.len() {
                    continue;
                }
                let read: Vec<usize> = (0..partials.len()).filter(|&i| used.contains(&partials[i])).collect();
                let value_read = used.contains(dst);
                let (name, dst) = match (value_read, &read[..]) {
                    (false, [i]) => (format!("{base}_d{}", reals[*i] + 1), partials[*i]),
                    // Only scalar math: its `_grad` returns the plain
                    // call's value to the bit (a density's `_grad` need not).
                    (true, []) if math_grads().contains(func.symbol.as_str()) => (base.to_string(), *dst),
                    _ => continue,
                };
                let Some(f) = symbols.get(&name) else { continue };
                *s = Stmt::Call { dst: Some(dst), partials: Vec::new(), func: f, args: std::mem::take(args) };
                changed = true;
            }
            Stmt::For { body, .. } => changed |= partials_alone(body, used),
            Stmt::If { then, otherwise, .. } => {
                changed |= partials_alone(then, used);
                changed |= partials_alone(otherwise, used);
            }
            Stmt::While { cond_block, body, .. } => {
                changed |= partials_alone(cond_block, used);
                changed |= partials_alone(body, used);
            }
            _ => {}
        }
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{BinaryOp, Buffer, CType, FuncRef, FunctionKind, ScalarType, UnaryOp};

    fn empty_module() -> Module {
        Module { buffers: vec![], arena_sizes: Default::default(), functions: vec![], odes: vec![] }
    }

    fn buffer(m: &mut Module, name: &str, arena: Arena, offset: usize, len: usize) -> BufferId {
        m.buffers.push(Buffer { name: name.into(), arena, offset, len });
        BufferId((m.buffers.len() - 1) as u32)
    }

    #[test]
    fn a_scratch_store_nothing_reads_later_goes_and_read_ones_stay() {
        let mut m = empty_module();
        let a = buffer(&mut m, "a", Arena::Work, 0, 4);
        let alias = buffer(&mut m, "alias", Arena::Work, 2, 4);
        let looped = buffer(&mut m, "looped", Arena::Work, 8, 4);
        let grad = buffer(&mut m, "grad", Arena::Grad, 0, 4);
        let mut f = Function::new(FunctionKind::Gradient);
        let i = f.new_value(ScalarType::I64);
        let x = f.new_value(ScalarType::F64);
        let twice = f.new_value(ScalarType::F64);
        let y = f.new_value(ScalarType::F64);
        let z = f.new_value(ScalarType::F64);
        let n = f.new_value(ScalarType::I64);
        let k = f.new_value(ScalarType::I64);
        f.body = vec![
            Stmt::Let { dst: i, expr: Expr::I64(3) },
            Stmt::Let { dst: x, expr: Expr::F64(2.0) },
            // Read later through an overlapping buffer: stays.
            Stmt::Store { buf: a, index: i, value: x },
            Stmt::Let { dst: y, expr: Expr::Load { buf: alias, index: i } },
            Stmt::AddTarget(y),
            // Read by the next iteration: stays.
            Stmt::Let { dst: n, expr: Expr::I64(4) },
            Stmt::For {
                var: k,
                start: i,
                end: n,
                body: vec![
                    Stmt::Let { dst: z, expr: Expr::Load { buf: looped, index: k } },
                    Stmt::AddTarget(z),
                    Stmt::Store { buf: looped, index: k, value: x },
                ],
            },
            // Nothing reads `a` after this: goes, with the arithmetic that
            // made its value.
            Stmt::Let { dst: twice, expr: Expr::Binary(BinaryOp::Add, x, x) },
            Stmt::Store { buf: a, index: i, value: twice },
            // An output, not scratch: stays.
            Stmt::Store { buf: grad, index: i, value: x },
        ];
        prune(&mut f, &m);
        let stores: Vec<BufferId> = flat(&f.body).into_iter().filter_map(|s| match s {
            Stmt::Store { buf, .. } => Some(*buf),
            _ => None,
        }).collect();
        assert_eq!(stores, vec![a, looped, grad], "{:?}", f.body);
        assert!(!f.body.iter().any(|s| matches!(s, Stmt::Let { dst, .. } if *dst == twice)), "{:?}", f.body);
    }

    #[test]
    fn a_scratch_sum_only_an_unused_load_reads_goes_with_its_terms() {
        let mut m = empty_module();
        let sum = buffer(&mut m, "tmp.lpdf", Arena::Work, 0, 1);
        let kept = buffer(&mut m, "kept", Arena::Work, 1, 1);
        let grad = buffer(&mut m, "grad", Arena::Grad, 0, 1);
        let mut f = Function::new(FunctionKind::Gradient);
        let (zero, four, k) = (f.new_value(ScalarType::I64), f.new_value(ScalarType::I64), f.new_value(ScalarType::I64));
        let (x, term, unused, y, z) = (
            f.new_value(ScalarType::F64),
            f.new_value(ScalarType::F64),
            f.new_value(ScalarType::F64),
            f.new_value(ScalarType::F64),
            f.new_value(ScalarType::F64),
        );
        f.body = vec![
            Stmt::Let { dst: zero, expr: Expr::I64(0) },
            Stmt::Let { dst: four, expr: Expr::I64(4) },
            Stmt::Let { dst: x, expr: Expr::F64(2.0) },
            Stmt::Store { buf: sum, index: zero, value: x },
            // A recomputed sum of terms: each `+=` reads the sum only to
            // add to it, and the load after the loop is not used.
            Stmt::For {
                var: k,
                start: zero,
                end: four,
                body: vec![
                    Stmt::Call { dst: Some(term), partials: vec![], func: log_ref(), args: vec![CallArg::Value(x)] },
                    Stmt::Accumulate { buf: sum, index: zero, value: term },
                    // Read after the loop and used: stays.
                    Stmt::Accumulate { buf: kept, index: zero, value: x },
                ],
            },
            Stmt::Let { dst: unused, expr: Expr::Load { buf: sum, index: zero } },
            Stmt::Let { dst: y, expr: Expr::Load { buf: kept, index: zero } },
            Stmt::Store { buf: grad, index: zero, value: y },
            // Not scratch: stays.
            Stmt::Accumulate { buf: grad, index: zero, value: x },
            Stmt::Let { dst: z, expr: Expr::F64(1.0) },
        ];
        prune(&mut f, &m);
        let writes: Vec<BufferId> = flat(&f.body).into_iter().filter_map(|s| match s {
            Stmt::Store { buf, .. } | Stmt::Accumulate { buf, .. } => Some(*buf),
            _ => None,
        }).collect();
        assert_eq!(writes, vec![kept, grad, grad], "{:?}", f.body);
        assert!(!flat(&f.body).iter().any(|s| matches!(s, Stmt::Call { .. })), "the terms' calls go too: {:?}", f.body);
        // The unused load stays (the interpreter checks its bounds).
        assert!(f.body.iter().any(|s| matches!(s, Stmt::Let { dst, .. } if *dst == unused)), "{:?}", f.body);
    }

    /// The statements of `stmts` and of their nested blocks, in order.
    fn flat(stmts: &[Stmt]) -> Vec<&Stmt> {
        let mut out = vec![];
        for s in stmts {
            out.push(s);
            if let Stmt::For { body, .. } = s {
                out.extend(flat(body));
            }
        }
        out
    }

    #[test]
    fn a_loop_of_values_nothing_reads_goes_and_others_stay() {
        let mut m = empty_module();
        let data = buffer(&mut m, "data", Arena::Data, 0, 8);
        let grad = buffer(&mut m, "grad", Arena::Grad, 0, 8);
        let mut f = Function::new(FunctionKind::Gradient);
        let (zero, eight) = (f.new_value(ScalarType::I64), f.new_value(ScalarType::I64));
        let v: Vec<Value> = (0..9).map(|_| f.new_value(ScalarType::F64)).collect();
        let k: Vec<Value> = (0..4).map(|_| f.new_value(ScalarType::I64)).collect();
        let values_only = |var: Value, a: Value, b: Value| Stmt::For {
            var,
            start: zero,
            end: eight,
            body: vec![
                Stmt::Let { dst: a, expr: Expr::Load { buf: data, index: var } },
                Stmt::Let { dst: b, expr: Expr::Binary(BinaryOp::Mul, a, a) },
            ],
        };
        f.body = vec![
            Stmt::Let { dst: zero, expr: Expr::I64(0) },
            Stmt::Let { dst: eight, expr: Expr::I64(8) },
            // Loads and arithmetic nothing reads, in a loop and in a branch
            // of a loop: both go.
            values_only(k[0], v[0], v[1]),
            Stmt::For {
                var: k[1],
                start: zero,
                end: eight,
                body: vec![Stmt::If { cond: k[1], then: vec![values_only(k[2], v[2], v[3])], otherwise: vec![] }],
            },
            // A loop whose value a store reads: stays.
            Stmt::For {
                var: k[3],
                start: zero,
                end: eight,
                body: vec![
                    Stmt::Let { dst: v[4], expr: Expr::Load { buf: data, index: k[3] } },
                    Stmt::Store { buf: grad, index: k[3], value: v[4] },
                ],
            },
        ];
        prune(&mut f, &m);
        let loops: Vec<Value> = f.body.iter().filter_map(|s| match s {
            Stmt::For { var, .. } => Some(*var),
            _ => None,
        }).collect();
        assert_eq!(loops, vec![k[3]], "{:?}", f.body);
        // A value of the loop read after it (as a carried value would be):
        // the loop stays.
        let mut g = Function::new(FunctionKind::Gradient);
        g.body = vec![
            Stmt::Let { dst: zero, expr: Expr::I64(0) },
            Stmt::Let { dst: eight, expr: Expr::I64(8) },
            values_only(k[0], v[0], v[1]),
            Stmt::AddTarget(v[1]),
        ];
        prune(&mut g, &m);
        assert!(g.body.iter().any(|s| matches!(s, Stmt::For { .. })), "{:?}", g.body);
    }

    fn log_ref() -> FuncRef {
        FuncRef { symbol: "hbm_log".into(), params: vec![CType::F64], ret: CType::F64 }
    }

    #[test]
    fn a_dead_pure_call_and_its_arithmetic_go_and_used_ones_stay() {
        let mut f = Function::new(FunctionKind::Gradient);
        let x = f.new_value(ScalarType::F64);
        let dead = f.new_value(ScalarType::F64);
        let neg = f.new_value(ScalarType::F64);
        let live = f.new_value(ScalarType::F64);
        let sum = f.new_value(ScalarType::F64);
        f.body = vec![
            Stmt::Let { dst: x, expr: Expr::F64(2.0) },
            Stmt::Call { dst: Some(dead), partials: vec![], func: log_ref(), args: vec![CallArg::Value(x)] },
            Stmt::Let { dst: neg, expr: Expr::Unary(UnaryOp::Neg, dead) },
            Stmt::Call { dst: Some(live), partials: vec![], func: log_ref(), args: vec![CallArg::Value(x)] },
            Stmt::Let { dst: sum, expr: Expr::Binary(BinaryOp::Add, live, x) },
            Stmt::AddTarget(sum),
        ];
        prune(&mut f, &empty_module());
        let calls = f.body.iter().filter(|s| matches!(s, Stmt::Call { .. })).count();
        assert_eq!(calls, 1, "{:?}", f.body);
        assert!(!f.body.iter().any(|s| matches!(s, Stmt::Let { dst, .. } if *dst == neg)));
        assert!(f.body.iter().any(|s| matches!(s, Stmt::Call { dst: Some(d), .. } if *d == live)));
        assert_eq!(f.body.len(), 4);
    }
}
