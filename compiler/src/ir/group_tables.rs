//! Per-group tables for a loop that `ir::batch` splits: arithmetic that
//! depends on the observation only through its group is done once per
//! group before the loop.
//!
//! In the linear predictor of a multilevel model,
//! `a[g[i]] + bxy * x[i] + bzy * z[g[i]]` with `a[k] = abar + tau * z_a[k]`
//! computed where it is read, the terms `abar + tau * z_a[j]` and
//! `bzy * z[j]` (with `j = g[i] - 1`) take the same value for every
//! observation of a group. Each such value (the largest expression of that
//! kind that something else in the loop uses) becomes a table `T[jj]` for
//! `jj` in `0..len`, filled by a loop placed right before the split loop,
//! and in the loop its `let` becomes `let v = T[j]`: one load instead of
//! the loads of the coefficients and of the group's data and the products.
//! A table holds what the loop computed (the same operations on the same
//! operands). One thing changes rounding: a sum of group values and other
//! terms, `((a[j] + b x) + c z[j])`, is reordered so that the group values
//! are added first, `(a[j] + c z[j]) + b x`, making one table of them (as
//! any reordering of additions; `ir::batch` changes the order of the
//! target's additions too).
//!
//! What may be moved into the table loop, which runs whatever the loop's
//! trip count: `let`s of floating-point arithmetic (which cannot trap),
//! constants, loads at a constant index inside their buffer, loads at the
//! group index of buffers the loop never writes, and values defined before
//! the loop. `len` is the shortest buffer loaded at the group index, so
//! the table loop's loads stay in bounds and every `j` the loop reads is a
//! valid index of the table (the loop itself loads those buffers at `j`).
//! A table is only made when there are at most a quarter as many groups as
//! iterations (both known at compile time), so the table loop costs little
//! next to what it saves.

use std::collections::{HashMap, HashSet};

use super::batch::{defined_in, map_expr, same_expr, uses_in, writes_in};
use super::{Arena, BinaryOp, BufferId, Expr, Function, Module, ScalarType, Stmt, Value};

/// How a value of the loop's prefix varies over iterations.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    /// The same in every iteration, and safe to compute before the loop.
    Invariant,
    /// A function of one index value (by its canonical name) and of
    /// invariant values, safe to compute for any index in range.
    Group(Value),
    /// Anything else.
    Varying,
}

/// The loop being split, as `tabulate` needs it.
pub(super) struct LoopShape<'a> {
    /// The loop variable.
    pub var: Value,
    /// The whole loop body (what it defines and writes).
    pub body: &'a [Stmt],
    /// Iterations, when known at compile time.
    pub trip: Option<i64>,
    /// Integer constants of the function (`let v = i64 c`).
    pub constants: &'a HashMap<Value, i64>,
    /// For the tables' names.
    pub name: &'a str,
}

/// The kinds of a prefix's top-level values.
struct Classes {
    /// A repeated expression's value -> the first one's.
    canon: HashMap<Value, Value>,
    kinds: HashMap<Value, Kind>,
    /// Each first value's expression, operands canonical.
    exprs: HashMap<Value, Expr>,
}

/// Gives equal expressions one name (lowering computes `g[i] - 1` once per
/// use) and each top-level `let` of `prefix` a kind.
fn classify(module: &Module, func: &Function, shape: &LoopShape<'_>, defined: &HashSet<Value>, written: &HashSet<BufferId>, prefix: &[Stmt]) -> Classes {
    let mut canon: HashMap<Value, Value> = HashMap::new();
    let mut seen: Vec<(Expr, Value)> = Vec::new();
    let mut kinds: HashMap<Value, Kind> = HashMap::new();
    let mut exprs: HashMap<Value, Expr> = HashMap::new();
    for s in prefix {
        let Stmt::Let { dst, expr } = s else { continue };
        let expr = map_expr(expr, |v| canon.get(&v).copied().unwrap_or(v));
        let repeatable = match &expr {
            Expr::Target | Expr::ChunkIndex => false,
            Expr::Load { buf, .. } => !written.contains(buf),
            _ => true,
        };
        if repeatable {
            if let Some(&(_, first)) = seen.iter().find(|(e, _)| same_expr(e, &expr)) {
                canon.insert(*dst, first);
                continue;
            }
            seen.push((expr.clone(), *dst));
        }
        let kind_of = |v: Value| if defined.contains(&v) { kinds.get(&v).copied().unwrap_or(Kind::Varying) } else { Kind::Invariant };
        let kind = match &expr {
            Expr::F64(_) | Expr::I64(_) => Kind::Invariant,
            Expr::Load { buf, index } if !written.contains(buf) => {
                let in_bounds = shape.constants.get(index).is_some_and(|&c| c >= 0 && (c as usize) < module.buffer(*buf).len);
                match kind_of(*index) {
                    Kind::Invariant if in_bounds => Kind::Invariant,
                    Kind::Invariant => Kind::Varying,
                    // A load at a per-iteration index computed at the
                    // prefix's top level: a function of it.
                    _ if kinds.contains_key(index) => Kind::Group(*index),
                    _ => Kind::Varying,
                }
            }
            Expr::Unary(_, x) => combine(&[kind_of(*x)]),
            Expr::Binary(op, a, b) => {
                // Integer division can trap: never moved.
                let integer = func.type_of(*dst) == ScalarType::I64;
                if integer && matches!(op, BinaryOp::Div | BinaryOp::Rem) {
                    Kind::Varying
                } else {
                    combine(&[kind_of(*a), kind_of(*b)])
                }
            }
            Expr::Cmp(_, a, b) => combine(&[kind_of(*a), kind_of(*b)]),
            Expr::Select { cond, then, otherwise } => combine(&[kind_of(*cond), kind_of(*then), kind_of(*otherwise)]),
            _ => Kind::Varying,
        };
        kinds.insert(*dst, kind);
        exprs.insert(*dst, expr);
    }
    Classes { canon, kinds, exprs }
}

/// Rewrites the loop's `prefix` so that each group-level value (module
/// docs) is loaded from a table; `rest` is the loop body after it. Returns
/// the statements that fill the tables, to run right before the loop
/// (empty when nothing changed).
pub(super) fn tabulate(module: &mut Module, func: &mut Function, shape: &LoopShape<'_>, prefix: &mut Vec<Stmt>, rest: &[Stmt]) -> Vec<Stmt> {
    let mut defined = HashSet::new();
    defined_in(shape.body, &mut defined);
    defined.insert(shape.var);
    let mut written = HashSet::new();
    writes_in(shape.body, &mut written);
    let mut classes = classify(module, func, shape, &defined, &written, prefix);
    if reassociate(func, &classes, prefix, rest, &mut defined) {
        classes = classify(module, func, shape, &defined, &written, prefix);
    }
    let Classes { canon, kinds, exprs } = classes;
    let c = |v: Value| canon.get(&v).copied().unwrap_or(v);
    let group_of = |v: Value| match kinds.get(&c(v)) {
        Some(Kind::Group(j)) => Some(*j),
        _ => None,
    };

    // Group values used by anything but group values of the same index:
    // the candidates for a table (a plain load gains nothing).
    let mut wanted: Vec<Value> = Vec::new();
    for s in prefix.iter().chain(rest) {
        // (A repeat of a group value counts as that value.)
        let user_group = match s {
            Stmt::Let { dst, .. } => group_of(*dst),
            _ => None,
        };
        let mut used = Vec::new();
        uses_in(std::slice::from_ref(s), &mut used);
        for u in used.into_iter().map(c) {
            let Some(j) = group_of(u) else { continue };
            let internal = user_group == Some(j);
            let plain_load = matches!(exprs.get(&u), Some(Expr::Load { .. }));
            if !internal && !plain_load && func.type_of(u) == ScalarType::F64 && !wanted.contains(&u) {
                wanted.push(u);
            }
        }
    }

    // The table length per index: the shortest buffer loaded at it.
    let mut lens: HashMap<Value, usize> = HashMap::new();
    for (v, e) in &exprs {
        if let (Some(Kind::Group(j)), Expr::Load { buf, .. }) = (kinds.get(v), e) {
            let len = module.buffer(*buf).len;
            lens.entry(*j).and_modify(|l| *l = (*l).min(len)).or_insert(len);
        }
    }
    let worth = |j: &Value| match (lens.get(j), shape.trip) {
        (Some(&len), Some(trip)) => len > 0 && (len as i64).saturating_mul(4) <= trip,
        _ => false,
    };
    wanted.retain(|v| group_of(*v).is_some_and(|j| worth(&j)));
    if wanted.is_empty() {
        return Vec::new();
    }

    // One fill loop per index, in the prefix's order.
    let mut indices: Vec<Value> = Vec::new();
    for v in &wanted {
        if let Some(j) = group_of(*v) {
            if !indices.contains(&j) {
                indices.push(j);
            }
        }
    }
    let mut fill = Vec::new();
    let mut tables: HashMap<Value, BufferId> = HashMap::new();
    for j in indices {
        let len = lens[&j];
        let mine: Vec<Value> = wanted.iter().copied().filter(|v| group_of(*v) == Some(j)).collect();
        // The statements the values need, in the prefix's order.
        let mut need: HashSet<Value> = mine.iter().copied().collect();
        let mut order: Vec<Value> = Vec::new();
        for s in prefix.iter().rev() {
            let Stmt::Let { dst, .. } = s else { continue };
            if !need.contains(dst) || !exprs.contains_key(dst) {
                continue;
            }
            order.push(*dst);
            let e = &exprs[dst];
            if matches!(e, Expr::Load { .. }) && kinds[dst] != Kind::Invariant {
                // Loaded at the group index, which the table loop replaces.
                continue;
            }
            map_expr(e, |u| {
                if defined.contains(&u) {
                    need.insert(c(u));
                }
                u
            });
        }
        order.reverse();
        let jj = func.new_value(ScalarType::I64);
        let mut rename: HashMap<Value, Value> = HashMap::new();
        let mut body = Vec::new();
        for v in &order {
            let e = &exprs[v];
            let copied = match e {
                Expr::Load { buf, .. } if kinds[v] != Kind::Invariant => Expr::Load { buf: *buf, index: jj },
                _ => map_expr(e, |u| rename.get(&u).copied().unwrap_or(u)),
            };
            let fresh = func.new_value(func.type_of(*v));
            body.push(Stmt::Let { dst: fresh, expr: copied });
            rename.insert(*v, fresh);
        }
        for (k, v) in mine.iter().enumerate() {
            let buf = module.add_buffer(format!("batch.{}.table{}_{k}", shape.name, j.0), Arena::Work, len);
            body.push(Stmt::Store { buf, index: jj, value: rename[v] });
            tables.insert(*v, buf);
        }
        let (start, end) = (func.new_value(ScalarType::I64), func.new_value(ScalarType::I64));
        fill.push(Stmt::Let { dst: start, expr: Expr::I64(0) });
        fill.push(Stmt::Let { dst: end, expr: Expr::I64(len as i64) });
        fill.push(Stmt::For { var: jj, start, end, body });
    }
    for s in prefix.iter_mut() {
        if let Stmt::Let { dst, expr } = s {
            // Repeats of a tabulated value load it too.
            if let (Some(&buf), Some(j)) = (tables.get(&c(*dst)), group_of(*dst)) {
                *expr = Expr::Load { buf, index: j };
            }
        }
    }
    fill
}

/// The kind of a value computed from values of these kinds.
fn combine(kinds: &[Kind]) -> Kind {
    let mut out = Kind::Invariant;
    for &k in kinds {
        out = match (out, k) {
            (Kind::Varying, _) | (_, Kind::Varying) => Kind::Varying,
            (Kind::Invariant, k) | (k, Kind::Invariant) => k,
            (Kind::Group(a), Kind::Group(b)) if a == b => Kind::Group(a),
            _ => Kind::Varying,
        };
    }
    out
}

/// Sums `x1 + x2 + ...` (a chain of top-level additions, each used only by
/// the next) with two or more group values of one index among other terms
/// are reordered so that the group values are added first: `((a[j] + b x)
/// + c z[j])` becomes `(a[j] + c z[j]) + b x`, whose first part is one
/// table. This changes the rounding of the sum (as any reordering of
/// additions), not what is summed. Returns whether anything changed; new
/// values are added to `defined`.
fn reassociate(func: &mut Function, classes: &Classes, prefix: &mut Vec<Stmt>, rest: &[Stmt], defined: &mut HashSet<Value>) -> bool {
    let c = |v: Value| classes.canon.get(&v).copied().unwrap_or(v);
    let group_of = |v: Value| match classes.kinds.get(&c(v)) {
        Some(Kind::Group(j)) => Some(*j),
        _ => None,
    };
    let mut uses: HashMap<Value, usize> = HashMap::new();
    let mut all = Vec::new();
    uses_in(prefix, &mut all);
    uses_in(rest, &mut all);
    for u in all {
        *uses.entry(u).or_default() += 1;
    }
    // The additions of the prefix: dst -> (left, right), unrepeated ones.
    let adds: HashMap<Value, (Value, Value)> = prefix
        .iter()
        .filter_map(|s| match s {
            Stmt::Let { dst, expr: Expr::Binary(BinaryOp::Add, a, b) } if func.type_of(*dst) == ScalarType::F64 && c(*dst) == *dst => Some((*dst, (*a, *b))),
            _ => None,
        })
        .collect();
    // Terms of a chain, left to right, through additions used once that
    // are not group values themselves.
    fn terms(v: Value, adds: &HashMap<Value, (Value, Value)>, uses: &HashMap<Value, usize>, inner: bool, out: &mut Vec<Value>, links: &mut Vec<Value>) {
        match adds.get(&v) {
            Some(&(a, b)) if !inner || uses.get(&v) == Some(&1) => {
                if inner {
                    links.push(v);
                }
                terms(a, adds, uses, true, out, links);
                terms(b, adds, uses, true, out, links);
            }
            _ => out.push(v),
        }
    }
    // Sums that are group values already are terms, not chains.
    let adds: HashMap<Value, (Value, Value)> = adds.into_iter().filter(|(v, _)| group_of(*v).is_none()).collect();
    let invariant = |v: Value| !defined.contains(&v) || classes.kinds.get(&c(v)) == Some(&Kind::Invariant);
    // Roots: additions that are not a link of a longer chain.
    let mut inner_of_some = HashSet::new();
    for &(a, b) in adds.values() {
        for v in [a, b] {
            if adds.contains_key(&v) && uses.get(&v) == Some(&1) {
                inner_of_some.insert(v);
            }
        }
    }
    let mut changed = false;
    let mut out = Vec::with_capacity(prefix.len());
    let mut dead: HashSet<Value> = HashSet::new();
    let mut fresh = Vec::new();
    for s in prefix.drain(..) {
        let Stmt::Let { dst, expr: Expr::Binary(BinaryOp::Add, _, _) } = &s else {
            out.push(s);
            continue;
        };
        let dst = *dst;
        if !adds.contains_key(&dst) || inner_of_some.contains(&dst) {
            out.push(s);
            continue;
        }
        let (mut leaves, mut links) = (Vec::new(), Vec::new());
        terms(dst, &adds, &uses, false, &mut leaves, &mut links);
        let first_group = leaves.iter().find_map(|&v| group_of(v));
        let Some(j) = first_group else {
            out.push(s);
            continue;
        };
        // The group's terms and the invariant ones first.
        let (group, other): (Vec<Value>, Vec<Value>) = leaves.iter().partition(|&&v| group_of(v) == Some(j) || invariant(v));
        if group.len() < 2 || other.is_empty() {
            out.push(s);
            continue;
        }
        // group sum first, then the other terms in their order.
        let mut acc = group[0];
        for &g in &group[1..] {
            let v = func.new_value(ScalarType::F64);
            out.push(Stmt::Let { dst: v, expr: Expr::Binary(BinaryOp::Add, acc, g) });
            fresh.push(v);
            acc = v;
        }
        for (k, &o) in other.iter().enumerate() {
            let v = if k + 1 == other.len() { dst } else { func.new_value(ScalarType::F64) };
            out.push(Stmt::Let { dst: v, expr: Expr::Binary(BinaryOp::Add, acc, o) });
            fresh.push(v);
            acc = v;
        }
        dead.extend(links);
        changed = true;
    }
    // The old links are used by nothing now.
    out.retain(|s| !matches!(s, Stmt::Let { dst, .. } if dead.contains(dst)));
    *prefix = out;
    defined.extend(fresh);
    changed
}
