//! A foreach loop over an array whose elements are containers (`for (v in
//! xs)` with `xs` an array of vectors, matrices or arrays) becomes a loop
//! over the array's index, the loop variable replaced by the element it
//! names: `for (i in 1:size(xs)) body[v := xs[i]]`.
//!
//! Stan forbids assigning a loop variable (E3003), so `v` can be read in
//! place: the body reads `xs[i]` (fused into its statements like any
//! indexed read, parameters included) instead of a copy of it. The body was
//! checked with `v` declared, so its diagnostics point at the user's source,
//! and each replaced read keeps the span of the `v` it stands for.
//!
//! The array is read in place (`xs[i]`, `f(x)[i]`): each read gives the
//! element Stan's loop copies as the iteration starts. Unless the array
//! draws random numbers or reads `target()` (a new value at each read), or
//! the body assigns a variable the array reads: such a loop is left a
//! foreach loop, which lowering runs as Stan does, copying each element as
//! its iteration starts (`lower::foreach_copies`).

use super::typed::{Level, TypedExpr, TypedExprKind, TypedIndex, TypedStmt, TypedStmtKind, VarId, VarInfo};
use super::env::VarOrigin;
use super::types::{Axis, Type};
use super::Checker;
use crate::syntax::span::Span;
use std::collections::HashSet;

/// Whether the existing element loop cannot take `over` (its elements are
/// not `int`/`real`), so [`Checker::foreach_over_elements`] must: an array
/// of arrays, vectors, matrices or complex values.
pub(super) fn has_container_elements(over: &Type) -> bool {
    !over.array.is_empty() && !(over.array.len() == 1 && over.elem.is_scalar())
}

impl Checker {
    /// `for (var in over) body` over an array of containers as a loop over
    /// the array's index (see the module doc). `body` is already checked.
    pub(super) fn foreach_over_elements(&mut self, var: VarId, over: TypedExpr, mut body: TypedStmt, span: Span) -> TypedStmtKind {
        let name = self.vars[var].name.clone();
        let mut written = HashSet::new();
        body.for_each_stmt(&mut |s| {
            if let TypedStmtKind::Assign { lhs, .. } = &s.kind {
                written.extend(lhs.root_var());
            }
        });
        if over.mentions(|v| written.contains(&v)) || changes_when_read(&over) {
            // Stan copies the element as each iteration starts, which a
            // read in place is not here: lowering copies it.
            return TypedStmtKind::ForEach { var, over, body: Box::new(body) };
        }
        let index = self.hidden_var(format!("{name}__i"), span, Type::int(), VarOrigin::Loop, Level::Data);
        let upper = match over.ty.array[0] {
            Axis::Dim(d) => TypedExpr { kind: TypedExprKind::DimSize(d), ty: Type::int(), level: Level::Data, span: over.span },
            Axis::Anon => TypedExpr { kind: TypedExprKind::Call { func: "size".to_string(), args: vec![over.clone()] }, ty: Type::int(), level: Level::Data, span: over.span },
        };
        replace_stmt(&mut body, var, &over, index);
        let one = TypedExpr { kind: TypedExprKind::IntLit(1), ty: Type::int(), level: Level::Data, span: over.span };
        TypedStmtKind::For { var: index, lower: one, upper, body: Box::new(body) }
    }

    /// A variable of the program that no name in scope refers to (made by
    /// the checker itself).
    fn hidden_var(&mut self, name: String, span: Span, ty: Type, origin: VarOrigin, level: Level) -> VarId {
        self.vars.push(VarInfo { name, ty, origin, level, span });
        self.vars.len() - 1
    }
}

/// Whether `e` reads a value that changes while the loop runs: a random
/// draw (`*_rng`, new at each read) or `target()`.
fn changes_when_read(e: &TypedExpr) -> bool {
    let here = match &e.kind {
        TypedExprKind::Call { func, .. } => func.ends_with("_rng"),
        TypedExprKind::Target => true,
        _ => false,
    };
    here || e.children().into_iter().any(changes_when_read)
}

/// Replaces every read of `var` in `s` by `base[index]`.
fn replace_stmt(s: &mut TypedStmt, var: VarId, base: &TypedExpr, index: VarId) {
    for e in s.own_exprs_mut() {
        replace_expr(e, var, base, index);
    }
    for c in s.child_stmts_mut() {
        replace_stmt(c, var, base, index);
    }
}

/// [`replace_stmt`] in one expression. An index of the loop variable
/// (`v[j]`) becomes one index of the array (`xs[i, j]`), as an assignment
/// target is flattened by the checker.
fn replace_expr(e: &mut TypedExpr, var: VarId, base: &TypedExpr, index: VarId) {
    match &e.kind {
        TypedExprKind::Var(v) if *v == var => {
            let i = TypedExpr { kind: TypedExprKind::Var(index), ty: Type::int(), level: Level::Data, span: e.span };
            let kind = TypedExprKind::Index { base: Box::new(base.clone()), indices: vec![TypedIndex::Single(i)], zipped: Vec::new() };
            *e = super::stmt::flatten_nested_index(TypedExpr { kind, ty: e.ty.clone(), level: e.level, span: e.span });
        }
        TypedExprKind::Index { base: inner, .. } if matches!(inner.kind, TypedExprKind::Var(v) if v == var) => {
            for c in e.children_mut() {
                replace_expr(c, var, base, index);
            }
            *e = super::stmt::flatten_nested_index(e.clone());
        }
        _ => {
            for c in e.children_mut() {
                replace_expr(c, var, base, index);
            }
        }
    }
}
