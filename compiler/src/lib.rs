//! The hbm compiler, one module per pipeline stage:
//! `syntax` (source to AST), `check` (AST to typed program), `bind` (data
//! read and validated against the typed program). `diagnostics` is the one
//! error type every stage returns.

pub mod ad;
pub mod bind;
pub mod check;
pub mod codegen;
pub mod diagnostics;
pub mod graph;
pub mod interp;
pub mod ir;
pub mod lower;
pub mod simulate;
pub mod syntax;

use diagnostics::Diagnostic;

/// What the front end made of a source: as far as it got, and everything it
/// had to say on the way.
#[derive(Debug)]
pub struct FrontEnd {
    /// The AST, when the source parsed (possibly with recovered errors).
    pub ast: Option<syntax::ast::Program>,
    /// The typed program, when there were no errors at all.
    pub typed: Option<check::typed::TypedProgram>,
    /// Errors and warnings, in source order.
    pub diagnostics: Vec<Diagnostic>,
}

/// Parses and checks a source. The checker runs even after recovered syntax
/// errors, so that one run reports as much as it can.
pub fn front_end(source: &str) -> FrontEnd {
    let (ast, mut diagnostics) = syntax::parse_program(source);
    // `gaussian_dlm_obs` is a function written in Stan, added where used.
    let mut prelude_home = None;
    let ast = ast.map(|program| {
        let (with_dlm, dlm_diags, home) = syntax::dlm::add_gaussian_dlm_obs(program, source.len());
        diagnostics.extend(dlm_diags);
        prelude_home = home;
        with_dlm
    });
    // Each call of an overloaded user function is renamed to the
    // definition it resolves to while the program is as written.
    let mut overload_names = Vec::new();
    let ast = ast.map(|program| {
        let (resolved, resolve_diags, names) = syntax::functions::resolve_overloads(program);
        diagnostics.extend(resolve_diags);
        overload_names = names;
        resolved
    });
    // Tuples become one variable per element before anything else reads
    // the program.
    let mut tuple_elements = Vec::new();
    let mut tuple_outputs = Vec::new();
    let ast = ast.map(|program| {
        let (split, split_diags, made, outputs) = syntax::tuples::split_tuples(program);
        diagnostics.extend(split_diags);
        tuple_elements = made;
        tuple_outputs = outputs;
        split
    });
    // Kept as written for ODE right-hand sides, compiled on their own.
    let function_defs = ast.as_ref().map(syntax::functions::definitions).unwrap_or_default();
    // User functions are expanded where they are called before checking.
    // Kept for a second expansion (below) when there are user functions.
    let written = if function_defs.is_empty() { None } else { ast.clone() };
    let before_expanding = diagnostics.len();
    let mut ast = ast.map(|program| {
        let (expanded, expand_diags) = syntax::functions::expand_functions(program);
        diagnostics.extend(expand_diags);
        expanded
    });
    let mut parse_failed = diagnostics::has_errors(&diagnostics);
    let mut typed = None;
    if let Some(program) = &ast {
        let (mut checked, mut check_diags, on_parameters) = check::check_program_finding_recursion(program, &function_defs);
        if let (false, false, Some(written)) = (on_parameters.is_empty(), parse_failed, written) {
            // A recursive function on `int`/`real` values (compiled as a
            // function of its own) given a value that depends on
            // parameters: those calls are expanded to a depth instead, as
            // recursion on vectors is, and the program checked again.
            let (expanded, expand_diags) = syntax::functions::expand_functions_unrolling(written, &on_parameters);
            diagnostics.truncate(before_expanding);
            diagnostics.extend(expand_diags);
            parse_failed = diagnostics::has_errors(&diagnostics);
            (checked, check_diags) = check::check_program_with_functions(&expanded, &function_defs);
            ast = Some(expanded);
        }
        diagnostics.extend(check_diags);
        if !parse_failed {
            typed = checked.map(|mut t| {
                t.function_defs = function_defs;
                t.tuple_outputs = tuple_outputs;
                t.prelude_home = prelude_home;
                t
            });
        }
    }
    if let Some(home) = prelude_home {
        home.relocate(&mut diagnostics);
    }
    diagnostics.iter_mut().for_each(|d| syntax::tuples::show_element_names(d, &tuple_elements));
    diagnostics.iter_mut().for_each(|d| syntax::functions::show_written_names(d, &overload_names));
    diagnostics.sort_by_key(|d| d.primary_span().map(|s| s.start).unwrap_or(usize::MAX));
    FrontEnd { ast, typed, diagnostics }
}
