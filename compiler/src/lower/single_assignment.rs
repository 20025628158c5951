//! `int t; ... t = e;`, where that is the only assignment of `t` and no
//! statement between the two reads `t`, lowered as `int t = e;` at the
//! assignment. Lowering keeps such a scalar in a value rather than a
//! buffer (`Lowerer::is_single_assignment_scalar`), so loop analyses see
//! the index arithmetic it holds: a backward recursion `chi[i, t_curr] =
//! f(chi[i, t_next])` with `t_curr = T - t` (BPA's Jolly-Seber models)
//! then stores each element once in their view, and its reverse sweep
//! copies nothing per iteration. Only `int` scalars are moved: their
//! values are exact, so where they are computed changes nothing else.

use crate::check::typed::{TypedDecl, TypedExpr, TypedExprKind, TypedProgram, TypedStmt, TypedStmtKind, VarId};
use crate::syntax::ast::AssignOp;
use std::collections::HashMap;

/// The program with every such declaration moved to its assignment;
/// `None` when there is none.
pub(crate) fn declare_at_single_assignments(program: &TypedProgram) -> Option<TypedProgram> {
    let mut assignments: HashMap<VarId, usize> = HashMap::new();
    for s in program.blocks.iter().flat_map(|b| &b.stmts) {
        s.for_each_stmt(&mut |s| {
            if let TypedStmtKind::Assign { lhs, .. } = &s.kind {
                if let Some(v) = super::assignment_root(lhs) {
                    *assignments.entry(v).or_insert(0) += 1;
                }
            }
        });
    }
    let movable = |d: &TypedDecl| {
        let ty = &program.var(d.var).ty;
        d.init.is_none() && d.sizes.is_empty() && ty.is_scalar() && ty.is_int_valued() && assignments.get(&d.var) == Some(&1)
    };
    let mut out = program.clone();
    let mut moved = false;
    for block in &mut out.blocks {
        moved |= move_in(&mut block.stmts, &movable);
    }
    moved.then_some(out)
}

/// Moves the movable declarations of `stmts` and of every statement list
/// nested in them; whether any moved.
fn move_in(stmts: &mut Vec<TypedStmt>, movable: &dyn Fn(&TypedDecl) -> bool) -> bool {
    let mut moved = false;
    let mut i = 0;
    while i < stmts.len() {
        if let TypedStmtKind::Decl(d) = &stmts[i].kind {
            if movable(d) {
                if let Some((j, rhs)) = plain_assignment_after(stmts, i, d.var) {
                    let decl = TypedDecl { init: Some(rhs), ..d.clone() };
                    stmts[j].kind = TypedStmtKind::Decl(decl);
                    stmts.remove(i);
                    moved = true;
                    continue;
                }
            }
        }
        i += 1;
    }
    for s in stmts.iter_mut() {
        moved |= move_nested(s, movable);
    }
    moved
}

/// [`move_in`] for the statement lists inside `s`.
fn move_nested(s: &mut TypedStmt, movable: &dyn Fn(&TypedDecl) -> bool) -> bool {
    if let TypedStmtKind::Block(stmts) = &mut s.kind {
        return move_in(stmts, movable);
    }
    let mut moved = false;
    for c in s.child_stmts_mut() {
        moved |= move_nested(c, movable);
    }
    moved
}

/// The index and the value `e` of the plain assignment `var = e` after
/// `decl_at` in the same list, when no statement between them, nor `e`,
/// mentions `var`.
fn plain_assignment_after(stmts: &[TypedStmt], decl_at: usize, var: VarId) -> Option<(usize, TypedExpr)> {
    for (j, s) in stmts.iter().enumerate().skip(decl_at + 1) {
        if let TypedStmtKind::Assign { lhs, op: AssignOp::Assign, rhs } = &s.kind {
            if matches!(lhs.kind, TypedExprKind::Var(v) if v == var) {
                return (!rhs.mentions(|v| v == var)).then(|| (j, rhs.clone()));
            }
        }
        if s.mentions(|v| v == var) {
            return None;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    /// Whether the pass moves a declaration of the program with `body`
    /// in a loop of its model block.
    fn moves(body: &str) -> bool {
        let src = format!("data {{ int T; }} parameters {{ real x; }} model {{ for (s in 1:T) {{ {body} }} x ~ normal(0, 1); }}");
        let typed = crate::front_end(&src).typed.unwrap_or_else(|| panic!("{src} does not check"));
        super::declare_at_single_assignments(&typed).is_some()
    }

    #[test]
    fn only_an_int_assigned_once_with_no_read_before_moves() {
        assert!(moves("int t; int u; t = T - s; u = t + 1; target += t * u;"));
        // Read before the assignment (Stan's value of an unset int).
        assert!(!moves("int t; print(t); t = T - s; target += t;"));
        // Assigned twice, or by a compound assignment.
        assert!(!moves("int t; t = T - s; t = t + 1; target += t;"));
        assert!(!moves("int t; t = T; t += s; target += t;"));
        // Assigned inside a branch: not in the declaration's list.
        assert!(!moves("int t; if (s > 1) { t = s; } target += s;"));
        // A real stays where it is.
        assert!(!moves("real r; r = s; target += r;"));
    }
}
