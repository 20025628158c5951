//! Locals sized by a run-time length, compiled once per length.
//!
//! An inlined user function whose locals are sized from its vector
//! argument (`vector[rows(beta) + 1] u;`), called with a vector whose
//! length changes from one loop iteration to the next
//! (`segment(b, pos[ii[n]], m[ii[n]])`, posteriordb's gpcm_latent_reg_irt),
//! declares buffers of no size lowering can fix. The length depends only
//! on the data, though, so the values it can take are known when the data
//! are bound ([`Lowerer::value_range`]: every value of `m`). The block
//! that declares such locals is therefore copied once per possible length
//! `L`, with the length replaced by the literal `L` in the copy, and the
//! copy run is chosen at run time by `if (len == L)` (a flat sequence of
//! such `if`s, exactly one taken). Inside a copy every
//! size is a constant, so the ordinary kernels (`append_row`, `softmax`,
//! `cumulative_sum`, `categorical_lpmf`, ...) and their generated
//! adjoints apply unchanged; a `segment` whose start still varies
//! becomes the slice `v[i : i + L - 1]`, whose width lowering knows.
//!
//! A statement with no block of its own that still passes a
//! run-time-length vector to a function taking it whole
//! (`categorical_logit(segment(beta, start[j], K[j]))`,
//! `multi_normal_cholesky(rep_vector(mu, n[g]), ...)`) is copied the same
//! way ([`Rewriter::per_length_stmt`]), after the elementwise rewrites
//! have taken what they can; several lengths in one statement are copied
//! per combination the loops meet.
//!
//! The values are those the length takes: evaluated for every value of
//! the loop variables it reads, or the distinct values of the data array
//! it indexes (`Lowerer::value_set`). At most [`MAX_LENGTHS`] copies
//! are made (nested copies multiply); a length of more values, or of
//! values not known from the data, is E5001 naming it.

use super::{int_lit, same, Rewriter};
use crate::check::typed::{Size, TypedExpr, TypedExprKind, TypedIndex, TypedPrintArg, TypedStmt, TypedStmtKind, VarId};
use crate::check::types::Type;
use crate::syntax::ast::BinOp;
use crate::syntax::span::Span;
use std::collections::HashMap;

/// The most copies of one statement or block. Each copy is compiled code
/// of its own, and its locals buffers of their own: compiling grows
/// somewhat faster than the copies (Cranelift's SSA construction), and
/// the work memory with the sum of the copies' sizes (`multi_normal` of
/// groups of 1 to L observations: L^3 / 3 values for the covariance
/// matrices). The gradient saves nothing of a copy not taken, so its
/// cost is that of the copy run (BENCHMARKS.md, 2026-12-07: 200 choice
/// sets of 2 to 201 alternatives compile in 2.0 s, 0.83 ms per gradient
/// against 0.78 ms taken element by element).
pub(crate) const MAX_LENGTHS: i64 = 1024;

impl Rewriter<'_, '_> {
    /// The block `stmts` as the copies `if (len == L) { copy for L }`
    /// when one of its declarations is sized by a run-time length that
    /// depends only on the data (see the module doc); `None` otherwise.
    /// With the chain, the number of copies in it.
    pub(super) fn per_length(&mut self, stmts: &[TypedStmt], span: Span) -> Option<(TypedStmt, usize)> {
        // The values of the block's int locals (`int K = rows(tau) + 1;`),
        // which a size may name.
        let int_inits: HashMap<VarId, &TypedExpr> = stmts
            .iter()
            .filter_map(|s| match &s.kind {
                TypedStmtKind::Decl(d) if d.sizes.is_empty() => d.init.as_ref().filter(|e| e.ty.is_int_scalar()).map(|e| (d.var, e)),
                _ => None,
            })
            .collect();
        let (mut keys, mut whole): (Vec<(TypedExpr, bool)>, Vec<(TypedExpr, bool)>) = (Vec::new(), Vec::new());
        for s in stmts {
            let TypedStmtKind::Decl(d) = &s.kind else { continue };
            for size in &d.sizes {
                let Size::Expr(e) = size else { continue };
                if !self.not_const(e) {
                    continue;
                }
                let before = keys.len();
                self.length_args(e, &mut keys);
                let mut named = Vec::new();
                e.for_each_var(&mut |v| named.extend(int_inits.get(&v).copied()));
                for init in named {
                    self.length_args(init, &mut keys);
                }
                if keys.len() == before && e.ty.is_int_scalar() && !keys.iter().chain(&whole).any(|(k, _)| same(k, e)) {
                    // `vector[m[g]] v;`: the size is itself the length.
                    whole.push((e.clone(), false));
                }
            }
        }
        // The length must be computable before the block runs.
        let mut declared = Vec::new();
        for s in stmts {
            s.for_each_stmt(&mut |t| {
                if let TypedStmtKind::Decl(d) = &t.kind {
                    declared.push(d.var);
                }
            });
        }
        // ... and keep its value through the block: a copy replaces it by
        // a literal everywhere.
        let mut assigned = Vec::new();
        for s in stmts {
            s.for_each_stmt(&mut |t| {
                if let TypedStmtKind::Assign { lhs, .. } = &t.kind {
                    assigned.extend(lhs.root_var());
                }
            });
        }
        // The lengths of views decide; a size with none that reads one of
        // them (`vector[len[k] + 1] p;` next to `segment(tau, s, len[k])`)
        // is a constant once they are replaced, and so may be one reading
        // the block's own variables (`vector[rows(u)] w;`). A size reading
        // neither (`vector[nb[g]] b;` next to `segment(ya, pa[g], na[g])`)
        // is a length of its own.
        let own: Vec<(TypedExpr, bool)> = whole
            .into_iter()
            .filter(|(w, _)| !keys.iter().any(|(k, _)| contains(w, k)) && !w.mentions(|v| declared.contains(&v) || assigned.contains(&v)))
            .collect();
        let keys: Vec<(TypedExpr, bool)> = keys.into_iter().chain(own).collect();
        let (key, slice) = keys.first()?.clone();
        if keys.iter().any(|(k, _)| k.mentions(|v| declared.contains(&v) || assigned.contains(&v))) {
            return None;
        }
        if keys.len() > 1 {
            // Two or more lengths (`vector[na[g]] a; vector[nb[g]] b;`):
            // one copy per combination of their values.
            let tuples = self.values_of_lengths(&keys)?;
            return Some((self.chain_of_copies(stmts, &keys, &tuples, span), tuples.len()));
        }
        let values = self.values_of_length(&key, slice, true, "sizes local variables")?;
        let tuples: Vec<Vec<i64>> = values.into_iter().map(|v| vec![v]).collect();
        Some((self.chain_of_copies(stmts, &[(key, slice)], &tuples, span), tuples.len()))
    }

    /// A statement with no statements inside that still passes a
    /// run-time-length vector to a function taking it whole
    /// (`log_softmax(segment(a, pos[g], n[g]))`, `segment(y, pos[g], n[g])
    /// ~ multi_normal(...)`), or builds one (`rep_vector(mu, n[g])`), as
    /// the copies `if (len == L) { the statement for L }` over the
    /// values the length takes in the data. `None` when it has no such
    /// length, or when the length's values cannot be enumerated (then
    /// [`Rewriter::error`] says why).
    pub(super) fn per_length_stmt(&mut self, s: &TypedStmt) -> Option<(TypedStmt, usize)> {
        if !s.child_stmts().is_empty() {
            return None;
        }
        let exprs: Vec<&TypedExpr> = match &s.kind {
            // A declaration's sizes are the block's business ([`per_length`]).
            TypedStmtKind::Decl(d) => d.init.iter().collect(),
            _ => s.own_exprs(),
        };
        let mut keys = Vec::new();
        let mut refused = false;
        for e in exprs {
            self.length_args(e, &mut keys);
            refused |= self.has_runtime_length(e);
        }
        // A copy replaces the lengths by literals: the statement must not
        // change them (`m = ...` of a local `m`).
        if let TypedStmtKind::Assign { lhs, .. } = &s.kind {
            if lhs.root_var().is_some_and(|v| keys.iter().any(|(k, _)| k.mentions(|u| u == v))) {
                return None;
            }
        }
        // Several lengths (`y[first[g]:last[g]]` next to `segment(y,
        // pos[g], n[g])`): one copy per combination the loops meet, when
        // the loops' values give them; else one length at a time, the
        // copies of the others nested in each.
        if keys.len() > 1 {
            let cap = usize::try_from(MAX_LENGTHS / self.copies.max(1)).unwrap_or(0);
            let exprs: Vec<&TypedExpr> = keys.iter().map(|(k, _)| k).collect();
            if let Some(tuples) = self.l.values_over_loops(&exprs) {
                let mut tuples: Vec<Vec<i64>> = tuples
                    .into_iter()
                    .filter_map(|t| t.iter().zip(&keys).map(|(&v, (_, slice))| if *slice { Some(v.max(0)) } else { (v >= 0).then_some(v) }).collect())
                    .collect();
                tuples.dedup();
                if tuples.len() <= cap {
                    let chain = self.chain_of_copies(std::slice::from_ref(s), &keys, &tuples, s.span);
                    return Some((self.with_view_checks(s, chain), tuples.len()));
                }
            }
        }
        let (key, slice) = keys.into_iter().next()?;
        let values = self.values_of_length(&key, slice, refused, "is passed whole to a function")?;
        let tuples: Vec<Vec<i64>> = values.into_iter().map(|v| vec![v]).collect();
        let chain = self.chain_of_copies(std::slice::from_ref(s), &[(key, slice)], &tuples, s.span);
        Some((self.with_view_checks(s, chain), tuples.len()))
    }

    /// `chain` after Stan's argument checks of the views in `s` (`segment:
    /// i + n - 1 is 6 but must be at most the size of the vector, 5`),
    /// which a copy, taking `segment(v, i, L)` as the slice `v[i : i + L -
    /// 1]`, would otherwise report as an index out of range.
    fn with_view_checks(&mut self, s: &TypedStmt, chain: TypedStmt) -> TypedStmt {
        let mut checks = Vec::new();
        for e in s.own_exprs() {
            self.view_checks(e, &mut checks);
        }
        if checks.is_empty() {
            return chain;
        }
        checks.push(chain);
        TypedStmt { kind: TypedStmtKind::Block(checks), span: s.span }
    }

    /// The argument checks of every `segment`/`head`/`tail`/`sub_col`/
    /// `sub_row` of run-time arguments in `e`.
    fn view_checks(&mut self, e: &TypedExpr, out: &mut Vec<TypedStmt>) {
        if let TypedExprKind::Call { func, args } = &e.kind {
            if !size_args(func, args).is_empty() && matches!(func.as_str(), "segment" | "head" | "tail" | "sub_col" | "sub_row") && self.has_runtime_length(e) {
                self.guards.clear();
                let (_, k) = self.loop_var(e.span);
                let _ = self.elem(e, &k);
                if !self.guards.is_empty() {
                    // The checks of the views inside it are among these.
                    out.append(&mut self.guards);
                    return;
                }
            }
        }
        for c in e.children() {
            self.view_checks(c, out);
        }
    }

    /// The values a run-time length `key` takes, each one copy, when there
    /// are at most [`MAX_LENGTHS`] of them in all (with the copies the
    /// enclosing statements already make); else `None`, with the reason in
    /// [`Rewriter::error`]. A slice's width (`slice`) below 0 is 0, as in
    /// Stan; any other negative length is left to the chain's `reject`.
    /// When lowering would refuse the code anyway (`refused`, or a length
    /// read from the data with too many values) the reason is an error.
    fn values_of_length(&mut self, key: &TypedExpr, slice: bool, refused: bool, what: &str) -> Option<Vec<i64>> {
        let cap = usize::try_from(MAX_LENGTHS / self.copies.max(1)).unwrap_or(0);
        let Some(values) = self.l.value_set(key, cap) else {
            let reason = match (self.l.value_set(key, 1 << 20), self.l.value_range(key)) {
                (Some(values), _) => format!("takes {} distinct values in the data", values.len()),
                (None, Some((lo, hi))) => format!("may take any of the {} values from {lo} to {hi}", i128::from(hi) - i128::from(lo) + 1),
                (None, None) if refused => "is not read from the data, so its values are not known when the data are bound".to_string(),
                // Not a length of the data: left to lowering, as before.
                (None, None) => return None,
            };
            let name = super::describe::describe(key, &|v| self.var_info(v).name);
            let limit = if self.copies > 1 {
                format!("more than the {MAX_LENGTHS} copies allowed, with the {} the enclosing code is already copied for", self.copies)
            } else {
                format!("more than the {MAX_LENGTHS} copies allowed")
            };
            let message = format!(
                "a vector whose length `{name}` is known only at run time {what}: such code is compiled once per value of the length, and `{name}` {reason}, {limit} (docs/language.md, \"Run-time lengths\")"
            );
            if self.error.is_none() {
                self.error = Some(crate::lower::LowerError::unsupported(key.span, message));
            }
            return None;
        };
        let mut values: Vec<i64> = if slice { values.into_iter().map(|v| v.max(0)).collect() } else { values.into_iter().filter(|&v| v >= 0).collect() };
        values.dedup();
        Some(values)
    }

    /// The combinations of values the run-time lengths `keys` of one block
    /// take, each one copy: the distinct tuples the loops around them meet
    /// (`(na[g], nb[g])` for `g` in `1:G`), or else every combination of
    /// the values each takes on its own (lengths read from the data by
    /// indices that are not loop variables). `None` when there are more
    /// than [`MAX_LENGTHS`] (with the copies the enclosing statements
    /// already make), or a length's values are not known from the data,
    /// with the reason in [`Rewriter::error`]. Widths and negative lengths
    /// as in [`Rewriter::values_of_length`].
    fn values_of_lengths(&mut self, keys: &[(TypedExpr, bool)]) -> Option<Vec<Vec<i64>>> {
        /// Combinations counted before giving up on the product of
        /// lengths read from the data apart.
        const MAX_COUNTED: usize = 1 << 20;
        let (first, _) = keys.first()?;
        let span = first.span;
        let cap = usize::try_from(MAX_LENGTHS / self.copies.max(1)).unwrap_or(0);
        let exprs: Vec<&TypedExpr> = keys.iter().map(|(k, _)| k).collect();
        let mut unknown = None;
        let mut too_many = false;
        let tuples = match self.l.values_over_loops(&exprs) {
            Some(tuples) => tuples,
            None => {
                // Each length's own values, then every combination of them.
                let mut product: Vec<Vec<i64>> = vec![Vec::new()];
                for (k, _) in keys {
                    let Some(values) = self.l.value_set(k, MAX_COUNTED) else {
                        unknown = Some(k.clone());
                        break;
                    };
                    if product.len().saturating_mul(values.len()) > MAX_COUNTED {
                        too_many = true;
                        break;
                    }
                    product = product.iter().flat_map(|t| values.iter().map(move |&v| [t.as_slice(), &[v]].concat())).collect();
                }
                product
            }
        };
        let mut tuples: Vec<Vec<i64>> = tuples
            .into_iter()
            .filter_map(|t| t.iter().zip(keys).map(|(&v, (_, slice))| if *slice { Some(v.max(0)) } else { (v >= 0).then_some(v) }).collect())
            .collect();
        tuples.sort_unstable();
        tuples.dedup();
        if unknown.is_none() && !too_many && tuples.len() <= cap {
            return Some(tuples);
        }
        let describe = |r: &Self, k: &TypedExpr| super::describe::describe(k, &|v| r.var_info(v).name);
        let names: Vec<String> = keys.iter().map(|(k, _)| format!("`{}`", describe(self, k))).collect();
        let names = match names.split_last() {
            Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
            _ => names.concat(),
        };
        let limit = if self.copies > 1 {
            format!("more than the {MAX_LENGTHS} copies allowed, with the {} the enclosing code is already copied for", self.copies)
        } else {
            format!("more than the {MAX_LENGTHS} copies allowed")
        };
        let reason = match unknown {
            Some(k) => format!("`{}` is not read from the data, so its values are not known when the data are bound", describe(self, &k)),
            None if too_many => format!("they take more than {MAX_COUNTED} combinations of values in the data, {limit}"),
            None => format!("they take {} distinct combinations of values in the data, {limit}", tuples.len()),
        };
        let message = format!(
            "a block declares local variables sized by the run-time lengths {names}: such a block is compiled once per combination of their values, and {reason} (docs/language.md, \"Run-time lengths\")"
        );
        if self.error.is_none() {
            self.error = Some(crate::lower::LowerError::unsupported(span, message));
        }
        None
    }

    /// `if (key == L) { stmts for L }` for each of the `tuples` of values
    /// of the `keys` (`key1 == L1 && key2 == L2` for several), after a
    /// `reject` of a negative length (a slice's width of 0 stands for
    /// every width up to 0). The tuples hold every value the keys can
    /// take, so exactly one copy runs. The copies are a flat sequence,
    /// not an `else if` chain: the gradient saves what a branch writes
    /// before it, and each branch of a chain holds all later ones, so a
    /// chain of L copies saved and compiled O(L^2) temporaries.
    fn chain_of_copies(&mut self, stmts: &[TypedStmt], keys: &[(TypedExpr, bool)], tuples: &[Vec<i64>], span: Span) -> TypedStmt {
        let mut out = Vec::new();
        let mut negative: Option<TypedExpr> = None;
        let mut message = vec![TypedPrintArg::Str("a length of a vector is ".into())];
        for (i, (key, slice)) in keys.iter().enumerate() {
            if i > 0 {
                message.push(TypedPrintArg::Str(", ".into()));
            }
            message.push(TypedPrintArg::Expr(key.clone()));
            if !slice {
                let below = super::binary(BinOp::Lt, key.clone(), int_lit(0, key.span), Type::int());
                negative = Some(match negative {
                    None => below,
                    Some(c) => super::binary(BinOp::Or, c, below, Type::int()),
                });
            }
        }
        message.push(TypedPrintArg::Str(" but must be nonnegative".into()));
        if let Some(cond) = negative {
            let reject = Box::new(TypedStmt { kind: TypedStmtKind::Reject(message), span });
            out.push(TypedStmt { kind: TypedStmtKind::If { cond, then: reject, otherwise: None }, span });
        }
        for tuple in tuples {
            let pairs: Vec<(TypedExpr, i64)> = keys.iter().map(|(k, _)| k.clone()).zip(tuple.iter().copied()).collect();
            let copy = self.copy_for_length(stmts, &pairs);
            let mut cond: Option<TypedExpr> = None;
            for ((key, slice), &len) in keys.iter().zip(tuple) {
                let op = if *slice && len == 0 { BinOp::Leq } else { BinOp::Eq };
                let one = super::binary(op, key.clone(), int_lit(len, key.span), Type::int());
                cond = Some(match cond {
                    None => one,
                    Some(c) => super::binary(BinOp::And, c, one, Type::int()),
                });
            }
            let Some(cond) = cond else { continue };
            let then = Box::new(TypedStmt { kind: TypedStmtKind::Block(copy), span });
            out.push(TypedStmt { kind: TypedStmtKind::If { cond, then, otherwise: None }, span });
        }
        TypedStmt { kind: TypedStmtKind::Block(out), span }
    }

    /// The run-time lengths in `e`: the non-constant length arguments of
    /// `segment`/`head`/`tail`/`sub_col`/`sub_row`, the non-constant sizes
    /// of the constructors (`rep_vector(x, n[g])`), and the widths of
    /// slices no constant measures (`true` with those); each once.
    pub(super) fn length_args(&mut self, e: &TypedExpr, out: &mut Vec<(TypedExpr, bool)>) {
        match &e.kind {
            TypedExprKind::Call { func, args } => {
                for n in size_args(func, args) {
                    if n.ty.is_int_scalar() && self.not_const(n) && !out.iter().any(|(k, _)| same(k, n)) {
                        out.push((n.clone(), false));
                    }
                }
            }
            TypedExprKind::Index { indices, .. } => {
                for ix in indices {
                    if let TypedIndex::Range { lower: Some(lo), upper: Some(hi) } = ix {
                        if self.l.range_width(lo, hi).is_err() {
                            let w = width_expr(lo, hi);
                            if !out.iter().any(|(k, _)| same(k, &w)) {
                                out.push((w, true));
                            }
                        }
                    }
                }
            }
            _ => {}
        }
        for c in e.children() {
            self.length_args(c, out);
        }
    }

    /// `stmts` with each key replaced by its length, every variable they
    /// declare renamed to a fresh one (each copy's locals get buffers of
    /// their own size), and every `segment` of a varying start made a
    /// slice.
    fn copy_for_length(&mut self, stmts: &[TypedStmt], keys: &[(TypedExpr, i64)]) -> Vec<TypedStmt> {
        let mut copy = stmts.to_vec();
        let mut renamed: HashMap<VarId, VarId> = HashMap::new();
        for s in &mut copy {
            self.rename_decls(s, &mut renamed);
        }
        for s in &mut copy {
            self.rewrite_exprs(s, &mut |r, e| {
                r.substitute(e, keys, &renamed);
            });
        }
        copy
    }

    /// Gives every variable `s` declares a fresh id, recorded in `renamed`.
    fn rename_decls(&mut self, s: &mut TypedStmt, renamed: &mut HashMap<VarId, VarId>) {
        if let TypedStmtKind::Decl(d) = &mut s.kind {
            let info = self.var_info(d.var);
            let fresh = self.fresh(&info.name, info.ty.clone(), info.origin, info.level, info.span);
            renamed.insert(d.var, fresh);
            d.var = fresh;
        }
        for c in s.child_stmts_mut() {
            self.rename_decls(c, renamed);
        }
    }

    /// Calls `f` on every expression of `s` and of the statements in it.
    fn rewrite_exprs(&mut self, s: &mut TypedStmt, f: &mut impl FnMut(&mut Self, &mut TypedExpr)) {
        for e in s.own_exprs_mut() {
            f(self, e);
        }
        for c in s.child_stmts_mut() {
            self.rewrite_exprs(c, f);
        }
    }

    /// `e` with each key replaced by its length, renamed variables replaced, and
    /// `segment(v, i, len)` of a varying `i` made `v[i : i + len - 1]`
    /// (innermost first, so a segment's length is a literal by then).
    fn substitute(&mut self, e: &mut TypedExpr, keys: &[(TypedExpr, i64)], renamed: &HashMap<VarId, VarId>) {
        if let Some((_, len)) = keys.iter().find(|(k, _)| same(e, k)) {
            *e = int_lit(*len, e.span);
            return;
        }
        for c in e.children_mut() {
            self.substitute(c, keys, renamed);
        }
        match &mut e.kind {
            // A slice measured by the key: `x[lo : lo + len - 1]`.
            TypedExprKind::Index { indices, .. } => {
                for ix in indices.iter_mut() {
                    if let TypedIndex::Range { lower: Some(lo), upper: Some(hi) } = ix {
                        let width = width_expr(lo, hi);
                        if let Some((_, len)) = keys.iter().find(|(k, _)| same(&width, k)) {
                            *hi = super::binary(BinOp::Add, lo.clone(), int_lit(len.max(&0) - 1, lo.span), Type::int());
                        }
                    }
                }
            }
            TypedExprKind::Var(v) => {
                if let Some(&to) = renamed.get(v) {
                    *v = to;
                }
            }
            TypedExprKind::Call { func, args } if func == "segment" && args.len() == 3 => {
                let Ok(n) = self.l.const_int(&args[2]) else { return };
                if n < 0 || !self.not_const(&args[1]) {
                    return;
                }
                let start = args[1].clone();
                let last = super::binary(BinOp::Add, start.clone(), int_lit(n - 1, start.span), Type::int());
                let base = Box::new(args[0].clone());
                e.kind = TypedExprKind::Index { base, indices: vec![TypedIndex::Range { lower: Some(start), upper: Some(last) }], zipped: Vec::new() };
            }
            _ => {}
        }
    }
}

/// Whether `e` holds an expression that is `same` as `part`.
fn contains(e: &TypedExpr, part: &TypedExpr) -> bool {
    same(e, part) || e.children().into_iter().any(|c| contains(c, part))
}

/// The width of the slice `lower : upper` when `upper - lower` is an
/// integer constant `c` term by term (`i : i + 2`, `pos[g] + 1 : pos[g] +
/// 3 - 1`): `c + 1`, whatever the other terms are.
pub(crate) fn width_of_offset_slice(lower: &TypedExpr, upper: &TypedExpr) -> Option<i64> {
    let (rest, c) = difference(upper, lower)?;
    (rest.is_empty() && c >= -1).then(|| c + 1)
}

/// `hi - lo + 1` with the terms both share cancelled: `n[g]` for `pos[g]
/// : pos[g] + n[g] - 1`, the slice's width when it is not below 0.
fn width_expr(lo: &TypedExpr, hi: &TypedExpr) -> TypedExpr {
    let Some((rest, c)) = difference(hi, lo) else {
        let d = super::binary(BinOp::Sub, hi.clone(), lo.clone(), Type::int());
        return super::binary(BinOp::Add, d, int_lit(1, hi.span), Type::int());
    };
    let c = c + 1;
    let mut out: Option<TypedExpr> = None;
    for (term, sign) in rest {
        out = Some(match (out, sign > 0) {
            (None, true) => term,
            (None, false) => TypedExpr { kind: TypedExprKind::Unary { op: crate::syntax::ast::UnOp::Neg, operand: Box::new(term.clone()) }, ..term },
            (Some(acc), true) => super::binary(BinOp::Add, acc, term, Type::int()),
            (Some(acc), false) => super::binary(BinOp::Sub, acc, term, Type::int()),
        });
    }
    match out {
        None => int_lit(c, hi.span),
        Some(e) if c == 0 => e,
        Some(e) if c > 0 => super::binary(BinOp::Add, e, int_lit(c, hi.span), Type::int()),
        Some(e) => super::binary(BinOp::Sub, e, int_lit(-c, hi.span), Type::int()),
    }
}

/// `a - b` as the terms that do not cancel (each with its sign) and an
/// integer constant; `None` for a non-integer expression or overflow.
fn difference(a: &TypedExpr, b: &TypedExpr) -> Option<(Vec<(TypedExpr, i64)>, i64)> {
    let (mut terms, mut c) = (Vec::new(), 0i64);
    linear_terms(a, 1, &mut terms, &mut c)?;
    linear_terms(b, -1, &mut terms, &mut c)?;
    let mut rest: Vec<(TypedExpr, i64)> = Vec::new();
    for (t, sign) in terms {
        match rest.iter().position(|(u, s)| *s == -sign && same(u, &t)) {
            Some(i) => {
                rest.remove(i);
            }
            None => rest.push((t, sign)),
        }
    }
    Some((rest, c))
}

/// Adds `sign * e` to `terms` (its non-constant terms) and `constant`.
fn linear_terms(e: &TypedExpr, sign: i64, terms: &mut Vec<(TypedExpr, i64)>, constant: &mut i64) -> Option<()> {
    use crate::syntax::ast::UnOp;
    if !e.ty.is_int_scalar() {
        return None;
    }
    match &e.kind {
        TypedExprKind::IntLit(c) => *constant = constant.checked_add(sign.checked_mul(*c)?)?,
        TypedExprKind::Binary { op: BinOp::Add, lhs, rhs } => {
            linear_terms(lhs, sign, terms, constant)?;
            linear_terms(rhs, sign, terms, constant)?;
        }
        TypedExprKind::Binary { op: BinOp::Sub, lhs, rhs } => {
            linear_terms(lhs, sign, terms, constant)?;
            linear_terms(rhs, -sign, terms, constant)?;
        }
        TypedExprKind::Unary { op: UnOp::Neg, operand } => linear_terms(operand, -sign, terms, constant)?,
        TypedExprKind::Unary { op: UnOp::Plus, operand } => linear_terms(operand, sign, terms, constant)?,
        _ => terms.push((e.clone(), sign)),
    }
    Some(())
}

/// The arguments of a call that are lengths: of the views (`segment`'s
/// `n`, ...) and of the constructors that build a vector of a given size.
fn size_args<'e>(func: &str, args: &'e [TypedExpr]) -> Vec<&'e TypedExpr> {
    let scalar_first = args.first().is_some_and(|a| a.ty.is_scalar());
    match (func, args.len()) {
        ("segment", 3) => vec![&args[2]],
        ("head" | "tail", 2) => vec![&args[1]],
        ("sub_col" | "sub_row", 4) => vec![&args[3]],
        ("rep_vector" | "rep_row_vector", 2) => vec![&args[1]],
        ("rep_matrix", 3) if scalar_first => vec![&args[1], &args[2]],
        ("rep_matrix", 2) => vec![&args[1]],
        ("rep_array", 2..=4) => args[1..].iter().collect(),
        (
            "zeros_vector" | "ones_vector" | "zeros_row_vector" | "ones_row_vector" | "zeros_array" | "ones_array" | "zeros_int_array"
            | "ones_int_array" | "uniform_simplex" | "identity_matrix",
            1,
        ) => vec![&args[0]],
        ("linspaced_vector" | "linspaced_row_vector" | "linspaced_array" | "linspaced_int_array", 3) => vec![&args[0]],
        ("one_hot_vector" | "one_hot_row_vector" | "one_hot_array" | "one_hot_int_array", 2) => vec![&args[0]],
        _ => Vec::new(),
    }
}
