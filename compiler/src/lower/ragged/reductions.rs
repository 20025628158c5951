//! Reductions of a run-time-length view, as loops over its elements.
//!
//! `sum(segment(lp, pos[g], n[g]))` needs no buffer for the segment: a
//! local accumulates the elements in a loop before the statement that
//! reads the sum, which then reads the local. So do `mean`, `dot_product`,
//! `dot_self`, `prod`, `max`, `min`; `log_sum_exp` in two passes (the
//! largest element `m`, then `m + log(sum(exp(x - m)))`, so no `exp`
//! overflows), `variance` and `sd` in two (the mean, then the squared
//! deviations from it). The loops hold one scalar term each, so the
//! ordinary scalar adjoints differentiate them and any number of
//! distinct lengths costs nothing more.
//!
//! Stan's rules for empty vectors hold: `max`/`min` of an empty real
//! vector are -inf/+inf, of an empty int array an error; `mean`,
//! `variance`, `sd` of an empty vector an error; `log_sum_exp` of one is
//! -inf; `variance`/`sd` of one element 0.

use super::{binary, int_lit, Rewriter};
use crate::check::env::VarOrigin;
use crate::check::typed::{Constraint, Level, TypedDecl, TypedExpr, TypedExprKind, TypedPrintArg, TypedStmt, TypedStmtKind};
use crate::check::types::Type;
use crate::syntax::ast::{AssignOp, BinOp};
use crate::syntax::span::Span;

fn real_lit(x: f64, span: Span) -> TypedExpr {
    TypedExpr { kind: TypedExprKind::RealLit(x), ty: Type::real(), level: Level::Data, span }
}

fn call(func: &str, args: Vec<TypedExpr>, ty: Type, span: Span) -> TypedExpr {
    let level = args.iter().map(|a| a.level).max().unwrap_or(Level::Data);
    TypedExpr { kind: TypedExprKind::Call { func: func.into(), args }, ty, level, span }
}

impl Rewriter<'_, '_> {
    /// The value of the reduction `func(args)` (the expression `e`) of a
    /// run-time-length view, computed by statements pushed on `pre`;
    /// `None` when `func` is not one of these or an operand is not a view.
    pub(super) fn reduce(&mut self, e: &TypedExpr, func: &str, args: &[TypedExpr], pre: &mut Vec<TypedStmt>) -> Option<TypedExpr> {
        let (span, level) = (e.span, e.level);
        let int = e.ty.is_int_valued();
        let zero = || if int { int_lit(0, span) } else { real_lit(0.0, span) };
        let add = |_acc: TypedExpr, term: TypedExpr| (AssignOp::Add, term);
        match (func, args.len()) {
            ("sum", 1) => self.fold(func, &[&args[0]], zero(), level, pre, |acc, mut v| add(acc, v.remove(0))),
            ("mean", 1) => {
                let len = self.length_of(&args[0])?;
                let total = self.fold(func, &[&args[0]], real_lit(0.0, span), level, pre, |acc, mut v| add(acc, v.remove(0)))?;
                pre.push(self.nonempty(func, &len));
                Some(binary(BinOp::Div, total, len, Type::real()))
            }
            ("dot_self", 1) | ("dot_product", 2) => {
                let operands: Vec<&TypedExpr> = if func == "dot_self" { vec![&args[0], &args[0]] } else { args.iter().collect() };
                self.fold(func, &operands, zero(), level, pre, |acc, mut v| {
                    let b = v.remove(1);
                    let ty = acc.ty.clone();
                    add(acc, binary(BinOp::Mul, v.remove(0), b, ty))
                })
            }
            ("prod", 1) => {
                let one = if int { int_lit(1, span) } else { real_lit(1.0, span) };
                self.fold(func, &[&args[0]], one, level, pre, |_, mut v| (AssignOp::Mul, v.remove(0)))
            }
            ("max" | "min", 1) => {
                // `max(a, b)` of the running value and an element, as the
                // library's reduction (a NaN element makes the result NaN).
                let init = match (int, func) {
                    // An empty int array has no maximum: Stan's error.
                    (true, _) => {
                        let len = self.length_of(&args[0])?;
                        pre.push(self.nonempty(func, &len));
                        int_lit(if func == "max" { i64::MIN } else { i64::MAX }, span)
                    }
                    (false, "max") => call("negative_infinity", Vec::new(), Type::real(), span),
                    (false, _) => call("positive_infinity", Vec::new(), Type::real(), span),
                };
                self.fold(func, &[&args[0]], init, level, pre, |acc, mut v| {
                    let ty = acc.ty.clone();
                    (AssignOp::Assign, call(func, vec![acc, v.remove(0)], ty, span))
                })
            }
            ("log_sum_exp", 1) => {
                let neg_inf = call("negative_infinity", Vec::new(), Type::real(), span);
                let max = self.fold("max", &[&args[0]], neg_inf, level, pre, |acc, mut v| {
                    (AssignOp::Assign, call("max", vec![acc, v.remove(0)], Type::real(), span))
                })?;
                // Shifted by the largest element unless that is infinite
                // (every element -inf, or none: the sum is 0 and its log
                // -inf; an element +inf: the sum is +inf).
                let above = binary(BinOp::Gt, max.clone(), call("negative_infinity", Vec::new(), Type::real(), span), Type::int());
                let below = binary(BinOp::Lt, max.clone(), call("positive_infinity", Vec::new(), Type::real(), span), Type::int());
                let finite = binary(BinOp::And, above, below, Type::int());
                let shift_value = TypedExpr {
                    kind: TypedExprKind::Ternary { cond: Box::new(finite), then: Box::new(max.clone()), otherwise: Box::new(real_lit(0.0, span)) },
                    ty: Type::real(),
                    level,
                    span,
                };
                let shift = self.local("shift", shift_value, pre);
                let total = self.fold(func, &[&args[0]], real_lit(0.0, span), level, pre, |acc, mut v| {
                    let d = binary(BinOp::Sub, v.remove(0), shift.clone(), Type::real());
                    add(acc, call("exp", vec![d], Type::real(), span))
                })?;
                Some(binary(BinOp::Add, shift.clone(), call("log", vec![total], Type::real(), span), Type::real()))
            }
            ("variance" | "sd", 1) => {
                let len = self.length_of(&args[0])?;
                let total = self.fold("sum", &[&args[0]], real_lit(0.0, span), level, pre, |acc, mut v| add(acc, v.remove(0)))?;
                pre.push(self.nonempty(func, &len));
                let mean = self.local("mean", binary(BinOp::Div, total, len.clone(), Type::real()), pre);
                let squares = self.fold(func, &[&args[0]], real_lit(0.0, span), level, pre, |acc, mut v| {
                    let d = binary(BinOp::Sub, v.remove(0), mean.clone(), Type::real());
                    add(acc, call("square", vec![d], Type::real(), span))
                })?;
                let df = binary(BinOp::Sub, len.clone(), int_lit(1, span), Type::int());
                let mut value = binary(BinOp::Div, squares, df, Type::real());
                if func == "sd" {
                    value = call("sqrt", vec![value], Type::real(), span);
                }
                // One element varies by 0, with a zero gradient (a branch,
                // so that neither 0 / 0 nor sqrt's slope at 0 is met).
                let single = binary(BinOp::Eq, len, int_lit(1, span), Type::int());
                Some(TypedExpr {
                    kind: TypedExprKind::Ternary { cond: Box::new(single), then: Box::new(real_lit(0.0, span)), otherwise: Box::new(value) },
                    ty: Type::real(),
                    level,
                    span,
                })
            }
            _ => None,
        }
    }

    /// Declares a local set to `init` and pushes on `pre` the loop that
    /// updates it with every element: `acc op= term` where `step(acc,
    /// elements)` gives `(op, term)`; returns the local. `None` when an
    /// operand is not a view.
    fn fold(
        &mut self,
        what: &str,
        operands: &[&TypedExpr],
        init: TypedExpr,
        level: Level,
        pre: &mut Vec<TypedStmt>,
        step: impl FnOnce(TypedExpr, Vec<TypedExpr>) -> (AssignOp, TypedExpr),
    ) -> Option<TypedExpr> {
        let (ty, span) = (init.ty.clone(), init.span);
        let acc = self.fresh(what, ty.clone(), VarOrigin::Local, level, span);
        let acc_expr = TypedExpr { kind: TypedExprKind::Var(acc), ty, level, span };
        let lhs = acc_expr.clone();
        let looped = self.elementwise_loop(what, operands, span, move |values| {
            let (op, rhs) = step(lhs.clone(), values);
            TypedStmtKind::Assign { lhs, op, rhs }
        })?;
        pre.push(TypedStmt { kind: TypedStmtKind::Decl(TypedDecl { var: acc, sizes: Vec::new(), constraint: Constraint::None, init: Some(init), span }), span });
        pre.extend(looped);
        Some(acc_expr)
    }

    /// A scalar local set to `value` (pushed on `pre`), read by the
    /// expression returned.
    fn local(&mut self, name: &str, value: TypedExpr, pre: &mut Vec<TypedStmt>) -> TypedExpr {
        let (ty, level, span) = (value.ty.clone(), value.level, value.span);
        let var = self.fresh(name, ty.clone(), VarOrigin::Local, level, span);
        pre.push(TypedStmt { kind: TypedStmtKind::Decl(TypedDecl { var, sizes: Vec::new(), constraint: Constraint::None, init: Some(value), span }), span });
        TypedExpr { kind: TypedExprKind::Var(var), ty, level, span }
    }

    /// The length of a view (`None` when it is not one).
    fn length_of(&mut self, view: &TypedExpr) -> Option<TypedExpr> {
        let (_, k) = self.loop_var(view.span);
        let len = self.elem(view, &k).and_then(|el| el.lens.into_iter().next());
        // The checks `elem` made belong to the loops that read the view.
        self.guards.clear();
        len
    }

    /// `if (len == 0) reject(...)`: Stan's error for a reduction of an
    /// empty vector that has no value.
    fn nonempty(&self, func: &str, len: &TypedExpr) -> TypedStmt {
        let span = len.span;
        let msg = vec![TypedPrintArg::Str(format!("{func}: the vector has size 0, but must have a nonzero size"))];
        let reject = TypedStmt { kind: TypedStmtKind::Reject(msg), span };
        let cond = binary(BinOp::Eq, len.clone(), int_lit(0, span), Type::int());
        TypedStmt { kind: TypedStmtKind::If { cond, then: Box::new(reject), otherwise: None }, span }
    }
}
