//! Run-time-length vectors as loops over their elements.
//!
//! Every buffer the IR has is sized when the data are bound, so a vector
//! whose length is known only inside a loop (Stan's ragged-array idiom:
//! `y[start[g]:end[g]] ~ normal(mu[start[g]:end[g]], s)`,
//! `sum(segment(x, pos[g], n[g]))`, `dot_product(sub_col(P, 1, m, i - 1),
//! tail(w, i - 1))`) has no buffer to live in. Such a vector never needs
//! one when what consumes it works element by element, so before lowering
//! this pass rewrites the typed program:
//!
//! - a `~` statement, or `target += f_lpdf(...)` / `_lpmf` / `_lupdf` /
//!   `_lupmf`, of a univariate distribution with a run-time-length
//!   argument becomes a loop over the elements, one scalar term each (the
//!   vectorised density is the sum of those terms);
//! - `sum(v)`, `dot_product(a, b)`, `dot_self(v)`, `log_sum_exp(v)`,
//!   `max(v)`, ... of a run-time-length operand become a local filled by
//!   such loops before the statement that reads them, which then reads
//!   the local ([`reductions`]).
//!
//! A "view" is a 1-D expression whose element `k` (1-based) can be written
//! as a scalar expression: a slice `x[lo:hi, j]`, `segment`, `head`,
//! `tail`, `sub_col`, `sub_row`, a whole 1-D variable, and elementwise
//! arithmetic and unary math functions of views and scalars. Every length
//! that must agree is compared at run time (a `reject` with Stan's
//! "must match in size" message), and every element index is range-checked
//! by the ordinary indexing code, so a bad bound rejects the evaluation
//! rather than reading out of bounds. The pass only touches statements
//! that contain a run-time length (what lowering would refuse with E5001),
//! so every other program lowers exactly as before.
//!
//! A statement that passes such a vector whole to any other function
//! (`categorical_logit(segment(...))`, a multivariate density), and a
//! block whose locals such a length sizes (an inlined user function's
//! `vector[rows(beta) + 1] u;`), are copied once per length the data give
//! ([`per_length`]), so any vector operation works on them. What neither
//! covers (a length of too many values, or of values not known from the
//! data; two run-time lengths sizing one block) is refused with E5001,
//! naming the length.

mod describe;
mod per_length;
mod reductions;

pub(super) use per_length::{width_of_offset_slice, MAX_LENGTHS};

use super::Lowerer;
use crate::check::env::VarOrigin;
use crate::check::signatures;
use crate::check::typed::{Level, TypedExpr, TypedExprKind, TypedIndex, TypedPrintArg, TypedProgram, TypedStmt, TypedStmtKind, VarId, VarInfo};
use crate::check::types::{ElemType, Type};
use crate::syntax::ast::{AssignOp, BinOp, BlockKind, UnOp};
use crate::syntax::span::Span;

/// Elementwise unary math functions a view may be passed through (and
/// whose elements cost a library call each, `small_matrix::costly_elements`).
pub(super) const ELEMENTWISE: &[&str] = &[
    "exp", "log", "log1p", "log1m", "expm1", "inv_logit", "logit", "square", "sqrt", "fabs", "abs", "lgamma", "Phi",
    "Phi_approx", "inv", "tanh", "log_inv_logit", "log1m_inv_logit", "log2", "log10", "cbrt", "inv_sqrt", "inv_square",
];

/// The program with every run-time-length view its consumers can take
/// element by element rewritten as loops; `None` when nothing needed it.
/// `sized` holds the data with the transformed data's values (what later
/// blocks' constants are read from), `td` the bound data alone (what the
/// transformed data block's are read from).
///
/// A run-time length whose values cannot be enumerated for the copies
/// [`per_length`] makes (too many, or not known from the data) is the
/// error, naming the length.
pub(super) fn rewrite<'a>(
    l: &mut Lowerer<'a>,
    sized: &'a crate::bind::BoundData,
    td: &'a crate::bind::BoundData,
) -> Result<Option<TypedProgram>, super::LowerError> {
    let mut r = Rewriter { l, new_vars: Vec::new(), changed: false, base_vars: 0, guards: Vec::new(), error: None, copies: 1 };
    r.base_vars = r.l.program.vars.len();
    let mut blocks = r.l.program.blocks.clone();
    for b in &mut blocks {
        // Constants of the transformed data block are read from the bound
        // data only; later blocks see the transformed data's values.
        r.l.bound = if b.kind == BlockKind::TransformedData { td } else { sized };
        // Ranges of data read with the other block's data do not hold here.
        r.l.data_ranges.clear();
        let stmts = std::mem::take(&mut b.stmts);
        let outputs = matches!(b.kind, BlockKind::TransformedParameters | BlockKind::GeneratedQuantities);
        b.stmts = stmts.into_iter().flat_map(|s| if outputs { r.top_level_output_stmt(s) } else { r.stmt(s) }).collect();
    }
    if let Some(e) = r.error {
        return Err(e);
    }
    if !r.changed {
        return Ok(None);
    }
    let mut program = r.l.program.clone();
    program.blocks = blocks;
    program.vars.extend(r.new_vars);
    Ok(Some(program))
}

/// The pass's state while it walks the program's statements.
struct Rewriter<'l, 'a> {
    /// A lowerer over the original program, asked which lengths are
    /// constants (`const_int`, `range_width`) exactly as lowering will ask.
    l: &'l mut Lowerer<'a>,
    /// Variables made by the pass (loop variables, accumulators), numbered
    /// after the program's.
    new_vars: Vec<VarInfo>,
    /// Whether any statement was rewritten.
    changed: bool,
    /// The number of the program's own variables (the first new id).
    base_vars: usize,
    /// Argument checks of the views met by [`Rewriter::elem`] since the
    /// enclosing loop began (`segment`'s start within its vector, ...).
    guards: Vec<TypedStmt>,
    /// Why a run-time length could not be compiled (the first one met).
    error: Option<super::LowerError>,
    /// How many copies of the code being rewritten [`per_length`] has
    /// made (the product of the numbers of values of the lengths copied
    /// for), so that nested copies stay within [`MAX_LENGTHS`].
    copies: i64,
}

/// A 1-D view: its element at a 1-based index, and the lengths that must
/// agree (the first is the view's own).
struct Elem {
    value: TypedExpr,
    lens: Vec<TypedExpr>,
}

fn int_lit(n: i64, span: Span) -> TypedExpr {
    TypedExpr { kind: TypedExprKind::IntLit(n), ty: Type::int(), level: Level::Data, span }
}

fn binary(op: BinOp, lhs: TypedExpr, rhs: TypedExpr, ty: Type) -> TypedExpr {
    let (level, span) = (lhs.level.max(rhs.level), lhs.span);
    TypedExpr { kind: TypedExprKind::Binary { op, lhs: Box::new(lhs), rhs: Box::new(rhs) }, ty, level, span }
}

/// `a < b`, an int.
fn less(a: &TypedExpr, b: &TypedExpr) -> TypedExpr {
    binary(BinOp::Lt, a.clone(), b.clone(), Type::int())
}

/// `a || b`, an int.
fn or(a: TypedExpr, b: TypedExpr) -> TypedExpr {
    binary(BinOp::Or, a, b, Type::int())
}

/// `a + k - 1`: position `k` of a run starting at `a`.
fn offset_by(a: &TypedExpr, k: &TypedExpr) -> TypedExpr {
    let sum = binary(BinOp::Add, a.clone(), k.clone(), Type::int());
    binary(BinOp::Sub, sum, int_lit(1, a.span), Type::int())
}

/// `max(hi - lo + 1, 0)`: a slice whose upper bound is below its lower one
/// is empty, as in Stan.
fn span_len(lo: &TypedExpr, hi: &TypedExpr) -> TypedExpr {
    let d = binary(BinOp::Sub, hi.clone(), lo.clone(), Type::int());
    let len = binary(BinOp::Add, d, int_lit(1, hi.span), Type::int());
    let (level, span) = (len.level, len.span);
    TypedExpr { kind: TypedExprKind::Call { func: "max".into(), args: vec![len, int_lit(0, span)] }, ty: Type::int(), level, span }
}

fn size_call(func: &str, of: &TypedExpr) -> TypedExpr {
    TypedExpr { kind: TypedExprKind::Call { func: func.into(), args: vec![of.clone()] }, ty: Type::int(), level: Level::Data, span: of.span }
}

/// The scalar type of one element of a 1-D value.
fn elem_type(ty: &Type) -> Type {
    if ty.elem.is_scalar() {
        Type::scalar_or_elem(ty.elem)
    } else {
        Type::real()
    }
}

/// Whether a type is a 1-D container of scalars (vector, row vector, 1-D
/// array of `int`/`real`).
fn is_one_d(ty: &Type) -> bool {
    match ty.elem {
        ElemType::Vector(_) | ElemType::RowVector(_) => ty.array.is_empty(),
        ElemType::Int { .. } | ElemType::Real => ty.array.len() == 1,
        ElemType::Matrix(..) => false,
        ElemType::Complex | ElemType::ComplexVector(_) | ElemType::ComplexRowVector(_) | ElemType::ComplexMatrix(..) => false,
    }
}

/// Two expressions that compute the same value (spans ignored).
pub(super) fn same(a: &TypedExpr, b: &TypedExpr) -> bool {
    use TypedExprKind as K;
    match (&a.kind, &b.kind) {
        (K::IntLit(x), K::IntLit(y)) => x == y,
        (K::Var(x), K::Var(y)) => x == y,
        (K::DimSize(x), K::DimSize(y)) => x == y,
        (K::Binary { op: o1, lhs: l1, rhs: r1 }, K::Binary { op: o2, lhs: l2, rhs: r2 }) => o1 == o2 && same(l1, l2) && same(r1, r2),
        (K::Call { func: f1, args: a1 }, K::Call { func: f2, args: a2 }) => {
            f1 == f2 && a1.len() == a2.len() && a1.iter().zip(a2).all(|(x, y)| same(x, y))
        }
        (K::Index { base: b1, indices: i1, .. }, K::Index { base: b2, indices: i2, .. }) => {
            same(b1, b2)
                && i1.len() == i2.len()
                && i1.iter().zip(i2).all(|(x, y)| match (x, y) {
                    (TypedIndex::Single(x), TypedIndex::Single(y)) => same(x, y),
                    _ => false,
                })
        }
        _ => false,
    }
}

impl Rewriter<'_, '_> {
    fn fresh(&mut self, name: &str, ty: Type, origin: VarOrigin, level: Level, span: Span) -> VarId {
        let id = self.base_vars + self.new_vars.len();
        self.new_vars.push(VarInfo { name: format!("{name}__r{}", self.new_vars.len() + 1), ty, origin, level, span });
        id
    }

    /// What is known of a variable of the program or one the pass made.
    fn var_info(&self, var: VarId) -> VarInfo {
        match var.checked_sub(self.base_vars) {
            Some(i) => self.new_vars[i].clone(),
            None => self.l.program.vars[var].clone(),
        }
    }

    fn not_const(&mut self, e: &TypedExpr) -> bool {
        self.l.const_int(e).is_err()
    }

    /// Whether `e` contains a vector whose length (or start, for
    /// `segment`) lowering cannot fix: what this pass rewrites.
    fn has_runtime_length(&mut self, e: &TypedExpr) -> bool {
        use TypedExprKind as K;
        let here = match &e.kind {
            K::Index { indices, .. } => indices.iter().any(|ix| match ix {
                TypedIndex::Range { lower: Some(lo), upper: Some(hi) } => self.l.range_width(lo, hi).is_err(),
                TypedIndex::Range { lower: Some(b), upper: None } | TypedIndex::Range { lower: None, upper: Some(b) } => self.not_const(b),
                _ => false,
            }),
            K::Call { func, args } => match func.as_str() {
                "segment" if args.len() == 3 => self.not_const(&args[1]) || self.not_const(&args[2]),
                "head" | "tail" if args.len() == 2 => self.not_const(&args[1]),
                "sub_col" | "sub_row" if args.len() == 4 => self.not_const(&args[3]),
                _ => false,
            },
            _ => false,
        };
        here || e.children().into_iter().any(|c| self.has_runtime_length(c))
    }

    /// Element `k` (a 1-based int expression) of a 1-D view, or of a
    /// scalar (itself), with the lengths its views must share.
    fn elem(&mut self, e: &TypedExpr, k: &TypedExpr) -> Option<Elem> {
        use TypedExprKind as K;
        if e.ty.is_scalar() {
            return Some(Elem { value: e.clone(), lens: Vec::new() });
        }
        if !is_one_d(&e.ty) {
            return None;
        }
        let et = elem_type(&e.ty);
        let at = |kind: K, level: Level| TypedExpr { kind, ty: et.clone(), level, span: e.span };
        match &e.kind {
            K::Var(_) => {
                let value = at(K::Index { base: Box::new(e.clone()), indices: vec![TypedIndex::Single(k.clone())], zipped: Vec::new() }, e.level);
                Some(Elem { value, lens: vec![size_call("num_elements", e)] })
            }
            K::Index { base, indices, .. } => {
                // Exactly one axis kept (a range or `:`), every other one picked.
                let kept: Vec<usize> = (0..indices.len()).filter(|&i| !matches!(indices[i], TypedIndex::Single(_))).collect();
                let base_rank = base.ty.array.len() + base.ty.elem.axes().len();
                if kept.is_empty() && indices.len() + 1 == base_rank {
                    // `x[m]` of an array of vectors: its last axis is kept whole.
                    let mut picked = indices.clone();
                    picked.push(TypedIndex::Single(k.clone()));
                    let value = at(K::Index { base: base.clone(), indices: picked, zipped: Vec::new() }, e.level);
                    return Some(Elem { value, lens: vec![size_call("num_elements", e)] });
                }
                if kept.len() != 1 || indices.len() != base_rank {
                    return None;
                }
                let pos = kept[0];
                let axis_size = || size_call(if pos == 0 { "size" } else { "cols" }, base);
                if pos > 1 {
                    return None;
                }
                let (lo, hi) = match &indices[pos] {
                    TypedIndex::Range { lower, upper } => (lower.clone().unwrap_or_else(|| int_lit(1, e.span)), upper.clone().unwrap_or_else(axis_size)),
                    TypedIndex::All => (int_lit(1, e.span), axis_size()),
                    _ => return None,
                };
                let mut picked = indices.clone();
                picked[pos] = TypedIndex::Single(offset_by(&lo, k));
                let value = at(K::Index { base: base.clone(), indices: picked, zipped: Vec::new() }, e.level);
                Some(Elem { value, lens: vec![span_len(&lo, &hi)] })
            }
            K::Call { func, args } => match (func.as_str(), args.len()) {
                ("segment", 3) => {
                    let inner = self.elem(&args[0], &offset_by(&args[1], k))?;
                    let (i, n, all) = (&args[1], &args[2], inner.lens.first()?);
                    // Stan's checks: 1 <= i <= size, n >= 0, and the last
                    // element within the vector when there is one.
                    let bad_start = or(less(i, &int_lit(1, e.span)), less(all, i));
                    self.guard(bad_start, "segment: i is ", i, " but must be in the interval [1, size of the vector = ", all, "]");
                    self.guard(less(n, &int_lit(0, e.span)), "segment: n is ", n, " but must be nonnegative (size of the vector: ", all, ")");
                    let last = offset_by(i, n);
                    self.guard(less(all, &last), "segment: i + n - 1 is ", &last, " but must be at most the size of the vector, ", all, "");
                    Some(Elem { value: inner.value, lens: vec![n.clone()] })
                }
                ("head", 2) => {
                    let inner = self.elem(&args[0], k)?;
                    let (n, all) = (&args[1], inner.lens.first()?);
                    let bad = or(less(n, &int_lit(0, e.span)), less(all, n));
                    self.guard(bad, "head: n is ", n, " but must be in the interval [0, size of the vector = ", all, "]");
                    Some(Elem { value: inner.value, lens: vec![n.clone()] })
                }
                ("tail", 2) => {
                    // Element k of the last n: n_all - n + k.
                    let probe = self.elem(&args[0], k)?;
                    let total = probe.lens.first()?.clone();
                    let start = binary(BinOp::Sub, total, args[1].clone(), Type::int());
                    let at_k = binary(BinOp::Add, start, k.clone(), Type::int());
                    let inner = self.elem(&args[0], &at_k)?;
                    let (n, all) = (&args[1], inner.lens.first()?);
                    let bad = or(less(n, &int_lit(0, e.span)), less(all, n));
                    self.guard(bad, "tail: n is ", n, " but must be in the interval [0, size of the vector = ", all, "]");
                    Some(Elem { value: inner.value, lens: vec![n.clone()] })
                }
                ("sub_col" | "sub_row", 4) => {
                    let (i, j) = if func == "sub_col" { (offset_by(&args[1], k), args[2].clone()) } else { (args[1].clone(), offset_by(&args[2], k)) };
                    let value = at(
                        K::Index { base: Box::new(args[0].clone()), indices: vec![TypedIndex::Single(i), TypedIndex::Single(j)], zipped: Vec::new() },
                        args[0].level,
                    );
                    let n = &args[3];
                    let what = format!("{func}: n is ");
                    self.guard(less(n, &int_lit(0, e.span)), &what, n, " but must be nonnegative (rows of the matrix: ", &size_call("rows", &args[0]), ")");
                    Some(Elem { value, lens: vec![n.clone()] })
                }
                ("rep_vector" | "rep_row_vector", 2) if args[0].ty.is_scalar() => {
                    let n = &args[1];
                    self.guard(less(n, &int_lit(0, e.span)), &format!("{func}: n is "), n, " but must be at least ", &int_lit(0, e.span), "");
                    Some(Elem { value: args[0].clone(), lens: vec![n.clone()] })
                }
                (f, 1) if ELEMENTWISE.contains(&f) => {
                    let inner = self.elem(&args[0], k)?;
                    let value = at(K::Call { func: func.clone(), args: vec![inner.value] }, e.level);
                    Some(Elem { value, lens: inner.lens })
                }
                _ => None,
            },
            K::Binary { op, lhs, rhs } => {
                let scalar_op = match op {
                    BinOp::Add | BinOp::Sub => *op,
                    BinOp::EltMul => BinOp::Mul,
                    BinOp::EltDiv => BinOp::Div,
                    BinOp::Mul if lhs.ty.is_scalar() || rhs.ty.is_scalar() => BinOp::Mul,
                    BinOp::Div if rhs.ty.is_scalar() => BinOp::Div,
                    _ => return None,
                };
                let (a, b) = (self.elem(lhs, k)?, self.elem(rhs, k)?);
                let mut lens = a.lens;
                lens.extend(b.lens);
                Some(Elem { value: binary(scalar_op, a.value, b.value, et), lens })
            }
            K::Unary { op: UnOp::Neg, operand } => {
                let inner = self.elem(operand, k)?;
                let value = at(K::Unary { op: UnOp::Neg, operand: Box::new(inner.value) }, e.level);
                Some(Elem { value, lens: inner.lens })
            }
            K::Unary { op: UnOp::Plus, operand } => self.elem(operand, k),
            _ => None,
        }
    }

    /// `if (bad) reject(before, value, after, limit, close)`: a view's
    /// argument check, placed before the loop that takes the view.
    fn guard(&mut self, bad: TypedExpr, before: &str, value: &TypedExpr, after: &str, limit: &TypedExpr, close: &str) {
        let span = bad.span;
        let msg = vec![
            TypedPrintArg::Str(before.into()),
            TypedPrintArg::Expr(value.clone()),
            TypedPrintArg::Str(after.into()),
            TypedPrintArg::Expr(limit.clone()),
            TypedPrintArg::Str(close.into()),
        ];
        let reject = TypedStmt { kind: TypedStmtKind::Reject(msg), span };
        self.guards.push(TypedStmt { kind: TypedStmtKind::If { cond: bad, then: Box::new(reject), otherwise: None }, span });
    }

    /// A fresh loop variable and the expression that reads it.
    fn loop_var(&mut self, span: Span) -> (VarId, TypedExpr) {
        let var = self.fresh("k", Type::int(), VarOrigin::Loop, Level::Data, span);
        (var, TypedExpr { kind: TypedExprKind::Var(var), ty: Type::int(), level: Level::Data, span })
    }

    /// `if (len != first) reject(...)` for every length that must equal
    /// the first (syntactically equal ones need no check).
    fn length_checks(&self, what: &str, lens: &[TypedExpr], span: Span) -> Vec<TypedStmt> {
        let Some(first) = lens.first() else { return Vec::new() };
        let mut seen: Vec<&TypedExpr> = vec![first];
        let mut out = Vec::new();
        for len in &lens[1..] {
            if seen.iter().any(|s| same(s, len)) {
                continue;
            }
            seen.push(len);
            let cond = binary(BinOp::Neq, len.clone(), first.clone(), Type::int());
            let msg = vec![
                TypedPrintArg::Str(format!("{what}: size of one argument (")),
                TypedPrintArg::Expr(len.clone()),
                TypedPrintArg::Str(") and size of another (".into()),
                TypedPrintArg::Expr(first.clone()),
                TypedPrintArg::Str(") must match in size".into()),
            ];
            let reject = TypedStmt { kind: TypedStmtKind::Reject(msg), span };
            out.push(TypedStmt { kind: TypedStmtKind::If { cond, then: Box::new(reject), otherwise: None }, span });
        }
        out
    }

    /// `for (k in 1:len) body(k)` with the length checks before it; `None`
    /// when some operand is not a view.
    fn elementwise_loop(&mut self, what: &str, operands: &[&TypedExpr], span: Span, body: impl FnOnce(Vec<TypedExpr>) -> TypedStmtKind) -> Option<Vec<TypedStmt>> {
        let (var, k) = self.loop_var(span);
        self.guards.clear();
        let mut values = Vec::new();
        let mut lens = Vec::new();
        for op in operands {
            let el = self.elem(op, &k)?;
            values.push(el.value);
            lens.extend(el.lens);
        }
        let first = lens.first()?.clone();
        let mut out = std::mem::take(&mut self.guards);
        out.extend(self.length_checks(what, &lens, span));
        let body = TypedStmt { kind: body(values), span };
        out.push(TypedStmt { kind: TypedStmtKind::For { var, lower: int_lit(1, span), upper: first, body: Box::new(body) }, span });
        Some(out)
    }

    /// One statement, rewritten into one or more.
    fn stmt(&mut self, s: TypedStmt) -> Vec<TypedStmt> {
        use TypedStmtKind as K;
        let span = s.span;
        let mut pre = Vec::new();
        let kind = match s.kind {
            K::Decl(mut d) => {
                if let Some(init) = d.init.take() {
                    d.init = Some(self.hoist(init, &mut pre));
                }
                K::Decl(d)
            }
            K::Assign { lhs, op, rhs } => K::Assign { lhs, op, rhs: self.hoist(rhs, &mut pre) },
            K::Tilde { lhs, dist, lpdf, args, truncation } => {
                let args: Vec<TypedExpr> = args.into_iter().map(|a| self.hoist(a, &mut pre)).collect();
                let univariate = signatures::distribution(&dist).is_some_and(|d| !d.multivariate);
                let runtime = self.has_runtime_length(&lhs) || args.iter().any(|a| self.has_runtime_length(a));
                let bounds_scalar = truncation.as_ref().is_none_or(|(a, b)| a.iter().chain(b.iter()).all(|e| e.ty.is_scalar()));
                let mut operands = vec![&lhs];
                operands.extend(args.iter());
                let looped = if univariate && runtime && bounds_scalar {
                    let (d2, l2, t2) = (dist.clone(), lpdf.clone(), truncation.clone());
                    self.elementwise_loop(&dist, &operands, span, move |mut v| {
                        let lhs = v.remove(0);
                        K::Tilde { lhs, dist: d2, lpdf: l2, args: v, truncation: t2 }
                    })
                } else {
                    None
                };
                match looped {
                    Some(stmts) => {
                        self.changed = true;
                        pre.extend(stmts);
                        return pre;
                    }
                    None => K::Tilde { lhs, dist, lpdf, args, truncation },
                }
            }
            K::JacobianPlus(e) => K::JacobianPlus(self.hoist(e, &mut pre)),
            K::TargetPlus(e) => {
                let e = self.hoist(e, &mut pre);
                match self.density_loop(&e, span) {
                    Some(stmts) => {
                        self.changed = true;
                        pre.extend(stmts);
                        return pre;
                    }
                    None => K::TargetPlus(e),
                }
            }
            K::For { var, lower, upper, body } => {
                let (lower, upper) = (self.hoist(lower, &mut pre), self.hoist(upper, &mut pre));
                // What `per_length` asks of a length indexed by the loop
                // variable.
                self.l.note_loop_range(var, &lower, &upper);
                K::For { var, lower, upper, body: Box::new(self.body(*body)) }
            }
            K::ForDim { var, dim, body } => K::ForDim { var, dim, body: Box::new(self.body(*body)) },
            K::ForEach { var, over, body } => K::ForEach { var, over, body: Box::new(self.body(*body)) },
            K::While { cond, body } => K::While { cond, body: Box::new(self.body(*body)) },
            K::If { cond, then, otherwise } => {
                let cond = self.hoist(cond, &mut pre);
                K::If { cond, then: Box::new(self.body(*then)), otherwise: otherwise.map(|o| Box::new(self.body(*o))) }
            }
            K::Block(stmts) => match self.per_length(&stmts, span) {
                // A block whose locals are sized by a run-time length: one
                // copy per length, each then rewritten as any statement.
                Some((chain, n)) => {
                    pre.extend(self.copies_rewritten(chain, n));
                    return pre;
                }
                None => K::Block(stmts.into_iter().flat_map(|s| self.stmt(s)).collect()),
            },
            other => other,
        };
        pre.extend(self.whole_vector_stmt(TypedStmt { kind, span }));
        pre
    }

    /// A statement that still passes a run-time-length vector to a
    /// function taking it whole, as one copy per length
    /// ([`Rewriter::per_length_stmt`]); a declaration with such a value
    /// becomes the declaration and the copies of its assignment. Any
    /// other statement is returned as it is.
    fn whole_vector_stmt(&mut self, s: TypedStmt) -> Vec<TypedStmt> {
        let span = s.span;
        if let TypedStmtKind::Decl(d) = &s.kind {
            let Some(init) = &d.init else { return vec![s] };
            let info = self.var_info(d.var);
            let lhs = TypedExpr { kind: TypedExprKind::Var(d.var), ty: info.ty, level: info.level, span };
            let assign = TypedStmt { kind: TypedStmtKind::Assign { lhs, op: AssignOp::Assign, rhs: init.clone() }, span };
            let Some((chain, n)) = self.per_length_stmt(&assign) else { return vec![s] };
            let mut decl = s;
            if let TypedStmtKind::Decl(d) = &mut decl.kind {
                d.init = None;
            }
            let mut out = vec![decl];
            out.extend(self.copies_rewritten(chain, n));
            return out;
        }
        match self.per_length_stmt(&s) {
            Some((chain, n)) => self.copies_rewritten(chain, n),
            None => vec![s],
        }
    }

    /// The chain of `n` copies [`per_length`] made, each copy rewritten
    /// (a copy may hold another run-time length, copied in turn).
    fn copies_rewritten(&mut self, chain: TypedStmt, n: usize) -> Vec<TypedStmt> {
        self.changed = true;
        let outer = self.copies;
        self.copies = outer.saturating_mul(i64::try_from(n).unwrap_or(i64::MAX));
        let out = self.stmt(chain);
        self.copies = outer;
        out
    }

    /// A top-level statement of a block whose top-level declarations are
    /// outputs: the statements made before it go in a block of their own,
    /// so that its accumulators do not become output columns (a
    /// declaration with a value is split into the declaration and an
    /// assignment inside that block).
    fn top_level_output_stmt(&mut self, s: TypedStmt) -> Vec<TypedStmt> {
        let span = s.span;
        let declared = match &s.kind {
            TypedStmtKind::Decl(d) => Some(d.var),
            _ => None,
        };
        let mut out = self.stmt(s);
        if out.len() < 2 {
            return out;
        }
        let mut head = Vec::new();
        // The output's declaration, wherever the rewrite put it, goes first.
        let at = declared.and_then(|var| out.iter().position(|t| matches!(&t.kind, TypedStmtKind::Decl(d) if d.var == var)));
        if let Some(i) = at {
            let mut decl = out.remove(i);
            if let TypedStmtKind::Decl(d) = &mut decl.kind {
                if let Some(init) = d.init.take() {
                    let info = &self.l.program.vars[d.var];
                    let lhs = TypedExpr { kind: TypedExprKind::Var(d.var), ty: info.ty.clone(), level: info.level, span };
                    out.insert(i, TypedStmt { kind: TypedStmtKind::Assign { lhs, op: AssignOp::Assign, rhs: init }, span });
                }
            }
            head.push(decl);
        }
        head.push(TypedStmt { kind: TypedStmtKind::Block(out), span });
        head
    }

    /// A statement in a position that holds one (a loop body, a branch).
    fn body(&mut self, s: TypedStmt) -> TypedStmt {
        let span = s.span;
        let mut out = self.stmt(s);
        if out.len() == 1 {
            out.remove(0)
        } else {
            TypedStmt { kind: TypedStmtKind::Block(out), span }
        }
    }

    /// `target += f_lpdf(y | ...)` of a univariate density with a
    /// run-time-length argument, as a loop of scalar terms.
    fn density_loop(&mut self, e: &TypedExpr, span: Span) -> Option<Vec<TypedStmt>> {
        let TypedExprKind::Call { func, args } = &e.kind else { return None };
        let dist = ["_lpdf", "_lpmf", "_lupdf", "_lupmf"].iter().find_map(|s| func.strip_suffix(s))?;
        if !signatures::distribution(dist).is_some_and(|d| !d.multivariate) || !args.iter().any(|a| self.has_runtime_length(a)) {
            return None;
        }
        let refs: Vec<&TypedExpr> = args.iter().collect();
        let (func, ty, level) = (func.clone(), e.ty.clone(), e.level);
        self.elementwise_loop(dist, &refs, span, move |values| {
            TypedStmtKind::TargetPlus(TypedExpr { kind: TypedExprKind::Call { func, args: values }, ty, level, span })
        })
    }

    /// `e` with every reduction of a run-time-length view (`sum`,
    /// `dot_product`, `log_sum_exp`, `max`, ...: see [`reductions`])
    /// replaced by a local that statements pushed on `pre` compute, and
    /// every size of one by its length.
    fn hoist(&mut self, mut e: TypedExpr, pre: &mut Vec<TypedStmt>) -> TypedExpr {
        use TypedExprKind as K;
        if !self.has_runtime_length(&e) {
            return e;
        }
        for c in children_mut(&mut e) {
            let taken = std::mem::replace(c, int_lit(0, Span::default()));
            *c = self.hoist(taken, pre);
        }
        let K::Call { func, args } = &e.kind else { return e };
        if !args.iter().any(|a| self.has_runtime_length(a)) {
            return e;
        }
        let span = e.span;
        if matches!((func.as_str(), args.len()), ("num_elements" | "size" | "rows" | "cols", 1)) {
            // The length of a view; `rows` of a row vector and `cols` of a
            // vector are 1.
            let one_wide = matches!((func.as_str(), args[0].ty.elem), ("rows", ElemType::RowVector(_)) | ("cols", ElemType::Vector(_)));
            let (_, k) = self.loop_var(span);
            return match self.elem(&args[0], &k) {
                Some(_) if one_wide => int_lit(1, span),
                Some(el) => el.lens.into_iter().next().unwrap_or(e),
                None => e,
            };
        }
        let (func, args) = (func.clone(), args.clone());
        match self.reduce(&e, &func, &args, pre) {
            Some(value) => {
                self.changed = true;
                value
            }
            None => e,
        }
    }
}

/// The direct subexpressions of `e` ([`TypedExpr::children`]), mutably,
/// except the branches of `?:` (a reduction there must not be computed
/// when its branch is not taken).
fn children_mut(e: &mut TypedExpr) -> Vec<&mut TypedExpr> {
    if !matches!(e.kind, TypedExprKind::Ternary { .. }) {
        return e.children_mut();
    }
    e.children_mut().into_iter().take(1).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bind::{bind_data, read_source};
    use crate::lower::SymbolTable;

    fn rewritten(source: &str, data: &str) -> Option<TypedProgram> {
        let fe = crate::front_end(source);
        let program = fe.typed.unwrap_or_else(|| panic!("checks: {:?}", fe.diagnostics));
        let (bound, diags) = bind_data(&program, &[read_source("d.json", data).expect("reads")]);
        let bound = bound.unwrap_or_else(|| panic!("binds: {diags:?}"));
        let symbols = SymbolTable::from_stdlib();
        rewrite(&mut Lowerer::new(&program, &bound, &bound, &symbols), &bound, &bound).expect("no run-time length beyond the copies")
    }

    const DATA: &str = r#"{"N": 4, "y": [1, 2, 3, 4], "lo": [1, 3]}"#;

    /// Slices and segments of lengths known at lowering are left to the
    /// ordinary lowering: the program is not rewritten at all.
    #[test]
    fn constant_lengths_are_not_rewritten() {
        let source = "data { int N; vector[N] y; array[2] int lo; }
            parameters { real mu; }
            model {
              y[2:N] ~ normal(mu, 1);
              for (t in 3:N) y[t - 2 : t - 1] ~ normal(mu, 1);
              for (j in 1:2) target += sum(segment(y, 1, 2)) * mu;
            }";
        assert!(rewritten(source, DATA).is_none());
    }

    /// A slice whose length changes with the loop variable becomes a loop
    /// of scalar `~` terms; a `sum` of one, an accumulator declared before
    /// its statement.
    #[test]
    fn run_time_lengths_become_loops_of_scalars() {
        let source = "data { int N; vector[N] y; array[2] int lo; }
            parameters { real mu; }
            model {
              for (j in 1:2) {
                y[lo[j]:N] ~ normal(mu, 1);
                target += mu * sum(tail(y, lo[j]));
              }
            }";
        let p = rewritten(source, DATA).expect("rewritten");
        let model = p.block(BlockKind::Model).expect("model block");
        let TypedStmtKind::For { body, .. } = &model.stmts[0].kind else { panic!("{:?}", model.stmts[0].kind) };
        let TypedStmtKind::Block(stmts) = &body.kind else { panic!("{:?}", body.kind) };
        // The `~` loop; the accumulator, its guard, its loop; `target +=`.
        let tilde_loop = stmts.iter().find_map(|s| match &s.kind {
            TypedStmtKind::For { body, .. } => match &body.kind {
                TypedStmtKind::Tilde { lhs, .. } => Some(lhs.ty.is_scalar()),
                _ => None,
            },
            _ => None,
        });
        assert_eq!(tilde_loop, Some(true), "{stmts:#?}");
        let acc = stmts.iter().find_map(|s| match &s.kind {
            TypedStmtKind::Decl(d) => Some(p.var(d.var).name.clone()),
            _ => None,
        });
        assert_eq!(acc.as_deref(), Some("sum__r2"));
        assert!(matches!(&stmts.last().map(|s| &s.kind), Some(TypedStmtKind::TargetPlus(_))));
    }

    /// A block whose local is sized by a length read from the data per
    /// iteration becomes `if (lo[j] < 0) reject(...); if (lo[j] == 1)
    /// {...} if (lo[j] == 3) {...}`: one copy per value the loop meets,
    /// each declaring a variable of its own with the length a literal.
    #[test]
    fn a_local_sized_per_iteration_is_copied_per_length() {
        let source = "data { int N; vector[N] y; array[2] int lo; }
            parameters { real mu; }
            model {
              for (j in 1:2) {
                vector[lo[j]] v;
                v = segment(y, j, lo[j]) - mu;
                target += -dot_self(v);
              }
            }";
        let p = rewritten(source, DATA).expect("rewritten");
        let model = p.block(BlockKind::Model).expect("model block");
        let TypedStmtKind::For { body, .. } = &model.stmts[0].kind else { panic!("{:?}", model.stmts[0].kind) };
        let TypedStmtKind::Block(chain) = &body.kind else { panic!("{body:?}") };
        // A negative length rejects first.
        assert!(matches!(&chain[0].kind, TypedStmtKind::If { then, .. } if matches!(then.kind, TypedStmtKind::Reject(_))), "{:?}", chain[0]);
        let mut lengths = Vec::new();
        let mut vars = Vec::new();
        for at in &chain[1..] {
            let TypedStmtKind::If { cond, then, otherwise: None } = &at.kind else { panic!("{at:?}") };
            let TypedExprKind::Binary { rhs, .. } = &cond.kind else { panic!("{cond:?}") };
            let TypedExprKind::IntLit(len) = rhs.kind else { panic!("{rhs:?}") };
            lengths.push(len);
            let TypedStmtKind::Block(copy) = &then.kind else { panic!("{then:?}") };
            let TypedStmtKind::Decl(d) = &copy[0].kind else { panic!("{:?}", copy[0]) };
            assert!(matches!(&d.sizes[..], [crate::check::typed::Size::Expr(TypedExpr { kind: TypedExprKind::IntLit(n), .. })] if *n == len));
            vars.push(d.var);
        }
        // `lo[j]` for `j` in 1:2 is 1 or 3: one copy each, none for 2.
        assert_eq!(lengths, vec![1, 3]);
        vars.dedup();
        assert_eq!(vars.len(), 2);
    }

    /// A statement passing a segment of run-time length whole to a
    /// function (`softmax`) becomes, after the segment's checks and a
    /// `reject` of a negative length, `if (lo[j] == 1) {...} if (lo[j] ==
    /// 3) {...}`, each copy taking the slice `y[j : j + L - 1]` of a
    /// literal width.
    #[test]
    fn a_statement_taking_a_segment_whole_is_copied_per_length() {
        let source = "data { int N; vector[N] y; array[2] int lo; }
            parameters { real mu; }
            model {
              for (j in 1:2) target += mu * max(softmax(segment(y, j, lo[j])));
            }";
        let p = rewritten(source, DATA).expect("rewritten");
        let model = p.block(BlockKind::Model).expect("model block");
        let TypedStmtKind::For { body, .. } = &model.stmts[0].kind else { panic!("{:?}", model.stmts[0].kind) };
        let TypedStmtKind::Block(stmts) = &body.kind else { panic!("{:?}", body.kind) };
        // Stan's three `segment` checks, then the copies.
        assert_eq!(stmts.len(), 4, "{stmts:#?}");
        let TypedStmtKind::Block(chain) = &stmts[3].kind else { panic!("{:?}", stmts[3]) };
        assert!(matches!(&chain[0].kind, TypedStmtKind::If { then, .. } if matches!(then.kind, TypedStmtKind::Reject(_))), "{:?}", chain[0]);
        let mut widths = Vec::new();
        for at in &chain[1..] {
            let TypedStmtKind::If { then, otherwise: None, .. } = &at.kind else { panic!("{at:?}") };
            let TypedStmtKind::Block(copy) = &then.kind else { panic!("{then:?}") };
            let TypedStmtKind::TargetPlus(e) = &copy[0].kind else { panic!("{:?}", copy[0]) };
            let mut slices = Vec::new();
            fn find(e: &TypedExpr, out: &mut Vec<Option<i64>>) {
                if let TypedExprKind::Index { indices, .. } = &e.kind {
                    for ix in indices {
                        if let TypedIndex::Range { lower: Some(lo), upper: Some(hi) } = ix {
                            out.push(per_length::width_of_offset_slice(lo, hi));
                        }
                    }
                }
                e.children().into_iter().for_each(|c| find(c, out));
            }
            find(e, &mut slices);
            widths.extend(slices);
        }
        assert_eq!(widths, vec![Some(1), Some(3)]);
    }
}
