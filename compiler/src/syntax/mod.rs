//! Stage 1: source text to tokens (logos) to an AST (lalrpop, `grammar/hbm.lalrpop`).

pub mod ast;
pub mod span;
