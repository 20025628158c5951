//! Recursive user functions: one IR function each
//! ([`FunctionKind::User`]), and their calls.
//!
//! The body (one expression, see `check::functions`) is lowered like any
//! scalar expression with the parameters held in values; a `?:` becomes an
//! IR `if`, so only the branch taken recurses. The temporaries of a body
//! (the one-element cell of each `?:`) are shared by every level of the
//! recursion, which is sound because a cell is stored as the last
//! statement of its branch and loaded right after the `if`, with no call in
//! between. Calls pass only values (ints and reals) and have no partials:
//! the checker refuses a call on values that depend on parameters in the
//! blocks that are differentiated.

use super::{LowerError, LowerResult, Lowerer};
use crate::check::typed::TypedExpr;
use crate::ir::{user_symbol, CType, CallArg, FuncRef, FunctionKind, ScalarType, Stmt};

fn scalar_type(int: bool) -> ScalarType {
    if int {
        ScalarType::I64
    } else {
        ScalarType::F64
    }
}

fn ctype(t: ScalarType) -> CType {
    match t {
        ScalarType::F64 => CType::F64,
        ScalarType::I64 => CType::I64,
    }
}

/// Whether a block prints or rejects anywhere.
fn has_message(stmts: &[Stmt]) -> bool {
    stmts.iter().any(|s| match s {
        Stmt::Reject(_) | Stmt::Print(_) => true,
        Stmt::For { body, .. } => has_message(body),
        Stmt::If { then, otherwise, .. } => has_message(then) || has_message(otherwise),
        Stmt::While { cond_block, body, .. } => has_message(cond_block) || has_message(body),
        _ => false,
    })
}

impl Lowerer<'_> {
    /// Lowers every compiled recursive function of the program.
    pub(super) fn lower_user_functions(&mut self) -> LowerResult<()> {
        for (i, f) in self.program.functions.iter().enumerate() {
            self.begin_function(FunctionKind::User(i as u32));
            let mut params = Vec::new();
            for p in &f.params {
                let ty = scalar_type(self.program.var(*p).ty.is_int_valued());
                let v = self.fb.fresh(ty);
                self.scalars.insert(*p, v);
                params.push(v);
            }
            let value = self.scalar(&f.body)?;
            let result = if f.result.is_int_valued() { value } else { self.fb.to_f64(value) };
            self.fb.set_signature(params, result);
            self.end_function();
            // Messages are rendered from an entry point's templates, so a
            // user function cannot carry one.
            if self.module.functions.last().is_some_and(|g| has_message(&g.body)) {
                return Err(LowerError::unsupported(
                    f.span,
                    format!("the recursive function `{}` uses an operation that can reject with a message (indexing, a checked argument)", f.name),
                ));
            }
        }
        Ok(())
    }

    /// The index of the compiled user function `name`, if it is one.
    pub(super) fn user_function(&self, name: &str) -> Option<usize> {
        self.program.functions.iter().position(|f| f.name == name)
    }

    /// A call of compiled user function `index`.
    pub(super) fn user_call(&mut self, index: usize, args: &[TypedExpr], e: &TypedExpr) -> LowerResult<crate::ir::Value> {
        let f = &self.program.functions[index];
        let name = f.name.clone();
        let types: Vec<ScalarType> = f.params.iter().map(|p| scalar_type(self.program.var(*p).ty.is_int_valued())).collect();
        let ret = scalar_type(f.result.is_int_valued());
        if args.len() != types.len() {
            return Err(LowerError::unsupported(e.span, format!("a call of `{name}` with {} arguments", args.len())));
        }
        let mut values = Vec::with_capacity(args.len());
        for (a, ty) in args.iter().zip(&types) {
            let v = self.scalar(a)?;
            // The checker allows an int where a real is declared, not the reverse.
            let v = if *ty == ScalarType::F64 { self.fb.to_f64(v) } else { v };
            values.push(CallArg::Value(v));
        }
        let func = FuncRef { symbol: user_symbol(index as u32, &name), params: types.iter().map(|t| ctype(*t)).collect(), ret: ctype(ret) };
        let dst = self.fb.fresh(ret);
        self.fb.emit(Stmt::Call { dst: Some(dst), partials: Vec::new(), func, args: values });
        Ok(dst)
    }
}
