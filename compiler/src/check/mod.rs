//! Stage 2: the AST checked and typed.
//!
//! [`check_program`] gives every expression its type, shape and dims
//! (`types`), resolves names (`env`), applies Stan's typing rules and block
//! rules, and the dim rules of LANGUAGE.md: dim-checked indexing (`index`),
//! broadcasting by dim name (`broadcast`) and function signatures
//! (`signatures`). Errors are collected, not thrown: an expression that fails
//! to check becomes `None` and its parents stay quiet, so one mistake gives
//! one message.
//!
//! Diagnostic codes: E1xxx types, E2xxx dims, E3xxx names, blocks and scopes
//! (the full table is in `docs/errors.md`).

pub mod broadcast;
pub mod complex;
mod data_args;
mod decl;
pub mod env;
pub mod outcomes;
mod expr;
mod foreach;
pub(crate) use expr::{binary_type, unary_type};
mod functions;
pub mod glm;
pub mod glm_categorical;
mod index;
mod map_rect;
pub mod ode;
mod system_signature;
pub mod print;
mod program;
mod reduce_sum;
pub mod signatures;
pub mod stan_missing;
pub mod stan_removed;
mod stmt;
#[cfg(test)]
mod tests;
mod truncated_variate;
pub mod typed;
pub mod types;
mod wiener_args;

use crate::diagnostics::Diagnostic;
use crate::syntax::ast::{BlockKind, FunDef, Program};
use crate::syntax::span::Span;
use std::collections::{BTreeSet, HashMap, HashSet};
use env::{DimEnv, Scope, ScopeEntry, VarOrigin};
use typed::{Level, TypedProgram, VarId, VarInfo};
use types::Type;

/// Checks a parsed program. Returns the typed program when there are no
/// errors, and every diagnostic (errors and warnings) found.
pub fn check_program(program: &Program) -> (Option<TypedProgram>, Vec<Diagnostic>) {
    check_program_with_functions(program, &[])
}

/// [`check_program`] of a program whose user functions were expanded,
/// given their definitions as written (`syntax::functions::definitions`):
/// calls that pass a function by name (`reduce_sum`) are compared with
/// its declared types.
pub fn check_program_with_functions(program: &Program, defs: &[FunDef]) -> (Option<TypedProgram>, Vec<Diagnostic>) {
    let (typed, diagnostics, _) = check_program_finding_recursion(program, defs);
    (typed, diagnostics)
}

/// [`check_program_with_functions`], with the spans of the calls of
/// compiled recursive functions given values that depend on parameters in
/// `transformed parameters` or `model` (each reported E0012): expanded at
/// the call instead (`syntax::functions::expand_functions_unrolling`),
/// they compile.
pub fn check_program_finding_recursion(program: &Program, defs: &[FunDef]) -> (Option<TypedProgram>, Vec<Diagnostic>, BTreeSet<Span>) {
    let mut checker = Checker::new();
    checker.declared_functions = defs.iter().map(|d| (d.name.name.clone(), d.clone())).collect();
    let blocks = checker.check_blocks(program);
    let has_errors = checker.diagnostics.iter().any(Diagnostic::is_error);
    let typed = (!has_errors).then(|| TypedProgram {
        dims: checker.dims,
        vars: checker.vars,
        functions: checker.functions,
        function_defs: Vec::new(),
        tuple_outputs: Vec::new(),
        prelude_home: None,
        blocks,
    });
    (typed, checker.diagnostics, checker.recursion_on_parameters)
}

/// Where in the program the checker is, for block rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Context {
    pub block: BlockKind,
    /// Inside a nested statement block (so declarations are local).
    pub nested: bool,
    /// How many loops enclose the current statement.
    pub loop_depth: usize,
    /// Inside the inlined body of a `_lp` or `_jacobian` function.
    pub inlined: Option<crate::syntax::ast::InlinedFrom>,
}

/// The checker's state while it walks the program.
pub(crate) struct Checker {
    pub dims: DimEnv,
    pub vars: Vec<VarInfo>,
    pub scope: Scope,
    pub diagnostics: Vec<Diagnostic>,
    pub ctx: Context,
    /// Names whose declaration failed (already reported): a later use is
    /// not reported again as undeclared.
    pub failed_decls: HashSet<String>,
    /// Where each block-level variable is declared, known before the walk:
    /// a use above the declaration is reported as such.
    pub block_decls: HashMap<String, Span>,
    /// Signatures of the compiled recursive user functions, by name.
    pub(crate) user_functions: HashMap<String, functions::UserSignature>,
    /// Their typed bodies.
    pub functions: Vec<typed::TypedFunction>,
    /// Every user function as written, by name, for calls that pass one
    /// by name (`reduce_sum`); empty when the caller did not give them.
    pub(crate) declared_functions: HashMap<String, FunDef>,
    /// The calls of compiled recursive functions given values that depend
    /// on parameters where they are differentiated (reported E0012).
    pub(crate) recursion_on_parameters: BTreeSet<Span>,
}

impl Checker {
    fn new() -> Checker {
        Checker {
            dims: DimEnv::default(),
            vars: Vec::new(),
            scope: Scope::new(),
            diagnostics: Vec::new(),
            failed_decls: HashSet::new(),
            block_decls: HashMap::new(),
            user_functions: HashMap::new(),
            functions: Vec::new(),
            declared_functions: HashMap::new(),
            recursion_on_parameters: BTreeSet::new(),
            ctx: Context {
                block: BlockKind::Data,
                nested: false,
                loop_depth: 0,
                inlined: None,
            },
        }
    }

    /// Records a diagnostic.
    pub fn report(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    /// Renders a type with this program's dim names.
    pub fn show(&self, ty: &Type) -> String {
        ty.display(&self.dims).to_string()
    }

    /// Adds a variable to the program and the current scope, after checking
    /// that the name is free. Returns `None` when it is not.
    pub fn declare_var(
        &mut self,
        name: &str,
        span: Span,
        ty: Type,
        origin: VarOrigin,
        level: Level,
    ) -> Option<VarId> {
        if let Some(message) = reserved_name(name) {
            self.report(
                Diagnostic::error("E3009", format!("`{name}` cannot be used as a variable name"))
                    .with_label(span, message)
                    .with_help("choose another name"),
            );
            self.failed_decls.insert(name.to_string());
            return None;
        }
        if name == crate::syntax::functions::JACOBIAN {
            self.report(
                Diagnostic::warning("W0003", "`jacobian` is a reserved word from Stan 2.38")
                    .with_label(span, "a variable named `jacobian`")
                    .with_help("rename it: while it is in scope, `jacobian += ...` adds to this variable instead of the Jacobian adjustment"),
            );
        }
        if let Some(existing) = self.scope.lookup(name) {
            let previous = self.vars[existing.var].span;
            self.report(
                Diagnostic::error("E3002", format!("`{name}` is already declared"))
                    .with_label(span, "declared again here")
                    .with_label(previous, "first declared here")
                    .with_help("give the new variable another name (Stan does not allow shadowing)"),
            );
            return None;
        }
        let id = self.vars.len();
        self.vars.push(VarInfo {
            name: name.to_string(),
            ty,
            origin,
            level,
            span,
        });
        self.scope.declare(name, ScopeEntry { var: id, origin });
        Some(id)
    }
}

/// Why a name is reserved, if it is.
fn reserved_name(name: &str) -> Option<&'static str> {
    const KEYWORDS: &[&str] = &[
        "for", "in", "while", "repeat", "until", "if", "then", "else", "true", "false", "target",
        "functions", "model", "data", "parameters", "quantities", "transformed", "generated",
        "int", "real", "complex", "vector", "row_vector", "matrix", "array", "simplex", "ordered",
        "positive_ordered", "unit_vector", "sum_to_zero_vector", "sum_to_zero_matrix", "column_stochastic_matrix",
        "row_stochastic_matrix", "cholesky_factor_corr", "cholesky_factor_cov", "corr_matrix", "cov_matrix", "complex_vector", "complex_row_vector", "complex_matrix", "void", "return", "break", "continue", "print", "reject",
        "fatal_error", "profile", "tuple", "dims", "lower", "upper", "offset", "multiplier",
    ];
    // `lower`, `upper`, `offset` and `multiplier` are allowed in Stan.
    const ALLOWED: &[&str] = &["lower", "upper", "offset", "multiplier"];
    // Names starting with `_` or ending in `__` never get here: the lexer
    // reports them (E0007).
    (KEYWORDS.contains(&name) && !ALLOWED.contains(&name)).then_some("this is a reserved word")
}
