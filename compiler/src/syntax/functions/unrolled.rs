//! Recursive functions that cannot be compiled as functions of their own
//! (vectors, arrays or matrices in or out, loops in the body: the B-spline
//! basis of Kharratzadeh's case study, `build_b_spline(t, ext_knots, ind,
//! order)` calling itself with `order - 1`) are expanded at each call like
//! any user function, one level of recursion inside the other, down to a
//! fixed depth. What ends the recursion is almost always a data value
//! (`order == 1` with `order` the data's `spline_degree + 1`), known once
//! the data are bound: lowering then takes only the arm of each `if` the
//! data choose (`lower/stmt.rs`), so the levels past the data's depth
//! compile to nothing. A call past the depth expands to a `reject` naming
//! the function and the depth, then a placeholder of the result's type
//! that nothing reads (lowering stops at the `reject`): when the data do
//! ask for more levels, the evaluation rejects with that message, never
//! computes a wrong value.
//!
//! Why expansion rather than a call with a frame of buffers: the body then
//! runs as inlined code does everywhere else, in every block, gradients
//! included (the parameter case needs no adjoint of a call), and the IR,
//! the AD and the JIT need nothing new. The cost is code: a body making
//! `c` recursive calls is expanded `c^depth` times before lowering prunes
//! it, so the depth is what keeps that under [`MAX_BODIES`].

use crate::syntax::ast::*;
use crate::syntax::span::Span;

/// The most bodies one call's recursion expands to before lowering prunes
/// it: binary recursion (the B-spline basis) goes 8 levels deep, a
/// spline of degree 7 (1023 bodies, for 10 levels, took 0.57 s to compile
/// a cubic spline's model; 255 take 0.2 s).
const MAX_BODIES: usize = 256;

/// The deepest linear recursion expanded (each level nests the next one's
/// statements; `super::MAX_DEPTH` bounds the nesting of all calls).
const MAX_LEVELS: usize = 24;

/// How many levels of a recursive function whose body makes `calls`
/// recursive calls are expanded.
pub(super) fn level_limit(calls: usize) -> usize {
    if calls <= 1 {
        return MAX_LEVELS;
    }
    let mut levels = 0;
    let mut bodies = 1usize;
    while bodies.saturating_mul(calls) <= MAX_BODIES && levels < MAX_LEVELS {
        bodies *= calls;
        levels += 1;
    }
    levels
}

/// Whether calls of `f` can be expanded past the depth: its result has a
/// placeholder (any type but a tuple), or it is void.
pub(super) fn unrollable(f: &FunDef) -> bool {
    f.return_type.base == "void" || placeholder(&f.return_type, f.span).is_some()
}

/// What a call of `f` past `limit` levels expands to: a `reject` naming
/// the function and the limit, and (unless `f` is void) a placeholder of
/// its result's type, never read.
pub(super) fn past_the_limit(f: &FunDef, limit: usize, span: Span) -> (Stmt, Option<Expr>) {
    let message = format!(
        "the recursive function `{}` is expanded at each call {limit} levels deep, and these data ask for more (docs/language.md, \"User functions\")",
        f.name.name
    );
    let reject = Stmt { kind: StmtKind::Reject(vec![PrintArg::Str(StringLit { value: message, span })]), span };
    (reject, placeholder(&f.return_type, span))
}

/// An expression of type `t` (sizes 0): `not_a_number()`,
/// `rep_vector(not_a_number(), 0)`, `rep_array(..., 0)`, ...
fn placeholder(t: &FunType, span: Span) -> Option<Expr> {
    let call = |name: &str, args: Vec<Expr>| Expr { kind: ExprKind::Call { func: Ident { name: name.into(), span }, args }, span };
    let zero = || Expr { kind: ExprKind::IntLit(0), span };
    let nan = || call("not_a_number", Vec::new());
    let mut e = match t.base.as_str() {
        "int" => zero(),
        "real" => nan(),
        "vector" => call("rep_vector", vec![nan(), zero()]),
        "row_vector" => call("rep_row_vector", vec![nan(), zero()]),
        "matrix" => call("rep_matrix", vec![nan(), zero(), zero()]),
        _ => return None,
    };
    for _ in 0..t.array_dims {
        e = call("rep_array", vec![e, zero()]);
    }
    Some(e)
}

/// Rewrites every `return c ? a : b;` in `s` (at any depth, the arms
/// too) as `if (c) return a; else return b;`.
pub(super) fn split_conditional_returns(s: &mut Stmt) {
    match &mut s.kind {
        StmtKind::Return(Some(e)) => {
            let mut inner = &*e;
            while let ExprKind::Paren(x) = &inner.kind {
                inner = x;
            }
            let arm = |x: &Expr| {
                let mut r = Stmt { kind: StmtKind::Return(Some(x.clone())), span: x.span };
                split_conditional_returns(&mut r);
                Box::new(r)
            };
            let split = match &inner.kind {
                ExprKind::Ternary { cond, then, otherwise } => Some(StmtKind::If { cond: (**cond).clone(), then: arm(then), otherwise: Some(arm(otherwise)) }),
                _ => None,
            };
            if let Some(kind) = split {
                s.kind = kind;
            }
        }
        StmtKind::For { body, .. } | StmtKind::ForEach { body, .. } | StmtKind::While { body, .. } => split_conditional_returns(body),
        StmtKind::If { then, otherwise, .. } => {
            split_conditional_returns(then);
            if let Some(o) = otherwise {
                split_conditional_returns(o);
            }
        }
        StmtKind::Block(v) | StmtKind::Inlined { stmts: v, .. } => v.iter_mut().for_each(split_conditional_returns),
        _ => {}
    }
}

/// `stmts` with every `if (c) <returns>` followed by more statements made
/// `if (c) <returns> else { <the rest> }` (inside the arms too): the body
/// of a compiled recursive function on `int`/`real` values expanded at a
/// call (`if (n == 0) return x; return f(x, n - 1) * 0.5 + x;`). Lowered,
/// the rest of the body would otherwise run under a run-time "not yet
/// returned" flag, which lowering cannot prune with the data, so every
/// level down to the limit would be compiled and the limit's `reject`
/// kept; as an `else`, the arm the data choose is all that is compiled.
pub(super) fn nest_early_returns(stmts: Vec<Stmt>) -> Vec<Stmt> {
    let mut out = Vec::new();
    let mut rest = stmts.into_iter();
    while let Some(mut s) = rest.next() {
        if let StmtKind::If { then, otherwise, .. } = &mut s.kind {
            let arm = |b: &mut Box<Stmt>| {
                let inner = std::mem::replace(&mut b.kind, StmtKind::Empty);
                let nested = match inner {
                    StmtKind::Block(v) => StmtKind::Block(nest_early_returns(v)),
                    other => other,
                };
                b.kind = nested;
            };
            arm(then);
            if let Some(o) = otherwise.as_mut() {
                arm(o);
            }
            if otherwise.is_none() && super::returns::surely_returns(std::slice::from_ref(then)) {
                let remaining: Vec<Stmt> = rest.collect();
                if !remaining.is_empty() {
                    let span = remaining.first().map_or(s.span, |r| r.span);
                    *otherwise = Some(Box::new(Stmt { kind: StmtKind::Block(nest_early_returns(remaining)), span }));
                }
                out.push(s);
                return out;
            }
        }
        out.push(s);
    }
    out
}
