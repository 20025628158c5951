//! Overloaded user functions (Stan 2.29): several definitions of one name
//! with different argument types, each call resolved by Stan's rules.
//!
//! Resolution runs on the program as written, before tuples are split and
//! calls expanded, because the expander and the checker after it know one
//! definition per name. Every definition of an overloaded name gets an
//! internal name of its own, `stem#k` plus the name's suffix (`center#1`,
//! `foo#2_lpdf`: `#` cannot be written in a name, and the suffix keeps the
//! `_lpdf`/`_rng`/`_lp`/`_jacobian` rules of the expander working), and each
//! call is renamed to the definition it resolves to. The same walk promotes
//! an `int` argument given for a `real` parameter (`f(3)` becomes
//! `f(3.0)`, `f(n)` becomes `f(1.0 * n)`), an `int` array for a `real`
//! array (`promote#real(ns)`) and a tuple's `int` elements for `real` ones
//! (`f(t)` becomes `f((1.0 * t.1, t.2))`), overloaded or not: expanded in
//! the parameter's place, an `int` would keep integer division in the body,
//! where Stan's promoted value does not. A program without overloads and
//! such arguments is left exactly as it was.
//!
//! Choosing needs each argument's type, which exists only after checking;
//! but in Stan it follows from declarations (the variables in scope, a
//! function's declared arguments and result) and the typing rules, which is
//! what [`arg_types`](super::arg_types) reads. The rule is Stan's: among the
//! definitions with as many arguments as the call, those every argument
//! fits, exactly or by promotion (`int` to `real`, `array[] int` to
//! `array[] real`); the one needing the fewest promotions wins, a tie is
//! ambiguous (E0013), no fit is an error listing the definitions (E0013).
//! An argument whose type cannot be read before checking decides nothing:
//! when the remaining definitions differ at its position the call is refused
//! (E0013, assign it to a variable first), never guessed. A tuple fits a
//! tuple parameter whose element types its own fit, each promotion counted. `y ~ foo(...)`
//! chooses among the overloads of `foo_lpdf` and `foo_lpmf` together (an
//! `int` outcome fits an `_lpmf` exactly). A forward declaration belongs to
//! the definition with its argument types; two definitions with the same
//! argument types stay "defined twice" (E0011). An overloaded function
//! cannot be passed by name (to `reduce_sum`, `map_rect`, a solver): E0013.
//! (User functions take no complex types, so `real` to `complex` never
//! arises.)

use std::collections::{BTreeMap, HashMap};

use super::arg_types::{self, Declared, Names};
use super::{def_name, map_expr, map_stmt_exprs, paren, signature_text, type_text};
use crate::check::typed::{Level, TypedExpr, TypedExprKind};
use crate::check::types::{DimId, DimNames, Type};
use crate::diagnostics::Diagnostic;
use crate::syntax::ast::*;
use crate::syntax::span::Span;

/// The suffixes whose rules follow a function's name.
const SUFFIXES: [&str; 8] = ["_lpdf", "_lpmf", "_lcdf", "_lccdf", "_cdf", "_rng", "_lp", "_jacobian"];

/// One definition of an overloaded name.
#[derive(Clone, Debug)]
struct Overload {
    /// The internal name's mark, `#k`, inserted after the stem.
    mark: String,
    def: FunDef,
}

/// Renames the definitions of overloaded user functions and every call of
/// them to the definition it resolves to, and promotes the `int` arguments
/// of `real` parameters. Returns the program, the diagnostics, and the
/// internal names with the names they stand for (for
/// [`show_written_names`]).
pub fn resolve_overloads(mut program: Program) -> (Program, Vec<Diagnostic>, Vec<(String, String)>) {
    let mut all: Vec<&mut FunDef> = Vec::new();
    for block in &mut program.blocks {
        if let BlockBody::Functions(fns) = &mut block.body {
            all.extend(fns.iter_mut());
        }
    }
    // The distinct argument lists of each name, in order of appearance.
    let mut signatures: BTreeMap<String, Vec<Vec<String>>> = BTreeMap::new();
    for f in &all {
        let sigs = signatures.entry(f.name.name.clone()).or_default();
        let key = key(f);
        if !sigs.contains(&key) {
            sigs.push(key);
        }
    }
    let mut overloaded: Vec<String> = signatures.iter().filter(|(_, s)| s.len() > 1).map(|(n, _)| n.clone()).collect();
    // `foo_lpdf` and `foo_lpmf` both defined: `y ~ foo(...)` chooses.
    for name in signatures.keys() {
        if let Some(stem) = name.strip_suffix("_lpdf") {
            let pmf = format!("{stem}_lpmf");
            if signatures.contains_key(&pmf) {
                overloaded.extend([name.clone(), pmf]);
            }
        }
    }
    if signatures.is_empty() {
        return (program, Vec::new(), Vec::new());
    }
    // A user function named like a library function overloads it (Stan
    // 2.29): its definitions get internal names like overloaded ones, and
    // a call no definition fits is left to the library.
    let mut diags = Vec::new();
    let mut library = Vec::new();
    for f in &all {
        if library_function(&f.name.name) {
            if let Some(d) = library_clash(f) {
                diags.push(d);
            }
            library.push(f.name.name.clone());
        }
    }
    overloaded.extend(library.iter().cloned());
    let mut groups: BTreeMap<String, Vec<Overload>> = BTreeMap::new();
    let mut shown = Vec::new();
    let mut marks: HashMap<(String, Vec<String>), String> = HashMap::new();
    for f in all {
        if !overloaded.contains(&f.name.name) {
            continue;
        }
        let written = f.name.name.clone();
        let stem = &written[..stem_len(&written)];
        let sig = key(f);
        let next = marks.len() + 1;
        let mark = marks.entry((written.clone(), sig)).or_insert_with(|| format!("#{next}")).clone();
        let internal = format!("{stem}{mark}{}", &written[stem.len()..]);
        let group = groups.entry(written.clone()).or_default();
        if !group.iter().any(|o| o.mark == mark) {
            shown.push((format!("{stem}{mark}"), stem.to_string()));
            group.push(Overload { mark, def: f.clone() });
        }
        f.name.name = internal;
    }
    // Signatures only: the resolver reads the arguments and the result.
    let mut defs = HashMap::new();
    for block in &program.blocks {
        if let BlockBody::Functions(fns) = &block.body {
            for f in fns {
                defs.insert(f.name.name.clone(), FunDef { body: None, ..f.clone() });
            }
        }
    }
    let mut r = Resolver { groups, defs, library, scopes: vec![HashMap::new()], diags };
    for block in &mut program.blocks {
        match &mut block.body {
            BlockBody::Functions(fns) => {
                for f in fns {
                    let Some(body) = &mut f.body else { continue };
                    r.scopes.push(f.params.iter().map(|p| (p.name.name.clone(), Declared::Arg(p.ty.clone()))).collect());
                    body.iter_mut().for_each(|s| r.stmt(s));
                    r.scopes.pop();
                }
            }
            BlockBody::Stmts(stmts) => {
                // The model block's variables are its own.
                let local = block.kind == BlockKind::Model;
                if local {
                    r.scopes.push(HashMap::new());
                }
                stmts.iter_mut().for_each(|s| r.stmt(s));
                if local {
                    r.scopes.pop();
                }
            }
            BlockBody::Dims(_) => {}
        }
    }
    // Longest first: `f#12` before `f#1`.
    shown.sort_by_key(|(internal, _)| std::cmp::Reverse(internal.len()));
    (program, r.diags, shown)
}

/// `text` of a diagnostic with every internal name of an overloaded
/// function shown as written.
pub fn show_written_names(d: &mut Diagnostic, shown: &[(String, String)]) {
    if shown.is_empty() {
        return;
    }
    let fix = |text: &mut String| {
        for (internal, written) in shown {
            if text.contains(internal.as_str()) {
                *text = text.replace(internal.as_str(), written);
            }
        }
    };
    fix(&mut d.message);
    d.labels.iter_mut().for_each(|l| fix(&mut l.message));
    d.help.iter_mut().for_each(fix);
    d.notes.iter_mut().for_each(fix);
}

/// A function's name as written: `foo#2_lpdf` is `foo_lpdf` (for run-time
/// messages, which [`show_written_names`] does not see).
pub(super) fn written_name(name: &str) -> String {
    match name.split_once('#') {
        Some((stem, rest)) => format!("{stem}{}", rest.trim_start_matches(|c: char| c.is_ascii_digit())),
        None => name.to_string(),
    }
}

/// The length of `name` without its rule-bearing suffix.
fn stem_len(name: &str) -> usize {
    let suffix = SUFFIXES.iter().find(|s| name.ends_with(*s) && name.len() > s.len()).map_or(0, |s| s.len());
    name.len() - suffix
}

/// A definition's argument types: what tells overloads apart.
fn key(f: &FunDef) -> Vec<String> {
    f.params.iter().map(|p| type_text(&p.ty)).collect()
}

/// The checker's types print without dims here: none are named.
struct NoDims;

impl DimNames for NoDims {
    fn dim_name(&self, _: DimId) -> &str {
        "_"
    }
}

struct Resolver {
    /// The names of library functions the user's definitions overload.
    library: Vec<String>,
    /// The definitions of each overloaded name, by the name as written.
    groups: BTreeMap<String, Vec<Overload>>,
    /// Every user function's signature, by its (internal) name.
    defs: HashMap<String, FunDef>,
    /// The variables in scope, innermost last.
    scopes: Vec<HashMap<String, Declared>>,
    diags: Vec<Diagnostic>,
}

impl Names for Resolver {
    fn variable(&self, name: &str) -> Option<Declared> {
        self.scopes.iter().rev().find_map(|s| s.get(name)).cloned()
    }

    fn user_result(&self, called: &str) -> Option<FunType> {
        self.defs.get(&def_name(called)).map(|f| f.return_type.clone())
    }
}

/// How well a call's arguments fit one definition.
enum Fit {
    /// Every known argument fits, with this many promotions.
    Fits(usize),
    /// Some known argument does not fit.
    No,
}

impl Resolver {
    fn declare(&mut self, name: &Ident, d: Declared) {
        // `scopes` is never empty: the program's scope is its first entry.
        self.scopes.last_mut().expect("the program's scope").insert(name.name.clone(), d);
    }

    fn scoped(&mut self, s: &mut Stmt, var: Option<(&Ident, Declared)>) {
        self.scopes.push(HashMap::new());
        if let Some((name, d)) = var {
            self.declare(name, d);
        }
        self.stmt(s);
        self.scopes.pop();
    }

    fn stmt(&mut self, s: &mut Stmt) {
        map_stmt_exprs(s, &mut |e| self.expr(e));
        if let StmtKind::Decl(d) = &mut s.kind {
            for e in crate::syntax::tuples::type_exprs_mut(&mut d.ty) {
                self.expr(e);
            }
        }
        let span = s.span;
        match &mut s.kind {
            StmtKind::Decl(d) => self.declare(&d.name, Declared::Var(d.ty.clone())),
            StmtKind::Tilde { lhs, dist, args, .. } => {
                let stem = dist.name.clone();
                let mut all = vec![lhs.clone()];
                all.extend(args.iter().cloned());
                let mut candidates = Vec::new();
                for suffix in ["_lpdf", "_lpmf"] {
                    candidates.extend(self.groups.get(&format!("{stem}{suffix}")).cloned().unwrap_or_default());
                }
                if !candidates.is_empty() {
                    match self.choose(&stem, true, &candidates, &all, span) {
                        Choice::User(o) => dist.name = format!("{stem}{}", o.mark),
                        // Not for `~` (densities are not library functions here).
                        Choice::Library | Choice::Refused => {
                            s.kind = StmtKind::Empty;
                            return;
                        }
                    }
                }
                // The density `~` calls, as the expander finds it.
                let def = [format!("{}_lpdf", dist.name), format!("{}_lpmf", dist.name)].into_iter().find(|n| self.defs.contains_key(n));
                if let Some(def) = def {
                    let mut places = vec![lhs];
                    places.extend(args.iter_mut());
                    self.promote(&def, &mut places);
                }
            }
            // A refused call of a void function (now a value): reported.
            StmtKind::Call(Expr { kind: ExprKind::RealLit(v), .. }) if v.is_nan() => s.kind = StmtKind::Empty,
            StmtKind::For { var, body, .. } => self.scoped(body, Some((&var.clone(), Declared::Elem(Type::int())))),
            StmtKind::ForEach { var, over, body } => {
                let elem = arg_types::declared_of(over, self)
                    .and_then(|d| d.element())
                    .or_else(|| arg_types::infer(over, self).and_then(|t| arg_types::element_type(&t)).map(Declared::Elem));
                let var = var.clone();
                match elem {
                    Some(d) => self.scoped(body, Some((&var, d))),
                    None => self.scoped(body, None),
                }
            }
            StmtKind::While { body, .. } => self.scoped(body, None),
            StmtKind::If { then, otherwise, .. } => {
                self.scoped(then, None);
                if let Some(o) = otherwise {
                    self.scoped(o, None);
                }
            }
            StmtKind::Block(v) | StmtKind::Inlined { stmts: v, .. } => {
                self.scopes.push(HashMap::new());
                v.iter_mut().for_each(|x| self.stmt(x));
                self.scopes.pop();
            }
            _ => {}
        }
    }

    /// Resolves the calls in `e`, innermost first (an outer call's choice
    /// needs the inner one's result).
    fn expr(&mut self, e: &mut Expr) {
        map_expr(e, &mut |x| {
            let span = x.span;
            let (func, mut args): (&mut Ident, Vec<&mut Expr>) = match &mut x.kind {
                ExprKind::Call { func, args } => (func, args.iter_mut().collect()),
                ExprKind::CondCall { func, variate, args } => {
                    let mut all = vec![&mut **variate];
                    all.extend(args.iter_mut());
                    (func, all)
                }
                _ => return true,
            };
            args.iter_mut().for_each(|a| self.expr(a));
            let written = def_name(&func.name);
            let values: Vec<Expr> = args.iter().map(|a| (**a).clone()).collect();
            let chosen = match self.groups.get(&written).cloned() {
                Some(candidates) => match self.choose(&func.name, false, &candidates, &values, span) {
                    Choice::User(o) => Some(func.name.insert_str(stem_len(&written), &o.mark)),
                    // The call keeps its name, which no definition has now.
                    Choice::Library => return false,
                    Choice::Refused => None,
                },
                None => self.passed_by_name(&func.name, &values),
            };
            if chosen.is_some() {
                self.promote(&def_name(&func.name), &mut args);
            } else {
                // Reported: a value standing for the call, as the expander's
                // for a call it refuses, so no error follows from its name.
                *x = Expr { kind: ExprKind::RealLit(f64::NAN), span };
            }
            false
        });
    }

    /// Promotes each `int` argument of the user function `def` (by its
    /// definition's name) whose parameter is a `real` or an array of them
    /// (`array[] int` for `array[] real`, any depth), and the elements of a
    /// tuple argument likewise, as Stan does at the call: the body is
    /// expanded with the arguments in the parameters' places, where an
    /// `int` would keep integer division (`sum(x) / size(x)`, `x[1] / 2`,
    /// `t.1 / 2`).
    fn promote(&mut self, def: &str, args: &mut [&mut Expr]) {
        let Some(f) = self.defs.get(def).cloned() else { return };
        for (p, a) in f.params.iter().zip(args.iter_mut()) {
            match self.promoted(&p.ty, a) {
                Ok(Some(e)) => **a = e,
                Ok(None) => {}
                Err(why) => self.diags.push(
                    Diagnostic::error("E0013", format!("the tuple given for `{}` of `{}` needs `int` elements promoted to `real`, which hbmc cannot do for {why} yet", p.name.name, written_name(def)))
                        .with_label(a.span, format!("the parameter is `{}`", type_text(&p.ty)))
                        .with_help("assign it to a variable of the parameter's type first"),
                ),
            }
        }
    }

    /// `a` promoted to the parameter type `want`; `None` when it needs no
    /// promotion (or its type cannot be told here); `Err` saying why when
    /// it needs one that cannot be written.
    fn promoted(&self, want: &FunType, a: &Expr) -> Result<Option<Expr>, &'static str> {
        let span = a.span;
        if want.elements.is_empty() {
            let Some(t) = arg_types::infer(a, self) else { return Ok(None) };
            if want.base != "real" || !t.is_int_valued() || t.array.len() != want.array_dims {
                return Ok(None);
            }
            let kind = match &a.kind {
                // An array: every element, through the internal function.
                _ if want.array_dims > 0 => ExprKind::Call {
                    func: Ident { name: crate::check::signatures::PROMOTE_TO_REAL.to_string(), span },
                    args: vec![a.clone()],
                },
                // Larger literals are reported by the checker (E1006).
                ExprKind::IntLit(v) if *v <= i32::MAX as i128 => ExprKind::RealLit(*v as f64),
                _ => ExprKind::Binary {
                    op: BinOp::Mul,
                    lhs: Box::new(Expr { kind: ExprKind::RealLit(1.0), span }),
                    rhs: Box::new(paren(a.clone())),
                },
            };
            return Ok(Some(Expr { kind, span }));
        }
        let Some(have) = arg_types::signature_type(a, self) else { return Ok(None) };
        if tuple_promotions(want, &have).unwrap_or(0) == 0 {
            return Ok(None);
        }
        if want.array_dims > 0 {
            return Err("an array of tuples");
        }
        // A tuple literal's items, or each element of a tuple variable.
        let items: Vec<Expr> = match &a.kind {
            ExprKind::TupleExpr(items) => items.clone(),
            _ if arg_types::declared_of(a, self).is_some() => (1..=want.elements.len())
                .map(|index| Expr { kind: ExprKind::TupleIndex { base: Box::new(a.clone()), index }, span })
                .collect(),
            _ => return Err("a tuple a call returns"),
        };
        let mut out = Vec::with_capacity(items.len());
        for (w, item) in want.elements.iter().zip(items) {
            out.push(self.promoted(w, &item)?.unwrap_or(item));
        }
        Ok(Some(Expr { kind: ExprKind::TupleExpr(out), span }))
    }
    /// Refuses an overloaded function passed by name to `called` (`None`).
    fn passed_by_name(&mut self, called: &str, args: &[Expr]) -> Option<()> {
        let mut ok = Some(());
        for a in args {
            let ExprKind::Var(v) = &a.kind else { continue };
            if self.variable(&v.name).is_some() {
                continue;
            }
            let Some(defs) = self.groups.get(&def_name(&v.name)) else { continue };
            let listed = defs.iter().map(|o| format!("`{}`", signature_text(&o.def))).collect::<Vec<_>>().join(", ");
            self.diags.push(
                Diagnostic::error("E0013", format!("the function `{}` has {} definitions, so it cannot be passed to `{called}`", v.name, defs.len()))
                    .with_label(a.span, "passed by name")
                    .with_help(format!("pass a function with one definition (wrap the one meant under a name of its own); defined as {listed}")),
            );
            ok = None;
        }
        ok
    }

    /// The definition a call resolves to, the library function of its
    /// name, or neither (reported). `tilde`: the call is `args[0] ~
    /// called(args[1..])`.
    fn choose(&mut self, called: &str, tilde: bool, candidates: &[Overload], args: &[Expr], span: Span) -> Choice {
        match self.choose_definition(called, tilde, candidates, args, span) {
            Ok(o) => Choice::User(o),
            // No definition fits (or one fits only by promotions the
            // library does not need): the library's function, which the
            // checker then types (and refuses if it does not fit either).
            Err(Some(_)) if !tilde && self.library.iter().any(|l| l == called) => Choice::Library,
            Err(Some(d)) => {
                self.diags.push(d);
                Choice::Refused
            }
            Err(None) => Choice::Refused,
        }
    }

    /// [`Resolver::choose`] among the user's definitions: the one a call
    /// resolves to; else `Some` error, not yet reported, when none fits
    /// (the library may still take the call), or `None` when the error is
    /// reported. A call of a library function's name that a definition
    /// fits only by promotions, and the library takes, is refused as
    /// ambiguous (E0013).
    fn choose_definition(&mut self, called: &str, tilde: bool, candidates: &[Overload], args: &[Expr], span: Span) -> Result<Overload, Option<Diagnostic>> {
        let library = (!tilde && self.library.iter().any(|l| l == called)).then(|| called.to_string());
        let types: Vec<ArgType> = args
            .iter()
            .map(|a| match (arg_types::infer(a, self), arg_types::tuple_text(a, self).and(arg_types::signature_type(a, self))) {
                (Some(t), _) => ArgType::Known(t),
                (None, Some(t)) => ArgType::Tuple(t),
                (None, None) => ArgType::Unknown,
            })
            .collect();
        let shown: Vec<String> = types
            .iter()
            .map(|t| match t {
                ArgType::Known(t) => t.display(&NoDims).to_string(),
                ArgType::Tuple(t) => type_text(t),
                ArgType::Unknown => "?".to_string(),
            })
            .collect();
        // `y ~ foo(...)` is shown as written, and names both densities.
        let (call_text, called) = match tilde {
            true => (format!("{} ~ {called}({})", shown[0], shown[1..].join(", ")), format!("{called}_lpdf` or `{called}_lpmf")),
            false => (format!("{called}({})", shown.join(", ")), called.to_string()),
        };
        let listed = |os: &[&Overload]| os.iter().map(|o| format!("`{}`", signature_text(&o.def))).collect::<Vec<_>>().join(", ");
        let fits: Vec<(&Overload, usize)> = candidates
            .iter()
            .filter(|o| o.def.params.len() == args.len())
            .filter_map(|o| match fit(&o.def, &types) {
                Fit::Fits(cost) => Some((o, cost)),
                Fit::No => None,
            })
            .collect();
        if fits.is_empty() {
            let all: Vec<&Overload> = candidates.iter().collect();
            return Err(Some(
                Diagnostic::error("E0013", format!("no definition of `{called}` takes these arguments: `{call_text}`"))
                    .with_label(span, "this call")
                    .with_help(format!("the definitions are {}", listed(&all))),
            ));
        }
        // An unknown argument must not be what tells the fitting ones apart.
        let unknown: Vec<usize> = (0..types.len()).filter(|&k| matches!(types[k], ArgType::Unknown)).collect();
        for &k in &unknown {
            let first = type_text(&fits[0].0.def.params[k].ty);
            if fits.iter().any(|(o, _)| type_text(&o.def.params[k].ty) != first) {
                let all: Vec<&Overload> = fits.iter().map(|(o, _)| *o).collect();
                self.diags.push(
                    Diagnostic::error("E0013", format!("which definition of `{called}` this call means depends on argument {}, whose type is not known before type checking", k + 1))
                        .with_label(args[k].span, "type not known here")
                        .with_label(span, "this call")
                        .with_help(format!("assign the argument to a declared variable first; the definitions that could fit are {}", listed(&all))),
                );
                return Err(None);
            }
        }
        let Some(best) = fits.iter().map(|(_, c)| *c).min() else { return Err(None) };
        if best > 0 && library.as_ref().is_some_and(|name| library_takes(name, &types, args)) {
            // Stan's rule is the fewest promotions, the library's
            // signatures counted too; the library's accepting these types
            // does not say how many it needs (its `int` signatures take
            // the `int` as it is), so the choice is not guessed.
            let best_def: Vec<&Overload> = fits.iter().filter(|(_, c)| *c == best).map(|(o, _)| *o).collect();
            self.diags.push(
                Diagnostic::error("E0013", format!("the call `{call_text}` fits both the library's `{called}` and, by promoting `int` to `real`, the definition {}", listed(&best_def)))
                    .with_label(span, "ambiguous call")
                    .with_help("make the `int` arguments `real` (e.g. `1.0 * n`) to call the definition, or give the definition another name"),
            );
            return Err(None);
        }
        let winners: Vec<&Overload> = fits.iter().filter(|(_, c)| *c == best).map(|(o, _)| *o).collect();
        if winners.len() > 1 {
            self.diags.push(
                Diagnostic::error("E0013", format!("the call `{call_text}` fits more than one definition of `{called}` equally well"))
                    .with_label(span, "ambiguous call")
                    .with_help(format!(
                        "each of {} needs as many promotions of `int` to `real`; make an argument `real` (e.g. `1.0 * n`) to choose",
                        listed(&winners)
                    )),
            );
            return Err(None);
        }
        Ok(winners[0].clone())
    }
}

/// What a call resolves to.
enum Choice {
    /// A user definition.
    User(Overload),
    /// The library function of the same name.
    Library,
    /// Neither (reported).
    Refused,
}

/// Stan's library functions that take functions and are typed apart
/// (variadic): user definitions cannot overload them (stanc's rule).
const NOT_OVERLOADABLE: &[&str] = &[
    "reduce_sum", "reduce_sum_static", "map_rect", "integrate_1d", "algebra_solver", "algebra_solver_newton", "solve_newton",
    "solve_newton_tol", "solve_powell", "solve_powell_tol", "dae", "dae_tol", "ode_rk45", "ode_rk45_tol", "ode_bdf", "ode_bdf_tol",
    "ode_adams", "ode_adams_tol", "ode_ckrk", "ode_ckrk_tol", "ode_adjoint_tol_ctl", "integrate_ode_rk45", "integrate_ode_bdf",
    "integrate_ode_adams",
];

/// Whether `name` is a library function (densities aside) a user
/// definition may overload, or one of [`NOT_OVERLOADABLE`].
fn library_function(name: &str) -> bool {
    NOT_OVERLOADABLE.contains(&name) || crate::check::signatures::function_names().any(|n| n == name)
}

/// Why the definition `f` of a library function's name cannot be: the
/// function is one of [`NOT_OVERLOADABLE`], or the library already has
/// its argument types (stanc: "already declared in the Stan Math
/// library"). Only definitions without `int` arguments are compared, so
/// that a promotion the library allows is never taken for its signature
/// (a definition with `int` arguments the library also takes has its calls
/// refused as ambiguous instead, see [`Resolver::choose_definition`]).
fn library_clash(f: &FunDef) -> Option<Diagnostic> {
    let name = &f.name.name;
    if NOT_OVERLOADABLE.contains(&name.as_str()) {
        return Some(
            Diagnostic::error("E0011", format!("`{name}` is a library function that takes functions, which Stan does not let user functions overload"))
                .with_label(f.name.span, "defined here")
                .with_help("give the function another name"),
        );
    }
    let types: Option<Vec<Type>> = f.params.iter().map(|p| arg_types::fun_type(&p.ty)).collect();
    let types = types?;
    if types.iter().any(|t| t.is_int_valued()) {
        return None;
    }
    let known: Vec<ArgType> = types.into_iter().map(ArgType::Known).collect();
    let args: Vec<Expr> = f.params.iter().map(|p| Expr::var(&p.name)).collect();
    library_takes(name, &known, &args).then(|| {
        Diagnostic::error("E0011", format!("the library already defines `{}`", signature_text(f)))
            .with_label(f.name.span, "defined here")
            .with_help("a user function may overload a library function only with other argument types or count; give it another name")
    })
}

/// Whether the library function `name` takes arguments of `types` (all
/// known), as they are or promoted.
fn library_takes(name: &str, types: &[ArgType], args: &[Expr]) -> bool {
    let typed: Option<Vec<TypedExpr>> = types
        .iter()
        .zip(args)
        .map(|(t, a)| match t {
            ArgType::Known(ty) => Some(TypedExpr { kind: TypedExprKind::RealLit(0.0), ty: ty.clone(), level: Level::Data, span: a.span }),
            _ => None,
        })
        .collect();
    typed.is_some_and(|typed| crate::check::signatures::resolve_function(name, &typed).is_ok())
}

/// What is known of an argument's type before checking.
enum ArgType {
    Known(Type),
    /// A tuple, as a signature writes it (`tuple(real, vector)`).
    Tuple(FunType),
    Unknown,
}

/// How the argument types fit `def`'s (unknown ones fit anything; a tuple
/// a tuple parameter whose elements its own fit, each promotion counted).
fn fit(def: &FunDef, types: &[ArgType]) -> Fit {
    let mut promotions = 0;
    for (p, t) in def.params.iter().zip(types) {
        let t = match t {
            ArgType::Known(t) => t,
            ArgType::Tuple(t) => match tuple_promotions(&p.ty, t) {
                Some(n) => {
                    promotions += n;
                    continue;
                }
                None => return Fit::No,
            },
            ArgType::Unknown => continue,
        };
        let Some(want) = arg_types::fun_type(&p.ty) else { return Fit::No };
        let have = t.erase_dims();
        if have == want {
            continue;
        }
        if !want.accepts(&have) {
            return Fit::No;
        }
        promotions += 1;
    }
    Fit::Fits(promotions)
}

/// How many `int` to `real` promotions make a value of type `have` (a
/// signature's type, tuples included) fit `want`; `None` when none do.
fn tuple_promotions(want: &FunType, have: &FunType) -> Option<usize> {
    if want.array_dims != have.array_dims || want.elements.len() != have.elements.len() {
        return None;
    }
    if want.elements.is_empty() {
        return match (want.base.as_str(), have.base.as_str()) {
            (w, h) if w == h => Some(0),
            ("real", "int") => Some(1),
            _ => None,
        };
    }
    want.elements.iter().zip(&have.elements).map(|(w, h)| tuple_promotions(w, h)).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::parse_program;

    fn resolve(src: &str) -> (Program, Vec<Diagnostic>, Vec<(String, String)>) {
        let (program, diags) = parse_program(src);
        assert!(diags.is_empty(), "{diags:?}");
        resolve_overloads(program.expect("parses"))
    }

    /// The names of the calls in the model block's `target +=`s, in order.
    fn model_calls(p: &Program) -> Vec<String> {
        let block = p.blocks.iter().find(|b| b.kind == BlockKind::Model).expect("model block");
        let BlockBody::Stmts(stmts) = &block.body else { panic!("statements") };
        let mut names = Vec::new();
        for s in stmts {
            let StmtKind::TargetPlus(e) = &s.kind else { continue };
            super::super::visit_expr(e, &mut |x| {
                if let ExprKind::Call { func, .. } = &x.kind {
                    names.push(func.name.clone());
                }
            });
        }
        names
    }

    #[test]
    fn a_program_without_overloads_is_left_as_written() {
        let src = "functions { real f(real x) { return x; } real g_lpdf(real y) { return -y; } }
                   parameters { real mu; } model { target += f(mu) + g_lpdf(mu); }";
        let (program, _) = parse_program(src);
        let program = program.expect("parses");
        let (resolved, diags, shown) = resolve_overloads(program.clone());
        assert_eq!(resolved, program);
        assert!(diags.is_empty() && shown.is_empty(), "{diags:?} {shown:?}");
    }

    #[test]
    fn an_int_argument_of_a_real_parameter_is_promoted() {
        let (p, d, _) = resolve(
            "functions { real half(real x, int k) { return x / 2 + k; } }
             data { int n; } parameters { real mu; } model { target += half(3, 3) + half(n, n) + half(mu, 1); }",
        );
        assert!(d.is_empty(), "{d:?}");
        let block = p.blocks.iter().find(|b| b.kind == BlockKind::Model).expect("model block");
        let BlockBody::Stmts(stmts) = &block.body else { panic!("statements") };
        let text = format!("{:?}", stmts[0]);
        // The `real` parameter's arguments: 3.0 and 1.0 * n; `mu` and the
        // `int` parameter's arguments stay.
        assert!(text.contains("RealLit(3.0)") && text.contains("IntLit(3)") && text.contains("RealLit(1.0)"), "{text}");
        assert_eq!(text.matches("RealLit(1.0)").count(), 1, "{text}");
    }

    #[test]
    fn an_int_array_of_a_real_array_parameter_is_promoted() {
        let (p, d, _) = resolve(
            "functions { real avg(array[] real x) { return sum(x) / size(x); } real count(array[] int n) { return sum(n); }
               real grid(array[,] real g) { return g[1, 1]; } }
             data { array[2] int n; array[2, 2] int g; } parameters { real mu; } model { target += avg(n) + count(n) + grid(g) + avg({1, 2}); }",
        );
        assert!(d.is_empty(), "{d:?}");
        let block = p.blocks.iter().find(|b| b.kind == BlockKind::Model).expect("model block");
        let BlockBody::Stmts(stmts) = &block.body else { panic!("statements") };
        let text = format!("{:?}", stmts[0]);
        // `avg`'s two arguments and `grid`'s; `count` keeps its `int` array.
        assert_eq!(text.matches(crate::check::signatures::PROMOTE_TO_REAL).count(), 3, "{text}");
        assert_eq!(model_calls(&p), ["avg", "promote#real", "count", "grid", "promote#real", "avg", "promote#real"]);
    }

    #[test]
    fn each_call_is_renamed_to_its_definition_and_shown_as_written() {
        let (p, d, shown) = resolve(
            "functions { real c(real x) { return x; } vector c(vector v) { return v; } real k(int n) { return n; } real k(real x) { return x; } }
             data { array[2] int n; } parameters { vector[2] v; real mu; }
             model { target += sum(c(v)) + c(mu) + k(n[1]) + k(mu) + k(c(n[2])); }",
        );
        assert!(d.is_empty(), "{d:?}");
        // Outermost first; `k(c(n[2]))` takes c(real), which returns a real.
        assert_eq!(model_calls(&p), ["sum", "c#2", "c#1", "k#3", "k#4", "k#4", "c#1"]);
        let mut diag = Diagnostic::error("E0000", "`k#4` and `c#1`");
        show_written_names(&mut diag, &shown);
        assert_eq!(diag.message, "`k` and `c`");
        assert_eq!(written_name("foo#12_lpdf"), "foo_lpdf");
    }
}
