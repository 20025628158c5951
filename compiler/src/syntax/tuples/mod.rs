//! Tuples (Stan 2.33+) split into one variable per element before anything
//! else reads the program.
//!
//! A tuple's shape is fixed by its declaration, so `tuple(matrix[N, K],
//! matrix[K, K]) qr` becomes two variables `qr:1` and `qr:2` (an array of
//! tuples becomes one array per element), `qr.2` names `qr:2`, `(a, b)`
//! gives its elements to the variables it initialises or is assigned to,
//! `(a, b) = e;` unpacks, and a call of a library function that returns a
//! tuple (`qr_thin(X)`) becomes the calls of its parts (`qr_thin_Q(X)`,
//! `qr_thin_R(X)`). The checker, lowering, AD and the JIT then see only
//! ordinary variables. The `:` in the names is CmdStan's separator of
//! tuple slots in output columns (`qr:1.1`, `qr:2.3`), so tuple
//! parameters, transformed parameters and generated quantities are written
//! under CmdStan's column names; a data tuple is read from the JSON object
//! `{"1": ..., "2": ...}` (`bind::json`). User functions taking or
//! returning tuples are split the same way (`functions`). Diagnostics show
//! the elements as the user writes them (`qr.2`, [`show_element_names`]).
//!
//! Codes: E1013 (a tuple used wrongly: an element that does not exist, a
//! tuple where a value is expected or the other way round, elements that
//! do not match in number, a one-element tuple), E1014 (a tuple form hbmc
//! does not support yet).

use std::collections::{HashMap, HashSet};

use crate::diagnostics::Diagnostic;
use crate::syntax::ast::*;
use crate::syntax::functions::map_expr;
use crate::syntax::span::Span;

mod foreach;
mod functions;
pub mod layout;
mod once;

/// Library functions that return a tuple, with the functions that compute
/// each of its elements (Stan's order).
const TUPLE_FUNCTIONS: &[(&str, &[&str])] = &[
    ("eigendecompose_sym", &["eigenvectors_sym", "eigenvalues_sym"]),
    ("eigendecompose", &["eigenvectors", "eigenvalues"]),
    ("qr_thin", &["qr_thin_Q", "qr_thin_R"]),
    ("qr", &["qr_Q", "qr_R"]),
    ("svd", &["svd_U", "singular_values", "svd_V"]),
    ("csr_extract", &["csr_extract_w", "csr_extract_v", "csr_extract_u"]),
];

/// The functions computing the elements of what `func` returns, when it
/// is a library function returning a tuple.
pub fn tuple_function_parts(func: &str) -> Option<&'static [&'static str]> {
    TUPLE_FUNCTIONS.iter().find(|(f, _)| *f == func).map(|(_, parts)| *parts)
}

/// The variable holding element `k` (1-based) of the tuple variable `name`.
pub fn element_name(name: &str, k: usize) -> String {
    format!("{name}:{k}")
}

/// Splits every tuple of the program; returns the program, the
/// diagnostics, the names of the element variables made (for
/// [`show_element_names`]), and the output tuples' layouts.
pub fn split_tuples(mut program: Program) -> (Program, Vec<Diagnostic>, Vec<String>, Vec<layout::TupleOutput>) {
    let mut s = Splitter {
        scopes: vec![HashMap::new()],
        block: BlockKind::Model,
        diags: Vec::new(),
        made: Vec::new(),
        outputs: Vec::new(),
        tuple_params: HashMap::new(),
        tuple_returns: HashMap::new(),
        returning: None,
        signatures: HashMap::new(),
        out_tree: None,
        pending: Vec::new(),
        conditional: HashSet::new(),
        calls: 0,
    };
    for block in &mut program.blocks {
        s.block = block.kind;
        match &mut block.body {
            BlockBody::Stmts(stmts) => *stmts = s.stmts(std::mem::take(stmts)),
            BlockBody::Functions(defs) => *defs = s.functions(std::mem::take(defs)),
            BlockBody::Dims(_) => {}
        }
    }
    (program, s.diags, s.made, s.outputs)
}

/// Rewrites the element variables `t:2:1` in a diagnostic's texts as the
/// user writes them, `t.2.1`.
pub fn show_element_names(d: &mut Diagnostic, names: &[String]) {
    if names.is_empty() {
        return;
    }
    let fix = |text: &mut String| {
        if text.contains(':') {
            *text = dotted(text, names);
        }
    };
    fix(&mut d.message);
    d.labels.iter_mut().for_each(|l| fix(&mut l.message));
    d.help.iter_mut().for_each(fix);
    d.notes.iter_mut().for_each(fix);
}

/// `text` with every whole-word occurrence of a name of `names` dotted.
fn dotted(text: &str, names: &[String]) -> String {
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == ':';
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    'scan: while !rest.is_empty() {
        let at_word_start = !out.chars().next_back().is_some_and(word);
        if at_word_start {
            // Longest names first: `t:2:1` before `t:2`.
            let hit = names
                .iter()
                .filter(|n| rest.starts_with(n.as_str()) && !rest[n.len()..].starts_with(word))
                .max_by_key(|n| n.len());
            if let Some(n) = hit {
                out.push_str(&shown(n));
                rest = &rest[n.len()..];
                continue 'scan;
            }
        }
        let c = rest.chars().next().unwrap_or_default();
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// A made name as the user writes it: an element `t:2:1` as `t.2.1`, the
/// copy `a:0` made for an assignment to `a` as `a`.
fn shown(name: &str) -> String {
    name.strip_suffix(":0").unwrap_or(name).replace(':', ".")
}

/// Marks an error already reported.
struct Reported;

/// A tuple-valued expression taken apart: one expression per element, and
/// how many array dimensions stand between it and its tuples (an array of
/// tuples is held as one array per element).
struct Elements {
    items: Vec<Expr>,
    array_dims: usize,
}

struct Splitter {
    /// Every variable in scope with its declared type (tuple variables and
    /// their element variables included), innermost scope last.
    scopes: Vec<HashMap<String, TypeExpr>>,
    block: BlockKind,
    diags: Vec<Diagnostic>,
    made: Vec<String>,
    /// The layouts of the tuples declared in the output blocks.
    outputs: Vec<layout::TupleOutput>,
    /// User functions taking tuples: for each argument, its tuple type
    /// (`None` for an argument that is not a tuple).
    tuple_params: HashMap<String, Vec<Option<FunParam>>>,
    /// User functions returning tuples, and those of their element
    /// functions (`f:2`) that return tuples: how many elements.
    tuple_returns: HashMap<String, usize>,
    /// While the body of the element function `f:2:1` is split: the path
    /// of the element its `return`s give (`[2, 1]`).
    returning: Option<Vec<usize>>,
    /// Every user function returning a tuple, by name (`once`).
    signatures: HashMap<String, once::TupleSignature>,
    /// While the body of a once-per-call function is split: its
    /// out-arguments, as the tuple its `return`s assign (`once`).
    out_tree: Option<Expr>,
    /// The calls of once-per-call functions used inside the statement being
    /// split, to run before it (`once`).
    pending: Vec<Stmt>,
    /// The spans of once-per-call calls in the statement being split that
    /// are evaluated only on some paths (a `?:` branch, the right of
    /// `&&`/`||`, a `while` condition): not hoisted (`once`).
    conditional: HashSet<Span>,
    /// Calls hoisted so far, to name their locals.
    calls: usize,
}

impl Splitter {
    fn lookup(&self, name: &str) -> Option<&TypeExpr> {
        self.scopes.iter().rev().find_map(|s| s.get(name))
    }

    fn declare(&mut self, name: &str, ty: &TypeExpr) {
        if let Some(scope) = self.scopes.last_mut() {
            scope.insert(name.to_string(), ty.clone());
        }
    }

    fn error(&mut self, d: Diagnostic) -> Reported {
        self.diags.push(d);
        Reported
    }

    fn stmts(&mut self, stmts: Vec<Stmt>) -> Vec<Stmt> {
        let mut out = Vec::with_capacity(stmts.len());
        for s in stmts {
            self.stmt(s, &mut out);
        }
        out
    }

    /// A statement in its own scope (the body of a loop or branch): one
    /// statement that becomes several is wrapped in a block.
    fn scoped(&mut self, s: Stmt) -> Stmt {
        self.scopes.push(HashMap::new());
        let mut out = Vec::new();
        let span = s.span;
        self.stmt(s, &mut out);
        self.scopes.pop();
        if out.len() == 1 {
            out.pop().unwrap_or(Stmt { kind: StmtKind::Empty, span })
        } else {
            Stmt { kind: StmtKind::Block(out), span }
        }
    }

    /// One statement, with the calls of once-per-call functions used inside
    /// it run before it (`once`).
    fn stmt(&mut self, s: Stmt, out: &mut Vec<Stmt>) {
        let saved = std::mem::take(&mut self.pending);
        let conditional = self.conditional_once_calls(&s);
        let saved_conditional = std::mem::replace(&mut self.conditional, conditional);
        let mut mine = Vec::new();
        self.stmt_parts(s, &mut mine);
        let hoisted = std::mem::replace(&mut self.pending, saved);
        self.conditional = saved_conditional;
        self.place_hoisted(hoisted, mine, out);
    }

    fn stmt_parts(&mut self, s: Stmt, out: &mut Vec<Stmt>) {
        let span = s.span;
        let kind = match s.kind {
            StmtKind::Decl(d) => return self.decl(d, out),
            StmtKind::Assign { lhs, op, rhs } => return self.assign(lhs, op, rhs, span, out),
            StmtKind::Print(args) => StmtKind::Print(self.print_args(args)),
            StmtKind::Reject(args) => StmtKind::Reject(self.print_args(args)),
            StmtKind::FatalError(args) => StmtKind::FatalError(self.print_args(args)),
            StmtKind::Block(v) => {
                self.scopes.push(HashMap::new());
                let v = self.stmts(v);
                self.scopes.pop();
                StmtKind::Block(v)
            }
            StmtKind::For { var, lower, upper, body } => {
                let (lower, upper) = (self.value(lower), self.value(upper));
                StmtKind::For { var, lower, upper, body: Box::new(self.scoped(*body)) }
            }
            StmtKind::ForEach { var, over, body } => {
                let of_tuples = |t: &TypeExpr| matches!(t.base, BaseTypeExpr::Tuple(_)) && !t.array_sizes.is_empty();
                if let ExprKind::Var(id) = &over.kind {
                    if let Some(ty) = self.lookup(&id.name).filter(|t| of_tuples(t)).cloned() {
                        return self.foreach_over_tuples(var, id, Vec::new(), &ty, *body, span, out);
                    }
                }
                // `for (p in xs[k])` of an array of arrays of tuples: the
                // same loop over `xs[k, p:i]`, when the indices are read
                // afresh at each use without changing: no calls in them,
                // and nothing in the body assigns what they read or `xs`.
                if let ExprKind::Index { base, indices } = &over.kind {
                    if let ExprKind::Var(id) = &base.kind {
                        let ty = self.lookup(&id.name).filter(|t| of_tuples(t) && t.array_sizes.len() > indices.len()).cloned();
                        let mut read = vec![id.name.clone()];
                        let plain = indices.iter().all(|ix| matches!(ix, Index::Single(e) if plain_index(e, &mut read)));
                        if let (Some(ty), true) = (ty, plain) {
                            if !read.iter().any(|n| foreach::assigns(&body, n)) {
                                return self.foreach_over_tuples(var, id, indices.clone(), &ty, *body, span, out);
                            }
                        }
                    }
                }
                let indexed = match &over.kind {
                    ExprKind::Index { indices, .. } => indices.len(),
                    _ => 0,
                };
                if root_name(&over).and_then(|r| self.lookup(r)).is_some_and(|t| of_tuples(t) && t.array_sizes.len() > indexed) {
                    // `xs[1]` of an array of arrays of tuples.
                    self.error(foreach_over_tuples(&show(&over), over.span));
                    return;
                }
                let over = self.value(over);
                StmtKind::ForEach { var, over, body: Box::new(self.scoped(*body)) }
            }
            StmtKind::While { cond, body } => {
                // Evaluated before every trip: nothing can run before it once.
                let mut all = HashSet::new();
                once::once_calls(&cond, &mut all);
                self.conditional.extend(all);
                StmtKind::While { cond: self.value(cond), body: Box::new(self.scoped(*body)) }
            }
            StmtKind::If { cond, then, otherwise } => StmtKind::If {
                cond: self.value(cond),
                then: Box::new(self.scoped(*then)),
                otherwise: otherwise.map(|o| Box::new(self.scoped(*o))),
            },
            StmtKind::Tilde { lhs, dist, args, truncation } => StmtKind::Tilde {
                lhs: self.value(lhs),
                args: self.distribution_args(&dist.name, args),
                dist,
                truncation: truncation.map(|t| Truncation {
                    lower: t.lower.map(|e| self.value(e)),
                    upper: t.upper.map(|e| self.value(e)),
                    span: t.span,
                }),
            },
            StmtKind::TargetPlus(e) => StmtKind::TargetPlus(self.value(e)),
            StmtKind::JacobianPlus(e) => StmtKind::JacobianPlus(self.value(e)),
            StmtKind::Inlined { from, stmts } => StmtKind::Inlined { from, stmts: self.stmts(stmts) },
            StmtKind::Return(Some(e)) if self.out_tree.is_some() => return self.return_into_out(e, span, out),
            StmtKind::Return(Some(e)) if self.returning.is_some() => StmtKind::Return(self.returned_element(e)),
            StmtKind::Return(e) => StmtKind::Return(e.map(|e| self.value(e))),
            StmtKind::Call(e) => StmtKind::Call(self.value(e)),
            k @ (StmtKind::Break | StmtKind::Continue | StmtKind::Empty | StmtKind::Error) => k,
        };
        out.push(Stmt { kind, span });
    }

    /// `print(t)` prints a tuple as Stan does, `(a,b)`.
    fn print_args(&mut self, args: Vec<PrintArg>) -> Vec<PrintArg> {
        let mut out = Vec::with_capacity(args.len());
        for a in args {
            match a {
                PrintArg::Expr(e) => self.print_expr(e, &mut out),
                s => out.push(s),
            }
        }
        out
    }

    fn print_expr(&mut self, e: Expr, out: &mut Vec<PrintArg>) {
        let text = |value: &str, span| PrintArg::Str(StringLit { value: value.to_string(), span });
        match self.elements(&e) {
            Ok(Some(els)) if els.array_dims == 0 => {
                out.push(text("(", e.span));
                for (k, item) in els.items.into_iter().enumerate() {
                    if k > 0 {
                        out.push(text(",", e.span));
                    }
                    self.print_expr(item, out);
                }
                out.push(text(")", e.span));
            }
            Ok(Some(els)) => {
                let mut parts = Vec::new();
                if self.zip_parts(els.items, els.array_dims, e.span, &mut parts).is_ok() {
                    out.push(PrintArg::Zip { array_dims: els.array_dims, parts });
                }
            }
            Ok(None) => out.push(PrintArg::Expr(self.value(e))),
            Err(Reported) => {}
        }
    }

    /// One tuple of an array of tuples, as printed: `(`, each element
    /// (an array over the tuples' `dims` axes), `)`; a nested tuple in
    /// parentheses. An element that is itself an array of tuples would
    /// need a zip inside the zip, and is refused.
    fn zip_parts(&mut self, items: Vec<Expr>, dims: usize, span: Span, out: &mut Vec<PrintArg>) -> Result<(), Reported> {
        let text = |value: &str| PrintArg::Str(StringLit { value: value.to_string(), span });
        out.push(text("("));
        for (k, item) in items.into_iter().enumerate() {
            if k > 0 {
                out.push(text(","));
            }
            match self.elements(&item)? {
                None => out.push(PrintArg::Expr(self.value(item))),
                Some(inner) if inner.array_dims == dims => self.zip_parts(inner.items, dims, span, out)?,
                Some(_) => {
                    return Err(self.error(
                        Diagnostic::error("E1014", "printing an array of tuples whose elements are arrays of tuples is not supported yet")
                            .with_label(span, "an array of tuples holding arrays of tuples")
                            .with_help("print the inner arrays one tuple at a time, `x[i].2`"),
                    ))
                }
            }
        }
        out.push(text(")"));
        Ok(())
    }

    // ------------------------------------------------------------ declarations

    fn decl(&mut self, d: VarDecl, out: &mut Vec<Stmt>) {
        let VarDecl { ty, name, init, span } = d;
        let block_level = self.scopes.len() == 1;
        // The split keeps an array of tuples as one array per element;
        // CmdStan's columns interleave them (`x.1:1, x.1:2, x.2:1`), which
        // lowering does from the declaration's layout.
        let io_block = matches!(
            self.block,
            BlockKind::Parameters | BlockKind::TransformedParameters | BlockKind::GeneratedQuantities
        );
        if matches!(ty.base, BaseTypeExpr::Tuple(_)) && block_level && io_block {
            self.outputs.push(layout::TupleOutput { name: name.name.clone(), node: layout::TupleNode::of(&name.name, &ty) });
        }
        self.split_decl(name.name.clone(), name.span, ty, init, span, out);
    }

    /// Declares `name` and, for a tuple, one variable per element; `init`
    /// is given out to the elements.
    fn split_decl(&mut self, name: String, name_span: Span, ty: TypeExpr, init: Option<Expr>, span: Span, out: &mut Vec<Stmt>) {
        let BaseTypeExpr::Tuple(items) = &ty.base else {
            let ty = self.type_values(ty);
            self.declare(&name, &ty);
            let init = init.map(|e| self.value(e));
            let name = Ident { name, span: name_span };
            out.push(Stmt { kind: StmtKind::Decl(VarDecl { ty, name, init, span }), span });
            return;
        };
        let items = items.clone();
        if items.len() < 2 {
            self.error(
                Diagnostic::error("E1013", "a tuple needs at least two elements")
                    .with_label(ty.span, "one element")
                    .with_help("declare the element's type alone, without `tuple(...)`"),
            );
            return;
        }
        if let Some(call) = init.as_ref().filter(|e| self.needs_call_statement(e)) {
            // Declared without a value, then assigned by the call statement.
            let call = call.clone();
            self.split_decl(name.clone(), name_span, ty, None, span, out);
            let lhs = Expr { kind: ExprKind::Var(Ident { name, span: name_span }), span: name_span };
            return self.assign_call(lhs, call, span, out);
        }
        // A bad initial value is reported and the variable still declared,
        // so that its uses raise no further errors.
        let inits = match init {
            None => None,
            Some(e) => match self.elements(&e) {
                Ok(Some(els)) if els.items.len() == items.len() => Some(els.items),
                Ok(Some(els)) => {
                    self.error(count_mismatch(&name.replace(':', "."), items.len(), els.items.len(), e.span, ty.span));
                    None
                }
                Ok(None) => {
                    self.error(not_a_tuple(&name.replace(':', "."), items.len(), e.span));
                    None
                }
                Err(Reported) => None,
            },
        };
        self.declare(&name, &ty);
        let mut inits = inits.map(|v| v.into_iter());
        for (k, item) in items.into_iter().enumerate() {
            let mut et = item;
            let mut sizes = ty.array_sizes.clone();
            sizes.append(&mut et.array_sizes);
            et.array_sizes = sizes;
            let element = element_name(&name, k + 1);
            self.made.push(element.clone());
            let init = inits.as_mut().and_then(|i| i.next());
            self.split_decl(element, name_span, et, init, span, out);
        }
    }

    /// The sizes and bounds of a declared type, which may read tuple elements.
    fn type_values(&mut self, mut ty: TypeExpr) -> TypeExpr {
        for e in type_exprs_mut(&mut ty) {
            *e = self.value(std::mem::replace(e, placeholder()));
        }
        ty
    }

    // ------------------------------------------------------------- assignment

    pub(super) fn assign(&mut self, lhs: Expr, op: AssignOp, rhs: Expr, span: Span, out: &mut Vec<Stmt>) {
        let left = match self.elements(&lhs) {
            Ok(Some(l)) => l,
            Ok(None) => {
                // An ordinary assignment; a tuple on the right is an error.
                let (lhs, rhs) = (self.value(lhs), self.value(rhs));
                out.push(Stmt { kind: StmtKind::Assign { lhs, op, rhs }, span });
                return;
            }
            Err(Reported) => return,
        };
        if op != AssignOp::Assign {
            self.error(
                Diagnostic::error("E1013", format!("`{}` cannot be applied to a tuple", op.symbol()))
                    .with_label(lhs.span, "a tuple")
                    .with_help("apply it to each element, `t.1 += ...`"),
            );
            return;
        }
        if self.needs_call_statement(&rhs) {
            return self.assign_call(lhs, rhs, span, out);
        }
        let right = match self.elements(&rhs) {
            Ok(Some(r)) => r,
            Ok(None) => {
                self.error(not_a_tuple(&show(&lhs), left.items.len(), rhs.span));
                return;
            }
            Err(Reported) => return,
        };
        let mut pairs = Vec::new();
        if self.flatten(left, right, &lhs, &rhs, &mut pairs).is_err() {
            return;
        }
        if matches!(lhs.kind, ExprKind::TupleExpr(_)) && self.repeated_target(&pairs).is_err() {
            return;
        }
        self.assign_pairs(pairs, span, out);
    }

    /// Pairs each element assigned with the value it gets, down to
    /// elements that are not tuples.
    fn flatten(&mut self, left: Elements, right: Elements, lhs: &Expr, rhs: &Expr, pairs: &mut Vec<(Expr, Expr)>) -> Result<(), Reported> {
        if left.items.len() != right.items.len() {
            return Err(self.error(count_mismatch(&show(lhs), left.items.len(), right.items.len(), rhs.span, lhs.span)));
        }
        for (l, r) in left.items.into_iter().zip(right.items) {
            match (self.elements(&l)?, self.elements(&r)?) {
                (Some(le), Some(re)) => self.flatten(le, re, &l, &r, pairs)?,
                (None, None) => pairs.push((l, r)),
                (Some(le), None) => return Err(self.error(not_a_tuple(&show(&l), le.items.len(), r.span))),
                (None, Some(_)) => {
                    return Err(self.error(
                        Diagnostic::error("E1013", format!("a tuple cannot be assigned to `{}`, which is not a tuple", show(&l)))
                            .with_label(r.span, "a tuple")
                            .with_label(l.span, "not a tuple"),
                    ))
                }
            }
        }
        Ok(())
    }

    /// Stan refuses `(a, a) = ...`: which value `a` ends with would depend
    /// on the order of the assignments.
    pub(super) fn repeated_target(&mut self, pairs: &[(Expr, Expr)]) -> Result<(), Reported> {
        let mut seen = HashSet::new();
        for (l, _) in pairs {
            if root_name(l).is_some_and(|root| !seen.insert(root.to_string())) {
                return Err(self.error(
                    Diagnostic::error("E1013", format!("`{}` is assigned twice in one unpacking", show(l)))
                        .with_label(l.span, "assigned again here")
                        .with_help("each variable may appear once on the left of `(...) = ...`"),
                ));
            }
        }
        Ok(())
    }

    /// The assignments of a tuple, element by element. The right side is
    /// read before anything is assigned (Stan's rule): when a value reads a
    /// variable assigned before it, the values go through temporaries.
    fn assign_pairs(&mut self, pairs: Vec<(Expr, Expr)>, span: Span, out: &mut Vec<Stmt>) {
        let mut assigned: HashSet<String> = HashSet::new();
        let mut clash = false;
        for (l, r) in &pairs {
            clash |= reads_any(r, &assigned);
            if let Some(root) = root_name(l) {
                assigned.insert(root.to_string());
            }
        }
        let pairs: Vec<(Expr, Expr)> = pairs.into_iter().map(|(l, r)| (self.value(l), self.value(r))).collect();
        if !clash {
            for (lhs, rhs) in pairs {
                out.push(Stmt { kind: StmtKind::Assign { lhs, op: AssignOp::Assign, rhs }, span });
            }
            return;
        }
        let mut temps = Vec::new();
        let mut body = Vec::new();
        for (lhs, rhs) in &pairs {
            let Some(ty) = self.temp_type(lhs) else {
                self.error(
                    Diagnostic::error("E1014", "this tuple assignment reads an element it also assigns, through an index")
                        .with_label(rhs.span, "read after an earlier element was assigned")
                        .with_help("copy the value into a local variable first, then assign it"),
                );
                return;
            };
            // Slot 0 is no element: shown as the variable it is copied for.
            let name = format!("{}:0", root_name(lhs).unwrap_or("tuple"));
            self.made.push(name.clone());
            body.push(decl_stmt(&name, ty, rhs.clone(), span));
            temps.push(name);
        }
        for ((lhs, _), name) in pairs.into_iter().zip(temps) {
            let rhs = Expr { kind: ExprKind::Var(Ident { name, span }), span };
            body.push(Stmt { kind: StmtKind::Assign { lhs, op: AssignOp::Assign, rhs }, span });
        }
        out.push(Stmt { kind: StmtKind::Block(body), span });
    }

    /// The type of a local copy of what `lhs` holds: its declared type
    /// without constraints, when `lhs` is a whole variable.
    pub(super) fn temp_type(&self, lhs: &Expr) -> Option<TypeExpr> {
        let ExprKind::Var(id) = &lhs.kind else { return None };
        Some(unconstrained(self.lookup(&id.name)?.clone()))
    }

    // ------------------------------------------------------------ expressions

    /// `e` taken apart when it is a tuple or an array of tuples; `None`
    /// when it is not one.
    fn elements(&mut self, e: &Expr) -> Result<Option<Elements>, Reported> {
        let span = e.span;
        match &e.kind {
            ExprKind::Var(id) => {
                let Some(ty) = self.lookup(&id.name) else { return Ok(None) };
                let BaseTypeExpr::Tuple(items) = &ty.base else { return Ok(None) };
                let items = (1..=items.len())
                    .map(|k| Expr { kind: ExprKind::Var(Ident { name: element_name(&id.name, k), span: id.span }), span })
                    .collect();
                Ok(Some(Elements { items, array_dims: ty.array_sizes.len() }))
            }
            ExprKind::Paren(x) => self.elements(x),
            ExprKind::TupleExpr(items) if items.is_empty() => Err(Reported),
            ExprKind::TupleExpr(items) => Ok(Some(Elements { items: items.clone(), array_dims: 0 })),
            ExprKind::Index { base, indices } => {
                let Some(els) = self.elements(base)? else { return Ok(None) };
                let singles = indices.iter().filter(|i| matches!(i, Index::Single(_))).count();
                if indices.len() > els.array_dims {
                    return Err(self.error(
                        Diagnostic::error("E1013", format!("`{}` is a tuple: `[...]` cannot index it", show(base)))
                            .with_label(span, "indexes a tuple")
                            .with_help("take an element with `.1`, `.2`, ..."),
                    ));
                }
                let indices: Vec<Index> = indices.iter().map(|i| self.index_value(i.clone())).collect();
                let items = els
                    .items
                    .into_iter()
                    .map(|item| Expr { kind: ExprKind::Index { base: Box::new(item), indices: indices.clone() }, span })
                    .collect();
                Ok(Some(Elements { items, array_dims: els.array_dims - singles }))
            }
            ExprKind::TupleIndex { base, index } => {
                let element = self.select(base, *index, span)?;
                self.elements(&element)
            }
            ExprKind::Call { func, args } if self.signatures.get(&func.name).is_some_and(|s| s.once) => self.hoist_once_call(func, args, span),
            ExprKind::Call { func, args } if self.tuple_returns.contains_key(&func.name) => {
                if let Some(draw) = args.iter().find_map(random_draw) {
                    return Err(self.error(
                        Diagnostic::error("E1014", format!("an argument of `{}` draws a random number", func.name))
                            .with_label(draw, "a draw, which each element of the tuple would repeat")
                            .with_help("assign the call to a tuple variable (the draw is then made once), or draw into a local variable first"),
                    ));
                }
                let n = self.tuple_returns[&func.name];
                let args = self.call_args(&func.name, 0, args.clone());
                let items = (1..=n)
                    .map(|k| Expr { kind: ExprKind::Call { func: Ident { name: element_name(&func.name, k), span: func.span }, args: args.clone() }, span })
                    .collect();
                Ok(Some(Elements { items, array_dims: 0 }))
            }
            ExprKind::Call { func, args } => {
                let Some(parts) = tuple_function_parts(&func.name) else { return Ok(None) };
                if let Some(draw) = args.iter().find_map(random_draw) {
                    return Err(self.error(
                        Diagnostic::error("E1014", format!("an argument of `{}` draws a random number", func.name))
                            .with_label(draw, "a draw, which each element of the tuple would repeat")
                            .with_help("draw into a local variable first and pass that"),
                    ));
                }
                // Resolved once here, not once per element.
                let args: Vec<Expr> = args.iter().map(|a| self.value(a.clone())).collect();
                let items = parts
                    .iter()
                    .map(|p| Expr { kind: ExprKind::Call { func: Ident { name: p.to_string(), span: func.span }, args: args.clone() }, span })
                    .collect();
                Ok(Some(Elements { items, array_dims: 0 }))
            }
            ExprKind::Ternary { cond, then, otherwise } => {
                let (t, o) = (self.elements(then)?, self.elements(otherwise)?);
                let cond = Box::new(self.value((**cond).clone()));
                match (t, o) {
                    (None, None) => Ok(None),
                    (Some(t), Some(o)) if t.items.len() == o.items.len() => {
                        let items = t
                            .items
                            .into_iter()
                            .zip(o.items)
                            .map(|(a, b)| Expr {
                                kind: ExprKind::Ternary { cond: cond.clone(), then: Box::new(a), otherwise: Box::new(b) },
                                span,
                            })
                            .collect();
                        Ok(Some(Elements { items, array_dims: t.array_dims }))
                    }
                    _ => Err(self.error(
                        Diagnostic::error("E1010", "the branches of `?:` are not tuples of the same size")
                            .with_label(then.span, "one branch")
                            .with_label(otherwise.span, "the other")
                            .with_help("both branches must have the same type"),
                    )),
                }
            }
            _ => Ok(None),
        }
    }

    /// The expression of element `k` of the tuple `base`.
    fn select(&mut self, base: &Expr, k: usize, span: Span) -> Result<Expr, Reported> {
        // One element of a user function's tuple: its element function
        // alone, so an argument's draw is made once.
        if let ExprKind::Call { func, args } = &base.kind {
            if let Some(&n) = self.tuple_returns.get(&func.name) {
                if (1..=n).contains(&k) {
                    let args = self.call_args(&func.name, 0, args.clone());
                    let func = Ident { name: element_name(&func.name, k), span: func.span };
                    return Ok(Expr { kind: ExprKind::Call { func, args }, span: base.span });
                }
            }
        }
        let Some(els) = self.elements(base)? else {
            return Err(self.error(
                Diagnostic::error("E1013", format!("`.{k}` takes an element of a tuple, but `{}` is not a tuple", show(base)))
                    .with_label(span, "not a tuple")
                    .with_help("`.1`, `.2`, ... apply to tuples; index arrays, vectors and matrices with `[...]`"),
            ));
        };
        if els.array_dims > 0 {
            return Err(self.error(
                Diagnostic::error("E1013", format!("`{}` is an array of tuples: `.{k}` needs one tuple", show(base)))
                    .with_label(span, "an array of tuples")
                    .with_help(format!("index it first, `{}[i].{k}`", show(base))),
            ));
        }
        let n = els.items.len();
        match els.items.into_iter().nth(k.wrapping_sub(1)) {
            Some(e) if k >= 1 => Ok(e),
            _ => Err(self.error(
                Diagnostic::error("E1013", format!("`{}` has {n} elements; there is no element `.{k}`", show(base)))
                    .with_label(span, format!("element {k} of {n}"))
                    .with_help(format!("the elements are `.1` to `.{n}`")),
            )),
        }
    }

    fn index_value(&mut self, i: Index) -> Index {
        match i {
            Index::Single(e) => Index::Single(self.value(e)),
            Index::Range { lower, upper, span } => {
                Index::Range { lower: lower.map(|e| self.value(e)), upper: upper.map(|e| self.value(e)), span }
            }
            all @ Index::All(_) => all,
        }
    }

    /// `e` where a value that is not a tuple is expected: its element
    /// accesses resolved, a tuple in it reported.
    fn value(&mut self, mut e: Expr) -> Expr {
        map_expr(&mut e, &mut |x| self.resolve(x));
        e
    }

    /// One node of [`Splitter::value`]: replaces an element access by the
    /// element's expression; returns whether to go on into the children.
    fn resolve(&mut self, x: &mut Expr) -> bool {
        match &x.kind {
            ExprKind::TupleIndex { base, index } => {
                let selected = self.select(base, *index, x.span);
                match selected {
                    Ok(element) => {
                        match self.elements(&element) {
                            Ok(Some(_)) => {
                                self.error(tuple_as_value(&show(x), x.span));
                                *x = reported(x.span);
                            }
                            Ok(None) => *x = self.value(element),
                            Err(Reported) => *x = reported(x.span),
                        }
                    }
                    Err(Reported) => *x = reported(x.span),
                }
                false
            }
            ExprKind::Call { func, args } if self.takes_tuples(&func.name) => {
                let args = self.call_args(&func.name, 0, args.clone());
                if let ExprKind::Call { args: old, .. } = &mut x.kind {
                    *old = args;
                }
                false
            }
            ExprKind::CondCall { func, variate, args } if self.takes_tuples(&func.name) => {
                let mut all = vec![(**variate).clone()];
                all.extend(args.iter().cloned());
                let mut all = self.call_args(&func.name, 0, all).into_iter();
                if let ExprKind::CondCall { variate, args, .. } = &mut x.kind {
                    **variate = all.next().unwrap_or_else(|| reported(x.span));
                    *args = all.collect();
                }
                false
            }
            ExprKind::Var(_) | ExprKind::Index { .. } | ExprKind::TupleExpr(_) | ExprKind::Call { .. } => {
                match self.elements(x) {
                    Ok(Some(_)) => {
                        let d = match &x.kind {
                            ExprKind::Call { func, .. } if self.tuple_returns.contains_key(&func.name) => {
                                tuple_as_value(&format!("{}(...)", func.name), x.span)
                            }
                            ExprKind::Call { func, .. } => tuple_call_as_value(&func.name, x.span),
                            ExprKind::TupleExpr(_) => Diagnostic::error("E1013", "a tuple `(...)` is not a value here")
                                .with_label(x.span, "a tuple")
                                .with_help("a tuple may initialise or be assigned to a tuple variable, or be printed"),
                            _ => tuple_as_value(&show(x), x.span),
                        };
                        self.error(d);
                        *x = reported(x.span);
                        false
                    }
                    Ok(None) => true,
                    Err(Reported) => {
                        *x = reported(x.span);
                        false
                    }
                }
            }
            _ => true,
        }
    }
}

fn count_mismatch(target: &str, want: usize, got: usize, value: Span, target_span: Span) -> Diagnostic {
    Diagnostic::error("E1013", format!("a tuple of {got} elements cannot be assigned to `{target}`, a tuple of {want}"))
        .with_label(value, format!("{got} elements"))
        .with_label(target_span, format!("{want} elements"))
        .with_help("give one value per element")
}

fn not_a_tuple(target: &str, want: usize, value: Span) -> Diagnostic {
    Diagnostic::error("E1013", format!("`{target}` is a tuple of {want} elements, but this value is not a tuple"))
        .with_label(value, "not a tuple")
        .with_help("give a tuple `(a, b, ...)`, a tuple variable, or a function that returns a tuple")
}

fn tuple_as_value(what: &str, span: Span) -> Diagnostic {
    Diagnostic::error("E1013", format!("`{what}` is a tuple, used here as a value"))
        .with_label(span, "a tuple")
        .with_help(format!("take one element, `{what}.1`, or assign it to a tuple variable"))
}

fn foreach_over_tuples(what: &str, span: Span) -> Diagnostic {
    Diagnostic::error("E1013", format!("a foreach loop over `{what}`, an array of tuples that is not a variable, is not supported yet"))
        .with_label(span, "an array of tuples")
        .with_help(format!("assign it to a variable and loop over that, or loop over its indices and read `{what}[i].1`, `{what}[i].2`, ..."))
}

fn tuple_call_as_value(func: &str, span: Span) -> Diagnostic {
    let parts = tuple_function_parts(func).unwrap_or_default();
    let parts: Vec<String> = parts.iter().map(|p| format!("`{p}`")).collect();
    Diagnostic::error("E1013", format!("`{func}` returns a tuple, used here as a value"))
        .with_label(span, "a tuple")
        .with_help(format!(
            "assign it to a tuple variable, take one element (`{func}(...).1`), or call {} for the parts",
            parts.join(", ")
        ))
}

/// The variable an lvalue assigns (its element variable for a tuple element).
/// Whether the index `e` is made of literals, variables and arithmetic
/// only (no calls, no indexing), its variables added to `read`.
fn plain_index(e: &Expr, read: &mut Vec<String>) -> bool {
    match &e.kind {
        ExprKind::IntLit(_) => true,
        ExprKind::Var(id) => {
            read.push(id.name.clone());
            true
        }
        ExprKind::Paren(x) | ExprKind::Unary { operand: x, .. } => plain_index(x, read),
        ExprKind::Binary { lhs, rhs, .. } => plain_index(lhs, read) && plain_index(rhs, read),
        _ => false,
    }
}

fn root_name(e: &Expr) -> Option<&str> {
    match &e.kind {
        ExprKind::Var(id) => Some(&id.name),
        ExprKind::Index { base, .. } | ExprKind::Paren(base) => root_name(base),
        _ => None,
    }
}

/// Whether `e` reads a variable of `names`, or an element of one.
fn reads_any(e: &Expr, names: &HashSet<String>) -> bool {
    if names.is_empty() {
        return false;
    }
    let mut hit = false;
    let mut copy = e.clone();
    map_expr(&mut copy, &mut |x| {
        if let ExprKind::Var(id) = &x.kind {
            hit |= names.iter().any(|n| *n == id.name || n.starts_with(&format!("{}:", id.name)));
        }
        !hit
    });
    hit
}

/// The span of a random draw (`*_rng(...)`) inside `e`, if any.
fn random_draw(e: &Expr) -> Option<Span> {
    let mut found = None;
    let mut copy = e.clone();
    map_expr(&mut copy, &mut |x| {
        if matches!(&x.kind, ExprKind::Call { func, .. } if func.name.ends_with("_rng")) {
            found.get_or_insert(x.span);
        }
        found.is_none()
    });
    found
}

/// An lvalue or expression as the user wrote it, for messages.
fn show(e: &Expr) -> String {
    match &e.kind {
        // The out-arguments a `return` assigns in a once-per-call function
        // (`tuples::once`): the function's result, `result.2`.
        ExprKind::Var(id) if id.name.starts_with("return:") => id.name.replacen("return", "result", 1).replace(':', "."),
        // Their tuple: the first element's name without its last slot.
        ExprKind::TupleExpr(v) if v.first().is_some_and(|x| show(x).starts_with("result.")) => {
            let first = v.first().map(show).unwrap_or_default();
            first.rsplit_once('.').map(|(parent, _)| parent.to_string()).unwrap_or(first)
        }
        ExprKind::Var(id) => id.name.replace(':', "."),
        ExprKind::Paren(x) => show(x),
        ExprKind::TupleIndex { base, index } => format!("{}.{index}", show(base)),
        ExprKind::Index { base, .. } => format!("{}[...]", show(base)),
        ExprKind::TupleExpr(v) => format!("({})", v.iter().map(show).collect::<Vec<_>>().join(", ")),
        ExprKind::Call { func, .. } => format!("{}(...)", func.name),
        _ => "this expression".to_string(),
    }
}

fn decl_stmt(name: &str, ty: TypeExpr, init: Expr, span: Span) -> Stmt {
    let name = Ident { name: name.to_string(), span };
    Stmt { kind: StmtKind::Decl(VarDecl { ty, name, init: Some(init), span }), span }
}

/// What stands for an expression whose error is reported: an empty tuple,
/// which no source can write and the checker passes over in silence.
fn reported(span: Span) -> Expr {
    Expr { kind: ExprKind::TupleExpr(Vec::new()), span }
}

/// An expression put in place for a moment while its owner is rewritten.
fn placeholder() -> Expr {
    Expr { kind: ExprKind::IntLit(0), span: Span::new(0, 0) }
}

/// `ty` as a local variable may declare it: the same shape, no constraint.
fn unconstrained(ty: TypeExpr) -> TypeExpr {
    use BaseTypeExpr as B;
    let none = Transform::None;
    let base = match ty.base {
        B::Int { .. } => B::Int { transform: none },
        B::Real { .. } => B::Real { transform: none },
        B::Vector { size, .. }
        | B::Simplex { size }
        | B::Ordered { size }
        | B::PositiveOrdered { size }
        | B::UnitVector { size }
        | B::SumToZeroVector { size } => B::Vector { transform: none, size },
        B::RowVector { size, .. } => B::RowVector { transform: none, size },
        B::Matrix { rows, cols, .. } => B::Matrix { transform: none, rows, cols },
        B::CholeskyFactorCov { rows, cols } => B::Matrix { transform: none, cols: cols.unwrap_or_else(|| rows.clone()), rows },
        B::CholeskyFactorCorr { size } | B::CorrMatrix { size } | B::CovMatrix { size } => {
            B::Matrix { transform: none, rows: size.clone(), cols: size }
        }
        other => other,
    };
    TypeExpr { base, ..ty }
}

/// The bounds, offset and multiplier of a transform.
fn transform_exprs_mut(tr: &mut Transform) -> Vec<&mut Expr> {
    match tr {
        Transform::None => vec![],
        Transform::Bounds { lower, upper } => lower.iter_mut().chain(upper.iter_mut()).collect(),
        Transform::OffsetMultiplier { offset, multiplier } => offset.iter_mut().chain(multiplier.iter_mut()).collect(),
    }
}

/// Every expression in a declared type: array sizes, sizes, bounds.
pub(crate) fn type_exprs_mut(t: &mut TypeExpr) -> Vec<&mut Expr> {
    use BaseTypeExpr as B;
    let mut out: Vec<&mut Expr> = t.array_sizes.iter_mut().collect();
    match &mut t.base {
        B::Int { transform: tr } | B::Real { transform: tr } => out.extend(transform_exprs_mut(tr)),
        B::Vector { transform: tr, size } | B::RowVector { transform: tr, size } => {
            out.extend(transform_exprs_mut(tr));
            out.push(size);
        }
        B::Matrix { transform: tr, rows, cols } => {
            out.extend(transform_exprs_mut(tr));
            out.push(rows);
            out.push(cols);
        }
        B::Simplex { size }
        | B::Ordered { size }
        | B::PositiveOrdered { size }
        | B::UnitVector { size }
        | B::SumToZeroVector { size }
        | B::CholeskyFactorCorr { size }
        | B::CorrMatrix { size }
        | B::CovMatrix { size }
        | B::ComplexVector { size }
        | B::ComplexRowVector { size } => out.push(size),
        B::CholeskyFactorCov { rows, cols } => {
            out.push(rows);
            out.extend(cols.iter_mut());
        }
        B::ComplexMatrix { rows, cols } | B::ConstrainedMatrix { rows, cols, .. } => {
            out.push(rows);
            out.push(cols);
        }
        B::Tuple(items) => items.iter_mut().for_each(|i| out.extend(type_exprs_mut(i))),
        B::Complex | B::DimIndex(_) => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn element_names_are_shown_dotted_as_whole_words() {
        let names = vec!["t:1".to_string(), "t:2".to_string(), "t:2:1".to_string()];
        assert_eq!(dotted("cannot assign to `t:2:1` or t:1", &names), "cannot assign to `t.2.1` or t.1");
        // A range `at:1` or `t:10` is no element name.
        assert_eq!(dotted("x[at:1] t:10", &names), "x[at:1] t:10");
        // The copy made for an assignment to `t.2` is shown as `t.2`.
        assert_eq!(dotted("`t:2:0` is declared as `int`", &["t:2:0".to_string()]), "`t.2` is declared as `int`");
    }
}
