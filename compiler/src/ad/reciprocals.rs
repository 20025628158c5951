//! Reciprocals the forward sweep already computes, so that the reverse
//! sweep can multiply by them instead of dividing again.
//!
//! `q = 1 / b` has `d q / d b = -q²` (no division), and `s = sqrt(x)` whose
//! reciprocal `q = 1 / s` is computed next to it has `d s / d x = q / 2`.
//! A Cholesky factor's `1 / sqrt(p)` (small unrolled factorisations, the
//! conditional reparameterisations) has both: its reverse then needs no
//! division at all. Divisions and square roots are the slow instructions
//! (latency 13-20 cycles against 3-4 for a multiply).

use crate::ir::{BinaryOp, Expr, Function, Stmt, UnaryOp, Value};
use std::collections::{HashMap, HashSet};

/// What the reverse sweep may reuse: see the module comment.
#[derive(Default)]
pub(crate) struct Reciprocals {
    /// Values defined as the constant 1.0 (a literal `1` is the integer
    /// converted).
    ones: HashSet<Value>,
    /// Values defined as the integer constant 1.
    int_ones: HashSet<Value>,
    /// `sqrt(x)`'s value to the value of `1 / sqrt(x)` defined in the same
    /// block (so wherever the reverse sweep has the one, it has the other).
    of_sqrt: HashMap<Value, Value>,
    /// The value of such a `1 / sqrt(x)` to `x`.
    radicand: HashMap<Value, Value>,
}

impl Reciprocals {
    /// Scans every block of `f` (values are defined once).
    pub fn of(f: &Function) -> Self {
        let mut r = Reciprocals::default();
        r.collect_ones(&f.body);
        r.scan_block(&f.body);
        r
    }

    /// Whether `v` is the constant 1.0.
    pub fn is_one(&self, v: Value) -> bool {
        self.ones.contains(&v)
    }

    /// The value `1 / s` computed in the same block as `s = sqrt(x)`.
    pub fn of_sqrt(&self, s: Value) -> Option<Value> {
        self.of_sqrt.get(&s).copied()
    }

    /// `x` when `q` is the `1 / sqrt(x)` of [`Reciprocals::of_sqrt`].
    pub fn radicand(&self, q: Value) -> Option<Value> {
        self.radicand.get(&q).copied()
    }

    fn collect_ones(&mut self, block: &[Stmt]) {
        for s in block {
            match s {
                Stmt::Let { dst, expr: Expr::F64(x) } if *x == 1.0 => {
                    self.ones.insert(*dst);
                }
                Stmt::Let { dst, expr: Expr::I64(1) } => {
                    self.int_ones.insert(*dst);
                }
                Stmt::Let { dst, expr: Expr::Unary(UnaryOp::ToF64, x) } if self.int_ones.contains(x) => {
                    self.ones.insert(*dst);
                }
                _ => for_each_block(s, |b| self.collect_ones(b)),
            }
        }
    }

    fn scan_block(&mut self, block: &[Stmt]) {
        let mut sqrts = HashMap::new();
        for s in block {
            match s {
                Stmt::Let { dst, expr: Expr::Unary(UnaryOp::Sqrt, x) } => {
                    sqrts.insert(*dst, *x);
                }
                Stmt::Let { dst, expr: Expr::Binary(BinaryOp::Div, a, b) } if self.is_one(*a) && sqrts.contains_key(b) => {
                    if *self.of_sqrt.entry(*b).or_insert(*dst) == *dst {
                        self.radicand.insert(*dst, sqrts[b]);
                    }
                }
                _ => for_each_block(s, |b| self.scan_block(b)),
            }
        }
    }
}

/// Calls `f` on each block nested directly in `s`.
fn for_each_block(s: &Stmt, mut f: impl FnMut(&[Stmt])) {
    match s {
        Stmt::For { body, .. } => f(body),
        Stmt::If { then, otherwise, .. } => {
            f(then);
            f(otherwise);
        }
        Stmt::While { cond_block, body, .. } => {
            f(cond_block);
            f(body);
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{FunctionKind, ScalarType};

    #[test]
    fn finds_the_reciprocal_of_a_square_root_in_its_block_only() {
        let mut f = Function::new(FunctionKind::LogDensity);
        let x = f.new_value(ScalarType::F64);
        let one = f.new_value(ScalarType::F64);
        let s = f.new_value(ScalarType::F64);
        let q = f.new_value(ScalarType::F64);
        let s2 = f.new_value(ScalarType::F64);
        let q2 = f.new_value(ScalarType::F64);
        let int_one = f.new_value(ScalarType::I64);
        let one_f = f.new_value(ScalarType::F64);
        let q3 = f.new_value(ScalarType::F64);
        let i = f.new_value(ScalarType::I64);
        let n = f.new_value(ScalarType::I64);
        f.body = vec![
            Stmt::Let { dst: x, expr: Expr::F64(4.0) },
            Stmt::Let { dst: one, expr: Expr::F64(1.0) },
            Stmt::Let { dst: s, expr: Expr::Unary(UnaryOp::Sqrt, x) },
            Stmt::Let { dst: q, expr: Expr::Binary(BinaryOp::Div, one, s) },
            Stmt::Let { dst: s2, expr: Expr::Unary(UnaryOp::Sqrt, x) },
            Stmt::Let { dst: n, expr: Expr::I64(3) },
            Stmt::Let { dst: int_one, expr: Expr::I64(1) },
            Stmt::Let { dst: one_f, expr: Expr::Unary(UnaryOp::ToF64, int_one) },
            Stmt::Let { dst: q3, expr: Expr::Binary(BinaryOp::Div, one_f, x) },
            // A reciprocal in a nested block is not reused: the reverse
            // of `s2` may run where that block's values are not.
            Stmt::For { var: i, start: n, end: n, body: vec![Stmt::Let { dst: q2, expr: Expr::Binary(BinaryOp::Div, one, s2) }] },
        ];
        let r = Reciprocals::of(&f);
        assert!(r.is_one(one) && r.is_one(one_f) && !r.is_one(x) && !r.is_one(n) && !r.is_one(q3));
        assert_eq!(r.of_sqrt(s), Some(q));
        assert_eq!(r.of_sqrt(s2), None);
        assert_eq!(r.radicand(q), Some(x));
        assert_eq!(r.radicand(q2), None);
        assert_eq!(r.radicand(q3), None);
    }
}
