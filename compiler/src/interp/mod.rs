//! The reference interpreter of the IR: the oracle for lowering and for the
//! Cranelift backend.
//!
//! It executes a [`Function`](crate::ir::Function) in plain Rust, with every
//! buffer access bounds-checked (an out-of-range index is an
//! [`InterpError::OutOfBounds`] naming the buffer, where generated code would
//! silently read or write the wrong memory), and calls library functions
//! through the very same stdlib symbols the JIT calls ([`library`]).
//! Native operations mean what [`ops`] says.
//!
//! Limits of the oracle: a pointer passed to a library function is checked
//! to start inside its buffer, but how far the callee reads or writes is the
//! callee's business (the stdlib documents each extent).

pub mod library;
pub mod message;
pub mod ode;
pub mod ops;

mod exec;

use crate::ir::arenas::{arena_name, ArenaTooSmall, Arenas};
use crate::ir::{Arena, CallArg, FunctionKind, Module, Stmt, Value};
use hbmc_stdlib::ChainRng;

/// Why an evaluation did not produce a value.
#[derive(Clone, Debug, PartialEq)]
pub enum InterpError {
    /// The module has no function of this kind.
    NoFunction(FunctionKind),
    /// The caller's arenas are smaller than the module's layout.
    ArenaTooSmall(ArenaTooSmall),
    /// A buffer access outside the buffer (or its arena).
    OutOfBounds {
        /// The buffer's name.
        buffer: String,
        /// Its arena.
        arena: Arena,
        /// The offending element index within the buffer.
        index: i64,
        /// The buffer's length.
        len: usize,
    },
    /// A `Reject` statement ran (or an integer division by zero happened).
    Rejected(String),
    /// The function uses the RNG but none was given.
    MissingRng,
    /// Malformed IR the verifier would have refused (use of an undefined
    /// value, mismatched types, `Break` outside a loop, ...).
    Malformed(String),
    /// A library call that cannot be made (unknown symbol, wrong signature).
    BadCall(String),
}

impl std::fmt::Display for InterpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            InterpError::NoFunction(k) => write!(f, "the module has no {k:?} function"),
            InterpError::ArenaTooSmall(e) => e.fmt(f),
            InterpError::OutOfBounds {
                buffer,
                arena,
                index,
                len,
            } => write!(
                f,
                "index {index} is out of range for buffer `{buffer}` ({} arena, {len} elements)",
                arena_name(*arena)
            ),
            InterpError::Rejected(m) => write!(f, "rejected: {m}"),
            InterpError::MissingRng => write!(f, "the function needs a random number generator"),
            InterpError::Malformed(m) => write!(f, "malformed IR: {m}"),
            InterpError::BadCall(m) => write!(f, "bad library call: {m}"),
        }
    }
}

impl std::error::Error for InterpError {}

/// Runs the module's function of `kind` on `arenas` and returns its target
/// (the log density; 0 for functions that do not accumulate one). `print`
/// output is discarded; see [`run_with_prints`].
pub fn run(
    module: &Module,
    kind: FunctionKind,
    arenas: &mut Arenas,
    rng: Option<&mut ChainRng>,
) -> Result<f64, InterpError> {
    run_with_prints(module, kind, arenas, rng, &mut Vec::new())
}

/// As [`run`], appending every `print` message to `prints` (also those
/// printed before a rejection).
pub fn run_with_prints(
    module: &Module,
    kind: FunctionKind,
    arenas: &mut Arenas,
    rng: Option<&mut ChainRng>,
    prints: &mut Vec<String>,
) -> Result<f64, InterpError> {
    let func = module.function(kind).ok_or(InterpError::NoFunction(kind))?;
    arenas
        .check(&module.arena_sizes)
        .map_err(InterpError::ArenaTooSmall)?;
    // Checked up front (not at the first draw) so that the interpreter and
    // the JIT refuse the same calls.
    if rng.is_none() && uses_rng(&func.body) {
        return Err(InterpError::MissingRng);
    }
    let rng: Option<*mut ChainRng> = rng.map(|r| r as *mut ChainRng);
    exec::Machine::new(module, func, arenas, rng, prints).run()
}

/// Whether a block (or anything nested in it) passes the RNG to a call.
pub fn uses_rng(stmts: &[Stmt]) -> bool {
    stmts.iter().any(|s| match s {
        Stmt::Call { args, .. } => args.iter().any(|a| matches!(a, CallArg::Rng)),
        Stmt::For { body, .. } => uses_rng(body),
        Stmt::If {
            then, otherwise, ..
        } => uses_rng(then) || uses_rng(otherwise),
        Stmt::While {
            cond_block, body, ..
        } => uses_rng(cond_block) || uses_rng(body),
        _ => false,
    })
}

/// The rejection message of a chain of user function calls deeper than
/// [`crate::ir::MAX_CALL_DEPTH`] (the interpreter's and the JIT's).
pub fn too_deep_message() -> String {
    format!("a recursive function called itself more than {} levels deep", crate::ir::MAX_CALL_DEPTH)
}

/// A value's name in error messages.
fn name(v: Value) -> String {
    v.to_string()
}

#[cfg(test)]
mod tests;
#[cfg(test)]
pub(crate) mod testutil;
