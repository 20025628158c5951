//! Tuple-returning user functions whose body must run once per call: an
//! `_rng` function (each element must come from the same draws) and an
//! `_lp` function (the body adds to the target once per call). Such a
//! function `tuple(real, vector) f_rng(real mu)` becomes the void function
//! `f_rng(mu, return:1, return:2)`: one out-argument per element (nested
//! tuples flattened), its `return (a, b);` the assignments `return:1 = a;
//! return:2 = b;`. A call is the statement `f_rng(mu, t:1, t:2);` with the
//! places the elements go to as out-arguments, and the expander
//! (`syntax::functions`) substitutes those places for the out-arguments,
//! as it substitutes values for the other arguments, so the body is
//! inlined once and assigns each element where it goes. `return` is a
//! keyword, so no user variable can be named like an out-argument.
//!
//! Such a call is a statement: the whole right side of a tuple declaration
//! or assignment (`tuple(real, vector[K]) t = f_rng(mu);`, `(a, b) =
//! f_rng(mu);`, `return f_rng(mu);` in another such function). Used inside
//! an expression (`f_rng(mu).1 + 1`, `print(f_rng(mu))`), the call is run
//! before the statement, into locals, when every element is an `int` or a
//! `real` (a vector's local would need a size only the body knows); not
//! inside a `?:` branch, the right of `&&`/`||` or a `while` condition,
//! which Stan evaluates only on some paths (it would draw or add to the
//! target where Stan does not). Those are refused (E1014).
//!
//! The same statement form binds an argument that draws a random number
//! (`t = f(normal_rng(0, 1));`) to a local first, so that every element of
//! the result sees the same draw, for any tuple-returning user function.

use std::collections::HashSet;

use super::{count_mismatch, element_name, not_a_tuple, random_draw, reported, root_name, Reported, Splitter};
use crate::diagnostics::Diagnostic;
use crate::syntax::ast::*;
use crate::syntax::functions::{def_name, map_expr};
use crate::syntax::span::Span;

/// The signature of a tuple-returning user function, as written.
#[derive(Clone)]
pub(super) struct TupleSignature {
    pub params: Vec<FunParam>,
    pub ret: FunType,
    /// Runs once per call (`_rng`, `_lp`, `_jacobian`): called with out-arguments.
    pub once: bool,
}

/// Whether a tuple-returning function must run once per call.
pub(super) fn runs_once(name: &str) -> bool {
    name.ends_with("_rng") || name.ends_with("_lp") || name.ends_with("_jacobian")
}

/// The name of the out-argument at `path` of a function's result.
fn out_name(path: &[usize]) -> String {
    path.iter().fold("return".to_string(), |n, k| element_name(&n, *k))
}

/// The out-arguments of a result of type `ty` (each leaf of its tuple
/// tree, its array dimensions those of the tuples around it plus its own).
pub(super) fn out_params(ty: &FunType, outer_dims: usize, path: &mut Vec<usize>, out: &mut Vec<FunParam>) {
    if ty.elements.is_empty() {
        let ty = FunType { array_dims: outer_dims + ty.array_dims, ..ty.clone() };
        let span = ty.span;
        out.push(FunParam { data_only: false, ty, name: Ident { name: out_name(path), span } });
        return;
    }
    for (k, el) in ty.elements.iter().enumerate() {
        path.push(k + 1);
        out_params(el, outer_dims + ty.array_dims, path, out);
        path.pop();
    }
}

/// The out-arguments as the tuple a `return` in the body assigns:
/// `(return:1, (return:2:1, return:2:2))`.
pub(super) fn out_tree(ty: &FunType, path: &mut Vec<usize>, span: Span) -> Expr {
    if ty.elements.is_empty() {
        return Expr { kind: ExprKind::Var(Ident { name: out_name(path), span }), span };
    }
    let items = (0..ty.elements.len())
        .map(|k| {
            path.push(k + 1);
            let e = out_tree(&ty.elements[k], path, span);
            path.pop();
            e
        })
        .collect();
    Expr { kind: ExprKind::TupleExpr(items), span }
}

/// A void body whose `return;`s are at its end: `if (c) { ...; return; }
/// rest` becomes `if (c) { ... } else { rest }`, and a `return;` with
/// nothing after it is dropped. A `return;` left (inside a loop) is
/// lowered by the expander, as for any function (`functions/returns.rs`).
pub(super) fn returns_at_end(stmts: Vec<Stmt>) -> Vec<Stmt> {
    let mut out = Vec::with_capacity(stmts.len());
    let mut rest = stmts.into_iter();
    while let Some(s) = rest.next() {
        let span = s.span;
        match s.kind {
            StmtKind::Return(None) => return out,
            StmtKind::Block(v) if always_returns_block(&v) => {
                out.push(Stmt { kind: StmtKind::Block(returns_at_end(v)), span });
                return out;
            }
            StmtKind::Block(v) => out.push(Stmt { kind: StmtKind::Block(returns_at_end(v)), span }),
            StmtKind::If { cond, then, otherwise } => {
                let (t_ret, o_ret) = (always_returns(&then), otherwise.as_deref().is_some_and(always_returns));
                let tail: Vec<Stmt> = rest.by_ref().collect();
                let join = |branch: Option<Stmt>, returns: bool, tail: &[Stmt]| -> Option<Box<Stmt>> {
                    let mut v = branch.map(|b| vec![b]).unwrap_or_default();
                    if !returns {
                        v.extend(tail.iter().cloned());
                    }
                    let v = returns_at_end(v);
                    (!v.is_empty()).then(|| Box::new(Stmt { kind: StmtKind::Block(v), span }))
                };
                if tail.is_empty() || t_ret || o_ret {
                    let then = join(Some(*then), t_ret, &tail).unwrap_or(Box::new(Stmt { kind: StmtKind::Empty, span }));
                    let otherwise = join(otherwise.map(|o| *o), o_ret, &tail);
                    out.push(Stmt { kind: StmtKind::If { cond, then, otherwise }, span });
                    return out;
                }
                out.push(Stmt { kind: StmtKind::If { cond, then, otherwise }, span });
                out.extend(returns_at_end(tail));
                return out;
            }
            kind => out.push(Stmt { kind, span }),
        }
    }
    out
}

fn always_returns_block(v: &[Stmt]) -> bool {
    v.last().is_some_and(always_returns)
}

/// Whether every path through `s` ends in a `return`.
fn always_returns(s: &Stmt) -> bool {
    match &s.kind {
        StmtKind::Return(_) => true,
        StmtKind::Block(v) => always_returns_block(v),
        StmtKind::If { then, otherwise: Some(o), .. } => always_returns(then) && always_returns(o),
        _ => false,
    }
}

/// The spans of every call in `e` (any call: the set is only asked about
/// once-per-call ones).
pub(super) fn once_calls(e: &Expr, found: &mut HashSet<Span>) {
    let mut copy = e.clone();
    map_expr(&mut copy, &mut |x| {
        if matches!(x.kind, ExprKind::Call { .. }) {
            found.insert(x.span);
        }
        true
    });
}

/// The out-argument tree with every `return` prefix replaced by `prefix`.
fn rename_tree(mut e: Expr, prefix: &str) -> Expr {
    map_expr(&mut e, &mut |x| {
        if let ExprKind::Var(id) = &mut x.kind {
            id.name = format!("{prefix}{}", id.name.trim_start_matches("return"));
        }
        true
    });
    e
}

/// `e` without the parentheses around it.
fn unparen(e: &Expr) -> &Expr {
    match &e.kind {
        ExprKind::Paren(x) => unparen(x),
        _ => e,
    }
}

impl Splitter {
    /// The function and arguments of `e` when it is a call of a
    /// tuple-returning user function.
    pub(super) fn user_tuple_call(&self, e: &Expr) -> Option<(Ident, Vec<Expr>, TupleSignature)> {
        match &unparen(e).kind {
            ExprKind::Call { func, args } => {
                let sig = self.signatures.get(&def_name(&func.name))?.clone();
                Some((func.clone(), args.clone(), sig))
            }
            _ => None,
        }
    }

    /// Whether `tuple = rhs;` needs the statement form: `rhs` calls a
    /// function that runs once per call, or is given a random draw.
    pub(super) fn needs_call_statement(&self, rhs: &Expr) -> bool {
        self.user_tuple_call(rhs).is_some_and(|(_, args, sig)| sig.once || args.iter().any(|a| random_draw(a).is_some()))
    }

    /// Refusal of a once-per-call function used inside an expression.
    fn once_in_expression(&mut self, func: &Ident, span: Span, why: &str) -> Reported {
        self.error(
            Diagnostic::error("E1014", format!("`{}` returns a tuple and runs once per call: {why}", func.name))
                .with_label(span, "used inside an expression")
                .with_help(format!(
                    "assign the call to a tuple variable first (`tuple(...) t = {}(...);` or `(a, b) = {}(...);`), then use `t.1`, `t.2`",
                    func.name, func.name
                )),
        )
    }

    /// A once-per-call function's tuple inside an expression: the call run
    /// before the statement into one local per element, the elements those
    /// locals.
    pub(super) fn hoist_once_call(&mut self, func: &Ident, args: &[Expr], span: Span) -> Result<Option<super::Elements>, Reported> {
        let Some(sig) = self.signatures.get(&func.name).cloned() else { return Ok(None) };
        if self.conditional.contains(&span) {
            return Err(self.once_in_expression(
                func,
                span,
                "here its result is used where it is evaluated only on some paths (a `?:` branch, the right of `&&`/`||`, a `while` condition)",
            ));
        }
        let mut leaves = Vec::new();
        out_params(&sig.ret, 0, &mut Vec::new(), &mut leaves);
        if let Some(p) = leaves.iter().find(|p| !(p.ty.array_dims == 0 && (p.ty.base == "real" || p.ty.base == "int"))) {
            let why = format!("here its result, whose element `{}` is a `{}`, is used inside an expression", p.name.name.replacen("return", "", 1).replace(':', "."), p.ty.base);
            return Err(self.once_in_expression(func, span, &why));
        }
        self.calls += 1;
        let prefix = format!("{}:call{}", func.name, self.calls);
        let mut hoisted = Vec::new();
        for p in &leaves {
            let name = format!("{prefix}{}", p.name.name.trim_start_matches("return"));
            self.made.push(name.clone());
            let base = if p.ty.base == "int" { BaseTypeExpr::Int { transform: Transform::None } } else { BaseTypeExpr::Real { transform: Transform::None } };
            let ty = TypeExpr { array_sizes: Vec::new(), base, span };
            hoisted.push(Stmt { kind: StmtKind::Decl(VarDecl { ty, name: Ident { name, span }, init: None, span }), span });
        }
        let tree = rename_tree(out_tree(&sig.ret, &mut Vec::new(), span), &prefix);
        let call = Expr { kind: ExprKind::Call { func: func.clone(), args: args.to_vec() }, span };
        self.assign_call(tree.clone(), call, span, &mut hoisted);
        self.pending.extend(hoisted);
        match tree.kind {
            ExprKind::TupleExpr(items) => Ok(Some(super::Elements { items, array_dims: 0 })),
            _ => Ok(None),
        }
    }

    /// The spans of the once-per-call calls in `s`'s own expressions that
    /// are evaluated only on some paths.
    pub(super) fn conditional_once_calls(&self, s: &Stmt) -> HashSet<Span> {
        let mut found = HashSet::new();
        if self.signatures.values().all(|sig| !sig.once) {
            return found;
        }
        let mut copy = s.clone();
        crate::syntax::functions::map_stmt_exprs(&mut copy, &mut |e| self.conditional_in(e, &mut found));
        found
    }

    fn conditional_in(&self, e: &Expr, found: &mut HashSet<Span>) {
        let mut copy = e.clone();
        map_expr(&mut copy, &mut |x| {
            match &x.kind {
                ExprKind::Ternary { then, otherwise, .. } => {
                    self.once_calls_of(then, found);
                    self.once_calls_of(otherwise, found);
                }
                ExprKind::Binary { op: BinOp::And | BinOp::Or, rhs, .. } => self.once_calls_of(rhs, found),
                _ => {}
            }
            true
        });
    }

    fn once_calls_of(&self, e: &Expr, found: &mut HashSet<Span>) {
        let mut all = HashSet::new();
        once_calls(e, &mut all);
        found.extend(all);
    }

    /// The statements made from one source statement, after the calls
    /// hoisted out of it, in a block so that no local leaks into an output
    /// block; the variables it declares stay outside the block (their
    /// initial values become assignments in it), and a `return` stays last
    /// in its body (where the expander looks for it).
    pub(super) fn place_hoisted(&mut self, hoisted: Vec<Stmt>, mine: Vec<Stmt>, out: &mut Vec<Stmt>) {
        if hoisted.is_empty() {
            out.extend(mine);
            return;
        }
        if matches!(mine.as_slice(), [Stmt { kind: StmtKind::Return(_), .. }]) {
            out.extend(hoisted);
            out.extend(mine);
            return;
        }
        let mut block = hoisted;
        for s in mine {
            let span = s.span;
            match s.kind {
                StmtKind::Decl(mut d) => {
                    if let Some(init) = d.init.take() {
                        let lhs = Expr { kind: ExprKind::Var(d.name.clone()), span: d.name.span };
                        block.push(Stmt { kind: StmtKind::Assign { lhs, op: AssignOp::Assign, rhs: init }, span });
                    }
                    out.push(Stmt { kind: StmtKind::Decl(d), span });
                }
                kind => block.push(Stmt { kind, span }),
            }
        }
        let span = block.first().map(|s| s.span).unwrap_or_default();
        out.push(Stmt { kind: StmtKind::Block(block), span });
    }

    /// `lhs = f(args);` where `f` returns a tuple: arguments that draw bound
    /// to locals first, then either the call statement with the places of
    /// `lhs` as out-arguments (a once-per-call `f`) or one assignment per
    /// element. Everything in one block, so no local leaks into an output
    /// block.
    pub(super) fn assign_call(&mut self, lhs: Expr, rhs: Expr, span: Span, out: &mut Vec<Stmt>) {
        let Some((func, args, sig)) = self.user_tuple_call(&rhs) else { return };
        if args.len() != sig.params.len() {
            self.error(
                Diagnostic::error("E0013", format!("`{}` takes {} argument(s), but {} were given", func.name, sig.params.len(), args.len()))
                    .with_label(rhs.span, "this call"),
            );
            return;
        }
        let mut body = Vec::new();
        let mut bound = Vec::with_capacity(args.len());
        for (i, (a, p)) in args.into_iter().zip(&sig.params).enumerate() {
            let Some(draw) = random_draw(&a) else {
                bound.push(a);
                continue;
            };
            let scalar = p.ty.array_dims == 0 && p.ty.elements.is_empty() && (p.ty.base == "real" || p.ty.base == "int");
            if !scalar {
                self.error(
                    Diagnostic::error("E1014", format!("the argument `{}` of `{}` draws a random number, and is not an `int` or a `real`", p.name.name, func.name))
                        .with_label(draw, "a draw, which each use of the argument would repeat")
                        .with_help("draw into a local variable first and pass that"),
                );
                return;
            }
            let base = if p.ty.base == "int" { BaseTypeExpr::Int { transform: Transform::None } } else { BaseTypeExpr::Real { transform: Transform::None } };
            let name = format!("{}:arg{}", func.name, i + 1);
            self.made.push(name.clone());
            let ty = TypeExpr { array_sizes: Vec::new(), base, span: a.span };
            let value = self.value(a);
            body.push(super::decl_stmt(&name, ty, value, span));
            bound.push(Expr { kind: ExprKind::Var(Ident { name, span }), span });
        }
        if !sig.once {
            let call = Expr { kind: ExprKind::Call { func, args: bound }, span: rhs.span };
            self.assign(lhs, AssignOp::Assign, call, span, &mut body);
            out.push(Stmt { kind: StmtKind::Block(body), span });
            return;
        }
        let mut places = Vec::new();
        if self.call_targets(&lhs, &sig.ret, &func.name, rhs.span, &mut places).is_err() {
            return;
        }
        if matches!(unparen(&lhs).kind, ExprKind::TupleExpr(_)) {
            let pairs: Vec<(Expr, Expr)> = places.iter().map(|p| (p.clone(), reported(span))).collect();
            if self.repeated_target(&pairs).is_err() {
                return;
            }
        }
        let mut call_args = self.call_args(&func.name, 0, bound);
        // An argument that reads a place the call assigns: the elements go
        // to locals first (Stan reads the arguments before assigning).
        let roots: std::collections::HashSet<String> = places.iter().filter_map(|p| root_name(p).map(str::to_string)).collect();
        let aliased = call_args.iter().any(|a| super::reads_any(a, &roots));
        let mut copies = Vec::new();
        if aliased {
            for place in &places {
                let Some(ty) = self.temp_type(place) else {
                    self.error(
                        Diagnostic::error("E1014", "this tuple assignment reads an element it also assigns, through an index")
                            .with_label(rhs.span, "reads a place the result is assigned to")
                            .with_help("copy the value into a local variable first, then assign it"),
                    );
                    return;
                };
                let name = format!("{}:0", root_name(place).unwrap_or("tuple"));
                self.made.push(name.clone());
                body.push(Stmt { kind: StmtKind::Decl(VarDecl { ty, name: Ident { name: name.clone(), span }, init: None, span }), span });
                let temp = Expr { kind: ExprKind::Var(Ident { name, span }), span };
                copies.push(Stmt { kind: StmtKind::Assign { lhs: place.clone(), op: AssignOp::Assign, rhs: temp.clone() }, span });
                call_args.push(temp);
            }
        } else {
            call_args.extend(places);
        }
        let call = Expr { kind: ExprKind::Call { func, args: call_args }, span: rhs.span };
        body.push(Stmt { kind: StmtKind::Call(call), span });
        body.extend(copies);
        out.push(Stmt { kind: StmtKind::Block(body), span });
    }

    /// The places the elements of a result of type `ty` go to, matched
    /// against the tuple `lhs`, leaves in order.
    fn call_targets(&mut self, lhs: &Expr, ty: &FunType, func: &str, call: Span, out: &mut Vec<Expr>) -> Result<(), Reported> {
        let els = self.elements(lhs)?;
        if ty.elements.is_empty() {
            return match els {
                None => {
                    out.push(self.value(lhs.clone()));
                    Ok(())
                }
                Some(_) => Err(self.error(
                    Diagnostic::error("E1013", format!("an element of what `{func}` returns is not a tuple, but `{}` is one", super::show(lhs)))
                        .with_label(lhs.span, "a tuple"),
                )),
            };
        }
        match els {
            Some(els) if els.items.len() == ty.elements.len() && els.array_dims == ty.array_dims => {
                for (item, el) in els.items.iter().zip(&ty.elements) {
                    self.call_targets(item, el, func, call, out)?;
                }
                Ok(())
            }
            Some(els) if els.items.len() != ty.elements.len() => {
                Err(self.error(count_mismatch(&super::show(lhs), els.items.len(), ty.elements.len(), call, lhs.span)))
            }
            Some(_) => Err(self.error(
                Diagnostic::error("E1013", format!("`{}` is an array of tuples; `{func}` returns one tuple", super::show(lhs)))
                    .with_label(lhs.span, "an array of tuples")
                    .with_help("index it first, `x[i] = ...`"),
            )),
            None => Err(self.error(not_a_tuple(&super::show(lhs), ty.elements.len(), lhs.span))),
        }
    }

    /// The body of a once-per-call function: its `return e;`s assign the
    /// out-arguments.
    pub(super) fn once_body(&mut self, f: &FunDef, body: Vec<Stmt>) -> Vec<Stmt> {
        let tree = out_tree(&f.return_type, &mut Vec::new(), f.return_type.span);
        let saved = self.out_tree.replace(tree);
        let body = self.function_body(f, body);
        self.out_tree = saved;
        returns_at_end(body)
    }

    /// `return e;` in a once-per-call function: `e` assigned to the
    /// out-arguments, then `return;`.
    pub(super) fn return_into_out(&mut self, e: Expr, span: Span, out: &mut Vec<Stmt>) {
        let tree = self.out_tree.clone().unwrap_or_else(|| reported(span));
        let mut v = Vec::new();
        self.assign(tree, AssignOp::Assign, e, span, &mut v);
        v.push(Stmt { kind: StmtKind::Return(None), span });
        out.push(Stmt { kind: StmtKind::Block(v), span });
    }
}
