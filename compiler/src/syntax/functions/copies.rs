//! Early-returned containers used inside expressions: the calling
//! statement copied to each `return` of the body.
//!
//! A call whose body returns before its end ([`Form::Jumps`]) and whose
//! value is used inside an expression (`target += sum(f(v));`) needs the
//! value somewhere while the rest of the statement runs. An `int` or a
//! `real` goes to a new local; a `vector`, `row_vector`, `matrix` or array
//! cannot, as its sizes are not known before type checking. Such a call
//! instead leaves, in the statements hoisted before its statement, a
//! *marker* (`name:N;`, a name users cannot write) standing for its body,
//! whose `return e;`s were lowered into `name:N = e;` (the *holes*), and
//! the placeholder `name:N` where its value is used. When the statement
//! is complete, [`Expander::resolve`] puts at each hole what follows the
//! marker (the rest of the hoisted statements and the statement itself)
//! with the placeholder replaced by that `e`, its locals renamed afresh
//! per copy. After a hole the body's flag and `break`s reach the end of
//! the body, so each copy runs once, where its value is known, and the
//! container never needs a variable. Copies hold no markers (they follow
//! the last one); the placeholders of earlier markers in them are filled
//! when those are resolved.
//!
//! A copy put inside a loop of the body whose own `break`/`continue`
//! leaves it would leave that loop instead of the caller's: there it sets
//! a local (1 for `break`, 2 for `continue`) and the body's flag, and
//! leaves the body's loop; the body's flag takes it to its end, where
//! `if (local == 1) break;` (and `== 2`, `continue`) follows. A copy using
//! a returned value that draws a random number more than once is refused
//! (E0013).
//!
//! [`Form::Jumps`]: super::Form::Jumps

use std::collections::HashMap;

use super::{paren, visit_expr, Expander};
use crate::diagnostics::Diagnostic;
use crate::syntax::ast::*;
use crate::syntax::span::Span;

/// A call waiting for the statement that uses its value.
#[derive(Clone, Debug)]
pub(super) struct Pending {
    /// The inlined body, its `return e;`s lowered to `name:N = e;`.
    body: Vec<Stmt>,
    /// The call, as written.
    call: Ident,
    /// Where the call is.
    span: Span,
    /// The function's name in its definition.
    def: Ident,
    /// The function's return type, as text.
    ty: String,
    /// The body's *returned* flag, when it declares one.
    flag: Option<Ident>,
}

impl Pending {
    /// `flag` is the body's returned flag (left out of the body when
    /// nothing reads it).
    pub(super) fn new(body: Vec<Stmt>, call: Ident, span: Span, def: Ident, ty: String, flag: Ident) -> Pending {
        let mut declared = false;
        for s in &body {
            super::visit_stmts(s, &mut |x| declared |= matches!(&x.kind, StmtKind::Decl(d) if d.name.name == flag.name));
        }
        Pending { body, call, span, def, ty, flag: declared.then_some(flag) }
    }
}

/// One call's holes being filled.
struct Filling<'a> {
    /// The placeholder.
    name: &'a str,
    /// What follows the marker.
    after: &'a [Stmt],
    call: &'a Pending,
    /// Whether an error was reported for this call already.
    reported: bool,
    /// The local a copy's `break` (1) or `continue` (2) sets inside a
    /// loop of the body, and whether one did.
    escaped: Ident,
    broke: bool,
    continued: bool,
}

impl Pending {
    /// The error for this call in a `while` condition: the condition is
    /// evaluated on every trip, so the loop cannot be copied to the
    /// body's `return`s.
    pub(super) fn while_condition(&self) -> Diagnostic {
        Diagnostic::error(
            "E0013",
            format!(
                "`{}` returns a `{}` from before the end of its body, and its value is used in a `while` condition, \
                 which is not supported: the condition is evaluated on every trip",
                self.call.name, self.ty
            ),
        )
        .with_label(self.span, "value used in the loop's condition")
        .with_label(self.def.span, "returns early")
        .with_help("compute the condition into a variable before the loop and again at the end of its body, and test the variable")
    }
}

/// The marker statement of the call whose placeholder is `hole`.
pub(super) fn marker(hole: &Ident, span: Span) -> Stmt {
    Stmt { kind: StmtKind::Call(Expr::var(hole)), span }
}

/// The placeholder name of a marker statement.
fn marker_name(s: &Stmt) -> Option<&str> {
    match &s.kind {
        StmtKind::Call(Expr { kind: ExprKind::Var(v), .. }) => Some(&v.name),
        _ => None,
    }
}

impl Expander {
    /// `seq` then `tail`, with every call of `seq` waiting for its
    /// statement resolved: each marker replaced by its body, whose holes
    /// hold copies of what follows the marker.
    pub(super) fn resolve(&mut self, mut seq: Vec<Stmt>, tail: Vec<Stmt>) -> Vec<Stmt> {
        let mut rest = tail;
        if self.pending.is_empty() {
            seq.extend(rest);
            return seq;
        }
        // From the last marker back: what follows one is then complete.
        while let Some(i) = seq.iter().rposition(|s| self.awaits(s)) {
            let mut after = seq.split_off(i + 1);
            after.append(&mut rest);
            // `rposition` found it, so `seq` is not empty.
            let s = seq.pop().expect("the statement found");
            let span = s.span;
            let kind = match s.kind {
                StmtKind::Block(v) => StmtKind::Block(self.resolve(v, after)),
                // Not a scope: a statement body's returned expression
                // reads its locals, so what follows moves in with it.
                StmtKind::Inlined { from, stmts } => StmtKind::Inlined { from, stmts: self.resolve(stmts, after) },
                kind => {
                    let s = Stmt { kind, span };
                    // `awaits` holds only for blocks and markers.
                    let name = marker_name(&s).expect("a marker").to_string();
                    // `awaits` holds for a marker only while its call is pending.
                    let mut p = self.pending.remove(&name).expect("a pending call");
                    let body = std::mem::take(&mut p.body);
                    let escaped = Ident { name: self.fresh("escaped"), span };
                    let mut f = Filling { name: &name, after: &after, call: &p, reported: false, escaped, broke: false, continued: false };
                    let filled = Stmt { kind: StmtKind::Block(self.fill(body, 0, &mut f)), span };
                    StmtKind::Block(escapes_after(filled, &f, span))
                }
            };
            rest = vec![Stmt { kind, span }];
        }
        seq.extend(rest);
        seq
    }

    /// Whether `s` is, or holds, a marker.
    fn awaits(&self, s: &Stmt) -> bool {
        match &s.kind {
            StmtKind::Block(v) | StmtKind::Inlined { stmts: v, .. } => v.iter().any(|x| self.awaits(x)),
            _ => marker_name(s).is_some_and(|n| self.pending.contains_key(n)),
        }
    }

    /// The pending call whose marker `stmts` hold, if any.
    pub(super) fn awaiting(&self, stmts: &[Stmt]) -> Option<&Pending> {
        stmts.iter().find_map(|s| match &s.kind {
            StmtKind::Block(v) | StmtKind::Inlined { stmts: v, .. } => self.awaiting(v),
            _ => marker_name(s).and_then(|n| self.pending.get(n)),
        })
    }

    /// `stmts` (`loops` loops deep in the body) with each hole replaced by
    /// a copy of what follows the marker.
    fn fill(&mut self, stmts: Vec<Stmt>, loops: usize, f: &mut Filling) -> Vec<Stmt> {
        stmts
            .into_iter()
            .map(|s| {
                let span = s.span;
                let kind = match s.kind {
                    StmtKind::Assign { lhs: Expr { kind: ExprKind::Var(v), .. }, op: AssignOp::Assign, rhs } if v.name == f.name => {
                        self.check_copy(&rhs, loops, f);
                        let mut env = HashMap::new();
                        env.insert(f.name.to_string(), paren(rhs));
                        let mut copy: Vec<Stmt> = f.after.iter().map(|a| self.rename_stmt(a, &mut env)).collect();
                        if loops > 0 {
                            if let Some(flag) = &f.call.flag {
                                redirect(&mut copy, 0, flag, f);
                            }
                        }
                        StmtKind::Block(copy)
                    }
                    StmtKind::Block(v) => StmtKind::Block(self.fill(v, loops, f)),
                    StmtKind::Inlined { from, stmts } => StmtKind::Inlined { from, stmts: self.fill(stmts, loops, f) },
                    StmtKind::If { cond, then, otherwise } => StmtKind::If {
                        cond,
                        then: self.fill_one(*then, loops, f),
                        otherwise: otherwise.map(|o| self.fill_one(*o, loops, f)),
                    },
                    StmtKind::For { var, lower, upper, body } => StmtKind::For { var, lower, upper, body: self.fill_one(*body, loops + 1, f) },
                    StmtKind::ForEach { var, over, body } => StmtKind::ForEach { var, over, body: self.fill_one(*body, loops + 1, f) },
                    StmtKind::While { cond, body } => StmtKind::While { cond, body: self.fill_one(*body, loops + 1, f) },
                    kind => kind,
                };
                Stmt { kind, span }
            })
            .collect()
    }

    fn fill_one(&mut self, s: Stmt, loops: usize, f: &mut Filling) -> Box<Stmt> {
        let mut v = self.fill(vec![s], loops, f);
        // `fill` maps one statement to one.
        Box::new(v.remove(0))
    }

    /// Refuses (once per call) a copy, for the returned value `e`, that
    /// would not mean what the statement means.
    fn check_copy(&mut self, e: &Expr, loops: usize, f: &mut Filling) {
        if f.reported {
            return;
        }
        let (p, name, after) = (f.call, f.name, f.after);
        let what = format!(
            "`{}` returns a `{}` from before the end of its body, and the statement using its value",
            p.call.name, p.ty
        );
        // The body's flag is read whenever a return is inside a loop (by
        // the tests after it): this is a guard, not a case.
        if loops > 0 && p.flag.is_none() && after.iter().any(|s| leaves(s, 0)) {
            f.reported = true;
            self.diags.push(
                Diagnostic::error(
                    "E0013",
                    format!("{what} has a `break` or `continue` of its own, which is not supported: copied to the `return` inside the function's loop, it would leave that loop"),
                )
                .with_label(p.span, "value used here")
                .with_label(p.def.span, "returns from inside a loop")
                .with_help("assign the call to a variable first (`vector[n] v = f(...);`) and use the variable in the statement"),
            );
            return;
        }
        let mut draws = false;
        visit_expr(e, &mut |x| {
            if let ExprKind::Call { func, .. } = &x.kind {
                draws |= func.name.ends_with("_rng");
            }
        });
        if draws && after.iter().map(|s| uses(s, name)).sum::<usize>() > 1 {
            f.reported = true;
            self.diags.push(
                Diagnostic::error("E0013", format!("{what} reads it more than once, and the returned value draws a random number"))
                    .with_label(p.span, "value used here")
                    .with_label(e.span, "a draw returned")
                    .with_help("assign the call to a variable first (`vector[n] v = f(...);`) and use the variable"),
            );
        }
    }
}

/// `filled` (a filled body), with what its copies' `break`s and
/// `continue`s redirected: the local they set declared before it, and
/// tested after it.
fn escapes_after(filled: Stmt, f: &Filling, span: Span) -> Vec<Stmt> {
    if !f.broke && !f.continued {
        return vec![filled];
    }
    let int = |n: i128| Expr { kind: ExprKind::IntLit(n), span };
    let decl = VarDecl {
        ty: TypeExpr { array_sizes: Vec::new(), base: BaseTypeExpr::Int { transform: Transform::None }, span },
        name: f.escaped.clone(),
        init: Some(int(0)),
        span,
    };
    let mut out = vec![Stmt { kind: StmtKind::Decl(decl), span }, filled];
    for (set, code, jump) in [(f.broke, 1, StmtKind::Break), (f.continued, 2, StmtKind::Continue)] {
        if set {
            let cond = Expr {
                kind: ExprKind::Binary { op: BinOp::Eq, lhs: Box::new(Expr::var(&f.escaped)), rhs: Box::new(int(code)) },
                span,
            };
            out.push(Stmt { kind: StmtKind::If { cond, then: Box::new(Stmt { kind: jump, span }), otherwise: None }, span });
        }
    }
    out
}

/// `stmts` (a copy, `loops` loops deep in itself) with each `break` and
/// `continue` that leaves it made `escaped = 1` (or 2), `flag = 1` and a
/// `break` out of the body's loop.
fn redirect(stmts: &mut [Stmt], loops: usize, flag: &Ident, f: &mut Filling) {
    for s in stmts {
        let span = s.span;
        let code = match &mut s.kind {
            StmtKind::Break if loops == 0 => {
                f.broke = true;
                1
            }
            StmtKind::Continue if loops == 0 => {
                f.continued = true;
                2
            }
            StmtKind::Block(v) | StmtKind::Inlined { stmts: v, .. } => {
                redirect(v, loops, flag, f);
                continue;
            }
            StmtKind::If { then, otherwise, .. } => {
                redirect(std::slice::from_mut(then.as_mut()), loops, flag, f);
                if let Some(o) = otherwise {
                    redirect(std::slice::from_mut(o.as_mut()), loops, flag, f);
                }
                continue;
            }
            StmtKind::For { body, .. } | StmtKind::ForEach { body, .. } | StmtKind::While { body, .. } => {
                redirect(std::slice::from_mut(body.as_mut()), loops + 1, flag, f);
                continue;
            }
            _ => continue,
        };
        let set = |var: &Ident, n: i128| Stmt {
            kind: StmtKind::Assign { lhs: Expr::var(var), op: AssignOp::Assign, rhs: Expr { kind: ExprKind::IntLit(n), span } },
            span,
        };
        s.kind = StmtKind::Block(vec![set(&f.escaped, code), set(flag, 1), Stmt { kind: StmtKind::Break, span }]);
    }
}

/// Whether `s`, `loops` loops deep in itself, has a `break` or `continue`
/// that leaves it.
fn leaves(s: &Stmt, loops: usize) -> bool {
    match &s.kind {
        StmtKind::Break | StmtKind::Continue => loops == 0,
        StmtKind::Block(v) | StmtKind::Inlined { stmts: v, .. } => v.iter().any(|x| leaves(x, loops)),
        StmtKind::If { then, otherwise, .. } => leaves(then, loops) || otherwise.as_deref().is_some_and(|o| leaves(o, loops)),
        StmtKind::For { body, .. } | StmtKind::ForEach { body, .. } | StmtKind::While { body, .. } => leaves(body, loops + 1),
        _ => false,
    }
}

/// How many times `s` may read the variable `name`: a read inside a loop
/// counts twice (it may run on every trip).
fn uses(s: &Stmt, name: &str) -> usize {
    let mut here = 0;
    let mut copy = s.clone();
    super::map_stmt_exprs(&mut copy, &mut |e| here += super::count_uses(e, name));
    if matches!(s.kind, StmtKind::While { .. }) {
        // The condition is read on every trip.
        here *= 2;
    }
    let nested = match &s.kind {
        StmtKind::Block(v) | StmtKind::Inlined { stmts: v, .. } => v.iter().map(|x| uses(x, name)).sum(),
        StmtKind::If { then, otherwise, .. } => uses(then, name) + otherwise.as_deref().map_or(0, |o| uses(o, name)),
        StmtKind::For { body, .. } | StmtKind::ForEach { body, .. } | StmtKind::While { body, .. } => 2 * uses(body, name),
        _ => 0,
    };
    here + nested
}

#[cfg(test)]
mod tests {
    use crate::syntax::ast::*;
    use crate::syntax::parse_program;

    /// The model block's statements of `src` after expansion, as text.
    fn model_text(src: &str) -> String {
        let (program, diags) = parse_program(src);
        assert!(diags.is_empty(), "{diags:?}");
        let (program, diags) = super::super::expand_functions(program.expect("parses"));
        assert!(diags.is_empty(), "{diags:?}");
        let block = program.blocks.iter().find(|b| b.kind == BlockKind::Model).expect("model block");
        let BlockBody::Stmts(stmts) = &block.body else { panic!("statements") };
        stmts.iter().map(crate::syntax::print::stmt_to_sexp).collect::<Vec<_>>().join(" ")
    }

    #[test]
    fn the_statement_is_copied_to_each_return_with_its_value_and_no_placeholder_is_left() {
        let text = model_text(
            "functions { vector f(vector v) { for (i in 1:rows(v)) { if (v[i] > 0) return v * i; } return -v; } }
             parameters { vector[2] mu; } model { target += sum(f(mu)); }",
        );
        // One copy in the loop, one after it, each with its own value.
        assert_eq!(text.matches("target+=").count(), 2, "{text}");
        assert!(text.contains("(target+= (call sum (paren (* mu i__f"), "{text}");
        assert!(text.contains("(target+= (call sum (paren (neg mu))))"), "{text}");
        assert!(!text.contains("f:"), "a placeholder is left: {text}");
    }

    #[test]
    fn a_break_copied_into_the_function_s_loop_is_redirected_to_the_caller_s() {
        let text = model_text(
            "functions { vector f(vector v) { for (i in 1:rows(v)) { if (v[i] > 0) return v * i; } return -v; } }
             parameters { vector[2] mu; } model { for (k in 1:3) { if (max(f(mu)) > k) break; target += k; } }",
        );
        // In the function's loop: the local and the flag set, that loop left;
        // after the function's body, the caller's loop left. The copy after
        // the function's loop keeps its own `break`.
        assert!(text.contains("(assign = escaped__f"), "{text}");
        assert!(text.contains(" 1) (assign = returned__f"), "{text}");
        assert!(text.contains("(if (== escaped__f"), "{text}");
        assert_eq!(text.matches("break").count(), 4, "{text}");
    }

    #[test]
    fn two_calls_in_one_statement_give_a_copy_per_pair_of_returns() {
        let text = model_text(
            "functions { vector f(vector v) { for (i in 1:rows(v)) { if (v[i] > 0) return v * i; } return -v; } }
             parameters { vector[2] mu; } model { target += dot_product(f(mu), f(2 * mu)); }",
        );
        assert_eq!(text.matches("target+=").count(), 4, "{text}");
        assert!(text.contains("(target+= (call dot_product (paren (neg mu)) (paren (neg (paren (* 2 mu))))))"), "{text}");
        assert!(!text.contains("f:"), "a placeholder is left: {text}");
    }
}
