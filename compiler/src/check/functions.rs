//! Recursive user functions compiled as functions of their own.
//!
//! `syntax::functions` expands every user function where it is called,
//! except a recursive one whose parameters and result are `int`/`real` and
//! whose body folds into one expression: it stays in the `functions` block
//! as `return <expr>;`, and calls of it stay calls. Here their signatures
//! are registered (all first, for mutual recursion), each body is typed
//! once with its parameters in scope, and calls are typed from the
//! signature (an `int` argument is promoted where a `real` is declared).

use super::env::VarOrigin;
use super::typed::{Level, TypedExpr, TypedExprKind, TypedFunction};
use super::types::Type;
use super::Checker;
use crate::diagnostics::Diagnostic;
use crate::syntax::ast::{BlockKind, FunDef, FunType, StmtKind};
use crate::syntax::span::Span;

/// The declared types of a compiled user function.
#[derive(Clone, Debug)]
pub(crate) struct UserSignature {
    pub params: Vec<Type>,
    pub result: Type,
}

fn scalar_type(t: &FunType) -> Type {
    if t.base == "int" {
        Type::int()
    } else {
        Type::real()
    }
}

impl Checker {
    /// Registers and types the compiled recursive functions.
    pub(super) fn check_user_functions(&mut self, defs: &[FunDef]) {
        for f in defs {
            let sig = UserSignature { params: f.params.iter().map(|p| scalar_type(&p.ty)).collect(), result: scalar_type(&f.return_type) };
            self.user_functions.insert(f.name.name.clone(), sig);
        }
        let outer = self.ctx;
        self.ctx.block = BlockKind::Functions;
        self.ctx.nested = true;
        for f in defs {
            if let Some(typed) = self.check_user_function(f) {
                self.functions.push(typed);
            }
        }
        self.ctx = outer;
    }

    fn check_user_function(&mut self, f: &FunDef) -> Option<TypedFunction> {
        let sig = self.user_functions.get(&f.name.name)?.clone();
        // The body is one `return` (made so by `syntax::functions`).
        let body = match f.body.as_deref() {
            Some([s]) => match &s.kind {
                StmtKind::Return(Some(e)) => e,
                _ => return None,
            },
            _ => return None,
        };
        self.scope.push();
        let mut params = Vec::new();
        for (p, ty) in f.params.iter().zip(&sig.params) {
            params.push(self.declare_var(&p.name.name, p.name.span, ty.clone(), VarOrigin::Local, Level::Data));
        }
        let typed = self.check_expr(body);
        self.scope.pop();
        let typed = typed?;
        let params: Option<Vec<_>> = params.into_iter().collect();
        let fits = typed.ty.is_scalar() && (!sig.result.is_int_valued() || typed.ty.is_int_valued());
        if !fits {
            self.report(
                Diagnostic::error("E1004", format!("`{}` returns a `{}`", f.name.name, self.show(&typed.ty)))
                    .with_label(typed.span, format!("declared to return `{}`", self.show(&sig.result)))
                    .with_help("return a value of the declared type"),
            );
            return None;
        }
        Some(TypedFunction { name: f.name.name.clone(), params: params?, result: sig.result, body: typed, span: f.span })
    }

    /// A call of a compiled user function, typed from its signature.
    pub(super) fn check_user_call(&mut self, name: &str, sig: &UserSignature, args: Vec<TypedExpr>, span: Span) -> Option<TypedExpr> {
        if args.len() != sig.params.len() {
            self.report(
                Diagnostic::error("E0013", format!("`{name}` takes {} arguments, {} given", sig.params.len(), args.len()))
                    .with_label(span, "this call"),
            );
            return None;
        }
        for (a, p) in args.iter().zip(&sig.params) {
            let fits = a.ty.is_scalar() && (!p.is_int_valued() || a.ty.is_int_valued());
            if !fits {
                self.report(
                    Diagnostic::error("E1002", format!("`{name}` cannot take a `{}` here", self.show(&a.ty)))
                        .with_label(a.span, format!("this argument must be `{}`", self.show(p)))
                        .with_help("a recursive function takes the `int` and `real` values its signature declares"),
                );
                return None;
            }
        }
        let level = args.iter().map(|t| t.level).max().unwrap_or(Level::Data);
        // Its gradient would need the function's own adjoint.
        if level == Level::Param && matches!(self.ctx.block, BlockKind::TransformedParameters | BlockKind::Model) {
            let arg = args.iter().find(|a| a.level == Level::Param).map(|a| a.span).unwrap_or(span);
            self.recursion_on_parameters.insert(span);
            self.report(
                Diagnostic::error("E0012", format!("the recursive function `{name}` is given a value that depends on parameters, which is not supported yet"))
                    .with_label(arg, "depends on parameters")
                    .with_help(
                        "recursive functions work on data and in generated quantities; in the model or transformed \
                         parameters, write a recursion over parameters as a loop",
                    ),
            );
            return None;
        }
        Some(TypedExpr { kind: TypedExprKind::Call { func: name.to_string(), args }, ty: sig.result.clone(), level, span })
    }
}
