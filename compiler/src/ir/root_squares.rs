//! IR pass: the square of a multiple of `1 / sqrt(x)` without the root.
//!
//! An unrolled Cholesky factorisation (the 2x2 precision of each cell of
//! the conditional covariance examples, any small one written out by hand)
//! computes
//!
//! ```text
//! s = sqrt x;  q = div 1, s      (1 / sqrt(x))
//! m = mul a, q                   (a column entry)
//! d = mul m, m                   (its square, for the next pivot)
//! ```
//!
//! and the next pivot's square root waits for `d`, which waits for the
//! first root and its division: a chain of two of the slowest instructions
//! (13-20 cycles each) before the next two. Since `q² = 1 / x`, this pass
//! writes
//!
//! ```text
//! r = div 1, x;  q = sqrt r
//! d = mul (mul a, a), r
//! ```
//!
//! The same number of divisions and square roots (one each per `q`), but
//! `d` now waits for one division only, and `q` is ready as soon as before.
//! Values differ by rounding: `sqrt(1 / x)` for `1 / sqrt(x)` (both within
//! an ulp or so), `a² (1 / x)` for `(a q)²`; the special values agree
//! (`x` zero, infinite, negative or NaN give the same infinities, zeros
//! and NaNs), but for `x = -0.0`, where `1 / sqrt(x)` is `-inf` and
//! `sqrt(1 / x)` NaN. One more multiplication when `m` has other readers.
//!
//! Where it applies: `q`'s division is by a square root defined in the
//! same block ([`Reciprocals`], as the AD finds it) that nothing else
//! reads, and the square `mul m, m` of a product `mul a, q` (or `mul q,
//! a`). Runs after AD on the `LogDensity` and `Gradient` functions (which
//! the interpreter and the JIT run alike), so the reverse sweep's
//! derivatives are those of the original form; they read `q` (kept on the
//! value tape or recomputed), never `d`'s form.

use super::batch::{definitions, uses_in};
use super::{BinaryOp, Expr, Function, FunctionKind, Module, ScalarType, Stmt, UnaryOp, Value};
use crate::ad::reciprocals::Reciprocals;
use std::collections::HashMap;

/// Rewrites every such square in the module's log density and gradient;
/// returns how many were rewritten.
pub fn squared_reciprocal_roots(module: &mut Module) -> usize {
    let mut count = 0;
    module.rewrite_bodies(&[FunctionKind::LogDensity, FunctionKind::Gradient], |_, func, body| {
        func.body = body;
        let plan = Plan::of(func);
        count += plan.squares.len();
        let body = std::mem::take(&mut func.body);
        if plan.squares.is_empty() {
            return body;
        }
        plan.rewrite(body, func)
    });
    count
}

/// What one function's rewrite changes.
#[derive(Default)]
struct Plan {
    /// Each rewritten `q` (the value of `1 / sqrt(x)`): its square root
    /// `s`, `x`, the constant one it divides and the new `r = 1 / x`.
    roots: HashMap<Value, Root>,
    /// The square roots the rewrite removes (the `s` of `roots`).
    dropped: Vec<Value>,
    /// Each rewritten square `d`: its `a` and its `q`.
    squares: HashMap<Value, (Value, Value)>,
}

struct Root {
    x: Value,
    one: Value,
    r: Value,
}

impl Plan {
    fn of(func: &mut Function) -> Plan {
        let recips = Reciprocals::of(func);
        let defs = definitions(&func.body);
        let mut uses = Vec::new();
        uses_in(&func.body, &mut uses);
        let mut readers: HashMap<Value, usize> = HashMap::new();
        for v in uses {
            *readers.entry(v).or_default() += 1;
        }
        // `v` as a rewritable `1 / sqrt(x)`, when it is one whose root
        // has no other reader: (q, its root s, x, the one it divides).
        let root_of = |v: Value| -> Option<(Value, Value, Value, Value)> {
            let x = recips.radicand(v)?;
            let Some(Expr::Binary(BinaryOp::Div, one, s)) = defs.get(&v) else { return None };
            let only_reader = readers.get(s) == Some(&1) && defs.get(s) == Some(&Expr::Unary(UnaryOp::Sqrt, x));
            (recips.of_sqrt(*s) == Some(v) && only_reader).then_some((v, *s, x, *one))
        };
        let mut squares = Vec::new();
        for (&d, e) in &defs {
            let Expr::Binary(BinaryOp::Mul, m, m2) = e else { continue };
            if m != m2 {
                continue;
            }
            let Some(Expr::Binary(BinaryOp::Mul, u, w)) = defs.get(m) else { continue };
            let found = match (root_of(*u), root_of(*w)) {
                (_, Some(root)) => Some((*u, root)),
                (Some(root), None) => Some((*w, root)),
                (None, None) => None,
            };
            if let Some((a, root)) = found {
                squares.push((d, a, root));
            }
        }
        // Values are numbered as made: in order of the squares, the new
        // ones are the same on every compile.
        squares.sort_by_key(|&(d, ..)| d);
        let mut plan = Plan::default();
        for (d, a, (q, s, x, one)) in squares {
            if !plan.roots.contains_key(&q) {
                let r = func.new_value(ScalarType::F64);
                plan.roots.insert(q, Root { x, one, r });
                plan.dropped.push(s);
            }
            plan.squares.insert(d, (a, q));
        }
        plan
    }

    fn rewrite(&self, body: Vec<Stmt>, func: &mut Function) -> Vec<Stmt> {
        let mut out = Vec::with_capacity(body.len());
        for s in body {
            match s {
                Stmt::Let { dst, .. } if self.dropped.contains(&dst) => {}
                Stmt::Let { dst, .. } if self.roots.contains_key(&dst) => {
                    let root = &self.roots[&dst];
                    out.push(Stmt::Let { dst: root.r, expr: Expr::Binary(BinaryOp::Div, root.one, root.x) });
                    out.push(Stmt::Let { dst, expr: Expr::Unary(UnaryOp::Sqrt, root.r) });
                }
                Stmt::Let { dst, .. } if self.squares.contains_key(&dst) => {
                    let (a, q) = self.squares[&dst];
                    let aa = func.new_value(ScalarType::F64);
                    out.push(Stmt::Let { dst: aa, expr: Expr::Binary(BinaryOp::Mul, a, a) });
                    out.push(Stmt::Let { dst, expr: Expr::Binary(BinaryOp::Mul, aa, self.roots[&q].r) });
                }
                Stmt::For { var, start, end, body } => out.push(Stmt::For { var, start, end, body: self.rewrite(body, func) }),
                Stmt::If { cond, then, otherwise } => {
                    out.push(Stmt::If { cond, then: self.rewrite(then, func), otherwise: self.rewrite(otherwise, func) })
                }
                Stmt::While { cond_block, cond, body } => {
                    out.push(Stmt::While { cond_block: self.rewrite(cond_block, func), cond, body: self.rewrite(body, func) })
                }
                s => out.push(s),
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `x`, `y`, `a` as given; `one = 1.0`; `q = 1 / sqrt(x)`,
    /// `d = (a q)²`; `p = 1 / sqrt(y)`, `e = (p a)²` with `sqrt(y)` also
    /// read by a store.
    fn module() -> (Module, [Value; 4]) {
        let mut m = Module { buffers: Vec::new(), arena_sizes: Default::default(), functions: Vec::new(), odes: Vec::new() };
        let out = m.add_buffer("out", super::super::Arena::Work, 2);
        let mut f = Function::new(FunctionKind::LogDensity);
        let v = |f: &mut Function| f.new_value(ScalarType::F64);
        let (x, y, a, one, s, q, mq, d, t, p, mp, e) = (v(&mut f), v(&mut f), v(&mut f), v(&mut f), v(&mut f), v(&mut f), v(&mut f), v(&mut f), v(&mut f), v(&mut f), v(&mut f), v(&mut f));
        let i0 = f.new_value(ScalarType::I64);
        let let_ = |dst, expr| Stmt::Let { dst, expr };
        f.body = vec![
            let_(x, Expr::F64(4.0)),
            let_(y, Expr::F64(9.0)),
            let_(a, Expr::F64(3.0)),
            let_(one, Expr::F64(1.0)),
            let_(i0, Expr::I64(0)),
            let_(s, Expr::Unary(UnaryOp::Sqrt, x)),
            let_(q, Expr::Binary(BinaryOp::Div, one, s)),
            let_(mq, Expr::Binary(BinaryOp::Mul, a, q)),
            let_(d, Expr::Binary(BinaryOp::Mul, mq, mq)),
            let_(t, Expr::Unary(UnaryOp::Sqrt, y)),
            let_(p, Expr::Binary(BinaryOp::Div, one, t)),
            let_(mp, Expr::Binary(BinaryOp::Mul, p, a)),
            let_(e, Expr::Binary(BinaryOp::Mul, mp, mp)),
            Stmt::Store { buf: out, index: i0, value: t },
            Stmt::AddTarget(d),
            Stmt::AddTarget(e),
        ];
        m.functions.push(f);
        (m, [s, q, d, t])
    }

    #[test]
    fn takes_the_root_of_the_reciprocal_when_nothing_else_reads_the_root() {
        let (mut m, [s, q, d, t]) = module();
        assert_eq!(squared_reciprocal_roots(&mut m), 1);
        let f = &m.functions[0];
        let defs = definitions(&f.body);
        // `sqrt(x)` is gone; `q = sqrt(r)` with `r = 1 / x`; `d = a² r`.
        assert!(!defs.contains_key(&s));
        let Some(Expr::Unary(UnaryOp::Sqrt, r)) = defs.get(&q) else { panic!("q: {:?}", defs.get(&q)) };
        assert_eq!(defs[r], Expr::Binary(BinaryOp::Div, Value(3), Value(0)));
        let Some(Expr::Binary(BinaryOp::Mul, aa, r2)) = defs.get(&d) else { panic!("d: {:?}", defs.get(&d)) };
        assert_eq!((defs[aa].clone(), *r2), (Expr::Binary(BinaryOp::Mul, Value(2), Value(2)), *r));
        // `sqrt(y)` has another reader: its reciprocal and square stay.
        assert_eq!(defs[&t], Expr::Unary(UnaryOp::Sqrt, Value(1)));
        // The new values are defined before they are read.
        let order: Vec<Value> = f.body.iter().filter_map(|s| if let Stmt::Let { dst, .. } = s { Some(*dst) } else { None }).collect();
        let at = |v: &Value| order.iter().position(|w| w == v).unwrap();
        assert!(at(r) < at(&q) && at(aa) < at(&d));
    }
}
