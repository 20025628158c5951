//! Local vectors filled by a loop and read once whole, computed where read.
//!
//! Plain Stan writes a linear predictor as a local vector filled element by
//! element and then used whole:
//!
//! ```stan
//! vector[N] mu;
//! for (n in 1:N) mu[n] = alpha[pair[n], grade[n]] + beta[grade[n]] * x[n];
//! mu += gamma * z;
//! y ~ normal(mu, sigma[grade]);
//! ```
//!
//! Stored, this costs a buffer of N written and read back in the log
//! density, and in the gradient a second buffer of N adjoints with its own
//! reverse loop. When the fill loop runs over exactly the vector's
//! elements with one assignment `mu[n] = e`, the later statements that
//! mention `mu` are whole `mu += x` / `mu -= x` updates and one sampling
//! statement reading `mu` once per term, and nothing `e` or `x` read is
//! ever reassigned, the log density computes element `i` of `mu` inside the
//! sampling statement's loop as `e` with `n = i + 1` plus the updates'
//! elements: the single fused pass the same model written with dims gets.
//! A local declared with an elementwise value (`vector[N] mu = a[g] + b * x;`)
//! is fused the same way.

use super::{Lowerer, LowerResult};
use crate::check::signatures;
use crate::check::typed::{Constraint, TypedExpr, TypedExprKind, TypedIndex, TypedStmt, TypedStmtKind, VarId};
use crate::ir::{BinaryOp, Value};
use crate::syntax::ast::{AssignOp, BinOp, UnOp};
use std::collections::HashSet;

/// Where a fused local's elements start from.
#[derive(Clone, Debug)]
pub enum FillBase {
    /// `for (n in 1:N) mu[n] = value;`: `value` with `index_var` bound to
    /// the 1-based element index.
    Loop { index_var: VarId, value: TypedExpr },
    /// `vector[N] mu = value;` with an elementwise `value`.
    Whole(TypedExpr),
}

/// How a fused local's element is computed where it is read.
#[derive(Clone, Debug)]
pub struct FilledLocal {
    pub base: FillBase,
    /// Whole-vector updates after the fill, in order: `true` adds, `false`
    /// subtracts.
    pub updates: Vec<(bool, TypedExpr)>,
}

impl Lowerer<'_> {
    /// Finds the fused locals among `stmts` (one block's statements),
    /// records them in `self.filled` and returns the positions of the
    /// statements the fusion replaces (declaration, fill loop, updates).
    pub(super) fn plan_filled_locals(&mut self, stmts: &[TypedStmt]) -> HashSet<usize> {
        let mut skip = HashSet::new();
        for (d, s) in stmts.iter().enumerate() {
            let TypedStmtKind::Decl(decl) = &s.kind else { continue };
            let var = decl.var;
            if decl.constraint != Constraint::None || self.program.var(var).ty.is_int_valued() {
                continue;
            }
            let Ok(shape) = self.shape_of_decl(decl) else { continue };
            let [len] = shape[..] else { continue };
            let users: Vec<usize> = (d + 1..stmts.len()).filter(|&k| stmts[k].mentions(|v| v == var)).collect();
            let (base, fill, middle, read) = match (&decl.init, &users[..]) {
                (Some(init), [middle @ .., read]) if is_elementwise(init) => (FillBase::Whole(init.clone()), None, middle, *read),
                (None, [fill, middle @ .., read]) => {
                    let Some((index_var, value)) = self.fill_loop(&stmts[*fill], var, len) else { continue };
                    (FillBase::Loop { index_var, value }, Some(*fill), middle, *read)
                }
                _ => continue,
            };
            let Some(updates) = middle.iter().map(|&k| whole_update(&stmts[k], var)).collect::<Option<Vec<_>>>() else { continue };
            // Computed later than written: everything read must still
            // hold the same value, so nothing read is ever reassigned.
            let stable = |e: &TypedExpr| !e.mentions(|v| v == var || self.assigned.contains(&v)) && is_pure(e);
            let value = match &base {
                FillBase::Loop { value, .. } | FillBase::Whole(value) => value,
            };
            if !stable(value) || !updates.iter().all(|(_, x)| stable(x) && is_elementwise(x)) {
                continue;
            }
            // Registered first: the reading statement's shapes ask for it.
            self.filled.insert(var, FilledLocal { base: base.clone(), updates });
            if !self.read_once_per_term(&stmts[read], var, len) {
                self.filled.remove(&var);
                continue;
            }
            skip.insert(d);
            skip.extend(fill);
            skip.extend(middle.iter().copied());
            // The loop variable is read at `idx + 1` for `idx` in the
            // sampling statement's frame of `len` terms.
            if let FillBase::Loop { index_var, .. } = base {
                self.loop_ranges.insert(index_var, (1, len as i64));
            }
        }
        skip
    }

    /// `for (n in 1:len) var[n] = e;` (the body alone or in a block):
    /// the loop variable and `e`.
    fn fill_loop(&mut self, s: &TypedStmt, var: VarId, len: usize) -> Option<(VarId, TypedExpr)> {
        let TypedStmtKind::For { var: n, lower, upper, body } = &s.kind else { return None };
        if self.const_int(lower).ok()? != 1 || self.const_int(upper).ok()? != len as i64 {
            return None;
        }
        let body = match &body.kind {
            TypedStmtKind::Block(inner) if inner.len() == 1 => &inner[0],
            _ => &**body,
        };
        let TypedStmtKind::Assign { lhs, op: AssignOp::Assign, rhs } = &body.kind else { return None };
        let TypedExprKind::Index { base, indices, .. } = &lhs.kind else { return None };
        let is_var = matches!(base.kind, TypedExprKind::Var(v) if v == var);
        let by_n = matches!(&indices[..], [TypedIndex::Single(i)] if matches!(i.kind, TypedExprKind::Var(v) if v == *n));
        (is_var && by_n && rhs.ty.is_scalar()).then(|| (*n, rhs.clone()))
    }

    /// A univariate sampling statement without truncation whose frame is
    /// `var`'s elements, reading `var` once, whole, as its variate or
    /// location or inside their elementwise arithmetic: each element is
    /// read once, by one term.
    fn read_once_per_term(&mut self, s: &TypedStmt, var: VarId, len: usize) -> bool {
        let TypedStmtKind::Tilde { lhs, dist, args, truncation: None, .. } = &s.kind else { return false };
        let Some(d) = signatures::distribution(dist) else { return false };
        if d.multivariate || args.iter().skip(1).any(|a| a.mentions(|v| v == var)) {
            return false;
        }
        let at_variate = elementwise_whole_read(lhs, var);
        let at_location = args.first().is_some_and(|a| elementwise_whole_read(a, var));
        let mentions = lhs.mentions(|v| v == var) as usize + args.first().is_some_and(|a| a.mentions(|v| v == var)) as usize;
        if mentions != 1 || !(at_variate || at_location) {
            return false;
        }
        matches!(self.density_frame(lhs, args, lhs), Ok((_, shape)) if shape == [len])
    }

    /// Element `idx` (0-based) of a fused local: its fill value with the
    /// loop variable at `idx + 1`, plus its updates' elements.
    pub(super) fn filled_elem(&mut self, var: VarId, idx: &[Value], at: &TypedExpr) -> LowerResult<Value> {
        let Some(f) = self.filled.get(&var).cloned() else {
            return Err(super::LowerError::unsupported(at.span, "a fused local without a definition"));
        };
        // A fused local is a vector (checked when planned), so `idx` has
        // one position.
        let i = idx.first().copied().unwrap_or_else(|| self.fb.i64(0));
        let ty = self.program.var(var).ty.clone();
        let v = match &f.base {
            FillBase::Loop { index_var, value } => {
                let one = self.fb.i64(1);
                let n = self.fb.binary(BinaryOp::Add, i, one);
                self.one_based.insert(n, i);
                let saved = self.scalars.insert(*index_var, n);
                let v = self.scalar(value);
                match saved {
                    Some(old) => self.scalars.insert(*index_var, old),
                    None => self.scalars.remove(index_var),
                };
                v?
            }
            FillBase::Whole(value) => self.operand_elem(&ty, value, &[i])?,
        };
        let mut acc = self.fb.to_f64(v);
        for (add, x) in &f.updates {
            let x = self.operand_elem(&ty, x, &[i])?;
            let x = self.fb.to_f64(x);
            acc = self.fb.binary(if *add { BinaryOp::Add } else { BinaryOp::Sub }, acc, x);
        }
        Ok(acc)
    }
}

/// `var += x` or `var -= x` with `x` not reading `var`.
fn whole_update(s: &TypedStmt, var: VarId) -> Option<(bool, TypedExpr)> {
    let TypedStmtKind::Assign { lhs, op, rhs } = &s.kind else { return None };
    let whole = matches!(lhs.kind, TypedExprKind::Var(v) if v == var);
    let add = match op {
        AssignOp::Add => true,
        AssignOp::Sub => false,
        _ => return None,
    };
    (whole && !rhs.mentions(|v| v == var)).then(|| (add, rhs.clone()))
}

/// `e` is `var` itself or elementwise arithmetic with `var` as a direct
/// operand chain.
fn elementwise_whole_read(e: &TypedExpr, var: VarId) -> bool {
    match &e.kind {
        TypedExprKind::Var(v) => *v == var,
        TypedExprKind::Binary { op, lhs, rhs } => {
            let elementwise = match op {
                BinOp::Add | BinOp::Sub | BinOp::EltMul | BinOp::EltDiv => true,
                BinOp::Mul | BinOp::Div => rhs.ty.is_scalar() || (lhs.ty.is_scalar() && *op == BinOp::Mul),
                _ => false,
            };
            elementwise && (elementwise_whole_read(lhs, var) || elementwise_whole_read(rhs, var))
        }
        TypedExprKind::Unary { op: UnOp::Neg | UnOp::Plus, operand } => elementwise_whole_read(operand, var),
        _ => false,
    }
}

/// No `target()` and only library functions and densities (no `_rng`, no
/// user function that could print): safe to evaluate later than written.
fn is_pure(e: &TypedExpr) -> bool {
    let here = match &e.kind {
        TypedExprKind::Target => false,
        TypedExprKind::Call { func, .. } => {
            signatures::function_names().any(|f| f == func) || signatures::split_density_name(func).is_some()
        }
        _ => true,
    };
    here && e.children().into_iter().all(is_pure)
}

/// Elementwise throughout: each element of the value costs a bounded
/// amount of work, so computing it per element where read costs what
/// filling a buffer would (no products, reductions or other calls that
/// would be recomputed per element).
fn is_elementwise(e: &TypedExpr) -> bool {
    use TypedExprKind as K;
    match &e.kind {
        K::IntLit(_) | K::RealLit(_) | K::DimSize(_) | K::Var(_) => true,
        K::Index { base, indices, .. } => {
            is_elementwise(base)
                && indices.iter().all(|i| match i {
                    TypedIndex::Single(x) | TypedIndex::Multi(x) => is_elementwise(x),
                    TypedIndex::All => true,
                    TypedIndex::Range { .. } => false,
                })
        }
        K::Binary { op, lhs, rhs } => {
            let ok = match op {
                BinOp::Add | BinOp::Sub | BinOp::EltMul | BinOp::EltDiv => true,
                BinOp::Mul => lhs.ty.is_scalar() || rhs.ty.is_scalar(),
                BinOp::Div => rhs.ty.is_scalar(),
                _ => false,
            };
            ok && is_elementwise(lhs) && is_elementwise(rhs)
        }
        K::Unary { op: UnOp::Neg | UnOp::Plus | UnOp::Transpose, operand } => is_elementwise(operand),
        K::Call { func, args } => {
            matches!(func.as_str(), "rep_vector" | "rep_row_vector" | "to_vector" | "exp" | "log" | "inv_logit" | "square")
                && args.iter().all(is_elementwise)
        }
        _ => false,
    }
}
