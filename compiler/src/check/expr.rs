//! Expressions: names, literals, operators, calls and densities.

use super::broadcast::{self, AlignError};
use super::signatures::{self, CallError, DensitySuffix};
use super::typed::{Level, TypedExpr, TypedExprKind};
use super::types::{Axis, ElemType, Type};
use super::Checker;
use crate::diagnostics::Diagnostic;
use crate::syntax::ast::{BinOp, BlockKind, Expr, ExprKind, Ident, UnOp};
use crate::syntax::span::Span;

/// Stan's `int` is 32-bit.
const INT_MAX: i128 = i32::MAX as i128;

impl Checker {
    /// Types an expression; `None` when it has an error (already reported).
    pub(super) fn check_expr(&mut self, e: &Expr) -> Option<TypedExpr> {
        let span = e.span;
        let make = |kind, ty, level| Some(TypedExpr { kind, ty, level, span });
        match &e.kind {
            ExprKind::IntLit(v) => {
                // `i128::MAX` stands for a literal too large to read, which
                // the lexer has reported (E0004).
                if *v > INT_MAX && *v != i128::MAX {
                    self.report(
                        Diagnostic::error("E1006", format!("the integer {v} is too large for an int"))
                            .with_label(span, "out of range")
                            .with_help(format!("ints are 32-bit (at most {INT_MAX}); write it as a real, e.g. `{v}.0`")),
                    );
                    return None;
                }
                make(TypedExprKind::IntLit(*v as i64), Type::int(), Level::Data)
            }
            ExprKind::RealLit(v) => make(TypedExprKind::RealLit(*v), Type::real(), Level::Data),
            ExprKind::Var(id) => self.check_var(id),
            ExprKind::Paren(inner) => {
                let mut t = self.check_expr(inner)?;
                t.span = span;
                Some(t)
            }
            ExprKind::Target => {
                if !matches!(self.ctx.block, BlockKind::Model | BlockKind::TransformedParameters) {
                    self.report(
                        Diagnostic::error("E3004", "`target()` is only available in the model and transformed parameters blocks")
                            .with_label(span, format!("used in `{}`", self.ctx.block.keyword()))
                            .with_help("the log density is accumulated while the model runs; read it in `model` or `transformed parameters`"),
                    );
                    return None;
                }
                make(TypedExprKind::Target, Type::real(), Level::Param)
            }
            ExprKind::Unary { op, operand } => self.check_unary(*op, operand, span),
            ExprKind::Binary { op, lhs, rhs } => self.check_binary(*op, lhs, rhs, span),
            ExprKind::Ternary { cond, then, otherwise } => {
                let c = self.check_condition(cond);
                let t = self.check_expr(then);
                let o = self.check_expr(otherwise);
                let (c, t, o) = (c?, t?, o?);
                let ty = if t.ty.accepts(&o.ty) {
                    t.ty.clone()
                } else if o.ty.accepts(&t.ty) {
                    o.ty.clone()
                } else {
                    self.report(
                        Diagnostic::error(
                            "E1010",
                            format!("the branches of `?:` have different types, `{}` and `{}`", self.show(&t.ty), self.show(&o.ty)),
                        )
                        .with_label(then.span, format!("`{}`", self.show(&t.ty)))
                        .with_label(otherwise.span, format!("`{}`", self.show(&o.ty)))
                        .with_help("both branches must have the same type (an int branch may meet a real one)"),
                    );
                    return None;
                };
                let level = c.level.max(t.level).max(o.level);
                make(
                    TypedExprKind::Ternary { cond: Box::new(c), then: Box::new(t), otherwise: Box::new(o) },
                    ty,
                    level,
                )
            }
            ExprKind::Index { base, indices } => self.check_index(base, indices, span),
            ExprKind::ArrayExpr(items) => self.check_array_expr(items, span),
            ExprKind::RowVectorExpr(items) => self.check_row_vector_expr(items, span),
            ExprKind::Call { func, args } => self.check_call(func, None, args, span),
            ExprKind::CondCall { func, variate, args } => self.check_call(func, Some(variate), args, span),
            // `syntax::tuples` removes both before checking; what it leaves
            // in place it has already reported.
            ExprKind::TupleExpr(_) | ExprKind::TupleIndex { .. } => None,
        }
    }

    /// A condition: an int or real scalar.
    pub(super) fn check_condition(&mut self, e: &Expr) -> Option<TypedExpr> {
        let t = self.check_expr(e)?;
        if !t.ty.is_scalar() {
            self.report(
                Diagnostic::error("E1005", format!("a condition must be an int or real, but this is `{}`", self.show(&t.ty)))
                    .with_label(e.span, "not a scalar")
                    .with_help("compare elements one at a time, or reduce the container first (e.g. `sum(...) > 0`)"),
            );
            return None;
        }
        Some(t)
    }

    fn check_var(&mut self, id: &Ident) -> Option<TypedExpr> {
        if let Some(entry) = self.scope.lookup(&id.name) {
            let info = &self.vars[entry.var];
            return Some(TypedExpr {
                kind: TypedExprKind::Var(entry.var),
                ty: info.ty.clone(),
                level: info.level,
                span: id.span,
            });
        }
        if let Some(d) = self.dims.lookup(&id.name) {
            return Some(TypedExpr {
                kind: TypedExprKind::DimSize(d),
                ty: Type::int(),
                level: Level::Data,
                span: id.span,
            });
        }
        if self.failed_decls.contains(&id.name) {
            return None;
        }
        if let Some(gone) = self.vars.iter().rev().find(|v| v.name == id.name) {
            // Declared, but in a scope that has ended.
            let d = Diagnostic::error("E3001", format!("`{}` is not visible here", id.name))
                .with_label(id.span, "used here")
                .with_label(gone.span, "declared here, in a scope that has ended")
                .with_help(
                    "a local variable (and every variable of the `model` block) exists only inside the braces \
                     where it is declared; declare it in an outer scope, or in `transformed parameters` to use it \
                     in later blocks",
                );
            self.report(d);
            return None;
        }
        if let Some(&later) = self.block_decls.get(&id.name).filter(|s| s.start > id.span.start) {
            self.report(
                Diagnostic::error("E3001", format!("`{}` is used before it is declared", id.name))
                    .with_label(id.span, "used here")
                    .with_label(later, "declared later, here")
                    .with_help("move the declaration above its first use"),
            );
            return None;
        }
        let mut d = Diagnostic::error("E3001", format!("`{}` is not declared", id.name))
            .with_label(id.span, "unknown name");
        if let Some(close) = self.closest_name(&id.name) {
            d = d.with_help(format!("did you mean `{close}`?"));
        } else {
            d = d.with_help("declare it before use (in a block above, or as a local variable)");
        }
        self.report(d);
        None
    }

    /// The visible variable or dim name nearest to `name`, if any is close.
    fn closest_name(&self, name: &str) -> Option<String> {
        let visible = self
            .vars
            .iter()
            .filter(|v| self.scope.lookup(&v.name).is_some())
            .map(|v| v.name.as_str())
            .chain(self.dims.dims.iter().map(|d| d.name.as_str()));
        closest(name, visible)
    }

    /// Whether `name` is neither a visible variable, nor a dim, nor a
    /// declaration that failed (and was reported).
    pub(super) fn is_unknown_name(&self, name: &str) -> bool {
        self.scope.lookup(name).is_none()
            && self.dims.lookup(name).is_none()
            && !self.failed_decls.contains(name)
            && !self.vars.iter().any(|v| v.name == name)
            && !self.block_decls.contains_key(name)
    }

    /// The diagnostic for a name where a dim (or a variable) was expected,
    /// when it is neither: suggests the nearest dim.
    pub(super) fn unknown_dim_or_var(&self, name: &str, span: Span, wanted: &str) -> Diagnostic {
        let dims = self.dims.dims.iter().map(|d| d.name.as_str());
        match closest(name, dims) {
            Some(close) => Diagnostic::error("E2004", format!("`{name}` is neither a dim nor a variable"))
                .with_label(span, format!("expected {wanted}"))
                .with_help(format!("did you mean the dim `{close}`?")),
            None => {
                let d = Diagnostic::error("E2004", format!("`{name}` is neither a dim nor a variable"))
                    .with_label(span, format!("expected {wanted}"));
                if self.dims.dims.is_empty() {
                    d.with_help(format!("declare it as a dim in a `dims {{ {name}; }}` block, or as a variable"))
                } else {
                    let known: Vec<String> = self.dims.dims.iter().map(|d| format!("`{}`", d.name)).collect();
                    d.with_help(format!("declare it as a dim or a variable (declared dims: {})", known.join(", ")))
                }
            }
        }
    }

    fn check_unary(&mut self, op: UnOp, operand: &Expr, span: Span) -> Option<TypedExpr> {
        let t = self.check_expr(operand)?;
        let Some(ty) = unary_type(op, &t.ty) else {
            self.report(
                Diagnostic::error("E1001", format!("`{}` cannot be applied to `{}`", op.symbol(), self.show(&t.ty)))
                    .with_label(span, format!("operand is `{}`", self.show(&t.ty)))
                    .with_help(match op {
                        UnOp::Transpose => "transpose applies to vectors, row vectors and matrices",
                        _ => "`!` applies to an int or real",
                    }),
            );
            return None;
        };
        let level = t.level;
        Some(TypedExpr { kind: TypedExprKind::Unary { op, operand: Box::new(t) }, ty, level, span })
    }

    fn check_binary(&mut self, op: BinOp, lhs: &Expr, rhs: &Expr, span: Span) -> Option<TypedExpr> {
        let l = self.check_expr(lhs);
        let r = self.check_expr(rhs);
        let (l, r) = (l?, r?);
        // Each failure carries its code: E2002 when named dims are what
        // clash, E1001 for Stan's own typing rules.
        let result = binary_type(op, &l.ty, &r.ty).map_err(|e| match e {
            BinaryError::Coded(code, why) => (code, why),
            BinaryError::Align(e) => self.align_failure(e, &l.ty, &r.ty),
            BinaryError::Mul if signatures::inner_dims_clash(&l.ty, &r.ty) => {
                let why = format!(
                    "the inner dims of `{}` * `{}` differ; a product needs the left's columns to match the right's rows",
                    self.show(&l.ty),
                    self.show(&r.ty)
                );
                ("E2002", why)
            }
            BinaryError::Mul if !l.ty.array.is_empty() || !r.ty.array.is_empty() => {
                ("E1001", "arrays cannot be multiplied; use vectors or matrices".into())
            }
            BinaryError::Mul => ("E1001", "this product is not defined; for elementwise products use `.*`".into()),
            BinaryError::LeftDiv if signatures::left_divide(&l.ty.erase_dims(), &r.ty.erase_dims()).is_some() => {
                let why = format!(
                    "in `A \\ b` the rows of `A` and of `b` must run over the same dim, but they are `{}` and `{}`",
                    self.show(&l.ty),
                    self.show(&r.ty)
                );
                ("E2002", why)
            }
            BinaryError::LeftDiv => ("E1001", "`\\` takes a matrix on the left and a vector or matrix on the right".into()),
            BinaryError::RightDiv => {
                let why = format!(
                    "in `b / A` the columns of `b` and of the square `A` must match, but they are `{}` and `{}`",
                    self.show(&l.ty),
                    self.show(&r.ty)
                );
                ("E2002", why)
            }
        });
        let ty = match result {
            Ok(ty) => ty,
            Err((code, why)) => {
                self.report(
                    Diagnostic::error(
                        code,
                        format!("`{}` cannot combine `{}` and `{}`", op.symbol(), self.show(&l.ty), self.show(&r.ty)),
                    )
                    .with_label(lhs.span, format!("`{}`", self.show(&l.ty)))
                    .with_label(rhs.span, format!("`{}`", self.show(&r.ty)))
                    .with_help(why),
                );
                return None;
            }
        };
        if op == BinOp::Div && l.ty.is_int_scalar() && r.ty.is_int_scalar() {
            self.report(
                Diagnostic::warning("W0001", "integer division: the result is rounded toward zero")
                    .with_label(span, "int / int")
                    .with_help("write `%/%` to say you mean integer division, or make one side real (`1.0 * a / b`)"),
            );
        }
        let level = l.level.max(r.level);
        // Matrix division is a solve: the lowering knows it as the call.
        let solve = match op {
            BinOp::LeftDiv => Some("mdivide_left"),
            BinOp::Div if matrix_divisor(&l.ty, &r.ty) => Some("mdivide_right"),
            _ => None,
        };
        let kind = match solve {
            Some(func) => TypedExprKind::Call { func: func.into(), args: vec![l, r] },
            None => TypedExprKind::Binary { op, lhs: Box::new(l), rhs: Box::new(r) },
        };
        Some(TypedExpr { kind, ty, level, span })
    }

    /// The code and words for why two shapes do not align: a type error
    /// (E1001) when no named dim is involved, a dim error (E2002) otherwise.
    fn align_failure(&self, e: AlignError, l: &Type, r: &Type) -> (&'static str, String) {
        let plain = matches!(e, AlignError::Array) || (l.dims().is_empty() && r.dims().is_empty());
        (if plain { "E1001" } else { "E2002" }, self.align_message(e, l, r))
    }

    /// Words for why two shapes do not align.
    pub(super) fn align_message(&self, e: AlignError, l: &Type, r: &Type) -> String {
        match e {
            AlignError::Array => "arrays take no part in arithmetic; use vectors, or `to_vector(...)`".into(),
            AlignError::TooManyDims => format!(
                "aligning the dims of `{}` and `{}` by name needs more than two dims, which no vector or matrix holds; index one side first",
                self.show(l),
                self.show(r)
            ),
            AlignError::Kinds if l.dims().is_empty() && r.dims().is_empty() => {
                let (le, re) = (l.elem, r.elem);
                if matches!((le, re), (ElemType::Vector(_), ElemType::RowVector(_)) | (ElemType::RowVector(_), ElemType::Vector(_))) {
                    "a vector and a row_vector do not combine elementwise; transpose one with `'`".into()
                } else {
                    format!(
                        "elementwise operators need two values of the same shape, or a scalar and a container; `{}` and `{}` differ",
                        le.kind_name(),
                        re.kind_name()
                    )
                }
            }
            AlignError::Kinds => "the shapes differ and not every size is a named dim, so they cannot be aligned by name; declare both over dims, or give them the same shape".into(),
            AlignError::Orientation => "a vector and a row_vector over the same dim; transpose one with `'`".into(),
            AlignError::Dims => format!("the dims of `{}` and `{}` do not match", self.show(l), self.show(r)),
        }
    }

    fn check_array_expr(&mut self, items: &[Expr], span: Span) -> Option<TypedExpr> {
        let typed: Vec<TypedExpr> = items.iter().map(|e| self.check_expr(e)).collect::<Option<_>>()?;
        let Some(first) = typed.first() else {
            self.report(
                Diagnostic::error("E1009", "an array expression needs at least one element")
                    .with_label(span, "empty `{}`")
                    .with_help("use `rep_array(x, 0)` for an empty array"),
            );
            return None;
        };
        let mut elem_ty = first.ty.clone();
        for t in &typed[1..] {
            if elem_ty.accepts(&t.ty) {
                continue;
            }
            if t.ty.accepts(&elem_ty) {
                elem_ty = t.ty.clone();
                continue;
            }
            self.report(
                Diagnostic::error(
                    "E1009",
                    format!("array elements have different types, `{}` and `{}`", self.show(&elem_ty), self.show(&t.ty)),
                )
                .with_label(t.span, format!("`{}`", self.show(&t.ty)))
                .with_help("every element of `{...}` must have the same type"),
            );
            return None;
        }
        let mut array = vec![Axis::Anon];
        array.extend(elem_ty.array.iter().copied());
        let level = typed.iter().map(|t| t.level).max().unwrap_or(Level::Data);
        Some(TypedExpr { kind: TypedExprKind::ArrayExpr(typed), ty: Type::array_of(array, elem_ty.elem), level, span })
    }

    fn check_row_vector_expr(&mut self, items: &[Expr], span: Span) -> Option<TypedExpr> {
        let typed: Vec<TypedExpr> = items.iter().map(|e| self.check_expr(e)).collect::<Option<_>>()?;
        let ty = if typed.iter().all(|t| t.ty.is_scalar()) {
            Some(Type::row_vector(Axis::Anon))
        } else if typed.iter().all(|t| t.ty.array.is_empty() && matches!(t.ty.elem, ElemType::RowVector(_))) {
            let col = typed
                .iter()
                .map(|t| t.ty.elem.axes()[0])
                .reduce(|a, b| if a.compatible(b) { a.meet(b) } else { Axis::Anon });
            col.map(|c| Type::matrix(Axis::Anon, c))
        } else {
            None
        };
        let Some(ty) = ty else {
            self.report(
                Diagnostic::error("E1009", "`[...]` takes either scalars (a row vector) or row vectors (a matrix)")
                    .with_label(span, "mixed or unsupported element types")
                    .with_help("for a column vector write `[a, b]'`"),
            );
            return None;
        };
        let level = typed.iter().map(|t| t.level).max().unwrap_or(Level::Data);
        Some(TypedExpr { kind: TypedExprKind::RowVectorExpr(typed), ty, level, span })
    }

    /// A function call, a density call (`f_lpdf(y | ...)`) or an `_rng`.
    fn check_call(&mut self, func: &Ident, variate: Option<&Expr>, args: &[Expr], span: Span) -> Option<TypedExpr> {
        if let (Some((call, f)), None) = (crate::syntax::functions::split_reduce_sum(&func.name), variate) {
            return self.check_reduce_sum(call, f, func, args, span);
        }
        if let (Some(_), None) = (super::map_rect::split_map_rect(&func.name), variate) {
            return self.check_map_rect(args, span);
        }
        if let (Some(density), [arg], None) = (func.name.strip_prefix(crate::syntax::functions::TRUNCATED_VARIATE), args, variate) {
            return self.check_truncated_variate(density, arg);
        }
        // Left unexpanded: the first argument names no user function.
        if (crate::syntax::functions::REDUCE_SUM.contains(&func.name.as_str()) || func.name == "map_rect") && !self.user_functions.contains_key(&func.name) {
            self.report(
                Diagnostic::error("E1002", format!("the first argument of `{}` must name a function of the `functions` block", func.name))
                    .with_label(args.first().map(|a| a.span).unwrap_or(span), "not a user function")
                    .with_help(if func.name == "map_rect" {
                        "write `map_rect(f, phi, thetas, x_rs, x_is)` with `vector f(vector phi, vector theta, data array[] real x_r, data array[] int x_i)` defined in `functions`".to_string()
                    } else {
                        format!("write `{}(f, x, grainsize, ...)` with `real f(array[] T slice, int start, int end, ...)` defined in `functions`", func.name)
                    }),
            );
            return None;
        }
        if let (Some(form), None) = (super::ode::ode_form(&func.name), variate) {
            if !self.user_functions.contains_key(&func.name) {
                return self.check_ode_call(func, form, args, span);
            }
        }
        if func.name == crate::syntax::dlm::ARG && variate.is_none() {
            return self.check_dlm_arg(args, span);
        }
        // Names refused whatever their arguments, before the arguments are
        // checked.
        if !self.user_functions.contains_key(&func.name) {
            if let Some(help) = super::stan_removed::removed_function(&func.name) {
                self.report(
                    Diagnostic::error("E1003", format!("`{}` is not a function of modern Stan", func.name))
                        .with_label(func.span, "removed from Stan")
                        .with_help(help),
                );
                return None;
            }
            if super::stan_missing::missing_function(&func.name).is_some()
                && args.iter().any(|a| matches!(&a.kind, ExprKind::Var(id) if self.scope.lookup(&id.name).is_none()))
            {
                self.report(
                    Diagnostic::error("E1003", format!("`{}` (a Stan function) is not in hbmc yet", func.name))
                        .with_label(func.span, "not in hbmc's library yet")
                        .with_help("docs/language.md lists the Stan features hbmc does not have yet"),
                );
                return None;
            }
        }
        let variate_typed = match variate {
            Some(v) => Some(self.check_expr(v)?),
            None => None,
        };
        let mut typed = Vec::with_capacity(args.len() + 1);
        let mut ok = true;
        // The size arguments of the `rep_` functions are sizes, where a dim
        // name means the dim even when a variable has the same name (as in
        // `array[obs] grade grade;`), just as in declarations.
        let sizes_from = matches!(func.name.as_str(), "rep_vector" | "rep_row_vector" | "rep_matrix" | "rep_array");
        for (k, a) in args.iter().enumerate() {
            if sizes_from && k >= 1 {
                if let ExprKind::Var(id) = &a.kind {
                    if let Some(d) = self.dims.lookup(&id.name) {
                        typed.push(TypedExpr { kind: TypedExprKind::DimSize(d), ty: Type::int(), level: Level::Data, span: a.span });
                        continue;
                    }
                }
            }
            match self.check_expr(a) {
                Some(t) => typed.push(t),
                None => ok = false,
            }
        }
        if !ok {
            return None;
        }
        if let Some(sig) = self.user_functions.get(&func.name).cloned() {
            return self.check_user_call(&func.name, &sig, typed, span);
        }
        // A GLM density is the density of its linear predictor.
        let expanded;
        let glm = super::glm::split_glm_name(&func.name).map(|(g, _)| g);
        let func = match super::glm::split_glm_name(&func.name) {
            Some((g, suffix)) => {
                typed = self.glm_params(g, variate_typed.as_ref(), typed, span)?;
                expanded = Ident { name: format!("{}{}", g.base, suffix.text()), span: func.span };
                &expanded
            }
            None => func,
        };
        if let Some((dist, suffix)) = signatures::split_written_density_name(&func.name) {
            // Stan's five- and seven-argument `wiener` densities are forms
            // of their own (its draws and cdfs keep the name, to be refused).
            let form = signatures::arity_form(dist.name, typed.len()).filter(|_| suffix != DensitySuffix::Rng && !suffix.is_cdf());
            let (dist, lowered) = match form {
                Some(form) => (form, format!("{}{}", form.name, suffix.text())),
                None => (dist, func.name.clone()),
            };
            let mut variate_typed = variate_typed;
            if variate_typed.is_none() && suffix != DensitySuffix::Rng && dist.params.is_empty() && typed.len() == 1 {
                // A density without parameters takes no `|`: `std_normal_lpdf(y)`.
                variate_typed = typed.pop();
            }
            let checked = glm.is_some_and(|g| g.is_categorical());
            let ty = self.check_density_call(func, dist, suffix, variate_typed.as_ref(), &typed, checked, span)?;
            let mut all = Vec::new();
            all.extend(variate_typed);
            all.extend(typed);
            let level = all.iter().map(|t| t.level).max().unwrap_or(Level::Data);
            return Some(TypedExpr { kind: TypedExprKind::Call { func: lowered, args: all }, ty, level, span });
        }
        let density_suffix = ["_lpdf", "_lupdf", "_lpmf", "_lupmf", "_lcdf", "_lccdf", "_cdf"].iter().find(|s| func.name.ends_with(*s));
        if let (Some(_), Some(suffix)) = (variate, density_suffix) {
            let base = &func.name[..func.name.len() - suffix.len()];
            let names: Vec<&str> = signatures::written_distributions().collect();
            let mut d = Diagnostic::error("E1003", format!("there is no distribution `{base}` in hbmc yet"))
                .with_label(func.span, "unknown distribution");
            d = match closest(base, names.iter().copied()).filter(|_| !super::stan_missing::is_missing_distribution(base)) {
                Some(close) => d.with_help(format!("did you mean `{close}{suffix}`?")),
                None => d.with_help("docs/language.md lists the distributions hbmc has, and the ones it lacks"),
            };
            self.report(d);
            return None;
        }
        if variate.is_some() {
            self.report(
                Diagnostic::error("E1002", format!("`{}` is not a density, so it cannot take `|`", func.name))
                    .with_label(func.span, "not a `_lpdf`/`_lpmf` function")
                    .with_help("separate arguments with `,`"),
            );
            return None;
        }
        match signatures::resolve_function(&func.name, &typed) {
            Ok(_) if matches!(func.name.as_str(), "hmm_latent_rng" | "hmm_hidden_state_prob")
                && !matches!(self.ctx.block, BlockKind::TransformedData | BlockKind::GeneratedQuantities) =>
            {
                // As in Stan: they have no gradient, and the draw is random.
                self.report(
                    Diagnostic::error("E3005", format!("`{}` may only be used in `transformed data` or `generated quantities`", func.name))
                        .with_label(func.span, format!("used in `{}`", self.ctx.block.keyword()))
                        .with_help("compute the states' posteriors or draws in `generated quantities`"),
                );
                None
            }
            Ok(_) if !self.check_data_args(&func.name, &typed) => None,
            Ok(ty) => {
                let level = typed.iter().map(|t| t.level).max().unwrap_or(Level::Data);
                Some(TypedExpr { kind: TypedExprKind::Call { func: func.name.clone(), args: typed }, ty, level, span })
            }
            Err(CallError::Unknown) => {
                let glm_draw = func.name.strip_suffix("_rng").filter(|stem| stem.ends_with("_glm"));
                if let Some(stem) = glm_draw {
                    let help = match super::glm::glm(stem) {
                        Some(g) => format!("draw from `{}_rng` of the linear predictor instead", g.base),
                        None => "draw from the density of the linear predictor instead".to_string(),
                    };
                    self.report(
                        Diagnostic::error("E1003", format!("`{}` is not a Stan function: Stan has no draw from a GLM density", func.name))
                            .with_label(func.span, "no such draw")
                            .with_help(help),
                    );
                    return None;
                }
                if let Some(kind) = super::stan_missing::missing_function(&func.name) {
                    self.report(
                        Diagnostic::error("E1003", format!("`{}` (a Stan {kind}) is not in hbmc yet", func.name))
                            .with_label(func.span, "not in hbmc's library yet")
                            .with_help("docs/language.md lists the Stan features hbmc does not have yet"),
                    );
                    return None;
                }
                let mut d = Diagnostic::error("E1003", format!("there is no function `{}`", func.name))
                    .with_label(func.span, "unknown function");
                if signatures::distribution(&func.name).is_some() {
                    d = d.with_help(format!(
                        "`{0}` is a distribution: write `y ~ {0}(...)`, `{0}_lpdf(y | ...)` or `{0}_rng(...)`",
                        func.name
                    ));
                } else if self.scope.lookup(&func.name).is_some() {
                    d = d.with_help(format!("`{}` is a variable; index it with `[...]`", func.name));
                } else if let Some(close) = closest(&func.name, signatures::function_names()) {
                    d = d.with_help(format!("did you mean `{close}`?"));
                } else {
                    d = d.with_help("see the function list in LANGUAGE.md");
                }
                self.report(d);
                None
            }
            Err(CallError::Mismatch(sig)) => {
                let found: Vec<String> = typed.iter().map(|t| self.show(&t.ty)).collect();
                self.report(
                    Diagnostic::error(
                        "E1002",
                        format!("`{}` cannot be called with ({})", func.name, found.join(", ")),
                    )
                    .with_label(span, "no signature matches these arguments")
                    .with_help(format!("available: {sig}")),
                );
                None
            }
        }
    }

    /// An argument of `gaussian_dlm_obs` (see `syntax::dlm`): `y`, `F`,
    /// `G`, `W`, `C0` matrices, `m0` a vector, and `V` a matrix as it is or
    /// a vector of variances as its diagonal matrix.
    fn check_dlm_arg(&mut self, args: &[Expr], span: Span) -> Option<TypedExpr> {
        use crate::syntax::dlm::{SIGNATURE, SLOTS};
        let slot = match args.first().map(|a| &a.kind) {
            Some(ExprKind::IntLit(k)) => usize::try_from(*k).ok()?,
            _ => return None,
        };
        let once = |this: &mut Self, d: Diagnostic| {
            // The filter's body reads an argument in several places, each
            // checked: say it once.
            if !this.diagnostics.iter().any(|e| e.message == d.message && e.primary_span() == d.primary_span()) {
                this.report(d);
            }
        };
        let [_, value] = args else {
            let d = Diagnostic::error("E1002", format!("`gaussian_dlm_obs` takes 6 arguments after `|`, but {slot} are given"))
                .with_label(span, "wrong number of arguments")
                .with_help(SIGNATURE);
            once(self, d);
            return None;
        };
        let t = self.check_expr(value)?;
        let (name, want) = SLOTS[slot.min(SLOTS.len() - 1)];
        let fits = t.ty.array.is_empty()
            && match t.ty.elem {
                ElemType::Matrix(..) => want.starts_with("matrix"),
                ElemType::Vector(_) => want.ends_with("vector"),
                _ => false,
            };
        if !fits {
            let d = Diagnostic::error("E1002", format!("`gaussian_dlm_obs` needs `{name}` a {}, but it is `{}`", want.replace('|', " or a "), self.show(&t.ty)))
                .with_label(t.span, format!("`{name}`"))
                .with_help(SIGNATURE);
            once(self, d);
            return None;
        }
        match t.ty.elem {
            ElemType::Vector(a) if name == "V" => {
                let (level, span) = (t.level, t.span);
                Some(TypedExpr { kind: TypedExprKind::Call { func: "diag_matrix".into(), args: vec![t] }, ty: Type::matrix(a, a), level, span })
            }
            _ => Some(t),
        }
    }

    fn check_density_call(
        &mut self,
        func: &Ident,
        dist: &signatures::Distribution,
        suffix: DensitySuffix,
        variate: Option<&TypedExpr>,
        params: &[TypedExpr],
        args_checked: bool,
        span: Span,
    ) -> Option<Type> {
        let block = self.ctx.block;
        match suffix {
            DensitySuffix::Rng => {
                if !matches!(block, BlockKind::TransformedData | BlockKind::GeneratedQuantities) {
                    self.report(
                        Diagnostic::error("E3005", format!("`{}` draws random numbers, which `{}` may not do", func.name, block.keyword()))
                            .with_label(func.span, "random number generator")
                            .with_help("use `_rng` functions in `transformed data` or `generated quantities`"),
                    );
                    return None;
                }
                if matches!(dist.name, "wishart" | "inv_wishart" | "wishart_cholesky" | "inv_wishart_cholesky") {
                    // `matrix wishart_rng(real nu, matrix S)`: S's type.
                    return match params {
                        [nu, s] if nu.ty.is_scalar() && s.ty.array.is_empty() && matches!(s.ty.elem, ElemType::Matrix(..)) => {
                            Some(s.ty.promoted())
                        }
                        _ => {
                            let slots = [("nu", signatures::ArgShape::Real), (dist.params[1].0, signatures::ArgShape::Matrix)];
                            self.signature_error(func, &slots, params, span);
                            None
                        }
                    };
                }
                if matches!(dist.name, "lkj_cov" | "multi_gp" | "multi_gp_cholesky" | "wiener") {
                    self.report(
                        Diagnostic::error("E1003", format!("`{}` is not a Stan function: Stan has no draw from `{}`", func.name, dist.name))
                            .with_label(func.span, "no such draw")
                            .with_help("Stan defines only the density of this distribution"),
                    );
                    return None;
                }
                if dist.name == "multi_normal_prec" {
                    self.report(
                        Diagnostic::error("E1003", format!("`{}` is not a Stan function: Stan has no draw from `multi_normal_prec`", func.name))
                            .with_label(func.span, "no such draw")
                            .with_help("draw with `multi_normal_rng(mu, inverse_spd(Omega))`"),
                    );
                    return None;
                }
                if variate.is_some() {
                    self.report(
                        Diagnostic::error("E1002", format!("`{}` takes no `|`", func.name))
                            .with_label(span, "an `_rng` has only the distribution's parameters")
                            .with_help(format!("write `{}({})`", func.name, param_names(dist))),
                    );
                    return None;
                }
                if dist.name == "lkj_corr_cholesky" || dist.name == "lkj_corr" {
                    return match params {
                        [k, eta] if k.ty.is_int_scalar() && eta.ty.is_scalar() => {
                            let a = match k.kind {
                                TypedExprKind::DimSize(d) => Axis::Dim(d),
                                _ => Axis::Anon,
                            };
                            Some(Type::matrix(a, a))
                        }
                        _ => {
                            let slots = [("K", signatures::ArgShape::Ints), ("eta", signatures::ArgShape::Real)];
                            self.signature_error(func, &slots, params, span);
                            None
                        }
                    };
                }
                if matches!(dist.name, "multinomial" | "multinomial_logit" | "dirichlet_multinomial") {
                    // Stan's `array[] int multinomial_rng(vector theta, int N)`.
                    return match params {
                        [theta, n] if theta.ty.array.is_empty() && matches!(theta.ty.elem, ElemType::Vector(_)) && n.ty.is_int_scalar() => {
                            let a = theta.ty.axes().first().copied().unwrap_or(Axis::Anon);
                            Some(Type::array_of(vec![a], ElemType::INT))
                        }
                        _ => {
                            let first = match dist.name {
                                "multinomial" => "theta",
                                "multinomial_logit" => "gamma",
                                _ => "alpha",
                            };
                            let slots = [(first, signatures::ArgShape::Vectors), ("N", signatures::ArgShape::Ints)];
                            self.signature_error(func, &slots, params, span);
                            None
                        }
                    };
                }
                if !self.params_fit(func, dist, params, span) {
                    return None;
                }
                if matches!(dist.name, "categorical" | "categorical_logit" | "poisson_binomial") {
                    return Some(Type::int());
                }
                if matches!(dist.name, "ordered_logistic" | "ordered_probit") {
                    // One outcome of one eta: Stan's `int ordered_logistic_rng(real, vector)`.
                    if !(params[0].ty.is_scalar() && params[1].ty.array.is_empty()) {
                        self.report(
                            Diagnostic::error("E1002", format!("`{}` draws one outcome", func.name))
                                .with_label(span, "eta must be a real and the cutpoints one vector")
                                .with_help(format!("write `{}(eta, c)` with a real eta, in a loop for several", func.name)),
                        );
                        return None;
                    }
                    return Some(Type::int());
                }
                if dist.multivariate {
                    // The draw has the location's type (multi_student_t's
                    // location follows nu).
                    let loc = if dist.name.starts_with("multi_student_t") { &params[1] } else { &params[0] };
                    return Some(loc.ty.promoted());
                }
                let tys: Vec<&Type> = params.iter().map(|p| &p.ty).collect();
                let elem = if dist.discrete { ElemType::INT } else { ElemType::Real };
                match signatures::rng_axes(&tys) {
                    Some(axes) if axes.is_empty() => Some(Type::scalar_or_elem(elem)),
                    Some(axes) => Some(Type::array_of(axes, elem)),
                    None => {
                        let mut d = Diagnostic::error("E2003", format!("the arguments of `{}` do not align", func.name));
                        for (p, (pname, _)) in params.iter().zip(dist.params) {
                            if !p.ty.is_scalar() {
                                d = d.with_label(p.span, format!("`{pname}` is `{}`", self.show(&p.ty)));
                            }
                        }
                        self.report(d.with_help(
                            "give the arguments the same dims (or one's dims a subset of the other's), or scalars",
                        ));
                        None
                    }
                }
            }
            _ if suffix.is_cdf() => {
                if !signatures::has_cdf(dist.name) {
                    self.report(missing_cdf(dist.name, func.span, "not in hbmc's library yet"));
                    return None;
                }
                let Some(variate) = variate else {
                    self.report(
                        Diagnostic::error("E1002", format!("`{}` needs `|` after its first argument", func.name))
                            .with_label(span, "missing `|`")
                            .with_help(format!("write `{}(y | {})`", func.name, param_names(dist))),
                    );
                    return None;
                };
                self.check_density_args(&func.name, dist, variate, params, span)?;
                Some(Type::real())
            }
            _ => {
                let want_pmf = matches!(suffix, DensitySuffix::Lpmf | DensitySuffix::Lupmf);
                if want_pmf != dist.discrete {
                    let right = match (dist.discrete, suffix) {
                        (true, DensitySuffix::Lupdf) => "_lupmf",
                        (true, _) => "_lpmf",
                        (false, DensitySuffix::Lupmf) => "_lupdf",
                        (false, _) => "_lpdf",
                    };
                    self.report(
                        Diagnostic::error(
                            "E1002",
                            format!("`{}` is {} distribution", dist.name, if dist.discrete { "a discrete" } else { "a continuous" }),
                        )
                        .with_label(func.span, "wrong suffix")
                        .with_help(format!("write `{}{}`", dist.name, right)),
                    );
                    return None;
                }
                if matches!(suffix, DensitySuffix::Lupdf | DensitySuffix::Lupmf)
                    && block != BlockKind::Model
                    && self.ctx.inlined != Some(crate::syntax::ast::InlinedFrom::Lp)
                {
                    self.report(
                        Diagnostic::error("E3011", format!("`{}` (unnormalised) is only allowed in the model block", func.name))
                            .with_label(func.span, format!("used in `{}`", block.keyword()))
                            .with_help(format!("use `{}{}` here", dist.name, if dist.discrete { "_lpmf" } else { "_lpdf" })),
                    );
                    return None;
                }
                let Some(variate) = variate else {
                    self.report(
                        Diagnostic::error("E1002", format!("`{}` needs `|` after its first argument", func.name))
                            .with_label(span, "missing `|`")
                            .with_help(if dist.params.is_empty() {
                                format!("write `{}(y)`", func.name)
                            } else {
                                format!("write `{}(y | {})`", func.name, param_names(dist))
                            }),
                    );
                    return None;
                };
                if !args_checked {
                    self.check_density_args(&func.name, dist, variate, params, span)?;
                }
                Some(Type::real())
            }
        }
    }

    /// Checks a density's variate and parameters: shapes, and dims that the
    /// variate must carry. Shared by `~` statements and `_lpdf` calls.
    pub(super) fn check_density_args(
        &mut self,
        name: &str,
        dist: &signatures::Distribution,
        variate: &TypedExpr,
        params: &[TypedExpr],
        span: Span,
    ) -> Option<()> {
        if !signatures::fits_shape(&variate.ty, dist.variate) || (dist.discrete && !variate.ty.is_int_valued()) {
            let want = match dist.variate {
                signatures::ArgShape::Ints => "an int or an int array",
                signatures::ArgShape::Vectors => "a vector or an array of vectors",
                signatures::ArgShape::Matrix => "a matrix",
                _ => "a real, a vector, a row vector, a matrix or a 1-D array",
            };
            self.report(
                Diagnostic::error("E1002", format!("`{}` is not a valid variate for `{}`", self.show(&variate.ty), dist.name))
                    .with_label(variate.span, format!("`{}`", self.show(&variate.ty)))
                    .with_help(format!("`{}` takes {want}", dist.name)),
            );
            return None;
        }
        let fake = Ident { name: name.to_string(), span };
        if !self.params_fit(&fake, dist, params, span) {
            return None;
        }
        if dist.multivariate {
            return self.check_multivariate_dims(dist, variate, params);
        }
        if signatures::is_internal_form(dist.name) {
            self.check_wiener_constants(name, params)?;
        }
        let tys: Vec<&Type> = params.iter().map(|p| &p.ty).collect();
        if let Some(i) = signatures::misaligned_param(&variate.ty, &tys) {
            let p = &params[i];
            let (pname, _) = dist.params[i];
            let v_dims = variate.ty.dims();
            let extra: Vec<_> = p.ty.dims().into_iter().filter(|d| !v_dims.contains(d)).collect();
            let mut d = if let (Some(&dim), false) = (extra.first(), v_dims.is_empty()) {
                Diagnostic::error(
                    "E2003",
                    format!(
                        "the argument `{pname}` of `{}` runs over dim `{}`, which the variate does not have",
                        dist.name,
                        self.dims.get(dim).name
                    ),
                )
            } else {
                Diagnostic::error("E2003", format!("the argument `{pname}` of `{}` does not align with the variate", dist.name))
            };
            d = d
                .with_label(p.span, format!("`{}`", self.show(&p.ty)))
                .with_label(variate.span, format!("variate is `{}`", self.show(&variate.ty)));
            if let (Some(&dim), Some(&over)) = (extra.first(), v_dims.first()) {
                let hint = self.index_variable_for(over, dim);
                let base = match &p.kind {
                    TypedExprKind::Var(v) => Some(self.vars[*v].name.clone()),
                    _ => None,
                };
                d = d.with_help(match (hint, base) {
                    (Some(var), Some(base)) => format!(
                        "index it with a `{}` for each `{}`: `{base}[{var}]`",
                        self.dims.get(dim).name,
                        self.dims.get(over).name
                    ),
                    (Some(var), None) => format!(
                        "index it with `{var}`, which holds a `{}` for each `{}`",
                        self.dims.get(dim).name,
                        self.dims.get(over).name
                    ),
                    (None, _) => format!(
                        "index it with an `array[{}] {}` so that it runs over `{}`",
                        self.dims.get(over).name,
                        self.dims.get(dim).name,
                        self.dims.get(over).name
                    ),
                });
            } else {
                d = d.with_help("give the arguments the same shape as the variate, or scalars");
            }
            self.report(d);
            return None;
        }
        Some(())
    }

    /// A data variable of type `array[over] dim`, to suggest in messages.
    fn index_variable_for(&self, over: usize, dim: usize) -> Option<String> {
        let want = Type::array_of(vec![Axis::Dim(over)], ElemType::Int { index_of: Some(dim) });
        self.vars.iter().find(|v| v.ty == want && self.scope.lookup(&v.name).is_some()).map(|v| v.name.clone())
    }

    fn params_fit(&mut self, func: &Ident, dist: &signatures::Distribution, params: &[TypedExpr], span: Span) -> bool {
        let fits = params.len() == dist.params.len()
            && params.iter().zip(dist.params).all(|(p, (_, shape))| signatures::fits_shape(&p.ty, *shape));
        if !fits && dist.name == "wiener" && ![5, 7].contains(&params.len()) {
            // Its three forms, by their count of arguments.
            let found: Vec<String> = params.iter().map(|t| self.show(&t.ty)).collect();
            self.report(
                Diagnostic::error("E1002", format!("`{}` cannot take ({})", func.name, found.join(", ")))
                    .with_label(span, format!("{} arguments given", params.len()))
                    .with_help(format!(
                        "`{}` takes (alpha, tau, beta, delta), (a, t0, w, v, sv) or (a, t0, w, v, sv, sw, st0), each a real or reals",
                        func.name
                    )),
            );
            return false;
        }
        if !fits {
            self.signature_error(func, dist.params, params, span);
        }
        fits
    }

    /// Arguments that do not fit a density's parameter list `slots`: the
    /// count when it is wrong, otherwise the first argument of the wrong shape.
    fn signature_error(
        &mut self,
        func: &Ident,
        slots: &[(&'static str, signatures::ArgShape)],
        params: &[TypedExpr],
        span: Span,
    ) {
        let found: Vec<String> = params.iter().map(|t| self.show(&t.ty)).collect();
        let names: Vec<&str> = slots.iter().map(|(n, _)| *n).collect();
        let shapes: Vec<String> = slots.iter().map(|(n, s)| format!("{n}: {}", shape_words(*s))).collect();
        let plural = |n: usize| if n == 1 { "" } else { "s" };
        let mut d = Diagnostic::error("E1002", format!("`{}` cannot take ({})", func.name, found.join(", ")));
        let wrong = params
            .iter()
            .zip(slots)
            .find(|(p, (_, shape))| !signatures::fits_shape(&p.ty, *shape));
        d = match wrong {
            Some((p, (pname, shape))) if params.len() == slots.len() => d.with_label(
                p.span,
                format!("`{pname}` must be {}, but this is `{}`", shape_words(*shape), self.show(&p.ty)),
            ),
            _ => d.with_label(
                span,
                format!(
                    "{} argument{} given, {} expected",
                    params.len(),
                    plural(params.len()),
                    slots.len()
                ),
            ),
        };
        let with = if shapes.is_empty() { String::new() } else { format!(" with {}", shapes.join("; ")) };
        self.report(d.with_help(format!("`{}` takes ({}){with}", func.name, names.join(", "))));
    }

    /// A multivariate density's dim rule: the variate, the location and the
    /// matrix run over one dim (a square matrix for `lkj_corr_cholesky`).
    fn check_multivariate_dims(&mut self, dist: &signatures::Distribution, variate: &TypedExpr, params: &[TypedExpr]) -> Option<()> {
        let k_of = |t: &Type| t.elem.axes().first().copied().unwrap_or(Axis::Anon);
        // The argument that disagrees with the variate, if any.
        // The argument that disagrees with the variate (`None`: the variate
        // itself), if any.
        let culprit: Option<Option<usize>> = match dist.variate {
            // `ordered_logistic(k | eta, c)`: eta runs over k's dims, the
            // cutpoints are one vector or one per outcome.
            signatures::ArgShape::Ints if params.len() == 2 => {
                let eta_ok = signatures::misaligned_param(&variate.ty, &[&params[0].ty]).is_none();
                let cuts_ok = params[1].ty.array.is_empty() || variate.ty.array.len() == 1;
                if !eta_ok { Some(Some(0)) } else if !cuts_ok { Some(Some(1)) } else { None }
            }
            // `categorical(y | theta)`, `multinomial(y | theta)`: y holds
            // indices into (or counts of) one vector's categories.
            signatures::ArgShape::Ints => (!params[0].ty.array.is_empty()).then_some(Some(0)),
            // `dirichlet(theta | alpha)`: one dim for both.
            _ if params.len() == 1 => (!k_of(&variate.ty).compatible(k_of(&params[0].ty))).then_some(Some(0)),
            // `multi_gp(y | Sigma, w)`: a K x N variate (sizes checked when lowered).
            signatures::ArgShape::Matrix if dist.name.starts_with("multi_gp") => None,
            signatures::ArgShape::Matrix => {
                let ax = variate.ty.elem.axes();
                (!ax[0].compatible(ax[1])).then_some(None)
            }
            _ => {
                // `multi_student_t(y | nu, mu, Sigma)`: nu comes first.
                let off = params.len() - 2;
                let vk = k_of(&variate.ty);
                let mu_k = k_of(&params[off].ty);
                let matrix_ok = params[off + 1].ty.elem.axes().iter().all(|a| a.compatible(vk) && a.compatible(mu_k));
                if !vk.compatible(mu_k) {
                    Some(Some(off))
                } else if !matrix_ok {
                    Some(Some(off + 1))
                } else {
                    None
                }
            }
        };
        let Some(culprit) = culprit else { return Some(()) };
        let mut d = Diagnostic::error("E2003", format!("the dims of `{}`'s arguments do not match", dist.name));
        d = match culprit {
            Some(i) => d
                .with_label(params[i].span, format!("`{}` is `{}`", dist.params[i].0, self.show(&params[i].ty)))
                .with_label(variate.span, format!("variate is `{}`", self.show(&variate.ty))),
            None => d.with_label(variate.span, format!("variate is `{}`", self.show(&variate.ty))),
        };
        let help = if dist.variate == signatures::ArgShape::Ints {
            "the probabilities are one vector (index an array of them: `theta[n]`)"
        } else if dist.variate == signatures::ArgShape::Matrix {
            "the variate must be a square matrix over one dim"
        } else {
            "the variate, the location and both sides of the matrix must run over the same dim"
        };
        self.report(d.with_help(help));
        None
    }
}

/// The type of `l op r` when a side is complex: `+ - * /` of two
/// scalars, one complex and the other `int`, `real` or `complex` (the real
/// promoted), give a `complex`; elementwise `+ - .* ./` of containers of
/// one shape (or a container and a scalar), `*` of a container and a
/// scalar and `/` of a container by a scalar give the complex container of
/// that shape. No matrix products of complex values (E1001 says so).
fn complex_binary(op: BinOp, l: &Type, r: &Type) -> Result<Type, (&'static str, String)> {
    let real = |t: &Type| Type::array_of(t.array.clone(), t.elem.to_real());
    let (lr, rr) = (real(l), real(r));
    let scalar = |t: &Type| t.is_scalar();
    let elementwise = match op {
        BinOp::Add | BinOp::Sub | BinOp::EltMul | BinOp::EltDiv => true,
        BinOp::Mul => scalar(&lr) || scalar(&rr),
        BinOp::Div => scalar(&rr),
        _ => {
            return Err((
                "E1001",
                format!("`{}` is not defined for complex values in hbmc; compare `get_real`/`get_imag` or `abs` of them", op.symbol()),
            ))
        }
    };
    if !elementwise {
        return Err(("E1001", "hbmc has no matrix products of complex values; use `.*` for elementwise products".into()));
    }
    broadcast::align(&lr, &rr, false)
        .map(|t| Type::array_of(t.array, t.elem.to_complex()))
        .map_err(|_| ("E1001", "complex operands must have the same shape, or one of them be a scalar".into()))
}

/// The type of `op t` by Stan's rules; `None` when `op` does not apply.
pub(crate) fn unary_type(op: UnOp, t: &Type) -> Option<Type> {
    match op {
        UnOp::Neg | UnOp::Plus => Some(t.clone()),
        UnOp::Not => t.is_scalar().then(Type::int),
        // A complex container transposes as the real one of its shape
        // (no conjugation, as Stan's `'`).
        UnOp::Transpose if t.is_complex_valued() => {
            let real = Type::array_of(t.array.clone(), t.elem.to_real());
            signatures::transpose(&real).map(|r| Type::array_of(r.array, r.elem.to_complex()))
        }
        UnOp::Transpose => signatures::transpose(t),
    }
}

/// Why two operand types do not combine (the checker words each one).
pub(crate) enum BinaryError {
    /// A code and the words for it.
    Coded(&'static str, String),
    /// Shapes that do not align elementwise.
    Align(AlignError),
    /// No product `l * r`.
    Mul,
    /// No left division `l \ r`.
    LeftDiv,
    /// No right division `b / A` of a row vector or matrix by a matrix.
    RightDiv,
}

/// The type of `l op r` by Stan's rules (and hbmc's dims), or why not.
pub(crate) fn binary_type(op: BinOp, l: &Type, r: &Type) -> Result<Type, BinaryError> {
    let type_err = |why: String| BinaryError::Coded("E1001", why);
    match op {
        _ if l.is_complex_valued() || r.is_complex_valued() => complex_binary(op, l, r).map_err(|(code, why)| BinaryError::Coded(code, why)),
        BinOp::Or | BinOp::And | BinOp::Eq | BinOp::Neq | BinOp::Lt | BinOp::Leq | BinOp::Gt | BinOp::Geq => {
            if l.is_scalar() && r.is_scalar() {
                Ok(Type::int())
            } else {
                Err(type_err("comparisons and logical operators take an int or real on each side".into()))
            }
        }
        BinOp::Mod | BinOp::IntDiv => {
            if l.is_int_scalar() && r.is_int_scalar() {
                Ok(Type::int())
            } else {
                Err(type_err(format!("`{}` takes two ints", op.symbol())))
            }
        }
        // Stan vectorises `^` as `pow`: a container and a scalar, or
        // two containers of one shape, elementwise (as `.^`).
        BinOp::Pow if l.is_scalar() && r.is_scalar() => Ok(Type::real()),
        BinOp::Add | BinOp::Sub | BinOp::EltMul | BinOp::EltDiv | BinOp::EltPow | BinOp::Pow => {
            let keep_int = matches!(op, BinOp::Add | BinOp::Sub | BinOp::EltMul);
            broadcast::align(l, r, keep_int).map_err(BinaryError::Align)
        }
        BinOp::Mul => signatures::multiply(l, r).ok_or(BinaryError::Mul),
        // `b / A` of a matrix A is `mdivide_right(b, A)`, as in Stan.
        BinOp::Div if matrix_divisor(l, r) => signatures::right_divide(l, r).ok_or(BinaryError::RightDiv),
        BinOp::Div => {
            if r.is_scalar() && l.array.is_empty() {
                broadcast::align(l, r, true).map_err(BinaryError::Align)
            } else {
                Err(type_err("`/` divides by a scalar; use `./` for elementwise division".into()))
            }
        }
        BinOp::LeftDiv => signatures::left_divide(l, r).ok_or(BinaryError::LeftDiv),
    }
}

/// The error for a cdf (or a truncation needing one) that hbmc lacks,
/// saying when Stan has none either (so no program could use it).
pub(super) fn missing_cdf(dist: &str, span: Span, label: &str) -> Diagnostic {
    let message = if signatures::STAN_HAS_NO_CDF.contains(&dist) {
        format!("`{dist}` has no `_lcdf`/`_lccdf` (Stan has none either)")
    } else {
        format!("hbmc has no `{dist}_lcdf`/`{dist}_lccdf` yet")
    };
    Diagnostic::error("E3014", message)
        .with_label(span, label)
        .with_help(format!(
            "cumulative distribution functions, and so truncation `T[a, b]`, exist for: {}",
            signatures::WITH_CDF.join(", ")
        ))
}

fn param_names(dist: &signatures::Distribution) -> String {
    dist.params.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
}

fn shape_words(s: signatures::ArgShape) -> &'static str {
    use signatures::ArgShape::*;
    match s {
        Reals => "a real or a container of reals",
        Ints => "an int or an int array",
        Vectors => "a vector or an array of vectors",
        Matrix => "a matrix",
        Real => "a single real",
    }
}

/// The candidate nearest to `name` within a typo's distance, if any.
pub(super) fn closest<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Option<String> {
    let limit = (name.chars().count() / 3).max(1);
    candidates
        .map(|c| (crate::diagnostics::edit_distance(name, c), c))
        // Replacing every character is no typo: `z` is not a misspelt `a`.
        .filter(|(d, _)| *d <= limit && *d < name.chars().count())
        .min()
        .map(|(_, c)| c.to_string())
}

/// Whether `l / r` divides a row vector or matrix by a matrix (Stan's
/// `mdivide_right`) rather than by a scalar.
fn matrix_divisor(l: &Type, r: &Type) -> bool {
    l.array.is_empty() && r.array.is_empty() && matches!(r.elem, ElemType::Matrix(..)) && matches!(l.elem, ElemType::RowVector(_) | ElemType::Matrix(..))
}
