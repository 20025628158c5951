//! Statements: assignment rules, sampling statements, loops and scopes.

use super::env::VarOrigin;
use super::signatures;
use super::typed::{Level, TypedExpr, TypedExprKind, TypedIndex, TypedPrintArg, TypedStmt, TypedStmtKind};
use super::types::{ElemType, Type};
use super::Checker;
use crate::diagnostics::Diagnostic;
use crate::syntax::ast::{AssignOp, BlockKind, Expr, ExprKind, Ident, InlinedFrom, PrintArg, Stmt, StmtKind, Truncation};
use crate::syntax::functions::JACOBIAN;
use crate::syntax::span::Span;

impl Checker {
    /// Checks one statement; `None` when it has an error (already reported).
    pub(super) fn check_stmt(&mut self, stmt: &Stmt) -> Option<TypedStmt> {
        let span = stmt.span;
        let kind = match &stmt.kind {
            StmtKind::Decl(d) => TypedStmtKind::Decl(self.check_decl(d)?),
            StmtKind::Assign { lhs, op: AssignOp::Add, rhs } if self.is_jacobian_statement(lhs) => self.check_jacobian_plus(rhs, span)?,
            StmtKind::Assign { lhs, op, rhs } => self.check_assign(lhs, *op, rhs)?,
            StmtKind::JacobianPlus(e) => self.check_jacobian_plus(e, span)?,
            StmtKind::Inlined { from, stmts } => {
                // Not a scope: the call's value after these statements
                // reads their locals.
                let saved = self.ctx.inlined.replace(*from);
                let mut ok = true;
                let mut typed = Vec::new();
                for s in stmts {
                    match self.check_stmt(s) {
                        Some(t) => typed.push(t),
                        None => ok = false,
                    }
                }
                self.ctx.inlined = saved;
                if !ok {
                    return None;
                }
                TypedStmtKind::Block(typed)
            }
            StmtKind::Tilde { lhs, dist, args, truncation } => {
                let mut kind = self.check_tilde(lhs, dist, args, span)?;
                if let (Some(t), TypedStmtKind::Tilde { dist, truncation: slot, .. }) = (truncation, &mut kind) {
                    *slot = Some(self.check_truncation(t, dist)?);
                }
                kind
            }
            StmtKind::TargetPlus(e) => {
                self.require_model_block("`target +=`", span)?;
                let t = self.check_expr(e)?;
                TypedStmtKind::TargetPlus(t)
            }
            StmtKind::For { var, lower, upper, body } => {
                let l = self.check_int(lower, "the lower end of a loop range");
                let u = self.check_int(upper, "the upper end of a loop range");
                let (l, u) = (l?, u?);
                let level = l.level.max(u.level);
                self.in_loop_scope(var, Type::int(), level, body, |var, body| TypedStmtKind::For {
                    var,
                    lower: l,
                    upper: u,
                    body,
                })?
            }
            StmtKind::ForEach { var, over, body } => self.check_foreach(var, over, body, span)?,
            StmtKind::While { cond, body } => {
                let c = self.check_condition(cond)?;
                self.ctx.loop_depth += 1;
                let b = self.check_nested(body);
                self.ctx.loop_depth -= 1;
                TypedStmtKind::While { cond: c, body: Box::new(b?) }
            }
            StmtKind::If { cond, then, otherwise } => {
                let c = self.check_condition(cond);
                let t = self.check_nested(then);
                let o = otherwise.as_ref().map(|s| self.check_nested(s));
                let otherwise = match o {
                    Some(o) => Some(Box::new(o?)),
                    None => None,
                };
                TypedStmtKind::If { cond: c?, then: Box::new(t?), otherwise }
            }
            StmtKind::Block(stmts) => {
                let (typed, ok) = self.check_scoped(stmts);
                if !ok {
                    return None;
                }
                TypedStmtKind::Block(typed)
            }
            StmtKind::Print(args) => TypedStmtKind::Print(self.check_print_args(args)?),
            StmtKind::Reject(args) => TypedStmtKind::Reject(self.check_print_args(args)?),
            StmtKind::FatalError(args) => TypedStmtKind::FatalError(self.check_print_args(args)?),
            StmtKind::Break | StmtKind::Continue => {
                if self.ctx.loop_depth == 0 {
                    let word = if matches!(stmt.kind, StmtKind::Break) { "break" } else { "continue" };
                    self.report(
                        Diagnostic::error("E3010", format!("`{word}` outside a loop"))
                            .with_label(span, "not inside `for` or `while`"),
                    );
                    return None;
                }
                if matches!(stmt.kind, StmtKind::Break) {
                    TypedStmtKind::Break
                } else {
                    TypedStmtKind::Continue
                }
            }
            StmtKind::Return(_) => {
                self.report(
                    Diagnostic::error("E3013", "`return` is only allowed inside a function")
                        .with_label(span, "outside a function")
                        .with_help("program blocks end by themselves; remove the `return`"),
                );
                return None;
            }
            StmtKind::Call(e) => {
                let t = self.check_expr(e)?;
                self.report(
                    Diagnostic::error("E1012", "the value of this call is not used")
                        .with_label(t.span, format!("returns `{}`", self.show(&t.ty)))
                        .with_help("assign it to a variable, or add it with `target +=` if it is a log density"),
                );
                return None;
            }
            StmtKind::Empty => TypedStmtKind::Empty,
            // The parser has reported it already.
            StmtKind::Error => return None,
        };
        Some(TypedStmt { kind, span })
    }

    /// A nested statement (a loop or branch body) in its own scope.
    fn check_nested(&mut self, stmt: &Stmt) -> Option<TypedStmt> {
        let saved = self.ctx.nested;
        self.ctx.nested = true;
        self.scope.push();
        let out = self.check_stmt(stmt);
        self.scope.pop();
        self.ctx.nested = saved;
        out
    }

    /// A `{ }` block's statements in a new scope; `false` if any failed.
    fn check_scoped(&mut self, stmts: &[Stmt]) -> (Vec<TypedStmt>, bool) {
        let saved = self.ctx.nested;
        self.ctx.nested = true;
        self.scope.push();
        let mut ok = true;
        let mut typed = Vec::new();
        for s in stmts {
            match self.check_stmt(s) {
                Some(t) => typed.push(t),
                None => ok = false,
            }
        }
        self.scope.pop();
        self.ctx.nested = saved;
        (typed, ok)
    }

    fn in_loop_scope<T>(
        &mut self,
        var: &Ident,
        ty: Type,
        level: Level,
        body: &Stmt,
        make: impl FnOnce(usize, Box<TypedStmt>) -> T,
    ) -> Option<T> {
        self.scope.push();
        let id = self.declare_var(&var.name, var.span, ty, VarOrigin::Loop, level);
        self.ctx.loop_depth += 1;
        let b = self.check_nested(body);
        self.ctx.loop_depth -= 1;
        self.scope.pop();
        Some(make(id?, Box::new(b?)))
    }

    fn check_foreach(&mut self, var: &Ident, over: &Expr, body: &Stmt, span: Span) -> Option<TypedStmtKind> {
        if let ExprKind::Var(name) = &over.kind {
            if let Some(dim) = self.dims.lookup(&name.name) {
                let ty = Type::scalar_or_elem(ElemType::Int { index_of: Some(dim) });
                return self.in_loop_scope(var, ty, Level::Data, body, |var, body| TypedStmtKind::ForDim { var, dim, body });
            }
            if self.is_unknown_name(&name.name) {
                self.report(self.unknown_dim_or_var(&name.name, name.span, "a dim or a container to loop over"));
                return None;
            }
        }
        let over_t = self.check_expr(over)?;
        let elem_ty = if let Some((_, rest)) = over_t.ty.array.split_first() {
            Type::array_of(rest.to_vec(), over_t.ty.elem)
        } else if over_t.ty.elem.is_scalar() {
            self.report(
                Diagnostic::error("E1001", format!("cannot loop over `{}`", self.show(&over_t.ty)))
                    .with_label(over.span, "a single value")
                    .with_help("loop over a range `for (i in 1:n)`, a dim, or a container"),
            );
            return None;
        } else {
            Type::real()
        };
        let level = over_t.level;
        if super::foreach::has_container_elements(&over_t.ty) {
            let (var, body) = self.in_loop_scope(var, elem_ty, level, body, |var, body| (var, body))?;
            return Some(self.foreach_over_elements(var, over_t, *body, span));
        }
        self.in_loop_scope(var, elem_ty, level, body, |var, body| TypedStmtKind::ForEach { var, over: over_t, body })
    }

    fn check_int(&mut self, e: &Expr, what: &str) -> Option<TypedExpr> {
        let t = self.check_expr(e)?;
        if !t.ty.is_int_scalar() {
            self.report(
                Diagnostic::error("E1001", format!("{what} must be an int, but it is `{}`", self.show(&t.ty)))
                    .with_label(e.span, "not an int")
                    .with_help("a range `for (i in a:b)` runs over ints; to loop over a container write `for (x in v)`"),
            );
            return None;
        }
        Some(t)
    }

    /// `~` and `target +=`: in the model block, or in the body of a `_lp`
    /// function (inlined where the call is allowed, see `syntax::functions`).
    fn require_model_block(&mut self, what: &str, span: Span) -> Option<()> {
        if self.ctx.block == BlockKind::Model || self.ctx.inlined == Some(InlinedFrom::Lp) {
            return Some(());
        }
        let help = if self.ctx.block == BlockKind::TransformedParameters {
            "move it to `model { ... }`, or into a function whose name ends in `_lp` called here; \
             for the log-Jacobian of a transform write `jacobian += ...`"
        } else {
            "move it to `model { ... }`"
        };
        self.report(
            Diagnostic::error("E3004", format!("{what} is only allowed in the model block"))
                .with_label(span, format!("in `{}`", self.ctx.block.keyword()))
                .with_help(help),
        );
        None
    }

    /// Whether `jacobian += e` with this left side is Stan's statement: no
    /// variable `jacobian` is in scope (before Stan 2.36 `jacobian` was a
    /// plain name, and such a variable makes it an assignment, as stanc
    /// 2.36 reads it).
    fn is_jacobian_statement(&self, lhs: &Expr) -> bool {
        matches!(&lhs.kind, ExprKind::Var(v) if v.name == JACOBIAN)
            && self.scope.lookup(JACOBIAN).is_none()
            && !self.failed_decls.contains(JACOBIAN)
    }

    /// `jacobian += e`: in `transformed parameters`, or in the body of a
    /// `_jacobian` function (inlined where the call is allowed).
    fn check_jacobian_plus(&mut self, e: &Expr, span: Span) -> Option<TypedStmtKind> {
        if self.ctx.block != BlockKind::TransformedParameters && self.ctx.inlined != Some(InlinedFrom::Jacobian) {
            self.report(
                Diagnostic::error("E3004", "`jacobian +=` is only allowed in `transformed parameters` and in functions whose name ends in `_jacobian`")
                    .with_label(span, format!("in `{}`", self.ctx.block.keyword()))
                    .with_help(if self.ctx.block == BlockKind::Model {
                        "the model block adds to the log density with `target +=`; `jacobian +=` belongs where a parameter is transformed"
                    } else {
                        "move the transform and its `jacobian +=` to `transformed parameters`"
                    }),
            );
            return None;
        }
        let t = self.check_expr(e)?;
        Some(TypedStmtKind::JacobianPlus(t))
    }

    fn check_print_args(&mut self, args: &[PrintArg]) -> Option<Vec<TypedPrintArg>> {
        let mut out = Vec::new();
        let mut ok = true;
        for a in args {
            match a {
                PrintArg::Str(s) => out.push(TypedPrintArg::Str(s.value.clone())),
                PrintArg::Expr(e) => match self.check_expr(e) {
                    Some(t) => out.push(TypedPrintArg::Expr(t)),
                    None => ok = false,
                },
                PrintArg::Zip { array_dims, parts } => match self.check_print_args(parts) {
                    Some(parts) => out.push(TypedPrintArg::Zip { array_dims: *array_dims, parts }),
                    None => ok = false,
                },
            }
        }
        ok.then_some(out)
    }

    fn check_tilde(&mut self, lhs: &Expr, dist: &Ident, args: &[Expr], span: Span) -> Option<TypedStmtKind> {
        self.require_model_block("a sampling statement `~`", span)?;
        let variate = self.check_expr(lhs);
        let params: Option<Vec<TypedExpr>> = args.iter().map(|a| self.check_expr(a)).collect::<Vec<_>>().into_iter().collect();
        let (variate, params) = (variate?, params?);
        // A GLM density is the density of its linear predictor.
        let glm = super::glm::glm(&dist.name);
        let (params, dist) = match glm {
            Some(g) => (self.glm_params(g, Some(&variate), params, span)?, &Ident { name: g.base.to_string(), span: dist.span }),
            None => (params, dist),
        };
        let written = signatures::distribution(&dist.name).filter(|d| !signatures::is_internal_form(d.name));
        let Some(d) = written else {
            if super::stan_missing::is_missing_distribution(&dist.name) {
                self.report(
                    Diagnostic::error("E1003", format!("Stan's distribution `{}` is not in hbmc yet", dist.name))
                        .with_label(dist.span, "not in hbmc's library yet")
                        .with_help("docs/language.md lists the Stan features hbmc does not have yet"),
                );
                return None;
            }
            let mut diag = Diagnostic::error("E1003", format!("there is no distribution `{}`", dist.name))
                .with_label(dist.span, "unknown distribution");
            if let Some((base, _)) = signatures::split_density_name(&dist.name) {
                diag = diag.with_help(format!("after `~` write the distribution's name alone: `~ {}(...)`", base.name));
            } else {
                let names: Vec<&str> = signatures::written_distributions().collect();
                diag = match super::expr::closest(&dist.name, names.iter().copied()) {
                    Some(close) => diag.with_help(format!("did you mean `{close}`?")),
                    None => diag.with_help(format!("available: {}", names.join(", "))),
                };
            }
            self.report(diag);
            return None;
        };
        // Stan's five- and seven-argument `wiener`.
        let d = signatures::arity_form(d.name, params.len()).unwrap_or(d);
        if !glm.is_some_and(|g| g.is_categorical()) {
            self.check_density_args(&dist.name, d, &variate, &params, span)?;
        }
        let lpdf = format!("{}{}", signatures::written_name(d.name), if d.discrete { "_lpmf" } else { "_lpdf" });
        Some(TypedStmtKind::Tilde { lhs: variate, dist: d.name.to_string(), lpdf, args: params, truncation: None })
    }

    /// `T[lower, upper]` after `~ dist(...)`: the distribution needs its
    /// `_lcdf`/`_lccdf`, and each bound is a single real (an int for a
    /// discrete distribution). Bounds may be parameters.
    fn check_truncation(&mut self, t: &Truncation, dist: &str) -> Option<(Option<TypedExpr>, Option<TypedExpr>)> {
        let d = signatures::distribution(dist)?;
        // poisson_binomial is multivariate in its probabilities only: its
        // outcomes are counts, truncated through its cdfs.
        if d.multivariate && dist != "poisson_binomial" {
            self.report(
                Diagnostic::error("E3014", format!("`{dist}` is multivariate, and only univariate distributions can be truncated"))
                    .with_label(t.span, "truncation")
                    .with_help("declare the bounds on the variable instead"),
            );
            return None;
        }
        if !signatures::has_cdf(dist) {
            self.report(super::expr::missing_cdf(dist, t.span, "this truncation needs them"));
            return None;
        }
        let mut bound = |e: &Option<Expr>| -> Option<Option<TypedExpr>> {
            let Some(e) = e else { return Some(None) };
            let b = self.check_expr(e)?;
            let ok = b.ty.is_scalar() && (!d.discrete || b.ty.is_int_valued());
            if !ok {
                let want = if d.discrete { "an int" } else { "a real or an int" };
                self.report(
                    Diagnostic::error("E1002", format!("a truncation bound of `{dist}` must be {want}, but it is `{}`", self.show(&b.ty)))
                        .with_label(e.span, "bound")
                        .with_help("a bound is one value that holds for every element of the variate: `T[0, ]`, `T[L, U]`"),
                );
                return None;
            }
            Some(Some(b))
        };
        let lower = bound(&t.lower);
        let upper = bound(&t.upper);
        Some((lower?, upper?))
    }

    fn check_assign(&mut self, lhs: &Expr, op: AssignOp, rhs: &Expr) -> Option<TypedStmtKind> {
        let Some(root) = lvalue_root(lhs) else {
            self.report(
                Diagnostic::error("E1011", "the left of an assignment must be a variable, optionally indexed")
                    .with_label(lhs.span, "cannot assign to this")
                    .with_help("assign to `x` or `x[i]`; use `~` or `target +=` for densities"),
            );
            return None;
        };
        let l = self.check_expr(lhs);
        let r = self.check_expr(rhs);
        let (l, r) = (l?, r?);
        self.check_assignable(root)?;
        let value_ty = match op.binary() {
            None => r.ty.clone(),
            Some(bin) => {
                let combined = match bin {
                    crate::syntax::ast::BinOp::Mul => signatures::multiply(&l.ty, &r.ty),
                    crate::syntax::ast::BinOp::Div if r.ty.is_scalar() => super::broadcast::align(&l.ty, &r.ty, true).ok(),
                    crate::syntax::ast::BinOp::Div => None,
                    _ => super::broadcast::align(&l.ty, &r.ty, bin != crate::syntax::ast::BinOp::EltDiv).ok(),
                };
                match combined {
                    Some(t) => t,
                    None => {
                        self.report(
                            Diagnostic::error(
                                "E1004",
                                format!("`{}` cannot combine `{}` and `{}`", op.symbol(), self.show(&l.ty), self.show(&r.ty)),
                            )
                            .with_label(rhs.span, format!("`{}`", self.show(&r.ty)))
                            .with_label(lhs.span, format!("`{}`", self.show(&l.ty))),
                        );
                        return None;
                    }
                }
            }
        };
        if !l.ty.accepts(&value_ty) {
            self.report(
                Diagnostic::error(
                    "E1004",
                    format!("cannot assign `{}` to `{}`", self.show(&value_ty), self.show(&l.ty)),
                )
                .with_label(rhs.span, format!("this is `{}`", self.show(&r.ty)))
                .with_label(lhs.span, format!("this is `{}`", self.show(&l.ty)))
                .with_help(self.mismatch_help(&l.ty, &value_ty)),
            );
            return None;
        }
        Some(TypedStmtKind::Assign { lhs: flatten_nested_index(l), op, rhs: r })
    }

    /// Whether the variable at the root of an assignment may be assigned here.
    fn check_assignable(&mut self, root: &Ident) -> Option<()> {
        let entry = self.scope.lookup(&root.name)?.clone();
        let info = &self.vars[entry.var];
        let block = self.ctx.block;
        let why = match entry.origin {
            VarOrigin::Local => None,
            VarOrigin::Loop => Some("it is a loop variable".to_string()),
            VarOrigin::Block(BlockKind::Data) => Some("it is data, which is read-only".to_string()),
            VarOrigin::Block(BlockKind::Parameters) => Some("it is a parameter, which the sampler sets".to_string()),
            VarOrigin::Block(b) if b != block => {
                Some(format!("it belongs to `{}`, and only that block may assign it", b.keyword()))
            }
            VarOrigin::Block(_) => None,
        };
        let Some(why) = why else { return Some(()) };
        let decl_span = info.span;
        self.report(
            Diagnostic::error("E3003", format!("cannot assign to `{}`: {why}", root.name))
                .with_label(root.span, "assigned here")
                .with_label(decl_span, "declared here")
                .with_help("declare a new variable for the derived value (in `transformed data`, `transformed parameters`, or locally)"),
        );
        None
    }
}

/// The variable an lvalue assigns into: `x`, `x[i]`, `x[i][j]`.
/// `x[i][j]` as `x[i, j]` when every index of the inner brackets picks one
/// element: Stan programs write assignment targets both ways, and the two
/// mean the same element. Targets with a slice or multi-index inside
/// (`x[2:3][1]`) stay nested: their positions do not line up.
pub(super) fn flatten_nested_index(e: TypedExpr) -> TypedExpr {
    let TypedExprKind::Index { base, indices, zipped } = e.kind else { return e };
    let base = flatten_nested_index(*base);
    match base.kind {
        TypedExprKind::Index { base: inner, indices: mut outer, .. }
            if outer.iter().all(|i| matches!(i, TypedIndex::Single(_))) =>
        {
            let shift = outer.len();
            outer.extend(indices);
            let zipped = zipped.into_iter().map(|g| g.into_iter().map(|k| k + shift).collect()).collect();
            TypedExpr { kind: TypedExprKind::Index { base: inner, indices: outer, zipped }, ..e }
        }
        kind => TypedExpr {
            kind: TypedExprKind::Index { base: Box::new(TypedExpr { kind, ..base }), indices, zipped },
            ..e
        },
    }
}

fn lvalue_root(e: &Expr) -> Option<&Ident> {
    match &e.kind {
        ExprKind::Var(id) => Some(id),
        ExprKind::Index { base, .. } => lvalue_root(base),
        _ => None,
    }
}
