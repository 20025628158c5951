//! Small matrices held in SSA values, unrolled like scalar code.
//!
//! Lowering runs after binding, so every size is a constant. A local
//! vector or matrix of at most [`MAX_SMALL`] rows and columns that is
//! assigned once (`matrix[effect, effect] L = cholesky_decompose(D * Omega
//! * D);` in a per-group loop) lives in one value per element instead of a
//! `Work` buffer, and the expressions that make such values (matrix
//! products, `cholesky_decompose`, `multiply_lower_tri_self_transpose`,
//! literals, elementwise code) are unrolled into straight-line scalar IR.
//! The AD then differentiates them as it does scalar code: no library
//! call, no buffer, no `_adj` rule per group. `multi_normal_cholesky` with
//! a small factor is lowered the same way (one forward substitution per
//! variate), and a matrix product whose inner size is small is computed
//! element by element with the inner sum unrolled.
//!
//! Elements are read at constant indices (the builder folds index
//! arithmetic on literals); a read at a run-time index selects among the
//! values of that row or column. Where a library routine needs a pointer,
//! the values are stored into a scratch buffer first.

use super::{LowerError, LowerResult, Lowerer, Storage};
use crate::check::typed::{TypedDecl, TypedExpr, TypedExprKind, TypedStmtKind, VarId};
use crate::check::types::ElemType;
use crate::ir::{BinaryOp, CallArg, CmpOp, MessagePart, Stmt, UnaryOp, Value};
use crate::syntax::ast::{BinOp, UnOp};
use std::collections::HashSet;

/// The largest number of rows or columns unrolled.
pub(crate) const MAX_SMALL: usize = 6;

/// `log(2π) / 2`.
const HALF_LN_2PI: f64 = 0.918_938_533_204_672_8;

/// The elements of a small vector or matrix, one value each, in the
/// layout of a buffer (column-major for a matrix).
#[derive(Clone, Debug)]
pub(crate) struct SmallValue {
    /// The shape as the lowering sees it: `[n]` or `[rows, cols]`.
    pub shape: Vec<usize>,
    /// Rows and columns when viewed as a matrix (a row vector is `1 × n`).
    pub rows: usize,
    pub cols: usize,
    pub vals: Vec<Value>,
}

impl SmallValue {
    /// Element `(i, j)` of the matrix view.
    pub fn at(&self, i: usize, j: usize) -> Value {
        self.vals[i + j * self.rows]
    }
}

/// Whether a shape is small enough to unroll.
pub(crate) fn is_small_shape(shape: &[usize]) -> bool {
    (1..=2).contains(&shape.len()) && shape.iter().all(|&n| (1..=MAX_SMALL).contains(&n))
}

/// Rows and columns of a non-array vector, row vector or matrix value.
fn matrix_view(elem: ElemType, shape: &[usize]) -> Option<(usize, usize)> {
    match (elem, shape) {
        (ElemType::RowVector(_), [n]) => Some((1, *n)),
        (ElemType::Vector(_), [n]) => Some((*n, 1)),
        (ElemType::Matrix(..), [r, c]) => Some((*r, *c)),
        _ => None,
    }
}

/// Whether `e` is an expression the lowering otherwise computes whole into
/// a buffer (so that a small one is worth computing once into values).
fn is_whole_kind(e: &TypedExpr) -> bool {
    match &e.kind {
        TypedExprKind::Binary { op: BinOp::Mul, lhs, rhs } => !lhs.ty.is_scalar() && !rhs.ty.is_scalar(),
        TypedExprKind::Call { func, .. } => super::call::is_buffer_function(func),
        TypedExprKind::ArrayExpr(_) | TypedExprKind::RowVectorExpr(_) => !e.ty.is_scalar(),
        _ => false,
    }
}

/// Every variable passed as the Cholesky factor of `multi_normal_cholesky`
/// anywhere in the program: their `Σ log L_ii` is computed once where they
/// are declared rather than once per variate.
pub(crate) fn cholesky_factor_vars(program: &crate::check::typed::TypedProgram) -> HashSet<VarId> {
    let mut out = HashSet::new();
    for s in program.blocks.iter().flat_map(|b| &b.stmts) {
        s.for_each_stmt(&mut |s| {
            if let TypedStmtKind::Tilde { dist, args, .. } = &s.kind {
                if let (true, Some(TypedExprKind::Var(v))) = (dist == "multi_normal_cholesky", args.get(1).map(|a| &a.kind)) {
                    out.insert(*v);
                }
            }
        });
    }
    out
}

/// What is known of a small lower-triangular factor once declared.
#[derive(Clone, Debug)]
pub(crate) struct FactorFacts {
    /// `Σ log L_ii`.
    pub log_det: Value,
    /// 1 when every `L_ii > 0`, else 0.
    pub diag_ok: Value,
    /// `1 / L_ii`: the forward substitution of each variate multiplies by
    /// them (computed once per factor, not a division per variate and
    /// another in its reverse).
    pub inv_diag: Vec<Value>,
}

impl Lowerer<'_> {
    /// The small value of `e`, computed into values, or `None` when `e` is
    /// not a small real vector or matrix (or a product with a large inner
    /// size).
    pub(crate) fn try_small(&mut self, e: &TypedExpr) -> LowerResult<Option<SmallValue>> {
        if !self.unroll_small || e.ty.is_scalar() || !e.ty.array.is_empty() || e.ty.is_int_valued() {
            return Ok(None);
        }
        if let TypedExprKind::Var(v) = &e.kind {
            if let Some(sv) = self.small.get(v) {
                return Ok(Some(sv.clone()));
            }
        }
        if let Some(sv) = self.hoisted_small.get(&(e as *const TypedExpr)) {
            return Ok(Some(sv.clone()));
        }
        let shape = self.shape(e)?;
        if !is_small_shape(&shape) {
            return Ok(None);
        }
        let Some((rows, cols)) = matrix_view(e.ty.elem, &shape) else { return Ok(None) };
        let vals = match &e.kind {
            TypedExprKind::Binary { op: BinOp::Mul, lhs, rhs } if !lhs.ty.is_scalar() && !rhs.ty.is_scalar() => {
                let (Some(a), Some(b)) = (self.try_small(lhs)?, self.try_small(rhs)?) else { return Ok(None) };
                self.small_product(&a, &b)
            }
            TypedExprKind::Unary { op: UnOp::Transpose, operand } => {
                let Some(a) = self.try_small(operand)? else { return Ok(None) };
                (0..cols).flat_map(|j| (0..rows).map(move |i| (i, j))).map(|(i, j)| a.at(j, i)).collect()
            }
            TypedExprKind::Call { func, args } if func == "cholesky_decompose" => {
                let Some(a) = self.try_small(&args[0])? else { return Ok(None) };
                self.small_cholesky(&a)
            }
            TypedExprKind::Call { func, args } if func == "multiply_lower_tri_self_transpose" => {
                let Some(a) = self.try_small(&args[0])? else { return Ok(None) };
                self.small_lower_tri_self_transpose(&a)
            }
            TypedExprKind::Call { func, args } if func == "mdivide_left_tri_low" => {
                let (Some(l), Some(b)) = (self.try_small(&args[0])?, self.try_small(&args[1])?) else { return Ok(None) };
                if l.rows != l.cols || b.rows != l.rows || (b.rows, b.cols) != (rows, cols) {
                    return Ok(None);
                }
                self.small_lower_solve(&l, &b)
            }
            // `mdivide_right_tri_low`, `quad_form`, `tcrossprod`, ...: their
            // products and solves, unrolled.
            TypedExprKind::Call { func, args } if super::linalg_fns::is_composite_matrix(func, args) => {
                let expanded = self.expand_composite(func, args, e)?;
                match self.try_small(&expanded)? {
                    Some(sv) if (sv.rows, sv.cols) == (rows, cols) => sv.vals,
                    _ => return Ok(None),
                }
            }
            // Any other routine computed whole (softmax, non_centered_mvn,
            // the multivariate draws) keeps its library call: reading it
            // element by element below would come back here.
            TypedExprKind::Call { func, .. } if super::call::is_buffer_function(func) => return Ok(None),
            TypedExprKind::RowVectorExpr(items) => {
                let mut by_row: Vec<Vec<Value>> = Vec::new();
                for item in items {
                    if item.ty.is_scalar() {
                        let v = self.scalar(item)?;
                        by_row.push(vec![self.fb.to_f64(v)]);
                    } else {
                        let Some(r) = self.try_small(item)? else { return Ok(None) };
                        by_row.push(r.vals);
                    }
                }
                if rows == 1 {
                    by_row.into_iter().flatten().collect()
                } else {
                    (0..cols).flat_map(|j| (0..rows).map(move |i| (i, j))).map(|(i, j)| by_row[i][j]).collect()
                }
            }
            TypedExprKind::ArrayExpr(_) => return Ok(None),
            _ => {
                let mut vals = Vec::with_capacity(rows * cols);
                for j in 0..cols {
                    for i in 0..rows {
                        let idx: Vec<Value> = match shape.len() {
                            1 => vec![self.fb.i64((i + j) as i64)],
                            _ => vec![self.fb.i64(i as i64), self.fb.i64(j as i64)],
                        };
                        let v = self.elem(e, &idx)?;
                        vals.push(self.fb.to_f64(v));
                    }
                }
                vals
            }
        };
        Ok(Some(SmallValue { shape, rows, cols, vals }))
    }

    /// An element of `e` from its small values, when `e` has them: a small
    /// variable, a hoisted small subexpression, or a small expression the
    /// lowering would otherwise compute whole into a buffer.
    pub(crate) fn small_elem(&mut self, e: &TypedExpr, idx: &[Value]) -> LowerResult<Option<Value>> {
        let known = match &e.kind {
            TypedExprKind::Var(v) => self.small.get(v).cloned(),
            _ => self.hoisted_small.get(&(e as *const TypedExpr)).cloned(),
        };
        let sv = match known {
            Some(sv) => sv,
            None if is_whole_kind(e) => match self.try_small(e)? {
                Some(sv) => sv,
                None => return Ok(None),
            },
            None => return Ok(None),
        };
        Ok(Some(self.small_pick(&sv, idx)))
    }

    /// The element at `idx` (0-based values): the value itself at constant
    /// indices, else a selection among the candidates.
    pub(crate) fn small_pick(&mut self, sv: &SmallValue, idx: &[Value]) -> Value {
        let (i, j) = match (sv.shape.len(), idx) {
            (1, [k, ..]) if sv.rows == 1 => (None, Some(*k)),
            (1, [k, ..]) => (Some(*k), None),
            (_, [r, c, ..]) => (Some(*r), Some(*c)),
            _ => (None, None),
        };
        let pick_axis = |this: &mut Self, ix: Option<Value>, n: usize, get: &dyn Fn(usize) -> Value| -> Value {
            let Some(ix) = ix else { return get(0) };
            if let Some(c) = this.fb.const_i64(ix) {
                // Lowering only emits in-range indices (checked where the
                // index comes from user input); clamp as a last guard.
                return get((c.max(0) as usize).min(n - 1));
            }
            let mut out = get(n - 1);
            for k in (0..n - 1).rev() {
                let kv = this.fb.i64(k as i64);
                let is_k = this.fb.cmp(CmpOp::Eq, ix, kv);
                out = this.fb.select(is_k, get(k), out);
            }
            out
        };
        let rows: Vec<Value> = (0..sv.cols)
            .map(|c| {
                let col: Vec<Value> = (0..sv.rows).map(|r| sv.at(r, c)).collect();
                pick_axis(self, i, sv.rows, &|r| col[r])
            })
            .collect();
        pick_axis(self, j, sv.cols, &|c| rows[c])
    }

    /// Writes small values into `dst` (a buffer of the same shape).
    pub(crate) fn store_small(&mut self, dst: &Storage, sv: &SmallValue) {
        for (k, v) in sv.vals.iter().enumerate() {
            let at = self.fb.i64(k as i64);
            self.fb.store(dst.buf, at, *v);
        }
    }

    /// Declares a local vector or matrix that is assigned once and small as
    /// values; `false` when it does not apply (the caller gives it a buffer).
    pub(crate) fn try_declare_small(&mut self, decl: &TypedDecl) -> LowerResult<bool> {
        let Some(init) = &decl.init else { return Ok(false) };
        let ty = &self.program.var(decl.var).ty;
        if !ty.array.is_empty() || ty.is_scalar() || ty.is_int_valued() || self.assigned.contains(&decl.var) {
            return Ok(false);
        }
        let shape = self.shape_of_decl(decl)?;
        if !is_small_shape(&shape) || matrix_view(ty.elem, &shape).is_none() {
            return Ok(false);
        }
        let Some(mut sv) = self.try_small(init)? else { return Ok(false) };
        sv.shape = shape;
        if self.factor_vars.contains(&decl.var) && sv.rows == sv.cols {
            let facts = self.factor_facts(&sv)?;
            self.factor_facts.insert(decl.var, facts);
        }
        self.small.insert(decl.var, sv);
        Ok(true)
    }

    /// `Σ log L_ii` and whether the diagonal is positive.
    fn factor_facts(&mut self, l: &SmallValue) -> LowerResult<FactorFacts> {
        let log = self.symbols.get("hbm_log").ok_or_else(|| LowerError::unsupported(Default::default(), "the library function `hbm_log`"))?;
        let mut log_det: Option<Value> = None;
        let mut diag_ok: Option<Value> = None;
        let zero = self.fb.f64(0.0);
        let one = self.fb.f64(1.0);
        let mut inv_diag = Vec::with_capacity(l.rows);
        for i in 0..l.rows {
            let d = l.at(i, i);
            inv_diag.push(self.fb.binary(BinaryOp::Div, one, d));
            let lg = self.fb.call(log.clone(), vec![CallArg::Value(d)]);
            log_det = Some(match log_det {
                None => lg,
                Some(s) => self.fb.binary(BinaryOp::Add, s, lg),
            });
            let pos = self.fb.cmp(CmpOp::Gt, d, zero);
            diag_ok = Some(match diag_ok {
                None => pos,
                Some(s) => self.fb.binary(BinaryOp::And, s, pos),
            });
        }
        let zero_f = self.fb.f64(0.0);
        let one_i = self.fb.i64(1);
        Ok(FactorFacts { log_det: log_det.unwrap_or(zero_f), diag_ok: diag_ok.unwrap_or(one_i), inv_diag })
    }

    /// `a * b`, unrolled; a product by a literal zero is left out (the
    /// zeros of `diag_matrix`).
    fn small_product(&mut self, a: &SmallValue, b: &SmallValue) -> Vec<Value> {
        let (m, k, n) = (a.rows, a.cols, b.cols);
        let mut out = Vec::with_capacity(m * n);
        for j in 0..n {
            for i in 0..m {
                let terms: Vec<(Value, Value)> = (0..k).map(|p| (a.at(i, p), b.at(p, j))).collect();
                out.push(self.dot_terms(&terms));
            }
        }
        out
    }

    /// `Σ x_p y_p` over pairs, skipping literal zeros.
    pub(crate) fn dot_terms(&mut self, terms: &[(Value, Value)]) -> Value {
        let mut acc: Option<Value> = None;
        for &(x, y) in terms {
            if self.fb.is_zero_f64(x) || self.fb.is_zero_f64(y) {
                continue;
            }
            let xy = self.fb.binary(BinaryOp::Mul, x, y);
            acc = Some(match acc {
                None => xy,
                Some(s) => self.fb.binary(BinaryOp::Add, s, xy),
            });
        }
        match acc {
            Some(v) => v,
            None => self.fb.f64(0.0),
        }
    }

    /// The Cholesky factor of a small symmetric positive-definite matrix
    /// (lower triangle read), rejecting the evaluation as the library
    /// routine does when the matrix is not symmetric within 1e-8 or not
    /// positive definite.
    fn small_cholesky(&mut self, a: &SmallValue) -> Vec<Value> {
        let n = a.rows;
        let tol = self.fb.f64(hbmc_stdlib::linalg::CONSTRAINT_TOLERANCE);
        for j in 0..n {
            for i in j + 1..n {
                let d = self.fb.binary(BinaryOp::Sub, a.at(i, j), a.at(j, i));
                let d = self.fb.unary(UnaryOp::Abs, d);
                let ok = self.fb.cmp(CmpOp::Le, d, tol);
                self.reject_unless_true(ok, "cholesky_decompose: the matrix is not symmetric");
            }
        }
        let zero = self.fb.f64(0.0);
        let inf = self.fb.f64(f64::INFINITY);
        let mut l = vec![zero; n * n];
        for j in 0..n {
            let mut s = a.at(j, j);
            for p in 0..j {
                let sq = self.fb.binary(BinaryOp::Mul, l[j + p * n], l[j + p * n]);
                s = self.fb.binary(BinaryOp::Sub, s, sq);
            }
            let pos = self.fb.cmp(CmpOp::Gt, s, zero);
            let finite = self.fb.cmp(CmpOp::Lt, s, inf);
            let ok = self.fb.binary(BinaryOp::And, pos, finite);
            self.reject_unless_true(ok, "cholesky_decompose: the matrix is not symmetric positive definite");
            let d = self.fb.unary(UnaryOp::Sqrt, s);
            l[j + j * n] = d;
            for i in j + 1..n {
                let mut t = a.at(i, j);
                for p in 0..j {
                    let x = self.fb.binary(BinaryOp::Mul, l[i + p * n], l[j + p * n]);
                    t = self.fb.binary(BinaryOp::Sub, t, x);
                }
                l[i + j * n] = self.fb.binary(BinaryOp::Div, t, d);
            }
        }
        l
    }

    /// `L⁻¹ B` by forward substitution, reading the lower triangle of `L`
    /// and rejecting the evaluation, as the library routine does, when a
    /// diagonal element is zero or not finite.
    fn small_lower_solve(&mut self, l: &SmallValue, b: &SmallValue) -> Vec<Value> {
        let n = l.rows;
        let zero = self.fb.f64(0.0);
        let inf = self.fb.f64(f64::INFINITY);
        for i in 0..n {
            let d = l.at(i, i);
            let nonzero = self.fb.cmp(CmpOp::Ne, d, zero);
            let size = self.fb.unary(UnaryOp::Abs, d);
            let finite = self.fb.cmp(CmpOp::Lt, size, inf);
            let ok = self.fb.binary(BinaryOp::And, nonzero, finite);
            self.reject_unless_true(ok, "mdivide_left_tri_low: the triangular matrix has a zero or non-finite diagonal");
        }
        let mut x = Vec::with_capacity(n * b.cols);
        for c in 0..b.cols {
            let mut col: Vec<Value> = Vec::with_capacity(n);
            for r in 0..n {
                let mut t = b.at(r, c);
                for (p, xp) in col.iter().enumerate() {
                    if self.fb.is_zero_f64(l.at(r, p)) || self.fb.is_zero_f64(*xp) {
                        continue;
                    }
                    let lx = self.fb.binary(BinaryOp::Mul, l.at(r, p), *xp);
                    t = self.fb.binary(BinaryOp::Sub, t, lx);
                }
                // 0 / d is 0 for the finite, non-zero d checked above.
                let v = if self.fb.is_zero_f64(t) { t } else { self.fb.binary(BinaryOp::Div, t, l.at(r, r)) };
                col.push(v);
            }
            x.extend(col);
        }
        x
    }

    /// `log_determinant(a)` (`ln |det a|`) or `determinant(a)` of a small
    /// matrix that is triangular at lowering time (a Cholesky factor held
    /// in values, a `diag_matrix`: zeros on one side of the diagonal are
    /// literals), from its diagonal: `Σ ln |a_ii|` or `Π a_ii`. `None`
    /// when it does not apply (the caller calls the library's LU routine).
    pub(crate) fn try_small_determinant(&mut self, func: &str, a: &TypedExpr) -> LowerResult<Option<Value>> {
        // Only where reading the values costs nothing or they are certainly
        // triangular, so that no code is emitted for a fallback.
        let cheap_or_triangular = match &a.kind {
            TypedExprKind::Var(v) => self.small.contains_key(v),
            TypedExprKind::Call { func, .. } => matches!(func.as_str(), "cholesky_decompose" | "diag_matrix"),
            _ => false,
        };
        if !self.unroll_small || !cheap_or_triangular {
            return Ok(None);
        }
        let Some(m) = self.try_small(a)? else { return Ok(None) };
        let n = m.rows;
        if m.cols != n || m.shape.len() != 2 {
            return Ok(None);
        }
        let zero_above = (0..n).all(|j| (0..j).all(|i| self.fb.is_zero_f64(m.at(i, j))));
        let zero_below = (0..n).all(|j| (j + 1..n).all(|i| self.fb.is_zero_f64(m.at(i, j))));
        if !zero_above && !zero_below {
            return Ok(None);
        }
        let log = if func == "log_determinant" {
            Some(self.symbols.get("hbm_log").ok_or_else(|| LowerError::unsupported(a.span, "the library function `hbm_log`"))?)
        } else {
            None
        };
        let mut acc: Option<Value> = None;
        for i in 0..n {
            let d = m.at(i, i);
            let term = match &log {
                Some(log) => {
                    let size = self.fb.unary(UnaryOp::Abs, d);
                    self.fb.call(log.clone(), vec![CallArg::Value(size)])
                }
                None => d,
            };
            acc = Some(match (acc, log.is_some()) {
                (None, _) => term,
                (Some(s), true) => self.fb.binary(BinaryOp::Add, s, term),
                (Some(s), false) => self.fb.binary(BinaryOp::Mul, s, term),
            });
        }
        Ok(acc)
    }

    /// `L Lᵀ` of the lower triangle of a small `K × N` matrix.
    fn small_lower_tri_self_transpose(&mut self, l: &SmallValue) -> Vec<Value> {
        let (k, n) = (l.rows, l.cols);
        let mut out = vec![None; k * k];
        for j in 0..k {
            for i in j..k {
                let terms: Vec<(Value, Value)> = (0..=j.min(n.saturating_sub(1))).filter(|&p| p < n).map(|p| (l.at(i, p), l.at(j, p))).collect();
                let v = self.dot_terms(&terms);
                out[i + j * k] = Some(v);
                out[j + i * k] = Some(v);
            }
        }
        let zero = self.fb.f64(0.0);
        out.into_iter().map(|v| v.unwrap_or(zero)).collect()
    }

    /// Rejects the evaluation with `message` unless `ok` (an i64 boolean).
    fn reject_unless_true(&mut self, ok: Value, message: &str) {
        let zero = self.fb.i64(0);
        let bad = self.fb.cmp(CmpOp::Eq, ok, zero);
        if self.fb.const_i64(bad) == Some(0) {
            return;
        }
        self.fb.emit(Stmt::If { cond: bad, then: vec![Stmt::Reject(vec![MessagePart::Text(message.into())])], otherwise: Vec::new() });
    }

    /// `dst = a * b` element by element when the inner size is small: each
    /// element is its unrolled inner sum, small axes are unrolled and the
    /// others looped. `false` when the inner size is not small.
    pub(crate) fn try_fill_small_inner_product(&mut self, dst: &Storage, a: &TypedExpr, b: &TypedExpr) -> LowerResult<bool> {
        let (sa, sb) = (self.shape(a)?, self.shape(b)?);
        let (Some((m, k)), Some((_, n))) = (matrix_view(a.ty.elem, &sa), matrix_view(b.ty.elem, &sb)) else { return Ok(false) };
        if !self.unroll_small || k > MAX_SMALL || !a.ty.array.is_empty() || !b.ty.array.is_empty() {
            return Ok(false);
        }
        let a_small = self.try_small(a)?;
        let b_small = self.try_small(b)?;
        // Each element of `a` is read once per column of the result, each of
        // `b` once per row: an operand whose elements cost a library call
        // (`tanh(X * alpha + ...) * beta` in a neural network) is computed
        // once into a buffer rather than once per read, in the forward pass
        // and in the reverse pass's adjoints.
        let a_stored = match a_small.is_none() && n > 1 && costly_elements(a) {
            true => Some(self.materialize_view(a)?),
            false => None,
        };
        let b_stored = match b_small.is_none() && m > 1 && costly_elements(b) {
            true => Some(self.materialize_view(b)?),
            false => None,
        };
        let rows_d = m;
        let dst = dst.clone();
        let mut body = |this: &mut Self, i: Value, j: Value| -> LowerResult<()> {
            let mut terms = Vec::with_capacity(k);
            for p in 0..k {
                let pv = this.fb.i64(p as i64);
                let ia = matrix_index(a.ty.elem, &sa, i, pv);
                let x = match (&a_small, &a_stored) {
                    (Some(sv), _) => this.small_pick(sv, &ia),
                    (None, Some(st)) => this.load_at(st, &ia),
                    (None, None) => this.elem(a, &ia)?,
                };
                let ib = matrix_index(b.ty.elem, &sb, pv, j);
                let y = match (&b_small, &b_stored) {
                    (Some(sv), _) => this.small_pick(sv, &ib),
                    (None, Some(st)) => this.load_at(st, &ib),
                    (None, None) => this.elem(b, &ib)?,
                };
                terms.push((this.fb.to_f64(x), this.fb.to_f64(y)));
            }
            let v = this.dot_terms(&terms);
            let rows = this.fb.i64(rows_d as i64);
            let col = this.fb.binary(BinaryOp::Mul, j, rows);
            let at = this.fb.binary(BinaryOp::Add, i, col);
            this.fb.store(dst.buf, at, v);
            Ok(())
        };
        // Columns outermost (a loop unless few), rows unrolled when few.
        let unroll = |n: usize| n <= MAX_SMALL;
        let each_row = |this: &mut Self, j: Value, body: &mut dyn FnMut(&mut Self, Value, Value) -> LowerResult<()>| -> LowerResult<()> {
            if unroll(m) {
                for i in 0..m {
                    let iv = this.fb.i64(i as i64);
                    body(this, iv, j)?;
                }
                Ok(())
            } else {
                this.loop_n(m, |this, i| body(this, i, j))
            }
        };
        if unroll(n) {
            for j in 0..n {
                let jv = self.fb.i64(j as i64);
                each_row(self, jv, &mut body)?;
            }
        } else {
            self.loop_n(n, |this, j| each_row(this, j, &mut body))?;
        }
        Ok(true)
    }

    /// `dst = non_centered_mvn(mu, tau, L, z)` with a small `K × K` factor:
    /// the `K²` products `tau[i] L[i, p]` once, then per column of `z`
    /// (looped) each row's unrolled `mu[i] + Σ_p tau[i] L[i, p] z[p, j]`,
    /// in place of two library calls and a temporary (the LKJ form's
    /// `L_Omega * z` per grade). `false` when `K` is not small or `L` is
    /// not a small value.
    pub(crate) fn try_fill_small_non_centered_mvn(&mut self, dst: &Storage, args: &[TypedExpr], k: usize, groups: usize) -> LowerResult<bool> {
        if !self.unroll_small || k > MAX_SMALL || args.iter().any(|a| !a.ty.array.is_empty()) {
            return Ok(false);
        }
        let Some(l) = self.try_small(&args[2])? else { return Ok(false) };
        let mut mu = Vec::with_capacity(k);
        let mut scaled = Vec::with_capacity(k * k);
        for i in 0..k {
            let iv = self.fb.i64(i as i64);
            let m = self.elem(&args[0], &[iv])?;
            mu.push(self.fb.to_f64(m));
            let t = self.elem(&args[1], &[iv])?;
            let t = self.fb.to_f64(t);
            for p in 0..k {
                scaled.push(self.fb.binary(BinaryOp::Mul, t, l.at(i, p)));
            }
        }
        let z = &args[3];
        let z_is_matrix = self.shape(z)?.len() == 2;
        let dst = dst.clone();
        let column = |this: &mut Self, j: Option<Value>| -> LowerResult<()> {
            for i in 0..k {
                let mut terms = Vec::with_capacity(k);
                for p in 0..k {
                    let pv = this.fb.i64(p as i64);
                    let idx: Vec<Value> = j.map_or_else(|| vec![pv], |j| vec![pv, j]);
                    let y = this.elem(z, &idx)?;
                    terms.push((scaled[i * k + p], this.fb.to_f64(y)));
                }
                let product = this.dot_terms(&terms);
                let v = this.fb.binary(BinaryOp::Add, mu[i], product);
                let iv = this.fb.i64(i as i64);
                let idx: Vec<Value> = j.map_or_else(|| vec![iv], |j| vec![iv, j]);
                let at = this.offset(&dst, &idx);
                this.fb.store(dst.buf, at, v);
            }
            Ok(())
        };
        if z_is_matrix {
            self.loop_n(groups, |this, j| column(this, Some(j)))?;
        } else {
            column(self, None)?;
        }
        Ok(true)
    }

    /// `y ~ multi_normal_cholesky(mu, L)` with a small `K × K` factor:
    /// `-K/2 log 2π - Σ log L_ii - ½‖L⁻¹(y - μ)‖²` per variate by forward
    /// substitution, `-∞` (as the library routine) when the diagonal is not
    /// positive or the value is not finite. `false` when it does not apply.
    pub(super) fn try_small_multi_normal_cholesky(
        &mut self,
        variate: &TypedExpr,
        params: &[TypedExpr],
        sink: super::stmt::Sink,
    ) -> LowerResult<bool> {
        let Some(l) = self.try_small(&params[1])? else { return Ok(false) };
        let k = l.rows;
        if l.cols != k {
            return Ok(false);
        }
        let facts = match &params[1].kind {
            TypedExprKind::Var(v) => self.factor_facts.get(v).cloned(),
            _ => None,
        };
        let y_shape = self.shape(variate)?;
        let mu_shape = self.shape(&params[0])?;
        let count_of = |e: &TypedExpr, s: &[usize]| -> Option<usize> {
            match s {
                [n] if *n == k && e.ty.array.is_empty() => Some(1),
                [c, n] if *n == k && e.ty.array.len() == 1 => Some(*c),
                _ => None,
            }
        };
        let (Some(cy), Some(cm)) = (count_of(variate, &y_shape), count_of(&params[0], &mu_shape)) else { return Ok(false) };
        let count = match (cy, cm) {
            (a, b) if a == b || b == 1 => a,
            (1, b) => b,
            _ => return Ok(false),
        };
        let facts = match facts {
            Some(f) => f,
            None => self.factor_facts(&l)?,
        };
        let y_small = if cy == 1 { self.try_small(variate)? } else { None };
        let mu_small = if cm == 1 { self.try_small(&params[0])? } else { None };
        let term = |this: &mut Self, i: Value| -> LowerResult<()> {
            let mut z: Vec<Value> = Vec::with_capacity(k);
            let mut sq: Option<Value> = None;
            for r in 0..k {
                let rv = this.fb.i64(r as i64);
                let y = match &y_small {
                    Some(sv) => sv.vals[r],
                    None if cy == 1 => this.elem(variate, &[rv])?,
                    None => this.elem(variate, &[i, rv])?,
                };
                let m = match &mu_small {
                    Some(sv) => sv.vals[r],
                    None if cm == 1 => this.elem(&params[0], &[rv])?,
                    None => this.elem(&params[0], &[i, rv])?,
                };
                let (y, m) = (this.fb.to_f64(y), this.fb.to_f64(m));
                let mut t = this.fb.binary(BinaryOp::Sub, y, m);
                for (p, zp) in z.iter().enumerate() {
                    if this.fb.is_zero_f64(l.at(r, p)) {
                        continue;
                    }
                    let x = this.fb.binary(BinaryOp::Mul, l.at(r, p), *zp);
                    t = this.fb.binary(BinaryOp::Sub, t, x);
                }
                let zr = this.fb.binary(BinaryOp::Mul, t, facts.inv_diag[r]);
                z.push(zr);
                let z2 = this.fb.binary(BinaryOp::Mul, zr, zr);
                sq = Some(match sq {
                    None => z2,
                    Some(s) => this.fb.binary(BinaryOp::Add, s, z2),
                });
            }
            let zero = this.fb.f64(0.0);
            let sq = sq.unwrap_or(zero);
            let half = this.fb.f64(-0.5);
            let quad = this.fb.binary(BinaryOp::Mul, half, sq);
            let c = this.fb.f64(-(k as f64) * HALF_LN_2PI);
            let base = this.fb.binary(BinaryOp::Sub, c, facts.log_det);
            let v = this.fb.binary(BinaryOp::Add, base, quad);
            // `v` is finite exactly when `base` and `sq` are (`|base|` is
            // below 2^10 K when finite, `quad` in [-0.9e308, 0], so their
            // sum cannot overflow): the test of `base` is the factor's,
            // out of a loop over variates, and each variate tests `sq`
            // alone, off the chain of `v`.
            let inf = this.fb.f64(f64::INFINITY);
            let ninf = this.fb.f64(f64::NEG_INFINITY);
            let below = this.fb.cmp(CmpOp::Lt, base, inf);
            let above = this.fb.cmp(CmpOp::Gt, base, ninf);
            let base_ok = this.fb.binary(BinaryOp::And, below, above);
            let factor_ok = this.fb.binary(BinaryOp::And, base_ok, facts.diag_ok);
            let sq_ok = this.fb.cmp(CmpOp::Lt, sq, inf);
            let ok = this.fb.binary(BinaryOp::And, factor_ok, sq_ok);
            let lp = this.fb.select(ok, v, ninf);
            this.emit_term(sink, lp);
            Ok(())
        };
        if count == 1 {
            let zero = self.fb.i64(0);
            term(self, zero)?;
        } else {
            self.loop_n(count, |this, i| term(this, i))?;
        }
        Ok(true)
    }
}

/// The index of element `(i, j)` of the matrix view of a non-array
/// expression of type `elem` and shape `s`: a vector (`n × 1`) is indexed
/// by its row, a row vector (`1 × n`) by its column.
fn matrix_index(elem: ElemType, s: &[usize], i: Value, j: Value) -> Vec<Value> {
    match (s.len(), elem) {
        (2, _) => vec![i, j],
        (_, ElemType::RowVector(_)) => vec![j],
        _ => vec![i],
    }
}

impl Lowerer<'_> {
    /// The small value of `e` when it is an expression otherwise computed
    /// whole into a buffer (so `fill` stores its values instead).
    pub(crate) fn small_whole(&mut self, e: &TypedExpr) -> LowerResult<Option<SmallValue>> {
        if !is_whole_kind(e) {
            return Ok(None);
        }
        self.try_small(e)
    }
}

/// Whether computing one element of `e` where it is read calls an
/// elementwise math function of the library (`tanh`, `exp`, ...): reading
/// such an operand more than once would call it again each time. (Other
/// calls are stored once where read, so reading them again costs a load.)
fn costly_elements(e: &TypedExpr) -> bool {
    match &e.kind {
        TypedExprKind::Call { func, .. } if super::ragged::ELEMENTWISE.contains(&func.as_str()) => true,
        _ => e.children().into_iter().any(costly_elements),
    }
}
