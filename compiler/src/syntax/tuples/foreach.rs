//! A foreach loop over an array of tuples (`for (p in pairs) total += p.1
//! * p.2;`) becomes a loop over the array's index before the tuples are
//! split: `for (p:i in 1:size(pairs:1)) body[p := pairs[p:i]]`, which the
//! splitter then handles like any indexed tuple (`pairs[p:i].1` is
//! `pairs:1[p:i]`). As `check/foreach.rs` does for arrays of containers,
//! the element is read in place: Stan forbids assigning the loop variable,
//! so a read of `pairs[i]` gives the element Stan's loop copies as the
//! iteration starts, unless the body assigns the array. Then the body
//! starts with that copy, a local tuple of the element's declared type
//! (`tuple(real, vector[2]) p = pairs[p:i];`), as Stan's loop does.

use super::{element_name, Splitter};
use crate::syntax::ast::*;
use crate::syntax::functions::{map_expr, map_stmt_exprs};
use crate::syntax::span::Span;

impl Splitter {
    /// `for (var in xs[outer]) body` with `xs` an array of tuples of type
    /// `ty`, `outer` the single indices of its leading dimensions that the
    /// loop's container takes (none for `for (var in xs)`; `[1]` for `for
    /// (var in xs[1])` of an array of arrays), split into `out` (see the
    /// module doc).
    pub(super) fn foreach_over_tuples(&mut self, var: Ident, xs: &Ident, outer: Vec<Index>, ty: &TypeExpr, body: Stmt, span: Span, out: &mut Vec<Stmt>) {
        let index = Ident { name: format!("{}:i", var.name), span: var.span };
        let mut indices = outer.clone();
        indices.push(Index::Single(var_expr(&index)));
        let element = Expr { kind: ExprKind::Index { base: Box::new(Expr { kind: ExprKind::Var(xs.clone()), span: xs.span }), indices }, span: var.span };
        let body = if assigns(&body, &xs.name) {
            // Stan's copy of the element, taken as the iteration starts.
            let mut element_ty = ty.clone();
            element_ty.array_sizes.drain(..=outer.len().min(element_ty.array_sizes.len().saturating_sub(1)));
            let copy = Stmt { kind: StmtKind::Decl(VarDecl { ty: element_ty, name: var, init: Some(element), span }), span };
            let body_span = body.span;
            Stmt { kind: StmtKind::Block(vec![copy, body]), span: body_span }
        } else {
            let mut body = body;
            replace_var(&mut body, &var.name, &element);
            body
        };
        let leaf = var_expr(&first_leaf(&xs.name, ty, xs.span));
        let leaf = if outer.is_empty() { leaf } else { Expr { kind: ExprKind::Index { base: Box::new(leaf), indices: outer }, span: xs.span } };
        let upper = Expr { kind: ExprKind::Call { func: Ident { name: "size".into(), span: xs.span }, args: vec![leaf] }, span: xs.span };
        let one = Expr { kind: ExprKind::IntLit(1), span: xs.span };
        self.stmt(Stmt { kind: StmtKind::For { var: index, lower: one, upper, body: Box::new(body) }, span }, out);
    }
}

fn var_expr(id: &Ident) -> Expr {
    Expr { kind: ExprKind::Var(id.clone()), span: id.span }
}

/// The variable holding the first element of the array of tuples `name`
/// after splitting (`xs:1`, or `xs:1:1` when that element is a tuple too),
/// whose size is the array's.
fn first_leaf(name: &str, ty: &TypeExpr, span: Span) -> Ident {
    let mut name = name.to_string();
    let mut base = &ty.base;
    while let BaseTypeExpr::Tuple(elements) = base {
        name = element_name(&name, 1);
        match elements.first() {
            Some(first) => base = &first.base,
            None => break,
        }
    }
    Ident { name, span }
}

/// Whether `s` assigns the variable `name` (whole, an element, or an
/// element of one of its tuples).
pub(super) fn assigns(s: &Stmt, name: &str) -> bool {
    fn root(e: &Expr) -> Option<&str> {
        match &e.kind {
            ExprKind::Var(id) => Some(&id.name),
            ExprKind::Index { base, .. } | ExprKind::TupleIndex { base, .. } | ExprKind::Paren(base) => root(base),
            _ => None,
        }
    }
    let targets = |e: &Expr| match &e.kind {
        ExprKind::TupleExpr(items) => items.iter().any(|x| root(x) == Some(name)),
        _ => root(e) == Some(name),
    };
    match &s.kind {
        StmtKind::Assign { lhs, .. } => targets(lhs),
        StmtKind::For { body, .. } | StmtKind::ForEach { body, .. } | StmtKind::While { body, .. } => assigns(body, name),
        StmtKind::If { then, otherwise, .. } => assigns(then, name) || otherwise.as_ref().is_some_and(|o| assigns(o, name)),
        StmtKind::Block(v) | StmtKind::Inlined { stmts: v, .. } => v.iter().any(|x| assigns(x, name)),
        _ => false,
    }
}

/// Replaces every read of the variable `name` in `s` (declaration sizes
/// included) by `by`. Stan forbids shadowing, so every `name` in the body
/// is the loop variable.
fn replace_var(s: &mut Stmt, name: &str, by: &Expr) {
    let mut f = |e: &mut Expr| {
        map_expr(e, &mut |x| {
            if matches!(&x.kind, ExprKind::Var(id) if id.name == name) {
                let span = x.span;
                *x = Expr { kind: by.kind.clone(), span };
                return false;
            }
            true
        })
    };
    map_stmt_exprs(s, &mut f);
    match &mut s.kind {
        StmtKind::Decl(d) => {
            for e in super::type_exprs_mut(&mut d.ty) {
                f(e);
            }
        }
        StmtKind::For { body, .. } | StmtKind::ForEach { body, .. } | StmtKind::While { body, .. } => replace_var(body, name, by),
        StmtKind::If { then, otherwise, .. } => {
            replace_var(then, name, by);
            if let Some(o) = otherwise {
                replace_var(o, name, by);
            }
        }
        StmtKind::Block(v) | StmtKind::Inlined { stmts: v, .. } => v.iter_mut().for_each(|x| replace_var(x, name, by)),
        _ => {}
    }
}
