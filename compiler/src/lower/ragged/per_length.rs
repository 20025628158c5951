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
//! copy run is chosen at run time by `if (len == L)`. Inside a copy every
//! size is a constant, so the ordinary kernels (`append_row`, `softmax`,
//! `cumulative_sum`, `categorical_lpmf`, ...) and their generated
//! adjoints apply unchanged; a `segment` whose start still varies
//! becomes the slice `v[i : i + L - 1]`, whose width lowering knows.
//!
//! Only a block with one such length whose values lie in a range of at
//! most [`MAX_LENGTHS`] is copied; anything else is left as it was, and
//! lowering refuses it with E5001.

use super::{int_lit, same, Rewriter};
use crate::check::typed::{Size, TypedExpr, TypedExprKind, TypedIndex, TypedPrintArg, TypedStmt, TypedStmtKind, VarId};
use crate::check::types::Type;
use crate::syntax::ast::BinOp;
use crate::syntax::span::Span;
use std::collections::HashMap;

/// The most lengths a block is copied for (the copies are small: one
/// inlined function body each).
pub(crate) const MAX_LENGTHS: i64 = 32;

impl Rewriter<'_, '_> {
    /// The block `stmts` as a chain `if (len == L) { copy for L } else ...`
    /// when one of its declarations is sized by a run-time length that
    /// depends only on the data (see the module doc); `None` otherwise.
    pub(super) fn per_length(&mut self, stmts: &[TypedStmt], span: Span) -> Option<TypedStmt> {
        // The values of the block's int locals (`int K = rows(tau) + 1;`),
        // which a size may name.
        let int_inits: HashMap<VarId, &TypedExpr> = stmts
            .iter()
            .filter_map(|s| match &s.kind {
                TypedStmtKind::Decl(d) if d.sizes.is_empty() => d.init.as_ref().filter(|e| e.ty.is_int_scalar()).map(|e| (d.var, e)),
                _ => None,
            })
            .collect();
        let (mut keys, mut whole): (Vec<TypedExpr>, Vec<TypedExpr>) = (Vec::new(), Vec::new());
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
                if keys.len() == before && e.ty.is_int_scalar() {
                    // `vector[m[g]] v;`: the size is itself the length.
                    whole.push(e.clone());
                }
            }
        }
        // The lengths of views decide; a size with none (`vector[len[k] +
        // 1] p;` next to `segment(tau, s, len[k])`) is a constant once they
        // are replaced, or else lowering refuses it as before.
        let keys = if keys.is_empty() { whole } else { keys };
        let key = keys.first()?.clone();
        if keys.iter().any(|k| !same(k, &key)) {
            return None;
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
        if key.mentions(|v| declared.contains(&v) || assigned.contains(&v)) {
            return None;
        }
        let (lo, hi) = self.l.value_range(&key)?;
        let lo = lo.max(0);
        if hi < lo || hi - lo + 1 > MAX_LENGTHS {
            return None;
        }
        let negative = vec![
            TypedPrintArg::Str("a size of a local variable is ".into()),
            TypedPrintArg::Expr(key.clone()),
            TypedPrintArg::Str(" but must be nonnegative".into()),
        ];
        let mut chain = TypedStmt { kind: TypedStmtKind::Reject(negative), span };
        for len in (lo..=hi).rev() {
            let copy = self.copy_for_length(stmts, &key, len);
            let cond = super::binary(BinOp::Eq, key.clone(), int_lit(len, key.span), Type::int());
            let then = Box::new(TypedStmt { kind: TypedStmtKind::Block(copy), span });
            chain = TypedStmt { kind: TypedStmtKind::If { cond, then, otherwise: Some(Box::new(chain)) }, span };
        }
        Some(chain)
    }

    /// The non-constant length arguments of the `segment`/`head`/`tail`/
    /// `sub_col`/`sub_row` calls in `e`.
    fn length_args(&mut self, e: &TypedExpr, out: &mut Vec<TypedExpr>) {
        if let TypedExprKind::Call { func, args } = &e.kind {
            let n = match (func.as_str(), args.len()) {
                ("segment", 3) => Some(&args[2]),
                ("head" | "tail", 2) => Some(&args[1]),
                ("sub_col" | "sub_row", 4) => Some(&args[3]),
                _ => None,
            };
            if let Some(n) = n.filter(|n| n.ty.is_int_scalar()) {
                if self.not_const(n) {
                    out.push(n.clone());
                }
            }
        }
        for c in e.children() {
            self.length_args(c, out);
        }
    }

    /// `stmts` with `key` replaced by `len`, every variable they declare
    /// renamed to a fresh one (each copy's locals get buffers of their own
    /// size), and every `segment` of a varying start made a slice.
    fn copy_for_length(&mut self, stmts: &[TypedStmt], key: &TypedExpr, len: i64) -> Vec<TypedStmt> {
        let mut copy = stmts.to_vec();
        let mut renamed: HashMap<VarId, VarId> = HashMap::new();
        for s in &mut copy {
            self.rename_decls(s, &mut renamed);
        }
        for s in &mut copy {
            self.rewrite_exprs(s, &mut |r, e| {
                r.substitute(e, key, len, &renamed);
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

    /// `e` with `key` replaced by `len`, renamed variables replaced, and
    /// `segment(v, i, len)` of a varying `i` made `v[i : i + len - 1]`
    /// (innermost first, so a segment's length is a literal by then).
    fn substitute(&mut self, e: &mut TypedExpr, key: &TypedExpr, len: i64, renamed: &HashMap<VarId, VarId>) {
        if same(e, key) {
            *e = int_lit(len, e.span);
            return;
        }
        for c in e.children_mut() {
            self.substitute(c, key, len, renamed);
        }
        match &mut e.kind {
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

/// The width of the slice `lower : upper` when `upper` is written as
/// `lower + c` (or `lower - c`) with `c` an integer literal: `c + 1`,
/// whatever `lower` is.
pub(crate) fn width_of_offset_slice(lower: &TypedExpr, upper: &TypedExpr) -> Option<i64> {
    let TypedExprKind::Binary { op, lhs, rhs } = &upper.kind else { return None };
    let TypedExprKind::IntLit(c) = rhs.kind else { return None };
    let c = match op {
        BinOp::Add => c,
        BinOp::Sub => c.checked_neg()?,
        _ => return None,
    };
    (same(lhs, lower) && c >= -1).then(|| c + 1)
}
