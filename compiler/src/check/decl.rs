//! Declarations: sizes (dims or data ints), constraints, initial values, and
//! which block may declare what.

use super::env::VarOrigin;
use super::typed::{Constraint, Level, Size, TypedDecl, TypedExpr, TypedExprKind};
use super::types::{Axis, ElemType, Type};
use super::Checker;
use crate::diagnostics::Diagnostic;
use crate::syntax::ast::{BaseTypeExpr, BlockKind, Expr, ExprKind, Transform, TypeExpr, VarDecl};

impl Checker {
    /// Checks a declaration and declares its variable.
    pub(super) fn check_decl(&mut self, decl: &VarDecl) -> Option<TypedDecl> {
        let block = self.ctx.block;
        let local = self.ctx.nested;
        let origin = if local {
            VarOrigin::Local
        } else {
            VarOrigin::Block(block)
        };
        let level = match block {
            BlockKind::Data | BlockKind::TransformedData => Level::Data,
            _ => Level::Param,
        };
        let Some((ty, sizes, constraint)) = self.check_type_expr(&decl.ty, local) else {
            // Later uses of the name stay quiet: the declaration was reported.
            self.failed_decls.insert(decl.name.name.clone());
            return None;
        };
        self.check_declared_kind(decl, &ty, &constraint, local);
        // A bad initial value still declares the variable with its declared
        // type, so later uses are checked and not reported as undeclared.
        let mut init_ok = true;
        let init = match &decl.init {
            None => None,
            Some(e) => {
                if !local && matches!(block, BlockKind::Data | BlockKind::Parameters) {
                    self.report(
                        Diagnostic::error(
                            "E3012",
                            format!("variables of the `{}` block cannot have an initial value", block.keyword()),
                        )
                        .with_label(e.span, "initial value not allowed here")
                        .with_help(match block {
                            BlockKind::Data => "data come from the data file; compute derived values in `transformed data`",
                            _ => "parameters are sampled; compute derived values in `transformed parameters`",
                        }),
                    );
                    None
                } else if let Some(typed) = self.check_expr(e) {
                    if !ty.accepts(&typed.ty) {
                        self.report(
                            Diagnostic::error(
                                "E1004",
                                format!(
                                    "`{}` is declared as `{}` but its initial value is `{}`",
                                    decl.name.name,
                                    self.show(&ty),
                                    self.show(&typed.ty)
                                ),
                            )
                            .with_label(e.span, format!("this is `{}`", self.show(&typed.ty)))
                            .with_label(decl.ty.span, "declared type")
                            .with_help(self.mismatch_help(&ty, &typed.ty)),
                        );
                        init_ok = false;
                        None
                    } else {
                        Some(typed)
                    }
                } else {
                    init_ok = false;
                    None
                }
            }
        };
        let var = self.declare_var(&decl.name.name, decl.name.span, ty, origin, level)?;
        if !init_ok {
            return None;
        }
        Some(TypedDecl {
            var,
            sizes,
            constraint,
            init,
            span: decl.span,
        })
    }

    /// A hint for why `have` does not fit `want`.
    pub(super) fn mismatch_help(&self, want: &Type, have: &Type) -> String {
        if want.is_int_valued() && !have.is_int_valued() {
            return "a real value cannot become an int; declare the variable `real`, or compute an int".into();
        }
        if let (ElemType::Int { index_of: Some(w) }, ElemType::Int { index_of: Some(h) }) = (want.elem, have.elem) {
            if w != h {
                return format!(
                    "members of `{}` cannot stand for members of `{}`",
                    self.dims.get(h).name,
                    self.dims.get(w).name
                );
            }
        }
        if let (ElemType::Matrix(r1, c1), ElemType::Matrix(r2, c2)) = (want.elem, have.elem) {
            if r1 == c2 && c1 == r2 && r1 != c1 && want.array.len() == have.array.len() {
                return format!(
                    "the dims are in the other order; transpose the value with `'` to get `{}`",
                    self.show(want)
                );
            }
        }
        let (wd, hd) = (want.dims(), have.dims());
        let extra: Vec<&str> = hd.iter().filter(|d| !wd.contains(d)).map(|d| self.dims.get(*d).name.as_str()).collect();
        if !wd.is_empty() && !extra.is_empty() && wd.iter().all(|d| hd.contains(d)) {
            return format!(
                "the value also runs over {}: values over different dims broadcast to all their dims \
                 (two vectors make a matrix); index or reduce the extra dim",
                extra.iter().map(|d| format!("`{d}`")).collect::<Vec<_>>().join(", ")
            );
        }
        if want.axes().len() == have.axes().len() && wd != hd && !wd.is_empty() && !hd.is_empty() {
            return format!(
                "the dims differ: expected `{}`, found `{}`; index or reorder so the dims match",
                self.show(want),
                self.show(have)
            );
        }
        format!("give a value of type `{}`", self.show(want))
    }

    /// Rules on what may be declared where.
    fn check_declared_kind(&mut self, decl: &VarDecl, ty: &Type, constraint: &Constraint, local: bool) {
        let block = self.ctx.block;
        if ty.is_int_valued() && matches!(block, BlockKind::Parameters | BlockKind::TransformedParameters) && !local {
            self.report(
                Diagnostic::error(
                    "E3007",
                    format!("`{}` is an integer, but `{}` must be real-valued", decl.name.name, block.keyword()),
                )
                .with_label(decl.ty.span, "an int type")
                .with_help("declare it `real` (or a real container); discrete parameters must be marginalised out"),
            );
        }
        if ty.is_complex_valued() && !matches!(block, BlockKind::Data | BlockKind::TransformedData | BlockKind::GeneratedQuantities) {
            let kind = ty.elem.kind_name();
            let place = if local { format!("a local of `{}`", block.keyword()) } else { format!("`{}`", block.keyword()) };
            self.report(
                Diagnostic::error("E3015", format!("`{}` is a `{kind}`, but hbmc has complex values only in `data`, `transformed data` and `generated quantities`, not in {place}", decl.name.name))
                    .with_label(decl.ty.span, "a complex type")
                    .with_help(format!(
                        "move it to `generated quantities`, or hold its real and imaginary parts in two real variables (`{}`)",
                        ty.elem.to_real().kind_name()
                    )),
            );
        }
        if local && *constraint != Constraint::None {
            self.report(
                Diagnostic::error("E3007", format!("local variable `{}` cannot be constrained", decl.name.name))
                    .with_label(decl.ty.span, format!("`{}` constraint on a local variable", constraint.name()))
                    .with_help("declare it without bounds or constrained type; constraints belong to block-level variables"),
            );
        }
    }

    /// The declared type, its sizes and its constraint.
    fn check_type_expr(&mut self, te: &TypeExpr, local: bool) -> Option<(Type, Vec<Size>, Constraint)> {
        let mut sizes = Vec::new();
        let mut ok = true;
        for s in &te.array_sizes {
            match self.check_size(s, local) {
                Some(size) => sizes.push(size),
                None => ok = false,
            }
        }
        let array: Vec<Axis> = sizes.iter().map(Size::axis).collect();
        let mut size = |this: &mut Checker, e: &Expr, sizes: &mut Vec<Size>| -> Axis {
            match this.check_size(e, local) {
                Some(s) => {
                    let a = s.axis();
                    sizes.push(s);
                    a
                }
                None => {
                    ok = false;
                    Axis::Anon
                }
            }
        };
        use BaseTypeExpr as B;
        let (elem, constraint_src): (ElemType, Result<&Transform, Constraint>) = match &te.base {
            B::Int { transform } => (ElemType::INT, Ok(transform)),
            B::Real { transform } => (ElemType::Real, Ok(transform)),
            B::Vector { transform, size: n } => (ElemType::Vector(size(self, n, &mut sizes)), Ok(transform)),
            B::RowVector { transform, size: n } => (ElemType::RowVector(size(self, n, &mut sizes)), Ok(transform)),
            B::Matrix { transform, rows, cols } => {
                let r = size(self, rows, &mut sizes);
                let c = size(self, cols, &mut sizes);
                (ElemType::Matrix(r, c), Ok(transform))
            }
            B::Simplex { size: n } => (ElemType::Vector(size(self, n, &mut sizes)), Err(Constraint::Simplex)),
            B::Ordered { size: n } => (ElemType::Vector(size(self, n, &mut sizes)), Err(Constraint::Ordered)),
            B::PositiveOrdered { size: n } => {
                (ElemType::Vector(size(self, n, &mut sizes)), Err(Constraint::PositiveOrdered))
            }
            B::UnitVector { size: n } => (ElemType::Vector(size(self, n, &mut sizes)), Err(Constraint::UnitVector)),
            B::SumToZeroVector { size: n } => (ElemType::Vector(size(self, n, &mut sizes)), Err(Constraint::SumToZero)),
            B::ConstrainedMatrix { kind, rows, cols } => {
                let r = size(self, rows, &mut sizes);
                let c = size(self, cols, &mut sizes);
                (ElemType::Matrix(r, c), Err(Constraint::Matrix(*kind)))
            }
            B::CholeskyFactorCorr { size: n } => {
                let k = size(self, n, &mut sizes);
                sizes.push(sizes.last()?.clone());
                (ElemType::Matrix(k, k), Err(Constraint::CholeskyFactorCorr))
            }
            B::CholeskyFactorCov { rows, cols } => {
                let r = size(self, rows, &mut sizes);
                let c = match cols {
                    Some(c) => size(self, c, &mut sizes),
                    None => {
                        sizes.push(sizes.last()?.clone());
                        r
                    }
                };
                (ElemType::Matrix(r, c), Err(Constraint::CholeskyFactorCov))
            }
            B::CorrMatrix { size: n } => {
                let k = size(self, n, &mut sizes);
                sizes.push(sizes.last()?.clone());
                (ElemType::Matrix(k, k), Err(Constraint::CorrMatrix))
            }
            B::CovMatrix { size: n } => {
                let k = size(self, n, &mut sizes);
                sizes.push(sizes.last()?.clone());
                (ElemType::Matrix(k, k), Err(Constraint::CovMatrix))
            }
            B::Complex => (ElemType::Complex, Ok(&Transform::None)),
            B::ComplexVector { size: n } => (ElemType::ComplexVector(size(self, n, &mut sizes)), Ok(&Transform::None)),
            B::ComplexRowVector { size: n } => (ElemType::ComplexRowVector(size(self, n, &mut sizes)), Ok(&Transform::None)),
            B::ComplexMatrix { rows, cols } => {
                let r = size(self, rows, &mut sizes);
                let c = size(self, cols, &mut sizes);
                (ElemType::ComplexMatrix(r, c), Ok(&Transform::None))
            }
            // Split into its elements by `syntax::tuples`, which reported
            // any it had to leave.
            B::Tuple(_) => return None,
            B::DimIndex(name) => match self.dims.lookup(&name.name) {
                Some(d) => (ElemType::Int { index_of: Some(d) }, Ok(&Transform::None)),
                None => {
                    self.report(self.unknown_dim(&name.name, name.span));
                    return None;
                }
            },
        };
        let ty = Type::array_of(array, elem);
        let constraint = match constraint_src {
            Err(c) => c,
            Ok(t) => self.check_transform(t, &ty)?,
        };
        ok.then_some((ty, sizes, constraint))
    }

    /// The diagnostic for a name that should be a dim but is not.
    pub(super) fn unknown_dim(&self, name: &str, span: crate::syntax::span::Span) -> Diagnostic {
        let known: Vec<String> = self.dims.dims.iter().map(|d| format!("`{}`", d.name)).collect();
        let d = Diagnostic::error("E2004", format!("`{name}` is not a dim"))
            .with_label(span, "used as a dim here");
        if let Some(close) = super::expr::closest(name, self.dims.dims.iter().map(|d| d.name.as_str())) {
            d.with_help(format!("did you mean `{close}`?"))
        } else if known.is_empty() {
            d.with_help(format!("declare it in a `dims {{ {name}; }}` block at the top of the program"))
        } else {
            d.with_help(format!(
                "declare it in the `dims` block (declared dims: {})",
                known.join(", ")
            ))
        }
    }

    /// One size: a dim name, or an int expression (data-only at block level).
    fn check_size(&mut self, e: &Expr, local: bool) -> Option<Size> {
        if let ExprKind::Var(id) = &e.kind {
            if let Some(d) = self.dims.lookup(&id.name) {
                return Some(Size::Dim(d));
            }
            if self.is_unknown_name(&id.name) {
                self.report(self.unknown_dim_or_var(&id.name, id.span, "a dim or an int size"));
                return None;
            }
        }
        let typed = self.check_expr(e)?;
        if !typed.ty.is_int_scalar() {
            self.report(
                Diagnostic::error("E1008", format!("a size must be an int, but this is `{}`", self.show(&typed.ty)))
                    .with_label(e.span, "not an int")
                    .with_help("give a dim name or an int expression of data"),
            );
            return None;
        }
        if !local && typed.level != Level::Data {
            self.report(
                Diagnostic::error("E3008", "a size must be known from the data alone")
                    .with_label(e.span, "depends on parameters")
                    .with_help("use a dim, or an int from `data` or `transformed data`"),
            );
            return None;
        }
        if let TypedExprKind::DimSize(d) = typed.kind {
            return Some(Size::Dim(d));
        }
        Some(Size::Expr(typed))
    }

    /// Bounds or offset/multiplier on a declared type.
    fn check_transform(&mut self, t: &Transform, ty: &Type) -> Option<Constraint> {
        let block = self.ctx.block;
        let arg = |this: &mut Checker, e: &Option<Expr>, what: &str| -> Result<Option<TypedExpr>, ()> {
            let Some(e) = e else { return Ok(None) };
            let typed = this.check_expr(e).ok_or(())?;
            let elementwise = Type::array_of(ty.array.clone(), ty.elem);
            let fits = typed.ty.is_scalar() && !(ty.is_int_valued() && !typed.ty.is_int_valued())
                || (!typed.ty.is_scalar() && elementwise.promoted().accepts(&typed.ty));
            if !fits {
                let message = if ty.is_int_valued() && typed.ty.is_scalar() {
                    format!("the {what} of an int must be an int, but it is `{}`", this.show(&typed.ty))
                } else {
                    format!(
                        "the {what} must be a scalar or match the declared type `{}`, but it is `{}`",
                        this.show(ty),
                        this.show(&typed.ty)
                    )
                };
                this.report(
                    Diagnostic::error("E1008", message)
                    .with_label(e.span, format!("`{}`", this.show(&typed.ty)))
                    .with_help(if ty.is_int_valued() {
                        "bounds on an int must be ints".to_string()
                    } else {
                        format!("give a real, or a value of type `{}`", this.show(&ty.promoted()))
                    }),
                );
                return Err(());
            }
            if matches!(block, BlockKind::Data | BlockKind::TransformedData) && typed.level != Level::Data {
                this.report(
                    Diagnostic::error("E3008", format!("the {what} of a data variable must be data"))
                        .with_label(e.span, "depends on parameters"),
                );
                return Err(());
            }
            Ok(Some(typed))
        };
        match t {
            Transform::None => Some(Constraint::None),
            Transform::Bounds { lower, upper } => {
                let l = arg(self, lower, "lower bound");
                let u = arg(self, upper, "upper bound");
                match (l, u) {
                    (Ok(lower), Ok(upper)) => Some(Constraint::Bounds { lower, upper }),
                    _ => None,
                }
            }
            Transform::OffsetMultiplier { offset, multiplier } => {
                if ty.is_int_valued() {
                    self.report(
                        Diagnostic::error("E1008", "offset and multiplier apply only to real-valued types")
                            .with_label(offset.as_ref().or(multiplier.as_ref()).map_or(Default::default(), |e| e.span), "on an int")
                            .with_help("declare the variable `real`"),
                    );
                    return None;
                }
                let o = arg(self, offset, "offset");
                let m = arg(self, multiplier, "multiplier");
                match (o, m) {
                    (Ok(offset), Ok(multiplier)) => Some(Constraint::OffsetMultiplier { offset, multiplier }),
                    _ => None,
                }
            }
        }
    }
}
