//! The ABI between Rust and JIT code: the [`RunContext`] every entry point
//! receives, its status word, and the message callback that turns `print`
//! and `reject` statements into text.
//!
//! Every entry point has the one C signature [`EntryFn`]:
//! `extern "C" fn(ctx: *mut RunContext) -> f64`. The function loads the
//! arena pointers from `ctx` once at entry, returns the target (0 for
//! `Generate`/`TransformedData`), and on failure writes `status` and returns
//! NaN:
//! - [`STATUS_OK`] (0): finished normally;
//! - [`STATUS_REJECTED`] (1): a `Reject` statement ran; `reject` holds its
//!   message index (see below);
//! - [`STATUS_DIV_BY_ZERO`] (2): an integer division or remainder by zero
//!   (the interpreter's [`DIV_BY_ZERO`](crate::interp::ops::DIV_BY_ZERO));
//! - [`STATUS_TOO_DEEP`] (3): user function calls nested too deep.
//!
//! A user function (recursive, see [`crate::ir::FunctionKind::User`]) has
//! the signature `(ctx, depth: i64, params...) -> result`; on failure it
//! writes `status` and returns NaN or 0, and every caller checks `status`
//! after the call and leaves at once when it is set.
//!
//! **Messages.** Every `Print`/`Reject` statement of a function gets a
//! message index (counting prints and rejects in statement order) and a
//! `Template` kept by the compiled module. JIT code stores the statement's
//! scalar values (f64 or i64 bits, in part order) in a stack slot and calls
//! the `hbmc_jit_message(ctx, index, values)` callback. When
//! `ctx.messages` is non-null, the callback renders the text (reading
//! buffer parts through the arena pointers of `ctx`) with the interpreter's
//! renderer, appending prints to the sink and keeping the reject message.
//! When it is null (the hot path), the callback returns at once: prints are
//! dropped and a rejection is known only by `status`/`reject`.

use std::ffi::c_void;

use hbmc_stdlib::ChainRng;

use crate::interp::message::{render, Piece, Scalar};
use crate::ir::{Arena, ScalarType};

/// Finished normally.
pub const STATUS_OK: u64 = 0;
/// A `Reject` statement ran.
pub const STATUS_REJECTED: u64 = 1;
/// An integer division or remainder by zero.
pub const STATUS_DIV_BY_ZERO: u64 = 2;
/// A chain of user function calls deeper than
/// [`MAX_CALL_DEPTH`](crate::ir::MAX_CALL_DEPTH).
pub const STATUS_TOO_DEEP: u64 = 3;

/// What JIT code receives: arena base pointers, the RNG, the message sink
/// and the status word. `#[repr(C)]`: the generated code reads the fields
/// at their [`std::mem::offset_of!`] offsets.
#[repr(C)]
#[derive(Debug)]
pub struct RunContext {
    /// `Params` arena (read only).
    pub params: *const f64,
    /// `Grad` arena.
    pub grad: *mut f64,
    /// `Data` arena.
    pub data: *mut f64,
    /// `IntData` arena.
    pub int_data: *mut i64,
    /// `Work` arena.
    pub work: *mut f64,
    /// `IntWork` arena.
    pub int_work: *mut i64,
    /// `Out` arena.
    pub out: *mut f64,
    /// The chain's generator; may be null for functions that use no RNG.
    pub rng: *mut ChainRng,
    /// A `MessageSink` owned by the safe wrapper, or null (messages dropped).
    pub messages: *mut c_void,
    /// One of the `STATUS_*` constants, written by the generated code.
    pub status: u64,
    /// The message index of the `Reject` that ran (when `status` is 1).
    pub reject: u64,
    /// The [`ChunkPool`](super::pool::ChunkPool) that runs `RunChunks`
    /// statements on several threads, or null (chunks run one after the
    /// other on the calling thread).
    pub pool: *const c_void,
    /// In a chunk function, the chunk it runs (`Expr::ChunkIndex`).
    pub chunk: u64,
    /// The evaluator's growable AD tapes (`Stmt::TapeSave`/`TapeLoad`,
    /// see `codegen::tape`), or null (chunks, which have none).
    pub tapes: *mut crate::ir::tapes::Tapes,
}

/// The uniform signature of every compiled entry point.
///
/// # Safety (for callers)
/// `ctx` must point to a valid `RunContext` whose arena pointers are valid
/// for at least the module's [`ArenaSizes`](crate::ir::ArenaSizes) elements
/// (`grad` as many as `params`), not aliased by live Rust references, whose
/// `rng` is valid if the function uses the RNG, and whose `messages` is null
/// or the sink of this very module and function; the
/// [`CompiledModule`](super::CompiledModule) that produced the pointer must
/// be alive.
pub type EntryFn = unsafe extern "C" fn(ctx: *mut RunContext) -> f64;

impl RunContext {
    /// The byte offset of an arena's pointer field, for the generated loads.
    pub(crate) fn arena_field_offset(arena: Arena) -> i32 {
        let off = match arena {
            Arena::Params => std::mem::offset_of!(RunContext, params),
            Arena::Grad => std::mem::offset_of!(RunContext, grad),
            Arena::Data => std::mem::offset_of!(RunContext, data),
            Arena::IntData => std::mem::offset_of!(RunContext, int_data),
            Arena::Work => std::mem::offset_of!(RunContext, work),
            Arena::IntWork => std::mem::offset_of!(RunContext, int_work),
            Arena::Out => std::mem::offset_of!(RunContext, out),
        };
        off as i32
    }

    /// Byte offsets of the other fields.
    pub(crate) const RNG: i32 = std::mem::offset_of!(RunContext, rng) as i32;
    pub(crate) const STATUS: i32 = std::mem::offset_of!(RunContext, status) as i32;
    pub(crate) const REJECT: i32 = std::mem::offset_of!(RunContext, reject) as i32;
    pub(crate) const CHUNK: i32 = std::mem::offset_of!(RunContext, chunk) as i32;

    /// The context chunk `chunk` of a `RunChunks` statement runs with: the
    /// same arenas, its own status word, no message sink (chunk functions
    /// print nothing and never reject: `ir::chunks` admits no such loop).
    pub(crate) fn for_chunk(&self, chunk: u64) -> RunContext {
        RunContext {
            params: self.params,
            grad: self.grad,
            data: self.data,
            int_data: self.int_data,
            work: self.work,
            int_work: self.int_work,
            out: self.out,
            rng: std::ptr::null_mut(),
            messages: std::ptr::null_mut(),
            status: STATUS_OK,
            reject: 0,
            pool: std::ptr::null(),
            chunk,
            tapes: std::ptr::null_mut(),
        }
    }

    fn arena_ptr(&self, arena: Arena) -> *const u8 {
        match arena {
            Arena::Params => self.params.cast(),
            Arena::Grad => self.grad.cast_const().cast(),
            Arena::Data => self.data.cast_const().cast(),
            Arena::IntData => self.int_data.cast_const().cast(),
            Arena::Work => self.work.cast_const().cast(),
            Arena::IntWork => self.int_work.cast_const().cast(),
            Arena::Out => self.out.cast_const().cast(),
        }
    }
}

/// One part of a message, resolved at compile time.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum TemplatePart {
    Text(String),
    /// The value stored in slot `slot` of the values array.
    Value {
        slot: usize,
        ty: ScalarType,
    },
    /// A whole buffer, nested as `shape` says.
    Buffer {
        arena: Arena,
        offset: usize,
        len: usize,
        shape: crate::ir::PrintShape,
    },
}

/// A `print` or `reject` statement's message, by message index.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Template {
    pub(crate) parts: Vec<TemplatePart>,
    pub(crate) reject: bool,
}

/// Where the callback puts rendered messages during one safe call.
pub(crate) struct MessageSink<'a> {
    pub(crate) templates: &'a [Template],
    pub(crate) prints: &'a mut Vec<String>,
    pub(crate) reject: Option<String>,
}

/// Reads element `i` of a buffer through the context's arena pointer.
///
/// # Safety
/// The arena pointer must be valid for `offset + len` elements of the
/// arena's type, and `i < len`.
unsafe fn read_element(ctx: &RunContext, arena: Arena, offset: usize, i: usize) -> Scalar {
    let base = ctx.arena_ptr(arena);
    match arena.scalar_type() {
        // SAFETY: caller contract.
        ScalarType::F64 => Scalar::F64(unsafe { *base.cast::<f64>().add(offset + i) }),
        // SAFETY: caller contract.
        ScalarType::I64 => Scalar::I64(unsafe { *base.cast::<i64>().add(offset + i) }),
    }
}

/// The message callback called by JIT code (registered with the JIT under
/// this name). Never panics: a panic could not unwind through JIT frames.
///
/// # Safety
/// Called only by generated code: `ctx` is the context the entry point got,
/// `values` holds one 8-byte slot per value part of message `index`, and
/// `ctx.messages` is null or a `MessageSink` whose templates are those of
/// the running function (the safe wrapper guarantees both), so every
/// buffer part lies inside its arena (the verifier checked the layout and
/// the wrapper the arena lengths).
pub(crate) unsafe extern "C" fn hbmc_jit_message(
    ctx: *mut RunContext,
    index: u64,
    values: *const u64,
) {
    if ctx.is_null() {
        return;
    }
    // SAFETY: generated code passes its own valid context.
    let ctx = unsafe { &*ctx };
    if ctx.messages.is_null() {
        return;
    }
    // SAFETY: a non-null `messages` is a `MessageSink` set by the safe
    // wrapper, alive for the whole call and not otherwise borrowed meanwhile.
    let sink = unsafe { &mut *ctx.messages.cast::<MessageSink<'_>>() };
    let Some(template) = usize::try_from(index)
        .ok()
        .and_then(|i| sink.templates.get(i))
    else {
        return;
    };
    let mut pieces = Vec::with_capacity(template.parts.len());
    for part in &template.parts {
        pieces.push(match part {
            TemplatePart::Text(t) => Piece::Text(t),
            TemplatePart::Value { slot, ty } => {
                // SAFETY: the statement stored one slot per value part.
                let bits = unsafe { *values.add(*slot) };
                Piece::Scalar(match ty {
                    ScalarType::F64 => Scalar::F64(f64::from_bits(bits)),
                    ScalarType::I64 => Scalar::I64(bits as i64),
                })
            }
            TemplatePart::Buffer { arena, offset, len, shape } => Piece::List(
                // SAFETY: the buffer lies inside its arena (function contract).
                (0..*len)
                    .map(|i| unsafe { read_element(ctx, *arena, *offset, i) })
                    .collect(),
                shape,
            ),
        });
    }
    let text = render(&pieces);
    if template.reject {
        sink.reject = Some(text);
    } else {
        sink.prints.push(text);
    }
}
