//! IR pass: tables of what an inner loop computes the same in every
//! iteration of the loop around it.
//!
//! A finite mixture, as Stan's User's Guide writes it,
//!
//! ```stan
//! for (n in 1:N) {
//!   for (k in 1:K) lps[k] = log(theta[k]) + normal_lpdf(y[n] | mu[k], sigma[k]);
//!   target += log_sum_exp(lps);
//! }
//! ```
//!
//! takes `log(theta[k])`, `log(sigma[k])` and `1 / sigma[k]` for every `n`,
//! though they vary with `k` alone. `ir::licm` cannot move them (they are
//! not the same in every iteration of the `k` loop); this pass, run after
//! it, computes each into a table of `K` values, in a copy of the `k` loop
//! placed before the `n` loop, and the inner loop loads the table instead.
//! Run before [`crate::ad::differentiate`], the gradient then takes their
//! derivatives `K` times, not `N K` times: the table is a work buffer like
//! any other, its adjoints summed in the reverse of the `n` loop and taken
//! back through the copy once.
//!
//! What goes into a table: a statement at the top level of an inner loop
//! `M` (directly in the body of an outer loop `L`) that pays to move
//! (a library call, a division or a square root, as `ir::licm` judges it,
//! and what is computed from them), computed from `M`'s variable, values
//! defined before `L` and constants alone, through pure arithmetic
//! (integer division excepted), the stdlib's pure scalar functions (no
//! partials) and loads of buffers `L` does not write at indices affine in
//! `M`'s variable and inside the buffer over all of `M`'s range. `M`'s
//! bounds must be known when the model is compiled (constants, or integer
//! data: not transformed data, which are computed later), and `M` run at
//! least once and at most [`MAX_TABLE`] times. A loop `L` that calls a
//! user function or runs chunks keeps its loads of work buffers (they may
//! be written unseen).
//!
//! One level deeper likewise: what a loop `J` directly in `M`'s body
//! computes from `J`'s and `M`'s variables (an HMM's `log(theta[j, k])`
//! in `for (t) for (k) for (j)`) goes into a table of `|M| |J|` values
//! (at most [`MAX_TABLE`]), filled by a copy of both loops before `L`,
//! with loads at indices affine in both variables, inside their buffers at
//! every corner of the two loops' ranges.
//!
//! The copy runs even when `L` runs no iteration: its work is pure and its
//! loads are inside their buffers, so that costs time only.
//!
//! The same for what a loop computes from one element of a buffer read at
//! an index that varies (`y[n] ~ normal(mu[g[n]], sigma[g[n]])`:
//! `log(sigma[j])` and `1 / sigma[j]` with `j = g[n] - 1`), from values
//! defined before the loop and constants: a table over the whole buffer,
//! `T[i] = f(sigma[i])`, filled before the loop, which loads `T[j]`. The
//! loop reads `sigma[j]` itself, so `j` is inside `sigma` and the table
//! (as long as the shortest buffer read at `j`). Only when the buffer has
//! at most half as many elements as the loop has iterations, both known
//! when the model is compiled. An inner loop's reads at an index varying
//! with it and with the loop around it (LDA's `log(theta[doc[n], k])` and
//! `log(phi[k, w[n]])` in `for (n) for (k)`) are counted over both loops'
//! iterations, and their table is filled before the outer loop: the whole
//! buffer once, not one element per read.

use super::batch::{defined_in, definitions, map_expr, uses_in, writes_in};
use super::chunks::collect_constants;
use super::licm::{opaque_writes, pays_to_move, pure_symbols};
use super::{Arena, BinaryOp, Buffer, BufferId, CallArg, Expr, Function, FunctionKind, Module, ScalarType, Stmt, Value};
use std::collections::{HashMap, HashSet};

/// The most elements of one table (an inner loop's trip count).
pub const MAX_TABLE: i64 = 4096;

/// Tabulates the inner-loop invariants of the module's `LogDensity` and
/// `Generate` functions (see the module docs), reading integer data from
/// `int_data_init` (the `IntData` arena before transformed data run).
/// Returns how many tables it made.
pub fn tabulate_inner_invariants(module: &mut Module, int_data_init: &[i64]) -> usize {
    // Integer buffers that transformed data write are not known yet.
    let mut computed_later = HashSet::new();
    if let Some(td) = module.function(FunctionKind::TransformedData) {
        writes_in(&td.body, &mut computed_later);
    }
    let mut tables = 0;
    module.rewrite_bodies(&[FunctionKind::LogDensity, FunctionKind::Generate], |module, func, body| {
        let lets = definitions(&body);
        let mut constants = HashMap::new();
        collect_constants(&body, &mut constants);
        let mut pass = Pass { module, func, lets, constants, int_data: int_data_init, computed_later: &computed_later, tables: 0 };
        let body = pass.block(body);
        tables += pass.tables;
        body
    });
    tables
}

struct Pass<'a> {
    module: &'a mut Module,
    func: &'a mut Function,
    /// The expression of every `let` of the function (each value is
    /// defined once).
    lets: HashMap<Value, Expr>,
    /// Every constant of the function, by value.
    constants: HashMap<Value, Expr>,
    int_data: &'a [i64],
    computed_later: &'a HashSet<BufferId>,
    tables: usize,
}

/// An inner loop's variable and its range, known at compile time.
#[derive(Clone, Copy)]
struct InnerLoop {
    var: Value,
    lo: i64,
    hi: i64,
}

impl Pass<'_> {
    /// `stmts` with the tables of each loop in them built before it.
    fn block(&mut self, stmts: Vec<Stmt>) -> Vec<Stmt> {
        let mut out = Vec::with_capacity(stmts.len());
        for s in stmts {
            match s {
                Stmt::For { var, start, end, body } => {
                    let mut body = self.block(body);
                    // The trip count, when known at compile time.
                    let trip = self.int_const(start, 0).zip(self.int_const(end, 0)).map(|(s, e)| e - s);
                    if trip.is_none_or(|t| t > 1) {
                        let mut inside = HashSet::from([var]);
                        defined_in(&body, &mut inside);
                        let mut written = HashSet::new();
                        writes_in(&body, &mut written);
                        let outer = Outer { inside: &inside, written: &written, opaque: opaque_writes(&body) };
                        for stmt in body.iter_mut() {
                            let Stmt::For { var: m, start: s_m, end: e_m, body: inner } = stmt else { continue };
                            let (Some(lo), Some(hi)) = (self.int_const(*s_m, 0), self.int_const(*e_m, 0)) else { continue };
                            if !(1..=MAX_TABLE).contains(&(hi - lo)) {
                                continue;
                            }
                            let m = InnerLoop { var: *m, lo, hi };
                            out.extend(self.tabulate_pairs(m, inner, &outer));
                            if let Some(before) = self.tabulate(m, inner, &outer) {
                                out.extend(before);
                            }
                            // What the inner loop computes from an element
                            // read at an index varying with both loops
                            // (LDA's `log(theta[doc[n], k])`): a table over
                            // the whole buffer, filled before this loop,
                            // when the buffer is small beside the inner
                            // body's runs over both loops.
                            if let Some(trip) = trip {
                                out.extend(self.tabulate_gathers(trip.saturating_mul(hi - lo), inner, &outer));
                            }
                        }
                        if let Some(trip) = trip {
                            out.extend(self.tabulate_gathers(trip, &mut body, &outer));
                        }
                    }
                    out.push(Stmt::For { var, start, end, body });
                }
                Stmt::While { cond_block, cond, body } => {
                    let cond_block = self.block(cond_block);
                    let body = self.block(body);
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

    /// Builds the tables of `inner`'s body (the loop `m` inside the outer
    /// loop described by `outer`), rewrites the body to load them, and
    /// returns the statements that fill them, to go before the outer loop;
    /// `None` when nothing pays.
    fn tabulate(&mut self, m: InnerLoop, inner: &mut Vec<Stmt>, outer: &Outer) -> Option<Vec<Stmt>> {
        // The statements computed from `m`, values from before the outer
        // loop and constants alone, in order.
        let mut from_m: HashSet<Value> = HashSet::new();
        let mut member = vec![false; inner.len()];
        for (j, s) in inner.iter().enumerate() {
            if self.computed_from(s, &[m], &from_m, outer) {
                member[j] = true;
                from_m.extend(defines(s));
            }
        }
        let tabulated = costly_values_read_elsewhere(inner, &member);
        if tabulated.is_empty() {
            return None;
        }
        // What the tabulated values are computed from.
        let slice = slice_of(inner, &member, &tabulated, |_| true);

        // Before the outer loop: a copy of the inner loop computing the
        // slice and storing each tabulated value.
        let mut before = Vec::new();
        let lo = self.new_let(&mut before, Expr::I64(m.lo), ScalarType::I64);
        let hi = self.new_let(&mut before, Expr::I64(m.hi), ScalarType::I64);
        let var = self.func.new_value(ScalarType::I64);
        let mut renamed: HashMap<Value, Value> = HashMap::from([(m.var, var)]);
        let mut body = self.copy_slice(inner, &slice, &mut renamed, outer, &mut before);
        let at = self.func.new_value(ScalarType::I64);
        body.push(Stmt::Let { dst: at, expr: Expr::Binary(BinaryOp::Sub, var, lo) });
        let mut tables = Vec::new();
        for &v in &tabulated {
            let buf = self.new_table(v, (m.hi - m.lo) as usize);
            // Every tabulated value has its copy: the slice holds its definition.
            body.push(Stmt::Store { buf, index: at, value: renamed[&v] });
            tables.push((v, buf));
        }
        before.push(Stmt::For { var, start: lo, end: hi, body });

        // The inner loop loads the tables instead, and drops what only
        // they needed.
        let mut rewritten = Vec::with_capacity(inner.len() + 2);
        let lo_in = self.func.new_value(ScalarType::I64);
        let at_in = self.func.new_value(ScalarType::I64);
        rewritten.push(Stmt::Let { dst: lo_in, expr: Expr::I64(m.lo) });
        rewritten.push(Stmt::Let { dst: at_in, expr: Expr::Binary(BinaryOp::Sub, m.var, lo_in) });
        for s in std::mem::take(inner) {
            match defines(&s).first().and_then(|d| tables.iter().find(|(v, _)| v == d)) {
                Some(&(v, buf)) => rewritten.push(Stmt::Let { dst: v, expr: Expr::Load { buf, index: at_in } }),
                None => rewritten.push(s),
            }
        }
        *inner = drop_unused(rewritten, &from_m);
        Some(before)
    }

    /// Builds the tables of what the loop body `body` computes from one
    /// element of a buffer read at an index that varies (`sigma[g[n]]`:
    /// `log(sigma[j])` and `1 / sigma[j]` with `j = g[n] - 1`), with values
    /// from before the loop and constants: each over the whole buffer,
    /// `T[i] = f(sigma[i])`, when it has at most half as many elements as
    /// the loop has iterations (`trip`); the body then loads `T[j]`.
    /// Returns the statements that fill the tables, to go before the loop.
    fn tabulate_gathers(&mut self, trip: i64, body: &mut Vec<Stmt>, outer: &Outer) -> Vec<Stmt> {
        // Each value computed from loads at one index value (the key).
        let mut key_of: HashMap<Value, Value> = HashMap::new();
        let mut sources: HashMap<Value, Vec<BufferId>> = HashMap::new();
        let mut member = vec![false; body.len()];
        let invariant = |v: &Value, this: &Self| !outer.inside.contains(v) || this.constants.contains_key(v);
        for (j, s) in body.iter().enumerate() {
            let key = match s {
                Stmt::Let { expr: Expr::Load { buf, index }, .. } if outer.inside.contains(index) && !self.constants.contains_key(index) => {
                    let buffer = self.module.buffer(*buf);
                    let opaque = outer.opaque && matches!(buffer.arena, Arena::Work | Arena::IntWork);
                    if outer.written.contains(buf) || opaque || buffer.len == 0 {
                        continue;
                    }
                    sources.entry(*index).or_default().push(*buf);
                    Some(*index)
                }
                Stmt::Let { expr: Expr::Load { .. } | Expr::F64(_) | Expr::I64(_) | Expr::Target | Expr::ChunkIndex, .. } => None,
                Stmt::Let { expr: Expr::Binary(BinaryOp::Div | BinaryOp::Rem, a, _), .. } if self.func.type_of(*a) != ScalarType::F64 => None,
                Stmt::Let { .. } | Stmt::Call { dst: Some(_), .. } => {
                    if let Stmt::Call { partials, func, args, .. } = s {
                        let pure = partials.is_empty() && pure_symbols().contains(func.symbol.as_str());
                        if !pure || !args.iter().all(|a| matches!(a, CallArg::Value(_))) {
                            continue;
                        }
                    }
                    let mut operands = Vec::new();
                    uses_in(std::slice::from_ref(s), &mut operands);
                    let mut key = None;
                    let mut ok = true;
                    for v in &operands {
                        match key_of.get(v) {
                            Some(k) if key.is_none_or(|key| key == *k) => key = Some(*k),
                            Some(_) => ok = false,
                            None => ok &= invariant(v, self),
                        }
                    }
                    key.filter(|_| ok)
                }
                _ => None,
            };
            if let Some(key) = key {
                member[j] = true;
                for v in defines(s) {
                    key_of.insert(v, key);
                }
            }
        }
        // Indexing `key_of` and `sources` cannot fail below: every value
        // tabulated is defined by a member, every member's value has a key,
        // and every key began as the index of a load recorded in `sources`.
        let tabulated = costly_values_read_elsewhere(body, &member);
        let mut keys: Vec<Value> = Vec::new();
        for v in &tabulated {
            if !keys.contains(&key_of[v]) {
                keys.push(key_of[v]);
            }
        }
        let mut before = Vec::new();
        let mut tables: HashMap<Value, BufferId> = HashMap::new();
        for key in keys {
            // The table covers every index the loop may read: the shortest
            // buffer read at the key (the loop reads each at that index).
            let len = sources[&key].iter().map(|b| self.module.buffer(*b).len).min().unwrap_or(0);
            if len == 0 || (len as i64).saturating_mul(2) > trip {
                continue;
            }
            let mine: Vec<Value> = tabulated.iter().copied().filter(|v| key_of[v] == key).collect();
            // Only this key's statements: the key itself (and what it is
            // computed from) is the table's index.
            let slice = slice_of(body, &member, &mine, |v| key_of[&v] == key);
            let zero = self.new_let(&mut before, Expr::I64(0), ScalarType::I64);
            let end = self.new_let(&mut before, Expr::I64(len as i64), ScalarType::I64);
            let var = self.func.new_value(ScalarType::I64);
            let mut renamed: HashMap<Value, Value> = HashMap::from([(key, var)]);
            let mut fill = self.copy_slice(body, &slice, &mut renamed, outer, &mut before);
            for &v in &mine {
                let buf = self.new_table(v, len);
                // The slice holds every tabulated value's definition.
                fill.push(Stmt::Store { buf, index: var, value: renamed[&v] });
                tables.insert(v, buf);
            }
            before.push(Stmt::For { var, start: zero, end, body: fill });
        }
        if tables.is_empty() {
            return before;
        }
        let rewritten = std::mem::take(body)
            .into_iter()
            .map(|s| match defines(&s).first().and_then(|d| tables.get(d).map(|b| (*d, *b))) {
                Some((v, buf)) => Stmt::Let { dst: v, expr: Expr::Load { buf, index: key_of[&v] } },
                None => s,
            })
            .collect();
        let removable: HashSet<Value> = key_of.keys().copied().collect();
        *body = drop_unused(rewritten, &removable);
        before
    }

    /// Whether `s` (at the top level of the innermost of the nested inner
    /// loops `nest`) computes its values from their variables, the values
    /// of `from`, values from before the outer loop and constants alone,
    /// and may run before the outer loop.
    fn computed_from(&self, s: &Stmt, nest: &[InnerLoop], from: &HashSet<Value>, outer: &Outer) -> bool {
        let ok = |v: &Value| nest.iter().any(|m| m.var == *v) || from.contains(v) || !outer.inside.contains(v) || self.constants.contains_key(v);
        match s {
            Stmt::Let { expr, .. } => match expr {
                Expr::F64(_) | Expr::I64(_) | Expr::Target | Expr::ChunkIndex => false,
                Expr::Unary(_, x) => ok(x),
                Expr::Binary(BinaryOp::Div | BinaryOp::Rem, a, b) => ok(a) && ok(b) && self.func.type_of(*a) == ScalarType::F64,
                Expr::Binary(_, a, b) | Expr::Cmp(_, a, b) => ok(a) && ok(b),
                Expr::Select { cond, then, otherwise } => ok(cond) && ok(then) && ok(otherwise),
                Expr::Load { buf, index } => {
                    let buffer = self.module.buffer(*buf);
                    let opaque = outer.opaque && matches!(buffer.arena, Arena::Work | Arena::IntWork);
                    let vars: Vec<Value> = nest.iter().map(|m| m.var).collect();
                    // Inside the buffer at every corner of the nest's box.
                    let in_range = self.known().affine_in(*index, &vars, 0).is_some_and(|(a, b)| {
                        let (mut first, mut last) = (b, b);
                        for (a, m) in a.iter().zip(nest) {
                            let (x, y) = (a * m.lo, a * (m.hi - 1));
                            first += x.min(y);
                            last += x.max(y);
                        }
                        let len = buffer.len as i64;
                        (0..len).contains(&first) && (0..len).contains(&last)
                    });
                    ok(index) && in_range && !outer.written.contains(buf) && !opaque
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

    /// Builds the tables of what each loop `j` directly in the body of the
    /// inner loop `m` computes from `j`, `m`, values from before the outer
    /// loop and constants: an HMM's `log(theta[j, k])` in `for (t) for (k)
    /// for (j)`, one table of `|m| |j|` values per quantity, filled by a
    /// copy of both loops before the outer loop. Rewrites the `j` loops to
    /// load the tables and returns the statements that fill them.
    fn tabulate_pairs(&mut self, m: InnerLoop, m_body: &mut Vec<Stmt>, outer: &Outer) -> Vec<Stmt> {
        let mut before = Vec::new();
        let mut from_m: HashSet<Value> = HashSet::new();
        let mut member_m = vec![false; m_body.len()];
        for (i, s) in m_body.iter().enumerate() {
            if self.computed_from(s, &[m], &from_m, outer) {
                member_m[i] = true;
                from_m.extend(defines(s));
            }
        }
        for pos in 0..m_body.len() {
            let Stmt::For { var, start, end, .. } = &m_body[pos] else { continue };
            let (Some(lo), Some(hi)) = (self.int_const(*start, 0), self.int_const(*end, 0)) else { continue };
            let j = InnerLoop { var: *var, lo, hi };
            let cells = (m.hi - m.lo).saturating_mul(hi - lo);
            if !(1..=MAX_TABLE).contains(&(hi - lo)) || cells > MAX_TABLE {
                continue;
            }
            let Stmt::For { body, .. } = &mut m_body[pos] else { continue };
            let mut j_body = std::mem::take(body);
            let fill = self.tabulate_pair(m, j, &mut j_body, m_body, &member_m, &from_m, outer);
            if let Stmt::For { body, .. } = &mut m_body[pos] {
                *body = j_body;
            }
            before.extend(fill);
        }
        if !before.is_empty() {
            *m_body = drop_unused(std::mem::take(m_body), &from_m);
        }
        before
    }

    /// [`Self::tabulate_pairs`] for one loop `j` (its body `j_body`, taken
    /// out of `m_body`, whose statements `member_m` are computed from `m`
    /// alone, defining `from_m`).
    #[allow(clippy::too_many_arguments)]
    fn tabulate_pair(
        &mut self,
        m: InnerLoop,
        j: InnerLoop,
        j_body: &mut Vec<Stmt>,
        m_body: &[Stmt],
        member_m: &[bool],
        from_m: &HashSet<Value>,
        outer: &Outer,
    ) -> Vec<Stmt> {
        let mut from = from_m.clone();
        let mut from_j: HashSet<Value> = HashSet::new();
        let mut member_j = vec![false; j_body.len()];
        for (i, s) in j_body.iter().enumerate() {
            if self.computed_from(s, &[m, j], &from, outer) {
                member_j[i] = true;
                from.extend(defines(s));
                from_j.extend(defines(s));
            }
        }
        let tabulated = costly_values_read_elsewhere(j_body, &member_j);
        if tabulated.is_empty() {
            return Vec::new();
        }
        let slice_j = slice_of(j_body, &member_j, &tabulated, |_| true);
        // The values of `m`'s body that the slice reads.
        let mut read = Vec::new();
        for (s, _) in j_body.iter().zip(&slice_j).filter(|(_, &in_slice)| in_slice) {
            uses_in(std::slice::from_ref(s), &mut read);
        }
        let needed: Vec<Value> = read.into_iter().filter(|v| from_m.contains(v)).collect();
        let slice_m = slice_of(m_body, member_m, &needed, |_| true);

        // Before the outer loop: copies of both loops storing each value at
        // (m - lo_m) |j| + (j - lo_j).
        let mut before = Vec::new();
        let lo_m = self.new_let(&mut before, Expr::I64(m.lo), ScalarType::I64);
        let hi_m = self.new_let(&mut before, Expr::I64(m.hi), ScalarType::I64);
        let lo_j = self.new_let(&mut before, Expr::I64(j.lo), ScalarType::I64);
        let hi_j = self.new_let(&mut before, Expr::I64(j.hi), ScalarType::I64);
        let width = self.new_let(&mut before, Expr::I64(j.hi - j.lo), ScalarType::I64);
        let var_m = self.func.new_value(ScalarType::I64);
        let var_j = self.func.new_value(ScalarType::I64);
        let mut renamed: HashMap<Value, Value> = HashMap::from([(m.var, var_m), (j.var, var_j)]);
        let mut m_copy = self.copy_slice(m_body, &slice_m, &mut renamed, outer, &mut before);
        let mut j_copy = self.copy_slice(j_body, &slice_j, &mut renamed, outer, &mut before);
        let at = self.cell_index(&mut j_copy, (var_m, lo_m), (var_j, lo_j), width);
        let mut tables = Vec::new();
        for &v in &tabulated {
            let buf = self.new_table(v, ((m.hi - m.lo) * (j.hi - j.lo)) as usize);
            // Every tabulated value has its copy: the slice holds its definition.
            j_copy.push(Stmt::Store { buf, index: at, value: renamed[&v] });
            tables.push((v, buf));
        }
        m_copy.push(Stmt::For { var: var_j, start: lo_j, end: hi_j, body: j_copy });
        before.push(Stmt::For { var: var_m, start: lo_m, end: hi_m, body: m_copy });

        // The `j` loop loads the tables instead.
        let mut rewritten = Vec::with_capacity(j_body.len() + 8);
        let lo_m_in = self.new_let(&mut rewritten, Expr::I64(m.lo), ScalarType::I64);
        let lo_j_in = self.new_let(&mut rewritten, Expr::I64(j.lo), ScalarType::I64);
        let width_in = self.new_let(&mut rewritten, Expr::I64(j.hi - j.lo), ScalarType::I64);
        let at_in = self.cell_index(&mut rewritten, (m.var, lo_m_in), (j.var, lo_j_in), width_in);
        for s in std::mem::take(j_body) {
            match defines(&s).first().and_then(|d| tables.iter().find(|(v, _)| v == d)) {
                Some(&(v, buf)) => rewritten.push(Stmt::Let { dst: v, expr: Expr::Load { buf, index: at_in } }),
                None => rewritten.push(s),
            }
        }
        *j_body = drop_unused(rewritten, &from_j);
        before
    }

    /// Appends to `stmts` the index `(m - lo_m) width + (j - lo_j)` of a
    /// cell of a two-loop table; returns it.
    fn cell_index(&mut self, stmts: &mut Vec<Stmt>, (m, lo_m): (Value, Value), (j, lo_j): (Value, Value), width: Value) -> Value {
        let dm = self.new_let(stmts, Expr::Binary(BinaryOp::Sub, m, lo_m), ScalarType::I64);
        let row = self.new_let(stmts, Expr::Binary(BinaryOp::Mul, dm, width), ScalarType::I64);
        let dj = self.new_let(stmts, Expr::Binary(BinaryOp::Sub, j, lo_j), ScalarType::I64);
        self.new_let(stmts, Expr::Binary(BinaryOp::Add, row, dj), ScalarType::I64)
    }

    /// What is known of integer values when the model is compiled.
    fn known(&self) -> KnownInts<'_> {
        KnownInts { lets: &self.lets, buffers: &self.module.buffers, int_data: self.int_data, computed_later: self.computed_later }
    }

    fn int_const(&self, v: Value, depth: usize) -> Option<i64> {
        self.known().int_const(v, depth)
    }

    /// Copies of the statements of `stmts` marked in `slice`, reading the
    /// copies of what they read (`renamed`, which gains their values) and,
    /// for a constant defined in the outer loop, a copy of it made in
    /// `before`.
    fn copy_slice(&mut self, stmts: &[Stmt], slice: &[bool], renamed: &mut HashMap<Value, Value>, outer: &Outer, before: &mut Vec<Stmt>) -> Vec<Stmt> {
        let mut copies = Vec::new();
        for (s, _) in stmts.iter().zip(slice).filter(|(_, &in_slice)| in_slice) {
            // Slices hold only lets and calls with a result.
            let Some(&old) = defines(s).first() else { continue };
            let mut operands = Vec::new();
            uses_in(std::slice::from_ref(s), &mut operands);
            for v in operands {
                match self.constants.get(&v).cloned() {
                    Some(c) if outer.inside.contains(&v) && !renamed.contains_key(&v) => {
                        let copy = self.new_let(before, c, self.func.type_of(v));
                        renamed.insert(v, copy);
                    }
                    _ => {}
                }
            }
            let dst = self.func.new_value(self.func.type_of(old));
            if let Some(copy) = copy_definition(s, dst, |v| renamed.get(&v).copied().unwrap_or(v)) {
                renamed.insert(old, dst);
                copies.push(copy);
            }
        }
        copies
    }

    /// A new table of `len` elements of `v`'s type.
    fn new_table(&mut self, v: Value, len: usize) -> BufferId {
        let arena = if self.func.type_of(v) == ScalarType::F64 { Arena::Work } else { Arena::IntWork };
        self.tables += 1;
        self.module.add_buffer(format!("table#{}", self.module.buffers.len()), arena, len)
    }

    /// Appends `let v = expr` to `stmts`; returns `v`.
    fn new_let(&mut self, stmts: &mut Vec<Stmt>, expr: Expr, ty: ScalarType) -> Value {
        let v = self.func.new_value(ty);
        self.lets.insert(v, expr.clone());
        if matches!(expr, Expr::I64(_) | Expr::F64(_)) {
            self.constants.insert(v, expr.clone());
        }
        stmts.push(Stmt::Let { dst: v, expr });
        v
    }
}

/// Integer values known when the model is compiled: constants and integer
/// data (not transformed data, which are computed later), through the
/// `let`s of one function.
pub(super) struct KnownInts<'a> {
    /// The expression of every `let` of the function.
    pub lets: &'a HashMap<Value, Expr>,
    pub buffers: &'a [Buffer],
    /// The `IntData` arena before transformed data run.
    pub int_data: &'a [i64],
    /// Integer buffers that transformed data write.
    pub computed_later: &'a HashSet<BufferId>,
}

impl KnownInts<'_> {
    /// The value of integer `v` when the model is compiled: constants and
    /// integer data (not transformed data) combined by `+`, `-` and `*`.
    pub fn int_const(&self, v: Value, depth: usize) -> Option<i64> {
        if depth > 16 {
            return None;
        }
        match self.lets.get(&v)? {
            Expr::I64(k) => Some(*k),
            Expr::Binary(op @ (BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul), a, b) => {
                let (a, b) = (self.int_const(*a, depth + 1)?, self.int_const(*b, depth + 1)?);
                match op {
                    BinaryOp::Add => a.checked_add(b),
                    BinaryOp::Sub => a.checked_sub(b),
                    _ => a.checked_mul(b),
                }
            }
            Expr::Load { buf, index } => {
                let buffer = &self.buffers[buf.0 as usize];
                if buffer.arena != Arena::IntData || self.computed_later.contains(buf) {
                    return None;
                }
                let i = usize::try_from(self.int_const(*index, depth + 1)?).ok().filter(|&i| i < buffer.len)?;
                self.int_data.get(buffer.offset + i).copied()
            }
            _ => None,
        }
    }

    /// `v` as `a · vars + b` (one coefficient per variable) with `a` and `b`
    /// known when the model is compiled.
    pub fn affine_in(&self, v: Value, vars: &[Value], depth: usize) -> Option<(Vec<i64>, i64)> {
        if let Some(i) = vars.iter().position(|x| *x == v) {
            let mut a = vec![0; vars.len()];
            a[i] = 1;
            return Some((a, 0));
        }
        if let Some(k) = self.int_const(v, depth) {
            return Some((vec![0; vars.len()], k));
        }
        if depth > 16 {
            return None;
        }
        let combine = |(a1, b1): (Vec<i64>, i64), (a2, b2): (Vec<i64>, i64), f: fn(i64, i64) -> Option<i64>| -> Option<(Vec<i64>, i64)> {
            let a = a1.iter().zip(&a2).map(|(x, y)| f(*x, *y)).collect::<Option<Vec<i64>>>()?;
            Some((a, f(b1, b2)?))
        };
        match self.lets.get(&v)? {
            Expr::Binary(BinaryOp::Add, a, b) => combine(self.affine_in(*a, vars, depth + 1)?, self.affine_in(*b, vars, depth + 1)?, i64::checked_add),
            Expr::Binary(BinaryOp::Sub, a, b) => combine(self.affine_in(*a, vars, depth + 1)?, self.affine_in(*b, vars, depth + 1)?, i64::checked_sub),
            Expr::Binary(BinaryOp::Mul, a, b) => {
                let ((a1, b1), (a2, b2)) = (self.affine_in(*a, vars, depth + 1)?, self.affine_in(*b, vars, depth + 1)?);
                // One side must be a constant (no coefficient).
                let scale = |a: &[i64], k: i64, b: i64| -> Option<(Vec<i64>, i64)> {
                    Some((a.iter().map(|x| x.checked_mul(k)).collect::<Option<Vec<i64>>>()?, b.checked_mul(k)?))
                };
                if a1.iter().all(|x| *x == 0) {
                    scale(&a2, b1, b2)
                } else if a2.iter().all(|x| *x == 0) {
                    scale(&a1, b2, b1)
                } else {
                    None
                }
            }
            _ => None,
        }
    }
}

/// The outer loop a table is built before.
struct Outer<'a> {
    /// The values defined in it (its variable included).
    inside: &'a HashSet<Value>,
    /// The buffers it writes.
    written: &'a HashSet<BufferId>,
    /// Whether it may write work buffers unseen (user functions, chunks).
    opaque: bool,
}

/// The values of the `member` statements of `stmts` that are costly to
/// compute (calls, divisions, square roots, and what is computed from
/// them: `licm::pays_to_move`) and that the other statements read, in the
/// order first read.
pub(super) fn costly_values_read_elsewhere(stmts: &[Stmt], member: &[bool]) -> Vec<Value> {
    let mut costly: HashSet<Value> = HashSet::new();
    let mut read_elsewhere = Vec::new();
    for (s, &is_member) in stmts.iter().zip(member) {
        let mut operands = Vec::new();
        uses_in(std::slice::from_ref(s), &mut operands);
        if !is_member {
            read_elsewhere.extend(operands);
        } else if pays_to_move(s) || operands.iter().any(|v| costly.contains(v)) {
            costly.extend(defines(s));
        }
    }
    let mut out: Vec<Value> = Vec::new();
    for v in read_elsewhere {
        if costly.contains(&v) && !out.contains(&v) {
            out.push(v);
        }
    }
    out
}

/// Which `member` statements of `stmts` the values `wanted` are computed
/// from, following only values that `follow` admits.
pub(super) fn slice_of(stmts: &[Stmt], member: &[bool], wanted: &[Value], follow: impl Fn(Value) -> bool) -> Vec<bool> {
    let mut needed: HashSet<Value> = wanted.iter().copied().collect();
    let mut slice = vec![false; stmts.len()];
    for j in (0..stmts.len()).rev() {
        if member[j] && defines(&stmts[j]).iter().any(|v| needed.contains(v) && follow(*v)) {
            slice[j] = true;
            let mut operands = Vec::new();
            uses_in(std::slice::from_ref(&stmts[j]), &mut operands);
            needed.extend(operands);
        }
    }
    slice
}

/// `stmts` without the statements computing `removable` values that
/// nothing reads any more (repeated until none is left).
pub(super) fn drop_unused(mut stmts: Vec<Stmt>, removable: &HashSet<Value>) -> Vec<Stmt> {
    loop {
        let mut used = Vec::new();
        uses_in(&stmts, &mut used);
        let used: HashSet<Value> = used.into_iter().collect();
        let before = stmts.len();
        stmts.retain(|s| {
            let defs = defines(s);
            defs.is_empty() || !defs.iter().all(|v| removable.contains(v) && !used.contains(v))
        });
        if stmts.len() == before {
            return stmts;
        }
    }
}

/// A copy of `s`, a `let` or a call with a result, defining `dst` and
/// reading `rename(v)` for each operand `v`; `None` for other statements.
pub(super) fn copy_definition(s: &Stmt, dst: Value, mut rename: impl FnMut(Value) -> Value) -> Option<Stmt> {
    match s {
        Stmt::Let { expr, .. } => Some(Stmt::Let { dst, expr: map_expr(expr, rename) }),
        Stmt::Call { dst: Some(_), partials, func, args } => {
            let args = args
                .iter()
                .map(|a| match a {
                    CallArg::Value(v) => CallArg::Value(rename(*v)),
                    a => a.clone(),
                })
                .collect();
            Some(Stmt::Call { dst: Some(dst), partials: partials.clone(), func: func.clone(), args })
        }
        _ => None,
    }
}

/// The values a `let` or a call defines.
pub(super) fn defines(s: &Stmt) -> Vec<Value> {
    match s {
        Stmt::Let { dst, .. } => vec![*dst],
        Stmt::Call { dst, partials, .. } => dst.iter().chain(partials).copied().collect(),
        _ => Vec::new(),
    }
}
