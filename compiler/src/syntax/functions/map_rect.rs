//! Stan's `map_rect(f, phi, thetas, x_rs, x_is)`: the concatenation of
//! `f(phi, thetas[j], x_rs[j], x_is[j])` over the jobs `j`, expanded into
//! statements before the calling statement:
//!
//! ```text
//! int J = size(thetas);
//! if (size(x_rs) != J || size(x_is) != J) reject(...);
//! int m = num_elements(f(phi, thetas[1], x_rs[1], x_is[1]));
//! vector[J * m] out;
//! for (j in 1:J) out[(j - 1) * m + 1 : j * m] = f(phi, thetas[j], x_rs[j], x_is[j]);
//! ```
//!
//! with `out` in the call's place (the locals renamed as a function
//! body's are). Every job's result has the size of the first's: a job
//! whose size depends on its data is refused when the model is compiled
//! (a vector of run-time length), and there must be at least one job.

use super::*;

fn var(name: &str, span: Span) -> Expr {
    Expr { kind: ExprKind::Var(Ident { name: name.to_string(), span }), span }
}

pub(super) fn int(v: i128, span: Span) -> Expr {
    Expr { kind: ExprKind::IntLit(v), span }
}

pub(super) fn call(name: &str, args: Vec<Expr>, span: Span) -> Expr {
    Expr { kind: ExprKind::Call { func: Ident { name: name.to_string(), span }, args }, span }
}

pub(super) fn bin(op: BinOp, lhs: Expr, rhs: Expr) -> Expr {
    let span = lhs.span;
    Expr { kind: ExprKind::Binary { op, lhs: Box::new(lhs), rhs: Box::new(rhs) }, span }
}

fn index(base: &Expr, i: Expr) -> Expr {
    Expr { kind: ExprKind::Index { base: Box::new(paren(base.clone())), indices: vec![Index::Single(i)] }, span: base.span }
}

fn decl(name: &str, base: BaseTypeExpr, init: Option<Expr>, span: Span) -> Stmt {
    let ty = TypeExpr { array_sizes: Vec::new(), base, span };
    Stmt { kind: StmtKind::Decl(VarDecl { ty, name: Ident { name: name.to_string(), span }, init, span }), span }
}

/// Stan's rule on the mapped function; `Err` says what is wrong.
fn signature_problem(f: &FunDef) -> Result<(), String> {
    let is = |t: &FunType, base: &str, dims: usize| t.array_dims == dims && t.base == base;
    if !is(&f.return_type, "vector", 0) {
        return Err(format!("it must return `vector`, not `{}`", type_text(&f.return_type)));
    }
    let want = [("vector", 0), ("vector", 0), ("real", 1), ("int", 1)];
    let fits = f.params.len() == 4 && f.params.iter().zip(want).all(|(p, (base, dims))| is(&p.ty, base, dims));
    if !fits {
        return Err("it must take `(vector phi, vector theta, data array[] real x_r, data array[] int x_i)`".into());
    }
    Ok(())
}

impl Expander {
    /// `map_rect(f, phi, thetas, x_rs, x_is)` with `f` a user function
    /// ([`Expander::names_user_function`]): the statements computing the
    /// result go to `hoist`, the result's local is returned.
    pub(super) fn map_rect(&mut self, call_name: &Ident, args: Vec<Expr>, span: Span, hoist: &mut Vec<Stmt>, depth: usize) -> Expr {
        let error_expr = Expr { kind: ExprKind::RealLit(f64::NAN), span };
        let ExprKind::Var(f) = &args[0].kind else { return error_expr };
        let f = f.clone();
        let Some(def) = self.defs.get(&def_name(&f.name)).cloned() else { return error_expr };
        if args.len() != 5 {
            self.diags.push(
                Diagnostic::error("E1002", format!("`map_rect` takes `(f, phi, thetas, x_rs, x_is)`; this call has {} arguments", args.len()))
                    .with_label(span, "wrong number of arguments")
                    .with_help("see `map_rect` in Stan's functions reference"),
            );
            return error_expr;
        }
        if let Err(why) = signature_problem(&def) {
            self.diags.push(
                Diagnostic::error("E0013", format!("`{}` cannot be mapped by `map_rect`: {why}", f.name))
                    .with_label(f.span, "passed here")
                    .with_label(def.name.span, format!("defined as `{}`", signature_text(&def))),
            );
            return error_expr;
        }
        let args: Vec<Expr> = args.into_iter().skip(1).map(|a| self.expand_expr(a, hoist, depth)).collect();
        let [phi, thetas, x_rs, x_is] = <[Expr; 4]>::try_from(args).unwrap_or_else(|_| unreachable!("five arguments, checked above"));
        let (jobs, size, job, out) = (self.fresh("jobs"), self.fresh("size"), self.fresh("job"), self.fresh("map_rect"));
        let job_args = |j: Expr| vec![phi.clone(), index(&thetas, j.clone()), index(&x_rs, j.clone()), index(&x_is, j)];
        let size_of = |e: &Expr| call("size", vec![e.clone()], span);
        let mismatch = bin(
            BinOp::Or,
            bin(BinOp::Neq, size_of(&x_rs), var(&jobs, span)),
            bin(BinOp::Neq, size_of(&x_is), var(&jobs, span)),
        );
        let text = |s: &str| PrintArg::Str(StringLit { value: s.to_string(), span });
        let reject = Stmt {
            kind: StmtKind::Reject(vec![
                text("map_rect: the job parameters, real data and int data must have as many jobs, but they have "),
                PrintArg::Expr(var(&jobs, span)),
                text(", "),
                PrintArg::Expr(size_of(&x_rs)),
                text(" and "),
                PrintArg::Expr(size_of(&x_is)),
            ]),
            span,
        };
        let no_jobs = Stmt {
            kind: StmtKind::Reject(vec![text("map_rect: there must be at least one job")]),
            span,
        };
        let j = var(&job, span);
        let lower = bin(BinOp::Add, bin(BinOp::Mul, bin(BinOp::Sub, j.clone(), int(1, span)), var(&size, span)), int(1, span));
        let upper = bin(BinOp::Mul, j.clone(), var(&size, span));
        let target = Expr {
            kind: ExprKind::Index { base: Box::new(var(&out, span)), indices: vec![Index::Range { lower: Some(lower), upper: Some(upper), span }] },
            span,
        };
        let store = Stmt { kind: StmtKind::Assign { lhs: target, op: AssignOp::Assign, rhs: call(&f.name, job_args(j), span) }, span };
        let before = vec![
            decl(&jobs, BaseTypeExpr::Int { transform: Transform::None }, Some(size_of(&thetas)), span),
            Stmt { kind: StmtKind::If { cond: mismatch, then: Box::new(reject), otherwise: None }, span },
            Stmt { kind: StmtKind::If { cond: bin(BinOp::Lt, var(&jobs, span), int(1, span)), then: Box::new(no_jobs), otherwise: None }, span },
        ];
        hoist.extend(self.expand_stmts(before, depth + 1));
        // The first job's size, its statements (a statement body) at this
        // level rather than in a block: `out`'s size must be a local
        // initialised in its declaration for the compiler to know it.
        let first = self.value_call(&f, job_args(int(1, span)), span, hoist, depth + 1);
        hoist.push(decl(&size, BaseTypeExpr::Int { transform: Transform::None }, Some(call("num_elements", vec![first], span)), span));
        let after = vec![
            decl(
                &out,
                BaseTypeExpr::Vector { transform: Transform::None, size: bin(BinOp::Mul, var(&jobs, span), var(&size, span)) },
                None,
                span,
            ),
            Stmt {
                kind: StmtKind::For { var: Ident { name: job.clone(), span }, lower: int(1, span), upper: var(&jobs, span), body: Box::new(store) },
                span,
            },
        ];
        hoist.extend(self.expand_stmts(after, depth + 1));
        // The checker compares the arguments with Stan's types.
        let marker = Ident { name: format!("map_rect@{}", f.name), span: call_name.span };
        Expr { kind: ExprKind::Call { func: marker, args: vec![phi, thetas, x_rs, x_is, var(&out, span)] }, span }
    }
}
