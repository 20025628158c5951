//! User functions that take or return tuples, split like variables: a
//! tuple argument `p` becomes one argument per element (`p:1`, `p:2`) and
//! a call passes the elements of what it is given; a function returning a
//! tuple becomes one function per element (`f:1`, `f:2`), each the whole
//! body with its `return`s giving that element, and `f(x)` where a tuple
//! is expected becomes `(f:1(x), f:2(x))`. Functions are pure, so the
//! repeated body computes the same values; one that draws (`_rng`) or adds
//! to the target (`_lp`) must run once per call, and becomes one void
//! function with an out-argument per element instead (`once`).

use std::collections::HashMap;

use super::{element_name, once, reported, Splitter};
use crate::diagnostics::Diagnostic;
use crate::syntax::ast::*;
use crate::syntax::functions::def_name;

impl Splitter {
    /// The `functions` block with every tuple in a signature split.
    pub(super) fn functions(&mut self, defs: Vec<FunDef>) -> Vec<FunDef> {
        let mut out = Vec::with_capacity(defs.len());
        for f in defs {
            let shapes: Vec<Option<FunParam>> = f.params.iter().map(|p| (!p.ty.elements.is_empty()).then(|| p.clone())).collect();
            if shapes.iter().any(Option::is_some) {
                self.tuple_params.insert(f.name.name.clone(), shapes);
            }
            let mut params = Vec::with_capacity(f.params.len());
            for p in &f.params {
                split_param(p.clone(), &mut params);
            }
            if f.return_type.elements.is_empty() {
                let body = f.body.clone().map(|b| self.function_body(&f, b));
                out.push(FunDef { params, body, ..f });
                continue;
            }
            let name = &f.name.name;
            let once = once::runs_once(name);
            self.signatures.insert(name.clone(), once::TupleSignature { params: f.params.clone(), ret: f.return_type.clone(), once });
            if once {
                // One void function with an out-argument per element.
                once::out_params(&f.return_type, 0, &mut Vec::new(), &mut params);
                let body = f.body.clone().map(|b| self.once_body(&f, b));
                let void = FunType { array_dims: 0, base: "void".to_string(), elements: Vec::new(), span: f.return_type.span };
                out.push(FunDef { return_type: void, params, body, ..f });
                continue;
            }
            let mut leaves = Vec::new();
            self.return_leaves(name, &f.return_type, &mut Vec::new(), &mut leaves);
            for (k, (path, ty)) in leaves.into_iter().enumerate() {
                let element = Ident { name: path_name(name, &path), span: f.name.span };
                // The body is split once per element: its errors are kept once.
                let reported = self.diags.len();
                self.returning = Some(path);
                let body = f.body.clone().map(|b| self.function_body(&f, b));
                self.returning = None;
                if k > 0 {
                    self.diags.truncate(reported);
                }
                out.push(FunDef { return_type: ty, name: element, params: params.clone(), body, span: f.span });
            }
        }
        out
    }

    /// The element functions of a function returning the tuple type `ty`:
    /// each element's path and type; records the tuples among them.
    fn return_leaves(&mut self, name: &str, ty: &FunType, path: &mut Vec<usize>, out: &mut Vec<(Vec<usize>, FunType)>) {
        if ty.elements.is_empty() {
            out.push((path.clone(), ty.clone()));
            return;
        }
        self.tuple_returns.insert(path_name(name, path), ty.elements.len());
        for (k, el) in ty.elements.iter().enumerate() {
            path.push(k + 1);
            self.return_leaves(name, el, path, out);
            path.pop();
        }
    }

    /// A body split in its own scope, the tuple arguments declared in it.
    pub(super) fn function_body(&mut self, f: &FunDef, body: Vec<Stmt>) -> Vec<Stmt> {
        self.scopes.push(HashMap::new());
        for p in &f.params {
            self.declare_param(&p.name.name, &p.ty);
        }
        let body = self.stmts(body);
        self.scopes.pop();
        body
    }

    /// Puts a tuple argument and its element arguments in scope, with the
    /// shapes of their types (an argument's sizes are not written).
    fn declare_param(&mut self, name: &str, ty: &FunType) {
        if ty.elements.is_empty() {
            return;
        }
        let shaped = sized_shape(ty);
        self.declare(name, &shaped);
        for (k, el) in ty.elements.iter().enumerate() {
            let el = FunType { array_dims: ty.array_dims + el.array_dims, ..el.clone() };
            self.declare_param(&element_name(name, k + 1), &el);
        }
    }

    /// The element of a `return`ed tuple that the element function being
    /// split gives.
    pub(super) fn returned_element(&mut self, e: Expr) -> Option<Expr> {
        let path = self.returning.clone().unwrap_or_default();
        let mut cur = e;
        for k in path {
            let span = cur.span;
            match self.select(&cur, k, span) {
                Ok(next) => cur = next,
                Err(_) => return Some(reported(span)),
            }
        }
        Some(self.value(cur))
    }

    /// Whether the user function `called` (as called: `foo_lupdf` is
    /// `foo_lpdf`) takes a tuple.
    pub(super) fn takes_tuples(&self, called: &str) -> bool {
        self.tuple_params.contains_key(&def_name(called))
    }

    /// The arguments of a call of `called`, the `offset`-th argument of its
    /// definition first: a tuple given for a tuple argument passes its
    /// elements, every other argument is a value.
    pub(super) fn call_args(&mut self, called: &str, offset: usize, args: Vec<Expr>) -> Vec<Expr> {
        let def = def_name(called);
        let shapes = self.tuple_params.get(&def).cloned().unwrap_or_default();
        let mut out = Vec::with_capacity(args.len());
        for (i, arg) in args.into_iter().enumerate() {
            match shapes.get(i + offset).cloned().flatten() {
                Some(p) => {
                    let what = format!("argument `{}` of `{def}`", p.name.name);
                    self.tuple_arg(arg, &p.ty, &what, &mut out)
                }
                None => out.push(self.value(arg)),
            }
        }
        out
    }

    /// The elements of `arg`, given for `what`, an argument of tuple type `ty`.
    fn tuple_arg(&mut self, arg: Expr, ty: &FunType, what: &str, out: &mut Vec<Expr>) {
        let span = arg.span;
        match self.elements(&arg) {
            Ok(Some(els)) if els.items.len() == ty.elements.len() => {
                for (item, el) in els.items.into_iter().zip(&ty.elements) {
                    if el.elements.is_empty() {
                        out.push(self.value(item));
                    } else {
                        self.tuple_arg(item, el, what, out);
                    }
                }
            }
            Ok(Some(els)) => {
                self.error(
                    Diagnostic::error("E1013", format!("a tuple of {} elements is given for {what}, a tuple of {}", els.items.len(), ty.elements.len()))
                        .with_label(span, format!("{} elements", els.items.len()))
                        .with_help("give one value per element"),
                );
                out.extend(ty.elements.iter().map(|_| reported(span)));
            }
            Ok(None) => {
                self.error(
                    Diagnostic::error("E1013", format!("{what} is a tuple of {} elements, but this value is not a tuple", ty.elements.len()))
                        .with_label(span, "not a tuple")
                        .with_help("give a tuple `(a, b, ...)`, a tuple variable, or a function that returns a tuple"),
                );
                out.extend(ty.elements.iter().map(|_| reported(span)));
            }
            Err(_) => out.extend(ty.elements.iter().map(|_| reported(span))),
        }
    }

    /// The arguments of `~ dist(...)`, whose definition's first argument is
    /// the variate.
    pub(super) fn distribution_args(&mut self, dist: &str, args: Vec<Expr>) -> Vec<Expr> {
        let def = ["_lpdf", "_lpmf"].iter().map(|s| format!("{dist}{s}")).find(|d| self.takes_tuples(d));
        match def {
            Some(def) => self.call_args(&def, 1, args),
            None => args.into_iter().map(|a| self.value(a)).collect(),
        }
    }
}

/// A tuple argument as one argument per element.
fn split_param(p: FunParam, out: &mut Vec<FunParam>) {
    if p.ty.elements.is_empty() {
        out.push(p);
        return;
    }
    for (k, el) in p.ty.elements.iter().enumerate() {
        let ty = FunType { array_dims: p.ty.array_dims + el.array_dims, ..el.clone() };
        let name = Ident { name: element_name(&p.name.name, k + 1), span: p.name.span };
        split_param(FunParam { data_only: p.data_only, ty, name }, out);
    }
}

/// The name of the element function at `path` of `name`: `f:2:1`.
fn path_name(name: &str, path: &[usize]) -> String {
    path.iter().fold(name.to_string(), |n, k| element_name(&n, *k))
}

/// A declared type with the shape of the unsized tuple type `ty`: what
/// the scope needs to tell tuples and their array dimensions apart.
fn sized_shape(ty: &FunType) -> TypeExpr {
    let size = Expr { kind: ExprKind::IntLit(0), span: ty.span };
    let base = if ty.elements.is_empty() {
        BaseTypeExpr::Real { transform: Transform::None }
    } else {
        BaseTypeExpr::Tuple(ty.elements.iter().map(sized_shape).collect())
    };
    TypeExpr { array_sizes: vec![size; ty.array_dims], base, span: ty.span }
}
