//! Stage 6: reverse-mode AD by source transformation of the IR.
//!
//! [`differentiate`] turns the module's `LogDensity` function into a
//! `Gradient` function that returns the same target and writes its gradient
//! into the `Grad` arena. No tape of operations is recorded at run time
//! (only, in [`value_tape`], the square roots, divisions and library
//! calls' values and partials of loop iterations the reverse would
//! otherwise compute again):
//!
//! 1. **Forward sweep.** The log-density body, as it is (every buffer gets
//!    its value; top-level values stay in scope for the reverse sweep).
//! 2. **Reverse sweep.** Top-level statements in reverse order. A loop or
//!    branch body is *recomputed* inside its reverse loop (pure statements
//!    and stores again, with fresh value names; target terms and
//!    accumulations into outer buffers not again), then differentiated
//!    statement by statement in reverse. For a map-reduce loop over
//!    observations this gives one loop that computes each term's partials
//!    and scatter-adds them into the parameters' adjoints at once: nothing
//!    is stored per observation.
//!
//! Adjoints of values are SSA sums inside a block; contributions to values
//! defined outside a nested block go through one-element *cells*. Adjoints
//! of buffers live in adjoint buffers (`Grad` for parameters, `Work`
//! otherwise). A store's reverse consumes its element's adjoint and zeroes
//! it (the element is overwritten); an accumulation's reverse reads it.
//! Scalar library calls are differentiated with the stdlib's partials
//! functions (`_d1` for unary math, `_grad` for the rest), never through
//! their internals.
//!
//! **Calls on buffers** (structured transforms, linear algebra,
//! multivariate densities) go through the stdlib's reverse-mode `_adj`
//! routines, which accumulate `w × partial` into adjoint buffers. The one
//! table in [`rules`] says, per forward symbol, how the adjoint call's
//! arguments are made from the forward call: forward arguments as they
//! were, the adjoint buffers of its buffer arguments (the output's adjoint
//! is read, the inputs' are accumulated into; an inactive input gets a
//! scratch buffer, as the IR has no null pointer), the adjoint of the
//! scalar result as the weight, and one-element cells for adjoints of
//! scalar arguments. Output buffers are treated like stores: a buffer a
//! call writes is active when any input of the call is; the call is re-run
//! when its block is recomputed; and after the adjoint call has consumed
//! the output's adjoint, that part of it is zeroed (the forward call
//! overwrote those elements). A call on buffers with no rule is refused.
//!
//! **Overwritten values** ([`carry`]): a local a loop iteration may read
//! from an earlier iteration (unless it is filled element by element) is
//! saved per iteration and restored before the reverse sweep recomputes
//! that iteration; inside a block, buffers a statement read and a later
//! one overwrote are put back from snapshots before the statement is
//! reversed; a top-level store over a buffer read earlier keeps the old
//! value, which its reverse puts back. Every refusal is error E5002.
//!
//! What this cannot differentiate yet (reported, never silently wrong): a
//! buffer read by one top-level statement (or written by a call, whose
//! adjoint rule may read its output) and written again by a later one other
//! than a top-level store or a loop that carries it, a `while` condition
//! that stores a value depending on parameters, and calls on buffers
//! without a rule in [`rules`]. `while` loops and `break`/`continue` over
//! parameters are differentiated: [`jumps`] makes jumps flags, and such
//! loops count their iterations for the reverse to replay ([`carry`]).

mod activity;
mod affine;
mod carry;
mod jumps;
mod negations;
mod prune;
pub(crate) mod reciprocals;
mod reverse;
pub mod rules;
mod target_guards;
mod value_tape;

use crate::ir::{Arena, BufferId, FunctionKind, Module};
use std::collections::HashMap;

/// Why a module could not be differentiated: always a gradient the AD
/// cannot build yet, error code [`AdError::CODE`].
#[derive(Clone, Debug, PartialEq)]
pub struct AdError {
    pub message: String,
}

impl AdError {
    /// The error code of every refusal of the AD (docs/errors.md).
    pub const CODE: &'static str = "E5002";

    /// A refusal saying what cannot be differentiated.
    pub fn new(message: String) -> AdError {
        AdError { message }
    }

    /// The error code, [`AdError::CODE`].
    pub fn code(&self) -> &'static str {
        Self::CODE
    }
}

impl std::fmt::Display for AdError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.message)
    }
}

/// Adds a `Gradient` function made from the module's `LogDensity` one.
/// Loops that carry values from one iteration to the next need constant
/// bounds: use [`differentiate_with_data`] when they come from the data.
pub fn differentiate(module: &mut Module) -> Result<(), AdError> {
    build_gradient(module, None, &[])
}

/// [`differentiate`], with the data (the initial `Data` and `IntData`
/// arenas) to evaluate loop bounds that depend on them, transformed data
/// included (the `TransformedData` function is run for them when it
/// computes integers).
pub fn differentiate_with_data(module: &mut Module, data: &[f64], int_data: &[i64]) -> Result<(), AdError> {
    build_gradient(module, Some(data), int_data)
}

/// `data` is `None` when the data are not bound: then transformed data are
/// not run, and only the integers in `int_data` are known.
fn build_gradient(module: &mut Module, data: Option<&[f64]>, int_data: &[i64]) -> Result<(), AdError> {
    let mut forward = module
        .function(FunctionKind::LogDensity)
        .cloned()
        .ok_or_else(|| AdError::new("the module has no log density function".into()))?;
    // `break` and `continue` of loops the reverse differentiates become
    // flags (the flags are integers: activity stays as it was).
    let active = activity::analyse(module, &forward);
    jumps::structure(module, &mut forward, &active);
    let active = activity::analyse(module, &forward);
    let facts = carry::index_facts(module, &forward, data, int_data);
    let carries = carry::find(module, &forward, &active, &facts)?;
    let overwrites = activity::check_no_overwrite_after_use(module, &forward, &active, &carries, &facts)?;
    // One adjoint buffer per active buffer.
    let mut adjoint: HashMap<BufferId, BufferId> = HashMap::new();
    let mut bufs: Vec<BufferId> = active.buffers.iter().copied().collect();
    bufs.sort();
    for b in bufs {
        let adj = match module.buffer(b).arena {
            Arena::Params => module.add_grad_buffer(b),
            _ => {
                let len = module.buffer(b).len;
                let name = format!("{}.adj", module.buffer(b).name);
                module.add_buffer(name, Arena::Work, len)
            }
        };
        adjoint.insert(b, adj);
    }
    let mut gradient = reverse::build(module, &forward, &active, &adjoint, &carries, &overwrites, &facts)?;
    negations::fold(&mut gradient);
    prune::prune(&mut gradient, module);
    module.functions.retain(|f| f.kind != FunctionKind::Gradient);
    module.functions.push(gradient);
    Ok(())
}

