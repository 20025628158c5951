//! The typed program: the checker's output and the lowering's input.
//!
//! Every expression carries its [`Type`] (with dims) and its [`Level`]
//! (data-only or parameter-dependent); every name is resolved to a
//! [`VarId`] or a [`DimId`]; every index records whether it picks one
//! element, many (a multi-index), a range, or all, and multi-indices that
//! run over the same dim record that they are zipped.

use super::env::{DimEnv, VarOrigin};
use super::types::{Axis, DimId, Type};
use crate::syntax::ast::{AssignOp, BinOp, BlockKind, MatrixType, UnOp};
use crate::syntax::span::Span;

/// Index of a variable in [`TypedProgram::vars`].
pub type VarId = usize;

/// Whether a value depends on parameters. Ordered: `Data < Param`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// Known once data are bound.
    Data,
    /// Depends on parameters, so it is differentiated.
    Param,
}

/// A variable of the program (global or local).
#[derive(Clone, Debug, PartialEq)]
pub struct VarInfo {
    pub name: String,
    pub ty: Type,
    pub origin: VarOrigin,
    pub level: Level,
    pub span: Span,
}

/// The size of one declared axis: a dim, or an `int` expression of data.
#[derive(Clone, Debug, PartialEq)]
pub enum Size {
    Dim(DimId),
    Expr(TypedExpr),
}

impl Size {
    /// The axis this size gives the type.
    pub fn axis(&self) -> Axis {
        match self {
            Size::Dim(d) => Axis::Dim(*d),
            Size::Expr(_) => Axis::Anon,
        }
    }
}

/// The constraint on a declared variable, with its arguments typed.
#[derive(Clone, Debug, PartialEq)]
pub enum Constraint {
    None,
    /// `<lower=a, upper=b>`; at least one is present.
    Bounds {
        lower: Option<TypedExpr>,
        upper: Option<TypedExpr>,
    },
    /// `<offset=mu, multiplier=sigma>`; either may be absent.
    OffsetMultiplier {
        offset: Option<TypedExpr>,
        multiplier: Option<TypedExpr>,
    },
    Simplex,
    Ordered,
    PositiveOrdered,
    UnitVector,
    /// `sum_to_zero_vector[K]`.
    SumToZero,
    CholeskyFactorCorr,
    CholeskyFactorCov,
    CorrMatrix,
    CovMatrix,
    /// `sum_to_zero_matrix[N, M]`, `column_stochastic_matrix[N, M]`,
    /// `row_stochastic_matrix[N, M]`.
    Matrix(MatrixType),
}

impl Constraint {
    /// The constrained type's keyword, or the transform's name.
    pub fn name(&self) -> &'static str {
        match self {
            Constraint::None => "none",
            Constraint::Bounds { .. } => "bounds",
            Constraint::OffsetMultiplier { .. } => "offset/multiplier",
            Constraint::Simplex => "simplex",
            Constraint::Ordered => "ordered",
            Constraint::PositiveOrdered => "positive_ordered",
            Constraint::UnitVector => "unit_vector",
            Constraint::SumToZero => "sum_to_zero_vector",
            Constraint::CholeskyFactorCorr => "cholesky_factor_corr",
            Constraint::CholeskyFactorCov => "cholesky_factor_cov",
            Constraint::CorrMatrix => "corr_matrix",
            Constraint::CovMatrix => "cov_matrix",
            Constraint::Matrix(kind) => kind.keyword(),
        }
    }

    /// What a value of a structured type must be, for messages (empty for
    /// bounds, offset/multiplier and none).
    pub fn requirement(&self) -> &'static str {
        match self {
            Constraint::Simplex => "a simplex has non-negative elements that sum to 1 (within 1e-8)",
            Constraint::Ordered => "an ordered vector is strictly increasing",
            Constraint::PositiveOrdered => "a positive_ordered vector is non-negative and strictly increasing",
            Constraint::UnitVector => "a unit_vector has Euclidean length 1 (within 1e-8)",
            Constraint::SumToZero => "a sum_to_zero_vector has elements that sum to 0 (within 1e-8)",
            Constraint::CholeskyFactorCorr => {
                "a cholesky_factor_corr is lower triangular with a positive diagonal and rows of length 1"
            }
            Constraint::CholeskyFactorCov => {
                "a cholesky_factor_cov has at least as many rows as columns, is lower triangular and has a positive diagonal"
            }
            Constraint::CorrMatrix => "a corr_matrix is symmetric, positive definite, with 1 on the diagonal",
            Constraint::CovMatrix => "a cov_matrix is symmetric and positive definite",
            Constraint::Matrix(MatrixType::SumToZero) => {
                "a sum_to_zero_matrix has rows and columns that each sum to 0 (within 1e-8)"
            }
            Constraint::Matrix(MatrixType::ColumnStochastic) => {
                "a column_stochastic_matrix has columns that are simplexes: non-negative, each summing to 1 (within 1e-8)"
            }
            Constraint::Matrix(MatrixType::RowStochastic) => {
                "a row_stochastic_matrix has rows that are simplexes: non-negative, each summing to 1 (within 1e-8)"
            }
            Constraint::None | Constraint::Bounds { .. } | Constraint::OffsetMultiplier { .. } => "",
        }
    }
}

/// A declaration with everything the later stages need.
#[derive(Clone, Debug, PartialEq)]
pub struct TypedDecl {
    pub var: VarId,
    /// Every size in order: array sizes, then rows/size, then cols.
    pub sizes: Vec<Size>,
    pub constraint: Constraint,
    pub init: Option<TypedExpr>,
    pub span: Span,
}

/// A typed expression.
#[derive(Clone, Debug, PartialEq)]
pub struct TypedExpr {
    pub kind: TypedExprKind,
    pub ty: Type,
    pub level: Level,
    pub span: Span,
}

/// Resolved expression forms. Parentheses are gone; `f_lpdf(y | ...)` is a
/// [`TypedExprKind::Call`] whose first argument is the variate.
#[derive(Clone, Debug, PartialEq)]
pub enum TypedExprKind {
    IntLit(i64),
    RealLit(f64),
    Var(VarId),
    /// A dim name used as a number: its size.
    DimSize(DimId),
    Call { func: String, args: Vec<TypedExpr> },
    Binary {
        op: BinOp,
        lhs: Box<TypedExpr>,
        rhs: Box<TypedExpr>,
    },
    Unary { op: UnOp, operand: Box<TypedExpr> },
    Ternary {
        cond: Box<TypedExpr>,
        then: Box<TypedExpr>,
        otherwise: Box<TypedExpr>,
    },
    Index {
        base: Box<TypedExpr>,
        indices: Vec<TypedIndex>,
        /// Groups of positions (into `indices`) whose multi-indices run over
        /// the same dim and are therefore zipped element by element. Every
        /// other multi-index is combined in Stan's cartesian way.
        zipped: Vec<Vec<usize>>,
    },
    ArrayExpr(Vec<TypedExpr>),
    /// `[a, b]`: a row vector of scalars, or a matrix of row vectors.
    RowVectorExpr(Vec<TypedExpr>),
    Target,
}

/// One typed index position.
#[derive(Clone, Debug, PartialEq)]
pub enum TypedIndex {
    /// One element: an `int` (possibly a dim member).
    Single(TypedExpr),
    /// Many elements: a 1-D `int` array.
    Multi(TypedExpr),
    Range {
        lower: Option<TypedExpr>,
        upper: Option<TypedExpr>,
    },
    All,
}

impl TypedIndex {
    /// The expressions of this index position (none for `:`), in order.
    pub fn exprs(&self) -> Vec<&TypedExpr> {
        match self {
            TypedIndex::Single(x) | TypedIndex::Multi(x) => vec![x],
            TypedIndex::Range { lower, upper } => lower.iter().chain(upper.iter()).collect(),
            TypedIndex::All => Vec::new(),
        }
    }

    /// [`TypedIndex::exprs`], mutably.
    pub fn exprs_mut(&mut self) -> Vec<&mut TypedExpr> {
        match self {
            TypedIndex::Single(x) | TypedIndex::Multi(x) => vec![x],
            TypedIndex::Range { lower, upper } => lower.iter_mut().chain(upper.iter_mut()).collect(),
            TypedIndex::All => Vec::new(),
        }
    }
}

/// A typed statement.
#[derive(Clone, Debug, PartialEq)]
pub struct TypedStmt {
    pub kind: TypedStmtKind,
    pub span: Span,
}

/// Resolved statement forms.
#[derive(Clone, Debug, PartialEq)]
pub enum TypedStmtKind {
    Decl(TypedDecl),
    Assign {
        lhs: TypedExpr,
        op: AssignOp,
        rhs: TypedExpr,
    },
    /// `lhs ~ dist(args)`, with the distribution's `_lpdf`/`_lpmf` name.
    Tilde {
        lhs: TypedExpr,
        dist: String,
        lpdf: String,
        args: Vec<TypedExpr>,
        truncation: Option<(Option<TypedExpr>, Option<TypedExpr>)>,
    },
    TargetPlus(TypedExpr),
    /// `jacobian += e` (directly in `transformed parameters` or from a
    /// `_jacobian` function): adds to the log density only when the
    /// Jacobian adjustment is wanted, never in generated quantities.
    JacobianPlus(TypedExpr),
    /// `lhs = dist_rng(args)`, element by element, redrawing an element
    /// until it lies within `lower`/`upper`. Made only by the simulation
    /// transform (`hbmc simulate`), from a `~` statement.
    Draw {
        lhs: TypedExpr,
        dist: String,
        args: Vec<TypedExpr>,
        lower: Option<TypedExpr>,
        upper: Option<TypedExpr>,
    },
    For {
        var: VarId,
        lower: TypedExpr,
        upper: TypedExpr,
        body: Box<TypedStmt>,
    },
    /// `for (g in grade)`: the loop variable runs over the dim's members.
    ForDim {
        var: VarId,
        dim: DimId,
        body: Box<TypedStmt>,
    },
    /// `for (x in container)`: the loop variable takes each element.
    ForEach {
        var: VarId,
        over: TypedExpr,
        body: Box<TypedStmt>,
    },
    While {
        cond: TypedExpr,
        body: Box<TypedStmt>,
    },
    If {
        cond: TypedExpr,
        then: Box<TypedStmt>,
        otherwise: Option<Box<TypedStmt>>,
    },
    Block(Vec<TypedStmt>),
    Print(Vec<TypedPrintArg>),
    Reject(Vec<TypedPrintArg>),
    FatalError(Vec<TypedPrintArg>),
    Break,
    Continue,
    Return(Option<TypedExpr>),
    Call(TypedExpr),
    Empty,
}

/// One argument of `print`/`reject`.
#[derive(Clone, Debug, PartialEq)]
pub enum TypedPrintArg {
    Expr(TypedExpr),
    Str(String),
    /// An array of tuples (see `ast::PrintArg::Zip`).
    Zip { array_dims: usize, parts: Vec<TypedPrintArg> },
}

impl TypedPrintArg {
    /// Every expression of the argument, a zip's parts' included.
    pub fn exprs(&self) -> Vec<&TypedExpr> {
        match self {
            TypedPrintArg::Expr(e) => vec![e],
            TypedPrintArg::Str(_) => Vec::new(),
            TypedPrintArg::Zip { parts, .. } => parts.iter().flat_map(TypedPrintArg::exprs).collect(),
        }
    }

    /// [`TypedPrintArg::exprs`], mutable.
    pub fn exprs_mut(&mut self) -> Vec<&mut TypedExpr> {
        match self {
            TypedPrintArg::Expr(e) => vec![e],
            TypedPrintArg::Str(_) => Vec::new(),
            TypedPrintArg::Zip { parts, .. } => parts.iter_mut().flat_map(TypedPrintArg::exprs_mut).collect(),
        }
    }
}

/// One program block after checking.
#[derive(Clone, Debug, PartialEq)]
pub struct TypedBlock {
    pub kind: BlockKind,
    pub stmts: Vec<TypedStmt>,
}

/// A recursive user function compiled as a function of its own
/// (`syntax::functions` expands every other user function where it is
/// called): `int`/`real` parameters and result, its body one expression.
#[derive(Clone, Debug, PartialEq)]
pub struct TypedFunction {
    pub name: String,
    /// The parameters, as variables the body reads.
    pub params: Vec<VarId>,
    /// `int` or `real`.
    pub result: Type,
    pub body: TypedExpr,
    pub span: Span,
}

/// The whole checked program.
#[derive(Clone, Debug, PartialEq)]
pub struct TypedProgram {
    pub dims: DimEnv,
    pub vars: Vec<VarInfo>,
    /// The compiled recursive user functions; a call names one by
    /// [`TypedFunction::name`].
    pub functions: Vec<TypedFunction>,
    /// Every user function as written (with a body), before expansion: an
    /// ODE right-hand side is compiled on its own from these
    /// (`lower/ode.rs`). Filled by [`crate::front_end`].
    pub function_defs: Vec<crate::syntax::ast::FunDef>,
    /// The tuples declared in `parameters`, `transformed parameters` and
    /// `generated quantities`, as declared (their element variables are
    /// among `vars`): their CmdStan columns interleave the elements.
    /// Filled by [`crate::front_end`].
    pub tuple_outputs: Vec<crate::syntax::tuples::layout::TupleOutput>,
    /// Where diagnostics inside the added `gaussian_dlm_obs` function are
    /// shown, when the program uses it ([`crate::syntax::dlm`]). Filled by
    /// [`crate::front_end`].
    pub prelude_home: Option<crate::syntax::dlm::PreludeHome>,
    /// The blocks present, in the required order (without `dims`).
    pub blocks: Vec<TypedBlock>,
}

impl TypedProgram {
    /// The block of this kind, if the program has it.
    pub fn block(&self, kind: BlockKind) -> Option<&TypedBlock> {
        self.blocks.iter().find(|b| b.kind == kind)
    }

    /// The top-level declarations of a block, in order.
    pub fn decls(&self, kind: BlockKind) -> impl Iterator<Item = &TypedDecl> {
        self.block(kind)
            .into_iter()
            .flat_map(|b| b.stmts.iter())
            .filter_map(|s| match &s.kind {
                TypedStmtKind::Decl(d) => Some(d),
                _ => None,
            })
    }

    /// The variable's information. `id` came from this program.
    pub fn var(&self, id: VarId) -> &VarInfo {
        &self.vars[id]
    }
}

impl TypedExpr {
    /// The expressions directly inside this one, in evaluation order; for
    /// an index expression the base comes first, then the index positions.
    pub fn children(&self) -> Vec<&TypedExpr> {
        use TypedExprKind as K;
        match &self.kind {
            K::Var(_) | K::IntLit(_) | K::RealLit(_) | K::DimSize(_) | K::Target => Vec::new(),
            K::Call { args, .. } | K::ArrayExpr(args) | K::RowVectorExpr(args) => args.iter().collect(),
            K::Binary { lhs, rhs, .. } => vec![lhs, rhs],
            K::Unary { operand, .. } => vec![operand],
            K::Ternary { cond, then, otherwise } => vec![cond, then, otherwise],
            K::Index { base, indices, .. } => std::iter::once(&**base).chain(indices.iter().flat_map(TypedIndex::exprs)).collect(),
        }
    }

    /// [`TypedExpr::children`], mutably.
    pub fn children_mut(&mut self) -> Vec<&mut TypedExpr> {
        use TypedExprKind as K;
        match &mut self.kind {
            K::Var(_) | K::IntLit(_) | K::RealLit(_) | K::DimSize(_) | K::Target => Vec::new(),
            K::Call { args, .. } | K::ArrayExpr(args) | K::RowVectorExpr(args) => args.iter_mut().collect(),
            K::Binary { lhs, rhs, .. } => vec![&mut **lhs, &mut **rhs],
            K::Unary { operand, .. } => vec![&mut **operand],
            K::Ternary { cond, then, otherwise } => vec![&mut **cond, &mut **then, &mut **otherwise],
            K::Index { base, indices, .. } => {
                std::iter::once(&mut **base).chain(indices.iter_mut().flat_map(TypedIndex::exprs_mut)).collect()
            }
        }
    }

    /// Calls `f` on every variable the expression reads.
    pub fn for_each_var(&self, f: &mut impl FnMut(VarId)) {
        match &self.kind {
            TypedExprKind::Var(v) => f(*v),
            _ => self.children().into_iter().for_each(|c| c.for_each_var(f)),
        }
    }

    /// Whether the expression reads a variable for which `pred` holds.
    pub fn mentions(&self, pred: impl Fn(VarId) -> bool) -> bool {
        let mut found = false;
        self.for_each_var(&mut |v| found |= pred(v));
        found
    }

    /// The first read of a variable for which `pred` holds, in
    /// evaluation order (for a diagnostic's label).
    pub fn first_read(&self, pred: &impl Fn(VarId) -> bool) -> Option<&TypedExpr> {
        match &self.kind {
            TypedExprKind::Var(v) if pred(*v) => Some(self),
            _ => self.children().into_iter().find_map(|c| c.first_read(pred)),
        }
    }

    /// The variable an assignment or `~` writes or observes: `y` in `y`,
    /// `y[i, j]`, `to_vector(y)` and `to_vector(y[i])`.
    pub fn root_var(&self) -> Option<VarId> {
        match &self.kind {
            TypedExprKind::Var(v) => Some(*v),
            TypedExprKind::Index { base, .. } => base.root_var(),
            TypedExprKind::Call { func, args } if func == "to_vector" && args.len() == 1 => args[0].root_var(),
            _ => None,
        }
    }
}

impl TypedStmt {
    /// The expressions directly in this statement, not in the statements
    /// it contains: a declaration's sizes, bounds and initial value, both
    /// sides of an assignment or `~`, a loop's range, a condition.
    pub fn own_exprs(&self) -> Vec<&TypedExpr> {
        use TypedStmtKind as K;
        match &self.kind {
            K::Decl(d) => {
                let mut out: Vec<&TypedExpr> = d.sizes.iter().filter_map(|s| if let Size::Expr(e) = s { Some(e) } else { None }).collect();
                match &d.constraint {
                    Constraint::Bounds { lower: a, upper: b } | Constraint::OffsetMultiplier { offset: a, multiplier: b } => {
                        out.extend(a.iter().chain(b.iter()));
                    }
                    _ => {}
                }
                out.extend(d.init.iter());
                out
            }
            K::Assign { lhs, rhs, .. } => vec![lhs, rhs],
            K::Tilde { lhs, args, truncation, .. } => {
                let mut out: Vec<&TypedExpr> = std::iter::once(lhs).chain(args).collect();
                if let Some((lo, hi)) = truncation {
                    out.extend(lo.iter().chain(hi.iter()));
                }
                out
            }
            K::Draw { lhs, args, lower, upper, .. } => std::iter::once(lhs).chain(args).chain(lower.iter()).chain(upper.iter()).collect(),
            K::TargetPlus(e) | K::JacobianPlus(e) | K::Call(e) | K::Return(Some(e)) => vec![e],
            K::For { lower, upper, .. } => vec![lower, upper],
            K::ForEach { over, .. } => vec![over],
            K::While { cond, .. } | K::If { cond, .. } => vec![cond],
            K::Print(args) | K::Reject(args) | K::FatalError(args) => {
                args.iter().flat_map(TypedPrintArg::exprs).collect()
            }
            K::ForDim { .. } | K::Block(_) | K::Break | K::Continue | K::Return(None) | K::Empty => Vec::new(),
        }
    }

    /// [`TypedStmt::own_exprs`], mutably.
    pub fn own_exprs_mut(&mut self) -> Vec<&mut TypedExpr> {
        use TypedStmtKind as K;
        match &mut self.kind {
            K::Decl(d) => {
                let mut out: Vec<&mut TypedExpr> = d.sizes.iter_mut().filter_map(|s| if let Size::Expr(e) = s { Some(e) } else { None }).collect();
                match &mut d.constraint {
                    Constraint::Bounds { lower: a, upper: b } | Constraint::OffsetMultiplier { offset: a, multiplier: b } => {
                        out.extend(a.iter_mut().chain(b.iter_mut()));
                    }
                    _ => {}
                }
                out.extend(d.init.iter_mut());
                out
            }
            K::Assign { lhs, rhs, .. } => vec![lhs, rhs],
            K::Tilde { lhs, args, truncation, .. } => {
                let mut out: Vec<&mut TypedExpr> = std::iter::once(lhs).chain(args.iter_mut()).collect();
                if let Some((lo, hi)) = truncation {
                    out.extend(lo.iter_mut().chain(hi.iter_mut()));
                }
                out
            }
            K::Draw { lhs, args, lower, upper, .. } => {
                std::iter::once(lhs).chain(args.iter_mut()).chain(lower.iter_mut()).chain(upper.iter_mut()).collect()
            }
            K::TargetPlus(e) | K::JacobianPlus(e) | K::Call(e) | K::Return(Some(e)) => vec![e],
            K::For { lower, upper, .. } => vec![lower, upper],
            K::ForEach { over, .. } => vec![over],
            K::While { cond, .. } | K::If { cond, .. } => vec![cond],
            K::Print(args) | K::Reject(args) | K::FatalError(args) => {
                args.iter_mut().flat_map(TypedPrintArg::exprs_mut).collect()
            }
            K::ForDim { .. } | K::Block(_) | K::Break | K::Continue | K::Return(None) | K::Empty => Vec::new(),
        }
    }

    /// [`TypedStmt::child_stmts`], mutably.
    pub fn child_stmts_mut(&mut self) -> Vec<&mut TypedStmt> {
        use TypedStmtKind as K;
        match &mut self.kind {
            K::For { body, .. } | K::ForDim { body, .. } | K::ForEach { body, .. } | K::While { body, .. } => vec![&mut **body],
            K::If { then, otherwise, .. } => std::iter::once(&mut **then).chain(otherwise.as_deref_mut()).collect(),
            K::Block(stmts) => stmts.iter_mut().collect(),
            _ => Vec::new(),
        }
    }

    /// The statements directly inside this one: a loop's body, the
    /// branches of an `if`, a block's statements.
    pub fn child_stmts(&self) -> Vec<&TypedStmt> {
        use TypedStmtKind as K;
        match &self.kind {
            K::For { body, .. } | K::ForDim { body, .. } | K::ForEach { body, .. } | K::While { body, .. } => vec![body],
            K::If { then, otherwise, .. } => std::iter::once(&**then).chain(otherwise.as_deref()).collect(),
            K::Block(stmts) => stmts.iter().collect(),
            _ => Vec::new(),
        }
    }

    /// Calls `f` on this statement and every statement inside it, outer
    /// first.
    pub fn for_each_stmt<'a>(&'a self, f: &mut impl FnMut(&'a TypedStmt)) {
        f(self);
        self.child_stmts().into_iter().for_each(|s| s.for_each_stmt(f));
    }

    /// Calls `f` on every variable the statement reads or writes, in every
    /// expression of it (a declaration's sizes and bounds included) and of
    /// the statements it contains.
    pub fn for_each_var(&self, f: &mut impl FnMut(VarId)) {
        self.for_each_stmt(&mut |s| s.own_exprs().into_iter().for_each(|e| e.for_each_var(f)));
    }

    /// Whether the statement mentions a variable for which `pred` holds.
    pub fn mentions(&self, pred: impl Fn(VarId) -> bool) -> bool {
        let mut found = false;
        self.for_each_var(&mut |v| found |= pred(v));
        found
    }
}
