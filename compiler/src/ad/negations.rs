//! Negations of the reverse sweep folded into the arithmetic that reads
//! them.
//!
//! The rules for `a - b`, `1 / b` and `a / b` give `b` the adjoint `-g`,
//! which the chain rule then multiplies and sums: in the conditional
//! covariance forms' reverse cell loop, 7 negations per cell, each three
//! instructions on x86-64 (the sign mask is built in a general register,
//! moved to a vector register and xor-ed) and a cycle on a chain of
//! dependent operations the loop is bound by. Most cancel or become a
//! subtraction: `-x * y` is `-(x y)`, `-x * -y` is `x y`, `a + -y` is
//! `a - y`, `-(-x)` is `x`. So each sign is carried to where it is read,
//! and a negation is left only where a value must be stored or passed
//! with its sign (the dead ones are pruned after, [`super::prune`]).
//!
//! Every rewrite gives the same number, negation and rounding to nearest
//! being symmetric, except for the sign of a zero sum: `-x + -y` becomes
//! `-(x + y)`, which is `-0` where `-0 + 0` was `+0`. An adjoint of zero is
//! only ever multiplied and added, never divided by, so that sign is
//! never seen in a gradient's value. (And of a NaN's sign bit.)

use crate::ir::{BinaryOp, Expr, Function, ScalarType, Stmt, UnaryOp, Value};
use std::collections::HashMap;

/// Folds the negations of `func` (values are defined once, so a value's
/// sign found at its definition holds wherever it is read).
pub fn fold(func: &mut Function) {
    let mut body = std::mem::take(&mut func.body);
    let mut signs = Signs { of: HashMap::new(), func };
    signs.block(&mut body);
    func.body = body;
}

struct Signs<'f> {
    /// A value defined by negations of another: `v = ±base`, `true` for −.
    of: HashMap<Value, (Value, bool)>,
    func: &'f mut Function,
}

impl Signs<'_> {
    /// `v` as `(base, negated)`.
    fn resolve(&self, v: Value) -> (Value, bool) {
        self.of.get(&v).copied().unwrap_or((v, false))
    }

    fn block(&mut self, stmts: &mut Vec<Stmt>) {
        let mut out = Vec::with_capacity(stmts.len());
        for mut s in stmts.drain(..) {
            match &mut s {
                Stmt::Let { dst, expr: Expr::Unary(UnaryOp::Neg, x) } if self.func.type_of(*dst) == ScalarType::F64 => {
                    let (base, neg) = self.resolve(*x);
                    self.of.insert(*dst, (base, !neg));
                }
                Stmt::Let { dst, expr: Expr::Binary(op, a, b) } if self.func.type_of(*dst) == ScalarType::F64 => {
                    if let Some((expr, negated)) = self.rewrite(*op, *a, *b) {
                        let dst = *dst;
                        if negated {
                            let t = self.func.new_value(ScalarType::F64);
                            out.push(Stmt::Let { dst: t, expr });
                            out.push(Stmt::Let { dst, expr: Expr::Unary(UnaryOp::Neg, t) });
                            self.of.insert(dst, (t, true));
                        } else {
                            out.push(Stmt::Let { dst, expr });
                        }
                        continue;
                    }
                }
                Stmt::For { body, .. } => self.block(body),
                Stmt::If { then, otherwise, .. } => {
                    self.block(then);
                    self.block(otherwise);
                }
                Stmt::While { cond_block, body, .. } => {
                    self.block(cond_block);
                    self.block(body);
                }
                _ => {}
            }
            out.push(s);
        }
        *stmts = out;
    }

    /// `a op b` with its operands' signs taken out: the operation on their
    /// bases and whether the result is negated; `None` when neither operand
    /// is defined by negations (nothing to change).
    fn rewrite(&self, op: BinaryOp, a: Value, b: Value) -> Option<(Expr, bool)> {
        let ((x, na), (y, nb)) = (self.resolve(a), self.resolve(b));
        if (x, y) == (a, b) {
            return None;
        }
        use BinaryOp::{Add, Div, Mul, Sub};
        let (op, l, r, negated) = match (op, na, nb) {
            (Mul | Div, _, _) => (op, x, y, na != nb),
            (Add, false, false) | (Sub, false, false) => (op, x, y, false),
            (Add, false, true) => (Sub, x, y, false),
            (Add, true, false) => (Sub, y, x, false),
            (Add, true, true) => (Add, x, y, true),
            (Sub, false, true) => (Add, x, y, false),
            (Sub, true, false) => (Add, x, y, true),
            (Sub, true, true) => (Sub, y, x, false),
            // min, max and the integer operations keep their operands.
            _ => return None,
        };
        Some((Expr::Binary(op, l, r), negated))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Evaluates the straight-line F64 arithmetic of `body` (the values in
    /// `inputs` given).
    fn eval(func: &Function, inputs: &[(Value, f64)]) -> HashMap<Value, f64> {
        let mut v: HashMap<Value, f64> = inputs.iter().copied().collect();
        for s in &func.body {
            if let Stmt::Let { dst, expr } = s {
                let x = match expr {
                    Expr::Unary(UnaryOp::Neg, a) => -v[a],
                    Expr::Binary(op, a, b) => {
                        let (a, b) = (v[a], v[b]);
                        match op {
                            BinaryOp::Add => a + b,
                            BinaryOp::Sub => a - b,
                            BinaryOp::Mul => a * b,
                            BinaryOp::Div => a / b,
                            _ => f64::NAN,
                        }
                    }
                    _ => f64::NAN,
                };
                v.insert(*dst, x);
            }
        }
        v
    }

    /// How many of the four operations read a value defined as a negation.
    fn negated_operands(func: &Function) -> usize {
        let negs: std::collections::HashSet<Value> = func
            .body
            .iter()
            .filter_map(|s| match s {
                Stmt::Let { dst, expr: Expr::Unary(UnaryOp::Neg, _) } => Some(*dst),
                _ => None,
            })
            .collect();
        let reads = |v: &Value| usize::from(negs.contains(v));
        func.body
            .iter()
            .map(|s| match s {
                Stmt::Let { expr: Expr::Binary(_, a, b), .. } => reads(a) + reads(b),
                _ => 0,
            })
            .sum()
    }

    #[test]
    fn every_operation_and_sign_pattern_keeps_its_value() {
        let mut f = Function::new(crate::ir::FunctionKind::Gradient);
        let (a, b) = (f.new_value(ScalarType::F64), f.new_value(ScalarType::F64));
        let na = f.new_value(ScalarType::F64);
        let nb = f.new_value(ScalarType::F64);
        let nna = f.new_value(ScalarType::F64);
        f.body.push(Stmt::Let { dst: na, expr: Expr::Unary(UnaryOp::Neg, a) });
        f.body.push(Stmt::Let { dst: nb, expr: Expr::Unary(UnaryOp::Neg, b) });
        f.body.push(Stmt::Let { dst: nna, expr: Expr::Unary(UnaryOp::Neg, na) });
        let mut results = Vec::new();
        for op in [BinaryOp::Add, BinaryOp::Sub, BinaryOp::Mul, BinaryOp::Div] {
            for (l, r) in [(a, b), (na, b), (a, nb), (na, nb), (nna, nb), (nb, nna)] {
                let d = f.new_value(ScalarType::F64);
                f.body.push(Stmt::Let { dst: d, expr: Expr::Binary(op, l, r) });
                results.push(d);
            }
        }
        // A result read again: its sign is carried on.
        let last = *results.last().unwrap_or(&a);
        let d = f.new_value(ScalarType::F64);
        f.body.push(Stmt::Let { dst: d, expr: Expr::Binary(BinaryOp::Mul, last, nb) });
        results.push(d);
        let mut g = f.clone();
        fold(&mut g);
        for (x, y) in [(1.5, -0.25), (-3.0, 7.0), (0.1, 0.3)] {
            let (e0, e1) = (eval(&f, &[(a, x), (b, y)]), eval(&g, &[(a, x), (b, y)]));
            for r in &results {
                assert_eq!(e0[r].to_bits(), e1[r].to_bits(), "value {r:?} at ({x}, {y})");
            }
        }
        // Every sign is carried to the results (a negation is left where a
        // result is negative, for what reads it other than arithmetic).
        assert!(negated_operands(&f) > 0);
        assert_eq!(negated_operands(&g), 0);
    }
}
