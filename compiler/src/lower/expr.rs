//! Expressions, element by element.
//!
//! [`Lowerer::elem`] emits the scalar code for one element of an
//! expression at a multi-index (0-based `i64` values, one per axis of the
//! expression's shape). Elementwise operators map the result's index onto
//! each operand by dim name (the checker's broadcasting rules); indexing maps
//! it onto the base; only reductions and linear algebra are materialised.
//!
//! Index safety: a value whose type is a member of dim `d` is always in
//! `1..=size(d)` (data are validated at binding, dim loops stay in range, and
//! assignments to index-typed variables are range-checked), so it indexes an
//! axis over `d` without a check. Every other index is checked at run time
//! and an out-of-range one rejects the evaluation, as Stan does.

use super::{LowerError, LowerResult, Lowerer, Storage};
use crate::check::broadcast::union_named;
use crate::check::typed::{TypedExpr, TypedExprKind, TypedIndex, VarId};
use crate::check::types::{Axis, ElemType, Type};
use crate::ir::{Arena, BinaryOp, CallArg, CmpOp, Expr, MessagePart, ScalarType, Stmt, UnaryOp, Value};
use crate::syntax::ast::{BinOp, UnOp};

/// For each axis of `operand`, the position of the result axis it follows:
/// by dim name when every axis is named, by position otherwise.
pub(crate) fn axis_map(result: &[Axis], operand: &[Axis]) -> Option<Vec<usize>> {
    if operand.is_empty() {
        return Some(Vec::new());
    }
    if union_named(result, operand).is_some() {
        operand.iter().map(|a| result.iter().position(|r| r == a)).collect()
    } else if operand.len() == result.len() {
        Some((0..operand.len()).collect())
    } else {
        None
    }
}

/// An int expression as `coef * var + constant` (see
/// [`Lowerer::linear_in_one_var`]).
#[derive(Clone, Copy, Debug, PartialEq)]
struct Linear {
    var: Option<VarId>,
    coef: i64,
    constant: i64,
}

impl Lowerer<'_> {
    /// A scalar expression's value.
    pub fn scalar(&mut self, e: &TypedExpr) -> LowerResult<Value> {
        self.elem(e, &[])
    }

    /// The concrete shape of an expression's value, every axis.
    pub fn shape(&mut self, e: &TypedExpr) -> LowerResult<Vec<usize>> {
        use TypedExprKind as K;
        Ok(match &e.kind {
            K::IntLit(_) | K::RealLit(_) | K::DimSize(_) | K::Target => Vec::new(),
            K::Var(v) => match self.storage.get(v) {
                Some(s) => super::complex::declared_shape(&e.ty, s),
                // Computed where read: the declared shape.
                None if self.inlined.contains_key(v) || self.filled.contains_key(v) => self.shapes.get(v).cloned().unwrap_or_default(),
                None if self.small.contains_key(v) => self.small.get(v).map(|s| s.shape.clone()).unwrap_or_default(),
                // Not laid out yet (the run-time-length rewrite reads sizes
                // before any storage exists): its declared shape, so that
                // `rows(a + x)` is as constant as `rows(x)`. A shape no
                // lowering-time value gives stays unknown (empty), which
                // the callers that take an axis of it refuse.
                None => self.declared_shape(*v).unwrap_or_default(),
            },
            K::Binary { op, lhs, rhs } => match op {
                BinOp::Mul if !lhs.ty.is_scalar() && !rhs.ty.is_scalar() => {
                    let (l, r) = (self.shape(lhs)?, self.shape(rhs)?);
                    // The inner sizes (none for an outer product): Stan
                    // rejects every evaluation where they differ.
                    let inner = match (l.len(), r.len(), lhs.ty.elem) {
                        (1, 1, ElemType::RowVector(_)) | (1, 2, _) => Some((l[0], r[0])),
                        (2, 1, _) | (2, 2, _) => Some((l[1], r[0])),
                        _ => None,
                    };
                    if let Some((a, b)) = inner.filter(|(a, b)| a != b) {
                        return Err(LowerError::sizes(e.span, format!("`*` of {l:?} by {r:?}: the left's {a} columns and the right's {b} rows differ")));
                    }
                    match (l.len(), r.len(), lhs.ty.elem, rhs.ty.elem) {
                        (1, 1, ElemType::RowVector(_), _) => Vec::new(),
                        (1, 1, _, _) => vec![l[0], r[0]],
                        (2, 1, _, _) => vec![l[0]],
                        (1, 2, _, _) => vec![r[1]],
                        (2, 2, _, _) => vec![l[0], r[1]],
                        _ => return Err(LowerError::unsupported(e.span, "this product")),
                    }
                }
                _ if e.ty.is_scalar() => Vec::new(),
                _ => self.broadcast_shape(&e.ty, &[lhs, rhs], e)?,
            },
            K::Unary { op: UnOp::Transpose, operand } => {
                let mut s = self.shape(operand)?;
                s.reverse();
                s
            }
            K::Unary { operand, .. } => self.shape(operand)?,
            K::Ternary { then, .. } => self.shape(then)?,
            K::Index { base, indices, zipped } => {
                let base_shape = self.shape(base)?;
                let mut out = Vec::new();
                for (pos, index) in indices.iter().enumerate() {
                    if zipped.iter().any(|g| g[1..].contains(&pos)) {
                        continue;
                    }
                    match index {
                        TypedIndex::Single(_) => {}
                        TypedIndex::Multi(ix) => out.push(self.shape(ix)?.first().copied().unwrap_or(0)),
                        TypedIndex::All => out.push(*base_shape.get(pos).ok_or_else(|| LowerError::unsupported(e.span, "a shape that cannot be determined"))?),
                        TypedIndex::Range { lower: Some(l), upper: Some(u) } => {
                            let width = self.range_width(l, u)?;
                            out.push((width).max(0) as usize);
                        }
                        TypedIndex::Range { lower, upper } => {
                            let lo = match lower {
                                Some(l) => self.const_int(l)?,
                                None => 1,
                            };
                            let hi = match upper {
                                Some(u) => self.const_int(u)?,
                                None => base_shape[pos] as i64,
                            };
                            out.push((hi - lo + 1).max(0) as usize);
                        }
                    }
                }
                out.extend_from_slice(&base_shape[indices.len().min(base_shape.len())..]);
                out
            }
            K::Call { func, args } => self.call_shape(func, args, e)?,
            K::ArrayExpr(items) => {
                let mut s = vec![items.len()];
                if let Some(first) = items.first() {
                    s.extend(self.shape(first)?);
                }
                s
            }
            K::RowVectorExpr(items) => match items.first() {
                Some(first) if !first.ty.is_scalar() => vec![items.len(), self.shape(first)?[0]],
                _ => vec![items.len()],
            },
        })
    }

    /// The shape of an elementwise combination: each result axis takes its
    /// size from an operand that has it.
    pub fn broadcast_shape(&mut self, result: &Type, operands: &[&TypedExpr], at: &TypedExpr) -> LowerResult<Vec<usize>> {
        let ra = result.axes();
        let mut sizes: Vec<Option<usize>> = vec![None; ra.len()];
        for op in operands {
            let shape = self.shape(op)?;
            let map = axis_map(&ra, &op.ty.axes()).ok_or_else(|| LowerError::unsupported(at.span, "shapes that do not align"))?;
            for (k, &r) in map.iter().enumerate() {
                if let Some(&s) = shape.get(k) {
                    // Operands along one axis must agree (`y ~ poisson_log(mu)`
                    // with 3 counts and 4 rates): Stan rejects every such
                    // evaluation, and reading one size for both would read
                    // past the shorter.
                    if let Some(prev) = sizes[r].filter(|&p| p != s) {
                        return Err(LowerError::sizes(at.span, format!("one argument has {prev} elements along an axis where another has {s}")));
                    }
                    sizes[r] = Some(s);
                }
            }
        }
        sizes
            .into_iter()
            .map(|s| s.ok_or_else(|| LowerError::unsupported(at.span, "a shape that cannot be determined")))
            .collect()
    }

    /// The number of elements of the slice `lower:upper`: from the bounds'
    /// values when both are constants of the data, else from their
    /// difference when both are the same multiple of one variable plus
    /// constants (`x[t - 11 : t - 1]` in a loop over `t` has 11 elements
    /// each time, `x[(t - 1) * m + 1 : t * m]` with `m` data has `m`).
    pub(super) fn range_width(&mut self, lower: &TypedExpr, upper: &TypedExpr) -> LowerResult<i64> {
        if let (Ok(lo), Ok(hi)) = (self.const_int(lower), self.const_int(upper)) {
            return Ok(hi - lo + 1);
        }
        match (self.linear_in_one_var(lower), self.linear_in_one_var(upper)) {
            (Some(lo), Some(hi)) if lo.var == hi.var && lo.coef == hi.coef => Ok(hi.constant - lo.constant + 1),
            // `v[i : i + 2]` with any `i` (`pos[ii[n]]`) has 3 elements.
            _ => super::ragged::width_of_offset_slice(lower, upper).ok_or_else(|| LowerError::unsupported(
                upper.span,
                "a slice whose length is not a constant of the data (its bounds must be constants, or the same multiple of one variable plus constants)",
            )),
        }
    }

    /// `e` as `coef * var + constant` with `coef` and `constant` constants
    /// of the data: `t - 11` is `1 t - 11`, `(t - 1) * m + 1` with `m`
    /// data is `m t + (1 - m)`; a constant has no variable. `None` for
    /// anything else (two variables, a product of variables, overflow).
    fn linear_in_one_var(&mut self, e: &TypedExpr) -> Option<Linear> {
        use TypedExprKind as K;
        if let Ok(n) = self.const_int(e) {
            return Some(Linear { var: None, coef: 0, constant: n });
        }
        let combine = |a: Linear, b: Linear, sign: i64| -> Option<Linear> {
            let var = match (a.var, b.var) {
                (Some(x), Some(y)) if x != y => return None,
                (x, y) => x.or(y),
            };
            Some(Linear {
                var,
                coef: a.coef.checked_add(sign.checked_mul(b.coef)?)?,
                constant: a.constant.checked_add(sign.checked_mul(b.constant)?)?,
            })
        };
        match &e.kind {
            K::Var(v) if e.ty.is_int_scalar() => Some(Linear { var: Some(*v), coef: 1, constant: 0 }),
            K::Binary { op: BinOp::Add, lhs, rhs } => combine(self.linear_in_one_var(lhs)?, self.linear_in_one_var(rhs)?, 1),
            K::Binary { op: BinOp::Sub, lhs, rhs } => combine(self.linear_in_one_var(lhs)?, self.linear_in_one_var(rhs)?, -1),
            K::Binary { op: BinOp::Mul, lhs, rhs } if e.ty.is_int_scalar() => {
                let (a, b) = (self.linear_in_one_var(lhs)?, self.linear_in_one_var(rhs)?);
                let (x, k) = match (a.var, b.var) {
                    (_, None) => (a, b.constant),
                    (None, _) => (b, a.constant),
                    _ => return None,
                };
                Some(Linear { var: x.var, coef: x.coef.checked_mul(k)?, constant: x.constant.checked_mul(k)? })
            }
            _ => None,
        }
    }

    /// The value of a data-only int expression, known at lowering time.
    pub fn const_int(&mut self, e: &TypedExpr) -> LowerResult<i64> {
        use TypedExprKind as K;
        let bad = || LowerError::unsupported(e.span, "a size or range bound that is not a constant of the data");
        match &e.kind {
            K::IntLit(v) => Ok(*v),
            K::DimSize(d) => Ok(self.bound.dim_sizes.get(*d).copied().unwrap_or(0) as i64),
            K::Var(v) => match self.bound.value(*v).and_then(|d| d.as_int()) {
                Some(n) => Ok(n),
                // An int declared with a value and never assigned again has
                // that value wherever it is read.
                None => match self.constant_int(*v) {
                    Some(init) => self.const_int(&init),
                    None => Err(bad()),
                },
            },
            K::Unary { op: UnOp::Neg, operand } => Ok(-self.const_int(operand)?),
            K::Binary { op, lhs, rhs } if lhs.ty.is_int_valued() && rhs.ty.is_int_valued() => {
                let (a, b) = (self.const_int(lhs)?, self.const_int(rhs)?);
                let truth = |c: bool| Ok(i64::from(c));
                match op {
                    BinOp::Add => Ok(a + b),
                    BinOp::Sub => Ok(a - b),
                    BinOp::Mul => Ok(a * b),
                    BinOp::Div | BinOp::IntDiv if b != 0 => Ok(a / b),
                    BinOp::Mod if b != 0 => Ok(a % b),
                    BinOp::Eq => truth(a == b),
                    BinOp::Neq => truth(a != b),
                    BinOp::Lt => truth(a < b),
                    BinOp::Leq => truth(a <= b),
                    BinOp::Gt => truth(a > b),
                    BinOp::Geq => truth(a >= b),
                    BinOp::And => truth(a != 0 && b != 0),
                    BinOp::Or => truth(a != 0 || b != 0),
                    _ => Err(bad()),
                }
            }
            K::Ternary { cond, then, otherwise } if cond.ty.is_int_valued() => {
                if self.const_int(cond)? != 0 { self.const_int(then) } else { self.const_int(otherwise) }
            }
            // `dims(x)[k]`: a size of x, known from its shape.
            K::Index { base, indices, .. } if indices.len() == 1 => match (&base.kind, &indices[0]) {
                (K::Call { func, args }, crate::check::typed::TypedIndex::Single(k)) if func == "dims" => {
                    let k = self.const_int(k)?;
                    let s = self.shape(&args[0])?;
                    usize::try_from(k - 1).ok().and_then(|k| s.get(k)).map(|&n| n as i64).ok_or_else(|| {
                        LowerError::unsupported(e.span, format!("`dims(...)[{k}]` of a value with {} dimensions", s.len()))
                    })
                }
                _ => Err(bad()),
            },
            K::Call { func, args } if func == "size" && matches!(args[0].kind, K::DimSize(_)) => self.const_int(&args[0]),
            K::Call { func, args } if matches!(func.as_str(), "size" | "num_elements" | "rows" | "cols") => {
                let s = self.shape(&args[0])?;
                // A container with no shape yet (before the layout, as the
                // read-cell analysis and the ragged rewrite see variables)
                // has its declared shape (`shape`), or, when that is not
                // known, the size the data give it: never 1
                // (`for (i in 1:size(tp))` of a transformed parameter read
                // only its first cell).
                if matches!(args[0].kind, K::Var(_)) && s.is_empty() && !args[0].ty.is_scalar() {
                    return crate::bind::const_int_of_data(self.bound, e).ok_or_else(bad);
                }
                Ok(match func.as_str() {
                    "size" | "rows" => s.first().copied().unwrap_or(1),
                    "cols" => s.get(1).copied().unwrap_or(1),
                    _ => s.iter().product(),
                } as i64)
            }
            // Anything else the data evaluator folds (`sum(m) - 1` of an int
            // array computed in transformed data, `max(k)`, ...).
            _ => crate::bind::const_int_of_data(self.bound, e).ok_or_else(bad),
        }
    }

    /// Emits the element of `e` at `idx`.
    pub fn elem(&mut self, e: &TypedExpr, idx: &[Value]) -> LowerResult<Value> {
        use TypedExprKind as K;
        if e.ty.is_complex_valued() && !matches!(e.kind, K::Var(_) | K::Index { .. }) {
            // One part of a complex value (see `complex`).
            let (re, im) = self.complex_elem(e, idx)?;
            return match self.complex_part {
                Some(0) => Ok(re),
                Some(_) => Ok(im),
                None => Err(LowerError::unsupported(e.span, "a complex value where a real one is needed; take `get_real`/`get_imag` of it")),
            };
        }
        if let Some(v) = self.small_elem(e, idx)? {
            return Ok(v);
        }
        match &e.kind {
            K::IntLit(v) => Ok(self.fb.i64(*v)),
            K::RealLit(v) => Ok(self.fb.f64(*v)),
            K::DimSize(d) => {
                let n = self.bound.dim_sizes.get(*d).copied().unwrap_or(0);
                Ok(self.fb.i64(n as i64))
            }
            // Generated quantities recompute the transformed parameters with
            // no log density, where Stan's `target()` reads its fresh 0.
            K::Target if self.kind() != crate::ir::FunctionKind::LogDensity => Ok(self.fb.f64(0.0)),
            K::Target => Ok(self.fb.define(ScalarType::F64, Expr::Target)),
            K::Var(v) => {
                if let Some(val) = self.scalars.get(v) {
                    return Ok(*val);
                }
                if let Some(init) = self.inlined.get(v).cloned() {
                    return self.elem(&init, idx);
                }
                if self.filled.contains_key(v) {
                    return self.filled_elem(*v, idx, e);
                }
                let storage = self
                    .storage
                    .get(v)
                    .cloned()
                    .ok_or_else(|| LowerError::unsupported(e.span, format!("variable `{}` without storage", self.program.var(*v).name)))?;
                if e.ty.is_complex_valued() {
                    let full = self.complex_load_index(&storage, idx, e)?;
                    let offset = self.offset(&storage, &full);
                    return Ok(self.fb.load(storage.buf, offset, storage.ty));
                }
                Ok(self.load_at(&storage, idx))
            }
            K::Binary { op, lhs, rhs } => self.binary_elem(e, *op, lhs, rhs, idx),
            K::Unary { op, operand } => match op {
                UnOp::Transpose => {
                    let rev: Vec<Value> = idx.iter().rev().copied().collect();
                    self.elem(operand, &rev)
                }
                UnOp::Plus => self.elem(operand, idx),
                UnOp::Neg => {
                    let v = self.elem(operand, idx)?;
                    let v = if e.ty.is_int_valued() { v } else { self.fb.to_f64(v) };
                    Ok(self.fb.unary(UnaryOp::Neg, v))
                }
                UnOp::Not => {
                    let v = self.elem(operand, idx)?;
                    let zero = self.zero_like(v);
                    Ok(self.fb.cmp(CmpOp::Eq, v, zero))
                }
            },
            K::Ternary { cond, then, otherwise } => {
                let c = self.scalar(cond)?;
                let zero = self.zero_like(c);
                let c = self.fb.cmp(CmpOp::Ne, c, zero);
                let ty = if e.ty.is_int_valued() { ScalarType::I64 } else { ScalarType::F64 };
                let cell = self.temp_buffer("ternary", ty, 1);
                let at = self.fb.i64(0);
                self.fb.open();
                let t = self.elem(then, idx)?;
                let t = if ty == ScalarType::F64 { self.fb.to_f64(t) } else { t };
                self.fb.store(cell, at, t);
                let then_block = self.fb.close();
                self.fb.open();
                let o = self.elem(otherwise, idx)?;
                let o = if ty == ScalarType::F64 { self.fb.to_f64(o) } else { o };
                self.fb.store(cell, at, o);
                let else_block = self.fb.close();
                self.fb.emit(Stmt::If { cond: c, then: then_block, otherwise: else_block });
                Ok(self.fb.load(cell, at, ty))
            }
            K::Index { base, indices, zipped } => self.index_elem(e, base, indices, zipped, idx),
            K::Call { func, args } => self.call_elem(e, func, args, idx),
            K::ArrayExpr(_) | K::RowVectorExpr(_) => {
                let storage = self.materialize(e)?;
                Ok(self.load_at(&storage, idx))
            }
        }
    }

    /// A zero of the value's type.
    pub fn zero_like(&mut self, v: Value) -> Value {
        match self.fb.type_of(v) {
            ScalarType::F64 => self.fb.f64(0.0),
            ScalarType::I64 => self.fb.i64(0),
        }
    }

    /// The element of a broadcast operand: its own index from the result's.
    pub fn operand_elem(&mut self, result: &Type, operand: &TypedExpr, idx: &[Value]) -> LowerResult<Value> {
        if idx.is_empty() || operand.ty.axes().is_empty() {
            return self.elem(operand, &[]);
        }
        let map = axis_map(&result.axes(), &operand.ty.axes())
            .ok_or_else(|| LowerError::unsupported(operand.span, "an operand whose shape does not align"))?;
        let sub: Vec<Value> = map.iter().map(|&r| idx[r]).collect();
        self.elem(operand, &sub)
    }

    fn binary_elem(&mut self, e: &TypedExpr, op: BinOp, lhs: &TypedExpr, rhs: &TypedExpr, idx: &[Value]) -> LowerResult<Value> {
        let int_result = e.ty.is_int_valued();
        match op {
            BinOp::Mul if !lhs.ty.is_scalar() && !rhs.ty.is_scalar() => {
                // Not computed ahead of the element loop: one element
                // costs a few multiply-adds when the inner size is small,
                // where computing the whole product would cost them all.
                if self.hoisted_storage(e).is_none() {
                    if let Some(v) = self.small_inner_product_elem(e, lhs, rhs, idx)? {
                        return Ok(v);
                    }
                }
                let storage = self.materialize(e)?;
                return Ok(self.load_at(&storage, idx));
            }
            BinOp::And | BinOp::Or => return self.logical(op, lhs, rhs),
            _ => {}
        }
        let a = self.operand_elem(&e.ty, lhs, idx)?;
        let b = self.operand_elem(&e.ty, rhs, idx)?;
        let both_int = self.fb.type_of(a) == ScalarType::I64 && self.fb.type_of(b) == ScalarType::I64;
        let (a, b) = if both_int { (a, b) } else { (self.fb.to_f64(a), self.fb.to_f64(b)) };
        Ok(match op {
            BinOp::Add => self.fb.binary(BinaryOp::Add, a, b),
            BinOp::Sub => self.fb.binary(BinaryOp::Sub, a, b),
            BinOp::Mul | BinOp::EltMul => self.fb.binary(BinaryOp::Mul, a, b),
            BinOp::Div | BinOp::EltDiv | BinOp::IntDiv => {
                if int_result {
                    self.check_nonzero(b, e)?;
                }
                self.fb.binary(BinaryOp::Div, a, b)
            }
            BinOp::Mod => {
                self.check_nonzero(b, e)?;
                self.fb.binary(BinaryOp::Rem, a, b)
            }
            BinOp::Pow | BinOp::EltPow => {
                let (a, b) = (self.fb.to_f64(a), self.fb.to_f64(b));
                if is_literal_two(rhs) {
                    // `x ^ 2` is x * x, as `square`: both are correctly
                    // rounded (so the same bits as `pow`), without the call
                    // and with the multiply's adjoint.
                    return Ok(self.fb.binary(BinaryOp::Mul, a, a));
                }
                let f = self.func("hbm_pow", e)?;
                self.fb.call(f, vec![CallArg::Value(a), CallArg::Value(b)])
            }
            BinOp::Eq => self.fb.cmp(CmpOp::Eq, a, b),
            BinOp::Neq => self.fb.cmp(CmpOp::Ne, a, b),
            BinOp::Lt => self.fb.cmp(CmpOp::Lt, a, b),
            BinOp::Leq => self.fb.cmp(CmpOp::Le, a, b),
            BinOp::Gt => self.fb.cmp(CmpOp::Gt, a, b),
            BinOp::Geq => self.fb.cmp(CmpOp::Ge, a, b),
            BinOp::And | BinOp::Or | BinOp::LeftDiv => unreachable_binop(e)?,
        })
    }

    /// `&&` and `||` evaluate their right side only when needed (Stan).
    fn logical(&mut self, op: BinOp, lhs: &TypedExpr, rhs: &TypedExpr) -> LowerResult<Value> {
        let cell = self.temp_buffer("logical", ScalarType::I64, 1);
        let at = self.fb.i64(0);
        let a = self.scalar(lhs)?;
        let zero = self.zero_like(a);
        let a_true = self.fb.cmp(CmpOp::Ne, a, zero);
        self.fb.store(cell, at, a_true);
        let need_rhs = if op == BinOp::And {
            a_true
        } else {
            let zero = self.fb.i64(0);
            self.fb.cmp(CmpOp::Eq, a_true, zero)
        };
        self.fb.open();
        let b = self.scalar(rhs)?;
        let zero = self.zero_like(b);
        let b_true = self.fb.cmp(CmpOp::Ne, b, zero);
        self.fb.store(cell, at, b_true);
        let then = self.fb.close();
        self.fb.emit(Stmt::If { cond: need_rhs, then, otherwise: Vec::new() });
        Ok(self.fb.load(cell, at, ScalarType::I64))
    }

    /// Rejects the evaluation when an integer divisor is zero.
    fn check_nonzero(&mut self, b: Value, e: &TypedExpr) -> LowerResult<()> {
        let _ = e;
        // A user function cannot reject with a message; the native
        // operation rejects with the same one (`interp::ops::DIV_BY_ZERO`).
        if let crate::ir::FunctionKind::User(_) = self.kind() {
            return Ok(());
        }
        let zero = self.fb.i64(0);
        let is_zero = self.fb.cmp(CmpOp::Eq, b, zero);
        self.fb.emit(Stmt::If {
            cond: is_zero,
            then: vec![Stmt::Reject(vec![MessagePart::Text("integer division by zero".into())])],
            otherwise: Vec::new(),
        });
        Ok(())
    }

    fn index_elem(
        &mut self,
        e: &TypedExpr,
        base: &TypedExpr,
        indices: &[TypedIndex],
        zipped: &[Vec<usize>],
        idx: &[Value],
    ) -> LowerResult<Value> {
        let base_shape = self.shape(base)?;
        let base_idx = self.base_index(e, &base.ty, &base_shape, indices, zipped, idx)?;
        self.elem(base, &base_idx)
    }

    /// The index into the base container of `base[indices]` for the
    /// element at `idx` of the indexed result (0-based values).
    pub(crate) fn base_index(
        &mut self,
        e: &TypedExpr,
        base_ty: &Type,
        base_shape: &[usize],
        indices: &[TypedIndex],
        zipped: &[Vec<usize>],
        idx: &[Value],
    ) -> LowerResult<Vec<Value>> {
        let base_axes = base_ty.axes();
        let mut base_idx: Vec<Value> = Vec::with_capacity(base_shape.len());
        let mut result_pos = 0usize;
        // Result axis of each zipped group's leader.
        let mut group_axis: Vec<(usize, usize)> = Vec::new();
        let missing = || LowerError::unsupported(e.span, "an index past the result's axes");
        for (pos, index) in indices.iter().enumerate() {
            let axis = base_axes.get(pos).copied().unwrap_or(Axis::Anon);
            let size = base_shape.get(pos).copied().unwrap_or(0);
            let follower_of = zipped.iter().find(|g| g[1..].contains(&pos)).map(|g| g[0]);
            let i0 = match index {
                TypedIndex::Single(ix) => {
                    let v = self.scalar(ix)?;
                    self.checked_index(v, &ix.ty, axis, size, ix)?
                }
                TypedIndex::Multi(ix) => {
                    let r = match follower_of {
                        Some(leader) => group_axis.iter().find(|(l, _)| *l == leader).map(|(_, r)| *r).unwrap_or(0),
                        None => {
                            let r = result_pos;
                            result_pos += 1;
                            group_axis.push((pos, r));
                            r
                        }
                    };
                    let at = idx.get(r).copied().ok_or_else(missing)?;
                    let v = self.elem(ix, &[at])?;
                    let elem_ty = Type::scalar_or_elem(ix.ty.elem);
                    self.checked_index(v, &elem_ty, axis, size, ix)?
                }
                TypedIndex::All => {
                    let r = result_pos;
                    result_pos += 1;
                    idx.get(r).copied().ok_or_else(missing)?
                }
                TypedIndex::Range { lower, .. } => {
                    let r = result_pos;
                    result_pos += 1;
                    let at = idx.get(r).copied().ok_or_else(missing)?;
                    match lower {
                        Some(l) => {
                            let lo = self.scalar(l)?;
                            let one = self.fb.i64(1);
                            let lo0 = self.fb.binary(BinaryOp::Sub, lo, one);
                            let i = self.fb.binary(BinaryOp::Add, lo0, at);
                            self.range_check(i, size, e)?
                        }
                        None => at,
                    }
                }
            };
            base_idx.push(i0);
        }
        // Axes not indexed follow the result's trailing axes.
        for _ in indices.len()..base_shape.len() {
            base_idx.push(idx.get(result_pos).copied().ok_or_else(missing)?);
            result_pos += 1;
        }
        Ok(base_idx)
    }

    /// A 1-based index value turned 0-based, with a run-time range check
    /// unless the value is a member of the axis's own dim.
    pub(super) fn checked_index(&mut self, v: Value, ty: &Type, axis: Axis, size: usize, at: &TypedExpr) -> LowerResult<Value> {
        let i0 = match self.one_based.get(&v) {
            Some(&i0) => i0,
            None => {
                let one = self.fb.i64(1);
                self.fb.binary(BinaryOp::Sub, v, one)
            }
        };
        let safe = matches!((ty.elem, axis), (ElemType::Int { index_of: Some(d) }, Axis::Dim(a)) if d == a);
        // Values known to lie in `1..=size` (literals, loop variables over
        // constant bounds, data within the axis) need no check.
        let known_ok = matches!(self.value_range(at), Some((lo, hi)) if lo >= 1 && hi <= size as i64);
        if !safe && !known_ok {
            return self.range_check(i0, size, at);
        }
        Ok(i0)
    }

    /// Rejects the evaluation unless `0 <= i0 < size`, and returns the
    /// index to use from here on: `i0` itself, or, when `i0` is a constant
    /// outside the axis, 0. Such a constant arises in code that never runs
    /// with it (a copy per run-time length under a guard, `if (d < D) prev
    /// = L[d + 1, 1:d] * head(z, d);` copied for `d = D`), and where it
    /// does run the reject emitted here comes first, so the load after it
    /// is never reached; the verifier refuses a constant index out of its
    /// buffer, so the load is given one inside it.
    #[must_use = "the checked index replaces `i0`"]
    pub(crate) fn range_check(&mut self, i0: Value, size: usize, _at: &TypedExpr) -> LowerResult<Value> {
        let zero = self.fb.i64(0);
        let n = self.fb.i64(size as i64);
        let below = self.fb.cmp(CmpOp::Lt, i0, zero);
        let above = self.fb.cmp(CmpOp::Ge, i0, n);
        let bad = self.fb.binary(BinaryOp::Or, below, above);
        let one = self.fb.i64(1);
        let shown = self.fb.binary(BinaryOp::Add, i0, one);
        self.fb.emit(Stmt::If {
            cond: bad,
            then: vec![Stmt::Reject(vec![
                MessagePart::Text("index ".into()),
                MessagePart::Value(shown),
                MessagePart::Text(format!(" out of range; expecting index to be between 1 and {size}")),
            ])],
            otherwise: Vec::new(),
        });
        Ok(match self.fb.const_i64(bad) {
            Some(b) if b != 0 => zero,
            _ => i0,
        })
    }

    /// The element of a stored value at a multi-index.
    pub fn load_at(&mut self, s: &Storage, idx: &[Value]) -> Value {
        let offset = self.offset(s, idx);
        self.fb.load(s.buf, offset, s.ty)
    }

    /// The offset of a multi-index within a variable's buffer (Stan's
    /// layout: arrays row-major, matrices column-major).
    pub fn offset(&mut self, s: &Storage, idx: &[Value]) -> Value {
        if idx.is_empty() {
            return self.fb.i64(0);
        }
        let rank = s.array_rank.min(idx.len());
        let elem_shape = &s.shape[s.array_rank.min(s.shape.len())..];
        let elem_len: usize = elem_shape.iter().product();
        let mut acc: Option<Value> = None;
        for k in 0..rank {
            acc = Some(match acc {
                None => idx[k],
                Some(a) => {
                    let size = self.fb.i64(s.shape[k] as i64);
                    let scaled = self.fb.binary(BinaryOp::Mul, a, size);
                    self.fb.binary(BinaryOp::Add, scaled, idx[k])
                }
            });
        }
        let outer = match acc {
            Some(a) if elem_len != 1 => {
                let len = self.fb.i64(elem_len as i64);
                Some(self.fb.binary(BinaryOp::Mul, a, len))
            }
            other => other,
        };
        let inner = match &idx[rank..] {
            [] => None,
            [i] => Some(*i),
            [r, c] => {
                let rows = self.fb.i64(elem_shape[0] as i64);
                let col = self.fb.binary(BinaryOp::Mul, *c, rows);
                Some(self.fb.binary(BinaryOp::Add, *r, col))
            }
            // Column-major over more element axes (a complex matrix's
            // storage: part, row, column).
            more => {
                let mut acc = more[more.len() - 1];
                for k in (0..more.len() - 1).rev() {
                    let size = self.fb.i64(elem_shape.get(k).copied().unwrap_or(1) as i64);
                    let scaled = self.fb.binary(BinaryOp::Mul, acc, size);
                    acc = self.fb.binary(BinaryOp::Add, scaled, more[k]);
                }
                Some(acc)
            }
        };
        match (outer, inner) {
            (Some(o), Some(i)) => self.fb.binary(BinaryOp::Add, o, i),
            (Some(o), None) => o,
            (None, Some(i)) => i,
            (None, None) => self.fb.i64(0),
        }
    }

    /// A fresh scratch buffer (`Work`, or `IntWork` for integers).
    pub fn temp_buffer(&mut self, name: &str, ty: ScalarType, len: usize) -> crate::ir::BufferId {
        let arena = if ty == ScalarType::I64 { Arena::IntWork } else { Arena::Work };
        self.module.add_buffer(format!("tmp.{name}"), arena, len.max(1))
    }

    /// Computes a container expression into a fresh scratch buffer.
    pub fn materialize(&mut self, e: &TypedExpr) -> LowerResult<Storage> {
        if let Some(storage) = self.hoisted_storage(e) {
            return Ok(storage);
        }
        let shape = self.shape(e)?;
        let ty = if e.ty.is_int_valued() { ScalarType::I64 } else { ScalarType::F64 };
        let buf = self.temp_buffer("value", ty, shape.iter().product());
        let storage = Storage { buf, shape: shape.clone(), array_rank: e.ty.array.len(), ty };
        self.fill(&storage, e)?;
        Ok(storage)
    }

    /// Writes every element of `e` into `dst` (which has `e`'s shape).
    pub fn fill(&mut self, dst: &Storage, e: &TypedExpr) -> LowerResult<()> {
        use TypedExprKind as K;
        if dst.ty == ScalarType::F64 {
            if let Some(sv) = self.small_whole(e)? {
                self.store_small(dst, &sv);
                return Ok(());
            }
        }
        match &e.kind {
            K::Binary { op: BinOp::Mul, lhs, rhs } if !lhs.ty.is_scalar() && !rhs.ty.is_scalar() => self.fill_product(dst, lhs, rhs),
            K::Call { func, args } if super::call::is_buffer_function(func) => self.fill_call(dst, func, args, e),
            K::Call { func, args } if super::linalg_fns::is_composite_matrix(func, args) => {
                let expanded = self.expand_composite(func, args, e)?;
                self.lower_expansion(&expanded, |this, x| this.fill(dst, x))
            }
            K::ArrayExpr(items) | K::RowVectorExpr(items) => {
                for (k, item) in items.iter().enumerate() {
                    let inner = self.shape(item)?;
                    let k_val = self.fb.i64(k as i64);
                    self.each_index(&inner, &mut |this: &mut Self, sub: &[Value]| {
                        let mut full = vec![k_val];
                        full.extend_from_slice(sub);
                        let v = this.elem(item, sub)?;
                        let v = if dst.ty == ScalarType::F64 { this.fb.to_f64(v) } else { v };
                        let at = this.offset(dst, &full);
                        this.fb.store(dst.buf, at, v);
                        Ok(())
                    })?;
                }
                Ok(())
            }
            _ => {
                let shape = dst.shape.clone();
                self.each_index(&shape, &mut |this: &mut Self, idx: &[Value]| {
                    let v = this.elem(e, idx)?;
                    let v = if dst.ty == ScalarType::F64 { this.fb.to_f64(v) } else { v };
                    let at = this.offset(dst, idx);
                    this.fb.store(dst.buf, at, v);
                    Ok(())
                })
            }
        }
    }

    /// `dst = a * b` for vector/matrix operands.
    fn fill_product(&mut self, dst: &Storage, a: &TypedExpr, b: &TypedExpr) -> LowerResult<()> {
        if self.try_fill_small_inner_product(dst, a, b)? {
            return Ok(());
        }
        let (sa, sb) = (self.shape(a)?, self.shape(b)?);
        // View both as matrices: a row vector is 1 x n, a vector n x 1.
        let as_matrix = |ty: &Type, s: &[usize]| -> (usize, usize) {
            match (ty.elem, s) {
                (ElemType::RowVector(_), [n]) => (1, *n),
                (_, [n]) => (*n, 1),
                (_, [r, c]) => (*r, *c),
                _ => (1, 1),
            }
        };
        let (m, k) = as_matrix(&a.ty, &sa);
        let (_, n) = as_matrix(&b.ty, &sb);
        let a_store = self.materialize_view(a)?;
        let b_store = self.materialize_view(b)?;
        let acc = self.temp_buffer("dot", ScalarType::F64, 1);
        let zero_i = self.fb.i64(0);
        let rows_a = self.fb.i64(m as i64);
        let rows_b = self.fb.i64(k as i64);
        let rows_d = self.fb.i64(m as i64);
        self.loop_n(n, |this, j| {
            this.loop_n(m, |this, i| {
                let zero = this.fb.f64(0.0);
                this.fb.store(acc, zero_i, zero);
                this.loop_n(k, |this, p| {
                    // a[i, p] at i + p * m; b[p, j] at p + j * k.
                    let pa = this.fb.binary(BinaryOp::Mul, p, rows_a);
                    let ia = this.fb.binary(BinaryOp::Add, i, pa);
                    let jb = this.fb.binary(BinaryOp::Mul, j, rows_b);
                    let ib = this.fb.binary(BinaryOp::Add, p, jb);
                    let x = this.fb.load(a_store.buf, ia, ScalarType::F64);
                    let y = this.fb.load(b_store.buf, ib, ScalarType::F64);
                    let xy = this.fb.binary(BinaryOp::Mul, x, y);
                    this.fb.accumulate(acc, zero_i, xy);
                    Ok(())
                })?;
                let s = this.fb.load(acc, zero_i, ScalarType::F64);
                let jd = this.fb.binary(BinaryOp::Mul, j, rows_d);
                let id = this.fb.binary(BinaryOp::Add, i, jd);
                this.fb.store(dst.buf, id, s);
                Ok(())
            })
        })
    }

    /// A buffer holding the operand's values (its own when it is a plain
    /// variable, else a materialised copy).
    pub(super) fn materialize_view(&mut self, e: &TypedExpr) -> LowerResult<Storage> {
        if let TypedExprKind::Var(v) = &e.kind {
            if let Some(s) = self.storage.get(v) {
                if s.ty == ScalarType::F64 {
                    return Ok(s.clone());
                }
            }
        }
        let shape = self.shape(e)?;
        let buf = self.temp_buffer("operand", ScalarType::F64, shape.iter().product());
        let storage = Storage { buf, shape, array_rank: e.ty.array.len(), ty: ScalarType::F64 };
        self.fill(&storage, e)?;
        Ok(storage)
    }

    /// `for i in 0..n { body(i) }`.
    pub fn loop_n(&mut self, n: usize, body: impl FnOnce(&mut Self, Value) -> LowerResult<()>) -> LowerResult<()> {
        let start = self.fb.i64(0);
        let end = self.fb.i64(n as i64);
        self.loop_range(start, end, body)
    }

    /// `for i in start..end { body(i) }` with bounds computed at run time.
    pub fn loop_range(&mut self, start: Value, end: Value, body: impl FnOnce(&mut Self, Value) -> LowerResult<()>) -> LowerResult<()> {
        let var = self.fb.fresh(ScalarType::I64);
        self.fb.open();
        body(self, var)?;
        let body = self.fb.close();
        self.fb.emit(Stmt::For { var, start, end, body });
        Ok(())
    }

    /// Runs `body` for every multi-index of `shape` (nested loops, the last
    /// axis innermost).
    pub fn each_index(&mut self, shape: &[usize], body: &mut dyn FnMut(&mut Self, &[Value]) -> LowerResult<()>) -> LowerResult<()> {
        fn go<'a>(
            this: &mut Lowerer<'a>,
            shape: &[usize],
            prefix: &mut Vec<Value>,
            body: &mut dyn FnMut(&mut Lowerer<'a>, &[Value]) -> LowerResult<()>,
        ) -> LowerResult<()> {
            match shape.split_first() {
                None => body(this, prefix),
                Some((&n, rest)) => this.loop_n(n, |this, i| {
                    prefix.push(i);
                    let r = go(this, rest, prefix, body);
                    prefix.pop();
                    r
                }),
            }
        }
        let mut prefix = Vec::new();
        go(self, shape, &mut prefix, body)
    }

    /// A stdlib function by symbol, or an error naming it.
    pub fn func(&self, symbol: &str, at: &TypedExpr) -> LowerResult<crate::ir::FuncRef> {
        self.symbols
            .get(symbol)
            .ok_or_else(|| LowerError::unsupported(at.span, format!("the library function `{symbol}`")))
    }
}

fn unreachable_binop(e: &TypedExpr) -> LowerResult<Value> {
    Err(LowerError::unsupported(e.span, "an operator handled elsewhere"))
}

/// Whether `e` is the literal `2` or `2.0` (an exponent that is a square).
pub(super) fn is_literal_two(e: &TypedExpr) -> bool {
    match e.kind {
        TypedExprKind::IntLit(k) => k == 2,
        TypedExprKind::RealLit(x) => x == 2.0,
        _ => false,
    }
}
