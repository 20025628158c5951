//! Which loops fill a buffer in windows that move with the loop variable:
//! every store of iteration `v` lands in `A v + [lo, hi]` with `hi - lo <
//! |A|` (`A` of either sign), and every load reads an earlier window, an
//! element no iteration writes, or what this iteration stored there before. Such a loop
//! carries nothing from one iteration to the next that the reverse sweep
//! must save: recomputing an iteration from the values the loop left
//! reads what the forward iteration read. Indices are affine in the loop
//! variable, the variables of inner loops (within their ranges) and values
//! fixed for the whole loop: `gamma[t, k] = f(gamma[t - 1, j])` of a
//! forward algorithm stores at `K t + k` and loads at `K (t - 1) + j`.
//! (`carry::element_wise` handles the one-dimensional `var + c` case.)

use crate::ir::{BinaryOp, BufferId, CallArg, Expr, Stmt, Value};
use std::collections::{BTreeMap, HashMap, HashSet};

/// An integer index as `sum(coefficient * symbol) + constant`; symbols are
/// values the analysis does not look through (loop variables, loads).
#[derive(Clone, Debug, PartialEq, Eq)]
struct Affine {
    terms: BTreeMap<Value, i64>,
    constant: i64,
}

impl Affine {
    fn constant(k: i64) -> Affine {
        Affine { terms: BTreeMap::new(), constant: k }
    }

    fn symbol(v: Value) -> Affine {
        Affine { terms: BTreeMap::from([(v, 1)]), constant: 0 }
    }

    /// `self + s * other`, `None` on overflow.
    fn add_scaled(mut self, other: &Affine, s: i64) -> Option<Affine> {
        for (&v, &c) in &other.terms {
            let e = self.terms.entry(v).or_insert(0);
            *e = e.checked_add(c.checked_mul(s)?)?;
            if *e == 0 {
                self.terms.remove(&v);
            }
        }
        self.constant = self.constant.checked_add(other.constant.checked_mul(s)?)?;
        Some(self)
    }

    fn scaled(&self, s: i64) -> Option<Affine> {
        Affine::constant(0).add_scaled(self, s)
    }
}

/// `v` as an affine form; a value the analysis cannot look through is a
/// symbol of its own.
fn affine(v: Value, consts: &HashMap<Value, i64>, defs: &HashMap<Value, Expr>, depth: usize) -> Affine {
    if let Some(&k) = consts.get(&v) {
        return Affine::constant(k);
    }
    if depth > 32 {
        return Affine::symbol(v);
    }
    let form = |x: Value| affine(x, consts, defs, depth + 1);
    let combined = match defs.get(&v) {
        Some(Expr::Binary(BinaryOp::Add, a, b)) => form(*a).add_scaled(&form(*b), 1),
        Some(Expr::Binary(BinaryOp::Sub, a, b)) => form(*a).add_scaled(&form(*b), -1),
        Some(Expr::Binary(BinaryOp::Mul, a, b)) => match (consts.get(a), consts.get(b)) {
            (Some(&k), _) => form(*b).scaled(k),
            (_, Some(&k)) => form(*a).scaled(k),
            _ => None,
        },
        _ => None,
    };
    combined.unwrap_or_else(|| Affine::symbol(v))
}

/// One access to the buffer, in program order.
struct Access {
    index: Affine,
    load: bool,
    store: bool,
}

/// The accesses to `b` in `stmts`; `None` when a call touches it.
fn accesses(stmts: &[Stmt], b: BufferId, consts: &HashMap<Value, i64>, defs: &HashMap<Value, Expr>, out: &mut Vec<Access>) -> Option<()> {
    for s in stmts {
        let form = |i: Value| affine(i, consts, defs, 0);
        match s {
            Stmt::Let { expr: Expr::Load { buf, index }, .. } if *buf == b => out.push(Access { index: form(*index), load: true, store: false }),
            Stmt::Store { buf, index, .. } if *buf == b => out.push(Access { index: form(*index), load: false, store: true }),
            Stmt::Accumulate { buf, index, .. } if *buf == b => out.push(Access { index: form(*index), load: true, store: true }),
            Stmt::Call { args, .. } if args.iter().any(|a| matches!(a, CallArg::Buffer { buf, .. } if *buf == b)) => return None,
            Stmt::For { body, .. } => accesses(body, b, consts, defs, out)?,
            Stmt::If { then, otherwise, .. } => {
                accesses(then, b, consts, defs, out)?;
                accesses(otherwise, b, consts, defs, out)?;
            }
            Stmt::While { cond_block, body, .. } => {
                accesses(cond_block, b, consts, defs, out)?;
                accesses(body, b, consts, defs, out)?;
            }
            _ => {}
        }
    }
    Some(())
}

/// Values defined in `stmts` (by `let` or as loop variables), and the loop
/// variables among them.
fn defined(stmts: &[Stmt], all: &mut HashSet<Value>, loop_vars: &mut HashSet<Value>) {
    for s in stmts {
        match s {
            Stmt::Let { dst, .. } | Stmt::TapeLoad { dst, .. } => {
                all.insert(*dst);
            }
            Stmt::Call { dst, partials, .. } => {
                all.extend(dst.iter().copied());
                all.extend(partials.iter().copied());
            }
            Stmt::For { var, body, .. } => {
                all.insert(*var);
                loop_vars.insert(*var);
                defined(body, all, loop_vars);
            }
            Stmt::If { then, otherwise, .. } => {
                defined(then, all, loop_vars);
                defined(otherwise, all, loop_vars);
            }
            Stmt::While { cond_block, body, .. } => {
                defined(cond_block, all, loop_vars);
                defined(body, all, loop_vars);
            }
            _ => {}
        }
    }
}

/// Where one access falls: its coefficient of the loop variable, the
/// symbols fixed for the whole loop with their coefficients, and the
/// range of the rest over the inner loops' variables.
struct Window {
    along: i64,
    fixed: BTreeMap<Value, i64>,
    lo: i64,
    hi: i64,
}

fn window(a: &Affine, var: Value, inside: &HashSet<Value>, inner: &HashSet<Value>, ranges: &HashMap<Value, (i64, i64)>) -> Option<Window> {
    let mut w = Window { along: 0, fixed: BTreeMap::new(), lo: a.constant, hi: a.constant };
    for (&v, &c) in &a.terms {
        if v == var {
            w.along = c;
        } else if inner.contains(&v) {
            let &(lo, hi) = ranges.get(&v)?;
            let (x, y) = (c.checked_mul(lo)?, c.checked_mul(hi)?);
            w.lo = w.lo.checked_add(x.min(y))?;
            w.hi = w.hi.checked_add(x.max(y))?;
        } else if inside.contains(&v) {
            // A value computed in the body (a loaded index): it may change
            // from one iteration to the next.
            return None;
        } else {
            w.fixed.insert(v, c);
        }
    }
    Some(w)
}

/// Whether the loop over `var` (its body `body`) fills `b` in moving
/// windows (see the module's documentation).
pub(super) fn fills_in_windows(var: Value, body: &[Stmt], b: BufferId, facts: &IndexFacts) -> bool {
    moving_windows(var, body, b, facts).is_some()
}

/// [`fills_in_windows`] as an `Option` (`?` for every step that can fail).
fn moving_windows(var: Value, body: &[Stmt], b: BufferId, facts: &IndexFacts) -> Option<()> {
    let IndexFacts { consts, defs, ranges } = facts;
    let mut acc = Vec::new();
    accesses(body, b, consts, defs, &mut acc)?;
    let (mut inside, mut inner) = (HashSet::new(), HashSet::new());
    defined(body, &mut inside, &mut inner);
    let windows: Vec<Window> = acc.iter().map(|a| window(&a.index, var, &inside, &inner, ranges)).collect::<Option<_>>()?;
    // The values fixed for the loop shift every access alike, or the
    // windows cannot be compared.
    let fixed = &windows.first()?.fixed;
    if windows.iter().any(|w| &w.fixed != fixed) {
        return None;
    }
    let stores: Vec<&Window> = acc.iter().zip(&windows).filter(|(a, _)| a.store).map(|(_, w)| w).collect();
    // A loop may fill forward (`A > 0`) or backward (`A < 0`, as a
    // backward recursion `chi[t] = f(chi[t + 1])` for `t = T - s`).
    let step = stores.first()?.along;
    if step == 0 || stores.iter().any(|w| w.along != step) {
        return None;
    }
    let lo = stores.iter().map(|w| w.lo).min()?;
    let hi = stores.iter().map(|w| w.hi).max()?;
    // One iteration's window ends before the next one's starts.
    if hi.checked_sub(lo)? >= step.checked_abs()? {
        return None;
    }
    let &(first, last) = ranges.get(&var)?;
    let (from_first, from_last) = (step.checked_mul(first)?, step.checked_mul(last)?);
    let all_lo = from_first.min(from_last).checked_add(lo)?;
    let all_hi = from_first.max(from_last).checked_add(hi)?;
    let mut stored: Vec<&Affine> = Vec::new();
    for (a, w) in acc.iter().zip(&windows) {
        if a.load {
            // Earlier iterations' windows lie below this one's when the
            // loop fills forward, above it when it fills backward.
            let earlier = w.along == step && if step > 0 { w.hi < lo } else { w.lo > hi };
            let untouched = w.along == 0 && (w.hi < all_lo || w.lo > all_hi);
            let own = stored.contains(&&a.index);
            if !(earlier || untouched || own) {
                return None;
            }
        }
        if a.store {
            stored.push(&a.index);
        }
    }
    Some(())
}

/// What is known of a function's integer index values once the data are
/// bound (`carry::index_facts`).
#[derive(Debug, Default)]
pub struct IndexFacts {
    /// Values that are constants.
    pub consts: HashMap<Value, i64>,
    /// Every value's defining expression, to look through.
    pub defs: HashMap<Value, Expr>,
    /// Ranges of loop variables and of sums, products... of them.
    pub ranges: HashMap<Value, (i64, i64)>,
}

/// Whether the elements of `b` that `reads` reads and those `writes`
/// writes are provably apart, for any values of the loop variables around
/// both (fixed while they run): `gamma[t - 1, j]` read and `gamma[t, k]`
/// written, `j` and `k` within `1..K`, differ by `K + k - j > 0`. A
/// block's reverse then needs no copy of `b` from between them.
pub(super) fn apart(reads: &[Stmt], writes: &[Stmt], b: BufferId, facts: &IndexFacts) -> bool {
    let collect = |stmts: &[Stmt]| {
        let mut acc = Vec::new();
        accesses(stmts, b, &facts.consts, &facts.defs, &mut acc).map(|()| acc)
    };
    let (Some(r), Some(w)) = (collect(reads), collect(writes)) else { return false };
    let (mut inside, mut inner) = (HashSet::new(), HashSet::new());
    defined(reads, &mut inside, &mut inner);
    defined(writes, &mut inside, &mut inner);
    let loads = r.iter().filter(|a| a.load);
    loads.into_iter().all(|x| {
        w.iter().filter(|a| a.store).all(|y| {
            // The difference of the two indices, over the ranges of what
            // it still depends on: a value fixed for both cancels; one
            // computed in them (not a loop variable) may be anything.
            let Some(d) = x.index.clone().add_scaled(&y.index, -1) else { return false };
            let (mut lo, mut hi) = (d.constant, d.constant);
            for (v, &c) in &d.terms {
                if inside.contains(v) && !inner.contains(v) {
                    return false;
                }
                let Some(&(a, z)) = facts.ranges.get(v) else { return false };
                let (Some(p), Some(q)) = (c.checked_mul(a), c.checked_mul(z)) else { return false };
                let (Some(l), Some(h)) = (lo.checked_add(p.min(q)), hi.checked_add(p.max(q))) else { return false };
                (lo, hi) = (l, h);
            }
            lo > 0 || hi < 0
        })
    })
}
