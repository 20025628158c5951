//! User functions (the `functions` block) expanded into the blocks that call
//! them, before type checking.
//!
//! Every call of a user function is replaced by the function's body with the
//! arguments substituted for the parameters (Stan's arguments are read-only,
//! so substitution is exact). The checker, lowering and the fused, tape-free
//! AD then see ordinary statements and expressions, and type-check the body
//! at each call site with the argument types given there. Three body forms:
//!
//! - an *expression body*: local declarations with an initial value, `if`s
//!   whose branches return, and a final `return e;`, folded into one
//!   expression (`if (c) return a; return b;` becomes `c ? a : b`);
//! - a *statement body* (loops, prints, `target +=`, a final `return e;`):
//!   inlined before the calling statement (both in one new block), its
//!   locals renamed `name__fN` (a suffix users cannot write), and the
//!   returned expression put in the call's place (or, for `x = f(...)`,
//!   assigned to `x` at the end of the body);
//! - a body with a `return` before its end (inside a loop, an `if` arm,
//!   before other statements): inlined the same way, its `return`s lowered
//!   into assignments, a flag and `break`s (`returns.rs`); a container it
//!   returns inside an expression has no local, so the calling statement is
//!   copied to each `return` (`copies.rs`).
//!
//! Overloaded names are resolved before this runs ([`resolve_overloads`]):
//! here every definition has a name of its own.
//!
//! Codes: E0011 (a definition that cannot be used), E0012 (recursion),
//! E0013 (a call that breaks Stan's rules for user functions).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::diagnostics::Diagnostic;
use crate::syntax::ast::*;
use crate::syntax::span::Span;

mod arg_types;
mod copies;
mod map_rect;
mod overloads;
mod reduce_sum;
mod returns;
mod truncation;
mod unrolled;
pub use overloads::{resolve_overloads, show_written_names};
pub use reduce_sum::{split_reduce_sum, REDUCE_SUM};
pub use truncation::TRUNCATED_VARIATE;

/// Every function definition (with a body) of the `functions` block, as
/// written.
pub fn definitions(program: &Program) -> Vec<FunDef> {
    program
        .blocks
        .iter()
        .filter_map(|b| match &b.body {
            BlockBody::Functions(fns) => Some(fns.iter().filter(|f| f.body.is_some()).cloned()),
            _ => None,
        })
        .flatten()
        .collect()
}

/// Replaces the `functions` block's definitions by expanding every call of
/// them; the block itself stays (empty) so the block-order check still sees
/// it. Returns the expanded program and the diagnostics found on the way.
pub fn expand_functions(program: Program) -> (Program, Vec<Diagnostic>) {
    expand_functions_unrolling(program, &BTreeSet::new())
}

/// [`expand_functions`], with the calls at `unroll` (spans of calls of
/// recursive functions compiled as functions of their own, which the
/// checker found given values that depend on parameters: E0012 otherwise)
/// expanded at the call to a depth instead, as recursion on vectors is
/// (`unrolled.rs`). Their other calls stay calls.
pub fn expand_functions_unrolling(mut program: Program, unroll: &BTreeSet<Span>) -> (Program, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let mut defs: BTreeMap<String, FunDef> = BTreeMap::new();
    let mut declared: BTreeMap<String, FunDef> = BTreeMap::new();
    for block in &mut program.blocks {
        let BlockBody::Functions(fns) = &mut block.body else { continue };
        for mut f in std::mem::take(fns) {
            check_signature(&f, &mut diags);
            mark_jacobian_statements(&mut f, &mut diags);
            check_target_statements(&f, &mut diags);
            if f.body.is_none() {
                declared.entry(f.name.name.clone()).or_insert(f);
                continue;
            }
            if let Some(first) = defs.get(&f.name.name) {
                diags.push(
                    Diagnostic::error("E0011", format!("the function `{}` is defined twice", f.name.name))
                        .with_label(f.name.span, "second definition")
                        .with_label(first.name.span, "first definition")
                        .with_help("both take the same argument types: overloads of a name must differ in their arguments' types or count"),
                );
                continue;
            }
            defs.insert(f.name.name.clone(), f);
        }
        block.body = BlockBody::Stmts(Vec::new());
    }
    for (name, f) in &declared {
        if !defs.contains_key(name) {
            diags.push(
                Diagnostic::error("E0011", format!("the function `{name}` is declared but never defined"))
                    .with_label(f.name.span, "forward declaration without a definition")
                    .with_help("add the definition with a body `{ ... }` to the `functions` block"),
            );
        }
    }
    if defs.is_empty() {
        return (program, diags);
    }
    let (recursive, mut compiled, unrolled) = sort_recursion(&defs, &mut diags);
    let levels = compiled_levels(&defs, &compiled);
    let mut ex = Expander {
        forms: BTreeMap::new(),
        defs,
        recursive,
        unrolled,
        levels: HashMap::new(),
        compiled: compiled.keys().cloned().collect(),
        unroll_at: unroll.clone(),
        param_names: BTreeSet::new(),
        counter: 0,
        block: BlockKind::Model,
        caller: None,
        pending: BTreeMap::new(),
        diags,
    };
    for block in &program.blocks {
        if matches!(block.kind, BlockKind::Parameters | BlockKind::TransformedParameters) {
            if let BlockBody::Stmts(stmts) = &block.body {
                for s in stmts {
                    if let StmtKind::Decl(d) = &s.kind {
                        ex.param_names.insert(d.name.name.clone());
                    }
                }
            }
        }
    }
    let names: Vec<String> = ex.defs.keys().cloned().collect();
    for name in names {
        ex.classify_def(name);
    }
    // A compiled function whose body calls one with statements (directly
    // or through others) cannot be one expression: every call of it is
    // expanded to a depth instead, as recursion on vectors is.
    loop {
        let hoisting: Vec<String> = compiled.iter().filter(|(_, body)| ex.hoists(body)).map(|(n, _)| n.clone()).collect();
        if hoisting.is_empty() {
            break;
        }
        for name in hoisting {
            compiled.remove(&name);
            ex.compiled.remove(&name);
            ex.unroll(name, &levels);
        }
    }
    if !unroll.is_empty() {
        // Every compiled function gets the unrolled form too (the one a
        // call at `unroll` names may reach the others); its other calls
        // stay calls.
        for name in ex.compiled.clone() {
            ex.unroll(name, &levels);
        }
    }
    for block in &mut program.blocks {
        ex.block = block.kind;
        if let BlockBody::Stmts(stmts) = &mut block.body {
            let old = std::mem::take(stmts);
            *stmts = ex.expand_stmts(old, 0);
        }
    }
    // The compiled recursive functions stay in the `functions` block, each
    // body one `return` of its folded expression with the calls of other
    // user functions expanded.
    let mut kept = Vec::new();
    ex.block = BlockKind::Functions;
    // Inside a compiled body every argument is the function's own: its
    // calls stay calls.
    ex.unroll_at.clear();
    for (name, body) in compiled {
        let mut hoist = Vec::new();
        let span = body.span;
        let body = ex.expand_expr(body, &mut hoist, 0);
        let mut def = ex.defs[&name].clone();
        if !hoist.is_empty() {
            ex.diags.push(
                Diagnostic::error("E0012", format!("the recursive function `{name}` calls a function with a statement body, which is not supported yet"))
                    .with_label(def.name.span, "defined here")
                    .with_help("a recursive function may call only functions whose bodies are local values, `if`/`else` and `return`s"),
            );
            continue;
        }
        def.body = Some(vec![Stmt { kind: StmtKind::Return(Some(body)), span }]);
        kept.push(def);
    }
    if !kept.is_empty() {
        if let Some(block) = program.blocks.iter_mut().find(|b| b.kind == BlockKind::Functions) {
            block.body = BlockBody::Functions(kept);
        }
    }
    (program, ex.diags)
}

/// Makes every `jacobian += e;` of a function body a [`StmtKind::JacobianPlus`]
/// (the parser reads it as an assignment to a variable `jacobian`), unless
/// the function names a parameter or local `jacobian` (legal before Stan
/// 2.36, when it is that variable). Outside a `_jacobian` function the
/// statement is refused (E3004), as Stan refuses it.
fn mark_jacobian_statements(f: &mut FunDef, diags: &mut Vec<Diagnostic>) {
    let Some(body) = f.body.as_mut() else { return };
    let mut named = f.params.iter().any(|p| p.name.name == JACOBIAN);
    for s in body.iter() {
        visit_stmts(s, &mut |x| match &x.kind {
            StmtKind::Decl(d) => named |= d.name.name == JACOBIAN,
            StmtKind::For { var, .. } | StmtKind::ForEach { var, .. } => named |= var.name == JACOBIAN,
            _ => {}
        });
    }
    if named {
        return;
    }
    fn mark(s: &mut Stmt, found: &mut Vec<Span>) {
        if let StmtKind::Assign { lhs: Expr { kind: ExprKind::Var(v), .. }, op: AssignOp::Add, rhs } = &s.kind {
            if v.name == JACOBIAN {
                found.push(s.span);
                s.kind = StmtKind::JacobianPlus(rhs.clone());
                return;
            }
        }
        match &mut s.kind {
            StmtKind::For { body, .. } | StmtKind::ForEach { body, .. } | StmtKind::While { body, .. } => mark(body, found),
            StmtKind::If { then, otherwise, .. } => {
                mark(then, found);
                if let Some(o) = otherwise {
                    mark(o, found);
                }
            }
            StmtKind::Block(v) => v.iter_mut().for_each(|x| mark(x, found)),
            _ => {}
        }
    }
    let mut found = Vec::new();
    body.iter_mut().for_each(|s| mark(s, &mut found));
    if !f.name.name.ends_with("_jacobian") {
        for span in found {
            diags.push(
                Diagnostic::error("E3004", format!("`jacobian +=` in the function `{}`, whose name does not end in `_jacobian`", f.name.name))
                    .with_label(span, "adds to the Jacobian adjustment")
                    .with_label(f.name.span, "defined here")
                    .with_help(format!(
                        "rename the function `{}_jacobian` (then call it only in `transformed parameters` or another `_jacobian` function)",
                        f.name.name
                    )),
            );
        }
    }
}

/// Refuses `target +=` and `~` in a function whose name does not end in
/// `_lp` (E3004), as Stan does: the checker allows them in an inlined body
/// only when it is a `_lp` function's, and a plain function's body inlined
/// into one would otherwise pass.
fn check_target_statements(f: &FunDef, diags: &mut Vec<Diagnostic>) {
    if f.name.name.ends_with("_lp") {
        return;
    }
    for s in f.body.as_deref().unwrap_or(&[]) {
        visit_stmts(s, &mut |x| {
            let what = match &x.kind {
                StmtKind::TargetPlus(_) => "`target +=`",
                StmtKind::Tilde { .. } => "a sampling statement `~`",
                _ => return,
            };
            diags.push(
                Diagnostic::error("E3004", format!("{what} in the function `{}`, whose name does not end in `_lp`", f.name.name))
                    .with_label(x.span, "adds to the log density")
                    .with_label(f.name.span, "defined here")
                    .with_help(if f.name.name.ends_with("_lpdf") || f.name.name.ends_with("_lpmf") {
                        "a density function returns its log density: `return ...;` instead of adding to `target`".to_string()
                    } else {
                        format!("rename the function `{}_lp` (then call it only in `model`, `transformed parameters` or another `_lp` function)", f.name.name)
                    }),
            );
        });
    }
}

/// The name of Stan's `jacobian +=` accumulator.
pub(crate) const JACOBIAN: &str = "jacobian";

const TYPES: [&str; 6] = ["int", "real", "vector", "row_vector", "matrix", "void"];

fn check_signature(f: &FunDef, diags: &mut Vec<Diagnostic>) {
    let mut bad = |t: &FunType, what: &str| {
        diags.push(
            Diagnostic::error("E0011", format!("`{}` is not a type a user function can {what}", t.base))
                .with_label(t.span, "unknown type")
                .with_help("use int, real, vector, row_vector, matrix, or an array of them (`void` for no value)"),
        );
    };
    if !TYPES.contains(&f.return_type.base.as_str()) || (f.return_type.base == "void" && f.return_type.array_dims > 0) {
        bad(&f.return_type, "return");
    }
    for p in &f.params {
        if !TYPES.contains(&p.ty.base.as_str()) || p.ty.base == "void" {
            bad(&p.ty, "take");
        }
    }
}

/// The user functions `e` calls (by their definition names).
fn calls_in_expr(e: &Expr, out: &mut Vec<(String, Span)>) {
    visit_expr(e, &mut |x| match &x.kind {
        ExprKind::Call { func, .. } | ExprKind::CondCall { func, .. } => out.push((def_name(&func.name), func.span)),
        _ => {}
    });
}

fn calls_in_stmts(stmts: &[Stmt], out: &mut Vec<(String, Span)>) {
    let mut dists = Vec::new();
    for s in stmts {
        visit_stmt_exprs(s, &mut |e| calls_in_expr(e, out), &mut |dist| {
            for suffix in ["_lpdf", "_lpmf"] {
                dists.push((format!("{}{suffix}", dist.name), dist.span));
            }
        });
    }
    out.extend(dists);
}

/// `foo_lupdf` is defined as `foo_lpdf`, `foo_lupmf` as `foo_lpmf`.
pub(crate) fn def_name(called: &str) -> String {
    if let Some(stem) = called.strip_suffix("_lupdf") {
        format!("{stem}_lpdf")
    } else if let Some(stem) = called.strip_suffix("_lupmf") {
        format!("{stem}_lpmf")
    } else {
        called.to_string()
    }
}

/// Every function on a call cycle: the ones that can be compiled as
/// functions of their own (see [`compiled_body`]), with their bodies
/// folded into one expression, and the rest, reported (E0012).
fn sort_recursion(defs: &BTreeMap<String, FunDef>, diags: &mut Vec<Diagnostic>) -> (BTreeSet<String>, BTreeMap<String, Expr>, BTreeMap<String, usize>) {
    let graph = call_graph(defs);
    let mut recursive = BTreeSet::new();
    let mut compiled = BTreeMap::new();
    let mut unrolled = BTreeMap::new();
    for (name, f) in defs {
        // Depth-first search for a path back to `name`.
        let mut stack: Vec<&str> = vec![name];
        let mut seen = BTreeSet::new();
        let mut found = None;
        while let Some(n) = stack.pop() {
            for (c, span) in graph.get(n).map(|v| v.as_slice()).unwrap_or(&[]) {
                if c == name {
                    found.get_or_insert(*span);
                } else if seen.insert(c.clone()) {
                    stack.push(c);
                }
            }
        }
        let Some(span) = found else { continue };
        match compiled_body(f) {
            Ok(body) => {
                compiled.insert(name.clone(), body);
            }
            // Expanded at each call, to a depth (`unrolled.rs`).
            Err(_) if unrolled::unrollable(f) => {
                unrolled.insert(name.clone(), unrolled::level_limit(recursive_calls(&graph, name)));
            }
            Err(why) => {
                recursive.insert(name.clone());
                diags.push(
                    Diagnostic::error("E0012", format!("the recursive function `{name}` {why}, which is not supported yet"))
                        .with_label(f.name.span, "defined here")
                        .with_label(span, "calls itself (directly or through other functions) here")
                        .with_help(
                            "a recursive function may return `int`, `real`, vectors, matrices and arrays of them; \
                             otherwise write the recursion as a loop",
                        ),
                );
            }
        }
    }
    // A compiled function on a cycle with an unrolled one (its body would
    // expand the other's statements) is unrolled with it.
    let mixed: Vec<String> =
        compiled.keys().filter(|c| unrolled.keys().any(|u| reaches(&graph, c, u) && reaches(&graph, u, c))).cloned().collect();
    for name in mixed {
        compiled.remove(&name);
        unrolled.insert(name.clone(), unrolled::level_limit(recursive_calls(&graph, &name)));
    }
    (recursive, compiled, unrolled)
}

/// The levels each function of `compiled` is expanded to when a call of
/// it is expanded rather than compiled (see [`expand_functions_unrolling`]).
fn compiled_levels(defs: &BTreeMap<String, FunDef>, compiled: &BTreeMap<String, Expr>) -> BTreeMap<String, usize> {
    let graph = call_graph(defs);
    compiled.keys().map(|name| (name.clone(), unrolled::level_limit(recursive_calls(&graph, name)))).collect()
}

/// Each user function's calls of user functions, with their spans.
fn call_graph(defs: &BTreeMap<String, FunDef>) -> BTreeMap<&str, Vec<(String, Span)>> {
    let mut graph = BTreeMap::new();
    for (name, f) in defs {
        let mut calls = Vec::new();
        calls_in_stmts(f.body.as_deref().unwrap_or(&[]), &mut calls);
        calls.retain(|(c, _)| defs.contains_key(c));
        graph.insert(name.as_str(), calls);
    }
    graph
}

/// How many calls in `name`'s body lead back to `name`.
fn recursive_calls(graph: &BTreeMap<&str, Vec<(String, Span)>>, name: &str) -> usize {
    graph.get(name).map_or(0, |v| v.iter().filter(|(c, _)| c == name || reaches(graph, c, name)).count())
}

/// Whether `from` calls `to`, directly or through other functions.
fn reaches(graph: &BTreeMap<&str, Vec<(String, Span)>>, from: &str, to: &str) -> bool {
    let mut stack = vec![from.to_string()];
    let mut seen = BTreeSet::new();
    while let Some(n) = stack.pop() {
        for (c, _) in graph.get(n.as_str()).map(|v| v.as_slice()).unwrap_or(&[]) {
            if c == to {
                return true;
            }
            if seen.insert(c.clone()) {
                stack.push(c.clone());
            }
        }
    }
    false
}

/// The body of a recursive function folded into one expression, when the
/// function can be compiled as a function of its own: `int`/`real`
/// parameters and result, no `_rng`/`_lp`/density suffix, and a body of
/// local values, `if`/`else` and `return`s. Otherwise why not.
fn compiled_body(f: &FunDef) -> Result<Expr, &'static str> {
    let scalar = |t: &FunType| t.array_dims == 0 && (t.base == "int" || t.base == "real");
    if !scalar(&f.return_type) {
        return Err("does not return an `int` or a `real`");
    }
    if !f.params.iter().all(|p| scalar(&p.ty)) {
        return Err("takes an argument that is not an `int` or a `real`");
    }
    let name = &f.name.name;
    if ["_rng", "_lp", "_lpdf", "_lpmf", "_lcdf", "_lccdf", "_cdf"].iter().any(|s| name.ends_with(s)) {
        return Err("is a distribution, a random number generator or a `_lp` function");
    }
    fold_expr(f.body.as_deref().unwrap_or(&[]), &HashMap::new())
        .ok_or("has statements other than local values, `if`/`else` and `return`")
}

/// How a function's calls are expanded.
#[derive(Clone, Debug)]
enum Form {
    /// The body folded into one expression over the parameters.
    Expr(Expr),
    /// Statements (locals, loops, ...) then, for a non-void function, the
    /// returned expression.
    Stmts(Vec<Stmt>, Option<Expr>),
    /// A body with a `return` before its end, as written: its `return`s are
    /// lowered at each call ([`returns::lower`]).
    Jumps(Vec<Stmt>),
    /// Could not be used (already reported).
    Broken,
}

struct Expander {
    defs: BTreeMap<String, FunDef>,
    forms: BTreeMap<String, Form>,
    recursive: BTreeSet<String>,
    /// Recursive functions expanded at each call down to a number of
    /// levels (`unrolled.rs`), by name.
    unrolled: BTreeMap<String, usize>,
    /// The levels of each of those being expanded now.
    levels: HashMap<String, usize>,
    /// Recursive functions compiled as functions of their own: their calls
    /// stay calls, except those at `unroll_at`.
    compiled: BTreeSet<String>,
    /// Calls of `compiled` functions expanded to a depth instead (given
    /// values that depend on parameters), with every call of a compiled
    /// function their expansion makes.
    unroll_at: BTreeSet<Span>,
    /// Names declared in `parameters` and `transformed parameters`.
    param_names: BTreeSet<String>,
    counter: usize,
    /// The block being expanded.
    block: BlockKind,
    /// The user function whose body is being expanded (the innermost one),
    /// `None` at the block's own statements: Stan's call rules for `_lp`
    /// and `_jacobian` functions depend on it.
    caller: Option<String>,
    /// Calls of early-returned containers waiting for the statement that
    /// uses their value, by placeholder name (`copies.rs`).
    pending: BTreeMap<String, copies::Pending>,
    diags: Vec<Diagnostic>,
}

/// Calls nested deeper than this are a cycle the recursion check missed.
const MAX_DEPTH: usize = 64;

impl Expander {
    /// Takes the form of the definition `name` (again, after its way of
    /// being expanded changed).
    fn classify_def(&mut self, name: String) {
        let form = self.classify(&self.defs[&name].clone());
        self.forms.insert(name, form);
    }

    /// Expands the calls of the compiled function `name` to a depth (its
    /// levels from `levels`, see [`compiled_levels`]) and takes its form again.
    fn unroll(&mut self, name: String, levels: &BTreeMap<String, usize>) {
        self.unrolled.insert(name.clone(), levels.get(&name).copied().unwrap_or(1));
        self.classify_def(name);
    }

    fn classify(&mut self, f: &FunDef) -> Form {
        if self.recursive.contains(&f.name.name) || (self.compiled.contains(&f.name.name) && !self.unrolled.contains_key(&f.name.name)) {
            return Form::Broken;
        }
        let mut body = f.body.clone().unwrap_or_default();
        if self.unrolled.contains_key(&f.name.name) && compiled_body(f).is_ok() {
            // A recursion on `int`/`real` values (one expression) expanded
            // at a call: its levels in nested `else`s, for lowering to prune.
            body = unrolled::nest_early_returns(body);
        }
        if self.unrolled.contains_key(&f.name.name) {
            // `return c ? a : f(...);` as `if (c) return a; else return
            // f(...);`: the recursive call's statements go in its arm.
            body.iter_mut().for_each(unrolled::split_conditional_returns);
        }
        let is_void = f.return_type.base == "void";
        // An unrolled recursion keeps its `if`s statements, so that the
        // levels past the limit reject only in the arm that reaches them.
        if !is_void && !self.unrolled.contains_key(&f.name.name) {
            if let Some(e) = fold_expr(&body, &HashMap::new()) {
                return Form::Expr(e);
            }
        }
        // Every `return` agrees with the declared type.
        let mut wrong = false;
        for s in &body {
            visit_stmts(s, &mut |x| match &x.kind {
                StmtKind::Return(Some(e)) if is_void => {
                    self.diags.push(
                        Diagnostic::error("E0011", format!("the void function `{}` returns a value", f.name.name))
                            .with_label(e.span, "value returned here")
                            .with_help("declare the function's return type, or write `return;`"),
                    );
                    wrong = true;
                }
                StmtKind::Return(None) if !is_void => {
                    self.diags.push(
                        Diagnostic::error("E0011", format!("`return;` without a value in `{}`, which returns `{}`", f.name.name, type_text(&f.return_type)))
                            .with_label(x.span, "no value")
                            .with_help("write `return expr;` with a value of the declared type"),
                    );
                    wrong = true;
                }
                _ => {}
            });
        }
        if wrong {
            return Form::Broken;
        }
        if !is_void && !matches!(returns::paths(&body), returns::Paths::All | returns::Paths::Stops) {
            self.diags.push(
                Diagnostic::error("E0011", format!("the function `{}` does not return a value on every path", f.name.name))
                    .with_label(f.name.span, format!("declared to return `{}`", type_text(&f.return_type)))
                    .with_help(
                        "end the body with `return expr;` (after a loop that returns from inside, too), or give every branch \
                         of the last `if` a `return`",
                    ),
            );
            return Form::Broken;
        }
        // The fast path: one `return`, the last statement (none in a void body).
        let (stmts, ret) = match body.split_last() {
            Some((Stmt { kind: StmtKind::Return(r), .. }, rest)) => (rest.to_vec(), r.clone()),
            _ => (body.clone(), None),
        };
        if (is_void || ret.is_some()) && !stmts.iter().any(returns::contains_return) {
            return Form::Stmts(stmts, ret);
        }
        Form::Jumps(body)
    }

    fn fresh(&mut self, name: &str) -> String {
        self.counter += 1;
        format!("{name}__f{}", self.counter)
    }

    fn expand_stmts(&mut self, stmts: Vec<Stmt>, depth: usize) -> Vec<Stmt> {
        let mut out = Vec::new();
        for s in stmts {
            out.extend(self.expand_stmt(s, depth));
        }
        out
    }

    fn expand_body(&mut self, s: Stmt, depth: usize) -> Box<Stmt> {
        let span = s.span;
        let mut v = self.expand_stmt(s, depth);
        Box::new(if v.len() == 1 { v.remove(0) } else { Stmt { kind: StmtKind::Block(v), span } })
    }

    /// One statement, with the statements its calls need before it.
    fn expand_stmt(&mut self, s: Stmt, depth: usize) -> Vec<Stmt> {
        let span = s.span;
        let mut hoist = Vec::new();
        let kind = match s.kind {
            StmtKind::Tilde { lhs, dist, args, truncation } => {
                let def = [format!("{}_lpdf", dist.name), format!("{}_lpmf", dist.name)]
                    .into_iter()
                    .find(|n| self.defs.contains_key(n));
                match def {
                    Some(def) => {
                        if let Some(t) = &truncation {
                            return match self.truncated_tilde(lhs, &dist, &def, &args, t, span) {
                                Some(stmt) => self.expand_stmt(stmt, depth),
                                None => Vec::new(),
                            };
                        }
                        // `y ~ foo(...)` is `foo_lupdf`: the body's own
                        // `_lupdf` calls drop constants under propto, as Stan's.
                        let unnormalised = match def.strip_suffix("_lpdf") {
                            Some(stem) => format!("{stem}_lupdf"),
                            None => format!("{}_lupmf", def.trim_end_matches("_lpmf")),
                        };
                        let func = Ident { name: unnormalised, span: dist.span };
                        let call = Expr {
                            kind: ExprKind::CondCall { func, variate: Box::new(lhs), args },
                            span,
                        };
                        let e = self.expand_expr(call, &mut hoist, depth);
                        StmtKind::TargetPlus(e)
                    }
                    None => {
                        let lhs = self.expand_expr(lhs, &mut hoist, depth);
                        let args = args.into_iter().map(|a| self.expand_expr(a, &mut hoist, depth)).collect();
                        StmtKind::Tilde { lhs, dist, args, truncation }
                    }
                }
            }
            StmtKind::Decl(mut d) => {
                if let Some(init) = d.init.take() {
                    if let Some(stmts) = self.direct_call(&init, Expr::var(&d.name), depth) {
                        // `vector[N] x = f(...)`: the body assigns `x` itself.
                        let mut v = vec![Stmt { kind: StmtKind::Decl(d), span }];
                        v.push(Stmt { kind: StmtKind::Block(self.resolve(stmts, Vec::new())), span });
                        return v;
                    }
                    let init = self.expand_expr(init, &mut hoist, depth);
                    if !hoist.is_empty() {
                        let name = d.name.clone();
                        let assign = Stmt {
                            kind: StmtKind::Assign { lhs: Expr::var(&name), op: AssignOp::Assign, rhs: init },
                            span,
                        };
                        // The declaration stays (its sizes are the user's);
                        // a call awaiting its statement copies the assignment.
                        return vec![
                            Stmt { kind: StmtKind::Decl(d), span },
                            Stmt { kind: StmtKind::Block(self.resolve(hoist, vec![assign])), span },
                        ];
                    }
                    d.init = Some(init);
                }
                StmtKind::Decl(d)
            }
            StmtKind::Assign { lhs, op: AssignOp::Assign, rhs } => {
                if let Some(stmts) = self.direct_call(&rhs, lhs.clone(), depth) {
                    return vec![Stmt { kind: StmtKind::Block(self.resolve(stmts, Vec::new())), span }];
                }
                let rhs = self.expand_expr(rhs, &mut hoist, depth);
                let lhs = self.expand_expr(lhs, &mut hoist, depth);
                StmtKind::Assign { lhs, op: AssignOp::Assign, rhs }
            }
            StmtKind::Assign { lhs, op, rhs } => {
                let rhs = self.expand_expr(rhs, &mut hoist, depth);
                let lhs = self.expand_expr(lhs, &mut hoist, depth);
                StmtKind::Assign { lhs, op, rhs }
            }
            StmtKind::TargetPlus(e) => StmtKind::TargetPlus(self.expand_expr(e, &mut hoist, depth)),
            StmtKind::JacobianPlus(e) => StmtKind::JacobianPlus(self.expand_expr(e, &mut hoist, depth)),
            StmtKind::Inlined { from, stmts } => StmtKind::Inlined { from, stmts: self.expand_stmts(stmts, depth) },
            StmtKind::For { var, lower, upper, body } => {
                let lower = self.expand_expr(lower, &mut hoist, depth);
                let upper = self.expand_expr(upper, &mut hoist, depth);
                StmtKind::For { var, lower, upper, body: self.expand_body(*body, depth) }
            }
            StmtKind::ForEach { var, over, body } => {
                let over = self.expand_expr(over, &mut hoist, depth);
                StmtKind::ForEach { var, over, body: self.expand_body(*body, depth) }
            }
            StmtKind::While { cond, body } => {
                let cond = self.expand_expr(cond, &mut hoist, depth);
                if let Some(p) = self.awaiting(&hoist) {
                    let d = p.while_condition();
                    self.diags.push(d);
                } else if !hoist.is_empty() {
                    self.diags.push(
                        Diagnostic::error("E0013", "a user function with statements in a `while` condition is not supported yet")
                            .with_label(cond.span, "condition calls it")
                            .with_help("compute the condition into a local variable before the loop and at the end of its body"),
                    );
                }
                StmtKind::While { cond, body: self.expand_body(*body, depth) }
            }
            StmtKind::If { cond, then, otherwise } => {
                let cond = self.expand_expr(cond, &mut hoist, depth);
                StmtKind::If {
                    cond,
                    then: self.expand_body(*then, depth),
                    otherwise: otherwise.map(|o| self.expand_body(*o, depth)),
                }
            }
            StmtKind::Block(v) => StmtKind::Block(self.expand_stmts(v, depth)),
            StmtKind::Print(a) => StmtKind::Print(self.expand_print(a, &mut hoist, depth)),
            StmtKind::Reject(a) => StmtKind::Reject(self.expand_print(a, &mut hoist, depth)),
            StmtKind::FatalError(a) => StmtKind::FatalError(self.expand_print(a, &mut hoist, depth)),
            StmtKind::Return(e) => StmtKind::Return(e.map(|e| self.expand_expr(e, &mut hoist, depth))),
            StmtKind::Call(e) => match &e.kind {
                ExprKind::Call { func, args } if self.defs.contains_key(&func.name) => {
                    let (func, args) = (func.clone(), args.clone());
                    match self.statement_call(&func, args, e.span, &mut hoist, depth) {
                        Some(stmts) => {
                            return vec![Stmt { kind: StmtKind::Block(self.resolve(hoist, stmts)), span }];
                        }
                        None => StmtKind::Empty,
                    }
                }
                _ => StmtKind::Call(self.expand_expr(e, &mut hoist, depth)),
            },
            k @ (StmtKind::Break | StmtKind::Continue | StmtKind::Empty | StmtKind::Error) => k,
        };
        let stmt = Stmt { kind, span };
        if hoist.is_empty() {
            vec![stmt]
        } else {
            vec![Stmt { kind: StmtKind::Block(self.resolve(hoist, vec![stmt])), span }]
        }
    }

    fn expand_print(&mut self, args: Vec<PrintArg>, hoist: &mut Vec<Stmt>, depth: usize) -> Vec<PrintArg> {
        args.into_iter()
            .map(|a| match a {
                PrintArg::Expr(e) => PrintArg::Expr(self.expand_expr(e, hoist, depth)),
                PrintArg::Zip { array_dims, parts } => PrintArg::Zip { array_dims, parts: self.expand_print(parts, hoist, depth) },
                s => s,
            })
            .collect()
    }

    /// `target = f(args)` where `f` has a statement body: the body, with its
    /// `return e` written as `target = e`. `None` when `rhs` is not such a call.
    fn direct_call(&mut self, rhs: &Expr, target: Expr, depth: usize) -> Option<Vec<Stmt>> {
        let ExprKind::Call { func, args } = &rhs.kind else { return None };
        if !self.expands(func, rhs.span) {
            return None;
        }
        let name = def_name(&func.name);
        let jumps = match self.forms.get(&name) {
            Some(Form::Stmts(_, Some(_))) => false,
            Some(Form::Jumps(_)) if self.defs.get(&name).is_some_and(|f| f.return_type.base != "void") => true,
            _ => return None,
        };
        let mut hoist = Vec::new();
        // A body with early returns writes each returned value to `target`.
        let place = jumps.then(|| target.clone());
        // A failed call is reported; an empty block stands for it.
        let Some((mut stmts, ret)) = self.instantiate(func, args.clone(), rhs.span, &mut hoist, depth, place) else {
            return Some(Vec::new());
        };
        hoist.append(&mut stmts);
        if let Some(ret) = ret {
            hoist.push(Stmt {
                kind: StmtKind::Assign { lhs: target, op: AssignOp::Assign, rhs: ret },
                span: rhs.span,
            });
        }
        Some(hoist)
    }

    /// A void function called as a statement.
    fn statement_call(&mut self, func: &Ident, args: Vec<Expr>, span: Span, hoist: &mut Vec<Stmt>, depth: usize) -> Option<Vec<Stmt>> {
        let name = def_name(&func.name);
        if self.defs.get(&name).is_some_and(|f| f.return_type.base != "void") {
            self.diags.push(
                Diagnostic::error("E0013", format!("the value of `{}` is not used", func.name))
                    .with_label(span, "called as a statement")
                    .with_help("only void functions are called as statements: assign the value, or add it to `target`"),
            );
            return None;
        }
        let (stmts, _) = self.instantiate(func, args, span, hoist, depth, None)?;
        Some(stmts)
    }

    /// The function's body for one call: the call-site rules checked, the
    /// arguments substituted and the locals renamed. Returns the statements
    /// and the returned expression (for a statement body), or just the
    /// expression (for an expression body). A body with early returns
    /// writes its value to `place` when given (and returns no expression),
    /// else to a new local, the returned expression.
    fn instantiate(
        &mut self,
        func: &Ident,
        args: Vec<Expr>,
        span: Span,
        hoist: &mut Vec<Stmt>,
        depth: usize,
        place: Option<Expr>,
    ) -> Option<(Vec<Stmt>, Option<Expr>)> {
        let name = def_name(&func.name);
        let f = self.defs.get(&name)?.clone();
        if depth > MAX_DEPTH {
            return None;
        }
        let level = self.levels.get(&name).copied().unwrap_or(0);
        if let Some(&limit) = self.unrolled.get(&name) {
            if level >= limit {
                let (reject, value) = unrolled::past_the_limit(&f, limit, span);
                return Some((vec![reject], value.filter(|_| place.is_none())));
            }
        }
        if !self.check_call(&f, func, &args, span) {
            return None;
        }
        let args: Vec<Expr> = args.into_iter().map(|a| self.expand_expr(a, hoist, depth)).collect();
        let mut form = self.forms.get(&name).cloned()?;
        if matches!(&form, Form::Expr(e) if self.arm_hoists(e)) {
            // A folded `if` whose arm calls a function with statements
            // cannot stay a `?:` (the arm's statements would run on both
            // paths): the body is lowered with its `return`s instead.
            form = Form::Jumps(f.body.clone().unwrap_or_default());
        }
        if func.name.ends_with("_lpdf") || func.name.ends_with("_lpmf") {
            // Called normalised: Stan passes `propto = false` down, so the
            // body's `_lupdf`/`_lupmf` calls keep their constants.
            normalise_density_calls(&mut form);
        }
        // Substitution copies an argument to each use: a random draw in it
        // would be drawn once per use (or per loop trip) instead of once.
        for (p, a) in f.params.iter().zip(&args) {
            let mut draws = false;
            visit_expr(a, &mut |x| {
                if let ExprKind::Call { func, .. } = &x.kind {
                    draws |= func.name.ends_with("_rng");
                }
            });
            let once = match &form {
                Form::Expr(e) => count_uses(e, &p.name.name) <= 1,
                _ => false,
            };
            if draws && !once {
                self.diags.push(
                    Diagnostic::error("E0013", format!("the argument `{}` of `{name}` draws a random number", p.name.name))
                        .with_label(a.span, "a draw passed straight to a user function")
                        .with_help("assign the draw to a variable first and pass the variable"),
                );
                return None;
            }
        }
        let mut env: HashMap<String, Expr> = HashMap::new();
        for (p, a) in f.params.iter().zip(args) {
            // An out-argument (`return:1`, see `tuples::once`) is a place
            // the body assigns: substituted as written, an lvalue.
            let a = if p.name.name.starts_with("return:") { a } else { paren(a) };
            env.insert(p.name.name.clone(), a);
        }
        // The body's own calls are checked against this function's rules.
        let outer_caller = self.caller.replace(name.clone());
        self.levels.insert(name.clone(), level + 1);
        let expanded = match form {
            Form::Broken => None,
            Form::Expr(e) => {
                let e = subst(&e, &env);
                let e = self.expand_expr(e, hoist, depth + 1);
                Some((Vec::new(), Some(Expr { kind: ExprKind::Paren(Box::new(e)), span })))
            }
            Form::Stmts(stmts, ret) => {
                // Not `rename_stmts`: the returned expression sees the body's locals.
                let stmts: Vec<Stmt> = stmts.iter().map(|s| self.rename_stmt(s, &mut env)).collect();
                let ret = ret.map(|r| subst(&r, &env));
                let saved = std::mem::take(hoist);
                let stmts = self.expand_stmts(stmts, depth + 1);
                let mut ret_hoist = Vec::new();
                let ret = ret.map(|r| self.expand_expr(r, &mut ret_hoist, depth + 1));
                *hoist = saved;
                let mut all = stmts;
                all.extend(ret_hoist);
                Some((mark_inlined(&name, all, span), ret))
            }
            Form::Jumps(body) => 'jumps: {
                let stmts: Vec<Stmt> = body.iter().map(|s| self.rename_stmt(s, &mut env)).collect();
                let mut out = Vec::new();
                // The placeholder of a container's value: the body waits
                // for the statement using it (`copies.rs`).
                let mut hole = None;
                let (place, value) = match (f.return_type.base.as_str(), place) {
                    ("void", _) => (None, None),
                    (_, Some(p)) => (Some(p), None),
                    (_, None) => match self.result_local(&f, span) {
                        Some(local) => {
                            let var = Expr::var(&local.name);
                            out.push(Stmt { kind: StmtKind::Decl(local), span });
                            (Some(var.clone()), Some(var))
                        }
                        None => {
                            self.counter += 1;
                            let h = Ident { name: format!("{name}:{}", self.counter), span };
                            let var = Expr::var(&h);
                            hole = Some(h);
                            (Some(var.clone()), Some(var))
                        }
                    },
                };
                let fell_off = (place.is_some() && !returns::surely_returns(&body)).then(|| {
                    format!("the function `{}` reached the end of its body without returning a value", overloads::written_name(&name))
                });
                let flag = Ident { name: self.fresh("returned"), span };
                let stmts = returns::lower(stmts, place, flag.clone(), fell_off, span);
                let saved = std::mem::take(hoist);
                let body = self.expand_stmts(stmts, depth + 1);
                *hoist = saved;
                let body = mark_inlined(&name, body, span);
                if let Some(hole) = hole {
                    let pending = copies::Pending::new(body, func.clone(), span, f.name.clone(), type_text(&f.return_type), flag);
                    self.pending.insert(hole.name.clone(), pending);
                    out.push(copies::marker(&hole, span));
                    break 'jumps Some((out, value));
                }
                // The result's local stays outside the marked body: the
                // calling expression reads it.
                out.extend(body);
                Some((out, value))
            }
        };
        self.caller = outer_caller;
        self.levels.insert(name, level);
        expanded
    }

    /// Whether an arm of a `?:` in `e` calls a user function with
    /// statements (directly or through expression bodies).
    fn arm_hoists(&self, e: &Expr) -> bool {
        let mut found = false;
        visit_expr(e, &mut |x| {
            if let ExprKind::Ternary { then, otherwise, .. } = &x.kind {
                found |= self.hoists(then) || self.hoists(otherwise);
            }
        });
        found
    }

    /// Whether expanding `e` puts statements before its statement.
    fn hoists(&self, e: &Expr) -> bool {
        let mut found = false;
        visit_expr(e, &mut |x| {
            if let ExprKind::Call { func, .. } | ExprKind::CondCall { func, .. } = &x.kind {
                found |= match self.forms.get(&def_name(&func.name)) {
                    Some(Form::Stmts(..) | Form::Jumps(_)) => true,
                    Some(Form::Expr(body)) => self.hoists(body),
                    _ => false,
                };
            }
        });
        found
    }

    /// The local that holds the value of a call whose body returns early
    /// and whose value is used inside an expression, for an `int` or a
    /// `real`; `None` for a container, whose sizes are not known before
    /// type checking (its statement is copied instead, `copies.rs`).
    fn result_local(&mut self, f: &FunDef, span: Span) -> Option<VarDecl> {
        let base = match (f.return_type.base.as_str(), f.return_type.array_dims) {
            ("int", 0) => BaseTypeExpr::Int { transform: Transform::None },
            ("real", 0) => BaseTypeExpr::Real { transform: Transform::None },
            _ => return None,
        };
        let name = Ident { name: self.fresh(&f.name.name), span };
        Some(VarDecl { ty: TypeExpr { array_sizes: Vec::new(), base, span }, name, init: None, span })
    }

    /// Stan's rules at a call: the argument count, `_rng` and `_lp` only in
    /// the blocks that allow them, `data` arguments free of parameters.
    fn check_call(&mut self, f: &FunDef, func: &Ident, args: &[Expr], span: Span) -> bool {
        let name = &f.name.name;
        if args.len() != f.params.len() {
            self.diags.push(
                Diagnostic::error(
                    "E0013",
                    format!("`{}` takes {} argument(s), but {} were given", func.name, f.params.len(), args.len()),
                )
                .with_label(span, "this call")
                .with_label(f.name.span, format!("defined as `{}`", signature_text(f))),
            );
            return false;
        }
        if name.ends_with("_rng") && !matches!(self.block, BlockKind::TransformedData | BlockKind::GeneratedQuantities) {
            self.diags.push(
                Diagnostic::error("E0013", format!("`{name}` draws random numbers; it cannot be called in `{}`", self.block.keyword()))
                    .with_label(span, "random draw here")
                    .with_help("call `_rng` functions in `transformed data` or `generated quantities`"),
            );
            return false;
        }
        if name.ends_with("_lp") {
            let refused = match &self.caller {
                Some(caller) => (!caller.ends_with("_lp")).then(|| format!("the function `{caller}`")),
                None => (!matches!(self.block, BlockKind::Model | BlockKind::TransformedParameters)).then(|| format!("`{}`", self.block.keyword())),
            };
            if let Some(place) = refused {
                self.diags.push(
                    Diagnostic::error("E0013", format!("`{name}` adds to the log density; it cannot be called in {place}"))
                        .with_label(span, "call here")
                        .with_help("call `_lp` functions in `model`, `transformed parameters` or another `_lp` function"),
                );
                return false;
            }
        }
        if name.ends_with("_jacobian") {
            let refused = match &self.caller {
                Some(caller) => (!caller.ends_with("_jacobian")).then(|| format!("the function `{caller}`")),
                None => (self.block != BlockKind::TransformedParameters).then(|| format!("`{}`", self.block.keyword())),
            };
            if let Some(place) = refused {
                self.diags.push(
                    Diagnostic::error("E0013", format!("`{name}` adds to the Jacobian adjustment; it cannot be called in {place}"))
                        .with_label(span, "call here")
                        .with_help("call `_jacobian` functions in `transformed parameters` or another `_jacobian` function"),
                );
                return false;
            }
        }
        let mut ok = true;
        for (p, a) in f.params.iter().zip(args) {
            if !p.data_only {
                continue;
            }
            let mut used = None;
            visit_expr(a, &mut |x| {
                if let ExprKind::Var(v) = &x.kind {
                    if self.param_names.contains(&v.name) {
                        used.get_or_insert(v.clone());
                    }
                }
            });
            if let Some(v) = used {
                self.diags.push(
                    Diagnostic::error("E0013", format!("the argument `{}` of `{name}` must be data, but it uses the parameter `{}`", p.name.name, v.name))
                        .with_label(a.span, "depends on a parameter")
                        .with_label(p.name.span, "declared `data` here")
                        .with_help("pass data or transformed data, or remove the `data` qualifier"),
                );
                ok = false;
            }
        }
        ok
    }

    fn expand_expr(&mut self, e: Expr, hoist: &mut Vec<Stmt>, depth: usize) -> Expr {
        let span = e.span;
        let kind = match e.kind {
            ExprKind::Call { func, args } if self.expands(&func, span) => {
                return self.value_call(&func, args, span, hoist, depth);
            }
            ExprKind::Call { func, args } if REDUCE_SUM.contains(&func.name.as_str()) && self.names_user_function(&args) => {
                return self.reduce_sum(&func, args, span, hoist, depth);
            }
            ExprKind::Call { func, args } if func.name == "map_rect" && self.names_user_function(&args) => {
                return self.map_rect(&func, args, span, hoist, depth);
            }
            ExprKind::CondCall { func, variate, args } if self.defs.contains_key(&def_name(&func.name)) => {
                let mut all = vec![*variate];
                all.extend(args);
                return self.value_call(&func, all, span, hoist, depth);
            }
            ExprKind::Call { func, args } => ExprKind::Call {
                func,
                args: args.into_iter().map(|a| self.expand_expr(a, hoist, depth)).collect(),
            },
            ExprKind::CondCall { func, variate, args } => ExprKind::CondCall {
                func,
                variate: Box::new(self.expand_expr(*variate, hoist, depth)),
                args: args.into_iter().map(|a| self.expand_expr(a, hoist, depth)).collect(),
            },
            ExprKind::Binary { op, lhs, rhs } => ExprKind::Binary {
                op,
                lhs: Box::new(self.expand_expr(*lhs, hoist, depth)),
                rhs: Box::new(self.expand_expr(*rhs, hoist, depth)),
            },
            ExprKind::Unary { op, operand } => ExprKind::Unary { op, operand: Box::new(self.expand_expr(*operand, hoist, depth)) },
            ExprKind::Ternary { cond, then, otherwise } => {
                let cond = Box::new(self.expand_expr(*cond, hoist, depth));
                let before = hoist.len();
                let then = Box::new(self.expand_expr(*then, hoist, depth));
                let otherwise = Box::new(self.expand_expr(*otherwise, hoist, depth));
                if hoist.len() > before {
                    self.diags.push(
                        Diagnostic::error("E0013", "a user function with statements in a branch of `?:` is not supported yet")
                            .with_label(span, "this `?:`")
                            .with_help("use an `if` statement"),
                    );
                }
                ExprKind::Ternary { cond, then, otherwise }
            }
            ExprKind::Index { base, indices } => ExprKind::Index {
                base: Box::new(self.expand_expr(*base, hoist, depth)),
                indices: indices.into_iter().map(|i| self.expand_index(i, hoist, depth)).collect(),
            },
            ExprKind::ArrayExpr(v) => ExprKind::ArrayExpr(v.into_iter().map(|a| self.expand_expr(a, hoist, depth)).collect()),
            ExprKind::RowVectorExpr(v) => {
                ExprKind::RowVectorExpr(v.into_iter().map(|a| self.expand_expr(a, hoist, depth)).collect())
            }
            ExprKind::Paren(x) => ExprKind::Paren(Box::new(self.expand_expr(*x, hoist, depth))),
            ExprKind::TupleExpr(v) => ExprKind::TupleExpr(v.into_iter().map(|a| self.expand_expr(a, hoist, depth)).collect()),
            ExprKind::TupleIndex { base, index } => {
                ExprKind::TupleIndex { base: Box::new(self.expand_expr(*base, hoist, depth)), index }
            }
            k @ (ExprKind::IntLit(_) | ExprKind::RealLit(_) | ExprKind::Var(_) | ExprKind::Target) => k,
        };
        Expr { kind, span }
    }

    fn expand_index(&mut self, i: Index, hoist: &mut Vec<Stmt>, depth: usize) -> Index {
        match i {
            Index::Single(e) => Index::Single(self.expand_expr(e, hoist, depth)),
            Index::Range { lower, upper, span } => Index::Range {
                lower: lower.map(|e| self.expand_expr(e, hoist, depth)),
                upper: upper.map(|e| self.expand_expr(e, hoist, depth)),
                span,
            },
            a @ Index::All(_) => a,
        }
    }

    /// Whether the call of `func` at `span` is expanded here: a user
    /// function's, unless it is compiled as a function of its own and
    /// neither given values that depend on parameters (`unroll_at`) nor
    /// made by the expansion of such a call.
    fn expands(&self, func: &Ident, span: Span) -> bool {
        if !self.defs.contains_key(&def_name(&func.name)) {
            return false;
        }
        if !self.compiled.contains(&func.name) {
            return true;
        }
        self.unroll_at.contains(&span) || self.levels.iter().any(|(n, &l)| l > 0 && self.compiled.contains(n))
    }

    /// A call whose value is used inside an expression.
    fn value_call(&mut self, func: &Ident, args: Vec<Expr>, span: Span, hoist: &mut Vec<Stmt>, depth: usize) -> Expr {
        let name = def_name(&func.name);
        let error_expr = || Expr { kind: ExprKind::RealLit(f64::NAN), span };
        let Some(f) = self.defs.get(&name).cloned() else { return error_expr() };
        if f.return_type.base == "void" {
            self.diags.push(
                Diagnostic::error("E0013", format!("the void function `{}` has no value", func.name))
                    .with_label(span, "used as a value here")
                    .with_help("call it as a statement: `f(...);`"),
            );
            return error_expr();
        }
        let Some((stmts, ret)) = self.instantiate(func, args, span, hoist, depth, None) else { return error_expr() };
        let Some(ret) = ret else { return error_expr() };
        if stmts.is_empty() {
            return ret;
        }
        // A statement body inside an expression: its statements go before the
        // calling statement (their locals are renamed, so unique and in scope
        // there) and the returned expression takes the call's place.
        hoist.extend(stmts);
        ret
    }

    /// The body's statements with every local and loop variable renamed and
    /// the parameters replaced by `env`'s arguments.
    fn rename_stmts(&mut self, stmts: &[Stmt], env: &mut HashMap<String, Expr>) -> Vec<Stmt> {
        let saved = env.clone();
        let out = stmts.iter().map(|s| self.rename_stmt(s, env)).collect();
        *env = saved;
        out
    }

    fn rename_stmt(&mut self, s: &Stmt, env: &mut HashMap<String, Expr>) -> Stmt {
        let kind = match &s.kind {
            StmtKind::Decl(d) => {
                let mut d = d.clone();
                d.ty = subst_type(&d.ty, env);
                d.init = d.init.as_ref().map(|e| subst(e, env));
                let new = Ident { name: self.fresh(&d.name.name), span: d.name.span };
                env.insert(d.name.name.clone(), Expr::var(&new));
                d.name = new;
                StmtKind::Decl(d)
            }
            StmtKind::For { var, lower, upper, body } => {
                let (lower, upper) = (subst(lower, env), subst(upper, env));
                let saved = env.clone();
                let new = Ident { name: self.fresh(&var.name), span: var.span };
                env.insert(var.name.clone(), Expr::var(&new));
                let body = Box::new(self.rename_stmt(body, env));
                *env = saved;
                StmtKind::For { var: new, lower, upper, body }
            }
            StmtKind::ForEach { var, over, body } => {
                let over = subst(over, env);
                let saved = env.clone();
                let new = Ident { name: self.fresh(&var.name), span: var.span };
                env.insert(var.name.clone(), Expr::var(&new));
                let body = Box::new(self.rename_stmt(body, env));
                *env = saved;
                StmtKind::ForEach { var: new, over, body }
            }
            StmtKind::Block(v) => StmtKind::Block(self.rename_stmts(v, env)),
            // Not a scope (see `instantiate`): its locals stay named after it.
            StmtKind::Inlined { from, stmts } => StmtKind::Inlined { from: *from, stmts: stmts.iter().map(|x| self.rename_stmt(x, env)).collect() },
            StmtKind::If { cond, then, otherwise } => StmtKind::If {
                cond: subst(cond, env),
                then: Box::new(self.rename_scoped(then, env)),
                otherwise: otherwise.as_ref().map(|o| Box::new(self.rename_scoped(o, env))),
            },
            StmtKind::While { cond, body } => StmtKind::While { cond: subst(cond, env), body: Box::new(self.rename_scoped(body, env)) },
            other => {
                let mut st = Stmt { kind: other.clone(), span: s.span };
                map_stmt_exprs(&mut st, &mut |e| *e = subst(e, env));
                return st;
            }
        };
        Stmt { kind, span: s.span }
    }

    fn rename_scoped(&mut self, s: &Stmt, env: &mut HashMap<String, Expr>) -> Stmt {
        let saved = env.clone();
        let out = self.rename_stmt(s, env);
        *env = saved;
        out
    }
}

fn paren(e: Expr) -> Expr {
    match e.kind {
        ExprKind::Var(_) | ExprKind::IntLit(_) | ExprKind::RealLit(_) | ExprKind::Paren(_) => e,
        _ => Expr { span: e.span, kind: ExprKind::Paren(Box::new(e)) },
    }
}

impl Expr {
    /// A reference to a variable.
    pub fn var(name: &Ident) -> Expr {
        Expr { kind: ExprKind::Var(name.clone()), span: name.span }
    }
}

/// Folds an expression body into one expression, or `None` when it has other
/// statements. `env` holds the locals met so far (by their values).
fn fold_expr(stmts: &[Stmt], env: &HashMap<String, Expr>) -> Option<Expr> {
    let (first, rest) = stmts.split_first()?;
    match &first.kind {
        StmtKind::Return(Some(e)) => Some(subst(e, env)),
        // Only a scalar local folds: a container's declared sizes must be
        // checked against its value (Stan rejects a mismatch), which needs
        // the declaration kept.
        StmtKind::Decl(d) if d.ty.array_sizes.is_empty() && matches!(d.ty.base, BaseTypeExpr::Int { .. } | BaseTypeExpr::Real { .. }) => {
            let init = subst(d.init.as_ref()?, env);
            let mut env = env.clone();
            env.insert(d.name.name.clone(), paren(init));
            fold_expr(rest, &env)
        }
        StmtKind::Block(inner) if rest.is_empty() => fold_expr(inner, env),
        StmtKind::If { cond, then, otherwise } => {
            let then_e = fold_expr(std::slice::from_ref(then), env)?;
            let else_e = match otherwise {
                Some(o) if rest.is_empty() => fold_expr(std::slice::from_ref(o), env)?,
                Some(_) => return None,
                None => fold_expr(rest, env)?,
            };
            let span = first.span;
            Some(Expr {
                kind: ExprKind::Ternary {
                    cond: Box::new(subst(cond, env)),
                    then: Box::new(then_e),
                    otherwise: Box::new(else_e),
                },
                span,
            })
        }
        StmtKind::Empty => fold_expr(rest, env),
        _ => None,
    }
}

/// How many times the variable `name` appears in `e`.
fn count_uses(e: &Expr, name: &str) -> usize {
    let mut n = 0;
    visit_expr(e, &mut |x| {
        if matches!(&x.kind, ExprKind::Var(v) if v.name == name) {
            n += 1;
        }
    });
    n
}

/// `e` with every variable named in `env` replaced by its value.
fn subst(e: &Expr, env: &HashMap<String, Expr>) -> Expr {
    let mut out = e.clone();
    map_expr(&mut out, &mut |x| {
        if let ExprKind::Var(v) = &x.kind {
            if let Some(value) = env.get(&v.name) {
                *x = value.clone();
                return false;
            }
        }
        true
    });
    out
}

fn subst_type(t: &TypeExpr, env: &HashMap<String, Expr>) -> TypeExpr {
    let mut t = t.clone();
    for e in super::tuples::type_exprs_mut(&mut t) {
        *e = subst(e, env);
    }
    t
}

/// Renames every `_lupdf`/`_lupmf` call of a function body to its
/// `_lpdf`/`_lpmf` form.
fn normalise_density_calls(form: &mut Form) {
    fn expr(e: &mut Expr) {
        map_expr(e, &mut |x| {
            if let ExprKind::Call { func, .. } | ExprKind::CondCall { func, .. } = &mut x.kind {
                if let Some(stem) = func.name.strip_suffix("_lupdf") {
                    func.name = format!("{stem}_lpdf");
                } else if let Some(stem) = func.name.strip_suffix("_lupmf") {
                    func.name = format!("{stem}_lpmf");
                }
            }
            true
        });
    }
    fn stmt(s: &mut Stmt) {
        map_stmt_exprs(s, &mut expr);
        match &mut s.kind {
            StmtKind::Block(v) | StmtKind::Inlined { stmts: v, .. } => v.iter_mut().for_each(stmt),
            StmtKind::For { body, .. } | StmtKind::ForEach { body, .. } | StmtKind::While { body, .. } => stmt(body),
            StmtKind::If { then, otherwise, .. } => {
                stmt(then);
                if let Some(o) = otherwise {
                    stmt(o);
                }
            }
            _ => {}
        }
    }
    match form {
        Form::Expr(e) => expr(e),
        Form::Stmts(stmts, ret) => {
            stmts.iter_mut().for_each(stmt);
            if let Some(r) = ret {
                expr(r);
            }
        }
        Form::Jumps(stmts) => stmts.iter_mut().for_each(stmt),
        Form::Broken => {}
    }
}

/// Applies `f` to `e` and, while `f` returns true, to its sub-expressions.
pub(crate) fn map_expr(e: &mut Expr, f: &mut dyn FnMut(&mut Expr) -> bool) {
    if !f(e) {
        return;
    }
    match &mut e.kind {
        ExprKind::Call { args, .. } => args.iter_mut().for_each(|a| map_expr(a, f)),
        ExprKind::CondCall { variate, args, .. } => {
            map_expr(variate, f);
            args.iter_mut().for_each(|a| map_expr(a, f));
        }
        ExprKind::Binary { lhs, rhs, .. } => {
            map_expr(lhs, f);
            map_expr(rhs, f);
        }
        ExprKind::Unary { operand, .. } => map_expr(operand, f),
        ExprKind::Ternary { cond, then, otherwise } => {
            map_expr(cond, f);
            map_expr(then, f);
            map_expr(otherwise, f);
        }
        ExprKind::Index { base, indices } => {
            map_expr(base, f);
            for i in indices {
                match i {
                    Index::Single(x) => map_expr(x, f),
                    Index::Range { lower, upper, .. } => {
                        if let Some(x) = lower {
                            map_expr(x, f);
                        }
                        if let Some(x) = upper {
                            map_expr(x, f);
                        }
                    }
                    Index::All(_) => {}
                }
            }
        }
        ExprKind::ArrayExpr(v) | ExprKind::RowVectorExpr(v) | ExprKind::TupleExpr(v) => {
            v.iter_mut().for_each(|a| map_expr(a, f))
        }
        ExprKind::Paren(x) | ExprKind::TupleIndex { base: x, .. } => map_expr(x, f),
        ExprKind::IntLit(_) | ExprKind::RealLit(_) | ExprKind::Var(_) | ExprKind::Target => {}
    }
}

fn visit_expr(e: &Expr, f: &mut dyn FnMut(&Expr)) {
    let mut copy = e.clone();
    map_expr(&mut copy, &mut |x| {
        f(x);
        true
    });
}

/// Applies `f` to the expressions a statement holds itself (not those of
/// nested statements).
pub(crate) fn map_stmt_exprs(s: &mut Stmt, f: &mut dyn FnMut(&mut Expr)) {
    let print = |args: &mut Vec<PrintArg>, f: &mut dyn FnMut(&mut Expr)| {
        for e in args.iter_mut().flat_map(PrintArg::exprs_mut) {
            f(e);
        }
    };
    match &mut s.kind {
        StmtKind::Assign { lhs, rhs, .. } => {
            f(lhs);
            f(rhs);
        }
        StmtKind::Tilde { lhs, args, truncation, .. } => {
            f(lhs);
            args.iter_mut().for_each(&mut *f);
            if let Some(t) = truncation {
                t.lower.iter_mut().chain(t.upper.iter_mut()).for_each(f);
            }
        }
        StmtKind::TargetPlus(e) | StmtKind::JacobianPlus(e) | StmtKind::Call(e) | StmtKind::Return(Some(e)) => f(e),
        StmtKind::Print(a) | StmtKind::Reject(a) | StmtKind::FatalError(a) => print(a, f),
        StmtKind::Decl(d) => {
            if let Some(e) = &mut d.init {
                f(e);
            }
        }
        StmtKind::For { lower, upper, .. } => {
            f(lower);
            f(upper);
        }
        StmtKind::ForEach { over, .. } => f(over),
        StmtKind::While { cond, .. } | StmtKind::If { cond, .. } => f(cond),
        _ => {}
    }
}

/// Visits `s` and every statement nested in it.
fn visit_stmts(s: &Stmt, f: &mut dyn FnMut(&Stmt)) {
    f(s);
    match &s.kind {
        StmtKind::For { body, .. } | StmtKind::ForEach { body, .. } | StmtKind::While { body, .. } => visit_stmts(body, f),
        StmtKind::If { then, otherwise, .. } => {
            visit_stmts(then, f);
            if let Some(o) = otherwise {
                visit_stmts(o, f);
            }
        }
        StmtKind::Block(v) | StmtKind::Inlined { stmts: v, .. } => v.iter().for_each(|x| visit_stmts(x, f)),
        _ => {}
    }
}

/// Visits every expression in `s` and its nested statements, and the
/// distribution name of every `~`.
fn visit_stmt_exprs(s: &Stmt, f: &mut dyn FnMut(&Expr), dist: &mut dyn FnMut(&Ident)) {
    visit_stmts(s, &mut |x| {
        let mut copy = x.clone();
        if let StmtKind::Tilde { dist: d, .. } = &x.kind {
            dist(d);
        }
        map_stmt_exprs(&mut copy, &mut |e| f(e));
    });
}

fn type_text(t: &FunType) -> String {
    let base = if t.elements.is_empty() {
        t.base.clone()
    } else {
        format!("tuple({})", t.elements.iter().map(type_text).collect::<Vec<_>>().join(", "))
    };
    if t.array_dims == 0 {
        base
    } else {
        format!("array[{}] {base}", ",".repeat(t.array_dims - 1))
    }
}

fn signature_text(f: &FunDef) -> String {
    let params: Vec<String> = f
        .params
        .iter()
        .map(|p| format!("{}{} {}", if p.data_only { "data " } else { "" }, type_text(&p.ty), p.name.name))
        .collect();
    format!("{} {}({})", type_text(&f.return_type), f.name.name, params.join(", "))
}

/// The inlined body of a `_lp` or `_jacobian` function marked as such: the
/// checker allows `target +=`/`jacobian +=` inside these bodies only,
/// wherever they were inlined.
fn mark_inlined(name: &str, stmts: Vec<Stmt>, span: Span) -> Vec<Stmt> {
    let from = if name.ends_with("_lp") {
        InlinedFrom::Lp
    } else if name.ends_with("_jacobian") {
        InlinedFrom::Jacobian
    } else {
        return stmts;
    };
    if stmts.is_empty() {
        return stmts;
    }
    vec![Stmt { kind: StmtKind::Inlined { from, stmts }, span }]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::parse_program;

    fn expand(src: &str) -> (Program, Vec<Diagnostic>) {
        let (program, diags) = parse_program(src);
        assert!(diags.is_empty(), "{diags:?}");
        expand_functions(program.expect("parses"))
    }

    fn model_stmts(p: &Program) -> &[Stmt] {
        let block = p.blocks.iter().find(|b| b.kind == BlockKind::Model).expect("model block");
        let BlockBody::Stmts(s) = &block.body else { panic!("statements") };
        s
    }

    #[test]
    fn an_early_return_folds_into_a_conditional_expression() {
        let (p, d) = expand(
            "functions { real f(real x) { real h = x / 2; if (x > 0) return h; return -h; } }
             parameters { real mu; } model { target += f(mu); }",
        );
        assert!(d.is_empty(), "{d:?}");
        let StmtKind::TargetPlus(e) = &model_stmts(&p)[0].kind else { panic!("target +=") };
        let ExprKind::Paren(inner) = &e.kind else { panic!("parenthesised body: {e:?}") };
        assert!(matches!(inner.kind, ExprKind::Ternary { .. }), "{inner:?}");
    }

    #[test]
    fn a_statement_body_renames_its_locals_so_arguments_are_not_captured() {
        // The caller's `y` is passed to a body that declares its own `y`.
        let src = "functions { real f(real x) { real y = 0; for (i in 1:2) { y += i; } return x * y; } }
             parameters { real y; } model { target += f(y); }";
        let (p, d) = expand(src);
        assert!(d.is_empty(), "{d:?}");
        let StmtKind::Block(stmts) = &model_stmts(&p)[0].kind else { panic!("a block") };
        let StmtKind::Decl(local) = &stmts[0].kind else { panic!("the body's local") };
        assert!(local.name.name.starts_with("y__f"), "{}", local.name.name);
        let StmtKind::TargetPlus(e) = &stmts.last().expect("the call").kind else { panic!("target +=") };
        let mut names = Vec::new();
        visit_expr(e, &mut |x| {
            if let ExprKind::Var(v) = &x.kind {
                names.push(v.name.clone());
            }
        });
        assert_eq!(names, vec!["y".to_string(), local.name.name.clone()]);
        assert!(crate::front_end(src).typed.is_some());
    }

    #[test]
    fn a_user_density_in_a_sampling_statement_becomes_target_plus() {
        let (p, d) = expand(
            "functions { real my_lpdf(real y, real m) { return -square(y - m); } }
             parameters { real mu; } model { mu ~ my(1); target += my_lupdf(mu | 2); }",
        );
        assert!(d.is_empty(), "{d:?}");
        assert!(model_stmts(&p).iter().all(|s| matches!(s.kind, StmtKind::TargetPlus(_))));
    }

    #[test]
    fn mutual_recursion_on_scalars_is_kept_as_functions() {
        let (p, d) = expand(
            "functions { int even(int n); int odd(int n) { return n == 0 ? 0 : even(n - 1); }
               int even(int n) { return n == 0 ? 1 : odd(n - 1); } } model { }",
        );
        assert!(d.is_empty(), "{d:?}");
        let BlockBody::Functions(kept) = &p.blocks[0].body else { panic!("the functions block keeps them") };
        let names: Vec<&str> = kept.iter().map(|f| f.name.name.as_str()).collect();
        assert_eq!(names, vec!["even", "odd"]);
    }

    #[test]
    fn recursion_that_cannot_be_compiled_is_unrolled() {
        // A loop in the body, and an array argument.
        let (_, d) = expand(
            "functions { int even(int n); int odd(int n) { int k = n; while (k > 5) k -= 2; return k == 0 ? 0 : even(k - 1); }
               int even(int n) { return n == 0 ? 1 : odd(n - 1); }
               real total(array[] real x, int n) { return n == 0 ? 0 : x[n] + total(x, n - 1); } } model { }",
        );
        // Expanded at each call instead (`unrolled.rs`): no error.
        assert!(d.is_empty(), "{d:?}");
        // A recursion on scalars (one expression) that calls a
        // non-recursive function with statements (E0012 on 76b228b): its
        // calls are expanded too, the call on data included, and none is
        // left a call.
        let (p, d) = expand(
            "functions { real g(real x) { real y = 0; for (i in 1:2) y += x; return y; }
               real f(real x, int n) { return n == 0 ? g(x) : f(x, n - 1); } }
             data { int N; } transformed data { real t = f(1.5, N); } model { }",
        );
        assert!(d.is_empty(), "{d:?}");
        assert!(matches!(&p.blocks[0].body, BlockBody::Stmts(v) if v.is_empty()), "no function is kept: {:?}", p.blocks[0].body);
        let text = format!("{:?}", p.blocks);
        assert!(!text.contains("name: \"f\""), "a call of `f` is left: {text}");
    }
}

