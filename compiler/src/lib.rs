//! The hbm compiler, one module per pipeline stage:
//! `syntax` (source to AST), `check` (AST to typed program), `bind` (data
//! read and validated against the typed program). `diagnostics` is the one
//! error type every stage returns.

pub mod diagnostics;
pub mod syntax;
