//! Transformed parameters read in place of being stored, in the log
//! density.
//!
//! `matrix[pair, grade] alpha = non_centered(mu_alpha, sigma_alpha, z_alpha);`
//! fills 384 cells per evaluation (and the gradient runs over all of them
//! again), while the likelihood reads only the 192 cells the observations
//! index. When a transformed parameter is a cheap elementwise expression of
//! values that never change, and every read of it is an indexed read in a
//! sampling statement whose terms number fewer than its elements, the log
//! density computes each element where it is read instead (`Generate` still
//! stores every element for the output). Reads in a loop over constant
//! bounds whose body only assigns count once per trip (plain Stan's
//! `for (n in 1:N) mu[n] = alpha[pair[n], grade[n]] + ...`); reads in other
//! loops, whole-value reads and constrained transformed parameters (whose
//! constraint is checked on the stored value) keep the stored form.

use super::{layout, Lowerer};
use crate::check::typed::{Constraint, Level, TypedDecl, TypedExpr, TypedExprKind, TypedIndex, TypedStmt, TypedStmtKind, VarId};
use crate::syntax::ast::{BinOp, UnOp};

impl Lowerer<'_> {
    /// Whether the log density should compute `decl`'s elements where
    /// they are read; `later` are the statements that may read it (the
    /// rest of the transformed parameters block and the model block).
    pub(super) fn inline_transformed_parameter(&mut self, decl: &TypedDecl, later: &[&TypedStmt]) -> bool {
        let Some(init) = &decl.init else { return false };
        if decl.constraint != Constraint::None || self.assigned.contains(&decl.var) || !self.is_cheap(init) {
            return false;
        }
        let Ok(shape) = self.shape_of_decl(decl) else { return false };
        let cells = layout::element_count(&shape);
        let mut reads = 0usize;
        for s in later {
            let occurrences = self.count_reads(s, decl.var);
            if occurrences.whole {
                return false;
            }
            if occurrences.indexed == 0 {
                continue;
            }
            match &s.kind {
                // A top-level sampling statement has a known number of
                // terms: its variate's elements.
                TypedStmtKind::Tilde { lhs, .. } => {
                    let Ok(frame) = self.shape(lhs) else { return false };
                    if frame.is_empty() {
                        return false;
                    }
                    reads += occurrences.indexed * layout::element_count(&frame);
                }
                // Counted per trip already.
                TypedStmtKind::For { .. } => reads += occurrences.indexed,
                _ => return false,
            }
        }
        reads > 0 && reads < cells
    }

    /// Cheap to recompute per read: elementwise arithmetic and the
    /// non-centered helpers over literals, dim sizes, data-indexed reads
    /// and variables that are never reassigned.
    fn is_cheap(&self, e: &TypedExpr) -> bool {
        use TypedExprKind as K;
        match &e.kind {
            K::IntLit(_) | K::RealLit(_) | K::DimSize(_) => true,
            K::Var(v) => !self.assigned.contains(v) && !self.scalars.contains_key(v) && self.storage.contains_key(v),
            K::Index { base, indices, .. } => {
                self.is_cheap(base)
                    && indices.iter().all(|i| match i {
                        TypedIndex::Single(x) | TypedIndex::Multi(x) => x.level == Level::Data && self.is_cheap(x),
                        TypedIndex::All => true,
                        TypedIndex::Range { .. } => false,
                    })
            }
            K::Binary { op, lhs, rhs } => {
                let elementwise = match op {
                    BinOp::Add | BinOp::Sub | BinOp::EltMul | BinOp::EltDiv => true,
                    BinOp::Mul => lhs.ty.is_scalar() || rhs.ty.is_scalar(),
                    BinOp::Div => rhs.ty.is_scalar(),
                    _ => false,
                };
                elementwise && self.is_cheap(lhs) && self.is_cheap(rhs)
            }
            K::Unary { op: UnOp::Neg | UnOp::Plus | UnOp::Transpose, operand } => self.is_cheap(operand),
            // Plain Stan's broadcasts (`rep_matrix(mu', J)`) read one
            // element of their argument per element.
            K::Call { func, args } => {
                matches!(
                    func.as_str(),
                    "non_centered" | "add" | "subtract" | "elt_multiply" | "elt_divide" | "rep_matrix" | "rep_vector" | "rep_row_vector"
                ) && args.iter().all(|a| self.is_cheap(a))
            }
            _ => false,
        }
    }
}

/// How a statement reads a variable.
#[derive(Default)]
struct Reads {
    /// Reads as the base of an index expression.
    indexed: usize,
    /// Any other read (whole, or nested where the count is unknown).
    whole: bool,
}

impl Lowerer<'_> {
    /// How `s` reads `var`: a sampling statement's reads, or a loop's over
    /// constant bounds whose body only assigns (every read counted once
    /// per trip); anything else that mentions `var` is a whole read.
    fn count_reads(&mut self, s: &TypedStmt, var: VarId) -> Reads {
        if let TypedStmtKind::For { lower, upper, body, .. } = &s.kind {
            if let (Ok(lo), Ok(hi)) = (self.const_int(lower), self.const_int(upper)) {
                let trips = (hi - lo + 1).max(0) as usize;
                let inner: Vec<&TypedStmt> = match &body.kind {
                    TypedStmtKind::Block(stmts) => stmts.iter().collect(),
                    _ => vec![&**body],
                };
                let mut r = Reads::default();
                for b in inner {
                    match &b.kind {
                        TypedStmtKind::Assign { lhs, rhs, .. } => {
                            expr_reads(lhs, var, &mut r);
                            expr_reads(rhs, var, &mut r);
                        }
                        _ => r.whole |= b.mentions(|v| v == var),
                    }
                }
                r.indexed *= trips;
                return r;
            }
        }
        count_reads(s, var)
    }
}

fn count_reads(s: &TypedStmt, var: VarId) -> Reads {
    let mut r = Reads::default();
    match &s.kind {
        TypedStmtKind::Tilde { lhs, args, truncation, .. } => {
            expr_reads(lhs, var, &mut r);
            args.iter().for_each(|a| expr_reads(a, var, &mut r));
            if truncation.is_some() {
                r.whole = true;
            }
        }
        // Anything else that mentions the variable is counted as a read of
        // unknown size.
        _ => r.whole = s.mentions(|v| v == var),
    }
    r
}

fn expr_reads(e: &TypedExpr, var: VarId, r: &mut Reads) {
    match &e.kind {
        TypedExprKind::Var(v) => r.whole |= *v == var,
        // `var[...]`: one indexed read; the index positions (the children
        // after the base) may read it too. A read in a `?:` branch counts
        // as if it happened for every term.
        TypedExprKind::Index { base, .. } if matches!(base.kind, TypedExprKind::Var(v) if v == var) => {
            r.indexed += 1;
            e.children().into_iter().skip(1).for_each(|c| expr_reads(c, var, r));
        }
        _ => e.children().into_iter().for_each(|c| expr_reads(c, var, r)),
    }
}
