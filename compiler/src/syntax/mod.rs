//! Stage 1: source text to tokens (logos) to an AST (lalrpop, `grammar/hbm.lalrpop`).
//!
//! [`parse_program`] is the entry point; [`print::program_to_sexp`] prints the
//! AST for `hbmc check --emit ast`.

pub mod ast;
pub mod dlm;
pub mod functions;
pub mod lexer;
pub mod parser;
pub mod print;
pub mod span;
pub mod tuples;

pub use parser::parse_program;
