//! Stan's `reduce_sum(f, x, grainsize, s1, s2, ...)` and
//! `reduce_sum_static`, expanded as the one call they equal:
//! `f(x, 1, size(x), s1, s2, ...)`. Stan sums `f` over slices of `x` for
//! within-chain parallelism; the sum is the whole call up to rounding, and
//! hbmc's fused gradient needs no slicing.
//!
//! The expansion keeps what the checker must still see in a marker call
//! `reduce_sum@f(grainsize, x, s1, ..., value)` (see
//! [`split_reduce_sum`]): the checker types the grainsize and compares `x`
//! and the shared arguments with `f`'s declared types, then keeps only
//! `value`, the expanded call. A grainsize below 1 rejects the evaluation,
//! as Stan's does, through a check put before the calling statement.

use super::*;

/// Stan's reduce calls.
pub const REDUCE_SUM: [&str; 2] = ["reduce_sum", "reduce_sum_static"];

/// The reduce call and the user function of a marker call's name
/// (`reduce_sum@partial_sum_lupmf`).
pub fn split_reduce_sum(func: &str) -> Option<(&str, &str)> {
    func.split_once('@').filter(|(call, _)| REDUCE_SUM.contains(call))
}

/// What `f` must be for `reduce_sum`: Stan's rules on the partial sum's
/// signature, given `shared` arguments after the grainsize. `Err` says
/// what is wrong.
fn signature_problem(f: &FunDef, shared: usize) -> Result<(), String> {
    let scalar = |t: &FunType, base: &str| t.array_dims == 0 && t.base == base;
    if !scalar(&f.return_type, "real") {
        return Err(format!("it must return `real`, not `{}`", type_text(&f.return_type)));
    }
    if f.params.len() < 3 {
        return Err("it must take the slice, its start and its end (`array[] T slice, int start, int end`)".into());
    }
    if f.params[0].ty.array_dims == 0 {
        return Err(format!("its first argument, the slice, must be an array, not `{}`", type_text(&f.params[0].ty)));
    }
    if !(scalar(&f.params[1].ty, "int") && scalar(&f.params[2].ty, "int")) {
        return Err("its second and third arguments, the slice's start and end, must be `int`".into());
    }
    if f.params.len() != 3 + shared {
        return Err(format!(
            "it takes {} shared argument(s) after the slice, start and end, but the call passes {shared} after the grainsize",
            f.params.len() - 3
        ));
    }
    Ok(())
}

impl Expander {
    /// Whether `args` of a `reduce_sum` call start with a user function's
    /// name (otherwise the checker reports the call).
    pub(super) fn names_user_function(&self, args: &[Expr]) -> bool {
        matches!(args.first().map(|a| &a.kind), Some(ExprKind::Var(f)) if self.defs.contains_key(&def_name(&f.name)))
    }

    /// `reduce_sum(f, x, grainsize, s...)` as the marker call around `f(x,
    /// 1, size(x), s...)`, with the grainsize check hoisted before the
    /// calling statement. `f` is a user function ([`names_user_function`]).
    pub(super) fn reduce_sum(&mut self, call: &Ident, args: Vec<Expr>, span: Span, hoist: &mut Vec<Stmt>, depth: usize) -> Expr {
        let error_expr = Expr { kind: ExprKind::RealLit(f64::NAN), span };
        let ExprKind::Var(f) = &args[0].kind else { return error_expr };
        let f = f.clone();
        let Some(def) = self.defs.get(&def_name(&f.name)).cloned() else { return error_expr };
        if args.len() < 3 {
            self.diags.push(
                Diagnostic::error("E1002", format!("`{}` takes `(f, x, grainsize, ...)`; this call has {} arguments", call.name, args.len()))
                    .with_label(span, "too few arguments")
                    .with_help("see `reduce_sum` in Stan's functions reference"),
            );
            return error_expr;
        }
        if let Err(why) = signature_problem(&def, args.len() - 3) {
            self.diags.push(
                Diagnostic::error("E0013", format!("`{}` cannot be the partial sum of `{}`: {why}", f.name, call.name))
                    .with_label(f.span, "passed here")
                    .with_label(def.name.span, format!("defined as `{}`", signature_text(&def)))
                    .with_help("the partial sum is `real f(array[] T slice, int start, int end, ...)`, the `...` being the arguments after the grainsize"),
            );
            return error_expr;
        }
        if (f.name.ends_with("_lupdf") || f.name.ends_with("_lupmf")) && self.block != BlockKind::Model {
            self.diags.push(
                Diagnostic::error("E0013", format!("`{}` drops constants, so it can be passed only in the model block", f.name))
                    .with_label(f.span, format!("passed in `{}`", self.block.keyword()))
                    .with_help(format!("pass `{}` here", def.name.name)),
            );
            return error_expr;
        }
        let mut it = args.into_iter().skip(1);
        let (Some(x), Some(grainsize)) = (it.next(), it.next()) else { return error_expr };
        let x = self.expand_expr(x, hoist, depth);
        let grainsize = self.expand_expr(grainsize, hoist, depth);
        let shared: Vec<Expr> = it.map(|a| self.expand_expr(a, hoist, depth)).collect();
        match grainsize.kind {
            ExprKind::IntLit(g) if g >= 1 => {}
            ExprKind::IntLit(g) => {
                self.diags.push(
                    Diagnostic::error("E1002", format!("the grainsize of `{}` must be at least 1, but is {g}", call.name))
                        .with_label(grainsize.span, "grainsize")
                        .with_help("1 lets Stan choose the slices; hbmc evaluates the whole sum at once whatever the grainsize"),
                );
                return error_expr;
            }
            _ => hoist.push(grainsize_check(&call.name, &grainsize)),
        }
        let size = Expr {
            kind: ExprKind::Call { func: Ident { name: "size".into(), span: x.span }, args: vec![x.clone()] },
            span: x.span,
        };
        let mut call_args = vec![x.clone(), Expr { kind: ExprKind::IntLit(1), span }, size];
        call_args.extend(shared.iter().cloned());
        let value = self.value_call(&f, call_args, span, hoist, depth);
        let mut marker_args = vec![grainsize, x];
        marker_args.extend(shared);
        marker_args.push(value);
        let marker = Ident { name: format!("{}@{}", call.name, f.name), span: call.span };
        Expr { kind: ExprKind::Call { func: marker, args: marker_args }, span }
    }
}

/// `if (grainsize < 1) reject("reduce_sum: grainsize must be at least 1, but is ", grainsize);`
fn grainsize_check(call: &str, grainsize: &Expr) -> Stmt {
    let span = grainsize.span;
    let cond = Expr {
        kind: ExprKind::Binary {
            op: BinOp::Lt,
            lhs: Box::new(paren(grainsize.clone())),
            rhs: Box::new(Expr { kind: ExprKind::IntLit(1), span }),
        },
        span,
    };
    let message = StringLit { value: format!("{call}: grainsize must be at least 1, but is "), span };
    let reject = Stmt { kind: StmtKind::Reject(vec![PrintArg::Str(message), PrintArg::Expr(grainsize.clone())]), span };
    Stmt { kind: StmtKind::If { cond, then: Box::new(reject), otherwise: None }, span }
}
