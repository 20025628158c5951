//! The abstract syntax tree: what the parser produces, before any checking.
//!
//! Every node carries a [`Span`] of byte offsets into the source so that the
//! checker can point at it. Names are plain strings here; the checker resolves
//! them (variable, dim, function) and attaches types in `check::typed`.

use super::span::Span;

/// A name as written in the source.
#[derive(Clone, Debug, PartialEq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

/// A whole `.hbm` program: its blocks in the order they were written.
///
/// The grammar accepts blocks in any order so that the checker can say
/// "`data` must come before `parameters`" instead of a bare syntax error.
#[derive(Clone, Debug, PartialEq)]
pub struct Program {
    pub blocks: Vec<Block>,
}

/// One top-level block such as `parameters { ... }`.
#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    pub kind: BlockKind,
    /// The span of the block's header keywords (`transformed parameters`).
    pub header: Span,
    pub body: BlockBody,
    pub span: Span,
}

/// Which top-level block this is, in the order LANGUAGE.md requires.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum BlockKind {
    Dims,
    Functions,
    Data,
    TransformedData,
    Parameters,
    TransformedParameters,
    Model,
    GeneratedQuantities,
}

impl BlockKind {
    /// The block's name as the user writes it.
    pub fn keyword(self) -> &'static str {
        match self {
            BlockKind::Dims => "dims",
            BlockKind::Functions => "functions",
            BlockKind::Data => "data",
            BlockKind::TransformedData => "transformed data",
            BlockKind::Parameters => "parameters",
            BlockKind::TransformedParameters => "transformed parameters",
            BlockKind::Model => "model",
            BlockKind::GeneratedQuantities => "generated quantities",
        }
    }
}

/// The contents of a block: dim declarations for `dims`, statements otherwise.
#[derive(Clone, Debug, PartialEq)]
pub enum BlockBody {
    Dims(Vec<DimDecl>),
    Stmts(Vec<Stmt>),
    /// The definitions (and forward declarations) of a `functions` block.
    Functions(Vec<FunDef>),
}

/// A user function of the `functions` block: `real f(data real x, vector v) { ... }`,
/// or a forward declaration (no body).
#[derive(Clone, Debug, PartialEq)]
pub struct FunDef {
    pub return_type: FunType,
    pub name: Ident,
    pub params: Vec<FunParam>,
    /// The body's statements; `None` for a forward declaration `...;`.
    pub body: Option<Vec<Stmt>>,
    pub span: Span,
}

/// One argument of a user function.
#[derive(Clone, Debug, PartialEq)]
pub struct FunParam {
    /// Written with the `data` qualifier: callers must pass data-only values.
    pub data_only: bool,
    pub ty: FunType,
    pub name: Ident,
}

/// An unsized type in a function signature: `array[,] real`, `vector`, `void`.
#[derive(Clone, Debug, PartialEq)]
pub struct FunType {
    /// How many array dimensions (`array[,] real` has 2).
    pub array_dims: usize,
    /// `int`, `real`, `vector`, `row_vector`, `matrix`, `void` (or another
    /// name, reported by the expander); `tuple(...)` for a tuple.
    pub base: String,
    /// The element types of a tuple `tuple(T1, T2)`; empty otherwise.
    /// Split away before the expander runs (`syntax::tuples`).
    pub elements: Vec<FunType>,
    pub span: Span,
}

/// `grade;` or `effect = ["intercept", "slope"];` inside `dims { }`.
#[derive(Clone, Debug, PartialEq)]
pub struct DimDecl {
    pub name: Ident,
    /// Labels written in the file; these fix the dim's size.
    pub labels: Option<Vec<StringLit>>,
    pub span: Span,
}

/// A string literal, with its quotes removed and escapes resolved.
#[derive(Clone, Debug, PartialEq)]
pub struct StringLit {
    pub value: String,
    pub span: Span,
}

/// A statement.
#[derive(Clone, Debug, PartialEq)]
pub struct Stmt {
    pub kind: StmtKind,
    pub span: Span,
}

/// The kinds of statement of LANGUAGE.md.
#[derive(Clone, Debug, PartialEq)]
pub enum StmtKind {
    /// A variable declaration, with an optional initial value.
    Decl(VarDecl),
    /// `lhs = rhs;` or a compound assignment such as `lhs += rhs;`.
    Assign { lhs: Expr, op: AssignOp, rhs: Expr },
    /// `lhs ~ dist(args);`, optionally truncated with `T[lower, upper]`.
    Tilde {
        lhs: Expr,
        dist: Ident,
        args: Vec<Expr>,
        truncation: Option<Truncation>,
    },
    /// `target += expr;`
    TargetPlus(Expr),
    /// `jacobian += expr;` (Stan 2.36): adds to the log density only where
    /// the Jacobian of the constraining transforms is wanted. The parser
    /// reads it as an assignment to a variable `jacobian` (a plain name
    /// before Stan 2.36); the function expander and the checker make it
    /// this statement when no variable `jacobian` is in scope.
    JacobianPlus(Expr),
    /// `for (var in lower:upper) body`
    For {
        var: Ident,
        lower: Expr,
        upper: Expr,
        body: Box<Stmt>,
    },
    /// `for (var in container) body`, including `for (g in grade)` over a dim.
    ForEach {
        var: Ident,
        over: Expr,
        body: Box<Stmt>,
    },
    /// `while (cond) body`
    While { cond: Expr, body: Box<Stmt> },
    /// `if (cond) then else otherwise`
    If {
        cond: Expr,
        then: Box<Stmt>,
        otherwise: Option<Box<Stmt>>,
    },
    /// `{ stmts }`
    Block(Vec<Stmt>),
    /// `print(...)`
    Print(Vec<PrintArg>),
    /// `reject(...)`
    Reject(Vec<PrintArg>),
    /// `fatal_error(...)`
    FatalError(Vec<PrintArg>),
    Break,
    Continue,
    /// `return expr;` or `return;` (in the body of a user function).
    Return(Option<Expr>),
    /// A function call used as a statement, `f(x);`.
    Call(Expr),
    /// A lone `;`.
    Empty,
    /// The statements of an inlined `_lp` or `_jacobian` function body
    /// (made by the function expander only): they may add to `target` or
    /// `jacobian` where the call is allowed. Not a scope: the returned
    /// expression after them reads their (renamed) locals.
    Inlined { from: InlinedFrom, stmts: Vec<Stmt> },
    /// A statement the parser could not read; its error is already reported.
    Error,
}

/// Which kind of user function an [`StmtKind::Inlined`] body comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InlinedFrom {
    /// A `_lp` function: `target +=`, `~` and `_lupdf`/`_lupmf` calls allowed.
    Lp,
    /// A `_jacobian` function: `jacobian +=` allowed.
    Jacobian,
}

/// `=`, `+=`, `-=`, `*=`, `/=`, `.*=`, `./=`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AssignOp {
    Assign,
    Add,
    Sub,
    Mul,
    Div,
    EltMul,
    EltDiv,
}

impl AssignOp {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            AssignOp::Assign => "=",
            AssignOp::Add => "+=",
            AssignOp::Sub => "-=",
            AssignOp::Mul => "*=",
            AssignOp::Div => "/=",
            AssignOp::EltMul => ".*=",
            AssignOp::EltDiv => "./=",
        }
    }

    /// The binary operator a compound assignment applies, if any.
    pub fn binary(self) -> Option<BinOp> {
        match self {
            AssignOp::Assign => None,
            AssignOp::Add => Some(BinOp::Add),
            AssignOp::Sub => Some(BinOp::Sub),
            AssignOp::Mul => Some(BinOp::Mul),
            AssignOp::Div => Some(BinOp::Div),
            AssignOp::EltMul => Some(BinOp::EltMul),
            AssignOp::EltDiv => Some(BinOp::EltDiv),
        }
    }
}

/// `T[lower, upper]` after a sampling statement; either bound may be empty.
#[derive(Clone, Debug, PartialEq)]
pub struct Truncation {
    pub lower: Option<Expr>,
    pub upper: Option<Expr>,
    pub span: Span,
}

/// One argument of `print`/`reject`.
#[derive(Clone, Debug, PartialEq)]
pub enum PrintArg {
    Expr(Expr),
    Str(StringLit),
    /// An array of tuples, as Stan prints it (`[(1,[2,3]),(4,[5,6])]`):
    /// `parts` print one tuple, each expression in them an array whose
    /// first `array_dims` axes are the tuples' (made by `syntax::tuples`,
    /// which holds an array of tuples as one array per element).
    Zip { array_dims: usize, parts: Vec<PrintArg> },
}

impl PrintArg {
    /// Every expression of the argument, those of a [`PrintArg::Zip`]'s
    /// parts included.
    pub fn exprs_mut(&mut self) -> Vec<&mut Expr> {
        match self {
            PrintArg::Expr(e) => vec![e],
            PrintArg::Str(_) => Vec::new(),
            PrintArg::Zip { parts, .. } => parts.iter_mut().flat_map(PrintArg::exprs_mut).collect(),
        }
    }
}

/// `array[N] vector<lower=0>[K] x = init;`
#[derive(Clone, Debug, PartialEq)]
pub struct VarDecl {
    pub ty: TypeExpr,
    pub name: Ident,
    pub init: Option<Expr>,
    pub span: Span,
}

/// A declared type as written: the array sizes, then the element type.
#[derive(Clone, Debug, PartialEq)]
pub struct TypeExpr {
    /// Sizes of `array[d1, ..., dk]`, outermost first; empty for a non-array.
    pub array_sizes: Vec<Expr>,
    pub base: BaseTypeExpr,
    pub span: Span,
}

/// The element type of a declaration. Sizes are expressions: a dim name, or
/// an `int` expression of data.
#[derive(Clone, Debug, PartialEq)]
pub enum BaseTypeExpr {
    Int { transform: Transform },
    Real { transform: Transform },
    Vector { transform: Transform, size: Expr },
    RowVector { transform: Transform, size: Expr },
    Matrix { transform: Transform, rows: Expr, cols: Expr },
    Simplex { size: Expr },
    Ordered { size: Expr },
    PositiveOrdered { size: Expr },
    UnitVector { size: Expr },
    /// `sum_to_zero_vector[K]`: K values that sum to zero (K - 1 free).
    SumToZeroVector { size: Expr },
    /// `sum_to_zero_matrix[N, M]`, `column_stochastic_matrix[N, M]`,
    /// `row_stochastic_matrix[N, M]`.
    ConstrainedMatrix { kind: MatrixType, rows: Expr, cols: Expr },
    CholeskyFactorCorr { size: Expr },
    /// `cholesky_factor_cov[M]` or `cholesky_factor_cov[M, N]`.
    CholeskyFactorCov { rows: Expr, cols: Option<Expr> },
    CorrMatrix { size: Expr },
    CovMatrix { size: Expr },
    /// `complex`: a real and an imaginary part.
    Complex,
    /// `complex_vector[n]`.
    ComplexVector { size: Expr },
    /// `complex_row_vector[n]`.
    ComplexRowVector { size: Expr },
    /// `complex_matrix[m, n]`.
    ComplexMatrix { rows: Expr, cols: Expr },
    /// A dim used as an index type: `grade g;` holds a member of `grade`.
    DimIndex(Ident),
    /// `tuple(T1, T2, ...)`: two or more element types, each with its own
    /// array sizes and constraints. Split into one variable per element
    /// before checking (`syntax::tuples`).
    Tuple(Vec<TypeExpr>),
}

/// The constrained matrix types with a row and a column size (Stan 2.37).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MatrixType {
    /// `sum_to_zero_matrix`: every row and column sums to zero.
    SumToZero,
    /// `column_stochastic_matrix`: every column a simplex.
    ColumnStochastic,
    /// `row_stochastic_matrix`: every row a simplex.
    RowStochastic,
}

impl MatrixType {
    /// The type's keyword.
    pub fn keyword(self) -> &'static str {
        match self {
            MatrixType::SumToZero => "sum_to_zero_matrix",
            MatrixType::ColumnStochastic => "column_stochastic_matrix",
            MatrixType::RowStochastic => "row_stochastic_matrix",
        }
    }
}

/// Bounds or an affine transform on a real-valued (or int) type.
#[derive(Clone, Debug, PartialEq, Default)]
pub enum Transform {
    #[default]
    None,
    /// `<lower=a>`, `<upper=b>`, `<lower=a, upper=b>`.
    Bounds { lower: Option<Expr>, upper: Option<Expr> },
    /// `<offset=mu, multiplier=sigma>`; either may be omitted.
    OffsetMultiplier { offset: Option<Expr>, multiplier: Option<Expr> },
}

/// An expression.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

/// The kinds of expression.
#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// An integer literal. Kept wide so the checker can report overflow.
    IntLit(i128),
    RealLit(f64),
    /// A variable, dim or other name.
    Var(Ident),
    /// `f(args)`.
    Call { func: Ident, args: Vec<Expr> },
    /// `f_lpdf(variate | args)`, the conditional call syntax.
    CondCall {
        func: Ident,
        variate: Box<Expr>,
        args: Vec<Expr>,
    },
    Binary {
        op: BinOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    Unary { op: UnOp, operand: Box<Expr> },
    /// `cond ? then : otherwise`
    Ternary {
        cond: Box<Expr>,
        then: Box<Expr>,
        otherwise: Box<Expr>,
    },
    /// `base[i1, ..., ik]`.
    Index { base: Box<Expr>, indices: Vec<Index> },
    /// `{a, b, c}`.
    ArrayExpr(Vec<Expr>),
    /// `[a, b, c]`; a row vector, or a matrix when the elements are row vectors.
    RowVectorExpr(Vec<Expr>),
    /// `(e)`, kept so that printed programs show the user's grouping.
    Paren(Box<Expr>),
    /// `(a, b, ...)`: a tuple of two or more values; on the left of `=` it
    /// unpacks. Removed before checking (`syntax::tuples`).
    TupleExpr(Vec<Expr>),
    /// `base.k`: the `k`-th element (1-based) of a tuple. Removed before
    /// checking (`syntax::tuples`).
    TupleIndex { base: Box<Expr>, index: usize },
    /// `target()`.
    Target,
}

/// Binary operators, with Stan's meaning.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinOp {
    Or,
    And,
    Eq,
    Neq,
    Lt,
    Leq,
    Gt,
    Geq,
    Add,
    Sub,
    Mul,
    Div,
    /// `%`
    Mod,
    /// `%/%`
    IntDiv,
    /// `\`
    LeftDiv,
    /// `.*`
    EltMul,
    /// `./`
    EltDiv,
    /// `^`
    Pow,
    /// `.^`
    EltPow,
}

impl BinOp {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Or => "||",
            BinOp::And => "&&",
            BinOp::Eq => "==",
            BinOp::Neq => "!=",
            BinOp::Lt => "<",
            BinOp::Leq => "<=",
            BinOp::Gt => ">",
            BinOp::Geq => ">=",
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Mod => "%",
            BinOp::IntDiv => "%/%",
            BinOp::LeftDiv => "\\",
            BinOp::EltMul => ".*",
            BinOp::EltDiv => "./",
            BinOp::Pow => "^",
            BinOp::EltPow => ".^",
        }
    }
}

/// Prefix and postfix operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnOp {
    Neg,
    Plus,
    Not,
    /// Postfix `'`.
    Transpose,
}

impl UnOp {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            UnOp::Neg => "-",
            UnOp::Plus => "+",
            UnOp::Not => "!",
            UnOp::Transpose => "'",
        }
    }
}

/// One position inside `[...]`.
#[derive(Clone, Debug, PartialEq)]
pub enum Index {
    /// `e`: a single index (an int) or a multi-index (an int array); the
    /// checker tells them apart by type.
    Single(Expr),
    /// `lower:upper`, `lower:`, `:upper`.
    Range {
        lower: Option<Expr>,
        upper: Option<Expr>,
        span: Span,
    },
    /// `:` or an omitted index such as `a[, k]`.
    All(Span),
}

impl Index {
    /// Where this index stands in the source.
    pub fn span(&self) -> Span {
        match self {
            Index::Single(e) => e.span,
            Index::Range { span, .. } | Index::All(span) => *span,
        }
    }
}
