//! The growable AD tapes from JIT code: [`Stmt::TapeSave`] and
//! [`Stmt::TapeLoad`](crate::ir::Stmt::TapeLoad) become calls of these two
//! callbacks on the context's [`Tapes`] (the evaluator's, see
//! [`crate::ir::tapes`]). Values travel as their 64 bits (the generated
//! code bit-casts an `f64`).
//!
//! [`Stmt::TapeSave`]: crate::ir::Stmt::TapeSave

use super::context::RunContext;
use crate::ir::tapes::Tapes;

/// The symbol of [`hbmc_jit_tape_save`] for the JIT.
pub(crate) const TAPE_SAVE_SYMBOL: &str = "hbmc_jit_tape_save";
/// The symbol of [`hbmc_jit_tape_load`] for the JIT.
pub(crate) const TAPE_LOAD_SYMBOL: &str = "hbmc_jit_tape_load";

/// Saves `bits` in slot `slot` of tape `tape` of `ctx.tapes`. Never
/// panics (it could not unwind through JIT frames): [`Tapes::save`] drops
/// what it cannot hold, and a null `tapes` (a chunk's context, which has
/// no tape statements) drops everything.
///
/// # Safety
/// `ctx` must point to a valid [`RunContext`] whose `tapes` is null or
/// points to a `Tapes` no Rust reference aliases during the call.
pub(crate) unsafe extern "C" fn hbmc_jit_tape_save(ctx: *mut RunContext, tape: i64, slot: i64, bits: i64) {
    // SAFETY: caller contract.
    let tapes = unsafe { (*ctx).tapes };
    if tapes.is_null() {
        return;
    }
    let Ok(tape) = u32::try_from(tape) else { return };
    // SAFETY: non-null, and unaliased by the caller contract.
    unsafe { (*tapes).save(tape, slot, bits as u64) };
}

/// The bits in slot `slot` of tape `tape` of `ctx.tapes` (a NaN's when
/// never saved or when `tapes` is null).
///
/// # Safety
/// As [`hbmc_jit_tape_save`].
pub(crate) unsafe extern "C" fn hbmc_jit_tape_load(ctx: *mut RunContext, tape: i64, slot: i64) -> i64 {
    // SAFETY: caller contract.
    let tapes: *const Tapes = unsafe { (*ctx).tapes };
    let Ok(tape) = u32::try_from(tape) else { return f64::NAN.to_bits() as i64 };
    if tapes.is_null() {
        return f64::NAN.to_bits() as i64;
    }
    // SAFETY: non-null, and unaliased by the caller contract.
    unsafe { (*tapes).load(tape, slot) as i64 }
}
