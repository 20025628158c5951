//! Early `return`s in user function bodies: which bodies return on every
//! path (Stan's rule), and their lowering, at each call, into statements
//! the rest of the compiler already knows.
//!
//! A body whose only `return` is its last statement keeps its old form
//! (the fast path in the expander); this module sees only the others. At a
//! call the body's `return e;` becomes `place = e;` (the caller's variable
//! or a local holding the value), the function's *returned* flag is set,
//! and a `break` leaves each loop of the body it is in. What follows a
//! statement that may have returned runs only while the flag is 0: in a
//! loop an `if (flag) break;` after an inner loop that may have returned,
//! elsewhere the rest of the sequence in `if (!flag) { ... }`. So the
//! jumps are ordinary `break`s, and the reverse sweep differentiates them
//! as it does the user's own (`ad::jumps`).

use crate::syntax::ast::*;
use crate::syntax::span::Span;

/// Which paths through a statement end in a `return` (stanc3's
/// statement return types): none, some, all, or none that go on (a
/// `reject`, which ends every path it is on without a value).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Paths {
    None,
    Some,
    All,
    Stops,
}

/// [`Paths`] of a sequence of statements. As in Stan, a loop counts as its
/// body (a loop whose body always returns is taken to return), and what
/// follows a `return`, `break`, `continue` or `reject` in a sequence is
/// never reached.
pub(super) fn paths(stmts: &[Stmt]) -> Paths {
    let mut acc = Paths::None;
    for s in stmts {
        acc = sequence(acc, paths_of(s));
        if escapes(s) {
            break;
        }
    }
    acc
}

fn paths_of(s: &Stmt) -> Paths {
    match &s.kind {
        StmtKind::Return(_) => Paths::All,
        StmtKind::Reject(_) | StmtKind::FatalError(_) => Paths::Stops,
        StmtKind::Block(v) => paths(v),
        StmtKind::If { then, otherwise, .. } => branches(paths_of(then), otherwise.as_deref().map_or(Paths::None, paths_of)),
        StmtKind::For { body, .. } | StmtKind::ForEach { body, .. } | StmtKind::While { body, .. } => paths_of(body),
        _ => Paths::None,
    }
}

fn escapes(s: &Stmt) -> bool {
    matches!(s.kind, StmtKind::Return(_) | StmtKind::Break | StmtKind::Continue | StmtKind::Reject(_) | StmtKind::FatalError(_))
}

/// The two arms of an `if`.
fn branches(a: Paths, b: Paths) -> Paths {
    use Paths::*;
    match (a, b) {
        (All, All) | (All, Stops) | (Stops, All) => All,
        (Stops, Stops) => Stops,
        (None, None) | (None, Stops) | (Stops, None) => None,
        _ => Some,
    }
}

/// `a` then `b` in one sequence.
fn sequence(a: Paths, b: Paths) -> Paths {
    use Paths::*;
    match (a, b) {
        (None, None) => None,
        (_, All) => All,
        (Some | All, Stops) => All,
        (None | Stops, Stops) | (Stops, None) => Stops,
        _ => Some,
    }
}

/// Whether every path through `stmts` surely ends in a `return` or a
/// `reject` (a loop may run zero times, so it never does).
pub(super) fn surely_returns(stmts: &[Stmt]) -> bool {
    stmts.iter().any(|s| match &s.kind {
        StmtKind::Return(_) | StmtKind::Reject(_) | StmtKind::FatalError(_) => true,
        StmtKind::Block(v) => surely_returns(v),
        StmtKind::If { then, otherwise: Some(o), .. } => {
            surely_returns(std::slice::from_ref(then)) && surely_returns(std::slice::from_ref(o))
        }
        _ => false,
    })
}

/// Whether `s` holds a `return` (itself included).
pub(super) fn contains_return(s: &Stmt) -> bool {
    match &s.kind {
        StmtKind::Return(_) => true,
        StmtKind::Block(v) => v.iter().any(contains_return),
        StmtKind::If { then, otherwise, .. } => contains_return(then) || otherwise.as_deref().is_some_and(contains_return),
        StmtKind::For { body, .. } | StmtKind::ForEach { body, .. } | StmtKind::While { body, .. } => contains_return(body),
        _ => false,
    }
}

/// Whether `s` holds a `return` inside a loop of its own: the `break` of
/// that return leaves only the inner loop.
fn returns_in_loop(s: &Stmt) -> bool {
    match &s.kind {
        StmtKind::Block(v) => v.iter().any(returns_in_loop),
        StmtKind::If { then, otherwise, .. } => returns_in_loop(then) || otherwise.as_deref().is_some_and(returns_in_loop),
        StmtKind::For { body, .. } | StmtKind::ForEach { body, .. } | StmtKind::While { body, .. } => contains_return(body),
        _ => false,
    }
}

/// A function body with its `return`s lowered: each `return e;` assigns
/// `e` to `place` (`None` for a void function), sets `flag` (an `int`
/// local the result declares, when anything reads it) and leaves the loops
/// it is in. `fell_off`, for a function with a value whose body could end
/// without a `return` (a loop Stan takes to return may run zero times), is
/// the message of the `reject` that then stops the program.
pub(super) fn lower(body: Vec<Stmt>, place: Option<Expr>, flag: Ident, fell_off: Option<String>, span: Span) -> Vec<Stmt> {
    let mut l = Lowering { place, flag, flag_read: false };
    let mut stmts = l.sequence(body, false);
    if let Some(message) = fell_off {
        let reject = Stmt { kind: StmtKind::Reject(vec![PrintArg::Str(StringLit { value: message, span })]), span };
        let cond = l.flag_is(false, span);
        stmts.push(Stmt { kind: StmtKind::If { cond, then: Box::new(reject), otherwise: None }, span });
    }
    if !l.flag_read {
        // Nothing asks whether the body returned: no flag.
        strip_flag(&mut stmts, &l.flag.name);
        return stmts;
    }
    let decl = VarDecl {
        ty: TypeExpr { array_sizes: Vec::new(), base: BaseTypeExpr::Int { transform: Transform::None }, span },
        name: l.flag.clone(),
        init: Some(Expr { kind: ExprKind::IntLit(0), span }),
        span,
    };
    let mut out = vec![Stmt { kind: StmtKind::Decl(decl), span }];
    out.extend(stmts);
    out
}

struct Lowering {
    place: Option<Expr>,
    flag: Ident,
    /// Whether a test of the flag was written.
    flag_read: bool,
}

impl Lowering {
    /// `flag` (when `set`) or `!flag`, as a condition.
    fn flag_is(&mut self, set: bool, span: Span) -> Expr {
        self.flag_read = true;
        let var = Expr { kind: ExprKind::Var(self.flag.clone()), span };
        if set {
            var
        } else {
            Expr { kind: ExprKind::Unary { op: UnOp::Not, operand: Box::new(var) }, span }
        }
    }

    /// A sequence of statements, inside a loop of the body or not.
    fn sequence(&mut self, stmts: Vec<Stmt>, in_loop: bool) -> Vec<Stmt> {
        let mut out = Vec::with_capacity(stmts.len());
        let mut rest = stmts.into_iter();
        while let Some(s) = rest.next() {
            let span = s.span;
            if let StmtKind::Return(e) = s.kind {
                // What follows a `return` is never reached.
                self.ret(e, span, in_loop, &mut out);
                break;
            }
            if !contains_return(&s) {
                out.push(s);
                continue;
            }
            let inner_loop = returns_in_loop(&s);
            out.push(self.statement(s, in_loop));
            if in_loop {
                // A return in this statement's own loop left only that loop.
                if inner_loop {
                    let cond = self.flag_is(true, span);
                    let brk = Box::new(Stmt { kind: StmtKind::Break, span });
                    out.push(Stmt { kind: StmtKind::If { cond, then: brk, otherwise: None }, span });
                }
                continue;
            }
            let tail: Vec<Stmt> = rest.by_ref().collect();
            if tail.iter().any(|t| !matches!(t.kind, StmtKind::Empty)) {
                let then = Stmt { kind: StmtKind::Block(self.sequence(tail, false)), span };
                let cond = self.flag_is(false, span);
                out.push(Stmt { kind: StmtKind::If { cond, then: Box::new(then), otherwise: None }, span });
            }
            break;
        }
        out
    }

    /// `return e;`: the value into its place, the flag set, and the
    /// enclosing loop left.
    fn ret(&mut self, e: Option<Expr>, span: Span, in_loop: bool, out: &mut Vec<Stmt>) {
        if let (Some(place), Some(e)) = (&self.place, e) {
            out.push(Stmt { kind: StmtKind::Assign { lhs: place.clone(), op: AssignOp::Assign, rhs: e }, span });
        }
        let lhs = Expr { kind: ExprKind::Var(self.flag.clone()), span };
        let one = Expr { kind: ExprKind::IntLit(1), span };
        out.push(Stmt { kind: StmtKind::Assign { lhs, op: AssignOp::Assign, rhs: one }, span });
        if in_loop {
            out.push(Stmt { kind: StmtKind::Break, span });
        }
    }

    /// A statement holding a `return` (not a `return` itself).
    fn statement(&mut self, s: Stmt, in_loop: bool) -> Stmt {
        let span = s.span;
        let kind = match s.kind {
            StmtKind::Block(v) => StmtKind::Block(self.sequence(v, in_loop)),
            StmtKind::If { cond, then, otherwise } => StmtKind::If {
                cond,
                then: self.branch(*then, in_loop),
                otherwise: otherwise.map(|o| self.branch(*o, in_loop)),
            },
            StmtKind::For { var, lower, upper, body } => StmtKind::For { var, lower, upper, body: self.branch(*body, true) },
            StmtKind::ForEach { var, over, body } => StmtKind::ForEach { var, over, body: self.branch(*body, true) },
            StmtKind::While { cond, body } => StmtKind::While { cond, body: self.branch(*body, true) },
            kind => kind,
        };
        Stmt { kind, span }
    }

    /// The body of an `if` arm or a loop.
    fn branch(&mut self, s: Stmt, in_loop: bool) -> Box<Stmt> {
        let span = s.span;
        let stmts = match s.kind {
            StmtKind::Block(v) => v,
            kind => vec![Stmt { kind, span }],
        };
        Box::new(Stmt { kind: StmtKind::Block(self.sequence(stmts, in_loop)), span })
    }
}

/// `stmts` without the assignments to `flag`.
fn strip_flag(stmts: &mut Vec<Stmt>, flag: &str) {
    stmts.retain(|s| !matches!(&s.kind, StmtKind::Assign { lhs: Expr { kind: ExprKind::Var(v), .. }, .. } if v.name == flag));
    for s in stmts {
        match &mut s.kind {
            StmtKind::Block(v) => strip_flag(v, flag),
            StmtKind::If { then, otherwise, .. } => {
                strip_one(then, flag);
                if let Some(o) = otherwise {
                    strip_one(o, flag);
                }
            }
            StmtKind::For { body, .. } | StmtKind::ForEach { body, .. } | StmtKind::While { body, .. } => strip_one(body, flag),
            _ => {}
        }
    }
}

fn strip_one(s: &mut Stmt, flag: &str) {
    if let StmtKind::Block(v) = &mut s.kind {
        strip_flag(v, flag);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::parse_program;

    /// The body of the one function of `functions { ... }`.
    fn body(src: &str) -> Vec<Stmt> {
        let (program, diags) = parse_program(&format!("functions {{ {src} }} model {{ }}"));
        assert!(diags.is_empty(), "{diags:?}");
        let program = program.expect("parses");
        let BlockBody::Functions(fns) = &program.blocks[0].body else { panic!("the functions block") };
        fns[0].body.clone().expect("a body")
    }

    #[test]
    fn paths_follow_stans_rules_for_loops_branches_and_reject() {
        let cases = [
            ("real f(vector v) { for (i in 1:2) { if (v[i] > 0) return v[i]; } return 0; }", Paths::All),
            ("real f(vector v) { for (i in 1:2) { if (v[i] > 0) return v[i]; } }", Paths::Some),
            // A loop counts as its body, even if it may run no iteration.
            ("real f(vector v) { for (i in 1:rows(v)) { return v[i]; } }", Paths::All),
            ("real f(real x) { if (x > 0) return 1; reject(\"x = \", x); }", Paths::All),
            ("real f(real x) { reject(\"never\"); }", Paths::Stops),
            // Stan's rule too: a statement after an `if` whose arms both
            // return leaves the body incomplete.
            ("real f(real x) { if (x > 0) return 1; else return 2; x = 3; }", Paths::Some),
            ("real f(real x) { if (x > 0) { return 1; } else { return 2; } }", Paths::All),
            // A `break` left of the return does not count: the loop's body
            // returns (and the lowering guards the path that breaks).
            ("real f(real x) { while (x > 0) { if (x > 1) break; return x; } }", Paths::All),
            ("real f(real x) { while (x > 0) { break; return x; } return 0; }", Paths::All),
            ("real f(real x) { while (x > 0) { break; return x; } }", Paths::None),
        ];
        for (src, want) in cases {
            assert_eq!(paths(&body(src)), want, "{src}");
        }
        assert!(!surely_returns(&body("real f(vector v) { for (i in 1:rows(v)) { return v[i]; } }")));
        assert!(!surely_returns(&body("real f(real x) { while (x > 0) { if (x > 1) break; return x; } }")));
        assert!(surely_returns(&body("real f(real x) { if (x > 0) return 1; reject(\"x = \", x); }")));
    }

    fn flag(span: Span) -> Ident {
        Ident { name: "returned__f1".into(), span }
    }

    fn text(stmts: &[Stmt]) -> String {
        stmts.iter().map(|s| crate::syntax::print::stmt_to_sexp(s)).collect::<Vec<_>>().join(" ")
    }

    #[test]
    fn a_return_in_a_loop_breaks_and_the_rest_waits_for_the_flag() {
        let b = body("int find(real x, vector c) { for (k in 1:rows(c)) { if (x < c[k]) return k; } return rows(c) + 1; }");
        let span = b[0].span;
        let place = Expr { kind: ExprKind::Var(Ident { name: "r".into(), span }), span };
        let out = text(&lower(b, Some(place), flag(span), None, span));
        assert!(out.starts_with("(decl int returned__f1 0)"), "{out}");
        assert!(out.contains("(assign = r k) (assign = returned__f1 1) break"), "{out}");
        assert!(out.contains("(if (not returned__f1) (block (assign = r (+ (call rows c) 1)) (assign = returned__f1 1)))"), "{out}");
    }

    #[test]
    fn nested_loops_test_the_flag_and_an_unread_flag_is_left_out() {
        let b = body("real f(matrix w) { for (i in 1:2) { for (j in 1:2) { if (w[i, j] > 0) return w[i, j]; } } return 0; }");
        let span = b[0].span;
        let place = Expr { kind: ExprKind::Var(Ident { name: "r".into(), span }), span };
        let out = text(&lower(b, Some(place), flag(span), None, span));
        assert!(out.contains("(if returned__f1 break)"), "{out}");
        let b = body("void g_lp(vector v, int m) { for (i in 1:rows(v)) { if (i > m) return; v[i] ~ normal(0, 1); } }");
        let out = text(&lower(b, None, flag(span), None, span));
        assert!(!out.contains("returned__f1"), "{out}");
        assert!(out.contains("break"), "{out}");
    }
}
