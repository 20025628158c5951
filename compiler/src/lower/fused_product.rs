//! Matrix products with a small inner size computed element by element
//! where they are read.
//!
//! A per-group loop of small-matrix work (`matrix[effect, pair] effects =
//! L * u_raw[g]; alpha[:, g] = mu_alpha[g] + effects[1]'; theta[:, g] =
//! mu_theta[g] + effects[2]';`) would fill `effects` into a buffer, read it
//! back row by row, and in the gradient run over it and its adjoint again.
//! When the product's inner size is small (at most [`MAX_SMALL`]), each
//! element is a dot product of a few values, so a local declared with such
//! a product, never reassigned and read only as distinct rows (`effects[1]`,
//! `effects[2]`: each element read once), is not stored at all: its
//! elements are computed where the rows are read. The operands must be
//! plain reads of variables that are never reassigned (or small values),
//! so they hold the same values where the rows are read.

use super::small_matrix::MAX_SMALL;
use super::{LowerResult, Lowerer};
use crate::check::typed::{Constraint, TypedDecl, TypedExpr, TypedExprKind, TypedIndex, TypedStmt, TypedStmtKind};
use crate::check::types::ElemType;
use crate::ir::{BinaryOp, Value};
use crate::syntax::ast::{BinOp, BlockKind, UnOp};
use std::collections::HashSet;

impl Lowerer<'_> {
    /// Whether `decl` (followed in its block by `later`) is a local product
    /// computed where read; when it is, it is recorded as such and needs no
    /// storage.
    pub(super) fn try_fuse_local_product(&mut self, decl: &TypedDecl, later: &[TypedStmt]) -> LowerResult<bool> {
        let Some(init) = &decl.init else { return Ok(false) };
        let var = decl.var;
        let ty = &self.program.var(var).ty;
        if !self.unroll_small || decl.constraint != Constraint::None || !ty.array.is_empty() || ty.is_scalar() || ty.is_int_valued() || self.assigned.contains(&var) {
            return Ok(false);
        }
        let inner = match &init.kind {
            TypedExprKind::Binary { op: BinOp::Mul, lhs, rhs } => {
                if lhs.ty.is_scalar() || rhs.ty.is_scalar() || !self.is_stable_read(lhs) || !self.is_stable_read(rhs) {
                    return Ok(false);
                }
                let Some(inner) = self.inner_size(lhs)? else { return Ok(false) };
                inner
            }
            // `mu + diag_pre_multiply(tau, L) * z`: a product of inner size K.
            TypedExprKind::Call { func, args } if func == "non_centered_mvn" && args.len() == 4 => {
                if !args.iter().all(|a| self.is_stable_read(a)) {
                    return Ok(false);
                }
                match self.small_non_centered_mvn_size(args)? {
                    Some(k) => k,
                    None => return Ok(false),
                }
            }
            _ => return Ok(false),
        };
        let shape = self.shape_of_decl(decl)?;
        // A small result is held in values instead (`try_declare_small`).
        if inner > MAX_SMALL || super::small_matrix::is_small_shape(&shape) {
            return Ok(false);
        }
        let mut rows = HashSet::new();
        for s in later {
            if !s.mentions(|v| v == var) {
                continue;
            }
            let exprs: Vec<&TypedExpr> = match &s.kind {
                TypedStmtKind::Assign { lhs, rhs, .. } => vec![lhs, rhs],
                TypedStmtKind::Decl(d) => d.init.iter().collect(),
                TypedStmtKind::TargetPlus(e) | TypedStmtKind::JacobianPlus(e) => vec![e],
                TypedStmtKind::Tilde { lhs, args, truncation: None, .. } => std::iter::once(lhs).chain(args).collect(),
                _ => return Ok(false),
            };
            for e in exprs {
                if !distinct_row_reads(e, var, &mut rows) {
                    return Ok(false);
                }
            }
        }
        self.inlined.insert(var, init.clone());
        Ok(true)
    }

    /// A read of a variable (or an element, row or column of one at scalar
    /// indices) whose value cannot change between a declaration and a
    /// later statement: never assigned, or held in small values.
    fn is_stable_read(&self, e: &TypedExpr) -> bool {
        match &e.kind {
            TypedExprKind::Var(v) => !self.assigned.contains(v) && (self.small.contains_key(v) || self.storage.contains_key(v) || self.scalars.contains_key(v)),
            TypedExprKind::Index { base, indices, .. } => {
                self.is_stable_read(base)
                    && indices.iter().all(|i| match i {
                        TypedIndex::Single(x) => x.ty.is_scalar() && self.is_stable_scalar(x),
                        TypedIndex::All => true,
                        _ => false,
                    })
            }
            TypedExprKind::Unary { op: UnOp::Transpose, operand } => self.is_stable_read(operand),
            _ => false,
        }
    }

    /// An integer index made of literals and variables never assigned.
    fn is_stable_scalar(&self, e: &TypedExpr) -> bool {
        match &e.kind {
            TypedExprKind::IntLit(_) | TypedExprKind::DimSize(_) => true,
            TypedExprKind::Var(v) => !self.assigned.contains(v),
            TypedExprKind::Binary { op: BinOp::Add | BinOp::Sub | BinOp::Mul, lhs, rhs } => self.is_stable_scalar(lhs) && self.is_stable_scalar(rhs),
            _ => false,
        }
    }

    /// The columns of `a`'s matrix view: the inner size of `a * b`.
    fn inner_size(&mut self, a: &TypedExpr) -> LowerResult<Option<usize>> {
        let s = self.shape(a)?;
        Ok(match (a.ty.elem, &s[..]) {
            (ElemType::RowVector(_), [n]) => Some(*n),
            (ElemType::Vector(_), [_]) => Some(1),
            (ElemType::Matrix(..), [_, c]) => Some(*c),
            _ => None,
        })
    }

    /// Element `idx` of the product `e = a * b` as its unrolled inner sum,
    /// when the inner size is small and both operands are plain reads
    /// (each element costs a few multiply-adds, as filling a buffer would);
    /// `None` otherwise.
    pub(super) fn small_inner_product_elem(&mut self, e: &TypedExpr, a: &TypedExpr, b: &TypedExpr, idx: &[Value]) -> LowerResult<Option<Value>> {
        if !self.unroll_small || !a.ty.array.is_empty() || !b.ty.array.is_empty() || !is_plain_read(a) || !is_plain_read(b) {
            return Ok(None);
        }
        let Some(k) = self.inner_size(a)? else { return Ok(None) };
        if k > MAX_SMALL {
            return Ok(None);
        }
        // The result's (row, column) from its index: a matrix has both, a
        // vector (matrix × vector) its row, a row vector its column, a
        // scalar (row vector × vector) neither.
        let zero = self.fb.i64(0);
        let (i, j) = match (e.ty.elem, idx) {
            (ElemType::Matrix(..), [i, j, ..]) => (*i, *j),
            (ElemType::Vector(_), [i, ..]) => (*i, zero),
            (ElemType::RowVector(_), [j, ..]) => (zero, *j),
            _ if e.ty.is_scalar() => (zero, zero),
            _ => return Ok(None),
        };
        let index_of = |elem: ElemType, r: Value, c: Value| -> Vec<Value> {
            match elem {
                ElemType::Matrix(..) => vec![r, c],
                ElemType::RowVector(_) => vec![c],
                _ => vec![r],
            }
        };
        let mut terms = Vec::with_capacity(k);
        for p in 0..k {
            let pv = self.fb.i64(p as i64);
            let x = self.elem(a, &index_of(a.ty.elem, i, pv))?;
            let y = self.elem(b, &index_of(b.ty.elem, pv, j))?;
            terms.push((self.fb.to_f64(x), self.fb.to_f64(y)));
        }
        Ok(Some(self.dot_terms(&terms)))
    }
}

/// A variable, or an element, row or column of one, or their transpose:
/// reading one element costs a load (or a small value).
fn is_plain_read(e: &TypedExpr) -> bool {
    match &e.kind {
        TypedExprKind::Var(_) => true,
        TypedExprKind::Index { base, indices, .. } => is_plain_read(base) && indices.iter().all(|i| matches!(i, TypedIndex::Single(x) if x.ty.is_scalar()) || matches!(i, TypedIndex::All)),
        TypedExprKind::Unary { op: UnOp::Transpose, operand } => is_plain_read(operand),
        _ => false,
    }
}

/// Whether every read of `var` in `e` is a distinct row `var[c]` (or
/// `var[c, :]`) at an integer literal not read before (`rows`): each
/// element is then read at most once.
fn distinct_row_reads(e: &TypedExpr, var: crate::check::typed::VarId, rows: &mut HashSet<i64>) -> bool {
    match &e.kind {
        TypedExprKind::Var(v) => *v != var,
        TypedExprKind::Index { base, indices, .. } if matches!(base.kind, TypedExprKind::Var(v) if v == var) => {
            let row = match &indices[..] {
                [TypedIndex::Single(c)] | [TypedIndex::Single(c), TypedIndex::All] => match c.kind {
                    TypedExprKind::IntLit(c) => c,
                    _ => return false,
                },
                _ => return false,
            };
            rows.insert(row)
        }
        _ => e.children().into_iter().all(|c| distinct_row_reads(c, var, rows)),
    }
}

impl Lowerer<'_> {
    /// `K` of `non_centered_mvn(mu, tau, L, z)` when it is small (at most
    /// [`MAX_SMALL`]) and the sizes agree (`mu`, `tau` of `K`, `L` of
    /// `K × K`, `z` of `K` rows); `None` otherwise.
    pub(super) fn small_non_centered_mvn_size(&mut self, args: &[TypedExpr]) -> LowerResult<Option<usize>> {
        let [mu, tau, l, z] = args else { return Ok(None) };
        if !self.unroll_small || args.iter().any(|a| !a.ty.array.is_empty()) {
            return Ok(None);
        }
        let (sm, st, sl, sz) = (self.shape(mu)?, self.shape(tau)?, self.shape(l)?, self.shape(z)?);
        let k = match sl[..] {
            [r, c] if r == c && r <= MAX_SMALL => r,
            _ => return Ok(None),
        };
        let agree = sm == [k] && st == [k] && sz.first() == Some(&k) && sz.len() <= 2;
        Ok(agree.then_some(k))
    }

    /// Element `idx` of `non_centered_mvn(mu, tau, L, z)` with a small `K`
    /// and plain-read arguments, computed where it is read: `mu[i] + tau[i]
    /// Σ_p L[i, p] z[p, j]`, the sum over `p <= i` only when `L` is a
    /// Cholesky-factor parameter (its upper triangle is zero by its type),
    /// and `L[1, 1]` (exactly 1) left out of a correlation factor's sum.
    /// `None` when it does not apply (the caller computes it whole).
    pub(super) fn small_non_centered_mvn_elem(&mut self, args: &[TypedExpr], idx: &[Value]) -> LowerResult<Option<Value>> {
        if !args.iter().all(is_plain_read) {
            return Ok(None);
        }
        let Some(k) = self.small_non_centered_mvn_size(args)? else { return Ok(None) };
        let (mu, tau, l, z) = (&args[0], &args[1], &args[2], &args[3]);
        let z_is_matrix = self.shape(z)?.len() == 2;
        let (i, j) = match idx {
            [i, j, ..] if z_is_matrix => (*i, Some(*j)),
            [i, ..] if !z_is_matrix => (*i, None),
            _ => return Ok(None),
        };
        let factor = self.cholesky_factor_param(l);
        // The row is a constant wherever the reads are distinct rows
        // (`u[1]`); at a run-time row every term is kept.
        let row = self.fb.const_i64(i).map(|r| r as usize);
        let mut terms = Vec::with_capacity(k);
        for p in 0..k {
            if matches!((&factor, row), (Some(_), Some(r)) if p > r) {
                continue;
            }
            let pv = self.fb.i64(p as i64);
            let zi: Vec<Value> = j.map_or_else(|| vec![pv], |j| vec![pv, j]);
            let y = self.elem(z, &zi)?;
            let y = self.fb.to_f64(y);
            if matches!((&factor, row), (Some(Constraint::CholeskyFactorCorr), Some(0))) {
                terms.push((None, y));
                continue;
            }
            let x = self.elem(l, &[i, pv])?;
            terms.push((Some(self.fb.to_f64(x)), y));
        }
        let mut sum: Option<Value> = None;
        for (x, y) in terms {
            let xy = match x {
                Some(x) => self.fb.binary(BinaryOp::Mul, x, y),
                None => y,
            };
            sum = Some(match sum {
                None => xy,
                Some(s) => self.fb.binary(BinaryOp::Add, s, xy),
            });
        }
        let sum = match sum {
            Some(s) => s,
            None => self.fb.f64(0.0),
        };
        let t = self.elem(tau, &[i])?;
        let t = self.fb.to_f64(t);
        let scaled = self.fb.binary(BinaryOp::Mul, t, sum);
        let m = self.elem(mu, &[i])?;
        let m = self.fb.to_f64(m);
        Ok(Some(self.fb.binary(BinaryOp::Add, m, scaled)))
    }

    /// The constraint of a Cholesky-factor parameter read whole or as an
    /// element of its array (`L_Omega`, `L_Omega[g]`): its values are lower
    /// triangular by construction.
    pub(super) fn cholesky_factor_param(&self, e: &TypedExpr) -> Option<Constraint> {
        let v = match &e.kind {
            TypedExprKind::Var(v) => *v,
            TypedExprKind::Index { base, indices, .. } if indices.iter().all(|i| matches!(i, TypedIndex::Single(x) if x.ty.is_scalar())) => match &base.kind {
                TypedExprKind::Var(v) => *v,
                _ => return None,
            },
            _ => return None,
        };
        let decl = self.program.decls(BlockKind::Parameters).find(|d| d.var == v)?;
        // Indexing must leave the matrix: as many indices as array axes.
        if let TypedExprKind::Index { indices, .. } = &e.kind {
            if indices.len() != self.program.var(v).ty.array.len() {
                return None;
            }
        }
        match &decl.constraint {
            c @ (Constraint::CholeskyFactorCorr | Constraint::CholeskyFactorCov) => Some(c.clone()),
            _ => None,
        }
    }
}
