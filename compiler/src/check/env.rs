//! What names mean: the program's dims ([`DimEnv`]) and its variables with
//! nested scopes ([`Scope`]).
//!
//! Dims and variables are separate namespaces: a data column may be called
//! `grade` and hold members of the dim `grade` (`array[obs] grade grade;`).
//! In an expression a name means the variable when there is one, otherwise
//! the dim (standing for its size); in a size (`vector[grade]`) and in
//! `for (g in grade)` a dim name means the dim.

use super::types::{DimId, DimNames};
use super::typed::VarId;
use crate::syntax::ast::BlockKind;
use crate::syntax::span::Span;
use std::collections::HashMap;

/// One dim declared in the `dims` block.
#[derive(Clone, Debug, PartialEq)]
pub struct DimInfo {
    pub name: String,
    /// Labels written in the file, which fix the size.
    pub labels: Option<Vec<String>>,
    pub span: Span,
}

/// The program's dims, in declaration order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DimEnv {
    pub dims: Vec<DimInfo>,
}

impl DimEnv {
    /// The dim with this name.
    pub fn lookup(&self, name: &str) -> Option<DimId> {
        self.dims.iter().position(|d| d.name == name)
    }

    /// The dim's information. `id` came from this env, so it is in range.
    pub fn get(&self, id: DimId) -> &DimInfo {
        &self.dims[id]
    }
}

impl DimNames for DimEnv {
    fn dim_name(&self, id: DimId) -> &str {
        self.dims.get(id).map_or("?", |d| d.name.as_str())
    }
}

/// Where a variable was declared, which decides who may assign it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum VarOrigin {
    /// Declared at the top level of a program block.
    Block(BlockKind),
    /// A local variable inside a statement block (or the model block).
    Local,
    /// A loop variable: read-only.
    Loop,
}

/// A variable visible to later code.
#[derive(Clone, Debug, PartialEq)]
pub struct ScopeEntry {
    pub var: VarId,
    pub origin: VarOrigin,
}

/// Nested scopes mapping names to variables. Stan forbids shadowing, so a
/// lookup walks every frame and a declaration checks every frame.
#[derive(Debug, Default)]
pub struct Scope {
    frames: Vec<HashMap<String, ScopeEntry>>,
}

impl Scope {
    /// A scope with one (global) frame.
    pub fn new() -> Scope {
        Scope {
            frames: vec![HashMap::new()],
        }
    }

    /// Opens a nested frame.
    pub fn push(&mut self) {
        self.frames.push(HashMap::new());
    }

    /// Closes the innermost frame; the global frame is never closed.
    pub fn pop(&mut self) {
        if self.frames.len() > 1 {
            self.frames.pop();
        }
    }

    /// The variable with this name, innermost first.
    pub fn lookup(&self, name: &str) -> Option<&ScopeEntry> {
        self.frames.iter().rev().find_map(|f| f.get(name))
    }

    /// Declares a name in the innermost frame. The caller checks for
    /// redeclaration first with [`Scope::lookup`].
    pub fn declare(&mut self, name: &str, entry: ScopeEntry) {
        if let Some(frame) = self.frames.last_mut() {
            frame.insert(name.to_string(), entry);
        }
    }
}
